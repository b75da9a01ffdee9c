"""Sums of deviations from a mean, and products with zero (rules of the
normal form, listed in ``rewrite``).

Batch and layer normalisation subtract a mean, ``Xc = X - mean(X, axis=0)``,
and the backward sweep then carries the path through that mean:
``sum(Xc * r, axis=0)`` for a row ``r``.  The deviations from a mean sum to
zero along the axis of the mean, and a factor the same along that axis (a
row, for ``axis=0``) keeps the sum zero, so the path vanishes, as a
derivation by hand says (the gradient through ``mu`` of the variance is
``-2 * mean(Xc, axis=0) = 0``).  :func:`centred_rule` writes such a sum as
zeros; :func:`zeros_rule` then lets a zero factor make its product zero.
Names are read through their definitions (``mu = mean(X, axis=0)``, ``Xc =
X - mu``), which :func:`remember` records for an algebra.
"""
from __future__ import annotations

import weakref
from collections.abc import Mapping

from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Op, Transpose
from dsl.derive.products import Factors, factors, mul_factors, rebuild, terms
from dsl.derive.shapes import axis_of

ALL = "all"
"""The axis of a mean over every entry."""
MAX_DEPTH = 8
"""Definitions read through at most, one inside another."""

_DEFINED: weakref.WeakKeyDictionary[Algebra, Mapping[str, Expr]] = weakref.WeakKeyDictionary()


def remember(alg: Algebra, defs: Mapping[str, Expr]) -> None:
    """The definitions (span-free) the rules of ``alg`` may read names through."""
    _DEFINED[alg] = defs


def _call(e: Expr, *funcs: str) -> bool:
    return isinstance(e, Call) and e.func in funcs and not e.prime and len(e.args) == 1


def _axis(alg: Algebra, e: Expr, axis: int | None) -> int | str | None:
    """``axis`` counted from 0 for the rank of ``e`` (ALL when None); None when unknown."""
    if axis is None:
        return ALL
    s = alg.shape(e)
    if s is None or not s.rank:
        return None
    return axis % s.rank if -s.rank <= axis < s.rank else None


def _defined(alg: Algebra, e: Expr) -> Expr:
    if isinstance(e, Name):
        found = _DEFINED.get(alg, {}).get(e.id)
        if found is not None:
            return found
    return e


def _flat(alg: Algebra, f: Expr, axis: int | str) -> bool:
    """``f`` is the same along ``axis`` (its extent there is 1; for ALL, a scalar)."""
    s = alg.shape(f)
    if s is None:
        return False
    if axis == ALL:
        return s.is_scalar or s.is_one_by_one
    assert isinstance(axis, int)
    return s.is_scalar or (s.rank > axis and s.dims[axis] == 1)


def _mean_of(alg: Algebra, m: Expr, a: Expr) -> int | str | None:
    """The axis of ``m`` when it is ``mean(a, axis=k)`` (through a name), else None."""
    m = _defined(alg, m)
    if not _call(m, "mean"):
        return None
    assert isinstance(m, Call)
    inner = m.args[0]
    if inner != a and _defined(alg, inner) != _defined(alg, a):
        return None
    return _axis(alg, inner, axis_of(m))


def zero_axis(alg: Algebra, e: Expr, depth: int = 0) -> int | str | None:
    """The axis along which the entries of ``e`` sum to zero (ALL: over all of them), or None:
    ``A - mean(A, axis=k)``, a name defined as one, and such a value times or divided by
    factors the same along that axis, negated, or a sum of two with the same axis."""
    if depth > MAX_DEPTH:
        return None
    e = _defined(alg, e)
    match e:
        case BinOp(op=Op.SUB, left=a, right=m) if (k := _mean_of(alg, m, a)) is not None:
            return k
        case Neg(operand=a):
            return zero_axis(alg, a, depth + 1)
        case BinOp(op=Op.MUL, left=a, right=b):
            for inner, factor in ((a, b), (b, a)):
                k = zero_axis(alg, inner, depth + 1)
                if k is not None and _flat(alg, factor, k) and alg.shape(inner) == alg.shape(e):
                    return k
        case BinOp(op=Op.DIV, left=a, right=b):
            k = zero_axis(alg, a, depth + 1)
            if k is not None and _flat(alg, b, k) and alg.shape(a) == alg.shape(e):
                return k
        case BinOp(op=Op.ADD | Op.SUB, left=a, right=b):
            k = zero_axis(alg, a, depth + 1)
            if k is not None and k == zero_axis(alg, b, depth + 1) and alg.shape(a) == alg.shape(b):
                return k
    return None


