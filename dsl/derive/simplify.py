"""Simplification: the normal form, then the most readable candidate.

:func:`normal` applies the rules of ``rewrite.ALWAYS`` bottom-up until
nothing changes and puts the file's names in place of the expressions they
are defined as (``yhat`` for ``softmax(theta)``).  :func:`simplify` then
tries each rule of ``rewrite.CHOICES`` at each node and keeps a rewrite
when it lowers :func:`score`, until none does (a bounded greedy search:
each kept step lowers the score, so it ends).

The readability score counts the tokens of the printed form (a name, a
number, an operator, a bracket, a ``.T``) and adds a little for depth and
for each transpose, so that of two forms of one size the flatter one with
fewer transposes wins.
"""
from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Mapping
from dataclasses import replace

from dsl.builtins.symbolic import NOSPAN, Algebra
from dsl.core.ast import BinOp, Call, Expr, Keyword, Neg, Op, Transpose, walk
from dsl.derive.conditions import placed
from dsl.derive.products import mul_factors, terms
from dsl.derive.rewrite import ALWAYS_ON, CHOICES, push_transpose_all
from dsl.language.printer import to_source

TOKEN = re.compile(r"\.T|\*\*|[A-Za-z_][A-Za-z_0-9]*'?|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\S")
"""One token of chainrule text: ``.T`` and ``**`` count once, as do names with their prime."""

MAX_STEPS = 200
"""Rewrites tried at most per expression (a guard; the examples need a few dozen)."""


def tokens(text: str) -> int:
    """The number of tokens of chainrule text.

    >>> tokens("(yhat - y) @ W2.T * sigma'(a)")
    13
    """
    return len(TOKEN.findall(text))


def depth(e: Expr) -> int:
    kids = _kids(e)
    return 1 + max((depth(k) for k in kids), default=0)


def score(e: Expr) -> float:
    """Readability: printed tokens, plus 0.1 per level of depth, 0.5 per transpose, 0.05 per node."""
    transposes = sum(isinstance(n, Transpose) for n in walk(e))
    nodes = sum(1 for _ in walk(e))
    return tokens(to_source(e)) + 0.1 * depth(e) + 0.5 * transposes + 0.05 * nodes


# ------------------------------------------------------------------ trees

def _kids(e: Expr) -> tuple[Expr, ...]:
    match e:
        case BinOp(left=a, right=b):
            return (a, b)
        case Neg(operand=a) | Transpose(operand=a):
            return (a,)
        case Call(args=args):
            return args
    return ()


def _with(e: Expr, kids: tuple[Expr, ...]) -> Expr:
    match e:
        case BinOp():
            return replace(e, left=kids[0], right=kids[1])
        case Neg() | Transpose():
            return replace(e, operand=kids[0])
        case Call():
            return replace(e, args=kids)
    return e


_MEMO: weakref.WeakKeyDictionary[Algebra, dict[Expr, tuple[Expr, tuple]]] = weakref.WeakKeyDictionary()
"""The normal forms already found over one algebra (one derivation), each with the
assumptions its rules relied on: a candidate of ``simplify`` shares most of its
sub-expressions with the one before it."""


def _rewrite_once(alg: Algebra, e: Expr) -> Expr:
    """``e`` with its operands in normal form, then its own node rewritten until no rule
    applies (remembered per algebra, with the assumptions the rules recorded)."""
    memo = _MEMO.get(alg)
    if memo is None:
        memo = _MEMO[alg] = {}
    found = memo.get(e)
    if found is not None:
        alg.used.extend(found[1])
        return found[0]
    kept = len(alg.used)
    out = _rewrite(alg, e)
    memo[e] = (out, tuple(alg.used[kept:]))
    return out


def _rewrite(alg: Algebra, e: Expr) -> Expr:
    kids = _kids(e)
    if kids:
        new = tuple(_rewrite_once(alg, k) for k in kids)
        if new != kids:
            e = _with(e, new)
    for _ in range(MAX_STEPS):
        for rule in ALWAYS_ON.get(type(e), ()):
            found = rule(alg, e)
            if found is not None and found != e:
                e = _rewrite_once(alg, found)
                break
        else:
            return e
    return e


def normal(alg: Algebra, e: Expr, names: Mapping[Expr, Expr] | None = None) -> Expr:
    """The normal form of ``e``: the rules of ``ALWAYS`` to a fixed point, then names (put in
    before the rules too, so that a rule does not pull apart what a name stands for)."""
    e = _rewrite_once(alg, with_names(e, names) if names else e)
    return with_names(e, names) if names else e


