"""Axes: the shared rules of functions that take ``axis=`` (NumPy's).

An axis counts from 0 (the first axis) or, negative, from the end (``-1``
is the last axis).  A reduction along an axis keeps that axis with size 1
(NumPy's ``keepdims=True``), at every rank: ``sum(X, axis=0)`` of ``r x c``
is ``1 x c`` and ``mean(X, axis=-1)`` of ``b x n x d`` is ``b x n x 1``, so a
reduction broadcasts back over the value it reduced.  Without an axis a
reduction is over every entry (a scalar).

One copy of each rule, on shapes (:func:`reduced_shape`, :func:`axis_problem`)
and on arrays (:func:`along_axis`, :func:`array_axis`); ``sum``, ``mean``,
``softmax``, ``logsumexp`` (and any reduction registered later, ``max`` and
``min``) use them.

>>> str(reduced_shape([Shape((2, 3, 4))], -1)), str(reduced_shape([Shape((2, 3))], 0))
('2 x 3 x 1', '1 x 3')
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.builtins.table import DomainError, Problem, np
from dsl.core.dims import SCALAR, Shape
from dsl.core.wording import say

AXIS_ARG = -1
"""``Problem.arg`` when the culprit is the ``axis=`` keyword, not an argument."""


def normal_axis(rank: int, axis: int) -> int | None:
    """``axis`` counted from 0, or None when a value of ``rank`` has no such axis."""
    if -rank <= axis < rank:
        return axis % rank
    return None


def axis_words(rank: int, axis) -> str:
    """Why ``axis`` does not fit a value of ``rank``: completes "{name}() ..."."""
    if rank <= 2:
        return say("bad-axis", axis=axis)
    return say("axis-range", low=-rank, high=rank - 1, rank=rank, axis=axis)


def axis_problem(shape: Shape, axis: int | None) -> Problem | None:
    """The problem of ``axis`` for an argument of ``shape``, if any."""
    if axis is None:
        return None
    if shape.is_scalar:
        return Problem(0, say("axis-of-scalar", axis=axis))
    if normal_axis(shape.rank, axis) is None:
        return Problem(AXIS_ARG, axis_words(shape.rank, axis))
    return None


def keep_axis(shape: Shape, axis: int) -> Shape:
    """``shape`` with ``axis`` (valid, possibly negative) reduced to size 1."""
    at = axis % shape.rank
    return Shape(tuple(1 if i == at else d for i, d in enumerate(shape.dims)))


def reduced_shape(shapes, axis: int | None) -> Shape | Problem:
    """The shape rule of a reduction: scalar without ``axis``, else the
    argument's shape with that axis of size 1."""
    if axis is None:
        return SCALAR
    problem = axis_problem(shapes[0], axis)
    return problem if problem is not None else keep_axis(shapes[0], axis)


def array_axis(name: str, x, axis) -> int | None:
    """``axis`` checked against the array ``x`` (DomainError E204 if it has no
    such axis); None stays None."""
    if axis is None or x.ndim == 0:
        return axis
    if normal_axis(x.ndim, axis) is None:
        raise DomainError("E204", name=name, what=axis_words(x.ndim, axis))
    return axis


def along_axis(reducer: Callable, name: str) -> Callable:
    """The NumPy rule of a reduction: ``reducer(x)`` over every entry (a 0-d
    array), or along ``axis`` keeping it (``keepdims``)."""
    def rule(x, axis=None):
        axis = array_axis(name, x, axis)
        if axis is None or x.ndim == 0:
            return np.asarray(reducer(x), dtype=np.float64)
        return reducer(x, axis=axis, keepdims=True)
    return rule
