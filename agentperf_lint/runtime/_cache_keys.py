"""Cache keys built from call arguments without pickle.

A key is a plain tuple, so hashing it is done in C by ``tuple.__hash__``. Pickle (what the origin
sketch used) fails on locks, clients and sockets, and costs far more than a tuple hash. Unhashable
containers (lists, dicts, sets) are turned into an equivalent hashable form; anything else that is
unhashable makes the call bypass the cache (:class:`Unkeyable`), it never raises.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any

# Separates positional from keyword arguments, so f(1, "a", 2) and f(1, a=2) differ.
_KWARGS_MARK = object()
# Depth limit for converting nested unhashable containers; deeper data bypasses the cache.
_MAX_DEPTH = 8


class Unkeyable(Exception):
    """Raised internally when no stable hashable key exists for the arguments."""


def freeze(value: Any, depth: int = 0) -> Hashable:
    """Return ``value`` if hashable, else a hashable equivalent tagged with its container type."""
    try:
        hash(value)
    except TypeError:
        pass
    else:
        return value  # type: ignore[no-any-return]
    if depth >= _MAX_DEPTH:
        raise Unkeyable(type(value).__name__)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(freeze(v, depth + 1) for v in value))
    if isinstance(value, dict):
        # dict equality ignores order, and so does a frozenset of its pairs.
        return (
            "dict",
            frozenset(
                (freeze(k, depth + 1), freeze(v, depth + 1)) for k, v in value.items()
            ),
        )
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(freeze(v, depth + 1) for v in value))
    if isinstance(value, (bytearray, memoryview)):
        return (type(value).__name__, bytes(value))
    raise Unkeyable(type(value).__name__)


def raw_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Key for one call: the positional arguments, then the keyword arguments in call order.

    Keyword order matters (``f(a=1, b=2)`` and ``f(b=2, a=1)`` are two entries), as in
    functools.lru_cache: sorting would cost more on every hit than the rare duplicate entry.
    The key may hold unhashable values; callers hash it once (the dict look-up) and fall back
    to :func:`freeze` on ``TypeError``, so the common case pays for one hash, not two.
    """
    return (*args, _KWARGS_MARK, *kwargs.items()) if kwargs else args


def make_ignoring_key(
    fn: Callable[..., Any], ignore: tuple[str, ...]
) -> Callable[[tuple[Any, ...], dict[str, Any]], tuple[Any, ...]]:
    """Build a raw-key function that leaves the parameters named in ``ignore`` out of the key.

    Positions are resolved once from the signature, so each call only filters a tuple.
    """
    params = list(inspect.signature(fn).parameters.values())
    unknown = set(ignore) - {p.name for p in params}
    if unknown:
        raise ValueError(
            f"ignore names unknown parameters of {fn.__qualname__}: {sorted(unknown)}"
        )
    positional = {
        i
        for i, p in enumerate(params)
        if p.name in ignore and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    names = frozenset(ignore)

    def key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        kept_args = tuple(a for i, a in enumerate(args) if i not in positional)
        kept_kwargs = {k: v for k, v in kwargs.items() if k not in names}
        return raw_key(kept_args, kept_kwargs)

    return key
