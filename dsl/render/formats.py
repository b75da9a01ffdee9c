"""The output formats that CI systems and graders read, beside text, JSON
and SARIF: ``concise`` (one line per diagnostic), ``gitlab`` (the Code
Climate JSON that GitLab merge requests show), ``junit`` (one test case per
file and per claim, for graders' dashboards) and ``--statistics`` (a count
per code).  Each takes the results of ``check`` or ``lint`` (objects with a
``report`` and, for documents, a ``host``) and returns the text to write.

    >>> from types import SimpleNamespace as NS
    >>> from dsl.core.diagnostics import Diagnostic, Severity
    >>> from dsl.core.span import Source, Span
    >>> d = Diagnostic("E300", Severity.ERROR, Span("t.deriv", 2, 5, 2, 10, 14, 19), "inner sizes differ")
    >>> print(render_concise([NS(report=NS(source=Source("t.deriv", ""), diagnostics=[d]))]), end="")
    t.deriv:2:5: E300 inner sizes differ
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

from dsl.core import messages
from dsl.core.diagnostics import Diagnostic, Severity
from dsl.render.text import printable


def _where(result, d: Diagnostic) -> str:
    path = d.span.file or result.report.source.name
    return f"{path}:cell_{d.span.cell}" if d.span.cell is not None else path


def render_concise(results) -> str:
    """``path:line:column: CODE message``, ``[*]`` after the code when a fix is offered."""
    lines = []
    for r in results:
        for d in r.report.diagnostics:
            mark = " [*]" if d.fix is not None else ""
            lines.append(f"{_where(r, d)}:{d.span.line}:{d.span.column}: {d.code}{mark} {printable(d.message)}")
    return "".join(line + "\n" for line in lines)


def render_statistics(results) -> str:
    """One line per code: how many, the code, its name, ``[*]`` if any has a fix;
    the most frequent first."""
    counts: Counter = Counter()
    fixable: set[str] = set()
    for r in results:
        for d in r.report.diagnostics:
            counts[d.code] += 1
            if d.fix is not None:
                fixable.add(d.code)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    out = []
    for code, n in rows:
        entry = messages.CATALOGUE.get(code)
        name = entry.name if entry is not None else ""
        out.append(f"{n:>{width}}\t{code}\t{'[*]' if code in fixable else '[ ]'} {name}".rstrip())
    return "".join(line + "\n" for line in out)


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def render_gitlab(results) -> str:
    """Code Climate issues, as GitLab's code quality report reads them; each
    fingerprint is stable across runs and line moves (file, code, message and
    the occurrence's number among equal ones)."""
    issues: list[dict] = []
    seen: Counter[tuple] = Counter()
    for r in results:
        for d in r.report.diagnostics:
            path = d.span.file or r.report.source.name
            key = (path, d.code, d.message, d.span.cell)
            seen[key] += 1
            digest = hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()[:32]
            issue = {"description": f"{d.code} {d.message}", "check_name": d.code,
                     "fingerprint": digest, "severity": _GITLAB_SEVERITY[d.severity],
                     "location": {"path": path,
                                  "positions": {"begin": {"line": d.span.line, "column": d.span.column},
                                                "end": {"line": d.span.end_line,
                                                        "column": d.span.end_column}}}}
            if d.span.cell is not None:
                issue["description"] = f"cell {d.span.cell}: " + issue["description"]
            issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def render_junit(results) -> str:
    """JUnit XML: a test suite per file; a test case for the file (failing
    with its errors) and one per claim (failing when wrong, skipped when
    unchecked)."""
    import xml.etree.ElementTree as ET  # deferred: not needed to start a check
    root = ET.Element("testsuites", name="chainrule")
    totals: Counter[str] = Counter()
    for r in results:
        report = r.report
        name = report.source.name
        suite = ET.SubElement(root, "testsuite", name=name)
        counts: Counter[str] = Counter()
        case = ET.SubElement(suite, "testcase", classname=name, name="shapes")
        counts["tests"] += 1
        errors = [d for d in report.diagnostics if d.is_error and d.code != "E500"]
        if errors:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", type=errors[0].code,
                                    message=f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
            failure.text = "\n".join(f"{_where(r, d)}:{d.span.line}:{d.span.column}: {d.code} {d.message}"
                                     for d in errors)
        for c in report.claims:
            counts["tests"] += 1
            line = c.claim.span.line
            where = f"cell {c.claim.span.cell} line {line}" if c.claim.span.cell is not None else f"line {line}"
            case = ET.SubElement(suite, "testcase", classname=name, name=f"{c.claim.deriv.text} ({where})")
            if c.status == "wrong":
                counts["failures"] += 1
                ET.SubElement(case, "failure", type="E500", message=c.detail or "wrong")
            elif c.status != "verified":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=c.detail or c.status)
        for key in ("tests", "failures", "skipped"):
            suite.set(key, str(counts[key]))
        suite.set("errors", "0")
        totals.update(counts)
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(totals[key]))
    root.set("errors", "0")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _NOT_XML.sub(_xml_picture, text) + "\n"


# Characters XML 1.0 does not allow anywhere, not even as references: C0 but
# tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.  A message that quotes
# one from the input shows its picture instead, as the text output does.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_picture(found: re.Match) -> str:
    code = ord(found.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"
