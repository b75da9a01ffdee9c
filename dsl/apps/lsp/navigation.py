"""Go to definition, find references, and the outline (document symbols).

A name (an input, a definition, a size symbol) is defined where it is
declared, defined or listed in ``dims``; its references are every place it
is written, claims' ``dL/dx`` included.  The outline lists the sizes, the
declarations, the definitions and the claims, each with its shape.
"""
from __future__ import annotations

from lsprotocol import types

from dsl.apps.lsp.analysis import Analysis
from dsl.apps.lsp.convert import lsp_range
from dsl.apps.lsp.query import binding, occurrence_at, occurrences
from dsl.core.ast import Claim, Decl, Define, Dims, Layout
from dsl.core.dims import fmt
from dsl.language.printer import to_source


def _name_at(analysis: Analysis, offset: int) -> str | None:
    at = analysis.to_checked(offset)
    if at is None:
        return None
    occ = occurrence_at(analysis.report.program, at)
    return None if occ is None else occ.name


def definition(uri: str, analysis: Analysis, offset: int) -> types.Location | None:
    name = _name_at(analysis, offset)
    span = None if name is None else binding(analysis.report.program, name)
    if span is None:
        return None
    return types.Location(uri=uri, range=lsp_range(analysis.index, analysis.to_document(span)))


def references(uri: str, analysis: Analysis, offset: int, declaration: bool = True) -> list[types.Location]:
    name = _name_at(analysis, offset)
    if name is None:
        return []
    program = analysis.report.program
    bound = binding(program, name)
    return [types.Location(uri=uri, range=lsp_range(analysis.index, analysis.to_document(span)))
            for span in occurrences(program, name) if declaration or span != bound]


def symbols(analysis: Analysis) -> list[types.DocumentSymbol]:
    env = analysis.report.env
    out = []

    def add(name: str, kind: types.SymbolKind, whole, focus, detail: str) -> None:
        out.append(types.DocumentSymbol(
            name=name, kind=kind, detail=detail,
            range=lsp_range(analysis.index, analysis.to_document(whole)),
            selection_range=lsp_range(analysis.index, analysis.to_document(focus))))

    for stmt in analysis.report.program.statements:
        match stmt:
            case Dims(items=items):
                for item in items:
                    add(item.name, types.SymbolKind.Constant, item.span, item.span,
                        "" if item.value is None else f"= {item.value}")
            case Decl(name=name, name_span=focus, shape=shape):
                add(name, types.SymbolKind.Variable, stmt.span, focus, to_source(shape))
            case Define(name=name, name_span=focus):
                info = env.names.get(name) if env is not None else None
                add(name, types.SymbolKind.Function, stmt.span, focus, fmt(info.shape if info else None))
            case Claim(deriv=deriv):
                claim = next((ci for ci in env.claims if ci.claim is stmt), None) if env is not None else None
                add(deriv.text, types.SymbolKind.Event, stmt.span, deriv.span,
                    fmt(claim.expected if claim else None))
            case Layout(kind=kind):
                add(f"layout {kind}", types.SymbolKind.Property, stmt.span, stmt.span, "")
    return out
