"""What a whole document states, gathered before its equations are read.

Contract: a first pass over the document (the front end feeding a scanning
:class:`~dsl.frontends.builder.Builder`) fills a :class:`Plan`: the names the
hand statements (``deriv`` blocks and comments) declare, the shapes and
sizes the document states (``declarations``), its settings (``vectors``,
``cdot``, ``layout``) and where its sections start.  :meth:`Plan.settle`
then merges the statements of each name: within a section a second,
different statement is a conflict (``W720``, naming both places); in a later
section it starts a new scope (``N721``).  The second pass asks
:meth:`Plan.in_force` for the statement that holds where an equation stands,
so a statement may follow the formula it explains ("where $W \\in ...$").

Size symbols that are also the name of a value (d2l's $\\mathbf{h} \\in
\\mathbb{R}^h$) are renamed ``dim_h`` in the program (:attr:`Plan.size_alias`).

    >>> from dsl.frontends.declarations import Stated, layout_said
    >>> p = Plan()
    >>> p.state(0, Stated("x", ("d",), None, 0, 5)); p.state(0, Stated("x", (), "row", 9, 20))
    >>> p.settle(lambda s, e: None) == [] and p.in_force("x", 0).shape()
    '1 x d'
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from dsl.core import messages
from dsl.core.wording import say
from dsl.frontends.declarations import Stated, layout_said

SETTINGS = {"vectors": ("column", "row"), "cdot": ("elementwise", "matmul"),
            "layout": ("numerator", "denominator")}


@dataclass
class Scope:
    section: int                  # the first section it holds in
    stated: Stated | None         # the statements of the name, merged; None: no shape holds
    alias: str                    # the name in the program


@dataclass
class Plan:
    hand: set[str] = field(default_factory=set)          # names the hand statements give
    hand_sizes: set[str] = field(default_factory=set)    # the size symbols among them
    hand_used: set[str] = field(default_factory=set)     # names the hand definitions and claims use
    defined: set[str] = field(default_factory=set)       # names the equations define
    statements: list[tuple[int, Stated]] = field(default_factory=list)
    sizes: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)  # (section, value, start, end)
    settings: dict[str, tuple[str, int]] = field(default_factory=dict)
    scopes: dict[str, list[Scope]] = field(default_factory=dict)
    attrs: dict[str, set[str]] = field(default_factory=dict)   # name -> attributes of its test data
    size_alias: dict[str, str] = field(default_factory=dict)
    orientation: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # "y is a row vector"
    starts: list[int] = field(default_factory=list)     # host offsets where sections start
    switches: dict[int, str] = field(default_factory=dict)  # section start -> the vectors from there
    prose_layout: int | None = None      # where the prose says "numerator layout"
    gradients: set[str] = field(default_factory=set)   # dW of dW^{[1]} = ..., the left side of an equation
    limits: dict[str, tuple[int, int]] = field(default_factory=dict)  # \sum_{i=1}^{m}: m, where first
    likes: dict[str, Stated] = field(default_factory=dict)   # "Y of the same shape as S": Y -> the statement
    written: set[str] = field(default_factory=set)     # the capital letters the equations write (P of P - Y)
    per_entry: dict[str, str] = field(default_factory=dict)  # L = 1/N sum_i L_i: L -> Li, its terms' name
    powers: set[str] = field(default_factory=set)      # sigma2 of \partial \sigma^2: a variance, a name
    chained: dict[str, set[str]] = field(default_factory=dict)   # dL/dW = ... dL/da ...: L -> {a, ...}
    direct: dict[str, list] = field(default_factory=dict)  # dL/dW = (no derivative of L): the names it uses
    gradient_names: dict[str, set[str]] = field(default_factory=dict)   # G = dL/dY: L -> {G}
    noise: int = 0                                     # the equations that write \epsilon

    # ---- the first pass
    def state(self, section: int, st: Stated) -> None:
        self.statements.append((section, st))

    def size(self, section: int, name: str, value: int, start: int, end: int) -> None:
        self.sizes.setdefault(name, []).append((section, value, start, end))

    def setting(self, key: str, value: str, at: int) -> None:
        self.settings.setdefault(key, (value, at))

    def said(self, text: str, base: int) -> None:
        """Prose naming the layout ("numerator layout"): gradients as rows, unless declared."""
        layout = layout_said(text)
        if layout and layout[0] == "numerator":
            self.prose_layout = layout[1] + base

    @property
    def vectors(self) -> str:
        return self.settings.get("vectors", ("column", 0))[0]

    # ---- between the passes
    def settle(self, span) -> list:
        """Merge the statements; ``span(start, end)`` makes a host span.
        Returns the conflict warnings and scope notes, in document order."""
        out: list = []
        if self.prose_layout is not None:
            self.settings.setdefault("layout", ("numerator", self.prose_layout))
        self.starts.sort()
        self.statements = [(self.section_at(st.start), self._oriented(st)) for _, st in self.statements]
        self.sizes = {n: [(self.section_at(v[2]), *v[1:]) for v in vs] for n, vs in self.sizes.items()}
        for section, st in self.statements:
            if st.name in self.hand:                # hand declarations win
                continue
            if st.like:                            # "of the same shape as S": S's shape, where declared
                self.likes.setdefault(st.name, st)
                continue
            if st.only_attrs:                      # "the one-hot label y": how y is drawn
                self.attrs.setdefault(st.name, set()).update(st.attrs)
                continue
            scopes = self.scopes.get(st.name, [])
            if not scopes:
                if st.sizes or not st.orientation:
                    self.scopes[st.name] = [Scope(section, st, st.name)]
                else:
                    self._orient(st, span, out)
                continue
            cur = scopes[-1]
            before = cur.stated
            if before is None:                       # (no shape holds: added after this loop)
                continue
            merged = _merge(before, st)
            if merged is not None:
                cur.stated = merged
                continue
            if not st.sizes and st.orientation:
                self._orient(st, span, out)
                continue
            first = span(before.start, before.end)
            if _spelling(st.written) != _spelling(before.written):
                cur.stated = None      # x and \mathbf{x}, one name here: neither shape is taken
                continue
            if section > cur.section:
                alias = f"{st.name}_{len(scopes) + 1}"
                scopes.append(Scope(section, st, alias))
                out.append(messages.make("N721", span(st.start, st.end), name=st.written or st.name,
                                         shape=st.shape(self.vectors), line=first.line))
            else:
                out.append(messages.make("W720", span(st.start, st.end), name=st.written or st.name,
                                         shape=st.shape(self.vectors), other=before.shape(self.vectors),
                                         line=first.line, hint=say("reading-conflict-first")))
        for name, values in self.sizes.items():
            first = values[0]
            for section, value, start, end in values[1:]:
                if value != first[1] and section == first[0]:
                    out.append(messages.make("W720", span(start, end), name=name, shape=str(value),
                                             other=str(first[1]), line=span(first[2], first[3]).line,
                                             hint=say("reading-conflict-first")))
        self._switch()
        used = {sym for scopes in self.scopes.values() for sc in scopes if sc.stated for sym in sc.stated.symbols()}
        for name in list(self.sizes):         # a value's name, or "y = 1" of a label, is no size
            if name in self.scopes or (name not in used and self.sizes[name][0][1] < 2):
                del self.sizes[name]
        names = set(self.scopes) | self.defined | (self.hand - self.hand_sizes)
        for name in self._symbols():
            if name in names:
                self.size_alias[name] = f"dim_{name}"
        return sorted(out, key=lambda d: (d.span.cell or 0, d.span.line, d.span.column))

    def _orient(self, st: Stated, span, out: list) -> None:
        way = st.orientation or "column"
        old, start, end = self.orientation.setdefault(st.name, (way, st.start, st.end))
        if old != way:
            out.append(messages.make("W720", span(st.start, st.end), name=st.written or st.name,
                                     shape=say("reading-vector", way=way), other=say("reading-vector", way=old),
                                     line=span(start, end).line, hint=say("reading-conflict-first")))

    def _symbols(self) -> set[str]:
        found = set(self.sizes)
        for scopes in self.scopes.values():
            for s in scopes:
                found.update(s.stated.symbols() if s.stated else ())
        return found

    def _switch(self) -> None:
        """Where the document switches to column (or row) vectors, the vectors
        stated before hold no more unless stated again: they get no shape there."""
        for at, _way in sorted(self.switches.items()):
            section = self.section_at(at)
            for name, scopes in self.scopes.items():
                held = [s for s in scopes if s.section < section]
                later = any(sec >= section for sec, st in self.statements if st.name == name)
                if held and held[-1].stated and _vector(held[-1].stated) and not later:
                    scopes.append(Scope(section, None, f"{name}_{len(scopes) + 1}"))

    def _oriented(self, st: Stated) -> Stated:
        """An unoriented vector stated after a switch ("in terms of column vectors") takes its orientation."""
        ways = [way for at, way in sorted(self.switches.items()) if at <= st.start]
        if ways and st.orientation is None and len(st.sizes) == 1:
            return replace(st, orientation=ways[-1])
        return st

    def section_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    # ---- the second pass
    def in_force(self, name: str, section: int) -> Stated | None:
        """The merged statement of ``name`` that holds in ``section``, sizes
        renamed as in the program; the first scope also holds before it."""
        scope = self.scope(name, section)
        if scope is None or scope.stated is None:
            return None
        st = scope.stated
        if st.orientation is None and len(st.sizes) == 1 and name in self.orientation:
            st = replace(st, orientation=self.orientation[name][0])
        return replace(st, sizes=tuple(self.size_alias.get(s, s) for s in st.sizes))

    def scope(self, name: str, section: int) -> Scope | None:
        scopes = self.scopes.get(name) or []
        held = [s for s in scopes if s.section <= section]
        return held[-1] if held else (scopes[0] if scopes else None)

    def aliases(self, section: int) -> dict[str, str]:
        """Names renamed in ``section`` (a name restated in a later section)."""
        out = {}
        for name in self.scopes:
            s = self.scope(name, section)
            if s is not None and s.alias != name:
                out[name] = s.alias
        return out

    def base(self, name: str) -> str:
        """The document's name of a name in the program (``x_2`` of a later scope is ``x``)."""
        return next((n for n, scopes in self.scopes.items() if any(s.alias == name for s in scopes)), name)

    def size_value(self, name: str) -> tuple[int, int, int] | None:
        values = self.sizes.get(name)
        return (values[0][1], values[0][2], values[0][3]) if values else None


