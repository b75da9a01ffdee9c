"""The one rule for taking an array as a chainrule value.

A 0-d array (or a Python number) is a scalar, a 1-d array of ``n`` entries
the row vector ``1 x n``, a 2-d array ``r x c``, a 3-d or 4-d array a
tensor.  Text, callables, objects that are not numeric and arrays of more
dimensions are not values.

>>> import numpy as np
>>> value, why = as_value(np.arange(3))
>>> value.shape, str(shape_of_value(value)), why
((1, 3), '1 x 3', None)
>>> as_value(np.ones((2, 2, 2, 2, 2)))[1]
'is 5-dimensional (2 x 2 x 2 x 2 x 2); values have at most 4 axes, not 5'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from dsl.core.dims import MAX_RANK, SCALAR, Shape
from dsl.core.wording import say

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed
    from numpy.typing import ArrayLike


def as_value(value: object) -> tuple[np.ndarray | None, str | None]:
    """``(float64 array shaped by the rule, None)``, or ``(None, why not)``
    where ``why`` follows the name: ``'T' is 3-dimensional (...)``."""
    import numpy as np  # on first use, so that the shape check starts without NumPy

    if isinstance(value, (str, bytes)) or (callable(value) and not hasattr(value, "__array__")):
        return None, say("bound-not-array", kind=type(value).__name__)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        return None, say("bound-not-numeric", kind=type(value).__name__, why=exc)
    if arr.ndim > MAX_RANK:
        return None, say("bound-rank", ndim=arr.ndim, dims=" x ".join(map(str, arr.shape)))
    return arr.reshape(value_dims(arr.shape)), None


def value_dims(dims: tuple[int, ...]) -> tuple[int, ...]:
    """The rule on a NumPy shape alone: a 1-d array of ``n`` is ``1 x n``.

    >>> value_dims((3,)), value_dims((2, 3)), value_dims(())
    ((1, 3), (2, 3), ())
    """
    return (1, dims[0]) if len(dims) == 1 else tuple(dims)


def shape_of_value(value: np.ndarray) -> Shape:
    """The shape of an array that :func:`as_value` returned (0-d, 2-d, 3-d or 4-d)."""
    return SCALAR if value.ndim == 0 else Shape(tuple(int(d) for d in value.shape))


def was_vector(value: object) -> bool:
    """Whether :func:`as_value` read ``value`` as a row because it was 1-d."""
    import numpy as np  # on first use, as in as_value

    return bool(np.ndim(cast("ArrayLike", value)) == 1)
