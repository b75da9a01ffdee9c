"""Inlay hints: the shape after each definition's name (``h : 1 x k``),
in the lines the client asks for."""
from __future__ import annotations

from lsprotocol import types

from dsl.apps.lsp.analysis import Analysis
from dsl.core.ast import Define
from dsl.core.dims import fmt
from dsl.core.wording import say


def inlay_hints(analysis: Analysis, first_line: int, last_line: int) -> list[types.InlayHint]:
    """Hints for the definitions whose names stand on 0-based lines ``first_line`` to ``last_line``."""
    env = analysis.report.env
    if env is None:
        return []
    out = []
    for stmt in analysis.report.program.statements:
        if not isinstance(stmt, Define):
            continue
        span = analysis.to_document(stmt.name_span)
        if not first_line <= span.line - 1 <= last_line or span.end <= span.start:
            continue
        if analysis.extracted is not None and analysis.text[span.start:span.end] != stmt.name:
            continue                          # math read as a whole (W^{(l)}): no place to put it
        info = env.names.get(stmt.name)
        if info is None or info.span != stmt.name_span:
            continue                          # a redefinition: its shape is not the name's
        line, character = analysis.index.lsp_position(span.end_line, span.end_column)
        out.append(types.InlayHint(position=types.Position(line=line, character=character),
                                   label=say("lsp-inlay-shape", shape=fmt(info.shape)),
                                   kind=types.InlayHintKind.Type, padding_left=True))
    return out
