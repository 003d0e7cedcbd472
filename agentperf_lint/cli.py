"""The ``agentperf-lint`` command: flags and exit codes as ruff and flake8 users expect.

Exit codes: 0 clean, 1 findings left after selection and suppression (or a diff with
``--diff``), 2 usage, configuration or internal error. ``--exit-zero`` turns 1 into 0, never 2.
Bad input is one line on stderr, never a traceback; an internal crash names the rule and file.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import sys
import tokenize
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .collector import fewer_collections
from .config import ConfigError, Settings, find_config, load_settings
from .runner import RunOptions, RunResult, Source, run

if TYPE_CHECKING:
    from .finding import FileResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "full", "json", "sarif", "github")


class UsageError(Exception):
    """A command-line mistake; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="agentperf-lint",
        description="Find blocking calls in async code, N+1 loops and re-created clients.",
    )
    parser.add_argument("paths", nargs="*", help="files or directories to lint (default: .); - reads stdin")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", type=_csv, metavar="CODES", help="comma-separated codes, prefixes or names (replaces config)")
    rules.add_argument("--extend-select", type=_csv, metavar="CODES", help="also enable these")
    rules.add_argument("--ignore", type=_csv, metavar="CODES", help="disable these")
    rules.add_argument("--ignore-noqa", action="store_true", help="report findings suppressed by # noqa")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action=argparse.BooleanOptionalAction, default=None, help="apply safe fixes")
    fixes.add_argument("--unsafe-fixes", action=argparse.BooleanOptionalAction, default=None,
                       help="also apply (with --fix) or show (with --diff) unsafe fixes")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    fixes.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when --fix changed a file")
    fixes.add_argument("--add-noqa", action="store_true",
                       help="add `# noqa: CODES` to every line with a finding (adopting on an existing codebase)")
    out = parser.add_argument_group("output")
    out.add_argument("--output-format", "--format", dest="output_format", choices=FORMATS, help="default: text")
    out.add_argument("-o", "--output-file", metavar="FILE", help="write the report here instead of stdout")
    out.add_argument("--statistics", action="store_true", help="count findings per rule")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    out.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    info = parser.add_argument_group("information")
    info.add_argument("--explain", metavar="CODE", help="show a rule's documentation and exit")
    info.add_argument("--list-rules", nargs="?", const="text", choices=("text", "json"), help="list every rule and exit")
    info.add_argument("--show-files", action="store_true", help="list the files that would be linted and exit")
    info.add_argument("--show-settings", action="store_true", help="print the effective settings and exit")
    info.add_argument("--version", action="version", version=f"agentperf-lint {__version__}")
    conf = parser.add_argument_group("configuration")
    conf.add_argument("--config", metavar="FILE", help="use this pyproject.toml (or agentperf-lint.toml)")
    conf.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    conf.add_argument("--exclude", type=_csv, metavar="PATTERNS", help="replace the exclude list")
    conf.add_argument("--extend-exclude", type=_csv, metavar="PATTERNS", help="add to the exclude list")
    conf.add_argument("--force-exclude", action=argparse.BooleanOptionalAction, default=None,
                      help="apply exclusions to files named on the command line too (pre-commit)")
    conf.add_argument("--respect-gitignore", action=argparse.BooleanOptionalAction, default=None)
    conf.add_argument("--stdin-filename", metavar="NAME", help="the name of the file read from stdin")
    perf = parser.add_argument_group("performance")
    perf.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help="worker processes (default: CPU count)")
    perf.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    return parser


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["server"]:
            return _main(args)
        with fewer_collections():  # a batch run: see collector.py
            return _main(args)
    except (UsageError, ConfigError) as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as error:  # the please-report path: a bug in agentperf-lint itself
        import traceback

        traceback.print_exc()
        _error(f"internal error: {type(error).__name__}: {error} (please report this with the traceback above)")
        return EXIT_ERROR


