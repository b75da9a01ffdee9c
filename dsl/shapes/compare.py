"""Where a comparison may stand (E230).

A comparison (``a > b``, ``a >= b``, ``a < b``, ``a <= b``) is 1 where it
holds and 0 elsewhere, with a zero derivative: it may be the condition of
``where``, a factor of ``*`` or ``@`` (a mask), the numerator of ``/``, or
the whole right side of a
definition or a claim (``dL/dx = x >= max(x)``, the gradient of max).
Anywhere else (added to a value, negated, transposed, an argument of another
function, compared again) it is almost always a misplaced bracket, and E230
says where it is.

:func:`check` looks at the operands of one node, so the checker calls it as
it visits each node and no second walk of the tree is needed.
"""
from __future__ import annotations

from typing import TypeGuard

from dsl.core import messages
from dsl.core.ast import BinOp, Call, Expr, Neg, Op, Transpose
from dsl.core.diagnostics import Sink
from dsl.core.wording import say

_COMPARISONS = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})

_FACTORS = frozenset({Op.MUL, Op.MATMUL})
"""Operators of which a comparison may be either operand: a 0/1 mask is a
factor of an elementwise product or of a matrix product (``X.T @ (M > 0)``,
the count of margins of the multiclass SVM); of ``/`` it may be the
numerator (an inverted dropout mask ``(U < p) / p``)."""

CONDITION_OF = {"where": 0}
"""Functions with an argument that is a condition: its position."""


def is_comparison(node: Expr) -> TypeGuard[BinOp]:
    return type(node) is BinOp and node.op in _COMPARISONS


def report(node: BinOp, sink: Sink, where: str) -> bool:
    sink.add(messages.make("E230", node.span, op=node.op.value, where=where, hint=say("comparison-use")))
    return True


def check(node: Expr, sink: Sink) -> bool:
    """E230 for each operand of ``node`` that is a comparison where it
    cannot stand; whether there was one (the node's shape is then unknown).
    Called for every node, so the common case returns after a type test."""
    kind = type(node)
    if kind is BinOp:
        assert isinstance(node, BinOp)
        if node.op in _FACTORS or not (is_comparison(node.left) or is_comparison(node.right)):
            return False
        where = say("comparison-in-operator", op=node.op.value)
        found = False
        for child in (node.left, node.right):
            if is_comparison(child) and not (node.op is Op.DIV and child is node.left):
                found = report(child, sink, where)
        return found
    if kind is Neg or kind is Transpose:
        assert isinstance(node, (Neg, Transpose))
        if not is_comparison(node.operand):
            return False
        return report(node.operand, sink, say("comparison-negated" if kind is Neg else "comparison-transposed"))
    if kind is Call:
        assert isinstance(node, Call)
        condition = CONDITION_OF.get(node.func)
        found = False
        for i, arg in enumerate((*node.args, *(k.value for k in node.keywords))):
            if i != condition and is_comparison(arg):
                found = report(arg, sink, say("comparison-argument", name=node.func))
        return found
    return False
