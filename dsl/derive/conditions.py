"""Comparisons and ``where`` in the form a reader writes them (rules of the
normal form, listed in ``rewrite``).

The derivative of ``maximum(1 - m, 0)`` is the step ``1 - m > 0``, and
written through the backward sweep a comparison keeps whatever side its
operands came from (``0 < 1 - m``).  :func:`comparison_rule` puts a lone
number on the right and moves the numbers of a sum across
(``0 < 1 - m -> m < 1``, ``a - b > 0 -> a > b``, ``-a < 2 -> a > -2``):
adding a number to both sides, and negating both while the operator
turns round, keep every entry's truth.

A ``where`` chooses entry by entry, and a comparison is 1 where it holds:
:func:`branch_rule` takes a
``where`` with the condition of a ``where`` around it to the branch that
applies (``where(c, f(where(c, a, b)), z) -> where(c, f(a), z)``), and
joins the two halves of a piecewise derivative (``a * c + where(c, 0, b)
-> where(c, a, b)``: a comparison factor ``c`` is ``where(c, ., 0)``), and
takes a scalar factor or divisor both branches share out of it
(``where(c, r / m, d * sign(r) / m) -> where(c, r, d * sign(r)) / m``).
Last, :func:`placed` writes ``where(c, 0, 1)`` as the opposite comparison
(``where(x > 0, 0, 1) -> x <= 0``) where a comparison may stand, and a
comparison where one may not as ``where(c, 1, 0)``.
"""
from __future__ import annotations

from dataclasses import replace

from dsl.builtins.symbolic import NOSPAN, Algebra, is_number, number
from dsl.core.ast import BinOp, Call, Expr, Keyword, Neg, Number, Op, Transpose
from dsl.derive.products import Factors, factors, mul_factors, rebuild

MIRROR = {Op.GT: Op.LT, Op.LT: Op.GT, Op.GE: Op.LE, Op.LE: Op.GE}
"""``a > b`` is ``b < a``: the operator with its sides swapped."""
OPPOSITE = {Op.GT: Op.LE, Op.LE: Op.GT, Op.LT: Op.GE, Op.GE: Op.LT}
"""``a > b`` is 0 exactly where ``a <= b`` is 1."""


def _compare(op: Op, a: Expr, b: Expr) -> BinOp:
    return BinOp(op, a, b, NOSPAN, NOSPAN)


def _is_comparison(e: Expr) -> bool:
    return isinstance(e, BinOp) and e.op.is_comparison


def _where(e: Expr) -> bool:
    return isinstance(e, Call) and e.func == "where" and not e.prime and len(e.args) == 3


def comparison_rule(alg: Algebra, e: Expr) -> Expr | None:
    """0 < a -> a > 0 (a lone number on the right); k - a > c -> a < k - c, a + k > c -> a > c - k,
    a - k > c -> a > c + k (numbers k and c); a - b > 0 -> a > b; -a > c -> a < -c."""
    if not _is_comparison(e):
        return None
    assert isinstance(e, BinOp)
    op, left, right = e.op, e.left, e.right
    if isinstance(left, Number) and not isinstance(right, Number):
        swapped = _compare(MIRROR[op], right, left)
        return comparison_rule(alg, swapped) or swapped
    if not isinstance(right, Number):
        return None
    c = right.value
    if isinstance(left, Neg):
        return _compare(MIRROR[op], left.operand, number(-c))
    if not (isinstance(left, BinOp) and left.op in (Op.ADD, Op.SUB)):
        return None
    a, b = left.left, left.right
    if isinstance(a, Number) and not isinstance(b, Number):
        if left.op is Op.ADD:
            return _compare(op, b, number(c - a.value))
        return _compare(MIRROR[op], b, number(a.value - c))
    if isinstance(b, Number) and not isinstance(a, Number):
        return _compare(op, a, number(c - b.value if left.op is Op.ADD else c + b.value))
    if c == 0 and left.op is Op.SUB:
        return _compare(op, a, b)
    return None


def _branch(e: Expr, cond: Expr, pick: int) -> Expr:
    """``e`` with every ``where(cond, a, b)`` inside it replaced by its argument ``pick`` (1: a, 2: b)."""
    if _where(e) and e.args[0] == cond:                                     # type: ignore[union-attr]
        return _branch(e.args[pick], cond, pick)                            # type: ignore[union-attr]
    match e:
        case BinOp():
            return replace(e, left=_branch(e.left, cond, pick), right=_branch(e.right, cond, pick))
        case Neg():
            return replace(e, operand=_branch(e.operand, cond, pick))
        case Call():
            return replace(e, args=tuple(_branch(a, cond, pick) for a in e.args),
                           keywords=tuple(Keyword(k.name, k.value, k.span) for k in e.keywords))
    return e


def _guarded(alg: Algebra, e: Expr) -> tuple[Expr, Expr, Expr] | None:
    """``(c, a, b)`` for ``where(c, a, b)``, and ``(c, rest, 0)`` for an elementwise product
    with the comparison factor ``c`` (``c * rest`` is ``where(c, rest, 0)`` where it has the shape)."""
    if _where(e):
        c, a, b = e.args                                                     # type: ignore[union-attr]
        return c, a, b
    if _is_comparison(e):
        return e, number(1), number(0)
    factors = mul_factors(e)
    if len(factors) < 2:
        return None
    for i, f in enumerate(factors):
        if _is_comparison(f):
            rest = factors[:i] + factors[i + 1:]
            kept = rest[0]
            for r in rest[1:]:
                kept = alg.mul(kept, r)
            if alg.shape(kept) == alg.shape(e):
                return f, kept, number(0)
    return None


