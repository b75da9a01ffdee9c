"""Rows of softmax and logsumexp, the reductions and the losses."""
from __future__ import annotations

from dsl.builtins import symbolic as sym
from dsl.builtins.axes import along_axis, array_axis, axis_problem, keep_axis, reduced_shape
from dsl.builtins.table import Builtin, Problem, got, is_vector, np, register
from dsl.core.dims import SCALAR
from dsl.core.wording import say

# ------------------------------------------------------------ softmax family

def _groups(x, axis=None):
    """The axis softmax normalises over: ``axis`` when given, else every
    entry of a vector and the last axis of anything else (each row of a
    matrix)."""
    if axis is not None:
        return array_axis("softmax", x, axis)
    return None if is_vector(x) else -1


def _shifted(m):
    """The max used to shift exp; 0 where it is not finite (all -inf rows)."""
    return np.where(np.isfinite(m), m, 0.0)


def _softmax(x, axis=None):
    if x.ndim == 0:
        return np.ones_like(x)
    axis = _groups(x, axis)
    e = np.subtract(x, _shifted(np.max(x, axis=axis, keepdims=True)))    # the one temporary, then in place
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _logsumexp(x, axis=None):
    if x.ndim == 0:
        return x.copy()
    axis = _groups(x, axis)
    m = _shifted(np.max(x, axis=axis, keepdims=True))
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.asarray(out.reshape(())) if axis is None else out


def _softmax_shape(a, axis):
    if a[0].is_one_by_one:
        return Problem(0, say("vector-or-matrix-needed", got=got(a[0])))
    return axis_problem(a[0], axis) or a[0]


def _logsumexp_shape(a, axis):
    s = _softmax_shape(a, axis)
    if isinstance(s, Problem):
        return s
    if axis is None:
        return SCALAR if s.is_vector else keep_axis(s, -1)
    return keep_axis(s, axis)


def _softmax_vjp(g, out, x, axis=None):
    if x.ndim == 0:
        return np.zeros_like(x)
    # J = diag(p) - p p^T within each group, so g J = p * (g - <g, p>).
    return out * (g - np.sum(g * out, axis=_groups(x, axis), keepdims=True))


register(Builtin(
    "softmax", "softmax(X); softmax(X, axis=-1)", "same",
    "over all entries of a vector (row or column); along the last axis otherwise (row by row on a matrix)",
    _softmax_shape, _softmax, keywords=("axis",), vjp=(_softmax_vjp,), symbolic=sym.softmax_rule))
register(Builtin(
    "logsumexp", "logsumexp(X); logsumexp(X, axis=-1)",
    "vector -> scalar, `r x c` -> `r x 1`; with `axis`: that axis of size 1",
    "`log(sum(exp(X)))`, along the last axis as `softmax` (row by row on a matrix)",
    _logsumexp_shape, _logsumexp, keywords=("axis",),
    vjp=(lambda g, out, x, axis=None: g * _softmax(x, axis),), symbolic=sym.logsumexp_rule))

# ---------------------------------------------------------------- reductions

_AXIS_SHAPES = ("scalar; `axis=0`: `r x c` -> `1 x c`, `axis=1`: `r x c` -> `r x 1`; "
                "any rank: that axis of size 1")

register(Builtin(
    "sum", "sum(X); sum(X, axis=0)", _AXIS_SHAPES,
    "over all entries; along one axis (`axis=0` down the columns, `axis=1` or `-1` along the rows)",
    reduced_shape, along_axis(lambda x, **kw: np.sum(x, **kw), "sum"), keywords=("axis",), scalar=True,
    vjp=(lambda g, out, x, axis=None: np.broadcast_to(g, x.shape),), symbolic=sym.sum_rule))
register(Builtin(
    "mean", "mean(X); mean(X, axis=0)", _AXIS_SHAPES, "the mean, over the entries as for `sum`",
    reduced_shape, along_axis(lambda x, **kw: np.mean(x, **kw), "mean"), keywords=("axis",), scalar=True,
    vjp=(lambda g, out, x, axis=None: np.broadcast_to(g, x.shape) * (out.size / x.size),), symbolic=sym.mean_rule))



def _extreme_vjp(g, out, x, axis=None):
    """The gradient of max or min: ``g`` to the entries equal to the result,
    shared equally between tied entries."""
    hit = (x == out).astype(np.float64)
    return g * hit / np.sum(hit, axis=axis, keepdims=axis is not None)


def _tie_gap(sign: float):
    """The kinks of max (sign 1) or min (sign -1): each entry less the midpoint
    of the two largest (smallest) of its group, 0 for both at a tie; the
    chosen entry is on one side of it, every other entry on the other, so a
    step that changes the choice changes a sign."""
    def gap(x, axis=None):
        y = sign * np.asarray(x, dtype=np.float64)
        along = y.reshape(-1) if axis is None else np.moveaxis(y, axis, -1)
        if along.shape[-1] < 2:
            return np.ones_like(y)
        top2 = np.sort(along, axis=-1)[..., -2:]
        mid = top2.mean(axis=-1, keepdims=True)
        if axis is not None:
            mid = np.moveaxis(mid, -1, axis)
        return y - mid
    return gap


register(Builtin(
    "max", "max(X); max(X, axis=0)", _AXIS_SHAPES, "the largest entry, over the entries as for `sum`",
    reduced_shape, along_axis(lambda x, **kw: np.max(x, **kw), "max"), keywords=("axis",), scalar=True,
    vjp=(_extreme_vjp,), symbolic=sym.extreme_rule(True), kink=True, kink_at=_tie_gap(1.0), latex=r"\max"))
register(Builtin(
    "min", "min(X); min(X, axis=0)", _AXIS_SHAPES, "the smallest entry, over the entries as for `sum`",
    reduced_shape, along_axis(lambda x, **kw: np.min(x, **kw), "min"), keywords=("axis",), scalar=True,
    vjp=(_extreme_vjp,), symbolic=sym.extreme_rule(False), kink=True, kink_at=_tie_gap(-1.0), latex=r"\min"))


def _norm(x):
    return np.asarray(np.sqrt(np.sum(x * x)))


def _norm_vjp(g, out, x):
    return g * np.where(out > 0, x / np.where(out > 0, out, 1.0), 0.0)


register(Builtin(
    "norm", "norm(x)", "scalar", "the 2-norm of a vector, the Frobenius norm of a matrix",
    lambda a, axis: SCALAR, _norm, scalar=True, vjp=(_norm_vjp,), symbolic=sym.norm_rule,
    kink=True, kink_at=lambda x: _norm(x)))

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
    vjp=(lambda g, out, y, p: -g * np.log(p), lambda g, out, y, p: -g * y / p), symbolic=sym.xent_rule))
register(Builtin(
    "mse", "mse(y, p)", "scalar", "`mean((y - p) ** 2)`; `y` and `p` of one shape",
    _loss_shape, lambda y, p: np.asarray(np.mean((y - p) ** 2)), arity=(2, 2), scalar=True,
    vjp=(_mse_vjp(1.0), _mse_vjp(-1.0)), symbolic=sym.mse_rule))
