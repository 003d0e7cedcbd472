"""The project model: what names and attributes hold, and what project functions do, across
the modules of a run. See docs/project-model.md for rule authors.

Rules reach it through :class:`~agentperf_lint.context.FileContext`: ``ctx.type_of(expr)`` and
``ctx.effect_of(call)``. The runner installs one model per run (:func:`install`); a file linted
on its own (tests, the pytest plugin, stdin) gets a model of just that file, built lazily.
This package never imports libcst.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .model import Blocking, Effect, Obj, ProjectModel, RoundTrip

__all__ = ["Blocking", "Effect", "Obj", "ProjectModel", "RoundTrip", "active", "build", "install", "single_file"]

_ACTIVE: ProjectModel | None = None


def build(files: Iterable[tuple[str, bytes | None, Path | None]]) -> ProjectModel:
    """A model over ``(display path, bytes or None to read lazily, real path)`` files."""
    from ..modules import module_name_for

    sources = {}
    packages = set()
    for path, data, real in files:
        module = module_name_for(path)
        if module in sources:
            continue  # two files, one module name (scripts in different folders): first wins
        if Path(path).stem == "__init__":
            packages.add(module)
        sources[module] = _loader(data, real)
    return ProjectModel(sources, packages)


def _loader(data: bytes | None, real: Path | None):  # type: ignore[no-untyped-def]
    def load() -> bytes:
        if data is not None:
            return data
        try:
            return real.read_bytes() if real is not None else b""
        except OSError:
            return b""
    return load


def install(model: ProjectModel | None) -> None:
    """Make ``model`` the one files linted from now on consult (None: each file on its own)."""
    global _ACTIVE
    _ACTIVE = model


def active() -> ProjectModel | None:
    return _ACTIVE


def single_file(module: str, source: str, is_package: bool = False) -> ProjectModel:
    """A model of one file (for a file linted outside a run)."""
    data = source.encode("utf-8", "surrogatepass")
    return ProjectModel({module: lambda: data}, {module} if is_package else set())