def _spelling(written: str) -> str:
    """How a name is written, spaces and braces aside (``\\mathbf x`` is ``\\mathbf{x}``)."""
    return "".join(ch for ch in written if ch not in " {}")


def _vector(st: Stated) -> bool:
    return len(st.sizes) == 1 or (len(st.sizes) == 2 and "1" in st.sizes)


def _merge(a: Stated, b: Stated) -> Stated | None:
    """One statement from two that agree (an orientation filling in a vector), else None."""
    if not b.sizes and b.orientation:
        if len(a.sizes) == 1 and a.orientation in (None, b.orientation):
            return replace(a, orientation=b.orientation)
        if len(a.sizes) == 2 and "1" in a.sizes:
            want = ("1", a.sizes[1]) if b.orientation == "row" else (a.sizes[0], "1")
            return a if a.sizes == want else None
        return None
    if a.sizes == b.sizes and (a.orientation is None or b.orientation is None or a.orientation == b.orientation):
        return replace(a, orientation=a.orientation or b.orientation)
    if len(a.sizes) == len(b.sizes) and a.orientation == b.orientation and all(
            x == y or x.isdigit() != y.isdigit() for x, y in zip(a.sizes, b.sizes, strict=True)):
        return a          # an example's sizes (n x d, then 60000 x 784 for MNIST): the symbols are kept
    if len(a.sizes) + len(b.sizes) == 3:               # d vs 1 x d, d vs d x 1
        vec, mat = (a, b) if len(a.sizes) == 1 else (b, a)
        if vec.orientation is None and "1" in mat.sizes and vec.sizes[0] in mat.sizes:
            return replace(mat, start=a.start, end=a.end, written=a.written)
    return None
