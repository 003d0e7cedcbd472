"""Rule documentation rendered from the rule classes: --explain, --list-rules, docs/rules.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentperf_lint import ruledocs
from agentperf_lint.registry import all_rules
from agentperf_lint.rule import FixAvailability, Invalid, Option, Rule, Valid
from agentperf_lint.ruledocs import (
    TABLE_END,
    TABLE_START,
    explain,
    list_rules,
    rules_page,
    rules_table_markdown,
    stale_docs,
    write_docs,
)

REPO = Path(__file__).resolve().parent.parent


class SleepyRule(Rule):
    """
    ## What it does
    Reports `time.sleep()` inside `async def`. It blocks.

    ## Why is this bad?
    The event loop stops.

    ## Example
    ```python
    async def f():
        time.sleep(1)
    ```

    ## Use instead
    ```python
    async def f():
        await asyncio.sleep(1)
    ```

    ## Fix safety
    Safe: same delay.

    ## Options
    Extra calls count too.

    ## References
    - [asyncio](https://docs.python.org/3/library/asyncio.html)
    """

    code = "APL999"
    name = "sleepy-rule"
    message = "`{call}` blocks"
    fix_availability = FixAvailability.ALWAYS
    options_table = "blocking"
    options = (
        Option("extra-calls", dict, {"mydb.query": "mydb.aquery"}, "More blocking calls | their async twins."),
        Option("strict", (bool, int), False, "Also report in sync code."),
    )
    VALID = (Valid("async def f():\n    await asyncio.sleep(1)\n"),)
    INVALID = (
        Invalid(
            "async def f():\n    time.sleep(1)\n",
            line=2,
            column=5,
            fixed="async def f():\n    await asyncio.sleep(1)\n",
        ),
    )


class PlainRule(Rule):
    """
    ## What it does
    Reports nothing | much.

    ## Why is this bad?
    It is not.

    ## Example
    ```python
    x = 1
    ```

    ## Use instead
    ```python
    x = 2
    ```

    ## Fix safety
    There is no fix.

    ## Options
    None.
    """

    code = "APL998"
    name = "plain-rule"
    message = "plain"
    default_enabled = False
    VALID = (Valid("x = 2\n"),)
    INVALID = (Invalid("x = 1\n", line=1, column=1),)


RULES = (PlainRule, SleepyRule)


def test_explain_renders_every_section_in_ruff_order() -> None:
    page = explain(SleepyRule)
    assert page.startswith("# sleepy-rule (APL999)\n\nFix is always available.\n\n## What it does\n")
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
        "## Options",
        "## References",
        "## Checked examples",
    ]
    assert "async def f():\n    time.sleep(1)" in page  # the docstring is dedented


def test_explain_options_table_from_the_rule_options() -> None:
    page = explain(SleepyRule)
    options = page.split("## Options\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert options.splitlines() == [
        "Extra calls count too.",
        "",
        "Set in `[tool.agentperf-lint.blocking]`:",
        "",
        "| Option | Type | Default | Description |",
        "| --- | --- | --- | --- |",
        '| `extra-calls` | `dict` | `{"mydb.query" = "mydb.aquery"}` | More blocking calls \\| their async twins. |',
        "| `strict` | `bool | int` | `false` | Also report in sync code. |",
    ]


def test_explain_checked_examples_come_from_valid_and_invalid() -> None:
    examples = explain(SleepyRule).split("## Checked examples\n\n", 1)[1]
    assert examples == (
        "Reported at line 2, column 5:\n\n```python\nasync def f():\n    time.sleep(1)\n```\n\n"
        "After the fix:\n\n```python\nasync def f():\n    await asyncio.sleep(1)\n```\n\n"
        "Not reported:\n\n```python\nasync def f():\n    await asyncio.sleep(1)\n```\n"
    )


def test_explain_states_missing_fix_and_opt_in() -> None:
    page = explain(PlainRule)
    assert "Fix is not available." in page
    assert 'opt-in: enable it with `extend-select = ["APL998"]`' in page
    assert "After the fix" not in page
    assert "## Known problems" not in page


def test_explain_heading_level_for_the_docs_page() -> None:
    page = explain(SleepyRule, level=2)
    assert page.startswith("## sleepy-rule (APL999)")
    assert "\n### What it does\n" in page


def test_list_rules_text_is_aligned() -> None:
    assert list_rules(RULES).splitlines() == [
        "APL998  plain-rule        Reports nothing | much. (opt-in)",
        "APL999  sleepy-rule  [*]  Reports `time.sleep()` inside `async def`.",
    ]


def test_list_rules_json_keys() -> None:
    data = json.loads(list_rules(RULES, fmt="json"))
    assert [item["code"] for item in data] == ["APL998", "APL999"]
    assert set(data[1]) == {"code", "name", "summary", "fix", "default_enabled", "url", "explanation"}
    assert data[1]["fix"] == "always"
    assert data[0]["fix"] == "never"
    assert data[0]["default_enabled"] is False
    assert data[1]["url"] == SleepyRule.url()
    assert data[1]["explanation"] == explain(SleepyRule)
    with pytest.raises(ValueError):
        list_rules(RULES, fmt="yaml")


def test_rules_table_markdown() -> None:
    assert rules_table_markdown(RULES).splitlines() == [
        "| Code | Name | Summary | Fix |",
        "| --- | --- | --- | --- |",
        "| [APL998](docs/rules.md#apl998) | `plain-rule` (opt-in) | Reports nothing \\| much. |  |",
        "| [APL999](docs/rules.md#apl999) | `sleepy-rule` | Reports `time.sleep()` inside `async def`. | yes |",
    ]


def test_rules_page_has_the_anchor_rule_url_points_to() -> None:
    page = rules_page(RULES)
    anchor = SleepyRule.url().rsplit("#", 1)[1]
    assert f'<a id="{anchor}"></a>\n\n## sleepy-rule (APL999)' in page
    assert f"[APL999](#{anchor})" in page


def _project(tmp_path: Path, readme: str) -> Path:
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    return tmp_path


def test_write_docs_updates_between_markers_and_is_idempotent(tmp_path: Path) -> None:
    root = _project(tmp_path, f"# Demo\n\n{TABLE_START}\nold table\n{TABLE_END}\n\nAfter.\n")
    assert stale_docs(root, RULES) == [root / "docs" / "rules.md", root / "README.md"]
    assert write_docs(root, RULES) == [root / "docs" / "rules.md", root / "README.md"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme == f"# Demo\n\n{TABLE_START}\n{rules_table_markdown(RULES)}{TABLE_END}\n\nAfter.\n"
    assert (root / "docs" / "rules.md").read_text(encoding="utf-8") == rules_page(RULES)
    assert write_docs(root, RULES) == []
    assert stale_docs(root, RULES) == []
    assert stale_docs(root, (SleepyRule,)) == [root / "docs" / "rules.md", root / "README.md"]


def test_write_docs_leaves_a_readme_without_markers_alone(tmp_path: Path) -> None:
    root = _project(tmp_path, "# Demo\n")
    assert write_docs(root, RULES) == [root / "docs" / "rules.md"]
    assert (root / "README.md").read_text(encoding="utf-8") == "# Demo\n"


def test_main_check_exits_1_when_stale_and_0_after_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, f"{TABLE_START}\n{TABLE_END}\n")
    assert ruledocs.main(["--check", "--root", str(root)]) == 1
    assert "stale:" in capsys.readouterr().err
    assert ruledocs.main(["--root", str(root)]) == 0
    assert ruledocs.main(["--check", "--root", str(root)]) == 0


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "agentperf_lint.ruledocs", "--check", "--root", str(tmp_path)]
    assert subprocess.run(command, capture_output=True, cwd=REPO, check=False).returncode == 1


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_registered_rule_renders(rule: type[Rule]) -> None:
    page = explain(rule)
    assert page.startswith(f"# {rule.name} ({rule.code})\n")
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert f"\n## {section}\n" in page
    # whether every rule has examples is the rule meta-test's business; here: shown when present
    assert ("\n## Checked examples\n" in page) == bool(rule.VALID or rule.INVALID)
    assert rule.summary()


def test_repository_docs_are_fresh() -> None:
    if not (REPO / "docs" / "rules.md").exists():
        pytest.skip("docs/rules.md not generated yet: run `python -m agentperf_lint.ruledocs`")
    stale = stale_docs(REPO)
    assert not stale, f"regenerate with `python -m agentperf_lint.ruledocs`: {stale}"
