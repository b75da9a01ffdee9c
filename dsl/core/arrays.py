"""The one rule for taking an array as a chainrule value.

A 0-d array (or a Python number) is a scalar, a 1-d array of ``n`` entries
the row vector ``1 x n``, a 2-d array ``r x c``.  Text, callables, objects
that are not numeric and arrays of more dimensions are not values.

>>> import numpy as np
>>> value, why = as_value(np.arange(3))
>>> value.shape, str(shape_of_value(value)), why
((1, 3), '1 x 3', None)
>>> as_value(np.ones((2, 2, 2)))[1]
'is 3-dimensional (2 x 2 x 2); values are scalars, vectors or matrices, not arrays of 3 dimensions'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from dsl.core.dims import SCALAR, Shape

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed
    from numpy.typing import ArrayLike


def as_value(value: object) -> tuple[np.ndarray | None, str | None]:
    """``(float64 array shaped by the rule, None)``, or ``(None, why not)``
    where ``why`` follows the name: ``'T' is 3-dimensional (...)``."""
    import numpy as np  # on first use, so that the shape check starts without NumPy

    if isinstance(value, (str, bytes)) or (callable(value) and not hasattr(value, "__array__")):
        return None, f"is a {type(value).__name__}, not an array"
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        return None, f"is a {type(value).__name__}, not a numeric array ({exc})"
    if arr.ndim > 2:
        return None, (f"is {arr.ndim}-dimensional ({' x '.join(map(str, arr.shape))}); values are "
                      f"scalars, vectors or matrices, not arrays of {arr.ndim} dimensions")
    return (arr[None, :] if arr.ndim == 1 else arr), None


def shape_of_value(value: np.ndarray) -> Shape:
    """The shape of an array that :func:`as_value` returned (0-d or 2-d)."""
    return SCALAR if value.ndim == 0 else Shape(tuple(int(d) for d in value.shape))


def was_vector(value: object) -> bool:
    """Whether :func:`as_value` read ``value`` as a row because it was 1-d."""
    import numpy as np  # on first use, as in as_value

    return bool(np.ndim(cast("ArrayLike", value)) == 1)
