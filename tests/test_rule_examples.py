"""Every rule's VALID/INVALID examples are its specification; run them all.

INVALID examples must be reported at their exact line and column; where they state a fixed
version, ``--fix`` (with unsafe fixes) must produce exactly that, the result must parse, and a
second fix pass must change nothing.
"""

from __future__ import annotations

import re

import libcst as cst
import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.fixer import fix_source
from agentperf_lint.registry import all_rules
from agentperf_lint.rule import DOC_SECTIONS, FixAvailability, Invalid, Rule, Valid

RULES = all_rules()


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in RULES:
        examples = rule.VALID if kind == "valid" else rule.INVALID
        for index, example in enumerate(examples):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}"))
    return cases


def _linter(rule: type[Rule], example: Valid | Invalid) -> Linter:
    table = rule.options_table
    return Linter([rule], {table: dict(example.options)} if table else {})


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_is_not_reported(rule: type[Rule], example: Valid) -> None:
    outcome = _linter(rule, example).lint("example.py", example.source.encode())
    assert outcome.result.errors == []
    assert [f for f in outcome.result.findings if f.code == rule.code] == []


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_is_reported_where_stated(rule: type[Rule], example: Invalid) -> None:
    linter = _linter(rule, example)
    outcome = linter.lint("example.py", example.source.encode())
    assert outcome.result.errors == []
    findings = [f for f in outcome.result.findings if f.code == rule.code]
    assert (example.line, example.column) in [(f.line, f.column) for f in findings], findings
    assert len(findings) == 1 + example.extra_findings, findings
    finding = next(f for f in findings if (f.line, f.column) == (example.line, example.column))
    if example.message_contains is not None:
        assert example.message_contains in finding.message
    if example.fixed_source is None:
        assert finding.fix is None, f"unexpected fix {finding.fix}"
        return
    assert finding.fix is not None, "the example states a fix but the finding has none"
    fixed = fix_source(linter, "example.py", example.source.encode(), unsafe=True)
    assert fixed.error is None
    assert fixed.source.decode() == example.fixed_source
    cst.parse_module(fixed.source)
    again = fix_source(linter, "example.py", fixed.source, unsafe=True)
    assert again.source == fixed.source, "a second --fix changed the code again"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_is_documented_and_has_examples(rule: type[Rule]) -> None:
    assert re.fullmatch(r"APL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.message
    sections = rule.doc_sections()
    missing = [section for section in DOC_SECTIONS if not sections.get(section, "").strip()]
    assert not missing, f"{rule.code} docstring lacks sections {missing}"
    assert rule.VALID and rule.INVALID
    has_fix = [example.fixed is not None for example in rule.INVALID]
    if rule.fix_availability is FixAvailability.NEVER:
        assert not any(has_fix)
    else:
        assert any(has_fix), f"{rule.code} says a fix is available but no example shows one"
    if rule.fix_availability is FixAvailability.ALWAYS:
        assert all(has_fix)


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_module_name_matches_code_and_name(rule: type[Rule]) -> None:
    """``registry.catalog()`` reads codes from file names to validate selectors without
    importing libcst; the file name must therefore be ``<code>_<name>.py``."""
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
