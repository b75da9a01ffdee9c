"""The derivatives of tanh and sigma as a file writes them (rules listed in
``rewrite``).

An author writes the derivative of ``h = tanh(z)`` as ``1 - h ** 2`` or as
``tanh'(z)``, and the backward sweep writes ``tanh'(z)``; likewise
``s * (1 - s)`` and ``sigma'(u)``.  :func:`prime_rule` (normal form) reads
the spelled-out forms of a call as the derivative, ``1 - tanh(u) ** 2 ->
tanh'(u)`` and ``sigma(u) * (1 - sigma(u)) -> sigma'(u)`` (and writes
``softplus'(u)`` as the ``sigma(u)`` it is), so that a
definition written either way is found by its name in a derived form.
:func:`named_prime` (a choice, kept when it reads better) goes the other
way through a name of the file: ``tanh'(x @ W + b) -> 1 - h ** 2`` where
``h = tanh(x @ W + b)``, and ``sigma'(u) -> s * (1 - s)`` where ``s =
sigma(u)``; the definition of a gradient that uses ``h`` (``d = G * (1 -
h ** 2)``) then stands for its expression in the result.
"""
from __future__ import annotations

from dsl.builtins.symbolic import NOSPAN, Algebra, is_number, number
from dsl.core.ast import BinOp, Call, Expr, Name, Number, Op
from dsl.derive.products import mul_factors


def _plain(func: str, u: Expr) -> Call:
    return Call(func, (u,), (), False, NOSPAN, NOSPAN)


def _called(e: Expr, func: str) -> Expr | None:
    """``u`` of ``func(u)`` (a call of one argument, no prime)."""
    if isinstance(e, Call) and e.func == func and not e.prime and len(e.args) == 1 and not e.keywords:
        return e.args[0]
    return None


def _one_minus(e: Expr) -> Expr | None:
    """``a`` of ``1 - a``."""
    if isinstance(e, BinOp) and e.op is Op.SUB and is_number(e.left, 1):
        return e.right
    return None


def _squared(e: Expr) -> Expr | None:
    if isinstance(e, BinOp) and e.op is Op.POW and isinstance(e.right, Number) and e.right.value == 2:
        return e.left
    return None


def prime_rule(alg: Algebra, e: Expr) -> Expr | None:
    """1 - tanh(u) ** 2 -> tanh'(u); sigma(u) * (1 - sigma(u)) -> sigma'(u) (also among the
    factors of a longer elementwise product: g * sigma(u) * (1 - sigma(u)) -> g * sigma'(u));
    softplus'(u) -> sigma(u)."""
    if isinstance(e, Call) and e.prime and e.func == "softplus" and len(e.args) == 1 and not e.keywords:
        return _plain("sigma", e.args[0])
    inner = _one_minus(e)
    square = _squared(inner) if inner is not None else None
    u = _called(square, "tanh") if square is not None else None
    if u is not None:
        return alg.prime("tanh", u)
    if not (isinstance(e, BinOp) and e.op is Op.MUL):
        return None
    factors = mul_factors(e)
    for i, f in enumerate(factors):
        u = _called(f, "sigma")
        if u is None:
            continue
        for j, g in enumerate(factors):
            if j != i and _one_minus(g) == f:
                rest = [h for k, h in enumerate(factors) if k not in (i, j)]
                at = min(i, j)                  # the derivative where the first of the two stood
                kept = [*rest[:at], alg.prime("sigma", u), *rest[at:]]
                built = kept[0]
                for h in kept[1:]:
                    built = alg.mul(built, h)
                return built if alg.shape(built) == alg.shape(e) else None
    return None


def named_prime(alg: Algebra, e: Expr) -> Expr | None:
    """tanh'(u) -> 1 - h ** 2 and sigma'(u) -> s * (1 - s), where the file names h = tanh(u)
    and s = sigma(u)."""
    if not (isinstance(e, Call) and e.prime and e.func in ("tanh", "sigma") and len(e.args) == 1):
        return None
    name = alg.names.get(_plain(e.func, e.args[0]))
    if not isinstance(name, Name):
        return None
    if e.func == "tanh":
        return BinOp(Op.SUB, number(1), BinOp(Op.POW, name, number(2), NOSPAN, NOSPAN), NOSPAN, NOSPAN)
    return alg.mul(name, BinOp(Op.SUB, number(1), name, NOSPAN, NOSPAN))
