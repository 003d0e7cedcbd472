"""Finding the rules and selecting them by code, prefix or name (ruff's selector semantics).

Rules are discovered by importing every module of :mod:`agentperf_lint.rules` and collecting the
:class:`~agentperf_lint.rule.Rule` subclasses that define a ``code``, so adding a rule is adding
one module. Selection happens on classes, before anything is instantiated.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rule import Rule


class SelectorError(ValueError):
    """A selector that matches no rule; the message lists what would."""


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule, sorted by code. Raises if two rules share a code or a name."""
    from . import rules as package
    from .rule import Rule

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"two rules use {value.code}: {found[value.code]} and {value}")
                found[value.code] = value
    names = [rule.name for rule in found.values()]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise RuntimeError(f"rule names used twice: {sorted(duplicates)}")
    return tuple(sorted(found.values(), key=lambda rule: rule.code))


def catalog() -> dict[str, str]:
    """Code -> name of every rule, read from module file names (``apl101_blocking_sleep.py``)
    without importing anything: selector checks on a warm cached run stay libcst-free. A
    meta-test keeps file names and rule classes in agreement."""
    from . import rules as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        code, _, rest = info.name.partition("_")
        if not info.name.startswith("_") and code[:3] == "apl" and code[3:].isdigit():
            found[code.upper()] = rest.replace("_", "-")
    return found


def check_selectors(selectors: Iterable[str]) -> None:
    """Raise :class:`SelectorError` for a selector that names no rule."""
    codes = catalog()
    names = set(codes.values())
    for selector in selectors:
        wanted = selector.strip()
        upper = wanted.upper()
        if wanted in names or upper == "ALL" or (upper and any(code.startswith(upper) for code in codes)):
            continue
        raise SelectorError(
            f"unknown rule selector {selector!r}; valid: ALL, a prefix such as APL1, or one of {', '.join(sorted(codes))}"
        )


def rule_by_code() -> dict[str, type[Rule]]:
    return {rule.code: rule for rule in all_rules()}


def rule_by_name() -> dict[str, type[Rule]]:
    return {rule.name: rule for rule in all_rules()}


def matching(selector: str) -> list[type[Rule]]:
    """Rules a selector names: ``ALL``, a code prefix (``APL``, ``APL1``, ``APL101``) or a
    rule name (``blocking-sleep``). Raises :class:`SelectorError` when nothing matches."""
    check_selectors([selector])
    wanted = selector.strip()
    by_name = rule_by_name()
    if wanted in by_name:
        return [by_name[wanted]]
    upper = wanted.upper()
    if upper == "ALL":
        return list(all_rules())
    return [rule for rule in all_rules() if rule.code.startswith(upper)]


def select(
    select: Sequence[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[type[Rule]]:
    """The enabled rules, in code order. Without ``select``, every default-enabled rule.

    As in ruff, a more specific selector wins over a less specific one: ``select = ["APL"]`` with
    ``ignore = ["APL1"]`` and ``extend-select = ["APL101"]`` enables APL101 and no other APL1xx.
    """
    scored: dict[str, tuple[int, bool]] = {}  # code -> (specificity, enabled)

    def apply(selectors: Iterable[str], enabled: bool, explicit: bool) -> None:
        for selector in selectors:
            rules = matching(selector)
            specificity = len(selector) if selector.upper() != "ALL" else 0
            for rule in rules:
                if enabled and not explicit and not rule.default_enabled:
                    continue
                if enabled and not rule.default_enabled and len(rules) > 1 and selector.upper() in ("ALL", "APL"):
                    continue  # opt-in rules need a selector narrower than everything
                current = scored.get(rule.code)
                if current is None or specificity >= current[0]:
                    scored[rule.code] = (specificity, enabled)

    apply(select if select is not None else ["APL"], True, select is not None)
    apply(extend_select, True, True)
    apply(ignore, False, True)
    chosen = {code for code, (_, enabled) in scored.items() if enabled}
    return [rule for rule in all_rules() if rule.code in chosen]
