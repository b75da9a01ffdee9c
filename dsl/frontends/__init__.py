"""Front ends: derivations written inside host documents.

Contract: :func:`extract` turns a Markdown, LaTeX or notebook document into
ONE chainrule source text (its ``deriv`` blocks, ``deriv:`` comments and the
checkable equations of its math, in document order) plus a position map
back to (line, column, cell) of the document.  Front ends produce text,
never AST: the text goes through the same driver as a ``.deriv`` file, and
:meth:`Extracted.span_map` (passed to ``Diagnostic.moved``) puts every
diagnostic back on the host document.

Which math is checked (:class:`Builder`): an equation whose left side is a
name not yet declared or defined is a definition; one whose left side is a
derivative ``dA/dB`` is a claim (every further ``= ...`` of the chain, or
``&= ...`` row of an align, is another claim about it); an equation using a
name that is not declared or defined is skipped, as is everything else, so
prose math makes no noise.  Skipped equations are listed as ``N702`` notes
(shown with ``--verbose``).  A claim that cannot be read gets an ``N700``
note; so does a definition that cannot be read, once something checked
depends on it.

    >>> ex = extract("notes.md", "<!-- deriv: x : 1 x 3 -->\\n$$ y = x x^T $$\\n")
    >>> ex.source.text
    'x : 1 x 3\\ny = x @ x.T\\n'
"""
from __future__ import annotations

import bisect
import functools
import os
import unicodedata
import re
from dataclasses import dataclass, field

from dsl.builtins import scalar_valued
from dsl.core import messages
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.frontends.latex_math import Translation, Unreadable, greek_name, translate

EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".ipynb": "notebook"}


@dataclass(frozen=True)
class Slice:
    """Text lifted out of a host document, with the host offset of each character."""

    text: str
    offs: tuple[int, ...]
    end: int

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Slice":
        return cls(text[start:end], tuple(range(start, end)), end)

    def at(self, i: int) -> int:
        return self.offs[i] if 0 <= i < len(self.offs) else self.end

    def host_end(self, j: int) -> int:
        return self.offs[j - 1] + 1 if 0 < j <= len(self.offs) else self.at(j)

    def sub(self, i: int, j: int | None = None) -> "Slice":
        j = len(self.text) if j is None else j
        return Slice(self.text[i:j], self.offs[i:j], self.host_end(j))

    def __add__(self, other: "Slice") -> "Slice":
        return Slice(self.text + other.text, self.offs + other.offs, other.end)

    def pinned(self, at: int) -> "Slice":
        """The same text, every character placed at host offset ``at``."""
        return Slice(self.text, (at,) * len(self.text), at)

    def strip(self) -> "Slice":
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
        i = max(0, bisect.bisect_right([s for s, _ in self.cells], offset) - 1)
        start, number = self.cells[i]
        return number, offset - start, start

    def source(self, cell: int | None = None) -> Source:
        """The text a span's line and column refer to (a cell's, in a notebook)."""
        if cell not in self._sources:
            if cell is None:
                self._sources[cell] = Source(self.path, self.text)
            else:
                i = next(i for i, (_, n) in enumerate(self.cells) if n == cell)
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

    def host_offset(self, gen: int, end: bool = False) -> int:
        if not self.segments:
            return 0
        probe = gen - 1 if end and gen > 0 else gen
        i = max(0, bisect.bisect_right(self._starts, probe) - 1)
        gs, ge, hs, he, exact = self.segments[i]
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


# ------------------------------------------------------------------ builder

