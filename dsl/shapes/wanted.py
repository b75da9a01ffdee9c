"""The fix of an operator in a claim's right side that gives the shape the
claim needs.

An operator's hint (:mod:`dsl.shapes.hints`) names the first change that
makes the operator fit, tried in a fixed order.  Inside a claim that is not
always the right one: ``dL/dW = X @ G.T`` (``N x D @ H x N``) fits once its
operands are swapped, ``G.T @ X``, but that is ``H x D`` and the claim wants
``D x H``, which ``X.T @ G`` gives.  So the checker marks, before it infers
a claim's right side, the shape each node must have for the claim to hold
(:func:`wanted_shapes`: the right side itself, and through ``+``, ``-``,
``*``, ``/`` and negation both operands, a scalar factor being the one
exception that the comparison of shapes rules out), and :func:`operator_fix`
tries every rewrite of the operator (``*`` for ``@`` and back, either or
both operands transposed, swapped) for the first that fits cleanly *and*
gives that shape.  When none does, or the usual hint's (the first that
fits) does, the usual hint stands.
"""
from __future__ import annotations

from dsl.core.ast import BinOp, Expr, Neg, Op
from dsl.core.diagnostics import Fix
from dsl.core.dims import Shape
from dsl.core.wording import say, title
from dsl.language.printer import to_source
from dsl.shapes.broadcast import binop
from dsl.shapes.hints import QUOTE_LIMIT, transposed

_THROUGH = (Op.ADD, Op.SUB, Op.MUL, Op.DIV)
MAX_DEPTH = 40
"""Nesting of a right side beyond which no shape is wanted of a node."""


def wanted_shapes(expr: Expr, want: Shape) -> dict[int, Shape]:
    """``id(node) -> shape`` for the nodes of a claim's right side whose
    shape must be the claim's for it to hold."""
    out: dict[int, Shape] = {}
    todo = [(expr, 0)]
    while todo:
        node, depth = todo.pop()
        out[id(node)] = want
        if depth >= MAX_DEPTH:
            continue
        if isinstance(node, Neg):
            todo.append((node.operand, depth + 1))
        elif isinstance(node, BinOp) and node.op in _THROUGH:
            todo += [(node.left, depth + 1), (node.right, depth + 1)]
    return out


def _candidates(node: BinOp, lhs: Shape, rhs: Shape):
    """``(op, left, right, left shape, right shape)``: the rewrites of a
    product, in the order they are preferred."""
    a, b = node.left, node.right
    other = Op.MUL if node.op is Op.MATMUL else Op.MATMUL
    yield other, a, b, lhs, rhs
    if not lhs.is_tensor and not rhs.is_tensor:
        yield node.op, a, transposed(b), lhs, rhs.T
        yield node.op, transposed(a), b, lhs.T, rhs
        if node.op is Op.MATMUL:
            yield node.op, b, a, rhs, lhs
            yield node.op, transposed(a), transposed(b), lhs.T, rhs.T
            yield node.op, transposed(b), transposed(a), rhs.T, lhs.T


def operator_fix(node: BinOp, lhs: Shape, rhs: Shape, want: Shape) -> tuple[str, Fix] | None:
    """E300/E301/E305 in a claim: the hint and fix of the first rewrite of
    ``node`` that fits cleanly and gives ``want``, or None."""
    if node.op not in (Op.MATMUL, Op.MUL):
        return None
    first = True
    for op, left, right, ls, rs in _candidates(node, lhs, rhs):
        fit = binop(op, ls, rs)
        if not fit.clean:
            continue
        if fit.shape != want:
            first = False
            continue
        if first:
            return None               # the usual hint names this one already, in its own words
        new = BinOp(op, left, right, node.span, node.op_span)
        form = to_source(new)
        if len(form) > 2 * QUOTE_LIMIT:
            return None
        hint = say("wanted-fix", form=f"`{form}`", left=ls, op=op.value, right=rs, want=want)
        return hint, Fix(node.span, form, title("pasted", replacement=f"`{form}`"), new)
    return None
