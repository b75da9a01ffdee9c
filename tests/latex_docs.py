"""Lint a small document written in a test and look at what it says, by line."""
from __future__ import annotations

import io
import json
from pathlib import Path

from dsl.apps.lint import run_lint


def lint_doc(tmp_path: Path, name: str, text: str, **kw) -> dict:
    """The JSON report of ``chainrule lint`` on ``text`` saved as ``name``
    (with the document's ``text`` and the run's ``exit_code`` added)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    code = run_lint([str(path)], fmt="json", out=out, **kw)
    (report,) = json.loads(out.getvalue())["files"]
    report["text"], report["exit_code"] = text, code
    return report


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def codes_on(report: dict, needle: str) -> list[str]:
    line = line_of(report["text"], needle)
    return sorted(d["code"] for d in report["diagnostics"] if d["line"] == line)


def marked(report: dict, code: str) -> list[str]:
    """The document text under each diagnostic with ``code`` (one-line spans)."""
    lines = report["text"].splitlines()
    return [lines[d["line"] - 1][d["column"] - 1:d["end_column"] - 1]
            for d in report["diagnostics"] if d["code"] == code and d["line"] == d.get("end_line", d["line"])]


def claims_on(report: dict, needle: str) -> list[str]:
    line = line_of(report["text"], needle)
    return [c["status"] for c in report["claims"] if c["line"] == line]
