"""Powers collected (rules of the normal form, listed in ``rewrite``).

The backward sweep multiplies factors one at a time, so the derivative of
``sum(x * x * x)`` comes out as ``3 * x * x`` and that of a quotient by
``sqrt(v)`` twice as ``g / sqrt(v) / sqrt(v)``; a reader writes
``3 * x ** 2`` and ``g / v``.  :func:`power_rule` collects equal factors
of an elementwise product into one power, and equal divisors in a row
into one power below (``a / b / b -> a / b ** 2``), and cancels a power
above against one below; :func:`root_rule` takes powers of powers apart
where that is exact: ``sqrt(a) ** 2 -> a`` (wherever ``sqrt(a)`` is a
real number ``a`` is not negative) and ``(a ** j) ** k -> a ** (j * k)``
for whole ``j`` and ``k``.  The exponents are numbers; the identities are
those of real powers entry by entry, so broadcasting commutes with them.
"""
from __future__ import annotations

from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import BinOp, Call, Expr, Number, Op
from dsl.derive.products import mul_factors


def _base(e: Expr) -> tuple[Expr, float]:
    """``(a, k)`` for ``a ** k`` with a number ``k``, else ``(e, 1)``."""
    if isinstance(e, BinOp) and e.op is Op.POW and isinstance(e.right, Number):
        return e.left, e.right.value
    return e, 1.0


def _power(a: Expr, k: float) -> Expr:
    return a if k == 1 else BinOp(Op.POW, a, number(k), NOSPAN, NOSPAN)


def _product(alg: Algebra, factors: list[Expr]) -> Expr:
    out = factors[0]
    for f in factors[1:]:
        out = alg.mul(out, f)
    return out


def _collect(alg: Algebra, e: BinOp) -> Expr | None:
    """x * y * x -> x ** 2 * y: equal bases of an elementwise product, in the order first met."""
    bases: list[Expr] = []
    powers: dict[Expr, float] = {}
    for f in mul_factors(e):
        a, k = _base(f)
        if isinstance(a, Number):
            a, k = f, 1.0            # numbers are folded, not raised
        if a in powers:
            powers[a] += k
        else:
            bases.append(a)
            powers[a] = k
    if len(bases) == len(mul_factors(e)):
        return None
    kept = [_power(a, powers[a]) for a in bases if powers[a] != 0]
    return _product(alg, kept) if kept else number(1)


def _divided(alg: Algebra, e: BinOp) -> Expr | None:
    """a / b ** j / b ** k -> a / b ** (j + k); x ** j * y / x ** k -> x ** (j - k) * y."""
    below, k = _base(e.right)
    if isinstance(below, Number):
        return None
    top = e.left
    if isinstance(top, BinOp) and top.op is Op.DIV:
        inner, j = _base(top.right)
        if inner == below:
            return BinOp(Op.DIV, top.left, _power(below, j + k), NOSPAN, NOSPAN)
    factors = mul_factors(top)
    for i, f in enumerate(factors):
        a, j = _base(f)
        if a != below:
            continue
        rest = factors[:i] + factors[i + 1:]
        if j > k:
            return _product(alg, [*rest[:i], _power(a, j - k), *rest[i:]])
        if j == k:
            return _product(alg, rest) if rest else number(1)
        return BinOp(Op.DIV, _product(alg, rest) if rest else number(1), _power(a, k - j), NOSPAN, NOSPAN)
    return None


def power_rule(alg: Algebra, e: Expr) -> Expr | None:
    """x * x -> x ** 2, x ** 2 * y * x -> x ** 3 * y (equal factors of an elementwise product);
    a / b / b -> a / b ** 2, x ** 3 / x -> x ** 2, x / x ** 2 -> 1 / x; the shape is kept."""
    if not isinstance(e, BinOp) or e.op not in (Op.MUL, Op.DIV):
        return None
    found = _collect(alg, e) if e.op is Op.MUL else _divided(alg, e)
    if found is None or alg.shape(found) != alg.shape(e):
        return None
    return found


def root_rule(alg: Algebra, e: Expr) -> Expr | None:
    """sqrt(a) ** 2 -> a, sqrt(a) ** 4 -> a ** 2 (an even power of a root);
    (a ** j) ** k -> a ** (j * k) for whole numbers j and k; (2 * a) ** 2 -> 4 * a ** 2
    (a number's whole power taken out, for the normal form of the product to fold)."""
    if not (isinstance(e, BinOp) and e.op is Op.POW and isinstance(e.right, Number)):
        return None
    k = e.right.value
    inner = e.left
    if isinstance(inner, BinOp) and inner.op is Op.MUL and isinstance(inner.left, Number) and k == int(k) \
            and 0 < k <= 4:
        return alg.mul(number(inner.left.value ** k), _power(inner.right, k))
    if isinstance(inner, Call) and inner.func == "sqrt" and not inner.prime and not inner.keywords \
            and k == int(k) and int(k) % 2 == 0 and k > 0:
        return _power(inner.args[0], k / 2)
    if isinstance(inner, BinOp) and inner.op is Op.POW and isinstance(inner.right, Number) \
            and inner.right.value == int(inner.right.value) and k == int(k):
        return _power(inner.left, inner.right.value * k)
    return None
