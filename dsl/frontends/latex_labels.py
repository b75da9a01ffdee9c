"""Class labels in the LaTeX reader: ``\\mathbb{1}\\{y_i = k\\}``, ``[y_i = k]``, ``p_{i y_i}``.

Contract: :class:`LabelReading` is the part of ``latex_read.Reader`` that
reads a class label (the entry ``y_i`` or ``y^{(i)}`` of a letter of
``labels``, the document's one-hot label matrices by the label's letter:
``y`` -> ``Y``) where notes write it, as the one-hot matrix the language has:

- the indicator that example ``i`` has class ``k`` (``\\mathbb{1}\\{y_i = k\\}``,
  ``1\\{y^{(i)} = j\\}``, Iverson's ``[y_i = k]``), with ``k`` bound: ``Y[i, k]``;
- an entry taken at the label (``p_{i y_i}``, ``p_{i, y_i}``): the sum over the
  classes of the one-hot row times the entries, ``sum[k](Y[i, k] * p[i, k])``.

Anything else about a label (``y_i`` alone, a label of an index not bound)
is not read here.

    >>> from dsl.frontends.latex_math import translate
    >>> left = translate(r"L_i")
    >>> translate(r"-\\log p_{i y_i}", labels={"y": "Y"}, left=left).text
    '-log(sum[k](Y[i, k] * p[i, k]))'
"""
from __future__ import annotations

import re

from dsl.core.ast import Index, IndexSum, IndexVar, Name, Op
from dsl.frontends.latex_items import Base, Stop, Word
from dsl.frontends.latex_tree import Range, tspan

_FRESH = "kjclmnqrs"
"""The letters tried, in order, for the index of a sum over the classes."""

_AT_LABEL = re.compile(r"\{\s*([a-z])\s*,?\s*([a-z])\s*_\s*(?:\{\s*([a-z])\s*\}|([a-z]))\s*\}")
"""``_{i y_i}``, ``_{i, y_i}``: the entry of row ``i`` at the label of example ``i``."""


class LabelReading(Base):
    """Class labels as the one-hot label matrix (a mixin of ``latex_read.Reader``)."""

    labels: dict[str, str]          # the letter of a class label -> its one-hot matrix (y -> Y)

    def label_of(self, x) -> tuple[str, str, Range] | None:
        """``y_i`` or ``y^{(i)}`` with ``i`` bound and ``y`` a label letter:
        (the one-hot matrix, the example index, its range)."""
        if not isinstance(x, Word) or x.sub or len(x.isub) != 1 or x.stem not in self.labels:
            return None
        letter, span = x.isub[0]
        return (self.labels[x.stem], letter, span) if letter in self.bound else None

    def one_hot(self, span: Range, a, b):
        """The indicator ``a = b`` of a label and a bound index: the one-hot entry, or None."""
        for label, other in ((a, b), (b, a)):
            found = self.label_of(label)
            if (found and isinstance(other, Word) and not other.sub and not other.isub
                    and other.id in self.bound and other.id != found[1]):
                matrix, row, row_span = found
                return Index(Name(matrix, self.at(label.span)),
                             (IndexVar(row, self.at(row_span)), IndexVar(other.id, self.at(other.span))),
                             self.at(span))
        return None

    def iverson(self, r, flat: bool):
        """``[y_i = k]`` or ``\\{y_i = k\\}`` (a keyword item in brackets): the one-hot entry, or None."""
        items = r.kids[1].kids[::2]
        if len(items) != 1 or items[0].kind != "keyword" or not self.labels:
            return None
        left, _, right = items[0].kids
        try:
            a, b = (self.settle(self.expr(side, flat)) for side in (left, right))
        except Stop:
            return None
        return self.one_hot(r.span, a, b)

    def at_label(self, x: Word, sub, span: Range):
        """``p_{i y_i}``: ``sum[k](Y[i, k] * p[i, k])`` over a fresh class index ``k``, or None."""
        if not self.labels or x.isub:
            return None
        s, e = tspan(sub)
        m = _AT_LABEL.fullmatch(self.text[s:e]) or _AT_LABEL.fullmatch("{" + self.text[s:e] + "}")
        if m is None:
            return None
        row, label, of = m.group(1), m.group(2), m.group(3) or m.group(4)
        if row != of or label not in self.labels or row not in self.bound:
            return None
        used = set(re.findall(r"(?<![A-Za-z\\])[a-z](?![A-Za-z])", self.text)) | self.bound
        k = next((c for c in _FRESH if c not in used and c != label), None)
        if k is None:
            return None
        rows = (IndexVar(row, self.at((s, e))), IndexVar(k, self.at((s, e))))
        entry = Index(Name(x.base, self.at(x.span)), rows, self.at(span))
        onehot = Index(Name(self.labels[label], self.at((s, e))), rows, self.at((s, e)))
        return IndexSum((rows[1],), self.bin(Op.MUL, onehot, entry, span, (s, e)), self.at(span))
