"""Diagnostics and fixes as the protocol writes them.

A chainrule :class:`~dsl.core.diagnostics.Diagnostic` becomes an LSP
diagnostic with its severity, code, message (the hint on a second line) and,
for each label, a related-information entry at the labelled operand with its
shape; a :class:`~dsl.core.diagnostics.Fix` becomes the one text edit that
makes exactly its change.  Ranges come from ``positions.LineIndex``.
"""
from __future__ import annotations

from lsprotocol import types

from dsl.apps.lsp.positions import LineIndex
from dsl.core.diagnostics import Diagnostic, Fix, Severity
from dsl.core.span import Span
from dsl.core.wording import say

SOURCE = "chainrule"

_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
             Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.NOTE: types.DiagnosticSeverity.Information}


def lsp_range(index: LineIndex, span: Span) -> types.Range:
    (l0, c0), (l1, c1) = index.lsp_range(span)
    return types.Range(start=types.Position(line=l0, character=c0), end=types.Position(line=l1, character=c1))


def lsp_diagnostic(uri: str, index: LineIndex, d: Diagnostic) -> types.Diagnostic:
    """``d`` in the protocol's terms (``data`` carries the fix, if any, for code actions)."""
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=uri, range=lsp_range(index, label.span)),
        message=say("lsp-label-shape", text=label.text)) for label in d.labels]
    message = d.message if not d.hint else f"{d.message}\n{d.hint}"
    data = None
    if d.fix is not None:
        data = {"title": d.fix.title, "replacement": d.fix.replacement}
    return types.Diagnostic(range=lsp_range(index, d.span), message=message, severity=_SEVERITY[d.severity],
                            code=d.code, source=SOURCE, related_information=related or None, data=data)


def text_edit(index: LineIndex, fix: Fix) -> types.TextEdit:
    """The edit that replaces the fix's span with its replacement."""
    return types.TextEdit(range=lsp_range(index, fix.span), new_text=fix.replacement)


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges share a position (touching counts: a cursor at an end)."""
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
