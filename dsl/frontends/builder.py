"""The chainrule program of a document, assembled in document order.

Contract: the front ends (``markdown``, ``latex``, ``notebook``) hand a
:class:`Builder` the chainrule written as such (``deriv`` blocks and
comments, :meth:`Builder.statements`, kept character for character) and the
equations of the math, split at their relations (:meth:`Builder.equation`);
:meth:`Builder.finish` returns the :class:`~dsl.frontends.document.Extracted`
program.  Which names are declared or defined, and which are scalars, is
read from the statements by the language's own parser: a dims symbol, a
declaration of shape ``scalar`` or ``1 x 1``, a definition whose right side
is certainly a scalar by its form (``forms.scalar_like``: a call of a
scalar-valued function, a number, ...).

Which math is checked: an equation whose left side is a name not yet
declared or defined is a definition; one whose left side is a derivative
``dA/dB`` is a claim (every further ``= ...`` of the chain, or ``&= ...``
row of an align, is another claim about it); an equation using a name that
is not declared or defined is skipped, as is everything else, so prose math
makes no noise.  Skipped equations are listed as ``N702`` notes (shown with
``--verbose``).  A claim that cannot be read gets an ``N700`` note; so does
a definition that cannot be read, once something checked depends on it.

    >>> b = Builder(Host("notes.md", "dims n\\nx : 1 x n"))
    >>> b.statements(Slice.of(b.host.text, 0, len(b.host.text)))
    >>> sorted(b.known), sorted(b.scalars)
    (['n', 'x'], ['n'])
"""
from __future__ import annotations

from dsl.core import messages
from dsl.core.ast import Decl, Define, Dims, ShapeSpec
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.frontends.document import Extracted, Formula, Host, Slice, suppressions
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_math import Translation, Unreadable, translate
from dsl.language.syntax import needs_more, parse_text, split_statements


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
        self.open = ""             # a verbatim statement still open at the end of its lines

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
        self._learn(sl.text)

    def _learn(self, text: str) -> None:
        """Note the names the statements declare or define, as the
        language's parser reads them (``θ`` is theta, ``ŷ`` is yhat).  A
        statement left open (``a = x @``, ``dims n,``) waits for the
        continuation the next verbatim lines bring."""
        text = self.open + text + ("" if text.endswith("\n") else "\n")
        ranges = split_statements(text)
        cut = len(text)
        if ranges and needs_more(text[ranges[-1][0]:ranges[-1][1]]):
            cut = ranges[-1][0]
        self.open = text[cut:]
        program, _ = parse_text(text[:cut])
        for stmt in program.statements:
            match stmt:
                case Dims(items=items):
                    self.known |= {i.name for i in items}
                    self.scalars |= {i.name for i in items}
                case Decl(name=name, shape=shape):
                    self.known.add(name)
                    if _scalar_shape(shape):
                        self.scalars.add(name)
                case Define(name=name, expr=expr):
                    self.known.add(name)
                    self.unreadable.pop(name, None)
                    if scalar_like(expr, frozenset(self.scalars)):
                        self.scalars.add(name)

    # ---- math: one equation, split at its relations
    def equation(self, parts: list[Slice]) -> None:
        """``parts`` are the sides of ``A = B = C`` (at least two)."""
        whole = self.host.span(parts[0].at(0), parts[-1].host_end(len(parts[-1].text)))
        lhs = self._read(parts[0])
        if isinstance(lhs, Unreadable):
            self._skip(whole, say("left-side-unreadable", what=lhs.what))
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
        missing = self._vet(lhs, r, (r.names | needed) - self.known, part, whole)
        if missing is None:
            return False
        if missing:
            blocked = sorted(m for m in missing if m in self.unreadable)
            if blocked:
                first = self.unreadable[blocked[0]]
                if id(first) not in self.shown:
                    self.shown.add(id(first))
                    self.notes.append(first)
                self.notes.append(messages.make(
                    "N702", whole, why=say("uses-unreadable", blocked=blocked[0], line=first.span.line)))
            else:
                self._skip(whole, say("names-unknown", names=", ".join(sorted(missing))))
            return False
        start = self.size
        self.open = ""             # an equation line ends whatever statement was open
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

    def _vet(self, lhs: Translation, r: Translation, missing: set, part: Slice, whole: Span) -> set | None:
        """The names an equation side still lacks (None: skip it, a note said why).
        A hook for the shape inference of documents (``infer_pass``): its first
        pass records the sides skipped here, its second declares what it inferred."""
        return missing

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


def _scalar_shape(shape: ShapeSpec) -> bool:
    """``scalar``, or ``1 x 1``."""
    return all(s.value == 1 for s in shape.sizes)
