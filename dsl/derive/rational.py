"""Elementwise fractions cancelled and collected: one rewrite rule (a choice in
``rewrite``).

``(-y / s + (1 - y) / (1 - s)) * sigma'(z)`` with ``s = sigma(z)`` is the
gradient of the cross-entropy written out, through a sigmoid; a reader
wants ``s - y``.  :func:`rational_rule` reads an elementwise product, sum or
quotient as a sum of *monomials*, each a coefficient, factors and divisors:
expressions it does not open (names, calls, matrix products, transposes,
and sums that divide).  ``sigma'(u)`` is the two factors ``sigma(u)`` and
``1 - sigma(u)``.  A factor that equals a divisor cancels, then the factors
that are sums are multiplied out, like monomials are collected, and the
result is rebuilt.  The identities are the field laws of elementwise
arithmetic (broadcasting commutes with them) and ``sigma' = sigma (1 -
sigma)``; the rule keeps the shape and, as a choice, is kept only when the
result reads better.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import BinOp, Call, Expr, Neg, Number, Op, walk

MAX_TERMS = 24
"""Monomials past which the rule gives up (multiplying out can grow fast)."""


@dataclass(frozen=True)
class _Mono:
    coef: Fraction
    nums: tuple[Expr, ...] = ()
    dens: tuple[Expr, ...] = ()


class _TooLarge(Exception):
    pass


def _is_sum(e: Expr) -> bool:
    return isinstance(e, BinOp) and e.op in (Op.ADD, Op.SUB)


def _times(a: _Mono, b: _Mono) -> _Mono:
    """The product of two monomials, with factors above and below cancelled."""
    nums, dens = list(a.nums + b.nums), []
    for d in a.dens + b.dens:
        if d in nums:
            nums.remove(d)
        else:
            dens.append(d)
    return _Mono(a.coef * b.coef, tuple(nums), tuple(dens))


def _product(ps: list[list[_Mono]]) -> list[_Mono]:
    out = [_Mono(Fraction(1))]
    for p in ps:
        out = [_times(a, b) for a in out for b in p]
        if len(out) > MAX_TERMS:
            raise _TooLarge
    return out


def _terms(e: Expr, names: Mapping[Expr, Expr]) -> list[_Mono]:
    """``e`` as a sum of monomials, sums among the factors left closed
    (``names``: the file's names for expressions, ``s`` for ``sigma(z)``)."""
    match e:
        case Number(value=v):
            f = Fraction(v).limit_denominator(1000)
            return [_Mono(f)] if float(f) == v else [_Mono(Fraction(1), (e,))]
        case Neg(operand=o):
            return [_Mono(-m.coef, m.nums, m.dens) for m in _terms(o, names)]
        case BinOp(op=Op.ADD | Op.SUB, left=a, right=b):
            sign = 1 if e.op is Op.ADD else -1
            return _terms(a, names) + [_Mono(sign * m.coef, m.nums, m.dens) for m in _terms(b, names)]
        case BinOp(op=Op.MUL, left=a, right=b):
            return _product([_closed(a, names), _closed(b, names)])
        case BinOp(op=Op.DIV, left=a, right=b):
            below = _closed(b, names)
            if len(below) != 1 or below[0].coef == 0:
                below = [_Mono(Fraction(1), (b,))]
            d = below[0]
            inverse = _Mono(1 / d.coef, d.dens, d.nums)
            return _product([_closed(a, names), [inverse]])
        case Call(func="sigma", prime=True, args=(u,), keywords=()):
            call = Call("sigma", (u,), (), False, NOSPAN, NOSPAN)
            s = names.get(call, call)
            return [_Mono(Fraction(1), (s, BinOp(Op.SUB, number(1), s, NOSPAN, NOSPAN)))]
    return [_Mono(Fraction(1), (e,))]


def _closed(e: Expr, names: Mapping[Expr, Expr]) -> list[_Mono]:
    """A factor: a sum stays one factor (so that it may cancel a divisor),
    anything else is read as monomials."""
    return [_Mono(Fraction(1), (e,))] if _is_sum(e) else _terms(e, names)


def _opened(m: _Mono, names: Mapping[Expr, Expr]) -> list[_Mono]:
    """A monomial multiplied out: first the factors that are sums of
    fractions, each term against the other factors still closed (so a
    divisor ``1 - s`` meets the factor ``1 - s`` of ``sigma'`` and cancels),
    then the sums left."""
    fractions = [n for n in m.nums if _is_sum(n) and any(t.dens for t in _terms(n, names))]
    rest = [n for n in m.nums if n not in fractions]
    out = [_Mono(m.coef, tuple(rest), m.dens)]
    for f in fractions:
        out = [_times(a, t) for a in out for t in _terms(f, names)]
        if len(out) > MAX_TERMS:
            raise _TooLarge
    done = []
    for a in out:
        parts = [_terms(n, names) if _is_sum(n) else [_Mono(Fraction(1), (n,))] for n in a.nums]
        done += [_Mono(a.coef * p.coef, p.nums, p.dens + a.dens) for p in _product(parts)]
    return done


def _collected(ms: list[_Mono]) -> list[_Mono]:
    total: dict[tuple, _Mono] = {}
    for m in ms:
        key = (tuple(sorted(map(repr, m.nums))), tuple(sorted(map(repr, m.dens))))
        seen = total.get(key)
        total[key] = m if seen is None else _Mono(seen.coef + m.coef, seen.nums, seen.dens)
    return [m for m in total.values() if m.coef != 0]


def _build(alg: Algebra, m: _Mono) -> Expr:
    out: Expr | None = None
    for n in sorted(m.nums, key=repr):
        out = n if out is None else alg.mul(out, n)
    size = abs(m.coef)
    if size.numerator != 1 or out is None:
        out = number(size.numerator) if out is None else alg.mul(number(size.numerator), out)
    for d in m.dens:
        out = alg.div(out, d)
    if size.denominator != 1:
        out = alg.div(out, number(size.denominator))
    return out


def _worth_trying(e: Expr) -> bool:
    """An elementwise product or sum with a divisor that is not a number."""
    if not (isinstance(e, BinOp) and e.op in (Op.MUL, Op.ADD, Op.SUB)):
        return False
    return any(isinstance(n, BinOp) and n.op is Op.DIV and not isinstance(n.right, Number) for n in walk(e))


def rational_rule(alg: Algebra, e: Expr) -> Expr | None:
    """(a / p + b / q) * (p * q) -> a * q + b * p, then multiplied out and collected;
    sigma'(u) = sigma(u) * (1 - sigma(u)): (-y / s + (1 - y) / (1 - s)) * sigma'(z) -> s - y."""
    if not _worth_trying(e):
        return None
    try:
        monos = _collected([o for m in _terms(e, alg.names) for o in _opened(m, alg.names)])
    except _TooLarge:
        return None
    out: Expr | None = None
    for m in sorted(monos, key=lambda m: m.coef < 0):
        t = _build(alg, m)
        if out is None:
            out = alg.neg(t) if m.coef < 0 else t
        else:
            out = BinOp(Op.SUB if m.coef < 0 else Op.ADD, out, t, NOSPAN, NOSPAN)
    if out is None:
        return None
    return out if alg.shape(out) == alg.shape(e) else None
