"""NumPy rules for the operators and built-in functions, one table.

Values are float64: a scalar is a 0-d array, every matrix (vectors too) a
2-D array, so ``1 x n`` is ``(1, n)`` and ``n x 1`` is ``(n, 1)``, and a
tensor of rank 3 or 4 an array of that many dimensions.  Each
built-in function's forward rule (and, for elementwise ones, its derivative)
is a field of its row in ``dsl.builtins``; :data:`FORWARD` and :data:`PRIME`
are those columns.  ``evaluate`` and ``autodiff`` both apply them through
:func:`apply_binop` and :func:`apply_call`, which also checks arity and the
memory budget, so there is one copy of the forward rules.  Rules that cannot
apply raise :class:`DomainError` (no location; the caller adds it).

>>> import numpy as np
>>> apply_call("softmax", False, [np.array([[1000.0, 0.0]])]).round(3)
array([[1., 0.]])
"""
from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from dsl.builtins import FUNCTIONS, Column, DomainError, EvalError, canonical, shape_text
from dsl.builtins.axes import axis_words, normal_axis
from dsl.compute import budget
from dsl.core import messages
from dsl.core.ast import Call, Op
from dsl.core.dims import MAX_RANK
from dsl.core.wording import say

# ------------------------------------------------------------------- values

def as_value(a) -> np.ndarray:
    """A float64 value: 0-d stays a scalar, 1-d becomes a ``1 x n`` row; at most 4 axes."""
    v = np.asarray(a, dtype=np.float64)
    if v.ndim == 1:
        return v[None, :]
    if v.ndim > MAX_RANK:
        raise DomainError("E603", what=say("not-a-matrix", ndim=v.ndim))
    return v


def _guard(entries: int) -> None:
    """Refuse to allocate ``entries`` float64 values past the memory budget."""
    budget.require(8 * int(entries))


_IGNORING: ContextVar[bool] = ContextVar("ignoring_fp", default=False)


@contextmanager
def ignoring_fp() -> Iterator[None]:
    """NumPy's floating-point warnings off for the block, as the rules run
    them; rules called inside it skip setting that again (it costs more than
    the arithmetic of a small array)."""
    with np.errstate(all="ignore"):
        token = _IGNORING.set(True)
        try:
            yield
        finally:
            _IGNORING.reset(token)


def _quiet(rule: Callable) -> Callable:
    """Run a rule with NumPy's floating-point warnings off: non-finite
    results are reported as diagnostics by the caller, never printed."""
    def run(*args, **kwargs):
        if _IGNORING.get():
            return rule(*args, **kwargs)
        with np.errstate(all="ignore"):
            return rule(*args, **kwargs)
    run.__name__, run.__doc__ = rule.__name__, rule.__doc__
    return run


def quiet(stage: Callable) -> Callable:
    """Run a stage of evaluation or verification with NumPy's floating-point
    warnings captured, those NumPy issues through :mod:`warnings` too (an
    overflow inside ``np.linalg.norm``): nothing reaches standard error.
    Evaluation reports non-finite values as ``W601`` and verification as an
    unchecked claim; arithmetic of finite values that overflows is judged by
    the comparison's own tolerance."""
    @functools.wraps(stage)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return stage(*args, **kwargs)
    return run


# ---------------------------------------------------------------- operators

_INTO = {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply, Op.DIV: np.divide, Op.POW: np.power}


