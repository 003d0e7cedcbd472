"""Findings as every output format and the result cache see them: plain, positioned data.

Positions are 1-based lines and columns; ``end_column`` is the column just past the last
character (ruff's convention), so ``column == end_column`` never happens for a real range.
In a Jupyter notebook the position is inside a cell: ``cell`` is the cell's 1-based index
among all the notebook's cells, and ``line`` counts from the cell's first line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import total_ordering
from typing import Any


@dataclass(frozen=True)
class FixInfo:
    applicability: str  # "safe" | "unsafe"
    title: str


@total_ordering
@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    end_line: int = field(compare=False)
    end_column: int = field(compare=False)
    name: str = field(compare=False)
    message: str = field(compare=False)
    url: str = field(compare=False, default="")
    fix: FixInfo | None = field(compare=False, default=None)
    cell: int | None = None  # notebooks: the 1-based cell the position is in

    def __lt__(self, other: Finding) -> bool:
        """Path, then cell, line, column and code: a notebook's findings in reading order."""
        return self._order() < other._order()

    def _order(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    @property
    def location(self) -> str:
        """Where the position counts from: the path, or ``path:cell N`` in a notebook (the
        prefix text output shows, and the name ``read_lines`` callbacks are asked for)."""
        return self.path if self.cell is None else f"{self.path}:cell {self.cell}"

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape (see docs/output-formats.md)."""
        data = asdict(self)
        data["fix"] = None if self.fix is None else {"applicability": self.fix.applicability, "title": self.fix.title}
        return {key: data[key] for key in JSON_KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fix = data.get("fix")
        return cls(
            path=data["path"], line=data["line"], column=data["column"], code=data["code"],
            end_line=data["end_line"], end_column=data["end_column"], name=data["name"],
            message=data["message"], url=data.get("url", ""),
            fix=None if fix is None else FixInfo(fix["applicability"], fix["title"]),
            cell=data.get("cell"),
        )


JSON_KEYS = ("path", "line", "column", "end_line", "end_column", "code", "name", "message", "url", "fix", "cell")


@dataclass(frozen=True)
class InternalError:
    """A crash inside the tool (a rule raising on a file): exit code 2, other files go on."""

    path: str
    message: str


@dataclass
class FileResult:
    """Everything linting one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    summaries: dict[str, Any] = field(default_factory=dict)  # per-project-rule file summaries
    fixed: int = 0  # fixes applied (fix mode)
    new_source: bytes | None = None  # fix/diff mode: the rewritten file, if it changed
