"""The ``sarif`` format: SARIF 2.1.0 as GitHub code scanning ingests it.

Choices that matter for code scanning (see docs/output-formats.md):

* URIs are relative to the project root with ``uriBaseId: "%SRCROOT%"``, so the same finding has
  the same location on every runner and checkout path (absolute URIs duplicate alerts when the
  checkout moves). Files outside the root keep absolute ``file://`` URIs.
* ``partialFingerprints.primaryLocationLineHash`` hashes the code, the path, the stripped text of
  the reported line and its occurrence index among identical lines, and not the line *number*:
  inserting code above a finding keeps its alert, while a second identical finding in the same
  file still gets its own.
* Rule metadata (descriptions, help, help URI) is generated from the rule classes, like
  ``--explain``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..finding import Finding
from ..rule import DOCS_URL, Rule
from ._paths import absolute, relative_to_root

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
TOOL_NAME = "agentperf-lint"
INFORMATION_URI = DOCS_URL.split("/blob/", 1)[0]
DESCRIPTION_LIMIT = 1024  # GitHub's limit for shortDescription and fullDescription
TAGS = ("performance", "async")


def _clip(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    from ..ruledocs import explain

    sections = rule.doc_sections()
    summary = rule.summary() or rule.name
    full = " ".join(sections.get(name, "") for name in ("What it does", "Why is this bad?")).strip()
    page = explain(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(full or summary)},
        "help": {"text": page, "markdown": page},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": list(TAGS),
            "precision": getattr(rule, "precision", "high"),
            "problem.severity": "warning",
        },
    }


def _unknown_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for a code that has no rule class (engine findings such as APL001)."""
    text = finding.name.replace("-", " ").capitalize() + "."
    descriptor: dict[str, Any] = {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": list(TAGS), "problem.severity": "warning"},
    }
    if finding.url:
        descriptor["helpUri"] = finding.url
    return descriptor


def artifact_location(path: str, root: Path) -> dict[str, str]:
    """``{uri, uriBaseId}`` relative to ``root``, or an absolute file URI outside it."""
    relative = relative_to_root(path, root)
    if relative is None:
        return {"uri": absolute(path).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _line_text(finding: Finding, lines: Sequence[str] | None) -> str:
    if lines is not None and 1 <= finding.line <= len(lines):
        return lines[finding.line - 1].strip()
    return finding.message  # without the source, the message is the next most stable text


def fingerprints(
    findings: Sequence[Finding],
    uris: Sequence[str],
    read_lines: Callable[[str], Sequence[str]] | None,
) -> list[str]:
    """One ``primaryLocationLineHash`` per finding, independent of line numbers."""
    seen: dict[str, int] = {}
    cache: dict[str, Sequence[str] | None] = {}
    out = []
    for finding, uri in zip(findings, uris, strict=True):
        where = finding.location
        if where not in cache:
            try:
                cache[where] = read_lines(where) if read_lines is not None else None
            except (OSError, UnicodeError):
                cache[where] = None
        key = "\0".join((finding.code, uri, _line_text(finding, cache[where])))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        out.append(f"{digest}:{occurrence + 1}")
    return out


def sarif_log(
    findings: Sequence[Finding],
    *,
    rules: Sequence[type[Rule]],
    root: Path,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    tool_version: str,
) -> dict[str, Any]:
    """The SARIF log as a dict (for tests and for callers that post-process it)."""
    ordered = sorted(findings)
    descriptors = [rule_descriptor(rule) for rule in rules]
    index = {rule.code: position for position, rule in enumerate(rules)}
    for finding in ordered:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(_unknown_descriptor(finding))
    locations = [artifact_location(finding.path, root) for finding in ordered]
    hashes = fingerprints(ordered, [location["uri"] for location in locations], read_lines)
    results = []
    for finding, location, line_hash in zip(ordered, locations, hashes, strict=True):
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": "warning",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": finding.end_line,
                            "endColumn": finding.end_column,
                        },
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": line_hash},
        }
        properties: dict[str, Any] = {}
        if finding.fix is not None:
            # SARIF ``fixes`` need the replacement text; the title and safety are what we keep.
            properties["fix"] = {"applicability": finding.fix.applicability, "title": finding.fix.title}
        if finding.cell is not None:  # a notebook: the region's lines count from this cell
            properties["cell"] = finding.cell
        if properties:
            result["properties"] = properties
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "semanticVersion": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.resolve().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(
    findings: Sequence[Finding],
    *,
    rules: Sequence[type[Rule]],
    root: Path,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    tool_version: str,
) -> str:
    log = sarif_log(findings, rules=rules, root=root, read_lines=read_lines, tool_version=tool_version)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
