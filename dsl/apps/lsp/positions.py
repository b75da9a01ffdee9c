"""Positions: the one place where LSP positions and chainrule spans meet.

The Language Server Protocol counts lines from 0 and characters in UTF-16
code units (a character outside the Basic Multilingual Plane, such as
``𝑥``, is two units); chainrule spans count lines and columns from 1 in
code points.  :class:`LineIndex` holds a document's lines and converts both
ways; every module of the server converts through it and nowhere else.

    >>> ix = LineIndex("a = 𝑥 + ŷ\\nb = a")
    >>> ix.lsp_position(1, 9)            # before ŷ: after 𝑥 the units run one ahead
    (0, 9)
    >>> ix.lsp_position(1, 6)            # after 𝑥
    (0, 6)
    >>> ix.span_point(0, 6), ix.offset(0, 6), ix.offset(1, 4)
    ((1, 6), 5, 14)
"""
from __future__ import annotations

import bisect

from dsl.core.span import Span


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (2 for each astral character)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_to_codepoints(line: str, units: int) -> int:
    """The code point index of the UTF-16 offset ``units`` in ``line``; an
    offset inside a surrogate pair or past the end is moved to the next
    character boundary (the line's end at most)."""
    seen = 0
    for i, ch in enumerate(line):
        if seen >= units:
            return i
        seen += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


class LineIndex:
    """The lines of one document text, for converting positions."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        at = text.find("\n")
        while at != -1:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def line(self, line0: int) -> str:
        """The text of a 0-based line, without its line break."""
        if line0 < 0 or line0 >= len(self.starts):
            return ""
        start = self.starts[line0]
        end = self.starts[line0 + 1] - 1 if line0 + 1 < len(self.starts) else len(self.text)
        return self.text[start:end].removesuffix("\r")

    # ---------------------------------------------------- chainrule -> LSP

    def lsp_position(self, line: int, column: int) -> tuple[int, int]:
        """A 1-based (line, code point column) -> a 0-based (line, UTF-16 character)."""
        line0 = min(max(line - 1, 0), max(len(self.starts) - 1, 0))
        text = self.line(line0)
        return line0, utf16_units(text[:max(column - 1, 0)])

    def lsp_range(self, span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
        """A span's start and end as LSP positions."""
        return self.lsp_position(span.line, span.column), self.lsp_position(span.end_line, span.end_column)

    def lsp_position_of(self, offset: int) -> tuple[int, int]:
        """A code point offset into the whole text -> an LSP position."""
        offset = max(0, min(offset, len(self.text)))
        line0 = self._line_of(offset)
        return line0, utf16_units(self.text[self.starts[line0]:offset])

    # ---------------------------------------------------- LSP -> chainrule

    def span_point(self, line0: int, character: int) -> tuple[int, int]:
        """A 0-based (line, UTF-16 character) -> a 1-based (line, code point column)."""
        return line0 + 1, utf16_to_codepoints(self.line(line0), character) + 1

    def offset(self, line0: int, character: int) -> int:
        """An LSP position -> a code point offset into the whole text (clamped)."""
        if line0 >= len(self.starts):
            return len(self.text)
        if line0 < 0:
            return 0
        return self.starts[line0] + utf16_to_codepoints(self.line(line0), character)

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1
