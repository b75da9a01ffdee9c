"""NumPy rules for the operators and built-in functions, one table.

Values are float64: a scalar is a 0-d array, every matrix (vectors too) a
2-D array, so ``1 x n`` is ``(1, n)`` and ``n x 1`` is ``(n, 1)``.  Each
built-in function has one forward rule in :data:`FORWARD` (and, for
elementwise ones, its derivative in :data:`PRIME`); ``evaluate`` and
``autodiff`` both apply them through :func:`apply_binop` and
:func:`apply_call`, so there is one copy of the forward rules.  Rules that
cannot apply raise :class:`DomainError` (no location; the caller adds it).

>>> import numpy as np
>>> apply_call("softmax", False, [np.array([[1000.0, 0.0]])]).round(3)
array([[1., 0.]])
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from dsl.compute import inputs as data
from dsl.core import messages
from dsl.core.ast import Call, Op
from dsl.core.diagnostics import Diagnostic
from dsl.core.functions import FUNCTIONS, canonical
from dsl.core.span import Span


class EvalError(Exception):
    """Evaluation could not go on; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic



class DomainError(ValueError):
    """A rule cannot be applied to these values (a singular matrix, a size
    that is not a positive integer, an allocation past the budget).  It has no
    location; :func:`eval_expr` raises it again as a located :class:`EvalError`."""

    def __init__(self, code: str, **values):
        super().__init__(values.get("what") or code)
        self.code = code
        self.values = values

    def located(self, span: Span, text: str) -> EvalError:
        values = dict(self.values)
        if self.code == "E600":
            values.setdefault("name", text)
        return EvalError(messages.make(self.code, span, **values))


# ------------------------------------------------------------------- values

def as_value(a) -> np.ndarray:
    """A float64 value: 0-d stays a scalar, 1-d becomes a ``1 x n`` row."""
    v = np.asarray(a, dtype=np.float64)
    if v.ndim == 1:
        return v[None, :]
    if v.ndim > 2:
        raise DomainError("E603", what=f"a {v.ndim}-dimensional array is neither a scalar nor a matrix")
    return v


def shape_text(a: np.ndarray) -> str:
    return "scalar" if np.ndim(a) == 0 else " x ".join(str(d) for d in np.shape(a))


def _guard(entries: int) -> None:
    """Refuse to allocate ``entries`` float64 values past the memory budget."""
    need = 8 * int(entries)
    if need > data.DEFAULT_MEMORY_BUDGET:
        raise DomainError("E600", need=data.fmt_bytes(need), budget=data.fmt_bytes(data.DEFAULT_MEMORY_BUDGET))


def _is_vector(x: np.ndarray) -> bool:
    return x.ndim == 2 and 1 in x.shape


def _is_square(x: np.ndarray) -> bool:
    return x.ndim == 2 and x.shape[0] == x.shape[1]


def _quiet(rule: Callable) -> Callable:
    """Run a rule with NumPy's floating-point warnings off: non-finite
    results are reported as diagnostics by the caller, never printed."""
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return rule(*args, **kwargs)
    run.__name__, run.__doc__ = rule.__name__, rule.__doc__
    return run


# ---------------------------------------------------------------- operators

