"""The shapes a document states, declared where its equations need them.

Contract: :class:`StatedShapes` is the part of the
:class:`~dsl.frontends.builder.Builder` that speaks for the document's own
statements (``declarations``, gathered by ``scopes.Plan`` in the first
pass): it records them in the first pass, reads ``m = 750`` as a size, and
in the second pass emits a declaration (and the ``dims`` it needs) just
before the first equation that uses a stated name, mapped to the
statement's place in the document, so every diagnostic about it points
there.  A name the hand statements give, or the document defines, is never
declared from a statement: hand declarations win.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from dsl.core import messages
from dsl.core.attributes import SQUARE_ATTRIBUTES
from dsl.core.wording import say
from dsl.frontends.declarations import Stated, name_of
from dsl.frontends.document import Host, Slice
from dsl.frontends.entry_names import entry_table, gather
from dsl.frontends.latex_math import Translation, Unreadable, translate
from dsl.frontends.renaming import called, entries_renamed, entrywise_pairs, renamed
from dsl.frontends.scopes import Plan

_COUNT = re.compile(r"\s*\d+\s*")
_GRADIENT = re.compile(r"\s*d((?:\\mathbf\{)?[A-Za-z]\}?(?:_\{?[A-Za-z0-9]+\}?)?"
                       r"(?:\s*\^\s*\{?[\[(][A-Za-z0-9+-]+[\])]\}?)?)\s*")
_D_NAME = re.compile(r"(?:(?<![A-Za-z\\])|(?<=\^T))d((?:\\mathbf\{|\\boldsymbol\{)?[A-Za-z]\}?(?:_\{?[A-Za-z0-9]+\}?)?"
                     r"(?:\s*\^\s*\{?[\[(][A-Za-z0-9+-]+[\])]\}?)?)")
_DERIVATIVE = re.compile(r"\\[dt]?frac\s*\{\s*d[^{}]*\}\s*\{\s*d[^{}]*\}")
_LIMIT = re.compile(r"\\(?:sum|prod)\s*_\s*\{\s*[a-z]\s*=\s*[01]\s*\}\s*\^\s*\{?\s*([A-Za-z])\s*\}?(?![A-Za-z_])")


class StatedShapes:
    """Statements, sizes and sections of the document (mixed into ``Builder``)."""

    host: Host
    plan: Plan
    scanning: bool
    section: int
    known: set[str]
    scalars: set[str]
    counts: Counter
    verbose: list
    _was_read: bool
    versions: dict[str, str]
    shapeless: set[str]
    plain: frozenset
    _so_far: Callable[[], tuple]              # the program so far, checked (``readings``)

    def _emit(self, text: str, host_start: int, host_end: int, exact: bool) -> None:
        raise NotImplementedError

    def stated(self, st: Stated) -> None:
        """A shape the document states (``declarations``); gathered in the first
        pass.  A statement with no name ("in terms of column vectors") switches
        the document's vectors: a section starts there."""
        if not self.scanning:
            return
        if st.name:
            self.plan.state(0, st)
        else:
            self.new_section(st.start, st.orientation)

    def new_section(self, at: int, switch: str | None = None) -> None:
        """A heading or ``\\section`` at host offset ``at``: a name restated
        after it starts a new scope."""
        if self.scanning:
            self.plan.starts.append(at)
            if switch:
                self.plan.switches[at] = switch

    def _gather(self, parts: list[Slice]) -> None:
        for power, k, s, e in gather(self.plan, [p.text for p in parts]):     # \sigma^2: a scalar name
            if power not in self.plan.scopes and all(st.name != power for _, st in self.plan.statements):
                self.plan.state(0, Stated(power, (), None, parts[k].at(s), parts[k].host_end(e),
                                          parts[k].text[s:e], ("positive",)))   # a variance
        for part in parts:
            for m in _LIMIT.finditer(part.text):      # \sum_{i=1}^{m}: the number of terms, a size
                self.plan.limits.setdefault(m.group(1), (part.at(m.start(1)), part.host_end(m.end(1))))
        grad = _GRADIENT.fullmatch(parts[0].text)
        if grad and (of := name_of(grad.group(1))) and not self._differentials(parts[1:]):
            self.plan.gradients.add(f"d{of}")     # dW^{[1]} = ...: a gradient variable the document defines
        name = name_of(parts[0].text)
        if name and len(parts) == 2 and _COUNT.fullmatch(parts[1].text) and int(parts[1].text) > 0:
            self.plan.size(0, name, int(parts[1].text), parts[0].at(0),
                           parts[1].host_end(len(parts[1].text)))
        elif name:
            self.plan.defined.add(name)

    def _differentials(self, sides: list[Slice]) -> bool:
        """Whether the right sides use a ``d`` name the document has not defined before
        (``da = W^T dx``: differentials, not the gradient variables of ``dW = dZ X^T``)."""
        for side in sides:
            text = _DERIVATIVE.sub(" ", side.text)
            for m in _D_NAME.finditer(text):
                of = name_of(m.group(1))
                if of is None or f"d{of}" not in self.plan.gradients:
                    return True
        return False

    def _size(self, parts: list[Slice]) -> bool:
        """``m = 750``: a size the document states, not a definition (emitted where needed)."""
        if len(parts) != 2 or not _COUNT.fullmatch(parts[1].text):
            return False
        name = name_of(parts[0].text)
        return name is not None and name in self.plan.sizes and name not in self.plan.hand

    def _read(self, sl: Slice, left: Translation | None = None, cdot: str | None = None):
        """One side read with what the document has settled so far; ``left``
        is the equation's left side when ``sl`` is a right side."""
        limits = {n for n in self.plan.limits if self._limit(n)}
        known = self.known | self.plan.scopes.keys() | self.plan.sizes.keys() | limits
        known |= {g for g in self.plan.gradients if g[1:] in known or g[1:] in self.plan.defined}
        known |= self.plan.powers
        scalars = self.scalars | self.plan.sizes.keys() | self._stated_scalars() | limits
        cdot = cdot or self.plan.settings.get("cdot", (None,))[0]
        labels = {m.lower(): m for m, attrs in self.plan.attrs.items()      # the one-hot labels Y of y_i
                  if "onehot" in attrs and len(m) == 1 and m.isupper() and m.lower() not in known}
        activations = frozenset(n for n, attrs in self.plan.attrs.items() if "activation" in attrs)
        r = translate(sl.text, known=known, scalars=scalars, cdot=cdot, left=left, plain=self.plain,
                      labels=labels, activations=activations)
        if isinstance(r, Translation) and any(" : like " in a[0] for a in r.aux):
            r = self._elementwise(r)
        self._was_read = not isinstance(r, Unreadable)
        if isinstance(r, Translation) and (table := entry_table(r, known, self.plan)):
            r = entries_renamed(r, table, frozenset(scalars))      # s_{ik} of S, L_i beside L
        aliases = {**self.plan.aliases(self.section), **self.versions}
        if isinstance(r, Translation) and ((aliases and r.names & aliases.keys()) or entrywise_pairs(r.node)):
            return renamed(r, aliases, frozenset(scalars))
        return r

    def _elementwise(self, r: Translation) -> Translation:
        """An activation applied to a value (``\\phi(z)``, ``latex_read``): declared opaque with the
        shape of its argument, entry by entry, when that is a value of known shape; else not declared
        (the formula then lacks it, and a note says so).  Applied to a value of another shape, it is
        another opaque function (``phi_2``): one opaque function has one shape."""
        names = self._so_far()[2].names
        aux, table = [], {}
        for text, s, e in r.aux:
            m = re.fullmatch(r"(\S+) : like (\S+) (\S+)", text)
            if m is None:
                aux.append((text, s, e))
                continue
            info = names.get(m.group(2))
            shape = info.shape if info is not None else None
            if shape is None or not all(isinstance(d, int) or str(d).isidentifier() for d in shape.dims):
                continue
            fn, k = m.group(1), 2            # one opaque function per shape: phi, then phi_2, ...
            while (have := names.get(fn)) is not None and have.shape != shape:
                fn, k = f"{m.group(1)}_{k}", k + 1
            if fn != m.group(1):
                table[m.group(1)] = fn
            if have is None and fn not in self.known:
                aux.append((f"{fn} : {shape} {m.group(3)}", s, e))
        r = replace(r, aux=tuple(aux))
        return called(r, table, frozenset(self.scalars)) if table else r

    def _limit(self, name: str) -> bool:
        """Whether ``name`` is the upper limit of a sum (``\\sum_{i=1}^{m}``) and nothing else of the
        document: a size (so ``\\frac{1}{m}`` divides by it)."""
        return (name in self.plan.limits and name not in self.plan.defined and name not in self.plan.scopes
                and name not in self.plan.hand and name not in self.plan.size_alias)

    def _stated_scalars(self) -> set[str]:
        """The names stated to be scalars, and the size symbols of the shapes stated
        (``X \\in \\mathbb{R}^{m \\times d}``: m and d) that name nothing else."""
        plan = self.plan
        sizes = {s for scopes in plan.scopes.values() for sc in scopes if sc.stated for s in sc.stated.symbols()}
        return {n for n, scopes in plan.scopes.items()
                if scopes[0].stated is not None and not scopes[0].stated.sizes} | (
            sizes - plan.scopes.keys() - plan.defined - plan.hand)

    # ---- the document's statements, declared where an equation needs them
    def _supply(self, names) -> None:
        for name in sorted(set(names) - self.known):
            if name in self.plan.hand:
                continue                  # a hand statement gives it, where it stands
            base = self._base(name)
            if base is None and name in self.plan.likes and self._supply_like(self.plan.likes[name]):
                continue
            if base is None or base in self.plan.defined:
                if (name in self.plan.sizes or self._limit(name)) and name not in self.plan.size_alias:
                    self._supply_size(name, None)
                continue
            st = self.plan.in_force(base, self.section)
            if st is None and base in self.plan.scopes:
                self.shapeless.add(name)          # stated so that no shape holds here: none is guessed
            if st is not None and all(self._supply_size(s, st) for s in st.symbols()):
                shape = st.shape(self.plan.vectors)
                drawn = set(st.attrs) | (self.plan.attrs.get(base, set()) if st.sizes else set())
                drawn.discard("activation")
                if len(st.sizes) != 2 or st.sizes[0] != st.sizes[1]:
                    drawn -= set(SQUARE_ATTRIBUTES)         # "symmetric" says nothing of a vector
                attrs = "".join(f" {a}" for a in sorted(drawn))
                self._emit(f"{name} : {shape}{attrs}\n", st.start, st.end, False)
                self._declared(st.start, st.end, say("reading-declared", name=st.written or name, shape=shape))
                self.known.add(name)
                if not st.sizes:
                    self.scalars.add(name)

    def _supply_like(self, st: Stated) -> bool:
        """``Y``, stated to have the shape of ``S``: declared with the shape ``S`` has
        here, when that is known and written in sizes (no shape is guessed)."""
        info = self._so_far()[2].names.get(st.like)
        shape = info.shape if info is not None else None
        if shape is None or not all(isinstance(d, int) or str(d).isidentifier() for d in shape.dims):
            return False
        if any(str(d) not in self.known for d in shape.dims if not isinstance(d, int)):
            return False
        drawn = set(self.plan.attrs.get(st.name, set())) - {"activation"}
        if len(shape.dims) != 2 or shape.dims[0] != shape.dims[1]:
            drawn -= set(SQUARE_ATTRIBUTES)
        attrs = "".join(f" {a}" for a in sorted(drawn))     # "the one-hot labels in a matrix Y"
        self._emit(f"{st.name} : {shape}{attrs}\n", st.start, st.end, False)
        self._declared(st.start, st.end, say("reading-declared", name=st.written or st.name, shape=str(shape)))
        self.known.add(st.name)
        if shape.is_scalar:
            self.scalars.add(st.name)
        return True

    def _base(self, name: str) -> str | None:
        """The document's name of a name in the program (``W_2`` in a second scope is ``W``)."""
        for base, scopes in self.plan.scopes.items():
            if any(s.alias == name for s in scopes):
                held = self.plan.scope(base, self.section)
                return base if held is not None and held.alias == name else None
        return None

    def _supply_size(self, symbol: str, st: Stated | None) -> bool:
        if symbol in self.known:
            return symbol in self.scalars
        written = next((k for k, v in self.plan.size_alias.items() if v == symbol), symbol)
        if written in self.plan.hand:
            return False
        value = self.plan.size_value(written)
        if value is not None:
            start, end = value[1], value[2]
            text = f"dims {symbol} = {value[0]}\n"
        elif st is not None:
            start, end, text = st.start, st.end, f"dims {symbol}\n"
        elif self._limit(symbol):
            (start, end), text = self.plan.limits[symbol], f"dims {symbol}\n"
            self._declared(start, end, say("reading-limit", name=symbol), "sizes used")
        else:
            return False
        self._emit(text, start, end, False)
        if value is not None:
            self._declared(start, end, say("reading-size", name=symbol, value=value[0]), "sizes used")
        self.known.add(symbol)
        self.scalars.add(symbol)
        return True

    def _declared(self, start: int, end: int, what: str, kind: str = "declarations") -> None:
        self.counts[kind] += 1
        self.verbose.append(messages.make("N720", self.host.span(start, end), what=what))
