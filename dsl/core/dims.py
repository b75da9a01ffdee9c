"""Sizes and shapes: the small typed vocabulary the checker reasons in.

A size is an ``int`` or a :class:`Sym` (a declared size symbol).  Two
symbols are equal only if they are the same symbol: ``n`` never matches
``k``, whatever values they take when evaluating.  A shape is ``()`` for a
scalar, ``(rows, cols)`` for a matrix (``1 x n`` is a row vector and
``n x 1`` a column vector) or the sizes of a tensor of rank 3 or 4
(``b x n x d``: leading axes first, the matrix axes last, as in NumPy).
``None`` stands for "unknown" after an error, so one mistake does not
cascade.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sym:
    name: str

    def __str__(self) -> str:
        return self.name


Size = int | Sym


@dataclass(frozen=True)
class Shape:
    dims: tuple[Size, ...]  # () scalar, (r, c) matrix, (b, r, c) or (a, b, r, c) tensor

    @property
    def is_scalar(self) -> bool:
        return not self.dims

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def is_tensor(self) -> bool:
        """Rank 3 or more."""
        return len(self.dims) > 2

    @property
    def rows(self) -> Size:
        """The size of the second-to-last axis (a matrix's rows)."""
        return self.dims[-2] if len(self.dims) > 1 else 1

    @property
    def cols(self) -> Size:
        """The size of the last axis (a matrix's columns)."""
        return self.dims[-1] if self.dims else 1

    @property
    def is_one_by_one(self) -> bool:
        """A scalar, or a value with one entry (``1 x 1``): counts as a scalar
        for broadcasting and for the derivative convention."""
        return all(d == 1 for d in self.dims)

    @property
    def last_square(self) -> bool:
        """The last two axes have one size (a square matrix, or a stack of them)."""
        return len(self.dims) >= 2 and self.dims[-1] == self.dims[-2]

    @property
    def is_row(self) -> bool:
        return len(self.dims) == 2 and self.dims[0] == 1 and self.dims[1] != 1

    @property
    def is_col(self) -> bool:
        return len(self.dims) == 2 and self.dims[1] == 1 and self.dims[0] != 1

    @property
    def is_vector(self) -> bool:
        return self.is_row or self.is_col

    @property
    def is_square(self) -> bool:
        return len(self.dims) == 2 and self.dims[0] == self.dims[1]

    @property
    def T(self) -> Shape:
        return Shape(self.dims[::-1])

    def length(self) -> Size:
        """Number of entries of a vector (its long side)."""
        if not self.dims:
            return 1
        return self.dims[1] if self.dims[0] == 1 else self.dims[0]

    def __str__(self) -> str:
        if not self.dims:
            return "scalar"
        return " x ".join(str(d) for d in self.dims)


SCALAR = Shape(())

MAX_RANK = 4
"""The most axes a value has: a tensor of rank 3 or 4 at most."""

MAX_SIZE = 10**308 - 1
"""The largest size the checker accepts: a size symbol is also a scalar, and
a float64 holds no integer of more than 308 digits.  (Sizes too large for
memory pass the checker and meet the evaluation's memory budget.)"""


def big_int_text(n: int) -> str:
    """``n`` written out, or its first digits and its length past 20 digits.

    >>> big_int_text(10**30)
    '100000000000… (31 digits)'
    """
    text = str(n)
    return text if len(text) <= 20 else f"{text[:12]}… ({len(text)} digits)"


def fmt(shape: Shape | None) -> str:
    """Shape as written in messages; ``?`` for unknown."""
    return "?" if shape is None else str(shape)


def concrete(size: Size, values: dict[str, int]) -> int:
    """The integer value of a size, given values for symbols."""
    return size if isinstance(size, int) else values[size.name]


def broadcast_dims(left: tuple, right: tuple) -> tuple | None:
    """NumPy's broadcast of two shapes' sizes, aligned from the right (a size
    broadcasts only if it is the literal 1); None if they do not fit."""
    rank = max(len(left), len(right))
    left, right = (1,) * (rank - len(left)) + tuple(left), (1,) * (rank - len(right)) + tuple(right)
    out = []
    for a, b in zip(left, right, strict=True):
        if a == b or b == 1:
            out.append(a)
        elif a == 1:
            out.append(b)
        else:
            return None
    return tuple(out)
