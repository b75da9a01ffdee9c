"""The normal form of a product: ``c * s1 * s2 * core / d1 / d2``.

A chain of ``*``, ``@`` and ``/`` is read as a number ``c`` (a fraction),
scalar factors ``s`` and scalar divisors ``d`` (names such as ``lam`` and
``m``, calls such as ``det(S)``), and the rest, the *core*, in its order.
Scalars commute with every product (``A @ (s * B) = s * (A @ B)``), so
they are written first, the divisors last, and a factor that appears above
and below cancels (``det(S) / det(S)``).  ``ones(S)`` in an elementwise
product whose other side already has the shape ``S`` is dropped
(``A * ones(S) = A``).  A negative number is absorbed by a difference in
the core when there is one (``-(a - b) = b - a``).

The form is rebuilt left-deep (``2 * X.T @ (p - y) / m``), which prints
without brackets and parses back to the same value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Number, Op, Transpose

_LEVEL2 = (Op.MUL, Op.MATMUL, Op.DIV)


@dataclass
class Factors:
    coef: Fraction = Fraction(1)
    nums: list[Expr] = field(default_factory=list)
    dens: list[Expr] = field(default_factory=list)
    core: Expr | None = None


def _fraction(value: float) -> Fraction | None:
    f = Fraction(value).limit_denominator(1000)
    return f if float(f) == value else None


def factors(alg: Algebra, e: Expr) -> Factors:
    """``e`` read as coefficient, scalar factors and divisors, and core."""
    if isinstance(e, Number):
        f = _fraction(e.value)
        if f is not None:
            return Factors(coef=f)
    if isinstance(e, Neg):
        inner = factors(alg, e.operand)
        inner.coef = -inner.coef
        return inner
    if isinstance(e, BinOp) and e.op in _LEVEL2:
        a = factors(alg, e.left)
        sb = alg.shape(e.right)
        if e.op is Op.DIV:
            if sb is not None and _scalar(sb):
                b = factors(alg, e.right)
                if b.coef != 0 and b.core is None:
                    return Factors(a.coef / b.coef, a.nums + b.dens, a.dens + b.nums, a.core)
            right = e.right
            if isinstance(right, BinOp) and right.op is Op.MUL and isinstance(right.left, Number) \
                    and right.left.value != 0:      # a / (2 * B): the number below joins the coefficient
                q = _fraction(right.left.value)
                core = _combine(alg, Op.DIV, a.core, right.right)
                if q:
                    return Factors(a.coef / q, a.nums, a.dens, core)
                return Factors(a.coef, a.nums, [*a.dens, right.left], core)
            return Factors(a.coef, a.nums, a.dens, _combine(alg, Op.DIV, a.core, e.right))
        b = factors(alg, e.right)
        return Factors(a.coef * b.coef, a.nums + b.nums, a.dens + b.dens, _combine(alg, e.op, a.core, b.core))
    s = alg.shape(e)
    if s is not None and _scalar(s):
        return Factors(nums=[e])
    return Factors(core=e)


def _scalar(s) -> bool:
    """A scalar, or a 1 x 1 value (``sqrt(x.T @ x)``), which every product
    broadcasts as a scalar: either moves through a product the same way."""
    return bool(s.is_scalar or s.is_one_by_one)


def _combine(alg: Algebra, op: Op, a: Expr | None, b: Expr | None) -> Expr | None:
    if op is Op.DIV:
        return BinOp(Op.DIV, number(1) if a is None else a, b, NOSPAN, NOSPAN)  # type: ignore[arg-type]
    if a is None or b is None:
        return a if b is None else b
    if op is Op.MUL and isinstance(b, BinOp) and b.op is Op.MUL:     # a * (b * c) = a * b * c, entry by entry
        return _combine(alg, Op.MUL, _combine(alg, Op.MUL, a, b.left), b.right)
    if op is Op.MATMUL:
        eye = orthogonal(alg, a, b)
        if eye is not None:
            return eye
        for i, other in ((a, b), (b, a)):         # eye(n) @ M = M @ eye(n) = M
            if isinstance(i, Call) and i.func == "eye" and not i.prime:
                return other
    node = BinOp(op, a, b, NOSPAN, NOSPAN)
    if op is Op.MUL:
        whole = alg.shape(node)
        for one, other in ((a, b), (b, a)):
            if isinstance(one, Call) and one.func == "ones" and whole is not None and alg.shape(other) == whole:
                return other
    return node


def orthogonal(alg: Algebra, a: Expr, b: Expr) -> Expr | None:
    """``Q.T @ Q`` and ``Q @ Q.T`` -> ``eye(n)`` for ``Q`` declared orthogonal (the assumption is recorded)."""
    for t, q in ((a, b), (b, a)):
        if isinstance(t, Transpose) and isinstance(q, Name) and t.operand == q \
                and "orthogonal" in alg.attrs.get(q.id, ()):
            s = alg.shape(q)
            if s is not None and s.is_square:
                alg.used.append((q.id, "orthogonal"))
                return alg.eye(s.rows)
    return None


def _cancel(nums: list[Expr], dens: list[Expr]) -> tuple[list[Expr], list[Expr]]:
    nums, dens = list(nums), list(dens)
    for d in list(dens):
        if d in nums:
            nums.remove(d)
            dens.remove(d)
    return nums, dens


def _flip_difference(e: Expr) -> Expr | None:
    """``e`` with one difference of its product chain turned round (``a - b`` -> ``b - a``)."""
    if isinstance(e, BinOp) and e.op is Op.SUB:
        return BinOp(Op.SUB, e.right, e.left, NOSPAN, NOSPAN)
    if isinstance(e, BinOp) and e.op in _LEVEL2:
        for side in ("left", "right") if e.op is not Op.DIV else ("left",):
            flipped = _flip_difference(getattr(e, side))
            if flipped is not None:
                return BinOp(e.op, flipped, e.right, NOSPAN, NOSPAN) if side == "left" else \
                    BinOp(e.op, e.left, flipped, NOSPAN, NOSPAN)
    return None


def _attach(alg: Algebra, prefix: Expr | None, core: Expr) -> Expr:
    """``prefix * core`` written left-deep: into the leftmost operand of a product chain."""
    if prefix is None:
        return core
    if isinstance(core, BinOp) and core.op is Op.DIV and isinstance(core.left, Number) and core.left.value == 1:
        return BinOp(Op.DIV, prefix, core.right, NOSPAN, NOSPAN)
    if isinstance(core, BinOp) and core.op in _LEVEL2:
        return BinOp(core.op, _attach(alg, prefix, core.left), core.right, NOSPAN, NOSPAN)
    return BinOp(Op.MUL, prefix, core, NOSPAN, NOSPAN)


def rebuild(alg: Algebra, f: Factors) -> Expr:
    """The expression of ``f``, in the normal form."""
    nums, dens = _cancel(f.nums, f.dens)
    coef, core = f.coef, f.core
    if coef == 0:
        return number(0)
    if coef < 0 and core is not None:
        flipped = _flip_difference(core)
        if flipped is not None:
            coef, core = -coef, flipped
    negative = coef < 0
    coef = abs(coef)
    prefix: Expr | None = None
    if coef.numerator != 1 or (core is None and not nums):
        prefix = number(coef.numerator)
    for s in nums:
        prefix = s if prefix is None else BinOp(Op.MUL, prefix, s, NOSPAN, NOSPAN)
    out = prefix if core is None else _attach(alg, prefix, core)
    assert out is not None
    if coef.denominator != 1 and isinstance(out, BinOp) and out.op is Op.DIV and not isinstance(out.right, Number):
        below = BinOp(Op.MUL, number(coef.denominator), out.right, NOSPAN, NOSPAN)   # a / (2 * B), not a / B / 2
        out = BinOp(Op.DIV, out.left, below, NOSPAN, NOSPAN)
    elif coef.denominator != 1:
        out = BinOp(Op.DIV, out, number(coef.denominator), NOSPAN, NOSPAN)
    for d in dens:
        out = BinOp(Op.DIV, out, d, NOSPAN, NOSPAN)
    if negative:
        out = _negate_leftmost(out)
    return out


def _negate_leftmost(e: Expr) -> Expr:
    if isinstance(e, BinOp) and e.op is Op.MUL and _comparison(e.left) and not _comparison(_leftmost(e.right)):
        return BinOp(Op.MUL, _negate_leftmost(e.right), e.left, NOSPAN, NOSPAN)   # -(c * y) = -y * c
    if isinstance(e, BinOp) and e.op in _LEVEL2:
        first = _leftmost(e)
        if isinstance(first, BinOp) and first.op.is_comparison:
            return Neg(e, NOSPAN)            # a comparison is not negated: the whole product is
        return BinOp(e.op, _negate_leftmost(e.left), e.right, NOSPAN, NOSPAN)
    if isinstance(e, Number):
        return number(-e.value)
    return Neg(e, NOSPAN)


def _comparison(e: Expr) -> bool:
    return isinstance(e, BinOp) and e.op.is_comparison


def _leftmost(e: Expr) -> Expr:
    while isinstance(e, BinOp) and e.op in _LEVEL2:
        e = e.left
    return e


def product_rule(alg: Algebra, e: Expr) -> Expr | None:
    """A product chain in the normal form ``c * s * core / d`` (scalars commute with products)."""
    if not (isinstance(e, BinOp) and e.op in _LEVEL2) and not isinstance(e, Neg):
        return None
    return rebuild(alg, factors(alg, e))


def linear_rule(alg: Algebra, e: Expr) -> Expr | None:
    """sum(c * A, axis) -> c * sum(A, axis) and the same for mean (scalars leave a sum);
    sum(A) -> A for a 1 x 1 value A, and sum(s) = mean(s) -> s for a product of scalars."""
    if not isinstance(e, Call) or e.func not in ("sum", "mean") or e.prime or len(e.args) != 1:
        return None
    f = factors(alg, e.args[0])
    if f.core is None:      # a scalar or a 1 x 1 product of scalars: its sum and mean are itself
        whole = alg.shape(e.args[0])
        return rebuild(alg, f) if not e.keywords and whole is not None and _scalar(whole) else None
    s = alg.shape(f.core)
    if e.func == "sum" and not e.keywords and s is not None and s.is_one_by_one and not s.is_scalar:
        inner: Expr = f.core
    elif f.coef == 1 and not f.nums and not f.dens:
        return None
    else:
        inner = Call(e.func, (f.core,), e.keywords, False, NOSPAN, NOSPAN)
    return rebuild(alg, Factors(f.coef, f.nums, f.dens, inner))


# ------------------------------------------------------------------ sums

def terms(alg: Algebra, e: Expr, sign: int = 1) -> list[tuple[int, Expr]]:
    """The signed terms of a chain of ``+`` and ``-`` (a negated term counts as one of ``-``)."""
    if isinstance(e, BinOp) and e.op in (Op.ADD, Op.SUB):
        return [*terms(alg, e.left, sign), *terms(alg, e.right, sign if e.op is Op.ADD else -sign)]
    if isinstance(e, Neg):
        return terms(alg, e.operand, -sign)
    return [(sign, e)]


def mul_factors(e: Expr) -> list[Expr]:
    if isinstance(e, BinOp) and e.op is Op.MUL:
        return [*mul_factors(e.left), *mul_factors(e.right)]
    return [e]


def _key(f: Factors) -> tuple:
    """Terms with equal keys are like terms: an elementwise product in any order (``g * t``, ``t * g``)."""
    core: object = f.core
    if isinstance(f.core, BinOp) and f.core.op is Op.MUL:
        core = ("*", tuple(sorted(mul_factors(f.core), key=repr)))
    return (tuple(f.nums), tuple(f.dens), core)


def sum_rule(alg: Algebra, e: Expr) -> Expr | None:
    """Like terms combined (``A + A -> 2 * A``, ``A - A / 2 -> A / 2``), terms that cancel
    dropped, and the rest written with ``-`` rather than negative terms (a positive term
    first: ``-a * b + c -> c - a * b``); the shape of
    the whole is kept (a term that fixes it by broadcasting is never dropped alone)."""
    if not (isinstance(e, BinOp) and e.op in (Op.ADD, Op.SUB)):
        return None
    found = terms(alg, e)
    if len(found) < 2:
        return None
    grouped: dict[tuple, Factors] = {}
    for sign, t in found:
        f = factors(alg, t)
        f.nums, f.dens = _cancel(f.nums, f.dens)
        key = _key(f)
        if key in grouped:
            grouped[key].coef += sign * f.coef
        else:
            grouped[key] = Factors(sign * f.coef, f.nums, f.dens, f.core)
    kept = [f for f in grouped.values() if f.coef != 0]
    first = next((i for i, f in enumerate(kept) if f.coef > 0), 0)
    if first:
        kept.insert(0, kept.pop(first))      # a positive term first: b - a, not -a + b
    whole = alg.shape(e)
    out: Expr | None = None
    for f in kept:
        negative = f.coef < 0
        t = rebuild(alg, Factors(abs(f.coef), f.nums, f.dens, f.core))
        out = rebuild(alg, f) if out is None else BinOp(Op.SUB if negative else Op.ADD, out, t, NOSPAN, NOSPAN)
    if out is None:
        if whole is None or whole.is_scalar:
            return number(0)
        return alg.filled("zeros", whole)
    if alg.shape(out) != whole:
        return None
    return out
