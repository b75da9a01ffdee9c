"""Where a comparison may stand (E230).

A comparison (``a > b``, ``a >= b``, ``a < b``, ``a <= b``) is 1 where it
holds and 0 elsewhere, with a zero derivative: it may be the condition of
``where``, a factor of ``*`` (a mask), or the whole right side of a
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
from dsl.core.ast import BinOp, Call, Expr, Neg, Transpose
from dsl.core.diagnostics import Sink
from dsl.core.wording import say

CONDITION_OF = {"where": 0}
"""Functions with an argument that is a condition: its position."""


def is_comparison(node: Expr) -> TypeGuard[BinOp]:
    return isinstance(node, BinOp) and node.op.is_comparison


def report(node: BinOp, sink: Sink, where: str) -> bool:
    sink.add(messages.make("E230", node.span, op=node.op.value, where=where, hint=say("comparison-use")))
    return True


def check(node: Expr, sink: Sink) -> bool:
    """E230 for each operand of ``node`` that is a comparison where it
    cannot stand; whether there was one (the node's shape is then unknown)."""
    found = False
    match node:
        case BinOp(op=op, left=left, right=right):
            if op.value == "*":
                return False
            for child in (left, right):
                if is_comparison(child):
                    found = report(child, sink, say("comparison-in-operator", op=op.value))
        case Neg(operand=operand) if is_comparison(operand):
            found = report(operand, sink, say("comparison-negated"))
        case Transpose(operand=operand) if is_comparison(operand):
            found = report(operand, sink, say("comparison-transposed"))
        case Call(func=func, args=args, keywords=keywords):
            condition = CONDITION_OF.get(func)
            for i, arg in enumerate(args):
                if i != condition and is_comparison(arg):
                    found = report(arg, sink, say("comparison-argument", name=func))
            for kw in keywords:
                if is_comparison(kw.value):
                    found = report(kw.value, sink, say("comparison-argument", name=func))
    return found

