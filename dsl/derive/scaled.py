"""Rewrite rules for spread values and scale factors (listed in ``rewrite``).

``c @ ones(1, m)`` (a column repeated along ``m`` columns) inside an
elementwise operator whose other side already has the whole shape is ``c``
itself, broadcast (:func:`spread_rule`).  A scalar factor or divisor of a
matrix product may sit on either operand, and on the vector of a ``diag``
(:func:`scale_right`, :func:`scale_left`): the normal form writes it
outside, these move it in where a name of the file then stands for the
scaled operand (``e.T @ exp(z) / sum(exp(z))`` -> ``e.T @ e``).
"""
from __future__ import annotations

from dsl.builtins.symbolic import NOSPAN, Algebra
from dsl.core.ast import BinOp, Call, Expr, Op

_ELEMENTWISE = (Op.ADD, Op.SUB, Op.MUL, Op.DIV)


def _call(e: Expr, func: str) -> bool:
    return isinstance(e, Call) and e.func == func and not e.prime


def _spread_of(alg: Algebra, e: Expr) -> Expr | None:
    """``v`` when ``e`` is ``v @ ones(1, m)`` (v a column) or ``ones(n, 1) @ v`` (v a row)."""
    if not isinstance(e, BinOp) or e.op is not Op.MATMUL:
        return None
    s = alg.shape(e.left) if _call(e.right, "ones") else alg.shape(e.right) if _call(e.left, "ones") else None
    if s is None:
        return None
    if _call(e.right, "ones") and s.is_col:
        return e.left
    if _call(e.left, "ones") and s.is_row:
        return e.right
    return None


def spread_rule(alg: Algebra, e: Expr) -> Expr | None:
    """(c @ ones(1, m)) * M -> c * M and (ones(n, 1) @ r) * M -> r * M (also +, -, / and
    either side), when the result keeps its shape: a repeated vector is the vector, broadcast."""
    if not isinstance(e, BinOp) or e.op not in _ELEMENTWISE:
        return None
    whole = alg.shape(e)
    for side in ("left", "right"):
        v = _spread_of(alg, getattr(e, side))
        if v is None:
            continue
        left, right = (v, e.right) if side == "left" else (e.left, v)
        rebuilt = BinOp(e.op, left, right, NOSPAN, NOSPAN)
        if whole is not None and alg.shape(rebuilt) == whole:
            return rebuilt
    return None


def _scaled(alg: Algebra, e: Expr) -> tuple[Expr, Op, Expr] | None:
    """``(inner, op, s)`` for ``inner * s``, ``s * inner`` or ``inner / s`` with a scalar ``s``."""
    if not isinstance(e, BinOp) or e.op not in (Op.MUL, Op.DIV):
        return None
    s = alg.shape(e.right)
    if s is not None and s.is_one_by_one:
        return e.left, e.op, e.right
    s = alg.shape(e.left)
    if e.op is Op.MUL and s is not None and s.is_one_by_one:
        return e.right, e.op, e.left
    return None


def _scale(alg: Algebra, e: Expr, right: bool) -> Expr | None:
    found = _scaled(alg, e)
    if found is None:
        return None
    inner, op, s = found
    if _call(inner, "diag") and len(inner.args) == 1:                 # type: ignore[union-attr]
        v = inner.args[0]                                             # type: ignore[union-attr]
        return alg.call("diag", BinOp(op, v, s, NOSPAN, NOSPAN))
    if not isinstance(inner, BinOp) or inner.op is not Op.MATMUL:
        return None
    if right:
        return alg.matmul(inner.left, BinOp(op, inner.right, s, NOSPAN, NOSPAN))
    return alg.matmul(BinOp(op, inner.left, s, NOSPAN, NOSPAN), inner.right)


def scale_right(alg: Algebra, e: Expr) -> Expr | None:
    """(A @ B) / s -> A @ (B / s) and (A @ B) * s -> A @ (B * s) for a scalar s;
    diag(v) / s -> diag(v / s) and diag(v) * s -> diag(v * s)."""
    return _scale(alg, e, True)


def scale_left(alg: Algebra, e: Expr) -> Expr | None:
    """(A @ B) / s -> (A / s) @ B and (A @ B) * s -> (A * s) @ B for a scalar s."""
    return _scale(alg, e, False)
