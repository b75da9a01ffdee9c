"""Reading a document twice: once to learn what its equations need, once with the shapes inferred.

Contract: :func:`read_inferring` runs a front end (``feed``, which reads the
document into a builder) with a :class:`Recording` builder that keeps every
equation side skipped because some of its names are unknown; when there
are any, it reads the shapes the document fixes from the program assembled
so far (the language's parser and checker), lets ``infer.solve`` fill in
the others, names the fresh sizes, and runs the front end again with a
:class:`Supplying` builder.  That one places a ``dims`` line and the
declarations an equation needs right before it, mapped to the equation (so
a diagnostic about a declaration points at the use it came from), with an
``N740`` note each; an equation inference refused is skipped with an ``N741`` note, one that
needs a name whose shape stayed open with an ``N702`` note that says so.
Names found to be scalars change how products read (``c W`` is a
scaling), so the first pass runs again with them before the second.
Names a document states are never declared again: hand declarations win.

    >>> from dsl.frontends.document import Host, Slice
    >>> from dsl.frontends.markdown import extract_markdown
    >>> text = "$$ z = W x $$"
    >>> ex = read_inferring(Host("a.md", text), lambda b: extract_markdown(Slice.of(text, 0, len(text)), b))
    >>> print(ex.source.text)
    dims n_z, n_x
    W : n_z x n_x
    x : n_x x 1
    z = W @ x
    <BLANKLINE>
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from dsl.core import messages
from dsl.core.dims import Shape, Sym
from dsl.core.kinds import LayoutKind
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.frontends.builder import Builder
from dsl.frontends.document import Extracted, Host
from dsl.frontends.infer import Equation, Solution, solve
from dsl.frontends.latex_math import Translation
from dsl.frontends.latex_words import GREEK_SCALARS
from dsl.frontends.passes import read_twice
from dsl.frontends.scopes import Plan as StatedPlan
from dsl.language.syntax import parse_text
from dsl.shapes.checker import check_program

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_READINGS = 2        # first readings again, with the scalars inference found


class Recording(Builder):
    """The first pass: the builder as always, keeping the sides skipped for unknown names."""

    def __init__(self, host: Host, plan: StatedPlan | None = None, scalars: frozenset = frozenset()):
        super().__init__(host, plan)
        self.seed = scalars
        self.scalars |= scalars
        self.skipped: list[tuple[Translation, Translation, int, Span, str]] = []

    def _vet(self, lhs, r, missing, part, whole):
        if missing and not any(m in self.unreadable for m in missing) and r.node is not None:
            self.skipped.append((lhs, r, part.at(0), whole, part.text))
        return missing


@dataclass
class Plan:
    """What the second pass declares: name -> declaration text, the sizes it needs, the note."""

    decls: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)      # side offset -> why
    undetermined: set[str] = field(default_factory=set)
    scalars: frozenset = frozenset()    # names inferred scalar: a product with one is a scaling
    dims: set[str] = field(default_factory=set)   # the document's own sizes, as the first pass read them


class Supplying(Builder):
    """The second pass: inferred declarations placed before the first equation that needs them."""

    def __init__(self, host: Host, stated: StatedPlan | None, plan: Plan, scalars: frozenset):
        super().__init__(host, stated)
        self.scalars |= scalars            # read as the last first pass read (inference saw that)
        self.inferred = plan
        self.sized: set[str] = set()

    def _vet(self, lhs, r, missing, part, whole):
        why = self.inferred.refused.get(part.at(0))
        if why is not None:
            self.verbose.append(messages.make("N741", whole, why=why))
            return None
        open_ = sorted(m for m in missing if m in self.inferred.undetermined)
        if open_:
            why = say("names-unknown-open", names=", ".join(sorted(missing)), open=", ".join(open_))
            self.verbose.append(messages.make("N702", whole, why=why))
            return None
        supply = sorted((m for m in missing if m in self.inferred.decls), key=list(self.inferred.decls).index)
        late = [(m, size) for m in supply for size in self._later_sizes(self.inferred.decls[m])]
        if late:
            why = say("sizes-later", name=late[0][0], size=late[0][1])
            self.verbose.append(messages.make("N702", whole, why=why))
            return None
        if supply:
            self.open = ""
            for name in supply:
                stated = [w for w in _IDENT.findall(self.inferred.decls[name].partition(":")[2])
                          if w in self.inferred.dims and w not in self.known]    # a size stated further on
                new = list(dict.fromkeys(s for s in (*stated, *self.inferred.sizes[name]) if s not in self.sized))
                text = (f"dims {', '.join(new)}\n" if new else "") + self.inferred.decls[name] + "\n"
                self.sized |= set(new)
                self._emit(text, part.at(0), part.host_end(len(part.text)), False)
                self._learn(text)
                self.verbose.append(messages.make(
                    "N740", whole, decl=self.inferred.decls[name], where=self.inferred.notes[name]))
        return missing - set(supply)


    def _later_sizes(self, decl: str) -> list[str]:
        """The sizes of a hand ``dims`` line further on that an inferred declaration uses."""
        words = _IDENT.findall(decl.partition(":")[2])
        return [w for w in words if w in self.plan.hand_sizes and w not in self.known]


def read_inferring(host: Host, feed: Callable[[Builder], None]) -> Extracted:
    """The document read by ``feed``, with the shapes its equations determine (see the module docstring).
    Each reading is the document reader's own (``passes.read_twice``: what the document states
    first, then its equations)."""
    first = read_twice(host, feed, lambda h, stated: Recording(h, stated))
    if not first.skipped:
        return first.finish()
    plan = _plan(first)
    for _ in range(MAX_READINGS):
        if plan.scalars <= first.scalars:
            break
        first = read_twice(host, feed, partial(_recording, scalars=plan.scalars | first.seed))   # c W: a scaling
        plan = _plan(first)
    if not plan.decls and not plan.refused and not plan.undetermined:
        return first.finish()
    seed = first.seed
    second = read_twice(host, feed, lambda h, stated: Supplying(h, stated, plan, seed))
    return second.finish()


def _recording(host: Host, stated: StatedPlan, scalars: frozenset) -> Recording:
    return Recording(host, stated, scalars)


def _plan(first: Recording) -> Plan:
    program, _ = parse_text("".join(first.parts))
    env, _ = check_program(program)
    fixed = {name: info.shape for name, info in env.names.items()}
    for lhs, r, *_ in first.skipped:           # l(o, y): the functions the skipped sides call undefined
        for text, _s, _e in (*lhs.aux, *r.aux):
            if text.endswith(" : scalar opaque"):
                fixed.setdefault(text.split(maxsplit=1)[0], Shape((1, 1)))
    # the letters the math reader takes for scalar factors when nothing declares them (\lambda W):
    # inference takes them so too, or the second reading would turn their products around
    letters: dict[str, int] = {}
    for _lhs, r, _key, whole, _text in first.skipped:
        for name in sorted((r.names & GREEK_SCALARS) - fixed.keys()):
            letters.setdefault(name, whole.line)
    fixed |= {name: Shape((1, 1)) for name in letters}
    equations = []
    for lhs, r, key, whole, text in first.skipped:
        assert r.node is not None, "recorded sides have their AST"
        if lhs.deriv:
            equations.append(Equation(None, lhs.deriv, r.node, key, whole.line, text))
        elif lhs.name and lhs.name not in r.names:       # theta := theta - alpha g: an update, no definition
            equations.append(Equation(lhs.name, None, r.node, key, whole.line, text))
    sol = solve(fixed, set(env.dims), equations, denominator=env.layout is LayoutKind.DENOMINATOR)
    names = _size_names(sol, equations, set(env.dims) | set(env.names) | set(sol.lines))
    scalars = {n for table in (sol.shapes, sol.defined) for n, s in table.items() if s.is_one_by_one}
    plan = Plan(undetermined=set(sol.undetermined) | first.shapeless, scalars=frozenset(scalars),
                dims=set(env.dims))
    why = say("not-inferred-conflict")
    plan.refused = {key: why for key, kind in sol.refused.items() if kind == "conflict"}
    for name in sorted(sol.shapes, key=lambda n: sol.lines.get(n, [0])[0]):
        if name in first.shapeless:
            continue                       # the document's statements leave it without a shape
        shape = Shape(tuple(names.get(t.name, t) if isinstance(t, Sym) else t for t in sol.shapes[name].dims))
        stated = {a for a in first.plan.attrs.get(name, ()) if a == "onehot" and not shape.is_one_by_one}
        attrs = "".join(f" {a}" for a in sorted(set(sol.attrs.get(name, ())) | stated))   # "Y, the one-hot labels"
        if attrs == " onehot" and shape.is_one_by_one:
            attrs = " binary"              # the target of a binary cross-entropy: 0 or 1
        plan.decls[name] = (f"{name} = eye({shape.dims[0]})" if name in sol.identities
                            else f"{name} : {shape}{attrs}")
        plan.sizes[name] = tuple(dict.fromkeys(t.name for t in shape.dims if isinstance(t, Sym)
                                               and t.name not in env.dims))
        lines = sol.lines.get(name, [])
        where = (say("line-of-document", line=lines[0]) if len(lines) == 1
                 else say("inferred-lines", lines=", ".join(map(str, lines))))
        plan.notes[name] = say("inferred-placeholder" if name in sol.placeholders else "inferred-from",
                               where=where)
    for name, line in letters.items():
        plan.decls[name] = f"{name} : 1 x 1"
        plan.sizes[name] = ()
        plan.notes[name] = say("inferred-from", where=say("line-of-document", line=line))
    return plan


def _size_names(sol: Solution, equations: list[Equation], taken: set[str]) -> dict[str, Sym]:
    """Readable names for the fresh sizes ``?1``, ``?2``...: ``n_x`` for the
    length of a vector ``x``, ``m_W`` and ``n_W`` for the rows and columns of
    a matrix ``W``; equation by equation in document order, the name it
    defines first, then its vectors, then its matrices."""
    shapes = {**sol.defined, **sol.shapes}
    out: dict[str, Sym] = {}
    used = set(taken)

    def give(t, wanted: str) -> None:
        if not (isinstance(t, Sym) and t.name.startswith("?")) or t.name in out:
            return
        stem = wanted if _IDENT.fullmatch(wanted) else "n"
        pick, k = stem, 2
        while pick in used:
            pick, k = f"{stem}{k}", k + 1
        used.add(pick)
        out[t.name] = Sym(pick)

    def name_sizes(n: str) -> None:
        s = shapes[n]
        if s.is_vector:
            give(s.dims[0] if s.is_col else s.dims[1], f"n_{n}")
        elif s.rank == 2:
            give(s.dims[0], f"m_{n}")
            give(s.dims[1], f"n_{n}")

    for eq in equations:
        names = [n for n in sol.lines if eq.line in sol.lines[n] and n in shapes]
        if eq.lhs in shapes:
            name_sizes(eq.lhs)
        for n in sorted(names, key=lambda n: not shapes[n].is_vector):
            name_sizes(n)
    return out
