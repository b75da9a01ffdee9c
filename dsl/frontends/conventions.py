"""Which reading of a formula a document's conventions call for.

Contract: :class:`Conventions` decides, for one side of an equation, between
the readings a convention allows, and says which was taken (``N722``):

- ``\\cdot``: declared (``% deriv: cdot elementwise|matmul``) it is read so;
  otherwise the matrix product is tried first and the elementwise one
  second, and the reading whose shapes check is taken.  Where both check,
  the reading the document used so far wherever only one fitted is taken,
  with a note; with no such use yet, the matrix product, with a note saying
  both readings check (never a silent guess).
- gradients written as rows (``% deriv: layout numerator`` in a document, or
  "numerator layout" in its prose, or every claim written so): a claim about
  the gradient of a scalar is checked transposed, with a note (the builder
  does it, knowing the shapes).

Whether a reading checks is asked of the shape checker on the program
assembled so far plus the candidate line (``fits``).

    >>> c = Conventions(lambda line: line.endswith("a * b"), None)
    >>> c.choose_cdot(["a @ b", "a * b"]), c.used
    (1, ['elementwise'])
"""
from __future__ import annotations

from collections.abc import Callable

CDOT = ("matmul", "elementwise")
_CDOT_MARKS = ("\\cdot", "⋅", "·")


def has_cdot(text: str) -> bool:
    return any(m in text for m in _CDOT_MARKS)


class Conventions:
    """The document's conventions and the readings taken so far."""

    def __init__(self, fits: Callable[[str], bool], declared: str | None):
        self.fits = fits                  # does this chainrule line check, after the program so far?
        self.declared = declared          # the document's declared \cdot reading, if any
        self.used: list[str] = []         # readings taken where only one fitted

    def choose_cdot(self, lines: list[str]) -> int:
        """Of the candidate lines (matmul reading first), the index to emit;
        :attr:`note` says why, when a note is due."""
        self.note: str | None = None
        ok = [self.fits(line) for line in lines]
        if ok[0] != ok[1]:
            pick = 0 if ok[0] else 1
            self.used.append(CDOT[pick])
            if pick == 1:
                self.note = "cdot-elementwise"
            return pick
        if ok[0] and ok[1]:
            earlier = set(self.used)
            if len(earlier) == 1:
                pick = CDOT.index(earlier.pop())
                self.note = f"cdot-{CDOT[pick]}"
                return pick
            self.note = "cdot-both"
        return 0