def _joined(alg: Algebra, e: BinOp) -> Expr | None:
    """a * c + where(c, 0, b) -> where(c, a, b): two conditional terms under one condition."""
    one, two = _guarded(alg, e.left), _guarded(alg, e.right)
    if one is None or two is None:
        return None
    opposite = _is_comparison(one[0]) and _opposite(one[0]) == two[0]
    if one[0] != two[0] and not opposite:
        return None
    if not (_where(e.left) or _where(e.right) or opposite):
        return None                      # a * c + b * c: a common factor, not a choice
    c, a1, b1 = one
    a2, b2 = (two[2], two[1]) if opposite else (two[1], two[2])
    combine = alg.add if e.op is Op.ADD else alg.sub
    def side(x: Expr, y: Expr) -> Expr:
        if is_number(y, 0):
            return x
        if is_number(x, 0):
            return y if e.op is Op.ADD else alg.neg(y)
        return combine(x, y)                                                 # type: ignore[return-value]
    out = alg.call("where", c, side(a1, a2), side(b1, b2))
    return out if alg.shape(out) == alg.shape(e) else None


def _opposite(c: Expr) -> Expr:
    assert isinstance(c, BinOp)
    return _compare(OPPOSITE[c.op], c.left, c.right)


def _common(xs: list[Expr], ys: list[Expr]) -> list[Expr]:
    rest = list(ys)
    out = []
    for x in xs:
        if x in rest:
            rest.remove(x)
            out.append(x)
    return out


def _without(f: Factors, nums: list[Expr], dens: list[Expr]) -> Factors:
    kept_nums, kept_dens = list(f.nums), list(f.dens)
    for x in nums:
        kept_nums.remove(x)
    for x in dens:
        kept_dens.remove(x)
    return Factors(f.coef, kept_nums, kept_dens, f.core)


def _scaled_branches(alg: Algebra, c: Expr, a: Expr, b: Expr) -> Expr | None:
    """where(c, s * a / d, s * b / d) -> s * where(c, a, b) / d for scalars s and d (neither branch 0)."""
    if is_number(a, 0) or is_number(b, 0):
        return None                      # where_rule takes the factors into the other branch instead
    fa, fb = factors(alg, a), factors(alg, b)
    nums, dens = _common(fa.nums, fb.nums), _common(fa.dens, fb.dens)
    if not nums and not dens:
        return None
    inner = alg.call("where", c, rebuild(alg, _without(fa, nums, dens)), rebuild(alg, _without(fb, nums, dens)))
    return rebuild(alg, Factors(nums=nums, dens=dens, core=inner))


def branch_rule(alg: Algebra, e: Expr) -> Expr | None:
    """where(c, f(where(c, a, b)), g(where(c, a, b)))
    -> where(c, f(a), g(b)); a * c + where(c, 0, b) -> where(c, a, b) and where(c, a, 0) + where(c', b, 0)
    -> where(c, a, b) for the opposite c' of a comparison c; where(c, a / m, b / m) -> where(c, a, b) / m
    and where(c, s * a, s * b) -> s * where(c, a, b) for scalars m and s."""
    if isinstance(e, BinOp) and e.op in (Op.ADD, Op.SUB):
        return _joined(alg, e)
    if not _where(e):
        return None
    c, a, b = e.args                                                         # type: ignore[union-attr]
    inner = (_branch(a, c, 1), _branch(b, c, 2))
    if inner != (a, b):
        return alg.call("where", c, *inner)
    out = _scaled_branches(alg, c, a, b)
    return out if out is not None and alg.shape(out) == alg.shape(e) else None


def placed(alg: Algebra, e: Expr, free: bool = True) -> Expr:
    """``e`` with each comparison where a comparison may stand (the whole, a factor of ``*``,
    the condition of ``where``: ``free``) and nowhere else: ``where(a > b, 0, 1) -> a <= b``
    where one may stand, and a comparison elsewhere written ``where(c, 1, 0)`` (its value)."""
    match e:
        case BinOp(op=op) if op.is_comparison and not free:
            return alg.call("where", e, number(1), number(0))
        case BinOp():
            factor = e.op is Op.MUL          # an operand of '*' may be a comparison (a mask)
            new = replace(e, left=placed(alg, e.left, factor), right=placed(alg, e.right, factor))
            return new if new != e else e
        case Neg() | Transpose():
            new_operand = placed(alg, e.operand, False)
            return e if new_operand == e.operand else replace(e, operand=new_operand)
        case Call():
            if _where(e):
                c, a, b = e.args
                if free and _is_comparison(c) and is_number(a, 0) and is_number(b, 1) \
                        and alg.shape(c) == alg.shape(e):
                    return _opposite(c)
                args: tuple[Expr, ...] = (placed(alg, c, True), placed(alg, a, False), placed(alg, b, False))
            else:
                args = tuple(placed(alg, a, False) for a in e.args)
            return e if args == e.args else replace(e, args=args)
    return e
