"""Rewrite rules that rest on a declaration: each states the identity, the
attribute it needs, and records the assumption ("y is onehot"), which the
derivation prints with its result.  Part of the table of ``rewrite``."""
from __future__ import annotations

from dsl.builtins.symbolic import Algebra, number
from dsl.core.ast import BinOp, Call, Expr, Name, Op, Transpose
from dsl.derive.products import orthogonal
from dsl.derive.shapes import axis_of


def _call(e: Expr, func: str) -> bool:
    return isinstance(e, Call) and e.func == func and not e.prime


def label_sum(alg: Algebra, e: Expr) -> Expr | None:
    """sum(y) -> 1 for a vector label y declared onehot or prob (its entries sum to one), and
    sum(Y, axis=1) -> ones(m, 1) for a matrix label (each row sums to one); the assumption is recorded."""
    labels = alg.labels
    if not labels or not _call(e, "sum") or not isinstance(e.args[0], Name):     # type: ignore[union-attr]
        return None
    y = e.args[0].id                                                           # type: ignore[union-attr]
    s = alg.shape(e.args[0])                                                   # type: ignore[union-attr]
    if y not in labels or s is None:
        return None
    axis = axis_of(e)                                                          # type: ignore[arg-type]
    if s.is_vector and (axis is None or (axis in (1, -1)) == s.is_row):
        out: Expr = number(1)
    elif s.rank == 2 and not s.is_vector and axis in (1, -1):
        out = alg.call("ones", alg.size(s.rows), number(1))
    else:
        return None
    alg.used.append((y, labels[y]))
    return out


def symmetric_rule(alg: Algebra, e: Expr) -> Expr | None:
    """S.T -> S and inv(S).T -> inv(S) for a name S declared symmetric or spd; the assumption is recorded."""
    if not isinstance(e, Transpose):
        return None
    name = e.operand
    if _call(name, "inv"):
        name = name.args[0]                                                    # type: ignore[union-attr]
    if not isinstance(name, Name):
        return None
    kind = alg.symmetric.get(name.id)
    if kind is None:
        return None
    alg.used.append((name.id, kind))
    return e.operand


def attribute_rule(alg: Algebra, e: Expr) -> Expr | None:
    """b * b -> b for b declared binary (0 or 1); y * y -> 1 for y declared pm1 (-1 or 1);
    Q.T @ Q -> eye(n) and Q @ Q.T -> eye(n) for Q declared orthogonal; the assumption is recorded."""
    if not isinstance(e, BinOp):
        return None
    left, right = e.left, e.right
    if e.op is Op.MUL and isinstance(left, Name) and left == right:
        attrs = alg.attrs.get(left.id, ())
        if "binary" in attrs:
            alg.used.append((left.id, "binary"))
            return left
        if "pm1" in attrs:
            alg.used.append((left.id, "pm1"))
            shape = alg.shape(left)
            return number(1) if shape is None or shape.is_scalar else alg.ones(shape)
    if e.op is Op.MATMUL:
        return orthogonal(alg, left, right)
    return None
