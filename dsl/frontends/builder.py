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
``--verbose``).  A document is read twice (:func:`two_passes`): first for
what it states (``scopes.Plan``), then for its equations, where a stated
shape is declared before the first equation that uses it (``supply``) and
the document's conventions choose between readings (``conventions``).
A claim that cannot be read gets an ``N700`` note; so does a definition
that cannot be read, once something checked depends on it.

    >>> b = Builder(Host("notes.md", "dims n\\nx : 1 x n"))
    >>> b.statements(Slice.of(b.host.text, 0, len(b.host.text)))
    >>> sorted(b.known), sorted(b.scalars)
    (['n', 'x'], ['n'])
"""
from __future__ import annotations

import re
from collections import Counter

from dsl.core import messages
from dsl.core.ast import Claim, Decl, Define, Dims, Number, ShapeSpec
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.frontends.conventions import Conventions
from dsl.frontends.declarations import name_of
from dsl.frontends.document import Extracted, Formula, Host, Slice, suppressions
from dsl.frontends.entries import entries_beside_wholes, entry_derivatives, unchecked_entry
from dsl.frontends.entry_names import noise_term
from dsl.frontends.facts import Facts
from dsl.frontends.fonts import bold_and_plain
from dsl.frontends.forms import names, scalar_like
from dsl.frontends.latex_math import Translation, Unreadable
from dsl.frontends.limits import FormulaBudget
from dsl.frontends.losses import UndefinedLosses
from dsl.frontends.macros import Macros
from dsl.frontends.readings import Readings
from dsl.frontends.scopes import SETTINGS, Plan
from dsl.frontends.supply import StatedShapes
from dsl.frontends.versions import Versions
from dsl.language.printer import to_source
from dsl.language.syntax import needs_more, parse_text, split_statements

_DIRECTIVE = re.compile(r"[ \t]*(vectors|cdot|layout)[ \t]+([A-Za-z]+)[ \t]*(?:#[^\n]*)?")
_LATEX_DECL = re.compile(r"([ \t]*)([^:\n#=]*[\\_^{][^:\n#=]*?)([ \t]*:[^\n]*)")



class Builder(StatedShapes, Readings, Versions, UndefinedLosses, Facts):
    """Collects the chainrule text of one document, in order, and decides
    which equations are checked."""

    def __init__(self, host: Host, plan: Plan | None = None):
        self.host = host
        self.scanning = plan is None   # the first pass: only gather what the document states
        self.plan = Plan() if plan is None else plan
        self.section = 0
        self.shapeless: set[str] = set()      # names the document's statements leave without a shape
        self.counts: Counter = Counter()      # formulas found, read, checked; declarations used
        self.formulas_left = FormulaBudget()  # at most limits.MAX_FORMULAS equations are read
        self.skips: Counter = Counter()       # reason -> formulas not checked
        self._was_read = False                # the last side translated
        self._noted: set = set()              # (formula, convention) already named
        self.deps: dict[str, set[str]] = {}   # a defined name -> the names it depends on
        self._prefix: tuple | None = None     # (size, program, errors) of the text assembled so far
        self._why = "side-unreadable"         # why the last side was not checked
        self.conventions = Conventions(self._fits, self.plan.settings.get("cdot", (None,))[0])
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
        self.macros = Macros.scan(host.text)
        self.plain = bold_and_plain(host.text)      # \hat y and \hat{\mathbf y}: two names
        self._versions_start()
        self.losses_read: set[str] = set()     # losses the document differentiates but does not define
        self.own_functions: set[str] = set()   # built-in names the document defines otherwise (facts)

    def _emit(self, text: str, host_start: int, host_end: int, exact: bool) -> None:
        if text:
            self.segments.append((self.size, self.size + len(text), host_start, host_end, exact))
            self.parts.append(text)
            self.size += len(text)

    # ---- chainrule written as such: deriv blocks and comments
    def statements(self, sl: Slice) -> None:
        """Chainrule lines, mapped character for character; the settings
        ``vectors row|column`` and ``cdot elementwise|matmul`` are taken out,
        and a declaration of a name spelled in LaTeX (``\\mathbf{W}^{(1)} : h x d``)
        declares the name the formulas use (``W1``)."""
        pos = run = 0
        for line in sl.text.splitlines(keepends=True):
            body = line.rstrip("\n")
            d = _DIRECTIVE.fullmatch(body)
            latex = None if d else _LATEX_DECL.fullmatch(body)
            name = name_of(latex.group(2)) if latex and not self._chainrule_name(latex.group(2)) else None
            if (d and d.group(2) in SETTINGS[d.group(1)]) or name:
                if pos > run:
                    self._verbatim(sl.sub(run, pos))
                if d:
                    self.plan.setting(d.group(1), d.group(2), sl.at(pos))
                    if d.group(1) == "layout":
                        self._verbatim(sl.sub(pos, pos + len(line)))
                elif latex:
                    text = f"{latex.group(1)}{name}{latex.group(3)}\n"
                    self._emit(text, sl.at(pos), sl.host_end(pos + len(body)), False)
                    self._learn(text)
                run = pos + len(line)
            pos += len(line)
        if run < len(sl.text) or not sl.text:
            self._verbatim(sl.sub(run))

    def _chainrule_name(self, text: str) -> bool:
        """``W_out``, used by name in the hand statements, is the language's name, not LaTeX."""
        return text.strip() in self.plan.hand_used

    def _verbatim(self, sl: Slice) -> None:
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
                    self.plan.hand_sizes |= {i.name for i in items}
                    self.scalars |= {i.name for i in items}
                case Decl(name=name, shape=shape, attrs=attrs):
                    self.known.add(name)
                    if any(a.name == "onehot" for a in attrs):     # Y : N x C onehot: the labels y_i index its rows
                        self.plan.attrs.setdefault(name, set()).add("onehot")
                    if _scalar_shape(shape):
                        self.scalars.add(name)
                case Define(name=name, expr=expr):
                    self._defined(name, to_source(expr), hand=True)
                    self.plan.hand_used |= names(expr)
                    self._depends(name, names(expr))
                    self.known.add(name)
                    self.unreadable.pop(name, None)
                    if scalar_like(expr, frozenset(self.scalars)):
                        self.scalars.add(name)
                case Claim(deriv=deriv, expr=expr):
                    self.plan.hand_used |= names(expr) | {deriv.num.id, deriv.den.id}

    # ---- math: one equation, split at its relations
    def equation(self, parts: list[Slice]) -> None:
        """``parts`` are the sides of ``A = B = C`` (at least two)."""
        if self.formulas_left.spent(self, parts[0]):
            return
        self.formulas_left.read += 1
        parts = [self._expand(p) for p in parts]
        if self.scanning:
            self._gather(parts)
            return
        self.counts["found"] += 1
        self.section = self.plan.section_at(parts[0].at(0))
        whole = self.host.span(parts[0].at(0), parts[-1].host_end(len(parts[-1].text)))
        if self._size(parts):
            self.counts["read"] += 1
            return
        lhs, version = self._read(parts[0]), None
        if isinstance(lhs, Unreadable):
            if self._pointfree(parts, whole):          # \sigma' = \sigma (1 - \sigma)
                return
            self._skip(whole, "left-side-unreadable", what=lhs.what)
            return
        before = self._count_definition(lhs, whole.line)
        if (lhs.deriv or lhs.name is None) and self._fact(lhs, parts, whole):
            return
        if lhs.deriv:
            entry = unchecked_entry(lhs.node, self.host.text, parts[0].at(0), parts[-1].end)
            if entry:
                self.counts["read"] += 1
                self._skip(whole, entry[0], **entry[1])
                return
            needed, rhs = set(lhs.deriv), parts[1:]
            self._supply(needed)
            num, den = lhs.deriv
            if num in self.redefined:                  # which of its two definitions is meant?
                self.counts["read"] += 1
                self._skip(whole, "defined-differently", name=num, line=self.redefined[num])
                return
            if needed <= self.known and num != den and den not in self.deps.get(num, ()):
                self.counts["read"] += 1               # what was read of the document does not tie them
                self._skip(whole, "claim-independent", num=num, den=den)
                return
        elif lhs.name and lhs.name in self.plan.hand - self.known:
            self.counts["read"] += 1          # the hand statements define it, below: they win
            self._skip(whole, "hand-given", name=lhs.name)
            return
        elif lhs.name and lhs.name not in self.known:
            needed, rhs = set(), parts[1:2]
        elif (version := self._new_version(lhs, parts[1], before)) is not None:
            old, lhs, needed, rhs = lhs.name, version, set(), parts[1:2]
        else:
            self.counts["read"] += 1
            if lhs.name:
                self._differs(lhs, parts[1], whole.line)
                self._skip(whole, "already-known", name=lhs.name)
            else:
                self._skip(whole, "not-name-or-derivative")
            return
        done = read = 0
        for part in rhs:
            ok = self._side(lhs, needed, parts[0], part, whole)
            done, read = done + ok, read or ok or self._was_read
            if done and lhs.name:
                break
        self.counts["read"] += 1 if read else 0
        if done and version is not None:
            self._version_defined(old, lhs, whole)
        self.counts["claims" if lhs.deriv else "definitions"] += done
        self.counts["checked"] += 1 if done else 0
        if not done:
            self.skips[self._why] += 1

    def _expand(self, sl: Slice) -> Slice:
        """The side with the document's macros expanded (``macros``)."""
        if not self.macros:
            return sl
        out, why = self.macros.expand(sl)
        if why:
            self.notes.append(messages.make("N710", self.host.span(sl.at(0), sl.end), why=why))
        return out

    def _side(self, lhs: Translation, needed: set, left: Slice, part: Slice, whole: Span) -> bool:
        r = self._read(part, lhs)
        if isinstance(r, Unreadable):
            self._why = "side-unreadable"
            note = messages.make("N700", self.host.span(part.at(r.start), part.host_end(r.end)), what=r.what)
            if lhs.name:
                self.unreadable[lhs.name] = note
                self.verbose.append(note)
            elif needed <= self.known:
                self.notes.append(note)
            else:
                self.verbose.append(note)
            return False
        if lhs.name and self.plan.noise == 1 and noise_term(r.node) and lhs.name not in self.plan.hand:
            self._skip(whole, "noise-model", count=False, name=lhs.name)    # y = X beta + epsilon: data
            return False
        if lhs.deriv and _zero(r.node):
            self._skip(whole, "set-to-zero", count=False, claim=lhs.text)      # a condition: the minimiser
            return False
        self._supply(r.names - {lhs.name})
        if entry_derivatives(r.node):
            self._skip(whole, "entry-derivatives", count=False)       # a chain rule per entry
            self._why = "entry-derivatives"
            return False
        if entries_beside_wholes(r.node, frozenset(self.scalars)):
            self._skip(whole, "entries-and-wholes", count=False)      # x_i^T w: per entry, vectors
            self._why = "entries-and-wholes"
            return False
        ahead = {text.split(maxsplit=1)[0] for text, _, _ in (*lhs.aux, *r.aux)}   # defined just before
        missing = (r.names | needed) - self.known - ahead
        losses = self._losses(lhs, r, missing)          # dL/do of a loss the document leaves undefined
        missing = self._vet(lhs, r, missing - losses, part, whole)
        if missing is None:
            return False
        if losses and not missing:
            missing = losses - self._define_losses(losses, part, whole, (lhs, r))
            if not missing and lhs.name and lhs.name in self.known:
                return True                 # G = dL/dO: declared, the loss linear in O (losses)
            if not missing and self._independent(lhs, r, whole):
                return False
        if missing:
            missing |= losses
            blocked = sorted(m for m in missing if m in self.unreadable)
            if blocked:
                first = self.unreadable[blocked[0]]
                if id(first) not in self.shown:
                    self.shown.add(id(first))
                    self.notes.append(first)
                self._why = "uses-unreadable"
                self.notes.append(messages.make(
                    "N702", whole, why=say("uses-unreadable", blocked=blocked[0], line=first.span.line)))
            else:
                self._skip(whole, "names-unknown", count=False,
                           names=", ".join(sorted({self.plan.base(m) for m in missing})))
            return False
        if self.losses_read and self._rows_only(lhs, r, whole):
            self._why = "rows-only"
            return False
        r, rows = self._convention(lhs, part, r, whole)
        lhs = r.left or lhs        # z_i read as the entry z[i] when the right side uses i
        self.open = ""             # an equation line ends whatever statement was open
        self._aux(lhs, left)
        self._aux(r, part)
        start = self.size
        self._pieces(lhs, left)
        eq_at = left.host_end(len(left.text))
        self._emit(" = (" if rows else " = ", eq_at, part.at(0), False)
        self._pieces(r, part)
        self._emit(").T\n" if rows else "\n", part.end, part.end, False)
        alt = f"{lhs.text} = {r.alt}" if r.alt else None
        self.formulas.append(Formula(start, self.size, left.at(0), part.end, r.grouping, alt))
        if lhs.name:
            self.known.add(lhs.name)
            self._defined(lhs.name, r.text)
            self._depends(lhs.name, r.names)
            self.unreadable.pop(lhs.name, None)
            if r.scalar or self._one_by_one(lhs.name):
                self.scalars.add(lhs.name)
        return True

    def _aux(self, t: Translation, sl: Slice) -> None:
        """The statements a reading needs before its equation (an opaque
        function's declaration), each mapped to the range it comes from."""
        for text, s, e in t.aux:
            if text.split(maxsplit=1)[0] not in self.known:
                self._emit(text + "\n", sl.at(s), sl.host_end(e), False)
                self._learn(text + "\n")

    def _vet(self, lhs: Translation, r: Translation, missing: set, part: Slice, whole: Span) -> set | None:
        """The names an equation side still lacks (None: skip it, a note said why).
        A hook for the shape inference of documents (``infer_pass``): its first
        pass records the sides skipped here, its second declares what it inferred."""
        return missing

    def _pieces(self, t: Translation, sl: Slice) -> None:
        for gs, ge, ss, se in t.pieces:
            host_start = sl.at(ss)
            self._emit(t.text[gs:ge], host_start, max(host_start, sl.host_end(se)), False)

    def _depends(self, name: str, uses) -> None:
        """``name`` is defined from ``uses``: what it depends on, through the definitions."""
        self.deps[name] = set(uses).union(*(self.deps.get(n, set()) for n in uses))

    def _skip(self, where: Span, reason: str, count: bool = True, **values) -> None:
        self._why = reason
        if count:
            self.skips[reason] += 1
        self.verbose.append(messages.make("N702", where, why=say(reason, **values)))

    # ---- result
    def finish(self) -> Extracted:
        verbose = [d for d in self.verbose if id(d) not in self.shown]   # shown once, as a note
        coverage = dict(self.counts, stated=len(self.plan.statements),
                        sizes=sum(len(v) for v in self.plan.sizes.values()))
        return Extracted(self.host, Source(self.host.path, "".join(self.parts)), self.segments,
                         self.notes, verbose, suppressions(self.host), self.formulas,
                         coverage, dict(self.skips),
                         {s.alias: n for n, scopes in self.plan.scopes.items() for s in scopes if s.alias != n})


def _zero(node) -> bool:
    """The number 0 (``\\mathbf{0}`` reads as it too): a derivative set to zero."""
    return isinstance(node, Number) and node.value == 0


def _scalar_shape(shape: ShapeSpec) -> bool:
    """``scalar``, or ``1 x 1``."""
    return all(s.value == 1 for s in shape.sizes)
