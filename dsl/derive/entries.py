"""The index form of a derived Jacobian: ``dy[i]/dx[j] = ...`` entry by entry.

:func:`entry` writes the ``(r, c)`` entry of a matrix expression in index
notation: a vector is indexed along its long axis, a transpose swaps the
indices, ``@`` sums over a fresh index, an elementwise operator indexes each
side along the axes it has (broadcasting), ``diag(v)`` is ``v[r] * delta(r, c)``
and ``eye(n)`` is ``delta(r, c)``.  An expression it cannot index (a
reduction, a derivative term) has no index form here (:class:`NoIndexForm`).
"""
from __future__ import annotations

from collections.abc import Iterator

from dsl.builtins import FUNCTIONS
from dsl.builtins.symbolic import NOSPAN, Algebra
from dsl.core.ast import BinOp, Call, Delta, Expr, Index, IndexSum, IndexVar, Name, Neg, Number, Op, Transpose

FRESH = ("k", "l", "p", "q", "r", "s", "t", "u", "v", "w")
"""Names of the summation indices, after ``i`` and ``j``."""


class NoIndexForm(Exception):
    """The expression has no index form here."""


def _fresh() -> Iterator[IndexVar]:
    for name in FRESH:
        yield IndexVar(name, NOSPAN)
    n = 1
    while True:
        yield IndexVar(f"k{n}", NOSPAN)
        n += 1


def entry(alg: Algebra, e: Expr, r: IndexVar | None, c: IndexVar | None,
          fresh: Iterator[IndexVar] | None = None) -> Expr:
    """The ``(r, c)`` entry of ``e`` (None for an axis of size 1)."""
    fresh = fresh or _fresh()
    s = alg.shape(e)
    if s is None or s.is_tensor:
        raise NoIndexForm
    r = r if s.rank == 2 and s.rows != 1 else None
    c = c if s.rank == 2 and s.cols != 1 else None
    match e:
        case Number():
            return e
        case Name():
            found = tuple(ix for ix in (r, c) if ix is not None)
            return Index(e, found, NOSPAN) if found else e
        case Neg(operand=a):
            return Neg(entry(alg, a, r, c, fresh), NOSPAN)
        case Transpose(operand=a):
            return entry(alg, a, c, r, fresh)
        case BinOp(op=Op.MATMUL, left=a, right=b):
            sa = alg.shape(a)
            if sa is None or sa.is_scalar or (alg.shape(b) or sa).is_scalar:
                return BinOp(Op.MUL, entry(alg, a, r, c, fresh), entry(alg, b, r, c, fresh), NOSPAN, NOSPAN)
            if sa.cols == 1:                   # an outer product: nothing to sum
                return BinOp(Op.MUL, entry(alg, a, r, None, fresh), entry(alg, b, None, c, fresh), NOSPAN, NOSPAN)
            k = next(fresh)
            body = BinOp(Op.MUL, entry(alg, a, r, k, fresh), entry(alg, b, k, c, fresh), NOSPAN, NOSPAN)
            return IndexSum((k,), body, NOSPAN)
        case BinOp(op=op, left=a, right=b) if op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV) or op.is_comparison:
            return BinOp(op, entry(alg, a, r, c, fresh), entry(alg, b, r, c, fresh), NOSPAN, NOSPAN)
        case BinOp(op=Op.POW, left=a, right=b):
            return BinOp(Op.POW, entry(alg, a, r, c, fresh), b, NOSPAN, NOSPAN)
        case Call(func="eye"):
            if r is None or c is None:
                raise NoIndexForm
            return Delta(r, c, NOSPAN)
        case Call(func="diag", args=(v,)) if (alg.shape(v) or s).is_vector and r is not None and c is not None:
            return BinOp(Op.MUL, entry(alg, v, r, r, fresh), Delta(r, c, NOSPAN), NOSPAN, NOSPAN)
        case Call(func=func, args=(a,), keywords=()) if FUNCTIONS.get(func) is not None and FUNCTIONS[func].elementwise:
            return Call(func, (entry(alg, a, r, c, fresh),), (), e.prime, NOSPAN, NOSPAN)
    raise NoIndexForm
