"""Rendering reports: rustc/Elm-style text and the JSON of SPEC §4.

Nothing here decides what is wrong; it only shows diagnostics and claim
verdicts that the passes produced.  SARIF and GitHub annotations are in
``sarif``.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable

from dsl.core.diagnostics import Diagnostic, Fix, Severity

_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m",
           "hint": "\033[1;32m", "bold": "\033[1m", "dim": "\033[2m", "reset": "\033[0m",
           "verified": "\033[32m", "wrong": "\033[31m", "unchecked": "\033[33m"}


def use_color(choice: str = "auto", stream=None) -> bool:
    """``--color auto|always|never``; auto honours NO_COLOR and ttys."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


class _Paint:
    def __init__(self, on: bool):
        self.on = on

    def __call__(self, key: str, text: str) -> str:
        return f"{_COLORS[key]}{text}{_COLORS['reset']}" if self.on else text


def _sizes_note(env) -> str | None:
    dims = getattr(env, "dims", None) or {}
    if not dims:
        return None
    return ", ".join(f"{k} = {v}" if v is not None else k for k, v in dims.items())


_SHAPE_CODES = ("E3", "W3", "E4", "W4")


def render_diagnostic(d: Diagnostic, source=None, env=None, color: bool = False) -> str:
    """One diagnostic: header, location, the source line with carets under
    the culprit and each labelled operand, the hint, and the sizes in force."""
    paint = _Paint(color)
    sev = d.severity.value
    out = [paint(sev, f"{sev}[{d.code}]") + paint("bold", f": {printable(d.message)}")]
    out.append(f"  --> {d.span}")
    text = printable(source.line_text(d.span.line)) if source is not None else ""
    text, shift = _window(text, d.span)
    if text:
        gutter = " " * len(str(d.span.line))
        out.append(f"{gutter} |")
        out.append(f"{d.span.line} | {text}")
        out.append(f"{gutter} | " + _underline(d.span, text, "^", "", paint, sev, shift))
        for label in d.labels:
            if label.span.line == d.span.line:
                out.append(f"{gutter} | " + _underline(label.span, text, "-", printable(label.text), paint, "dim",
                                                       shift))
            else:
                out.append(f"{gutter} = {label.span}: {printable(label.text)}")
    elif d.labels:
        out += [f"  = {label.span}: {printable(label.text)}" for label in d.labels]
    if d.hint:
        out.append("  " + paint("hint", "= hint:") + f" {printable(d.hint)}")
    if d.fix is not None and d.fix.claim:
        out.append("  " + paint("hint", "= fix:") + f" {printable(d.fix.claim)} = {printable(d.fix.replacement)}")
    if d.code.startswith(_SHAPE_CODES):
        note = _sizes_note(env)
        if note:
            out.append(f"  = sizes: {note}")
    return "\n".join(out)


# Control characters of the input, shown as their Unicode pictures (one
# column each, so carets stay aligned) rather than sent to the terminal,
# where ESC [ 2 J would clear the screen: C0 but the tab, DEL, and C1 as U+FFFD.
_PICTURES = {**{c: 0x2400 + c for c in range(0x20) if c != 0x09}, 0x7F: 0x2421,
             **dict.fromkeys(range(0x80, 0xA0), 0xFFFD)}


def printable(text: str) -> str:
    """``text`` with its control characters replaced by visible ones, one for one."""
    return text.translate(_PICTURES)


MAX_WIDTH = 100  # source lines longer than this are shown as a window around the culprit


def _window(text: str, span) -> tuple[str, int]:
    """Cut a long line to a window around the span's start; returns the text
    shown and how many characters were cut from the left (``…`` included)."""
    if len(text) <= MAX_WIDTH:
        return text, 0
    start = max(span.column - 1 - MAX_WIDTH // 3, 0)
    piece = text[start:start + MAX_WIDTH]
    left = "…" if start > 0 else ""
    right = "…" if start + MAX_WIDTH < len(text) else ""
    return left + piece + right, start - len(left)


def _underline(span, text: str, mark: str, label: str, paint, style: str, shift: int = 0) -> str:
    limit = len(text.rstrip("…")) if shift or text.endswith("…") else len(text)
    start = min(max(span.column - 1 - shift, 0), max(limit - 1, 0))
    end = span.end_column - 1 - shift if span.end_line == span.line else limit
    end = min(end, limit)
    end = max(end, start + 1)
    prefix = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in text[:start])
    marks = max(1, sum(_width(ch) for ch in text[start:end]))
    return prefix + paint(style, mark * marks + (f" {label}" if label else ""))