def _sums_to_zero(alg: Algebra, e: Expr, outer: int | str) -> bool:
    k = zero_axis(alg, e)
    return k is not None and outer in (ALL, k)


def centred_rule(alg: Algebra, e: Expr) -> Expr | None:
    """sum(A - mean(A, axis=k), axis=k) -> zeros (also mean, and the sum of every entry),
    through names and factors the same along k: sum((X - mu) * r, axis=0) -> zeros(1, n)
    for mu = mean(X, axis=0) and a row r; such a term of a sum is dropped from it:
    sum(B - (X - mu) * r, axis=0) -> sum(B, axis=0)."""
    if not _call(e, "sum", "mean"):
        return None
    assert isinstance(e, Call)
    inner = e.args[0]
    outer = _axis(alg, inner, axis_of(e))
    s = alg.shape(e)
    if outer is None or s is None:
        return None
    if _sums_to_zero(alg, inner, outer):
        return number(0) if s.is_scalar else alg.filled("zeros", s)
    if not (isinstance(inner, BinOp) and inner.op in (Op.ADD, Op.SUB)):
        return None
    parts = terms(alg, inner)
    kept = [(sign, t) for sign, t in parts if not _sums_to_zero(alg, t, outer)]
    if len(kept) == len(parts) or not kept:
        return None
    rest: Expr | None = None
    for sign, t in kept:
        rest = (alg.neg(t) if sign < 0 else t) if rest is None else \
            BinOp(Op.ADD if sign > 0 else Op.SUB, rest, t, NOSPAN, NOSPAN)
    assert rest is not None
    if alg.shape(rest) != alg.shape(inner):
        return None
    return Call(e.func, (rest,), e.keywords, False, NOSPAN, NOSPAN)


def constant_rule(alg: Algebra, e: Expr) -> Expr | None:
    """sum(A * r, axis=0) -> sum(A, axis=0) * r and sum(A / r, axis=0) -> sum(A, axis=0) / r for a
    row r (for axis=1 a column; also mean): a factor the same along the axis leaves the sum."""
    if not _call(e, "sum", "mean") or axis_of(e) is None:                  # type: ignore[arg-type]
        return None
    assert isinstance(e, Call)
    inner = e.args[0]
    k = _axis(alg, inner, axis_of(e))
    whole = alg.shape(inner)
    if not isinstance(k, int) or whole is None or whole.rank <= k or whole.dims[k] == 1:
        return None
    f = factors(alg, inner)
    if f.core is None:
        return None
    core_factors = mul_factors(f.core)
    flat = [c for c in core_factors if _flat(alg, c, k) and alg.shape(c) != whole]
    rest = [c for c in core_factors if c not in flat]
    divisor = None
    if not flat and isinstance(f.core, BinOp) and f.core.op is Op.DIV and _flat(alg, f.core.right, k) \
            and alg.shape(f.core.left) == whole:
        divisor, rest = f.core.right, [f.core.left]
    if (not flat and divisor is None) or not rest:
        return None
    kept = rest[0]
    for c in rest[1:]:
        kept = alg.mul(kept, c)
    if alg.shape(kept) != whole:
        return None
    out: Expr = Call(e.func, (kept,), e.keywords, False, NOSPAN, NOSPAN)
    for c in flat:
        out = alg.mul(out, c)
    if divisor is not None:
        out = alg.div(out, divisor)
    return rebuild(alg, Factors(f.coef, f.nums, f.dens, out))


def _zeros(e: Expr) -> bool:
    return isinstance(e, Call) and e.func == "zeros" and not e.prime


def zeros_rule(alg: Algebra, e: Expr) -> Expr | None:
    """zeros(S) * A -> zeros(T) and A @ zeros(S), zeros(S) / A, -zeros(S), zeros(S).T and
    sum(zeros(S), axis) -> zeros of their own shape (0 for a scalar): a product with zero is zero."""
    match e:
        case BinOp(op=Op.MUL | Op.MATMUL, left=a, right=b) if _zeros(a) or _zeros(b):
            pass
        case BinOp(op=Op.DIV, left=a) if _zeros(a):
            pass
        case Neg(operand=a) | Transpose(operand=a) if _zeros(a):
            pass
        case Call(func="sum" | "mean", args=(a,), prime=False) if _zeros(a):
            pass
        case _:
            return None
    s = alg.shape(e)
    if s is None:
        return None
    return number(0) if s.is_scalar else alg.filled("zeros", s)
