"""Hover: what stands under the cursor.

On a name, an operator or a bracket: the shape of that sub-expression, its
parenthesised parse with every node's shape (as ``chainrule explain`` shows
it) and the size bindings in force.  On a declared or defined name: its
shape and how it got it.  Anywhere on a claim: its verdict (and, on its
``dL/dx``, the shape the derivative must have).
"""
from __future__ import annotations

from dsl.apps.lsp.analysis import Analysis
from dsl.apps.lsp.query import node_at, occurrence_at, statement_at
from dsl.core.ast import Claim, Deriv, Expr
from dsl.core.dims import fmt
from dsl.core.kinds import NameKind
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.language.printer import explain


def hover_text(analysis: Analysis, offset: int) -> tuple[str, Span] | None:
    """Markdown for the hover at document ``offset`` and the span it is about, or None."""
    at = analysis.to_checked(offset)
    report = analysis.report
    if at is None or report.env is None:
        return None
    env = report.env
    stmt = statement_at(report.program, at)
    if stmt is None:
        return None
    node = node_at(stmt, at, analysis.source.text)
    parts: list[str] = []
    span: Span | None = None
    occ = occurrence_at(report.program, at)
    if occ is not None and (occ.binding or node is None):
        parts.append(_name_line(analysis, occ.name))
        span = occ.span
    elif node is not None and not isinstance(node, Deriv):
        parts.append(_expression(analysis, node))
        span = node.span
    if isinstance(stmt, Claim):
        if isinstance(node, Deriv) or span is None:
            info = next((ci for ci in env.claims if ci.claim is stmt), None)
            if info is not None:
                parts.append(say("lsp-hover-expected", deriv=stmt.deriv.text, shape=fmt(info.expected)))
            span = span or stmt.deriv.span
        parts.append(_verdict(analysis, stmt))
    if not parts or span is None:
        return None
    sizes = _sizes(env)
    if sizes:
        parts.append(sizes)
    return "\n\n".join(parts), analysis.to_document(span)


def _expression(analysis: Analysis, node: Expr) -> str:
    env = analysis.report.env
    assert env is not None, "hover_text returns early without an environment"
    shape = env.shape_of(node)
    head = say("lsp-hover-shape", shape=shape) if shape is not None else say("lsp-hover-unknown-shape")
    return f"**{head}**\n\n```\n{explain(node, env.shape_of)}\n```"


def _name_line(analysis: Analysis, name: str) -> str:
    env = analysis.report.env
    assert env is not None, "hover_text returns early without an environment"
    if name in env.dims:
        value = env.dims[name]
        return "**" + say("lsp-hover-size-symbol", name=name, value="" if value is None else f" = {value}") + "**"
    info = env.names.get(name)
    if info is None:
        return f"**{name}**"
    how = say("how-declared") if info.kind is NameKind.INPUT else say("how-defined")
    if info.attrs:
        how += ", " + " ".join(info.attrs)
    return "**" + say("lsp-hover-name", name=name, shape=fmt(info.shape), how=how) + "**"


def _verdict(analysis: Analysis, claim: Claim) -> str:
    result = next((r for r in analysis.claims if r.claim.span == analysis.to_document(claim.span)), None)
    if result is None:
        return ""
    status = result.status.value
    if result.detail:
        return say("lsp-hover-claim-detail", deriv=claim.deriv.text, status=status, detail=result.detail)
    return say("lsp-hover-claim", deriv=claim.deriv.text, status=status)


def _sizes(env) -> str:
    dims = env.dims or {}
    if not dims:
        return ""
    return say("lsp-hover-sizes", sizes=", ".join(f"{k} = {v}" if v is not None else k for k, v in dims.items()))
