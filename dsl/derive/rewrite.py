"""Rewrite rules: each a stated identity with its shape side conditions.

A rule is ``rule(alg, e) -> Expr | None`` on one node whose operands are
already rewritten; ``alg.shape`` gives the shapes the side conditions read.
:data:`ALWAYS` are applied wherever they match (each makes the expression
no larger: they define the normal form); :data:`CHOICES` are tried by
``simplify`` and kept only when the readability score improves.  Every
rule is listed with its identity in :data:`IDENTITIES`, which the tests
check numerically one by one.
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.builtins.symbolic import NOSPAN, Algebra, is_number, number
from dsl.core.ast import BinOp, Call, Expr, Neg, Number, Op, Transpose
from dsl.core.dims import Shape
from dsl.derive.assumed import attribute_rule, label_sum, symmetric_rule
from dsl.derive.centred import centred_rule, constant_rule, zeros_rule
from dsl.derive.conditions import branch_rule, comparison_rule
from dsl.derive.powers import power_rule, root_rule
from dsl.derive.primes import named_prime, prime_rule
from dsl.derive.products import linear_rule, mul_factors, product_rule, sum_rule
from dsl.derive.rational import rational_rule
from dsl.derive.scaled import indicator_rule, scale_left, scale_right, sigmoid_rule, spread_rule
from dsl.derive.shapes import axis_of

Rule = Callable[[Algebra, Expr], "Expr | None"]


def _shape(alg: Algebra, e: Expr) -> Shape | None:
    return alg.shape(e)


def _is(alg: Algebra, e: Expr, test: str) -> bool:
    s = alg.shape(e)
    return s is not None and bool(getattr(s, test))


def _call(e: Expr, func: str) -> bool:
    return isinstance(e, Call) and e.func == func and not e.prime


# -------------------------------------------------------------- transposes

def transpose_rule(alg: Algebra, e: Expr) -> Expr | None:
    """A.T.T -> A; s.T -> s (scalar); eye(n).T -> eye(n); diag(v).T -> diag(v)
    (v a vector); ones(r, c).T -> ones(c, r); (-A).T -> -A.T."""
    if not isinstance(e, Transpose):
        return None
    a = e.operand
    if isinstance(a, Transpose):
        return a.operand
    if isinstance(a, Number) or _is(alg, a, "is_one_by_one"):
        return a
    if _call(a, "eye") or (_call(a, "diag") and _is(alg, a.args[0], "is_vector")):  # type: ignore[union-attr]
        return a
    if _call(a, "ones") and len(a.args) == 2:                                      # type: ignore[union-attr]
        return alg.call("ones", a.args[1], a.args[0])                              # type: ignore[union-attr]
    if isinstance(a, Neg):
        return alg.neg(alg.T(a.operand))
    return None


def _push(alg: Algebra, e: Expr, levels: int) -> Expr | None:
    """``e.T`` with the transpose moved ``levels`` operators down (None: it cannot move)."""
    if levels == 0 or not isinstance(e, BinOp):
        return None
    def down(x: Expr) -> Expr:
        found = _push(alg, x, levels - 1)
        return alg.T(x) if found is None else found
    if e.op is Op.MATMUL:
        return alg.matmul(down(e.right), down(e.left))
    if e.op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV):
        if any((s := alg.shape(x)) is None or s.is_tensor for x in (e.left, e.right)):
            return None
        return BinOp(e.op, down(e.left), down(e.right), NOSPAN, NOSPAN)
    return None


def push_transpose(alg: Algebra, e: Expr, levels: int = 1) -> Expr | None:
    """(A @ B).T -> B.T @ A.T; (A + B).T -> A.T + B.T; (A * B).T -> A.T * B.T
    (also - and /: elementwise operators commute with the transpose of 2-D values)."""
    if not isinstance(e, Transpose):
        return None
    return _push(alg, e.operand, levels)


def push_transpose_twice(alg: Algebra, e: Expr) -> Expr | None:
    """push_transpose two operators down at once ((A @ B / s).T -> B.T @ A.T / s)."""
    return push_transpose(alg, e, 2)


def push_transpose_all(alg: Algebra, e: Expr) -> Expr | None:
    """push_transpose down to the leaves."""
    return push_transpose(alg, e, 64)


# -------------------------------------------------- identities and diagonals

def identity_rule(alg: Algebra, e: Expr) -> Expr | None:
    """eye(n) @ M -> M; M @ eye(n) -> M; eye(n) * v -> diag(v) (v a vector of n);
    A * ones(S) -> A and A + zeros(S) -> A when A already has the shape S."""
    if not isinstance(e, BinOp):
        return None
    left, right = e.left, e.right
    if e.op is Op.MATMUL:
        if _call(left, "eye"):
            return right
        if _call(right, "eye"):
            return left
    if e.op is Op.MUL:
        for one, other in ((left, right), (right, left)):
            if _call(one, "eye") and _is(alg, other, "is_vector") \
                    and alg.shape(one) == alg.shape(alg.call("diag", other)):
                return alg.call("diag", other)
            if _call(one, "ones") and alg.shape(other) == alg.shape(e):
                return other
    if e.op is Op.DIV and _call(left, "ones") and alg.shape(right) == alg.shape(e):
        return BinOp(Op.DIV, number(1), right, NOSPAN, NOSPAN)
    if e.op in (Op.ADD, Op.SUB):
        if _call(right, "ones") and alg.shape(left) == alg.shape(e):
            return BinOp(e.op, left, number(1), NOSPAN, NOSPAN)
        if _call(right, "zeros") and alg.shape(left) == alg.shape(e):
            return left
        if _call(left, "zeros") and alg.shape(right) == alg.shape(e):
            return right if e.op is Op.ADD else alg.neg(right)
    return None


def one_by_one(alg: Algebra, e: Expr) -> Expr | None:
    """A @ s -> s * A and s @ A -> s * A for a 1 x 1 value s (it scales like a scalar)."""
    if not isinstance(e, BinOp) or e.op is not Op.MATMUL:
        return None
    for s, other in ((e.right, e.left), (e.left, e.right)):
        if _is(alg, s, "is_one_by_one") and not _is(alg, s, "is_scalar") and not _is(alg, other, "is_one_by_one"):
            return alg.mul(s, other)
    return None


def outer_rule(alg: Algebra, e: Expr) -> Expr | None:
    """u * v -> u @ v for a column u and a row v (and v * u): the broadcast product is the outer product."""
    if not isinstance(e, BinOp) or e.op is not Op.MUL:
        return None
    if _is(alg, e.left, "is_col") and _is(alg, e.right, "is_row"):
        return alg.matmul(e.left, e.right)
    if _is(alg, e.left, "is_row") and _is(alg, e.right, "is_col"):
        return alg.matmul(e.right, e.left)
    return None


def diag_product(alg: Algebra, e: Expr) -> Expr | None:
    """diag(v) @ M -> v * M (v a column; v.T * M for a row): row i of M scaled by v[i];
    M @ diag(v) -> M * v (v a row; M * v.T for a column): column j scaled by v[j]."""
    if not isinstance(e, BinOp) or e.op is not Op.MATMUL:
        return None
    for d, other, left in ((e.left, e.right, True), (e.right, e.left, False)):
        if _call(d, "diag") and _is(alg, d.args[0], "is_vector"):    # type: ignore[union-attr]
            v = d.args[0]                                             # type: ignore[union-attr]
            if left:
                return alg.mul(alg.column(v), other)
            return alg.mul(other, alg.T(alg.column(v)))
    return None


def cancel_rule(alg: Algebra, e: Expr) -> Expr | None:
    """(A / B) * B -> A, B * (A / B) -> A, (A * B) / B -> A and (B * A) / B -> A
    (entry by entry, where B is nonzero), when A already has the shape of the whole."""
    if not isinstance(e, BinOp):
        return None
    found = None
    if e.op is Op.MUL:
        for q, b in ((e.left, e.right), (e.right, e.left)):
            if isinstance(q, BinOp) and q.op is Op.DIV and q.right == b:
                found = q.left
    elif e.op is Op.DIV and isinstance(e.left, BinOp) and e.left.op is Op.MUL:
        if e.left.right == e.right:
            found = e.left.left
        elif e.left.left == e.right:
            found = e.left.right
    if found is not None and alg.shape(found) == alg.shape(e):
        return found
    return None


def diag_sum(alg: Algebra, e: Expr) -> Expr | None:
    """sum(diag(v), axis=1) -> v as a column, sum(diag(v), axis=0) -> v as a row (one entry per row/column)."""
    if not _call(e, "sum") or not _call(e.args[0], "diag"):                    # type: ignore[union-attr]
        return None
    v = e.args[0].args[0]                                                      # type: ignore[union-attr]
    if not _is(alg, v, "is_vector"):
        return None
    axis = axis_of(e)                                                          # type: ignore[arg-type]
    if axis in (1, -1):
        return alg.column(v)
    if axis == 0:
        return alg.T(alg.column(v))
    return None


def where_rule(alg: Algebra, e: Expr) -> Expr | None:
    """where(c, a, 0) + where(c, 0, b) -> where(c, a, b); A * where(c, B, 0) -> where(c, A * B, 0)
    (and with the 0 first); where(c, ones(S), b) -> where(c, 1, b) when c has the shape S."""
    if isinstance(e, BinOp) and e.op is Op.ADD and _call(e.left, "where") and _call(e.right, "where"):
        (c1, a1, b1), (c2, a2, b2) = e.left.args, e.right.args                   # type: ignore[union-attr]
        if c1 == c2 and is_number(b1, 0) and is_number(a2, 0):
            return alg.call("where", c1, a1, b2)
    if isinstance(e, BinOp) and e.op is Op.MUL:
        for w, other in ((e.right, e.left), (e.left, e.right)):
            if _call(w, "where"):
                c, a, b = w.args                                                 # type: ignore[union-attr]
                for zero_first in (False, True):
                    zero, kept = (a, b) if zero_first else (b, a)
                    if is_number(zero, 0):
                        inner = alg.mul(other, kept)
                        if alg.shape(inner) == alg.shape(e):
                            args = (c, number(0), inner) if zero_first else (c, inner, number(0))
                            return alg.call("where", *args)
    if _call(e, "where"):
        c, a, b = e.args                                                          # type: ignore[union-attr]
        shape = alg.shape(e)
        new = tuple(number(1) if _call(v, "ones") and alg.shape(c) == shape else v for v in (a, b))
        if new != (a, b):
            return alg.call("where", c, *new)
    return None


def reassociate(alg: Algebra, e: Expr) -> Expr | None:
    """A @ (B @ C) -> (A @ B) @ C: the matrix product is associative (the grouping that reads best is kept)."""
    if isinstance(e, BinOp) and e.op is Op.MATMUL and isinstance(e.right, BinOp) and e.right.op is Op.MATMUL:
        return alg.matmul(alg.matmul(e.left, e.right.left), e.right.right)
    return None


def distribute(alg: Algebra, e: Expr) -> Expr | None:
    """A * (B + C) -> A * B + A * C and (B + C) * A -> B * A + C * A (also with -), entry by entry."""
    if not isinstance(e, BinOp) or e.op is not Op.MUL:
        return None
    for s, other, left in ((e.right, e.left, False), (e.left, e.right, True)):
        if isinstance(s, BinOp) and s.op in (Op.ADD, Op.SUB):
            if left:
                return BinOp(s.op, alg.mul(s.left, other), alg.mul(s.right, other), NOSPAN, NOSPAN)
            return BinOp(s.op, alg.mul(other, s.left), alg.mul(other, s.right), NOSPAN, NOSPAN)
    return None


# ------------------------------------------------------------ constants

def fold_rule(alg: Algebra, e: Expr) -> Expr | None:
    """Constant folding: 2 * 3 -> 6, 1 * A -> A, A / 1 -> A, --A -> A, -(2) -> -2,
    A ** 1 -> A, A + 0 -> A (a scalar 0 broadcasts without changing A's shape)."""
    match e:
        case Neg(operand=Neg(operand=a)):
            return a
        case Neg(operand=Number(value=v)):
            return number(-v)
        case BinOp(op=op, left=Number(value=a), right=Number(value=b)) if op in _FOLD:
            value = _FOLD[op](a, b)
            return number(value) if value is not None else None
        case BinOp(op=Op.MUL, left=a, right=b) if is_number(a, 1) or is_number(b, 1):
            return b if is_number(a, 1) else a
        case BinOp(op=Op.DIV | Op.POW, left=a, right=b) if is_number(b, 1):
            return a
        case BinOp(op=Op.ADD | Op.SUB, left=a, right=b) if is_number(b, 0):
            return a
        case BinOp(op=Op.ADD, left=a, right=b) if is_number(a, 0):
            return b
    return None


def _div(a: float, b: float) -> float | None:
    if b == 0:
        return None
    q = a / b
    return q if q.is_integer() else None     # 2 / 3 stays a fraction as written


_FOLD = {Op.ADD: lambda a, b: a + b, Op.SUB: lambda a, b: a - b, Op.MUL: lambda a, b: a * b, Op.DIV: _div}


# ------------------------------------------------------------- sums

def sum_of_product(alg: Algebra, e: Expr) -> Expr | None:
    """sum(x * y) -> x @ y.T for row vectors of one shape (x.T @ y for columns): a dot product."""
    if not _call(e, "sum") or e.keywords or not isinstance(e.args[0], BinOp):   # type: ignore[union-attr]
        return None
    inner = e.args[0]                                                         # type: ignore[union-attr]
    if inner.op is not Op.MUL or alg.shape(inner.left) != alg.shape(inner.right):
        return None
    if _is(alg, inner.left, "is_row"):
        return alg.matmul(inner.left, alg.T(inner.right))
    if _is(alg, inner.left, "is_col"):
        return alg.matmul(alg.T(inner.left), inner.right)
    return None


def factor_rule(alg: Algebra, e: Expr) -> Expr | None:
    """A @ C + B @ C -> (A + B) @ C; C @ A + C @ B -> C @ (A + B); a * c + b * c -> (a + b) * c;
    a * c / d + b * c / d -> (a + b) * c / d; A + A -> 2 * A (and the same with -), when the shapes of
    the sum and its factors agree."""
    if not isinstance(e, BinOp) or e.op not in (Op.ADD, Op.SUB):
        return None
    a, b = e.left, e.right
    if a == b:
        return alg.mul(number(2), a) if e.op is Op.ADD else number(0)
    if isinstance(a, BinOp) and isinstance(b, BinOp) and a.op is b.op and a.op in (Op.MATMUL, Op.MUL):
        rebuilt = None
        if a.right == b.right:
            rebuilt = BinOp(a.op, BinOp(e.op, a.left, b.left, NOSPAN, NOSPAN), a.right, NOSPAN, NOSPAN)
        elif a.left == b.left:
            rebuilt = BinOp(a.op, a.left, BinOp(e.op, a.right, b.right, NOSPAN, NOSPAN), NOSPAN, NOSPAN)
        if rebuilt is not None and alg.shape(rebuilt) == alg.shape(e):
            return rebuilt
    if isinstance(a, BinOp) and isinstance(b, BinOp) and a.op is b.op is Op.DIV and a.right == b.right:
        # only when the numerators share a factor too: a divisor alone gathers
        # terms that the file's names would otherwise stand for one by one
        inner = factor_rule(alg, BinOp(e.op, a.left, b.left, NOSPAN, NOSPAN))
        over = None if inner is None else BinOp(Op.DIV, inner, a.right, NOSPAN, NOSPAN)
        if over is not None and alg.shape(over) == alg.shape(e):
            return over
    return _common_factor(alg, e)


def _product(alg: Algebra, factors: list[Expr]) -> Expr:
    out: Expr = number(1)
    for f in factors:
        out = alg.mul(out, f)
    return out


def _common_factor(alg: Algebra, e: BinOp) -> Expr | None:
    """a * f * b + c * f -> f * (a * b + c): a factor common to the elementwise products of two terms."""
    left, right = mul_factors(e.left), mul_factors(e.right)
    for f in left:
        if isinstance(f, Number) or f not in right:
            continue
        rest_l, rest_r = list(left), list(right)
        rest_l.remove(f)
        rest_r.remove(f)
        inner = BinOp(e.op, _product(alg, rest_l), _product(alg, rest_r), NOSPAN, NOSPAN)
        rebuilt = alg.mul(f, inner)
        if alg.shape(rebuilt) == alg.shape(e):
            return rebuilt
    return None


def neg_out(alg: Algebra, e: Expr) -> Expr | None:
    """(-A) * B -> -(A * B), A @ (-B) -> -(A @ B), A - (-B) -> A + B, A + (-B) -> A - B, -A + B -> B - A."""
    if not isinstance(e, BinOp):
        return None
    left, right = e.left, e.right
    if e.op in (Op.MUL, Op.MATMUL, Op.DIV) and isinstance(right, Neg):
        return alg.neg(BinOp(e.op, left, right.operand, NOSPAN, NOSPAN))
    if e.op in (Op.ADD, Op.SUB) and isinstance(right, Neg):
        return BinOp(Op.SUB if e.op is Op.ADD else Op.ADD, left, right.operand, NOSPAN, NOSPAN)
    if e.op is Op.ADD and isinstance(left, Neg):
        return BinOp(Op.SUB, right, left.operand, NOSPAN, NOSPAN)
    return None


ALWAYS: tuple[Rule, ...] = (fold_rule, transpose_rule, identity_rule, one_by_one, outer_rule, neg_out, cancel_rule,
                            label_sum, diag_sum, symmetric_rule, attribute_rule, where_rule, product_rule, linear_rule,
                            sum_rule, spread_rule, indicator_rule, sigmoid_rule, power_rule, root_rule,
                            comparison_rule, branch_rule, prime_rule, centred_rule, zeros_rule)
"""Applied wherever they match: the normal form."""

_ON_BINOP = (identity_rule, one_by_one, outer_rule, neg_out, cancel_rule, attribute_rule, spread_rule, sigmoid_rule,
             sum_rule, power_rule, root_rule, comparison_rule, branch_rule, prime_rule, zeros_rule)
ALWAYS_ON: dict[type, tuple[Rule, ...]] = {
    kind: tuple(r for r in ALWAYS if r in rules) for kind, rules in {
        BinOp: (fold_rule, where_rule, product_rule, *_ON_BINOP),
        Neg: (fold_rule, product_rule, zeros_rule),
        Transpose: (transpose_rule, symmetric_rule, zeros_rule),
        Call: (label_sum, diag_sum, linear_rule, indicator_rule, where_rule, branch_rule, centred_rule, zeros_rule,
               prime_rule),
    }.items()}
"""The rules of ``ALWAYS`` that can rewrite a node of each kind (each returns None on
the others: a name or a number is never rewritten), in the order of ``ALWAYS``."""

CHOICES: tuple[Rule, ...] = (push_transpose, push_transpose_twice, push_transpose_all, diag_product, factor_rule,
                             sum_of_product, distribute, reassociate, scale_right, scale_left, rational_rule,
                             named_prime, constant_rule)
"""Kept only where the readability score improves."""

IDENTITIES: dict[str, Rule] = {rule.__name__: rule for rule in (*ALWAYS, *CHOICES)}
