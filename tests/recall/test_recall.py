"""Every recall case is reported where its maintainer fixed it, and every clean case stays silent.

Cases today's linter misses carry ``status = "miss"`` and are strict xfails: one that starts
passing fails the suite until its status says ``found``, so the recall figures stay honest.
"""

from __future__ import annotations

import pytest

from ._cases import Case, judge, lint_case, load_cases

CASES = load_cases()


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=f"known miss: {case.what}")] if case.status == "miss" else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(case: Case) -> None:
    verdict = judge(case, lint_case(case))
    missed = [f"{e.file}:{e.line} {e.code}" for e in verdict.missed]
    unexpected = [f"{file}:{f.line}:{f.column} {f.code} {f.message}" for file, f in verdict.unexpected]
    assert verdict.passes, f"missed: {missed}; unexpected: {unexpected}"


def test_cases_are_well_formed() -> None:
    for case in CASES:
        assert case.status in ("found", "miss"), case.name
        assert len(case.commit) == 40 and case.repo.count("/") == 1, case.name
        assert bool(case.expected) == (case.family != "clean"), case.name
        for expected in case.expected:
            assert (case.directory / expected.file).is_file(), f"{case.name}: {expected.file}"
        for path in case.directory.rglob("*.py"):
            name = path.name
            assert not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"), path