@_quiet
def apply_binop(op: Op, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a op b`` as NumPy computes it; a scalar on either side of ``@`` scales."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    try:
        if op is Op.MATMUL:
            if a.ndim == 0 or b.ndim == 0:
                _guard(max(a.size, b.size))
                return a * b
            _guard(a.shape[0] * b.shape[-1])
            return a @ b
        _guard(int(np.prod(np.broadcast_shapes(a.shape, b.shape))))
    except ValueError as exc:
        if isinstance(exc, DomainError):
            raise
        raise DomainError("E603", what=f"'{op.value}' cannot combine {shape_text(a)} and {shape_text(b)}") from None
    match op:
        case Op.ADD:
            return a + b
        case Op.SUB:
            return a - b
        case Op.MUL:
            return a * b
        case Op.DIV:
            return a / b
        case Op.POW:
            return np.power(a, b)
    raise DomainError("E603", what=f"unknown operator {op!r}")


# ---------------------------------------------------------------- functions

def _sigma(x):
    # 1 / (1 + exp(-x)) is accurate to a few ulp everywhere; for x < -709
    # exp(-x) overflows to inf and the result is 0, the correctly rounded value.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _sigma_prime(x):
    s = _sigma(x)
    return s * (1.0 - s)


def _relu(x):
    return np.maximum(x, 0.0)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _shifted(m):
    """The max used to shift exp; 0 where it is not finite (all -inf rows)."""
    return np.where(np.isfinite(m), m, 0.0)


def _softmax(x):
    if x.ndim == 0:
        return np.ones_like(x)
    axis = None if _is_vector(x) else 1
    e = np.exp(x - _shifted(np.max(x, axis=axis, keepdims=True)))
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp(x):
    if x.ndim == 0:
        return x.copy()
    axis = None if _is_vector(x) else 1
    m = _shifted(np.max(x, axis=axis, keepdims=True))
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.asarray(out.reshape(())) if axis is None else out


def _reduce(reducer):
    def rule(x, axis=None):
        if axis not in (None, 0, 1):
            raise DomainError("E204", name=reducer.__name__, what=f"needs axis=0 or axis=1, got axis={axis}")
        if axis is None or x.ndim == 0:
            return np.asarray(reducer(x), dtype=np.float64)
        return reducer(x, axis=axis, keepdims=True)
    return rule


def _xent(y, p):
    # -sum(y * log p), with 0 * log 0 taken as 0 so underflowed p is harmless.
    y, p = np.broadcast_arrays(y, p)
    return np.asarray(0.0 - np.sum(np.where(y == 0, 0.0, y * np.log(p))))


def _mse(y, p):
    return np.asarray(np.mean((y - p) ** 2))


def _need_square(name: str, x) -> None:
    if not _is_square(x):
        raise DomainError("E204", name=name, what=f"needs a square matrix, got {shape_text(x)}")


def _diag(x):
    if x.ndim == 0:
        return x.reshape(1, 1)
    if _is_vector(x):
        _guard(x.size * x.size)
        return np.diagflat(x)
    if _is_square(x):
        return np.diagonal(x).reshape(-1, 1).copy()
    raise DomainError("E204", name="diag", what=f"needs a vector or a square matrix, got {shape_text(x)}")


def _trace(x):
    if x.ndim == 0:
        return x.copy()
    _need_square("trace", x)
    return np.asarray(np.trace(x))


def _det(x):
    if x.ndim == 0:
        return x.copy()
    _need_square("det", x)
    return np.asarray(np.linalg.det(x))


def _inv(x):
    if x.ndim == 0:
        if x == 0:
            raise DomainError("E603", what="inv() of zero")
        return 1.0 / x
    _need_square("inv", x)
    if not np.all(np.isfinite(x)):
        return np.full_like(x, np.nan)
    try:
        if np.linalg.cond(x) > 1.0 / np.finfo(np.float64).eps:
            raise np.linalg.LinAlgError("ill-conditioned")
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise DomainError("E603", what=f"inv() of a singular {shape_text(x)} matrix "
                                       "(its determinant is zero to working precision)") from None


def _size(name: str, a) -> int:
    v = np.asarray(a, dtype=np.float64)
    if v.size != 1 or not np.isfinite(v).all() or v.reshape(()) != np.round(v.reshape(())) or v.reshape(()) < 1:
        raise DomainError("E204", name=name, what=f"needs sizes that are positive integers, got {v.reshape(-1)[:3]}")
    return int(v.reshape(()))


def _eye(n):
    n = _size("eye", n)
    _guard(n * n)
    return np.eye(n)


def _filled(name: str, fill: float):
    def rule(r, c):
        r, c = _size(name, r), _size(name, c)
        _guard(r * c)
        return np.full((r, c), fill)
    rule.__name__ = name
    return rule


def _outer(u, v):
    _guard(u.size * v.size)
    return np.outer(u.ravel(), v.ravel())


FORWARD: dict[str, Callable] = {
    "sigma": _sigma, "tanh": np.tanh, "relu": _relu, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "softplus": _softplus,
    "softmax": _softmax, "logsumexp": _logsumexp,
    "sum": _reduce(np.sum), "mean": _reduce(np.mean),
    "xent": _xent, "mse": _mse,
    "diag": _diag, "trace": _trace, "inv": _inv, "det": _det,
    "eye": _eye, "ones": _filled("ones", 1.0), "zeros": _filled("zeros", 0.0),
    "outer": _outer,
}

PRIME: dict[str, Callable] = {
    "sigma": _sigma_prime,
    "tanh": lambda x: 1.0 - np.tanh(x) ** 2,
    "relu": lambda x: np.where(x > 0, 1.0, 0.0),      # the step, 0 at 0
    "exp": np.exp,
    "log": lambda x: 1.0 / x,
    "sqrt": lambda x: 0.5 / np.sqrt(x),
    "abs": np.sign,                                    # 0 at 0
    "softplus": _sigma,
}


@_quiet
def apply_call(func: str, prime: bool, args: list[np.ndarray], axis: int | None = None) -> np.ndarray:
    """``func(*args)`` (or ``func'(x)`` when ``prime``), with ``axis`` for sum/mean.

    >>> apply_call("sum", False, [np.ones((2, 3))], axis=0)
    array([[2., 2., 2.]])
    """
    name = canonical(func)
    sig = FUNCTIONS.get(name)
    if sig is None:
        raise DomainError("E202", name=func)
    rule = (PRIME if prime else FORWARD).get(name)
    if rule is None:
        raise DomainError("E203", name=name, what="has no derivative f'(x)")
    lo, hi = sig.arity
    if not lo <= len(args) <= hi:
        raise DomainError("E203", name=name, what=f"takes {lo} argument{'s' * (lo != 1)}, got {len(args)}")
    values = [np.asarray(a, dtype=np.float64) if sig.sizes else as_value(a) for a in args]
    if "axis" in sig.keywords:
        out = rule(*values, axis=axis)
    elif axis is not None:
        raise DomainError("E203", name=name, what="takes no axis")
    else:
        out = rule(*values)
    return np.asarray(out, dtype=np.float64)


def call_axis(call: Call, operands: list[np.ndarray]) -> tuple[list[np.ndarray], int | None]:
    """Split a call's evaluated operands (positional, then keyword values, as
    :func:`eval_expr` computes them) into its arguments and its axis."""
    args = operands[: len(call.args)]
    axis = None
    for kw, value in zip(call.keywords, operands[len(call.args):]):
        v = np.asarray(value).reshape(-1)
        if kw.name != "axis" or v.size != 1 or float(v[0]) not in (0.0, 1.0):
            raise DomainError("E204", name=call.func, what=f"needs axis=0 or axis=1, got {kw.name}={v[:3]}")
        axis = int(v[0])
    return args, axis


