"""The result cache: content-keyed hits, key changes, corruption, layout, pruning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentperf_lint.cache import CACHE_DIR_NAME, ResultCache, clear_cache
from agentperf_lint.finding import FileResult, Finding, FixInfo, InternalError

DAY = 86_400.0
NOW = 20_000 * DAY


def finding(path: str, line: int = 3, fix: bool = True) -> Finding:
    return Finding(
        path=path, line=line, column=5, code="APL101", end_line=line, end_column=18,
        name="blocking-sleep", message="time.sleep in async def", url="https://example.invalid",
        fix=FixInfo("safe", "Use asyncio.sleep") if fix else None,
    )  # fmt: skip


def result(path: str = "src/app.py") -> FileResult:
    return FileResult(path, findings=[finding(path), finding(path, 9, fix=False)], summaries={"calls": ["a.b"]})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_bytes(b"import time\n")
    return tmp_path


def cache(project: Path, key: str = "k1", now: float = NOW) -> ResultCache:
    return ResultCache(project, key, now=lambda: now)


def store(project: Path, content: bytes = b"import time\n", key: str = "k1") -> None:
    first = cache(project, key)
    assert first.get(project / "src/app.py", content) is None
    first.put(project / "src/app.py", content, result())
    first.save()


def test_hit_returns_the_same_result(project: Path) -> None:
    store(project)
    hit = cache(project).get(project / "src/app.py", b"import time\n")
    assert hit == result()


def test_hit_is_relabelled_with_the_current_display_path(project: Path) -> None:
    store(project)
    hit = cache(project).get(project / "src/app.py", b"import time\n", display="app.py")
    assert hit is not None and hit.path == "app.py"
    assert [f.path for f in hit.findings] == ["app.py", "app.py"]


def test_miss_when_content_changes(project: Path) -> None:
    store(project)
    assert cache(project).get(project / "src/app.py", b"import time  \n") is None


def test_miss_when_key_changes(project: Path) -> None:
    store(project, key="settings-a")
    assert cache(project, key="settings-b").get(project / "src/app.py", b"import time\n") is None
    assert cache(project, key="settings-a").get(project / "src/app.py", b"import time\n") is not None


def test_layout_gitignore_and_cachedir_tag(project: Path) -> None:
    store(project)
    directory = project / CACHE_DIR_NAME
    assert (directory / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (directory / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    results = sorted(directory.glob("results-*.json"))
    assert len(results) == 1  # one file per key, so a warm run reads one file
    assert not list(directory.glob("*.tmp"))


@pytest.mark.parametrize("garbage", [b"{not json", b"[]", b'{"format": 1, "key": 3}', b"\xff\xfe", b""])
def test_corrupt_file_reads_as_empty(project: Path, garbage: bytes) -> None:
    store(project)
    (target,) = (project / CACHE_DIR_NAME).glob("results-*.json")
    target.write_bytes(garbage)
    again = cache(project)
    assert again.get(project / "src/app.py", b"import time\n") is None
    again.put(project / "src/app.py", b"import time\n", result())
    again.save()
    assert cache(project).get(project / "src/app.py", b"import time\n") == result()


def test_damaged_entry_is_a_miss(project: Path) -> None:
    store(project)
    (target,) = (project / CACHE_DIR_NAME).glob("results-*.json")
    data = json.loads(target.read_text())
    data["entries"]["src/app.py"]["result"]["findings"] = [{"line": 1}]
    target.write_text(json.dumps(data))
    assert cache(project).get(project / "src/app.py", b"import time\n") is None


def test_results_with_errors_fixes_or_odd_summaries_are_not_stored(project: Path) -> None:
    path, content = project / "src/app.py", b"import time\n"
    first = cache(project)
    first.put(path, content, FileResult("src/app.py", errors=[InternalError("src/app.py", "boom")]))
    first.put(path, content, FileResult("src/app.py", fixed=1, new_source=b"x"))
    first.put(path, content, FileResult("src/app.py", summaries={"odd": object()}))
    first.save()
    assert cache(project).get(path, content) is None
    assert not (project / CACHE_DIR_NAME).exists()  # nothing to write, nothing written


def test_unwritable_cache_directory_is_a_silent_no_op(project: Path) -> None:
    (project / CACHE_DIR_NAME).write_text("a file where the directory should be")
    broken = cache(project)
    broken.put(project / "src/app.py", b"import time\n", result())
    broken.save()  # no exception
    assert cache(project).get(project / "src/app.py", b"import time\n") is None


def test_disabled_cache_does_nothing(project: Path) -> None:
    off = ResultCache(project, "k1", enabled=False)
    off.put(project / "src/app.py", b"import time\n", result())
    off.save()
    assert off.get(project / "src/app.py", b"import time\n") is None
    assert not (project / CACHE_DIR_NAME).exists()


def test_partial_runs_keep_other_entries_and_old_or_deleted_ones_go(project: Path) -> None:
    (project / "src/other.py").write_bytes(b"x = 1\n")
    (project / "src/gone.py").write_bytes(b"y = 2\n")
    full = cache(project)
    for name in ("app.py", "other.py", "gone.py"):
        full.put(project / "src" / name, (project / "src" / name).read_bytes(), result(f"src/{name}"))
    full.save()
    (project / "src/gone.py").unlink()
    partial = cache(project, now=NOW + DAY)  # a pre-commit run over one file
    partial.put(project / "src/app.py", b"import time\n", result())
    partial.save()
    later = cache(project, now=NOW + DAY)
    assert later.get(project / "src/other.py", b"x = 1\n") is not None
    assert later.get(project / "src/gone.py", b"y = 2\n") is None
    much_later = cache(project, now=NOW + 40 * DAY)
    much_later.put(project / "src/app.py", b"import time\n", result())
    much_later.save()
    assert cache(project, now=NOW + 40 * DAY).get(project / "src/other.py", b"x = 1\n") is None


def test_warm_run_without_changes_writes_nothing(project: Path) -> None:
    store(project)
    (target,) = (project / CACHE_DIR_NAME).glob("results-*.json")
    os.utime(target, (1, 1))
    warm = cache(project)
    assert warm.get(project / "src/app.py", b"import time\n") is not None
    warm.save()
    assert target.stat().st_mtime == 1


def test_clear_cache(project: Path) -> None:
    store(project)
    clear_cache(project)
    assert not (project / CACHE_DIR_NAME).exists()
    clear_cache(project)  # twice is fine


def test_importing_cache_does_not_import_libcst(project: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom agentperf_lint.cache import ResultCache\n"
        f"ResultCache(Path({str(project)!r}), 'k').get(Path({str(project / 'src/app.py')!r}), b'')\n"
        "assert 'libcst' not in sys.modules, 'libcst imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
