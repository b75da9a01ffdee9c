"""Rows of softmax and logsumexp, the reductions and the losses."""
from __future__ import annotations

from dsl.builtins.table import Builtin, DomainError, Problem, got, is_vector, np, register
from dsl.core.dims import SCALAR, Shape
from dsl.core.wording import say

# ------------------------------------------------------------ softmax family

def _groups(x):
    """The axis softmax normalises over: every entry of a vector, each row of a matrix."""
    return None if is_vector(x) else 1


def _shifted(m):
    """The max used to shift exp; 0 where it is not finite (all -inf rows)."""
    return np.where(np.isfinite(m), m, 0.0)


def _softmax(x):
    if x.ndim == 0:
        return np.ones_like(x)
    axis = _groups(x)
    e = np.subtract(x, _shifted(np.max(x, axis=axis, keepdims=True)))    # the one temporary, then in place
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _logsumexp(x):
    if x.ndim == 0:
        return x.copy()
    axis = _groups(x)
    m = _shifted(np.max(x, axis=axis, keepdims=True))
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.asarray(out.reshape(())) if axis is None else out


def _softmax_shape(a, axis):
    if a[0].is_one_by_one:
        return Problem(0, say("vector-or-matrix-needed", got=got(a[0])))
    return a[0]


def _logsumexp_shape(a, axis):
    s = _softmax_shape(a, axis)
    if isinstance(s, Problem) or s.is_vector:
        return s if isinstance(s, Problem) else SCALAR
    return Shape((s.rows, 1))


def _softmax_vjp(g, out, x):
    if x.ndim == 0:
        return np.zeros_like(x)
    # J = diag(p) - p p^T within each group, so g J = p * (g - <g, p>).
    return out * (g - np.sum(g * out, axis=_groups(x), keepdims=True))


register(Builtin(
    "softmax", "softmax(X)", "same", "over all entries of a vector (row or column); row by row on a matrix",
    _softmax_shape, _softmax, vjp=(_softmax_vjp,)))
register(Builtin(
    "logsumexp", "logsumexp(X)", "vector -> scalar, `r x c` -> `r x 1`",
    "`log(sum(exp(X)))`, row by row on a matrix",
    _logsumexp_shape, _logsumexp, vjp=(lambda g, out, x: g * _softmax(x),)))

# ---------------------------------------------------------------- reductions

def _reduce(reducer, name: str):
    def rule(x, axis=None):
        if axis not in (None, 0, 1):
            raise DomainError("E204", name=name, what=say("bad-axis", axis=axis))
        if axis is None or x.ndim == 0:
            return np.asarray(reducer(x), dtype=np.float64)
        return reducer(x, axis=axis, keepdims=True)
    return rule


def _reduce_shape(a, axis):
    s = a[0]
    if axis is None:
        return SCALAR
    if s.is_scalar:
        return Problem(0, say("axis-of-scalar", axis=axis))
    return Shape((1, s.cols)) if axis == 0 else Shape((s.rows, 1))


_AXIS_SHAPES = "scalar; `axis=0`: `r x c` -> `1 x c`, `axis=1`: `r x c` -> `r x 1`"

register(Builtin(
    "sum", "sum(X); sum(X, axis=0)", _AXIS_SHAPES, "over all entries; down the columns; along the rows",
    _reduce_shape, _reduce(lambda x, **kw: np.sum(x, **kw), "sum"), keywords=("axis",), scalar=True,
    vjp=(lambda g, out, x, axis=None: np.broadcast_to(g, x.shape),)))
register(Builtin(
    "mean", "mean(X); mean(X, axis=0)", _AXIS_SHAPES, "the mean, over the entries as for `sum`",
    _reduce_shape, _reduce(lambda x, **kw: np.mean(x, **kw), "mean"), keywords=("axis",), scalar=True,
    vjp=(lambda g, out, x, axis=None: np.broadcast_to(g, x.shape) * (out.size / x.size),)))

# -------------------------------------------------------------------- losses

def _loss_shape(a, axis):
    if a[0] != a[1]:
        return Problem(1, say("same-shape-needed", left=a[0], right=a[1]))
    return SCALAR


def _xent(y, p):
    # -sum(y * log p), with 0 * log 0 taken as 0 so underflowed p is harmless.
    # Only the entries where y is nonzero are read (one for each row of a one-hot y).
    y, p = np.broadcast_arrays(y, p)
    kept = y != 0
    return np.asarray(0.0 - np.dot(y[kept], np.log(p[kept])))


def _xent_nonfinite(prime, operands):
    y, p = np.broadcast_arrays(operands[0], operands[1])
    if np.any((p < 0) & (y != 0)):
        return "log of negative probabilities", "domain"
    return "log of a zero probability where y is nonzero", None


def _mse_vjp(sign: float):
    def rule(g, out, y, p):
        d = y - p
        return sign * g * 2 * d / d.size
    return rule


register(Builtin(
    "xent", "xent(y, p)", "scalar", "cross-entropy `-sum(y * log(p))`; `y` and `p` of one shape",
    _loss_shape, _xent, arity=(2, 2), scalar=True, domain="p > 0 where y is nonzero",
    nonfinite=_xent_nonfinite,
    vjp=(lambda g, out, y, p: -g * np.log(p), lambda g, out, y, p: -g * y / p)))
register(Builtin(
    "mse", "mse(y, p)", "scalar", "`mean((y - p) ** 2)`; `y` and `p` of one shape",
    _loss_shape, lambda y, p: np.asarray(np.mean((y - p) ** 2)), arity=(2, 2), scalar=True,
    vjp=(_mse_vjp(1.0), _mse_vjp(-1.0))))
