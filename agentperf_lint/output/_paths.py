"""Placing a finding's path relative to the project root, shared by the CI-facing formats."""

from __future__ import annotations

from pathlib import Path


def absolute(path: str) -> Path:
    """``path`` (as displayed: relative to the working directory, or absolute), resolved."""
    candidate = Path(path)
    return (candidate if candidate.is_absolute() else Path.cwd() / candidate).resolve()


def relative_to_root(path: str, root: Path) -> str | None:
    """``path`` relative to ``root`` in POSIX form, or None when it lies outside ``root``.

    CI systems resolve locations against the repository checkout, so a location must not depend
    on the directory the linter ran from.
    """
    try:
        return absolute(path).relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
