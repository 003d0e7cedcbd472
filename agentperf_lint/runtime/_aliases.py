"""Keyword synonyms: the origin guide's argument names next to the names this package prefers.

The guide's calls are the public API (``IntelligentCache(ttl_seconds=...)``,
``pool.release(connection=...)``, ``processor.process(item, processor_func=...)``), so they
must keep working without a warning. Each pair has one rule: pass either spelling; passing both
is a ``TypeError``, because silently preferring one would hide a mistake.
"""

from __future__ import annotations

import enum
from typing import Any, Final


class Unset(enum.Enum):
    """Marks an argument that was not passed (``None`` is a meaningful value for some)."""

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Final = Unset.UNSET


def either(
    preferred_name: str,
    preferred: Any,
    synonym_name: str,
    synonym: Any,
    default: Any = UNSET,
    *,
    owner: str,
) -> Any:
    """The value passed under either name, ``default`` when neither was passed.

    Raises ``TypeError`` when both were passed, or when neither was and there is no default.
    """
    if preferred is not UNSET:
        if synonym is not UNSET:
            raise TypeError(
                f"{owner}() got both {preferred_name}= and {synonym_name}= "
                f"(synonyms); pass one"
            )
        return preferred
    if synonym is not UNSET:
        return synonym
    if default is UNSET:
        raise TypeError(
            f"{owner}() missing required argument: {preferred_name!r} "
            f"(or its synonym {synonym_name!r})"
        )
    return default
