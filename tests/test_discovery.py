"""File discovery: gitignore semantics, excludes, explicit paths, symlinks, errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentperf_lint.config import Settings
from agentperf_lint.discovery import DiscoveryError, discover, is_excluded


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def found(paths: list[str], settings: Settings, warnings: list[str] | None = None) -> list[str]:
    return [path.as_posix() for path in discover(paths, settings, warnings=warnings)]


def test_python_files_sorted_and_default_excludes(tree: Path) -> None:
    touch(tree, "b.py", "a.pyi", "pkg/mod.py", "notes.txt", "script", ".github/hook.py")
    touch(tree, ".venv/lib/x.py", "build/gen.py", "pkg/__pycache__/mod.py", "node_modules/n.py")
    touch(tree, "lib/site-packages/dep.py", ".git/hooks/h.py", "dist/d.py", ".agentperf_lint_cache/c.py")
    assert found(["."], Settings(project_root=tree)) == [".github/hook.py", "a.pyi", "b.py", "pkg/mod.py"]


def test_paths_keep_the_users_spelling(tree: Path) -> None:
    touch(tree, "src/pkg/mod.py")
    assert found(["src"], Settings(project_root=tree)) == ["src/pkg/mod.py"]
    assert found([str(tree / "src")], Settings(project_root=tree)) == [(tree / "src/pkg/mod.py").as_posix()]


def test_nested_gitignores_apply_to_their_own_subtree(tree: Path) -> None:
    (tree / ".git").mkdir()
    write(tree / ".gitignore", "generated/\n*_pb2.py\n")
    write(tree / "sub/.gitignore", "local.py\n!keep_pb2.py\n")
    touch(tree, "app.py", "local.py", "x_pb2.py", "generated/g.py", "sub/generated/g.py")
    touch(tree, "sub/local.py", "sub/keep_pb2.py", "sub/other_pb2.py", "sub/ok.py")
    expected = ["app.py", "local.py", "sub/keep_pb2.py", "sub/ok.py"]
    assert found(["."], Settings(project_root=tree)) == expected
    # walking a subdirectory still honours the .gitignore files above it
    assert found(["sub"], Settings(project_root=tree)) == ["sub/keep_pb2.py", "sub/ok.py"]


def test_git_info_exclude(tree: Path) -> None:
    write(tree / ".git/info/exclude", "# local only\nscratch/\n")
    touch(tree, "app.py", "scratch/try.py")
    assert found(["."], Settings(project_root=tree)) == ["app.py"]


def test_respect_gitignore_off(tree: Path) -> None:
    write(tree / ".gitignore", "ignored.py\n")
    write(tree / ".git/info/exclude", "scratch/\n")
    touch(tree, "ignored.py", "scratch/try.py")
    assert found(["."], Settings(project_root=tree, respect_gitignore=False)) == ["ignored.py", "scratch/try.py"]


def test_gitignore_without_a_repository_uses_the_project_root(tree: Path) -> None:
    write(tree / ".gitignore", "*_gen.py\n")
    touch(tree, "pkg/a_gen.py", "pkg/a.py")
    assert found(["pkg"], Settings(project_root=tree)) == ["pkg/a.py"]


def test_exclude_and_extend_exclude(tree: Path) -> None:
    touch(tree, "app.py", "examples/demo.py", "tests/fixtures/bad.py", "pkg/tests/fixtures/ok.py", "gen/x.py")
    settings = Settings(project_root=tree, extend_exclude=("examples", "tests/fixtures"))
    assert found(["."], settings) == ["app.py", "gen/x.py", "pkg/tests/fixtures/ok.py"]
    # `exclude` replaces the defaults, `extend-exclude` adds to them
    touch(tree, "build/b.py")
    replaced = Settings(project_root=tree, exclude=("gen",))
    assert "build/b.py" in found(["."], replaced) and "gen/x.py" not in found(["."], replaced)


def test_negated_exclude(tree: Path) -> None:
    touch(tree, "a_test.py", "keep_test.py", "b.py")
    settings = Settings(project_root=tree, exclude=("*_test.py", "!keep_test.py"))
    assert found(["."], settings) == ["b.py", "keep_test.py"]


def test_named_paths_win_unless_force_exclude(tree: Path) -> None:
    write(tree / ".gitignore", "ignored/\n")
    touch(tree, "examples/demo.py", "examples/sub/more.py", "build/gen.py", "ignored/x.py", "tool")
    settings = Settings(project_root=tree, extend_exclude=("examples",))
    assert found(["examples/demo.py", "build/gen.py", "tool"], settings) == ["build/gen.py", "examples/demo.py", "tool"]
    assert found(["examples"], settings) == ["examples/demo.py", "examples/sub/more.py"]
    assert found(["ignored"], settings) == ["ignored/x.py"]
    forced = Settings(project_root=tree, extend_exclude=("examples",), force_exclude=True)
    assert found(["examples/demo.py", "build/gen.py", "tool"], forced) == ["tool"]
    assert found(["examples"], forced) == []
    assert found(["examples/sub/more.py"], forced) == []  # an excluded parent counts too


def test_is_excluded_for_stdin_filename(tree: Path) -> None:
    settings = Settings(project_root=tree, extend_exclude=("examples", "tests/fixtures"))
    assert is_excluded(Path("examples/demo.py"), settings)
    assert is_excluded(tree / "tests/fixtures/deep/x.py", settings)
    assert is_excluded(Path(".venv/lib/x.py"), settings)
    assert not is_excluded(Path("pkg/tests/fixtures/x.py"), settings)
    assert not is_excluded(Path("app.py"), settings)


def test_each_file_once_through_overlaps_and_symlinks(tree: Path) -> None:
    touch(tree, "pkg/mod.py")
    os.symlink(tree / "pkg", tree / "pkg" / "loop")  # a directory loop
    os.symlink(tree / "pkg" / "mod.py", tree / "alias.py")
    files = found(["pkg", "pkg/mod.py", "alias.py", "."], Settings(project_root=tree))
    assert files == ["pkg/mod.py"]


def test_symlinked_directory_is_followed_once(tree: Path) -> None:
    touch(tree, "real/a.py")
    os.symlink(tree / "real", tree / "link")
    assert found(["link"], Settings(project_root=tree)) == ["link/a.py"]


def test_missing_path_is_an_error(tree: Path) -> None:
    touch(tree, "a.py")
    with pytest.raises(DiscoveryError) as caught:
        discover(["a.py", "nope/missing.py"], Settings(project_root=tree))
    assert str(caught.value) == "nope/missing.py: No such file or directory"


def test_unreadable_directory_is_a_warning(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tree, "a.py", "locked/b.py")
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    warnings: list[str] = []
    assert found(["."], Settings(project_root=tree), warnings) == ["a.py"]
    assert warnings == ["locked: Permission denied"]
