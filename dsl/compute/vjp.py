"""Vector-Jacobian products: one rule per operator and per built-in function.

The table :data:`VJPS` maps an operation key (``"+"``, ``"@"``, ``"T"``,
``"neg"``, ``"use"``, a canonical function name, or ``"f'"`` for a prime)
to one function per argument, ``(g, out, *args, **kw) -> gradient`` with
respect to that argument, as HIPS autograd's ``defvjp`` does.  Rules may
return a broadcast-shaped gradient: :func:`unbroadcast`, the one place that
undoes NumPy broadcasting, brings it back to the argument's shape.  Forward
values come from ``numeric`` (:func:`forward`), never from a copy here.
:data:`SECOND` holds the second derivatives needed when a definition uses
``f'(x)`` itself.

>>> g = np.ones((1, 3))
>>> VJPS["*"][0](g, None, np.ones((1, 3)), np.full((1, 3), 2.0))
array([[2., 2., 2.]])
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from dsl.core.ast import Op
from dsl.compute.numeric import apply_binop, apply_call


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes NumPy broadcast to reach ``shape``.

    >>> unbroadcast(np.ones((4, 3)), (1, 3))
    array([[4., 4., 4.]])
    """
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == tuple(shape):
        return grad
    if len(shape) == 0:
        return np.asarray(grad.sum())
    if grad.ndim < len(shape):
        return np.broadcast_to(grad, shape).copy()
    axes = tuple(i for i, (g, s) in enumerate(zip(grad.shape, shape)) if s == 1 and g != 1)
    return grad.sum(axis=axes, keepdims=True)


def forward(op: str, kw: Mapping, args: list[np.ndarray]) -> np.ndarray:
    """The value of one node from its parents' values, by ``evaluate``'s rules."""
    match op:
        case "neg":
            return -args[0]
        case "T":
            return args[0].T
        case "use":
            return args[0]
        case _ if op in _BINOPS:
            return apply_binop(_BINOPS[op], *args)
        case _:
            func, prime = (op[:-1], True) if op.endswith("'") else (op, False)
            return apply_call(func, prime, args, kw.get("axis"))


_BINOPS = {op.value: op for op in Op}


# ------------------------------------------------------ vector-Jacobian rules
# Each entry: one function per argument, (g, out, *args, **kw) -> the
# gradient with respect to that argument (before unbroadcast).

def _prime(f: str, x):
    return apply_call(f, True, [x])


def _sig(x):
    return apply_call("sigma", False, [x])


# Second derivatives, needed only when a definition uses f'(x) itself.
SECOND: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigma": lambda x: _prime("sigma", x) * (1 - 2 * _sig(x)),
    "tanh": lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    "relu": lambda x: np.zeros_like(x),      # the step is flat away from 0
    "exp": np.exp,
    "log": lambda x: -1.0 / (x * x),
    "sqrt": lambda x: -0.25 / (x * np.sqrt(x)),
    "abs": lambda x: np.zeros_like(x),       # the sign is flat away from 0
    "softplus": lambda x: _prime("sigma", x),   # softplus' is sigma
}


def _groups(x) -> int | None:
    """The axis softmax normalises over, as ``evaluate`` does: every entry of
    a vector, each row of a matrix."""
    return None if 1 in x.shape else 1


def _softmax_vjp(g, out, x):
    if x.ndim == 0:
        return np.zeros_like(x)
    # J = diag(p) - p p^T within each group, so g J = p * (g - <g, p>).
    return out * (g - np.sum(g * out, axis=_groups(x), keepdims=True))


def _diag_vjp(g, out, x):
    if x.ndim == 0:
        return g.reshape(())
    if 1 in x.shape:                          # vector -> diagonal matrix
        return np.diagonal(g).reshape(x.shape).copy()
    return np.diagflat(g)                     # square matrix -> its diagonal


def _mse_vjp(sign: float):
    def rule(g, out, y, p):
        d = y - p
        return sign * g * 2 * d / d.size
    return rule


def _matmul(left: bool):
    def rule(g, out, a, b):
        if a.ndim == 0 or b.ndim == 0:        # evaluate scales by a scalar side
            return g * (b if left else a)
        return g @ b.T if left else a.T @ g
    return rule


def _no_derivative(g, out, *args):
    return np.zeros(())                       # sizes are constants


VJPS: dict[str, tuple[Callable, ...]] = {
    "use": (lambda g, out, a: g,),
    "neg": (lambda g, out, a: -g,),
    "T": (lambda g, out, a: g.T,),
    "+": (lambda g, out, a, b: g, lambda g, out, a, b: g),
    "-": (lambda g, out, a, b: g, lambda g, out, a, b: -g),
    "*": (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    "/": (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * out / b),
    "@": (_matmul(True), _matmul(False)),
    "**": (lambda g, out, a, b: g * b * np.power(a, b - 1),
           lambda g, out, a, b: g * out * np.log(a)),
    "softmax": (_softmax_vjp,),
    "logsumexp": (lambda g, out, x: g * apply_call("softmax", False, [x]),),
    "sum": (lambda g, out, x, axis=None: np.broadcast_to(g, x.shape),),
    "mean": (lambda g, out, x, axis=None: np.broadcast_to(g, x.shape) * (out.size / x.size),),
    "xent": (lambda g, out, y, p: -g * np.log(p), lambda g, out, y, p: -g * y / p),
    "mse": (_mse_vjp(1.0), _mse_vjp(-1.0)),
    "diag": (_diag_vjp,),
    "trace": (lambda g, out, x: g * np.eye(x.shape[0]) if x.ndim else g,),
    "det": (lambda g, out, x: g * out * np.linalg.inv(x).T if x.ndim else g,),
    "inv": (lambda g, out, x: -(out.T @ g @ out.T) if x.ndim else -g * out * out,),
    "outer": (lambda g, out, u, v: (g @ v.ravel()).reshape(u.shape),
              lambda g, out, u, v: (u.ravel() @ g).reshape(v.shape)),
    "eye": (_no_derivative,),
    "ones": (_no_derivative, _no_derivative),
    "zeros": (_no_derivative, _no_derivative),
}
for _f in SECOND:                                         # f(x) and f'(x)
    VJPS[_f] = ((lambda f: lambda g, out, x: g * _prime(f, x))(_f),)
    VJPS[_f + "'"] = ((lambda f: lambda g, out, x: g * SECOND[f](x))(_f),)
# Where f' is a function of f's output, use the output: the same values as
# PRIME without computing f again (the activations of a network are large).
VJPS["sigma"] = (lambda g, out, x: g * out * (1 - out),)
VJPS["tanh"] = (lambda g, out, x: g * (1 - out * out),)
VJPS["exp"] = (lambda g, out, x: g * out,)

KINKS = ("relu", "abs", "relu'", "abs'")
"""Operations not differentiable where their argument is 0."""
