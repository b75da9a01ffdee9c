"""The one rule for taking an array as a chainrule value.

A 0-d array (or a Python number) is a scalar, a 1-d array of ``n`` entries
the row vector ``1 x n``, a 2-d array ``r x c``, a 3-d or 4-d array a
tensor.  The entries are real numbers, held as float64: booleans (as 0 and
1), integers and floats of any width.  Everything else is refused with the
reason in words (it follows the name: ``'x' holds text ...``), never with
the text of a NumPy exception: text, bytes, ``None``, dicts, sets,
generators and callables; arrays of text, complex numbers (take ``.real``
or ``abs()`` first: dropping the imaginary part silently would give a wrong
value), dates, records or Python objects that are not numbers; masked
arrays (the mask would be dropped); ragged lists; more than 4 axes; and
numbers too large for float64 (``10**400``).  Arrays with no entries are
values (``sum`` of one is 0); a reduction that needs an entry refuses them
where it is evaluated.

>>> import numpy as np
>>> value, why = as_value(np.arange(3))
>>> value.shape, str(shape_of_value(value)), why
((1, 3), '1 x 3', None)
>>> as_value(np.ones((2, 2, 2, 2, 2)))[1]
'is 5-dimensional (2 x 2 x 2 x 2 x 2); values have at most 4 axes, not 5'
>>> as_value(np.array(["a", "b"]))[1]
'holds text (dtype <U1); chainrule evaluates real numbers'
>>> as_value(10**400)[1]
'holds a number too large for float64 (at most about 1.8e308)'
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from dsl.core.dims import MAX_RANK, SCALAR, Shape
from dsl.core.options import kind_words
from dsl.core.quantities import fmt_bytes
from dsl.core.wording import say

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed
    from numpy.typing import ArrayLike

_REAL_KINDS = "biuf"
"""NumPy dtype kinds whose entries are real numbers: bool, int, uint, float."""

_KIND_WORDS = {"U": "kind-text", "S": "kind-text", "M": "kind-dates", "m": "kind-dates",
               "V": "kind-records"}


def as_value(value: object, limit: int | None = None) -> tuple[np.ndarray | None, str | None]:
    """``(float64 array shaped by the rule, None)``, or ``(None, why not)``
    where ``why`` follows the name: ``'T' is 3-dimensional (...)``.  A
    float64 array is taken as it is; any other is copied, and refused
    when the copy would take more than ``limit`` bytes (the memory budget
    of the caller)."""
    import numpy as np  # on first use, so that the shape check starts without NumPy

    if type(value) is np.ndarray and value.dtype == np.float64:      # the common case, checked at once
        arr: np.ndarray = value
    else:
        read, why = _read(value, limit)
        if read is None:
            return None, why
        arr = read
    if arr.ndim > MAX_RANK:
        return None, say("bound-rank", ndim=arr.ndim, dims=" x ".join(map(str, arr.shape)))
    return arr.reshape(value_dims(arr.shape)), None


def dtype_problem(dtype: np.dtype) -> str | None:
    """Why an array of ``dtype`` holds no real numbers (None when it does;
    ``object`` arrays are judged entry by entry by :func:`as_value`).

    >>> import numpy as np
    >>> dtype_problem(np.dtype(complex)), dtype_problem(np.dtype("int8"))
    ('holds complex numbers (dtype complex128); chainrule evaluates real numbers (take .real or abs() first)', None)
    """
    if dtype.kind in _REAL_KINDS and not dtype.shape:
        return None
    if dtype.kind == "c":
        return say("bound-complex", dtype=dtype)
    what = say(_KIND_WORDS.get(dtype.kind, "kind-other"))
    return say("bound-kind", what=what, dtype=dtype)


def _read(value: object, limit: int | None) -> tuple[np.ndarray | None, str | None]:
    """The float64 array of anything but a float64 ndarray, or why not."""
    import numpy as np  # on first use, as above

    why = _not_an_array(value)
    if why is not None:
        return None, why
    try:
        arr = np.asarray(value)
    except (ValueError, RecursionError):
        return None, say("bound-rank-deep") if _depth(value) > MAX_RANK else say("bound-ragged", kind=_kind(value))
    except Exception:  # noqa: BLE001 (an object's own __array__ can fail in any way; its text is not shown)
        return None, say("bound-unreadable", kind=_kind(value))
    why = dtype_problem(arr.dtype) if arr.dtype.kind != "O" else None
    if why is not None:
        return None, why
    if limit is not None and 8 * arr.size > limit:
        return None, say("bound-over-budget", need=fmt_bytes(8 * arr.size), limit=fmt_bytes(limit))
    if arr.dtype.kind == "O":
        return _objects(arr)
    with np.errstate(all="ignore"):      # a long double past float64 becomes inf: reported below
        out = arr.astype(np.float64)
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8 and not np.array_equal(np.isfinite(out), np.isfinite(arr)):
        return None, say("bound-too-large")
    return out, None


def _not_an_array(value: object) -> str | None:
    """Why ``value`` cannot be an array by its Python type alone."""
    import numpy as np  # on first use, as above

    if isinstance(value, (np.ndarray, np.generic)):
        return say("bound-masked") if isinstance(value, np.ma.MaskedArray) else None
    if value is None:
        return say("bound-none")
    if isinstance(value, (str, bytes, bytearray)):
        return say("bound-not-array", kind=_kind(value))
    if isinstance(value, (numbers.Number, memoryview)) or hasattr(value, "__array__") \
            or hasattr(value, "__array_interface__") or hasattr(value, "__array_struct__"):
        return None
    if isinstance(value, Sequence):
        return None
    return say("bound-not-array", kind=_kind(value))


def _objects(arr: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """An array of Python objects (what NumPy makes of ``10**400``, of
    ``[1, None]``, of Fractions): float64 when every entry is a real number
    that float64 holds."""
    import numpy as np  # on first use, as above

    out = np.empty(arr.shape, dtype=np.float64)
    flat = out.reshape(-1)
    for i, entry in enumerate(arr.reshape(-1)):   # numbers.Number: Decimal is not registered as Real
        if isinstance(entry, (float, np.floating)):
            flat[i] = entry
            continue
        if not isinstance(entry, numbers.Number) or (isinstance(entry, numbers.Complex)
                                                     and not isinstance(entry, numbers.Real)):
            return None, _entry_problem(entry)
        try:
            number = float(entry)  # type: ignore[arg-type]  # a Number that is not complex
        except OverflowError:            # int and Fraction past float64
            return None, say("bound-too-large")
        except (TypeError, ValueError):
            return None, _entry_problem(entry)
        if math.isinf(number) and entry not in (math.inf, -math.inf):     # a Decimal past float64
            return None, say("bound-too-large")
        flat[i] = number
    return out, None


def _entry_problem(entry: object) -> str:
    if entry is None:
        what = say("kind-none")
    elif isinstance(entry, (str, bytes)):
        what = say("kind-text")
    elif isinstance(entry, numbers.Complex):
        return say("bound-complex", dtype="object")
    else:
        what = _kind(entry)
    return say("bound-kind", what=what, dtype="object")


def _kind(value: object) -> str:
    return kind_words(value)


def _depth(value: object, limit: int = 64) -> int:
    """How deep the first entries of nested lists go (at most ``limit``)."""
    depth = 0
    while depth < limit and isinstance(value, (list, tuple)) and value:
        value, depth = value[0], depth + 1
    return depth


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