def _main(argv: list[str]) -> int:
    if argv[:1] == ["server"]:  # the language server (ruff's spelling); ./server lints a directory
        from .lsp import main as server_main

        return server_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.explain:
        return _explain(args.explain)
    if args.list_rules:
        from .registry import all_rules
        from .ruledocs import list_rules

        print(list_rules(all_rules(), args.list_rules))
        return EXIT_CLEAN
    settings = _settings(args)
    if args.show_settings:
        for key, value in sorted(vars(settings).items()):
            print(f"{key} = {value!r}")
        return EXIT_CLEAN
    sources = _sources(args, settings)
    if args.show_files:
        for source in sources:
            print(source.path)
        return EXIT_CLEAN
    _check_selectors(settings)
    unsafe = bool(settings.unsafe_fixes)
    options = RunOptions(
        fix=bool(settings.fix) and not args.diff,
        unsafe_fixes=unsafe,
        diff=args.diff,
        jobs=args.jobs if args.jobs is not None else (os.cpu_count() or 1),
        use_cache=not args.no_cache,
        ignore_noqa=args.ignore_noqa,
    )
    if options.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.add_noqa:
        return _add_noqa(args, settings, options, sources)
    outcome = run(sources, settings, options)
    return _report(args, settings, options, sources, outcome)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("select", "extend_select", "ignore", "exclude", "extend_exclude", "output_format"):
        value = getattr(args, name)
        if value is not None:
            overrides[name] = value
    for name in ("fix", "unsafe_fixes", "force_exclude", "respect_gitignore"):
        value = getattr(args, name)
        if value is not None:
            overrides[name] = value
    if args.config:
        config_path: Path | None = Path(args.config)
    elif args.isolated:
        config_path = None
    else:
        anchor = _config_anchor(args)
        config_path = find_config(anchor)
    return load_settings(config_path, isolated=args.isolated, overrides=overrides)


def _config_anchor(args: argparse.Namespace) -> Path:
    if args.stdin_filename:
        return Path(args.stdin_filename).absolute().parent
    first = next((p for p in args.paths if p != "-"), None)
    if first is None:
        return Path.cwd()
    path = Path(first).absolute()
    return path if path.is_dir() else path.parent


def _sources(args: argparse.Namespace, settings: Settings) -> list[Source]:
    from .discovery import DiscoveryError, discover, is_excluded

    paths = args.paths or ["."]
    sources: list[Source] = []
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("- (stdin) cannot be combined with other paths")
        name = args.stdin_filename or "-"
        if args.stdin_filename and settings.force_exclude and is_excluded(Path(name).absolute(), settings):
            return []
        return [Source(name, sys.stdin.buffer.read(), Path(name).absolute() if args.stdin_filename else None)]
    warnings: list[str] = []
    try:
        files = discover(paths, settings, warnings=warnings)
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    for warning in warnings:
        _error(warning, level="warning")
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise UsageError(f"{_display(file)}: cannot read: {error.strerror or error}") from None
        sources.append(Source(_display(file), data, file))
    return sources


