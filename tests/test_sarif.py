"""SARIF 2.1.0 output: valid against the OASIS schema and complete for GitHub code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from agentperf_lint.finding import Finding, FixInfo
from agentperf_lint.output import render
from agentperf_lint.output.sarif import sarif_log
from agentperf_lint.ruledocs import explain
from tests.test_ruledocs import PlainRule, SleepyRule

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"
RULES = (PlainRule, SleepyRule)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    # The OASIS schema (Schemata/sarif-schema-2.1.0.json of oasis-tcs/sarif-spec) declares draft
    # 2020-12. Its `language` pattern uses an inline `(?i)` that Python's `re` rejects, so
    # `check_schema` fails on it; documents that do not use `language` validate normally.
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"].endswith("sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def make(path: Path, line: int, code: str = "APL999", **kwargs: Any) -> Finding:
    column = kwargs.pop("column", 5)
    return Finding(
        path=str(path),
        line=line,
        column=column,
        code=code,
        end_line=kwargs.pop("end_line", line),
        end_column=kwargs.pop("end_column", column + 13),
        name=kwargs.pop("name", SleepyRule.name if code == "APL999" else "plain-rule"),
        message=kwargs.pop("message", "`time.sleep` blocks the event loop"),
        url=kwargs.pop("url", ""),
        fix=kwargs.pop("fix", None),
    )


def log_for(
    findings: Sequence[Finding],
    root: Path,
    sources: dict[str, list[str]] | None = None,
    rules: Sequence[type[Any]] = RULES,
) -> dict[str, Any]:
    read_lines = None if sources is None else sources.__getitem__
    text = render("sarif", findings, rules=rules, root=root, read_lines=read_lines, tool_version="1.2.3")
    data: dict[str, Any] = json.loads(text)
    assert data == sarif_log(findings, rules=rules, root=root, read_lines=read_lines, tool_version="1.2.3")
    return data


def assert_github_ready(log: dict[str, Any]) -> None:
    """Every field GitHub code scanning requires, non-empty (an empty string does not count)."""

    def text(value: Any, limit: int | None = None) -> None:
        assert isinstance(value, str) and value.strip(), value
        if limit is not None:
            assert len(value) <= limit

    assert log["$schema"] and log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    text(driver["name"])
    text(driver["semanticVersion"])
    rule_ids = []
    for rule in driver["rules"]:
        text(rule["id"])
        text(rule["shortDescription"]["text"], 1024)
        text(rule["fullDescription"]["text"], 1024)
        text(rule["help"]["text"])
        rule_ids.append(rule["id"])
    assert len(set(rule_ids)) == len(rule_ids)
    assert isinstance(run["results"], list)
    for result in run["results"]:
        text(result["message"]["text"])
        text(result["ruleId"])
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert 1 <= len(result["locations"]) <= 10
        physical = result["locations"][0]["physicalLocation"]
        text(physical["artifactLocation"]["uri"])
        region = physical["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            assert isinstance(region[key], int) and region[key] >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        text(result["partialFingerprints"]["primaryLocationLineHash"])


def test_document_is_schema_valid_and_github_ready(tmp_path: Path, validator: Draft202012Validator) -> None:
    root = tmp_path / "repo"
    findings = [
        make(root / "pkg" / "agent.py", 3, fix=FixInfo("safe", "Use `await asyncio.sleep(...)`")),
        make(root / "pkg" / "agent.py", 9, "APL998", column=1, fix=FixInfo("unsafe", "Guess")),
        make(root / "has space.py", 1),
        make(tmp_path / "outside.py", 2),
        make(root / "broken.py", 1, "APL001", name="syntax-error", message="cannot parse", url="https://x.invalid/a"),
    ]
    log = log_for(findings, root)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, [error.message for error in errors]
    assert_github_ready(log)


def test_empty_run_is_valid(tmp_path: Path, validator: Draft202012Validator) -> None:
    log = log_for([], tmp_path)
    assert not list(validator.iter_errors(log))
    assert_github_ready(log)
    assert log["runs"][0]["results"] == []


def test_validator_rejects_a_broken_document(validator: Draft202012Validator, tmp_path: Path) -> None:
    log = log_for([make(tmp_path / "a.py", 1)], tmp_path)
    del log["runs"][0]["tool"]["driver"]["name"]
    log["runs"][0]["results"][0]["level"] = "fatal"
    messages = {error.message for error in validator.iter_errors(log)}
    assert "'name' is a required property" in messages
    assert any("fatal" in message for message in messages)


def test_driver_and_rule_metadata_come_from_the_rule_classes(tmp_path: Path) -> None:
    driver = log_for([], tmp_path)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "agentperf-lint"
    assert driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"].startswith("https://")
    sleepy = driver["rules"][1]
    assert sleepy["id"] == "APL999"
    assert sleepy["name"] == "sleepy-rule"
    assert sleepy["shortDescription"]["text"] == SleepyRule.summary()
    assert sleepy["fullDescription"]["text"] == (
        "Reports `time.sleep()` inside `async def`. It blocks. The event loop stops."
    )
    assert sleepy["help"] == {"text": explain(SleepyRule), "markdown": explain(SleepyRule)}
    assert sleepy["helpUri"] == SleepyRule.url()
    assert sleepy["defaultConfiguration"] == {"level": "warning"}
    assert sleepy["properties"]["tags"] == ["performance", "async"]
    assert sleepy["properties"]["precision"] in ("very-high", "high", "medium", "low")


def test_results_point_at_relative_uris_under_srcroot(tmp_path: Path) -> None:
    finding = make(tmp_path / "pkg" / "has space.py", 4, column=9, end_line=5, end_column=2)
    run = log_for([finding], tmp_path)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    result = run["results"][0]
    assert result["ruleId"] == "APL999"
    assert result["ruleIndex"] == 1
    assert result["level"] == "warning"
    assert result["message"] == {"text": "`time.sleep` blocks the event loop"}
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pkg/has%20space.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 9, "endLine": 5, "endColumn": 2},
    }


def test_relative_finding_paths_resolve_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    run = log_for([make(Path("sub/a.py"), 1)], tmp_path)["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/a.py"


def test_paths_outside_root_stay_absolute_file_uris(tmp_path: Path) -> None:
    outside = tmp_path / "other" / "x.py"
    run = log_for([make(outside, 1)], tmp_path / "repo")["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}


def test_fix_title_and_safety_ride_in_result_properties(tmp_path: Path) -> None:
    fixed = make(tmp_path / "a.py", 1, fix=FixInfo("unsafe", "Run in a thread"))
    result = log_for([fixed, make(tmp_path / "a.py", 2)], tmp_path)["runs"][0]["results"]
    assert result[0]["properties"] == {"fix": {"applicability": "unsafe", "title": "Run in a thread"}}
    assert "properties" not in result[1]


def test_codes_without_a_rule_class_get_a_descriptor(tmp_path: Path) -> None:
    engine = make(tmp_path / "a.py", 1, "APL001", name="syntax-error", url="https://x.invalid/apl001")
    driver = log_for([engine], tmp_path)["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == ["APL998", "APL999", "APL001"]
    assert driver["rules"][2]["shortDescription"]["text"] == "Syntax error."
    assert driver["rules"][2]["helpUri"] == "https://x.invalid/apl001"


# -- fingerprints ---------------------------------------------------------------------------

BEFORE = ["import time", "async def f():", "    time.sleep(1)", "    time.sleep(1)", "    time.sleep(2)"]
AFTER = ["import time", "", "# a comment added above", *BEFORE[1:]]


def hashes(root: Path, lines: list[str], numbers: list[int], code: str = "APL999") -> list[str]:
    path = root / "a.py"
    findings = [make(path, number, code) for number in numbers]
    results = log_for(findings, root, {str(path): lines})["runs"][0]["results"]
    return [result["partialFingerprints"]["primaryLocationLineHash"] for result in results]


def test_fingerprints_survive_lines_inserted_above(tmp_path: Path) -> None:
    before = hashes(tmp_path, BEFORE, [3, 4, 5])
    after = hashes(tmp_path, AFTER, [5, 6, 7])
    assert before == after


def test_fingerprints_tell_identical_lines_and_other_codes_apart(tmp_path: Path) -> None:
    first, second, other_line = hashes(tmp_path, BEFORE, [3, 4, 5])
    assert len({first, second, other_line}) == 3
    assert first.split(":")[0] == second.split(":")[0]  # same text, told apart by occurrence
    assert (first.split(":")[1], second.split(":")[1]) == ("1", "2")
    assert hashes(tmp_path, BEFORE, [3], code="APL998") != [first]


def test_fingerprints_without_source_fall_back_to_the_message(tmp_path: Path) -> None:
    findings = [make(tmp_path / "a.py", 3), make(tmp_path / "a.py", 30)]
    results = log_for(findings, tmp_path)["runs"][0]["results"]
    prints = [result["partialFingerprints"]["primaryLocationLineHash"] for result in results]
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    assert prints[0] != prints[1]
