"""Dotted module names of linted files, without importing libcst.

The runner needs them to decide which files a project rule must summarise (a cached run must
not import libcst), and the per-file context needs them to qualify local definitions.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def module_name_for(path: str) -> str:
    """Dotted module name from a file path, walking up through packages (``__init__.py``)."""
    file = Path(path)
    # keyed by the absolute folder: a relative one means another folder once the cwd changes
    package = _package_of(os.path.abspath(file.parent))
    if file.stem == "__init__":
        return package or file.stem
    return f"{package}.{file.stem}" if package else file.stem


@lru_cache(maxsize=4096)
def _package_of(directory: str) -> str:
    """The dotted package a directory is, or "" when it is not a package."""
    folder = Path(directory)
    try:
        if not (folder / "__init__.py").is_file():
            return ""
    except OSError:
        return ""
    if folder.parent == folder:
        return folder.name
    outer = _package_of(str(folder.parent))
    return f"{outer}.{folder.name}" if outer else folder.name