def _width(ch: str) -> int:
    """Terminal columns of one character: 2 for CJK and emoji, 0 for a
    combining mark (``wcwidth``, which prompt_toolkit already needs)."""
    from wcwidth import wcwidth  # deferred: start-up
    w = wcwidth(ch)
    return 1 if w < 0 else w


def claim_line(result, source_name: str, color: bool = False) -> str:
    paint = _Paint(color)
    span = result.claim.span
    name = result.claim.deriv.text
    status = paint(result.status, result.status)
    detail = f": {result.detail}" if result.detail and result.status != "verified" else ""
    if result.status == "verified" and result.detail:
        detail = f" ({result.detail})"
    return f"{source_name}:{span.line}: {name} {status}{detail}"


def render_text(reports: Iterable, color: bool = False, claims: bool = True,
                summary: bool = True) -> str:
    """All reports as text: diagnostics, one line per claim, a summary."""
    reports = list(reports)
    blocks = [b for r in reports for b in report_blocks(r, color, claims)]
    if summary:
        blocks.append(summary_line(reports, *severity_counts(reports)))
    return "\n\n".join(b for b in blocks if b) + "\n"


def report_blocks(report, color: bool = False, claims: bool = True) -> list[str]:
    """One report's part of the text: each diagnostic, then its claim lines."""
    blocks = [render_diagnostic(d, report.source, report.env, color) for d in report.diagnostics]
    if claims and report.claims:
        blocks.append("\n".join(claim_line(c, report.source.name, color) for c in report.claims))
    return blocks


def summary_line(reports: list, errors: int, warnings: int) -> str:
    """The closing line: files, errors, warnings, claim verdicts and seeds."""
    counts = {"verified": 0, "wrong": 0, "unchecked": 0}
    for r in reports:
        for c in r.claims:
            counts[c.status] = counts.get(c.status, 0) + 1
    files = f"{len(reports)} file{'s' if len(reports) != 1 else ''}"
    parts = [f"{errors} error{'s' if errors != 1 else ''}",
             f"{warnings} warning{'s' if warnings != 1 else ''}"]
    claim_total = sum(counts.values())
    line = f"{files} checked: " + ", ".join(parts)
    if claim_total:
        line += "; claims: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        seeds = sorted({r.seed for r in reports if r.claims})
        if counts["verified"] or counts["wrong"]:
            line += f" (seed {', '.join(map(str, seeds))})"
    return line


# --------------------------------------------------------------------- JSON

def diagnostic_json(d: Diagnostic) -> dict:
    s = d.span
    out: dict[str, object] = {"severity": d.severity.value, "code": d.code, "message": d.message,
           "hint": d.hint, "line": s.line, "column": s.column,
           "end_line": s.end_line, "end_column": s.end_column,
           "labels": [{"line": label.span.line, "column": label.span.column,
                       "end_column": label.span.end_column, "text": label.text} for label in d.labels]}
    if d.fix is not None:
        out["fix"] = fix_json(d.fix)
    if s.cell is not None:
        out["cell"] = s.cell
    return out


def fix_json(f: Fix) -> dict:
    """A fix as JSON: its title, the replacement text and the span it
    replaces (1-based, end exclusive, like the diagnostic's own keys)."""
    s = f.span
    out = {"title": f.title, "replacement": f.replacement, "line": s.line, "column": s.column,
           "end_line": s.end_line, "end_column": s.end_column}
    if f.claim:
        out["claim"] = f.claim
    return out


def claim_json(result) -> dict:
    c = result.claim
    out = {"line": c.span.line, "claim": c.deriv.text,
           "status": result.status, "detail": result.detail}
    if c.span.cell is not None:
        out["cell"] = c.span.cell
    return out


def report_json(r) -> dict:
    return {"file": r.source.name,
            "diagnostics": [diagnostic_json(d) for d in r.diagnostics],
            "claims": [claim_json(c) for c in r.claims]}


def render_json(reports: Iterable) -> str:
    return json.dumps({"files": [report_json(r) for r in reports]}, indent=2, ensure_ascii=False) + "\n"


def severity_counts(reports) -> tuple[int, int]:
    errors = sum(1 for r in reports for d in r.diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for r in reports for d in r.diagnostics if d.severity is Severity.WARNING)
    return errors, warnings