@_quiet
def apply_binop(op: Op, a: np.ndarray, b: np.ndarray, into: np.ndarray | None = None) -> np.ndarray:
    """``a op b`` as NumPy computes it; a scalar on either side of ``@`` scales.

    ``into``, one of the operands that nothing else holds (see
    ``evaluate``), receives the result of an elementwise operator when it
    has the result's shape, so no new array is made (NumPy's own temporary
    elision, which an evaluator that keeps its operands in a list defeats)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    try:
        if op is Op.MATMUL:
            if a.ndim == 0 or b.ndim == 0:
                _guard(max(a.size, b.size))
                return a * b
            if a.ndim > 2 or b.ndim > 2:  # batched: the leading axes broadcast
                _guard(int(np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))) * a.shape[-2] * b.shape[-1])
            else:
                _guard(a.shape[0] * b.shape[-1])
            return a @ b
        shape = a.shape if a.shape == b.shape else np.broadcast_shapes(a.shape, b.shape)
        if into is not None and into.shape == shape and into.dtype == np.float64 and op in _INTO:
            return _INTO[op](a, b, out=into)
        _guard(math.prod(shape))
    except ValueError as exc:
        if isinstance(exc, DomainError):
            raise
        raise DomainError("E603", what=say("cannot-combine", op=op.value, left=shape_text(a),
                                                right=shape_text(b))) from None
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
        case Op.GT:
            return (a > b).astype(np.float64)
        case Op.GE:
            return (a >= b).astype(np.float64)
        case Op.LT:
            return (a < b).astype(np.float64)
        case Op.LE:
            return (a <= b).astype(np.float64)
    raise DomainError("E603", what=say("unknown-operator", op=repr(op)))


# ---------------------------------------------------------------- functions

FORWARD = Column(lambda row: row.forward)
PRIME = Column(lambda row: row.prime)


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
    rule = sig.prime if prime else sig.forward
    if rule is None:
        raise DomainError("E203", name=name, what=say("no-derivative"))
    lo, hi = sig.arity
    if not lo <= len(args) <= hi:
        raise DomainError("E203", name=name, what=say("takes-argument" if lo == 1 else "takes-arguments",
                                                         count=lo, got=len(args)))
    values = [np.asarray(a, dtype=np.float64) if sig.sizes else as_value(a) for a in args]
    if sig.allocates is not None and not prime:
        _guard(sig.allocates(*values))
    if "axis" in sig.keywords:
        kw = {"axis": axis}
    elif axis is not None:
        raise DomainError("E203", name=name, what=say("takes-no-axis"))
    else:
        kw = {}
    if not sig.elementwise and not all(v.size for v in values):
        return _of_empty(name, rule, values, kw)
    return np.asarray(rule(*values, **kw), dtype=np.float64)


class EmptyArgument(DomainError):
    """A function that needs an entry (``max``, ``mean``, ``softmax`` of a
    ``1 x 0`` row) given an array with none; located, it names the call."""

    def __init__(self, func: str, shape: str):
        super().__init__("E603", what=say("empty-argument", expr=f"{func}(...)", func=func, shape=shape))
        self.func, self.shape = func, shape

    def located(self, span, text: str) -> EvalError:
        return EvalError(messages.make("E603", span, what=say("empty-argument", expr=text, func=self.func,
                                                               shape=self.shape)))


def _of_empty(name: str, rule: Callable, values: list[np.ndarray], kw: dict) -> np.ndarray:
    """``rule`` on arguments of which one has no entries: NumPy's value when
    it has one (``sum`` is 0, a softmax over no rows has no rows), else
    :class:`EmptyArgument`: a reduction with no identity (``max``) refuses
    them, and a mean of nothing is NaN, which NumPy says with a warning."""
    empty = next(v for v in values if not v.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            out = np.asarray(rule(*values, **kw), dtype=np.float64)
        except (ValueError, IndexError):
            raise EmptyArgument(name, shape_text(empty)) from None
    if np.isnan(out).any() and not any(np.isnan(v).any() for v in values):
        raise EmptyArgument(name, shape_text(empty))
    return out


def call_axis(call: Call, operands: list[np.ndarray]) -> tuple[list[np.ndarray], int | None]:
    """Split a call's evaluated operands (positional, then keyword values, as
    :func:`eval_expr` computes them) into its arguments and its axis."""
    args = operands[: len(call.args)]
    axis = None
    rank = np.ndim(args[0]) if args else 2
    for kw, value in zip(call.keywords, operands[len(call.args):], strict=True):
        v = np.asarray(value).reshape(-1)
        if kw.name != "axis":
            raise DomainError("E204", name=call.func, what=say("no-keyword", name=kw.name))
        if v.size != 1 or not float(v[0]).is_integer() or (rank and normal_axis(rank, int(v[0])) is None):
            raise DomainError("E204", name=call.func, what=axis_words(rank, v[:3]))
        axis = int(v[0])
    return args, axis


