"""The arrangement of a derivative (SPEC section 5): which rule a claim
``dY/dX`` follows, from the declared shapes, and the ``m x n`` Jacobian
reverse mode computes put in that shape.  A gradient of a scalar has the
shape of the variable at any rank (``b x n x d`` for a tensor); a Jacobian
of anything but two vectors is higher-order and refused."""
from __future__ import annotations

import numpy as np

from dsl.core.wording import say


class DerivativeError(ValueError):
    """The derivative asked for does not exist here or cannot be computed;
    the message says why, in words a claim's "unchecked" line can show."""


def _is_vector(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and 1 in shape


def derivative_kind(ys, xs) -> str | None:
    """``"gradient"`` (Y a scalar), ``"by-scalar"`` (X a scalar) or
    ``"jacobian"`` (two vectors) for declared shapes ``ys`` and ``xs``, None
    for anything else.  The rule follows the symbolic shapes, as the checker
    does: with ``dims n = 1`` a ``1 x n`` vector is still a vector, so its
    Jacobian keeps the arrangement the claim was checked against."""
    if ys is None or xs is None:
        return None
    if ys.is_one_by_one:
        return "gradient"
    if xs.is_one_by_one:
        return "by-scalar"
    if ys.is_vector and xs.is_vector:
        return "jacobian"
    return None


def arrange(full: np.ndarray, out_shape, in_shape, layout: str, name: str | None = None,
            kind: str | None = None) -> np.ndarray:
    """An ``m x n`` Jacobian in the shape of SPEC section 5: scalar Y -> the
    shape of X; scalar X -> the shape of Y; vectors -> ``m x n`` (numerator
    layout) or ``n x m`` (denominator); anything else is higher-order.
    ``kind`` (:func:`derivative_kind`) says which rule applies; without it
    the concrete shapes decide, which a size of 1 can mislead.

    >>> arrange(np.ones((3, 1)), (1, 3), (1, 1), "numerator", kind="jacobian").shape
    (3, 1)
    """
    m, n = full.shape
    if kind is None:
        kind = ("gradient" if m == 1 else "by-scalar" if n == 1
                else "jacobian" if _is_vector(out_shape) and _is_vector(in_shape) else None)
    if kind == "gradient" and m == 1:
        return full.reshape(in_shape)
    if kind == "by-scalar" and n == 1:
        return full.reshape(out_shape)
    if kind == "jacobian":
        return full.T.copy() if layout == "denominator" else full
    raise DerivativeError(say("higher-order-tensor", name=name or say("the-derivative")))
