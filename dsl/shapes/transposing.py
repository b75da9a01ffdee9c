"""An expression transposed with the transpose carried inside, as one
would write it by hand: ``(A @ B).T`` is ``B.T @ A.T``, ``(a + b).T`` is
``a.T + b.T``, ``(2 * u.T).T`` is ``2 * u``, and a written transpose is
undone (``W.T`` -> ``W``); a scalar stays as it is.  Used for the fix of a transposed right side
(E400), which is then the shorter of this and ``(...).T``.

Only rules that hold for every shape are used: the transpose of a product
reverses it, and it distributes over the elementwise operators (broadcasting
commutes with it); a number is its own transpose.  A name or a call is
transposed as itself (``x.T``, ``f(x).T``), since its shape is not known here.

    >>> from dsl.core.span import Span
    >>> from dsl.language.printer import to_source
    >>> from dsl.language.syntax import parse_expr
    >>> to_source(transpose_through(parse_expr("M.T @ (2 * (M @ x - b).T)")[0]))
    '2 * (M @ x - b) @ M'
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.core.ast import BinOp, Expr, Neg, Number, Op, Transpose

_ELEMENTWISE = (Op.ADD, Op.SUB, Op.MUL, Op.DIV)
MAX_DEPTH = 40
"""Nesting beyond which the transpose is not carried further inside."""


def _never(expr: Expr) -> bool:
    return False


def transpose_through(expr: Expr, scalar: Callable[[Expr], bool] = _never, depth: int = 0) -> Expr:
    """``expr`` transposed, the transpose pushed to the leaves; a number, or
    a part that ``scalar`` says is a scalar (``/ N``), is left as it is."""
    if isinstance(expr, Transpose):
        return expr.operand
    if isinstance(expr, Number) or scalar(expr):
        return expr
    if depth < MAX_DEPTH:
        if isinstance(expr, Neg):
            return Neg(transpose_through(expr.operand, scalar, depth + 1), expr.span)
        if isinstance(expr, BinOp) and expr.op is Op.MATMUL:
            return BinOp(Op.MATMUL, transpose_through(expr.right, scalar, depth + 1),
                         transpose_through(expr.left, scalar, depth + 1), expr.span, expr.op_span)
        if isinstance(expr, BinOp) and expr.op in _ELEMENTWISE:
            return BinOp(expr.op, transpose_through(expr.left, scalar, depth + 1),
                         transpose_through(expr.right, scalar, depth + 1), expr.span, expr.op_span)
    return Transpose(expr, expr.span)
