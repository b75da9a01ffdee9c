"""Source text and spans.

A :class:`Source` is one piece of text with a name (a file path, ``<repl>``,
``notes.md``) and a table of line starts.  A :class:`Span` is a half-open
range of character offsets into it, with 1-based line and column numbers
computed once.  Front ends that lift text out of a host document (Markdown,
LaTeX, notebooks) map spans back with :meth:`Source.with_origin`.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """Where a node or diagnostic sits: 1-based lines and columns, end exclusive.

    An immutable named tuple rather than a frozen dataclass: a parse makes
    several spans per statement, and a tuple is three times cheaper to build."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0  # character offsets into the Source text
    end: int = 0
    cell: int | None = None  # notebook cell (1-based), set by the notebook front end

    def __str__(self) -> str:
        where = f"{self.file}:cell_{self.cell}" if self.cell is not None else self.file
        return f"{where}:{self.line}:{self.column}"


def shown_name(path: str) -> str:
    r"""A file name as every message and output format shows it: the bytes of
    the name that are not UTF-8 (which Python keeps as lone surrogates) and the
    characters that are not printable (control characters, line and paragraph
    separators, bidirectional overrides) written as escapes, so that a name can
    neither fail to print, break a line of output nor forge one.

    >>> shown_name("notes/ok.md")
    'notes/ok.md'
    >>> print(shown_name("a\nb\x1b[2J\udcff.deriv"))
    a\nb\x1b[2J\xff.deriv
    """
    if path.isprintable():
        return path
    out = []
    for ch in path:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:          # an undecodable byte, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        else:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class Source:
    """A named text with fast offset -> (line, column) lookup."""

    name: str
    text: str
    line_starts: tuple[int, ...] = field(default=(), compare=False, repr=False)
    #: the file's own path when the name shown differs from it (see :func:`shown_name`)
    path: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.line_starts:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            object.__setattr__(self, "line_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        idx = bisect.bisect_right(self.line_starts, offset) - 1
        return idx + 1, offset - self.line_starts[idx] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(self.name, line, col, end_line, end_col, start, max(start, end))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        if line < 1 or line > len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")
