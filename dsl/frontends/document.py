"""A host document and the chainrule text lifted out of it, with the maps between them.

Contract: a :class:`Host` is the document (one text, or a notebook's cells
joined by newlines) and turns host offsets into spans (line, column, cell);
a :class:`Slice` is text taken out of it with the host offset of every
character; an :class:`Extracted` is the finished chainrule program of a
document with its segment map, whose :meth:`Extracted.span_map` puts a span
of the generated text back on the host (passed to ``Diagnostic.moved``).
:func:`suppressions` reads the ``chainrule: ignore[...]`` comments.  Nothing
here reads math or the language.

    >>> sl = Slice.of("ab cd", 3, 5)
    >>> sl.text, sl.at(1), (sl + Slice.of("xy", 0, 1)).offs
    ('cd', 4, (3, 4, 0))
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.frontends.suppress import Suppressions


@dataclass(frozen=True)
class Slice:
    """Text lifted out of a host document, with the host offset of each character."""

    text: str
    offs: tuple[int, ...]
    end: int

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Slice:
        return cls(text[start:end], tuple(range(start, end)), end)

    def at(self, i: int) -> int:
        return self.offs[i] if 0 <= i < len(self.offs) else self.end

    def host_end(self, j: int) -> int:
        return self.offs[j - 1] + 1 if 0 < j <= len(self.offs) else self.at(j)

    def sub(self, i: int, j: int | None = None) -> Slice:
        j = len(self.text) if j is None else j
        return Slice(self.text[i:j], self.offs[i:j], self.host_end(j))

    def __add__(self, other: Slice) -> Slice:
        return Slice(self.text + other.text, self.offs + other.offs, other.end)

    def pinned(self, at: int) -> Slice:
        """The same text, every character placed at host offset ``at``."""
        return Slice(self.text, (at,) * len(self.text), at)

    def strip(self) -> Slice:
        lead = len(self.text) - len(self.text.lstrip())
        return self.sub(lead, len(self.text.rstrip()))


@dataclass
class Host:
    """The document: one text, or a notebook's cells joined by newlines."""

    path: str
    text: str
    cells: tuple[tuple[int, int], ...] = ()      # (start offset, 1-based cell number)
    json_lines: dict = field(default_factory=dict)  # notebook cell -> line of its source in the .ipynb
    _sources: dict = field(default_factory=dict, repr=False)

    def locate(self, offset: int) -> tuple[int | None, int, int]:
        """Host offset -> (cell, offset within the cell, cell start)."""
        if not self.cells:
            return None, offset, 0
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        start, number = self.cells[i]
        return number, offset - start, start

    @functools.cached_property
    def _starts(self) -> list[int]:
        """The cells' start offsets, for :meth:`locate` (a notebook may have thousands of cells)."""
        return [start for start, _ in self.cells]

    @functools.cached_property
    def _index(self) -> dict[int, int]:
        """Cell number -> its place in :attr:`cells`."""
        return {number: i for i, (_, number) in enumerate(self.cells)}

    def source(self, cell: int | None = None) -> Source:
        """The text a span's line and column refer to (a cell's, in a notebook)."""
        if cell not in self._sources:
            if cell is None:
                self._sources[cell] = Source(self.path, self.text)
            else:
                i = self._index[cell]
                start = self.cells[i][0]
                end = self.cells[i + 1][0] - 1 if i + 1 < len(self.cells) else len(self.text)
                self._sources[cell] = Source(self.path, self.text[start:end])
        return self._sources[cell]

    def span(self, start: int, end: int) -> Span:
        cell, local, base = self.locate(start)
        src = self.source(cell)
        local_end = max(local, min(end - base, len(src.text)))
        s = src.span(local, local_end)
        return Span(self.path, s.line, s.column, s.end_line, s.end_column, local, local_end, cell)


@dataclass(frozen=True)
class Formula:
    """One translated equation: its generated range and reading."""

    gen_start: int
    gen_end: int
    host_start: int
    host_end: int
    grouping: str | None
    alt_line: str | None      # the generated line with the other juxtaposition grouping


@dataclass
class Extracted:
    host: Host
    source: Source                      # the generated chainrule text
    segments: list                      # (gen start, gen end, host start, host end, exact)
    notes: list[Diagnostic]             # front-end notes to show
    verbose: list[Diagnostic]           # skipped equations (--verbose)
    suppressions: dict                  # (cell, line) -> frozenset of codes, or None for all
    formulas: list[Formula]
    coverage: dict = field(default_factory=dict)   # formulas found, read, checked; declarations used
    skipped: dict = field(default_factory=dict)    # reason key -> formulas not checked
    aliases: dict = field(default_factory=dict)    # a name in a later scope -> the document's name

    def host_offset(self, gen: int, end: bool = False) -> int:
        if not self.segments:
            return 0
        probe = gen - 1 if end and gen > 0 else gen
        i = max(0, bisect.bisect_right(self._starts, probe) - 1)
        gs, _ge, hs, he, exact = self.segments[i]
        if exact:
            return min(he, max(hs, hs + (gen - gs)))
        return he if end else hs

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s[0] for s in self.segments]

    def span_map(self, span: Span) -> Span:
        """A span of the generated text -> the same place in the host document."""
        start = self.host_offset(span.start)
        end = self.host_offset(span.end, end=True) if span.end > span.start else start
        return self.host.span(start, max(start, end))

    def suppressed(self, d: Diagnostic) -> bool:
        codes = self.suppressions.get((d.span.cell, d.span.line), frozenset())
        return codes is None or d.code in codes

    def formula_at(self, gen: int) -> Formula | None:
        for f in self.formulas:
            if f.gen_start <= gen < f.gen_end:
                return f
        return None


def suppressions(host: Host) -> dict:
    """``chainrule: ignore[CODE, ...]`` comments (after ``%``, ``<!--`` or
    ``#``): they silence those codes (all codes without a list) on their own
    line, and on the next line when the comment stands alone on its line
    (read by ``suppress.Suppressions``, which also tracks their use)."""
    return Suppressions.scan(host).table()
