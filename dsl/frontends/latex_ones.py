"""The vector of ones in the LaTeX reader: ``\\mathbf{1}``, ``\\mathbb{1}``, ``𝟙``, ``\\mathbf{1}_m``.

Contract: :class:`OnesReading` is the part of ``latex_read.Reader`` that reads
a vector of ones by its use, which gives its size, as notes write it:

- beside a matrix or vector, a sum: ``\\mathbf{1}^T X`` sums the rows of ``X``
  (``sum(X, axis=0)``, a row), ``X \\mathbf{1}`` its columns (``sum(X, axis=1)``);
- added to, multiplied or divided entry by entry with a value, the number 1,
  which broadcasts to that value's shape: ``\\log(\\mathbf{1} - p)`` is
  ``log(1 - p)``, ``\\mathbf{1} \\oslash p`` is ``1 / p``;
- as an outer product with a row, column or scalar (``\\mathbf{1} b^T``, ``b
  \\mathbf{1}^T``, ``c \\mathbf{1}``), the row or column copied, read only in an
  entrywise operation with a matrix (``X W + \\mathbf{1} b^T``, ``\\hat X \\odot
  (\\mathbf{1} \\gamma)``), where broadcasting copies it the same way.

Anywhere else (alone, beside a scalar, as a function's argument) its size is
not given, and the formula is not read.

    >>> from dsl.frontends.latex_math import translate
    >>> translate(r"\\frac{1}{m} \\mathbf{1}^T G", known={"G"}, scalars={"m"}).text
    '1 / m * sum(G, axis=0)'
    >>> translate(r"X W + \\mathbf{1} b^\\top", known={"X", "W", "b"}).text
    'X @ W + b.T'
"""
from __future__ import annotations

from dsl.core.ast import BinOp, Keyword, Op
from dsl.core.wording import say
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_items import Base, Ones, Spread, Stop, _range
from dsl.frontends.latex_tree import tspan
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
        return self._copies(self._sums(factors))

    def _sums(self, factors: list) -> list:
        """``1^T E`` and ``E 1`` of a value ``E`` (not a scalar): its sums."""
        out: list = []
        i = 0
        while i < len(factors):
            f = factors[i]
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            if isinstance(f, Ones) and f.t and nxt is not None and self._sized(nxt):
                out.append(self._sum(nxt, f, True))
                i += 2
                continue
            if isinstance(f, Ones) and not f.t and out and self._sized(out[-1]):
                out[-1] = self._sum(out[-1], f, False)
            else:
                out.append(f)
            i += 1
        return out

    def _copies(self, factors: list) -> list:
        """``1 E`` and ``E 1^T`` of a row or column, and a scalar beside a vector of ones
        either way: copies (:class:`Spread`)."""
        out: list = []
        i = 0
        while i < len(factors):
            f = factors[i]
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            prev = out[-1] if out else None
            if isinstance(f, Ones) and nxt is not None and self._sized(nxt, scalar=True):
                out.append(self._spread(nxt, f, rows=True))
                i += 2
                continue
            if isinstance(f, Ones) and prev is not None and self._sized(prev, scalar=True):
                out[-1] = self._spread(prev, f, rows=False)
            else:
                out.append(f)
            i += 1
        return out

    def operands(self, kind: str, left, right) -> tuple:
        """Both operands of ``kind`` as AST: in an entrywise operation with a value (not a
        scalar, whose shape would not be the result's), a vector of ones is 1 and a copied
        row or column itself, which broadcasting copies alike."""
        one_l, one_r = isinstance(left, Ones), isinstance(right, Ones)
        plain_l, plain_r = self._sized(left), self._sized(right)      # a value, not a scalar
        if kind in _ENTRYWISE:
            if one_l and plain_r:
                left = self.num("1", left.span)
            if one_r and plain_l:
                right = self.num("1", right.span)
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
    def _sized(self, f, scalar: bool = False) -> bool:
        """Whether a factor gives a vector of ones beside it its size: a value, not a
        scalar unless ``scalar`` (a scalar beside a vector of ones either way is copied)."""
        if isinstance(f, (Ones, Spread)):
            return False
        try:
            node = self.value(f)
        except Stop:
            return False
        return scalar or not scalar_like(node, self.scalars | (GREEK_SCALARS - self.known))

    def _sum(self, f, ones: Ones, before: bool):
        """``1^T E`` (``before``): ``sum(E, axis=0)``; ``E 1``: ``sum(E, axis=1)``."""
        node = self.value(f)
        span = _joined(_range(node), ones.span)
        keyword = Keyword("axis", self.num("0" if before else "1", ones.span), self.at(ones.span))
        return self.call("sum", (node,), span, ones.span, keywords=(keyword,))

    def _spread(self, f, ones: Ones, rows: bool) -> Spread:
        """``1 b^T`` or ``b 1^T``: ``b`` copied, held until an entrywise operation takes it."""
        node = self.value(f)
        return Spread(node, _joined(_range(node), ones.span), rows)

    def copy_scaled(self, kind: str, tok, left, right):
        """An entrywise product of a value and a copied row or column, as a product that
        scales its columns or rows (:meth:`_scaling`); None for any other operation."""
        if kind not in ("hadamard", "star", "oslash", "slash"):
            return None
        if isinstance(left, Spread) and self._sized(right) and kind in ("hadamard", "star"):
            copy, other = left, right
        elif isinstance(right, Spread) and self._sized(left):
            copy, other = right, left
        else:
            return None
        if kind in ("oslash", "slash"):           # A \oslash (\mathbf{1} s): A diag(1 / s)
            one = self.num("1", copy.span)
            copy = Spread(self.bin(Op.DIV, one, copy.node, copy.span, copy.span), copy.span, copy.rows)
        op, a, b = self._scaling(copy, other)
        span = _joined(_range(left), _range(right))
        return self.bin(op, a, b, span, tspan(tok) if tok is not None else span)

    def _scaling(self, copy: Spread, other):
        """``A \\odot (\\mathbf{1} r)`` is ``A diag(r)``, ``(c \\mathbf{1}^T) \\odot A`` is
        ``diag(c) A``: each column, or row, of ``A`` scaled, as the copy says (a scalar scales all)."""
        value = self.value(other)
        if isinstance(copy.node, BinOp) and copy.node.op is Op.DIV and scalar_like(
                copy.node.right, self.scalars | (GREEK_SCALARS - self.known)):
            return Op.DIV, value, copy.node.right
        if scalar_like(copy.node, self.scalars | (GREEK_SCALARS - self.known)):
            return Op.MUL, value, copy.node
        diag = self.call("diag", (copy.node,), copy.span, copy.span)
        return (Op.MATMUL, value, diag) if copy.rows else (Op.MATMUL, diag, value)


def _joined(a, b):
    return (min(a[0], b[0]), max(a[1], b[1]))