def with_names(e: Expr, names: Mapping[Expr, Expr]) -> Expr:
    """``e`` with every sub-expression that a definition defines replaced by its name."""
    if e in names:
        return names[e]
    kids = _kids(e)
    if not kids:
        return e
    new = tuple(with_names(k, names) for k in kids)
    if isinstance(e, Call) and e.keywords:
        e = replace(e, keywords=tuple(Keyword(k.name, k.value, k.span) for k in e.keywords))
    return _with(e, new) if new != kids else e


def names_inside(e: Expr, names: Mapping[Expr, Expr]) -> Expr:
    """``e`` with names put in below its top node (the key under which a definition that
    uses another one is found once that one's name is in: ``exp(x - m)`` for ``exp(x - max(x))``)."""
    kids = _kids(e)
    new = tuple(with_names(k, names) for k in kids)
    return _with(e, new) if new != kids else e


MAX_REORDERED = 3
"""Terms of a sum (factors of a product) up to which every order is a key of a name."""


def reorderings(alg: Algebra, e: Expr) -> list[Expr]:
    """``e`` with its top-level terms (``a + b - c``) or elementwise factors (``a * b``) in each
    other order, when there are two or three of them: a derived form gathers them in the order
    of the backward sweep, the author in their own (both are the same value, entry by entry)."""
    orders: list[Expr] = []
    if isinstance(e, BinOp) and e.op in (Op.ADD, Op.SUB):
        signed = terms(alg, e)
        if 2 <= len(signed) <= MAX_REORDERED:
            for order in itertools.permutations(signed):
                (sign, first), *rest = order
                out = alg.neg(first) if sign < 0 else first
                for sign, t in rest:
                    out = BinOp(Op.ADD if sign > 0 else Op.SUB, out, t, NOSPAN, NOSPAN)
                orders.append(out)
    elif isinstance(e, BinOp) and e.op is Op.MUL:
        factors = mul_factors(e)
        if 2 <= len(factors) <= MAX_REORDERED:
            for arranged in itertools.permutations(factors):
                product = arranged[0]
                for factor in arranged[1:]:
                    product = BinOp(Op.MUL, product, factor, NOSPAN, NOSPAN)
                orders.append(product)
    shape = alg.shape(e)
    return [other for other in orders if other != e and alg.shape(other) == shape]


def respellings(alg: Algebra, e: Expr) -> list[Expr]:
    """The forms of a definition's normal form ``e`` that a derived result may hold instead:
    its terms or factors in another order (:func:`reorderings`), each choice of
    ``rewrite.CHOICES`` at its top node, in normal form (``uh @ vh.T`` for ``sum(uh * vh)``),
    and, for a ``1 x 1`` value, its transpose pushed down (``vh @ uh.T``)."""
    found = list(reorderings(alg, e))
    for rule in CHOICES:
        other = rule(alg, e)
        if other is not None and other != e:
            found.append(normal(alg, other))
    shape = alg.shape(e)
    single = shape is not None and (shape.is_one_by_one or shape.is_scalar)
    if single:
        for one in [*found, e]:
            pushed = push_transpose_all(alg, Transpose(one, NOSPAN))
            if pushed is not None:
                found.append(normal(alg, pushed))

    def fits(f: Expr) -> bool:       # a 1 x 1 value stands where a scalar does (and the reverse)
        s = alg.shape(f)
        return s == shape or (single and s is not None and (s.is_one_by_one or s.is_scalar))
    return [f for f in dict.fromkeys(found) if f != e and fits(f)]


def _positions(e: Expr, path: tuple[int, ...] = ()):
    yield path, e
    for i, k in enumerate(_kids(e)):
        yield from _positions(k, (*path, i))


def _put(e: Expr, path: tuple[int, ...], new: Expr) -> Expr:
    if not path:
        return new
    kids = list(_kids(e))
    kids[path[0]] = _put(kids[path[0]], path[1:], new)
    return _with(e, tuple(kids))


def simplify(alg: Algebra, e: Expr, names: Mapping[Expr, Expr] | None = None) -> Expr:
    """The most readable form found: the normal form, improved rewrite by rewrite
    (``alg.names`` holds ``names`` meanwhile, for the rules that read through them), with
    its comparisons where they may stand (``conditions.placed``)."""
    alg.names = names or {}
    best = normal(alg, e, names)
    best_score = score(best)
    tried: dict[Expr, tuple[Expr, float]] = {}      # a rewrite not kept is met again after each one kept
    for _ in range(MAX_STEPS):
        improved = False
        for path, node in list(_positions(best)):
            for rule in CHOICES:
                found = rule(alg, node)
                if found is None or found == node:
                    continue
                put = _put(best, path, found)
                known = tried.get(put)
                if known is None:
                    made = normal(alg, put, names)
                    known = tried[put] = (made, score(made))
                candidate, s = known
                if s < best_score - 1e-9:
                    best, best_score, improved = candidate, s, True
                    break
            if improved:
                break
        if not improved:
            break
    return placed(alg, best)
