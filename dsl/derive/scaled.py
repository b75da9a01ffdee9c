"""Rewrite rules for spread values, scale factors, indicators and the sigmoid
(listed in ``rewrite``).

``c @ ones(1, m)`` (a column repeated along ``m`` columns) inside an
elementwise operator whose other side already has the whole shape is ``c``
itself, broadcast (:func:`spread_rule`).  A scalar factor or divisor of a
matrix product may sit on either operand, and on the vector of a ``diag``
(:func:`scale_right`, :func:`scale_left`): the normal form writes it
outside, these move it in where a name of the file then stands for the
scaled operand (``e.T @ exp(z) / sum(exp(z))`` -> ``e.T @ e``).  A comparison is
1 where it holds and 0 elsewhere, so ``where(c, 1, 0)`` is ``c``
(:func:`indicator_rule`); ``exp(u) / (1 + exp(u))`` is ``sigma(u)``, as is
``1 / (1 + exp(-u))`` (:func:`sigmoid_rule`).
"""
from __future__ import annotations

from dsl.builtins.symbolic import NOSPAN, Algebra, is_number, number
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Op

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
    if not isinstance(inner, BinOp) or inner.op not in (Op.MATMUL, Op.MUL):
        return None
    if right:
        return BinOp(inner.op, inner.left, BinOp(op, inner.right, s, NOSPAN, NOSPAN), NOSPAN, NOSPAN)
    return BinOp(inner.op, BinOp(op, inner.left, s, NOSPAN, NOSPAN), inner.right, NOSPAN, NOSPAN)


def scale_right(alg: Algebra, e: Expr) -> Expr | None:
    """(A @ B) / s -> A @ (B / s) and (A @ B) * s -> A @ (B * s) for a scalar s (also with
    A * B); diag(v) / s -> diag(v / s) and diag(v) * s -> diag(v * s)."""
    return _scale(alg, e, True)


def scale_left(alg: Algebra, e: Expr) -> Expr | None:
    """(A @ B) / s -> (A / s) @ B and (A @ B) * s -> (A * s) @ B for a scalar s (also with A * B)."""
    return _scale(alg, e, False)


COMPARISON = "comparison"
"""The mark (among a name's attributes in the algebra) of a name defined as a comparison."""


def indicator_rule(alg: Algebra, e: Expr) -> Expr | None:
    """where(c, 1, 0) -> c for a comparison c (1 where it holds, 0 elsewhere; also a name
    defined as one, or declared binary), when c has the shape of the whole."""
    if not _call(e, "where") or len(e.args) != 3:                    # type: ignore[union-attr]
        return None
    c, a, b = e.args                                                  # type: ignore[union-attr]
    if not (is_number(a, 1) and is_number(b, 0)) or alg.shape(c) != alg.shape(e):
        return None
    if isinstance(c, BinOp) and c.op.is_comparison:
        return c
    attrs = alg.attrs.get(c.id, ()) if isinstance(c, Name) else ()
    if COMPARISON in attrs:
        return c
    if "binary" in attrs:
        alg.used.append((c.id, "binary"))                            # type: ignore[union-attr]
        return c
    return None


def _exp_of(e: Expr) -> Expr | None:
    return e.args[0] if _call(e, "exp") and len(e.args) == 1 else None  # type: ignore[union-attr]


def _one_plus_exp(e: Expr) -> Expr | None:
    """``u`` when ``e`` is ``1 + exp(u)`` (or ``exp(u) + 1``)."""
    if isinstance(e, BinOp) and e.op is Op.ADD:
        if is_number(e.left, 1):
            return _exp_of(e.right)
        if is_number(e.right, 1):
            return _exp_of(e.left)
    return None


def _ratio(alg: Algebra, num: Expr, den: Expr) -> Expr | None:
    """``num / den`` for the pairs with a shorter spelling: exp(u) / (1 + exp(u)) is
    sigma(u), sigma'(u) / sigma(u) is 1 - sigma(u)."""
    u = _one_plus_exp(den)
    if u is not None and _exp_of(num) == u:
        return alg.call("sigma", u)
    if _call(den, "sigma") and isinstance(num, Call) and num.func == "sigma" and num.prime \
            and num.args == den.args:                                 # type: ignore[union-attr]
        return alg.sub(number(1), den)
    return None


def sigmoid_rule(alg: Algebra, e: Expr) -> Expr | None:
    """P / (1 + exp(-u)) -> P * sigma(u); P * exp(u) / (1 + exp(u)) -> P * sigma(u);
    (P / (1 + exp(u))) * exp(u) -> P * sigma(u); the same with sigma'(u) / sigma(u) ->
    1 - sigma(u) (entry by entry, P possibly 1)."""
    if not isinstance(e, BinOp):
        return None
    found: Expr | None = None
    if e.op is Op.DIV:
        u = _one_plus_exp(e.right)
        if isinstance(u, Neg):
            found = alg.mul(e.left, alg.call("sigma", u.operand))
        elif (q := _ratio(alg, e.left, e.right)) is not None:
            found = q
        elif isinstance(e.left, BinOp) and e.left.op is Op.MUL:
            for p, n in ((e.left.left, e.left.right), (e.left.right, e.left.left)):
                if (q := _ratio(alg, n, e.right)) is not None:
                    found = alg.mul(p, q)
                    break
    elif e.op is Op.MUL:
        for d, n in ((e.left, e.right), (e.right, e.left)):
            if isinstance(d, BinOp) and d.op is Op.DIV and (q := _ratio(alg, n, d.right)) is not None:
                found = alg.mul(d.left, q)
                break
    if found is not None and alg.shape(found) == alg.shape(e):
        return found
    return None
