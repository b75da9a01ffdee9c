"""Positions: the one place where LSP positions and chainrule spans meet.

The Language Server Protocol counts lines from 0 and characters in UTF-16
code units by default (a character outside the Basic Multilingual Plane,
such as ``𝑥``, is two units); a client may negotiate UTF-8 bytes or UTF-32
code points instead (Neovim prefers UTF-8).  Chainrule spans count lines and
columns from 1 in code points.  :class:`LineIndex` holds a document's lines
and converts both ways in the negotiated encoding; every module of the
server converts through it and nowhere else.

    >>> ix = LineIndex("a = 𝑥 + ŷ\\nb = a")
    >>> ix.lsp_position(1, 9)            # before ŷ: after 𝑥 the units run one ahead
    (0, 9)
    >>> ix.lsp_position(1, 6)            # after 𝑥
    (0, 6)
    >>> ix.span_point(0, 6), ix.offset(0, 6), ix.offset(1, 4)
    ((1, 6), 5, 14)
    >>> LineIndex("a = 𝑥 + ŷ", "utf-8").lsp_position(1, 9)    # 𝑥 is four bytes
    (0, 11)
"""
from __future__ import annotations

import bisect

from dsl.core.span import Span

ENCODINGS = ("utf-16", "utf-8", "utf-32")
"""The position encodings of LSP 3.17, UTF-16 the default every client supports."""


def _width(ch: str, encoding: str) -> int:
    """How many units one character takes in ``encoding``."""
    code = ord(ch)
    if encoding == "utf-16":
        return 2 if code > 0xFFFF else 1
    if encoding == "utf-8":
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


def utf16_units(text: str, encoding: str = "utf-16") -> int:
    """How many units ``text`` takes (UTF-16 code units unless told: 2 for each astral character)."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_to_codepoints(line: str, units: int, encoding: str = "utf-16") -> int:
    """The code point index of the offset ``units`` in ``line``; an offset
    inside a character (a surrogate pair, a UTF-8 sequence) or past the end
    is moved to the next character boundary (the line's end at most)."""
    if encoding == "utf-32":
        return max(0, min(units, len(line)))
    seen = 0
    for i, ch in enumerate(line):
        if seen >= units:
            return i
        seen += _width(ch, encoding)
    return len(line)


class LineIndex:
    """The lines of one document text, for converting positions (``encoding``: the negotiated units)."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.text = text
        self.encoding = encoding if encoding in ENCODINGS else "utf-16"
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
        return line0, utf16_units(text[:max(column - 1, 0)], self.encoding)

    def lsp_range(self, span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
        """A span's start and end as LSP positions."""
        return self.lsp_position(span.line, span.column), self.lsp_position(span.end_line, span.end_column)

    def lsp_position_of(self, offset: int) -> tuple[int, int]:
        """A code point offset into the whole text -> an LSP position."""
        offset = max(0, min(offset, len(self.text)))
        line0 = self._line_of(offset)
        return line0, utf16_units(self.text[self.starts[line0]:offset], self.encoding)

    # ---------------------------------------------------- LSP -> chainrule

    def span_point(self, line0: int, character: int) -> tuple[int, int]:
        """A 0-based (line, UTF-16 character) -> a 1-based (line, code point column)."""
        return line0 + 1, utf16_to_codepoints(self.line(line0), character, self.encoding) + 1

    def offset(self, line0: int, character: int) -> int:
        """An LSP position -> a code point offset into the whole text (clamped)."""
        if line0 >= len(self.starts):
            return len(self.text)
        if line0 < 0:
            return 0
        return self.starts[line0] + utf16_to_codepoints(self.line(line0), character, self.encoding)

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1
