"""SARIF 2.1.0 and GitHub workflow commands for ``chainrule lint``.

Contract: :func:`render_sarif` turns lint results into one SARIF 2.1.0 log
(one run, one rule per diagnostic code used, taken from the catalogue in
``messages``) that GitHub code scanning accepts; :func:`render_github`
writes ``::error file=…,line=…,col=…::`` workflow commands, at most
:data:`ANNOTATIONS_PER_TYPE` per type (GitHub shows no more per step), the
rest as plain lines, then a summary line.  Nothing here decides what is
wrong; it only re-expresses diagnostics.

Notebooks: a diagnostic in a cell is placed on the line of the ``.ipynb``
JSON that holds that source line (when Jupyter's one-line-per-source-line
layout is found, otherwise line 1), without a column, and its message
starts with ``cell N, line L, column C:``; SARIF also records ``"cell": N``
in the result's properties.

A diagnostic with a fix carries it as SARIF ``fixes`` (its title as the
description, one replacement of the fix's region); in notebook cells no fix
is given, since the region would be a line of the notebook's JSON.
"""
from __future__ import annotations

import json
import os
import shlex
from urllib.parse import quote

from dsl.core import messages
from dsl.core.diagnostics import Diagnostic, Fix, Severity
from dsl.core.span import shown_name
from dsl.render.text import printable

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
ANNOTATIONS_PER_TYPE = 10
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # deferred: start-up
    try:
        return version("chainrule")
    except PackageNotFoundError:  # not installed: running from the source tree
        return "0.1.0"


def _catalogue_url() -> str | None:
    """Where the diagnostic catalogue (docs/diagnostics.md) is published: the
    ``Diagnostics`` URL of the installed package's metadata
    (``[project.urls]``), or None
    when the package names none, in which case rules carry no ``helpUri``
    (SARIF requires it to be absolute) and ``help`` holds the whole entry."""
    from importlib.metadata import PackageNotFoundError, metadata  # deferred: start-up
    try:
        urls = metadata("chainrule").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for item in urls:
        label, _, url = item.partition(",")
        if label.strip().lower() == "diagnostics" and url.strip().startswith(("https://", "http://")):
            return url.strip()
    return None


def _uri(path: str) -> tuple[str, str | None]:
    r"""A path as a SARIF artifact URI: relative to the working directory
    (with ``%SRCROOT%``) when it lies below it, otherwise a file URI.  The
    name's own bytes are percent-encoded, those that are not UTF-8 too.

    >>> _uri("a b/\udcff.md")
    ('a%20b/%FF.md', '%SRCROOT%')
    """
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    if not rel.startswith(".."):
        return quote(os.fsencode(rel.replace(os.sep, "/"))), "%SRCROOT%"
    return "file://" + quote(os.fsencode(absolute.replace(os.sep, "/"))), None


def _place(result, d: Diagnostic) -> tuple[dict, str]:
    """The SARIF region of a diagnostic and the message prefix it needs."""
    s = d.span
    if s.cell is None:
        region = {"startLine": max(1, s.line), "startColumn": max(1, s.column),
                  "endLine": max(s.line, s.end_line), "endColumn": max(1, s.end_column)}
        if region["endLine"] == region["startLine"]:
            region["endColumn"] = max(region["endColumn"], region["startColumn"] + 1)
        return region, ""
    first, per_line = (result.host.json_lines.get(s.cell, (1, False))
                       if result.host is not None else (1, False))
    start = first + (s.line - 1 if per_line else 0)
    end = first + (s.end_line - 1 if per_line else 0)
    return {"startLine": start, "endLine": max(start, end)}, f"cell {s.cell}, line {s.line}, column {s.column}: "


def _fix(f: Fix, location: dict) -> dict:
    """A SARIF fix: one replacement of the fix's region in the diagnostic's
    artifact.  (Not given for notebook cells, whose regions are lines of the
    .ipynb JSON, where the replacement text would not belong.)"""
    s = f.span
    region = {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column}
    return {"description": {"text": f.title},
            "artifactChanges": [{"artifactLocation": dict(location),
                                 "replacements": [{"deletedRegion": region,
                                                   "insertedContent": {"text": f.replacement}}]}]}


def _text(d: Diagnostic) -> str:
    return d.message + (f"\nhint: {d.hint}" if d.hint else "")