def _display(path: Path) -> str:
    """Relative to the working directory when inside it (as ruff and flake8 print), else as
    given or absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path.absolute()) if relative.startswith(os.pardir + os.sep) else relative


def _check_selectors(settings: Settings) -> None:
    """Unknown codes are an error even on a warm cache (where no rule is imported otherwise)."""
    from .registry import SelectorError, check_selectors

    selectors = [*(settings.select or ()), *settings.extend_select, *settings.ignore]
    selectors += [s for _, group in settings.per_file_ignores for s in group]
    if not selectors:
        return
    try:
        check_selectors(selectors)
    except SelectorError as error:
        raise ConfigError(str(error)) from None


def _explain(code: str) -> int:
    from .registry import rule_by_code, rule_by_name
    from .ruledocs import explain

    rule = rule_by_code().get(code.upper()) or rule_by_name().get(code)
    if rule is None:
        raise UsageError(f"unknown rule {code!r}; see --list-rules")
    print(explain(rule))
    return EXIT_CLEAN


def _report(args: argparse.Namespace, settings: Settings, options: RunOptions,
            sources: Sequence[Source], outcome: RunResult) -> int:
    from .output import TEXT_FORMATS, count_fixable, render, summary_line

    fmt = settings.output_format
    stdin_mode = args.paths == ["-"]
    changed = [result for result in outcome.results if result.new_source is not None]
    status = EXIT_CLEAN
    if options.diff:
        text = _diffs(sources, changed)
        if text:
            sys.stdout.write(text)
            status = EXIT_FINDINGS
    elif options.fix:
        if stdin_mode and sources:
            result = outcome.results[0]
            sys.stdout.buffer.write(result.new_source if result.new_source is not None else sources[0].data)
            sys.stdout.flush()
        else:
            _write_fixed(sources, changed)
    findings = outcome.findings
    rules = outcome.rules
    if rules is None and fmt == "sarif" and not args.statistics:
        from .registry import select

        rules = select(settings.select, settings.extend_select, settings.ignore)
    sources_by_path = {source.path: source for source in sources}
    if args.statistics:
        from .output.statistics import render_statistics

        report = render_statistics(findings)
    else:
        report = render(
            fmt, findings, rules=rules or [], root=settings.project_root, color=_use_color(args),
            read_lines=lambda where: _lines_at(sources_by_path, where), tool_version=__version__,
        )
    to_stderr = options.fix and stdin_mode
    if not options.diff:
        _emit(report, args.output_file, sys.stderr if to_stderr else sys.stdout)
    for error in outcome.errors:
        _error(f"{error.path}: {error.message}")
    applied = sum(result.fixed for result in outcome.results)
    if (fmt in TEXT_FORMATS or args.statistics) and not args.quiet and not options.diff:
        safe, unsafe = count_fixable(findings)
        print(summary_line(len(findings), safe, unsafe, applied), file=sys.stderr)
    if findings and not options.diff:
        status = EXIT_FINDINGS
    if options.fix and args.exit_non_zero_on_fix and applied:
        status = EXIT_FINDINGS
    if status == EXIT_FINDINGS and args.exit_zero:
        status = EXIT_CLEAN
    if outcome.errors:
        status = EXIT_ERROR
    return status


def _add_noqa(args: argparse.Namespace, settings: Settings, options: RunOptions, sources: Sequence[Source]) -> int:
    """Write the directives and say how many lines in how many files got one; exit 0."""
    if args.paths == ["-"] or args.diff or options.fix or args.ignore_noqa:
        raise UsageError("--add-noqa cannot be combined with stdin, --fix, --diff or --ignore-noqa")
    from .add_noqa import add_noqa

    edits, errors = add_noqa(sources, settings, options)
    for edit in edits:
        if edit.source.real_path is not None:
            try:
                write_atomically(edit.source.real_path, edit.data)
            except OSError as error:
                raise UsageError(f"{edit.source.path}: cannot write: {error.strerror or error}") from None
    if not args.quiet:
        lines = sum(edit.lines for edit in edits)
        print(f"Added a noqa directive to {_count(lines, 'line')} in {_count(len(edits), 'file')}.", file=sys.stderr)
    for error in errors:
        _error(f"{error.path}: {error.message}")
    return EXIT_ERROR if errors else EXIT_CLEAN


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _diffs(sources: Sequence[Source], changed: Sequence[FileResult]) -> str:
    by_path = {source.path: source for source in sources}
    chunks = []
    for result in changed:
        if result.path.endswith(".ipynb"):
            from .notebook import cell_diff

            chunks.extend(cell_diff(result.path, by_path[result.path].data, result.new_source or b""))
            continue
        before = _decode(by_path[result.path].data)
        after = _decode(result.new_source or b"")
        chunks.extend(difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=f"a/{result.path}", tofile=f"b/{result.path}",
        ))
    return "".join(chunks)


def _write_fixed(sources: Sequence[Source], changed: Sequence[FileResult]) -> None:
    by_path = {source.path: source for source in sources}
    for result in changed:
        source = by_path[result.path]
        if source.real_path is None or result.new_source is None:
            continue
        try:
            write_atomically(source.real_path, result.new_source)
        except OSError as error:
            raise UsageError(f"{source.path}: cannot write fixes: {error.strerror or error}") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory and rename, keeping the mode."""
    import tempfile

    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _decode(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data.decode("utf-8", errors="replace")


def _lines(source: Source | None) -> list[str]:
    return [] if source is None else _decode(source.data).splitlines()


def _lines_at(sources: dict[str, Source], where: str) -> list[str]:
    """The lines of a file, or of a notebook cell (``path:cell N``)."""
    if where in sources:
        return _lines(sources[where])
    path, _, cell = where.rpartition(":cell ")
    if path in sources and cell.isdigit():
        from .notebook import cell_lines

        return cell_lines(sources[path].data, int(cell))
    return []


def _use_color(args: argparse.Namespace) -> bool:
    if args.color == "always":
        return True
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return args.output_file is None and sys.stdout.isatty()


def _emit(text: str, output_file: str | None, stream: TextIO) -> None:
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{output_file}: cannot write: {error.strerror or error}") from None
    elif text:
        stream.write(text)
        stream.flush()


def _error(message: str, level: str = "error") -> None:
    print(f"agentperf-lint: {level}: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