_NAME = r"([^\W\d][\w\u0302-\u0304]*)"
_DECL = re.compile(r"^\s*" + _NAME + r"\s*:(?!=)\s*(.*)$")
_DEF = re.compile(r"^\s*" + _NAME + r"\s*=(?!=)\s*(.*)$")
_DIMS = re.compile(r"^\s*dims\b(.*)$")
_SCALAR_RHS = re.compile(r"^(" + "|".join(scalar_valued()) + r")\([^()]*(\([^()]*\)[^()]*)*\)$")
_SUPPRESS = re.compile(r"(?:%|<!--|#)\s*chainrule:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


class Builder:
    """Collects the chainrule text of one document, in order, and decides
    which equations are checked."""

    def __init__(self, host: Host):
        self.host = host
        self.parts: list[str] = []
        self.segments: list = []
        self.size = 0
        self.known: set[str] = set()
        self.scalars: set[str] = set()
        self.unreadable: dict[str, Diagnostic] = {}
        self.shown: set[int] = set()
        self.notes: list[Diagnostic] = []
        self.verbose: list[Diagnostic] = []
        self.formulas: list[Formula] = []

    def _emit(self, text: str, host_start: int, host_end: int, exact: bool) -> None:
        if text:
            self.segments.append((self.size, self.size + len(text), host_start, host_end, exact))
            self.parts.append(text)
            self.size += len(text)

    # ---- chainrule written as such: deriv blocks and comments
    def statements(self, sl: Slice) -> None:
        """Verbatim chainrule lines, mapped character for character."""
        run = 0
        for i in range(1, len(sl.text) + 1):
            if i == len(sl.text) or sl.offs[i] != sl.offs[i - 1] + 1:
                self._emit(sl.text[run:i], sl.offs[run], sl.offs[i - 1] + 1, True)
                run = i
        if not sl.text.endswith("\n"):
            self._emit("\n", sl.end, sl.end, False)
        for line in sl.text.splitlines():
            self._learn(line.split("#", 1)[0])

    def _learn(self, line: str) -> None:
        """Note the names a chainrule line declares or defines (as the
        language spells them: ``θ`` is theta, ``ŷ`` is yhat)."""
        if m := _DIMS.match(line):
            for item in m.group(1).split(","):
                name = _ascii(item.split("=")[0].strip())
                if name.isidentifier():
                    self.known.add(name)
                    self.scalars.add(name)
        elif m := _DECL.match(line):
            self.known.add(_ascii(m.group(1)))
            if re.match(r"(scalar|1\s*[x×]\s*1)\b", m.group(2).strip()):
                self.scalars.add(_ascii(m.group(1)))
        elif m := _DEF.match(line):
            name = _ascii(m.group(1))
            self.known.add(name)
            self.unreadable.pop(name, None)
            if _SCALAR_RHS.match(m.group(2).strip()):
                self.scalars.add(name)

    # ---- math: one equation, split at its relations
    def equation(self, parts: list[Slice]) -> None:
        """``parts`` are the sides of ``A = B = C`` (at least two)."""
        whole = self.host.span(parts[0].at(0), parts[-1].host_end(len(parts[-1].text)))
        lhs = self._read(parts[0])
        if isinstance(lhs, Unreadable):
            self._skip(whole, f"its left side cannot be read ({lhs.what})")
            return
        if lhs.deriv:
            needed, rhs = set(lhs.deriv), parts[1:]
        elif lhs.name and lhs.name not in self.known:
            needed, rhs = set(), parts[1:2]
        else:
            why = (f"'{lhs.name}' is already declared or defined" if lhs.name
                   else "its left side is neither a name nor a derivative")
            self._skip(whole, why)
            return
        for part in rhs:
            done = self._side(lhs, needed, parts[0], part, whole)
            if done and lhs.name:
                return

    def _read(self, sl: Slice):
        return translate(sl.text, known=self.known, scalars=self.scalars)

    def _side(self, lhs: Translation, needed: set, left: Slice, part: Slice, whole: Span) -> bool:
        r = self._read(part)
        if isinstance(r, Unreadable):
            note = messages.make("N700", self.host.span(part.at(r.start), part.host_end(r.end)), what=r.what)
            if lhs.name:
                self.unreadable[lhs.name] = note
                self.verbose.append(note)
            elif needed <= self.known:
                self.notes.append(note)
            else:
                self.verbose.append(note)
            return False
        missing = (r.names | needed) - self.known
        if missing:
            blocked = sorted(m for m in missing if m in self.unreadable)
            if blocked:
                first = self.unreadable[blocked[0]]
                if id(first) not in self.shown:
                    self.shown.add(id(first))
                    self.notes.append(first)
                self.notes.append(messages.make(
                    "N702", whole, why=f"it uses '{blocked[0]}', whose definition could not be read "
                                       f"(line {first.span.line})"))
            else:
                self._skip(whole, "not declared or defined: " + ", ".join(sorted(missing)))
            return False
        start = self.size
        self._pieces(lhs, left)
        eq_at = left.host_end(len(left.text))
        self._emit(" = ", eq_at, part.at(0), False)
        self._pieces(r, part)
        self._emit("\n", part.end, part.end, False)
        alt = f"{lhs.text} = {r.alt}" if r.alt else None
        self.formulas.append(Formula(start, self.size, left.at(0), part.end, r.grouping, alt))
        if lhs.name:
            self.known.add(lhs.name)
            self.unreadable.pop(lhs.name, None)
            if r.scalar:
                self.scalars.add(lhs.name)
        return True

    def _pieces(self, t: Translation, sl: Slice) -> None:
        for gs, ge, ss, se in t.pieces:
            host_start = sl.at(ss)
            self._emit(t.text[gs:ge], host_start, max(host_start, sl.host_end(se)), False)

    def _skip(self, where: Span, why: str) -> None:
        self.verbose.append(messages.make("N702", where, why=why))

    # ---- result
    def finish(self) -> Extracted:
        return Extracted(self.host, Source(self.host.path, "".join(self.parts)), self.segments,
                         self.notes, self.verbose, suppressions(self.host), self.formulas)


def _ascii(name: str) -> str:
    if name.isascii():
        return name
    marks = {"\u0302": "hat", "\u0303": "tilde", "\u0304": "bar"}
    out = []
    for ch in unicodedata.normalize("NFD", name):
        if ch.isascii():
            out.append(ch)
        elif ch in marks:
            out.append(marks[ch])
        elif "\u2080" <= ch <= "\u2089":
            out.append(str(ord(ch) - 0x2080))
        else:
            out.append(greek_name(ch))
    return "".join(out)


def suppressions(host: Host) -> dict:
    """``chainrule: ignore[CODE, ...]`` comments (after ``%``, ``<!--`` or
    ``#``): they silence those codes (all codes without a list) on their own
    line, and on the next line when the comment stands alone on its line."""
    found: dict = {}
    for m in _SUPPRESS.finditer(host.text):
        codes = None if m.group(1) is None else frozenset(
            c.strip().upper() for c in m.group(1).split(",") if c.strip())
        span = host.span(m.start(), m.start())
        keys = [(span.cell, span.line)]
        line_start = host.text.rfind("\n", 0, m.start()) + 1
        if not host.text[line_start:m.start()].strip():
            keys.append((span.cell, span.line + 1))
        for key in keys:
            old = found.get(key, frozenset())
            found[key] = None if codes is None or old is None else old | codes
    return found


def kind_of(path: str) -> str | None:
    """``markdown``, ``latex``, ``notebook`` or ``deriv`` by extension, else None."""
    ext = os.path.splitext(path)[1].lower()
    return "deriv" if ext == ".deriv" else EXTENSIONS.get(ext)


def extract(path: str, text: str) -> Extracted:
    """The chainrule program of a host document (see the module docstring).

    Raises ``ValueError`` with a message for a notebook that is not valid JSON;
    the caller reports it as an input error.
    """
    kind = kind_of(path)
    if kind == "markdown":
        from dsl.frontends.markdown import extract_markdown
        host = Host(path, text)
        builder = Builder(host)
        extract_markdown(Slice.of(text, 0, len(text)), builder)
        return builder.finish()
    if kind == "latex":
        from dsl.frontends.latex import extract_latex
        builder = Builder(Host(path, text))
        extract_latex(text, builder)
        return builder.finish()
    if kind == "notebook":
        from dsl.frontends.notebook import extract_notebook
        return extract_notebook(path, text)
    builder = Builder(Host(path, text))
    if text:
        builder.statements(Slice.of(text, 0, len(text)))
    return builder.finish()
