"""The closed vocabularies held as data: kinds of names, of derivatives, the
Jacobian layout and claim verdicts.

Each is a ``str``-valued enum whose values are the words the output uses, so
a member compares equal to its word, formats as it and is written to JSON as
it: ``f"{Status.WRONG}"`` is ``'wrong'``.

>>> Status("verified") is Status.VERIFIED, Status.VERIFIED == "verified"
(True, True)
"""
from __future__ import annotations

import enum


class NameKind(enum.StrEnum):
    """What a name of a checked program is."""

    INPUT = "input"          # declared: ``x : 1 x n``
    DEFINED = "defined"      # defined: ``a = x @ W``


class DerivativeKind(enum.StrEnum):
    """Which rule gives the shape of ``dY/dX`` (SPEC section 5)."""

    GRADIENT = "gradient"    # Y is a scalar: the shape of X
    BY_SCALAR = "by-scalar"  # X is a scalar: the shape of Y
    JACOBIAN = "jacobian"    # both vectors: m x n (or n x m in denominator layout)


class LayoutKind(enum.StrEnum):
    """The layout of a vector-by-vector Jacobian (``layout denominator``)."""

    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"


class Status(enum.StrEnum):
    """The verdict on a claimed derivative."""

    VERIFIED = "verified"
    WRONG = "wrong"
    UNCHECKED = "unchecked"
