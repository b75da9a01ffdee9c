"""The vector of ones in the LaTeX reader: ``\\mathbf{1}``, ``\\mathbb{1}``, ``𝟙``, ``\\mathbf{1}_m``.

Contract: :class:`OnesReading` is the part of ``latex_read.Reader`` that reads
a vector of ones by its use, which gives its size, as notes write it:

- beside a matrix or vector, a sum: ``\\mathbf{1}^T X`` sums the rows of ``X``
  (``sum(X, axis=0)``, a row), ``X \\mathbf{1}`` its columns (``sum(X, axis=1)``);
- added to, multiplied or divided entry by entry with a value, the number 1,
  which broadcasts to that value's shape: ``\\log(\\mathbf{1} - p)`` is
  ``log(1 - p)``, ``\\mathbf{1} \\oslash p`` is ``1 / p``;
- as an outer product with a row or column (``\\mathbf{1} b^T``, ``b
  \\mathbf{1}^T``), the row or column copied, read only as a term added to a
  matrix (``X W + \\mathbf{1} b^T``), where broadcasting copies it the same way.

Anywhere else (alone, beside a scalar, as a function's argument) its size is
not given, and the formula is not read.

    >>> from dsl.frontends.latex_math import translate
    >>> translate(r"\\frac{1}{m} \\mathbf{1}^T G", known={"G"}).text
    '1 / m * sum(G, axis=0)'
    >>> translate(r"X W + \\mathbf{1} b^\\top", known={"X", "W", "b"}).text
    'X @ W + b.T'
"""
from __future__ import annotations

from dsl.core.ast import Keyword
from dsl.core.wording import say
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_items import Base, Ones, Spread, Stop, _range
from dsl.frontends.latex_words import GREEK_SCALARS, TRANSPOSES

_ENTRYWISE = frozenset({"plus", "minus", "hadamard", "slash", "oslash", "star"})
"""The operations beside which a vector of ones is the number 1, broadcast."""


class OnesReading(Base):
    """The vector of ones (a mixin of ``latex_read.Reader``)."""

    def ones_post(self, x: Ones, p) -> Ones:
        """``\\mathbf{1}^T``: transposed; ``\\mathbf{1}_m``: its size, which its use gives too."""
        if p.kind == "superscript" and self.word(p.kids[2]) in TRANSPOSES:
            return Ones((x.span[0], p.span[1]), not x.t)
        if p.kind == "subscript":
            return Ones((x.span[0], p.span[1]), x.t)
        raise Stop(say("latex-ones-alone"), x.span)

    def merge_ones(self, factors: list) -> list:
        """Factors written side by side, each vector of ones taken with its neighbour:
        ``\\mathbf{1}^T E`` and ``E \\mathbf{1}`` are sums of ``E``, ``\\mathbf{1} E`` and
        ``E \\mathbf{1}^T`` copies of it (:class:`Spread`)."""
        if not any(isinstance(f, Ones) for f in factors):
            return factors
        return self._pair(self._pair(factors, False), True)

    def _pair(self, factors: list, spread: bool) -> list:
        """Each vector of ones taken with the neighbour its orientation faces (a ``1^T``
        the factor after it, a ``1`` the one before it for a sum, the other way for a copy)."""
        out: list = []
        i = 0
        while i < len(factors):
            f = factors[i]
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            if not isinstance(f, Ones):
                out.append(f)
                i += 1
                continue
            make = self._spread if spread else self._sum
            after = f.t != spread                      # 1^T E is a sum, 1 E a copy of E
            if after and nxt is not None and self._sized(nxt):
                out.append(make(nxt, f, True))
                i += 2
                continue
            if not after and out and self._sized(out[-1]):
                out[-1] = make(out[-1], f, False)
            else:
                out.append(f)
            i += 1
        return out

    def operands(self, kind: str, left, right) -> tuple:
        """Both operands of ``kind`` as AST: a vector of ones beside a value is 1 in an
        entrywise operation; a copied row or column is itself in a sum with a matrix."""
        one_l, one_r = isinstance(left, Ones), isinstance(right, Ones)
        plain_l = not one_l and not isinstance(left, Spread)
        plain_r = not one_r and not isinstance(right, Spread)
        if kind in _ENTRYWISE:
            if one_l and plain_r:
                left = self.num("1", left.span)
            if one_r and plain_l:
                right = self.num("1", right.span)
        if kind in ("plus", "minus"):
            if isinstance(left, Spread) and plain_r:
                left = left.node
            if isinstance(right, Spread) and plain_l:
                right = right.node
        return self.value(left), self.value(right)

    def ones_alone(self, x) -> None:
        """A vector of ones, or a copied row, whose use does not give it a size: not read."""
        if isinstance(x, (Ones, Spread)):
            raise Stop(say("latex-ones-alone"), x.span)

    # ---- helpers
    def _sized(self, f) -> bool:
        """Whether a factor gives a vector of ones beside it its size: a value, not a scalar."""
        if isinstance(f, (Ones, Spread)):
            return False
        try:
            node = self.value(f)
        except Stop:
            return False
        return not scalar_like(node, self.scalars | (GREEK_SCALARS - self.known))

    def _sum(self, f, ones: Ones, before: bool):
        """``1^T E`` (``before``): ``sum(E, axis=0)``; ``E 1``: ``sum(E, axis=1)``."""
        node = self.value(f)
        span = _joined(_range(node), ones.span)
        keyword = Keyword("axis", self.num("0" if before else "1", ones.span), self.at(ones.span))
        return self.call("sum", (node,), span, ones.span, keywords=(keyword,))

    def _spread(self, f, ones: Ones, before: bool) -> Spread:
        """``1 b^T`` or ``b 1^T``: ``b`` copied, held until a sum takes it."""
        node = self.value(f)
        return Spread(node, _joined(_range(node), ones.span))


def _joined(a, b):
    return (min(a[0], b[0]), max(a[1], b[1]))