def render_sarif(results, command_line: tuple[str, ...] | list[str] = ()) -> str:
    """One SARIF 2.1.0 log for all results (``lint.FileResult``); ``command_line``
    (the invocation's arguments) is recorded as the run's invocation."""
    diags = [(r, d) for r in results for d in r.report.diagnostics]
    codes = sorted({d.code for _, d in diags})
    rules, index = [], {}
    catalogue = _catalogue_url()
    for i, code in enumerate(codes):
        index[code] = i
        entry = messages.CATALOGUE.get(code)
        rule = {"id": code, "defaultConfiguration": {"level": _LEVEL[_severity(code)]}}
        if entry is not None:
            rule.update({"name": entry.name,
                         "shortDescription": {"text": entry.checks},
                         "fullDescription": {"text": f"{entry.checks} {entry.why}"},
                         "help": {"text": f"{entry.why}\nInstead: {entry.fix}",
                                  "markdown": f"{entry.why}\n\n**Example:** `{entry.example}`\n\n"
                                              f"**Instead:** {entry.fix}"}})
            if catalogue:
                rule["helpUri"] = f"{catalogue}#{messages.anchor(code)}"
        rules.append(rule)
    sarif_results = []
    for r, d in diags:
        source = r.report.source
        named = d.span.file or source.name
        uri, base = _uri(source.path if source.path and named == source.name else named)
        region, prefix = _place(r, d)
        location = {"uri": uri}
        if base:
            location["uriBaseId"] = base
        item = {"ruleId": d.code, "ruleIndex": index[d.code], "level": _LEVEL[d.severity],
                "message": {"text": prefix + _text(d)},
                "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}]}
        if d.span.cell is not None:
            item["properties"] = {"cell": d.span.cell, "line": d.span.line, "column": d.span.column}
        elif d.fix is not None:
            item["fixes"] = [_fix(d.fix, location)]
        sarif_results.append(item)
    run: dict = {"tool": {"driver": {"name": "chainrule", "version": _version(), "rules": rules}},
                 "columnKind": "unicodeCodePoints",
                 "results": sarif_results}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    if command_line:
        command_line = [shown_name(arg) for arg in command_line]   # bytes that are not UTF-8 as escapes
        failed = any(getattr(r.report, "input_error", False) for r in results)
        run["invocations"] = [{"commandLine": shlex.join(command_line),
                               "arguments": list(command_line[1:]),
                               "executionSuccessful": not failed}]
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _severity(code: str) -> Severity:
    return {"E": Severity.ERROR, "W": Severity.WARNING}.get(code[:1], Severity.NOTE)


# ------------------------------------------------------------------ GitHub

def _escape_data(text: str) -> str:
    """A workflow command's data: ``%``, CR and LF escaped as GitHub reads
    them, other control characters of the input shown as pictures."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results) -> str:
    """Workflow commands for GitHub Actions, capped per type, then a summary."""
    lines: list[str] = []
    plain: list[str] = []
    shown: dict[Severity, int] = {}
    counts = {Severity.ERROR: 0, Severity.WARNING: 0, Severity.NOTE: 0}
    for r in results:
        for d in r.report.diagnostics:
            counts[d.severity] += 1
            region, prefix = _place(r, d)
            path = d.span.file or r.report.source.name
            if shown.get(d.severity, 0) >= ANNOTATIONS_PER_TYPE:
                where = f"{path}:cell_{d.span.cell}" if d.span.cell is not None else path
                plain.append(f"{where}:{d.span.line}:{d.span.column}: {d.severity.value}[{d.code}]: "
                             f"{printable(d.message)}")
                continue
            shown[d.severity] = shown.get(d.severity, 0) + 1
            props = [f"file={_escape_property(path)}", f"line={region['startLine']}"]
            if "startColumn" in region:
                props.append(f"col={region['startColumn']}")
            props.append(f"endLine={region['endLine']}")
            if "endColumn" in region:
                props.append(f"endColumn={region['endColumn']}")
            props.append(f"title={_escape_property('chainrule ' + d.code)}")
            lines.append(f"::{_COMMAND[d.severity]} {','.join(props)}::{_escape_data(prefix + _text(d))}")
    over = sum(counts.values()) - sum(shown.values())
    summary = (f"chainrule: {counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
               f"{counts[Severity.NOTE]} note(s) in {len(results)} file(s)")
    if over:
        summary += (f"; {over} beyond GitHub's {ANNOTATIONS_PER_TYPE} annotations per type "
                    "are listed without annotation")
    return "\n".join(lines + plain + [summary]) + "\n"
