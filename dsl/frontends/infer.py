"""Shapes no statement gives, inferred from a document's own equations.

Contract: :func:`solve` takes the shapes already fixed (names the document
states, read by the checker; None for a name whose statement has an error),
the size symbols, the equations the builder skipped because some names were
unknown (:class:`Equation`, in document order) and the file's layout, and
returns a :class:`Solution`: for every name it can determine, a rank-2
shape (1 x 1 for a scalar) over the document's sizes and fresh sizes
``?1``, ``?2``...; the equations it refused; and the names it could not
determine.  What each
node of an equation says is in ``infer_terms``; this module strings the
equations together:

- the definitions first, then the claims: a claim only gives shapes to
  names the definitions leave open, so a wrong claim (a missing transpose)
  cannot bend the shapes it is checked against.  Before the claims are
  read, a claimed derivative's numerator that the definitions leave
  neither a scalar nor a vector (``J = L + s`` with ``s`` scaled by an
  unknown ``\\lambda``) is taken as the scalar loss, where every
  definition still fits;
- each equation is a trial: one whose sizes cannot fit the others is undone
  and refused (``"conflict"``), unless the sizes at odds are ones the
  document states or the definitions settled (``"stated"``): that equation
  is left to the checker, which reports the real error (unless it states a
  vector's gradient as its transpose, or holds a derivative term and fits
  with its gradients read as rows: the document may write gradients as
  rows, so it is refused);
- where the equations leave a choice, one preference, tried and dropped
  again if any equation then conflicts: a name written in lower case
  (``x``, ``yhat``, ``theta``) is a vector, with one of its sizes that no
  upper-case name (a matrix, by the same convention) uses as its 1, the
  columns when both could be (column vectors, the mathematician's
  default); so is a value written with one index (``x_i``);
- a bias ``b`` in ``X W + b``, with both sizes of ``X W`` those of
  upper-case names (a batch), is a row broadcast over it, as NumPy adds it;
- a name used only as an argument of functions the document does not
  define (the label ``y`` of ``\\ell(\\mathbf{o}, y)``) gets sizes of its own:
  no check depends on them (``infer_attrs.placeholders_of``);
- not determined, so never declared: a name only claims use (its values
  would mean nothing to the definitions), a name whose sizes nothing
  else constrains, a lower-case
  name that would be a matrix, and a name juxtaposed with a vector across
  an inner size of 1 (``m x`` with ``x`` a row, ``\\eta g``), where a
  scaling reads as well as an outer product.

    >>> from dsl.language.syntax import parse_expr
    >>> eqs = [Equation("z", None, parse_expr("W @ x + b")[0], 0, 1)]
    >>> sol = solve({}, set(), eqs)
    >>> [(n, str(s)) for n, s in sorted(sol.shapes.items())]
    [('W', '?1 x ?2'), ('b', '?1 x 1'), ('x', '?2 x 1')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dsl.core.ast import BinOp, Deriv, Expr, Name, Op, Transpose, walk
from dsl.core.dims import Shape, Sym
from dsl.frontends.infer_attrs import attributes, placeholders_of
from dsl.frontends.infer_terms import Terms, is_zero
from dsl.frontends.unify import Conflict, ShapeT, Term, Var

IDENTITY = re.compile(r"I[a-z0-9]?")
"""The names of the identity matrix (``I``, ``\\mathbf{I}``, ``I_d``, ``I_n``), when nothing states them."""
MAX_ROUNDS = 8          # propagation sweeps before giving up on a fixpoint


@dataclass(frozen=True)
class Equation:
    """One skipped equation: ``lhs = node`` (a definition) or ``dA/dB = node``
    (a claim, ``deriv`` set); ``key`` identifies it to the second pass."""

    lhs: str | None
    deriv: tuple[str, str] | None
    node: Expr
    key: int
    line: int
    text: str = ""          # the side as written (the node's spans are offsets into it)


@dataclass
class Solution:
    shapes: dict[str, Shape] = field(default_factory=dict)     # inferred names (sizes: Sym of "?N")
    refused: dict[int, str] = field(default_factory=dict)      # equation key -> "conflict" | "stated"
    undetermined: set[str] = field(default_factory=set)
    lines: dict[str, list[int]] = field(default_factory=dict)  # name -> lines of the equations using it
    attrs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defined: dict[str, Shape] = field(default_factory=dict)   # shapes of the names the equations define
    placeholders: set[str] = field(default_factory=set)       # used only inside undefined functions
    identities: set[str] = field(default_factory=set)         # I, I_d: the identity of its size


def solve(fixed: dict[str, Shape | None], sizes: set[str], equations: list[Equation], *,
          denominator: bool = False) -> Solution:
    """Infer the shapes of the names of ``equations`` not in ``fixed`` (see
    the module docstring).  The equations of a name that may be a scaling or
    a function are set aside and the rest solved again without them: what
    they said of the other names is not to be trusted either."""
    loose: set[str] = set()
    for _ in range(MAX_ROUNDS):
        kept = [eq for eq in equations if not loose & {x.id for x in walk(eq.node) if isinstance(x, Name)}]
        solver = _Solver(fixed, sizes, kept, denominator)
        solver.everything = equations
        sol = solver.run()
        found = solver.ambiguous() - loose
        if not found:
            break
        loose |= found
    sol.undetermined |= loose
    for eq in equations:
        _uses(eq, sol)
    return sol


class _Solver(Terms):
    def __init__(self, fixed, sizes, equations, denominator):
        super().__init__(fixed, sizes, denominator)
        self.equations = equations
        self.defined = {eq.lhs for eq in equations if eq.lhs}
        self.refused: dict[int, str] = {}
        self.everything: list[Equation] = equations    # with those set aside (``solve``)

    # ---- equations
    def equation(self, eq: Equation) -> None:
        self.key = eq.key
        st = self.store
        if eq.deriv is None:
            assert eq.lhs is not None, "a definition names what it defines"
            rhs = self.expr(eq.node)
            mine = self.name(Name(eq.lhs, eq.node.span))
            if rhs is not None and mine is not None:
                self.bind(mine, rhs)
            return
        num, den = (self.name(Name(n, eq.node.span)) for n in eq.deriv)
        rhs = self.expr(eq.node)
        if rhs is None or num is None or den is None or is_zero(eq.node):
            return
        want = self.derivative(num, den)
        if want is not None:
            if len(want) == len(rhs) == 2 and self.length(want) is not None and not st.scalar_like(want) \
                    and st.shape(rhs) == st.shape(want)[::-1]:
                raise Conflict(want, rhs, False)     # a gradient written as a row: the document's layout?
            self.bind(want, rhs)
            return
        if not rhs:
            return
        if all(isinstance(st.resolve(t), Var) for t in num) and not self.final:
            return                                   # scalar or vector numerator: not known yet
        if self.final and self.length(num) is None and len(num) == 2:
            st.unify(num[0], 1, stated=False)        # neither vector nor scalar: only a scalar fits
            st.unify(num[1], 1, stated=False)
            self.bind(den, rhs)

    def bind(self, mine: ShapeT, rhs: ShapeT) -> None:
        if len(mine) == len(rhs):
            self.store.unify_shapes(mine, rhs)
        elif not rhs:
            for t in mine:
                self.store.unify(t, 1, stated=False)
        elif not mine:
            for t in rhs:
                self.store.unify(t, 1, stated=False)
        else:
            raise Conflict(mine, rhs, False)

    def sweep(self) -> bool:
        """Every equation once, each undone if it conflicts; whether anything changed."""
        before = (self.store.snapshot(), len(self.store.parent))
        for eq in self.equations:
            if eq.key in self.refused:
                continue
            snap = self.store.snapshot()
            mark = len(self.vectors)
            try:
                self.equation(eq)
            except Conflict as c:
                self.store.restore(snap)
                del self.vectors[mark:]
                # a derivative term is read in a layout the document may not use (gradients as rows):
                # left to the checker only when it fits neither way
                terms = any(isinstance(x, Deriv) for x in walk(eq.node))
                stated = c.stated and (not terms or not self.fits_as_rows(eq))
                self.refused[eq.key] = "stated" if stated else "conflict"
        return (self.store.snapshot(), len(self.store.parent)) != before

    def fits_as_rows(self, eq: Equation) -> bool:
        """Whether ``eq`` fits the shapes so far with its gradients read as rows (a trial, undone)."""
        snap, mark = self.store.snapshot(), len(self.vectors)
        self.rows = True
        try:
            self.equation(eq)
            return True
        except Conflict:
            return False
        finally:
            self.rows = False
            self.store.restore(snap)
            del self.vectors[mark:]

    def settle(self) -> None:
        for _ in range(MAX_ROUNDS):
            self.vectors.clear()
            if not self.sweep():
                break

    def pick(self, shape: ShapeT, upper: set) -> Term | None:
        """The size of ``shape`` to make 1 so that it is a vector: one not in
        ``upper``, the columns when both could be; None if it is one already
        or no size may be 1."""
        st = self.store
        if len(shape) != 2 or any(st.is_one(t) for t in shape) or st.resolve(shape[0]) == st.resolve(shape[1]):
            return None                          # a vector already, or square: a 1 would make it a scalar
        open_ = [t for t in shape if isinstance(st.resolve(t), Var) and st.resolve(t) not in upper]
        if not open_:
            return None
        return shape[1] if shape[1] in open_ else open_[0]

    def prefer(self, shapes: list[ShapeT], upper: set) -> None:
        """Make each of ``shapes`` a vector where every equation still fits
        (see the module docstring): all at once when that fits, else each half so."""
        st = self.store
        snap, refused = st.snapshot(), dict(self.refused)
        try:
            for shape in shapes:
                term = self.pick(shape, upper)
                if term is not None:
                    st.unify(term, 1, stated=False)
            self.settle()
            if self.refused == refused:
                return
        except Conflict:
            pass
        st.restore(snap)
        self.refused = dict(refused)
        self.settle()
        if len(shapes) > 1:                      # halves, so a few misfits cost a few trials each
            half = len(shapes) // 2
            self.prefer(shapes[:half], upper)
            self.prefer(shapes[half:], upper)

    def run(self) -> Solution:
        """The definitions first, then the claims: a claim only gives shapes to
        names the definitions leave open, so a wrong claim cannot bend the
        shapes it is checked against (the checker reports it)."""
        claims = self.equations
        self.equations = [eq for eq in claims if eq.deriv is None]
        self.phase()
        self.losses([eq.deriv[0] for eq in claims if eq.deriv is not None])
        self.store.seal()
        self.equations = claims
        self.phase()
        return self.solution()

    def losses(self, numerators: list[str]) -> None:
        """A claimed derivative's numerator is a scalar or a vector (SPEC section
        5); one the definitions leave neither (``L = \\frac{1}{N} \\ldots`` with
        ``N`` unknown) is taken as the scalar loss, where every definition still fits."""
        st = self.store
        for name in dict.fromkeys(numerators):
            shape = self.names.get(name)
            if shape is None or len(shape) != 2 or self.length(shape) is not None or st.scalar_like(shape):
                continue
            snap, refused = st.snapshot(), dict(self.refused)
            try:
                for t in shape:
                    st.unify(t, 1, stated=False)
                self.settle()
                if self.refused == refused:
                    continue
            except Conflict:
                pass
            st.restore(snap)
            self.refused = refused
            self.settle()

    def phase(self) -> None:
        self.final = False
        self.settle()
        for _ in range(2):
            upper = {self.store.resolve(t) for n, s in self.names.items()
                     if n[:1].isupper() and n not in self.defined for t in s}
            self.decide_biases(upper)
            self.settle()
            self.prefer([self.names[n] for n in sorted(self.names, key=self.first.__getitem__)
                         if n[:1].islower() and n not in self.defined], upper)
            indexed = [base for base, key in self.vectors if key not in self.refused]
            self.prefer(indexed, upper)                # x_i: a vector, whatever its case
            self.prefer(indexed, set())
            self.final = True
            self.settle()

    def shape_or_none(self, node: Expr) -> ShapeT | None:
        try:
            return self.expr(node)
        except Conflict:
            return None

    def ambiguous(self) -> set[str]:
        """Names juxtaposed with a vector across an inner size of 1 (``m x``
        with ``x`` a row, ``\\eta g``): a scaling reads as well as an outer
        product, so neither is taken (``u v^T`` is an outer product); and a
        lower-case name written right before a bracket (``f(x)``,
        ``\\phi(W x)``), which may be a function applied rather than a factor."""
        found: set[str] = set()
        for eq in self.equations:
            if eq.key in self.refused:
                continue
            self.key = eq.key
            for x in walk(eq.node):
                if not (isinstance(x, BinOp) and x.op is Op.MATMUL):
                    continue
                near = x.left                         # the factor written right before the right one
                while isinstance(near, BinOp) and near.op is Op.MATMUL:
                    near = near.right
                if isinstance(near, Name) and near.id in self.names and _applied(near, eq.text):
                    found.add(near.id)                # f(x), \\phi(Wx): a function the document names?
                    continue
                try:
                    left = self.expr(x.left)
                except Conflict:
                    continue
                if not left or len(left) != 2 or not self.store.is_one(left[1]):
                    continue
                for side, other in ((x.left, x.right), (x.right, x.left)):
                    if isinstance(side, Name) and side.id in self.names and not isinstance(other, Transpose) \
                            and not self.store.scalar_like(self.shape_or_none(other)):
                        found.add(side.id)
        return found

    # ---- result
    def solution(self) -> Solution:
        st = self.store
        sol = Solution(refused=dict(self.refused))
        for base, key in self.vectors:              # x_i of a value that stayed a matrix
            if not any(st.is_one(t) for t in base):
                sol.refused.setdefault(key, "conflict")
        in_definitions = {x.id for eq in self.equations if eq.deriv is None and eq.key not in self.refused
                          for x in walk(eq.node) if isinstance(x, Name)}
        placeholders = placeholders_of(self.everything, self.fixed)
        for n, s in self.names.items():
            terms = st.shape(s)
            shape = Shape(tuple(Sym(f"?{t.id}") if isinstance(t, Var) else t for t in terms))
            if n in placeholders and n not in self.defined:
                rows, cols = Sym(f"?{st.fresh().id}"), Sym(f"?{st.fresh().id}")
                sol.shapes[n] = Shape((rows, cols) if n[:1].isupper() else (rows, 1))   # W, or a vector
                sol.placeholders.add(n)
            elif n in self.defined:
                sol.defined[n] = shape
            elif IDENTITY.fullmatch(n) and len(terms) == 2 and terms[0] == terms[1] and not st.is_one(terms[0]):
                sol.shapes[n] = shape             # I, I_d: square by the equations, the identity
                sol.identities.add(n)
            elif n not in in_definitions:
                sol.undetermined.add(n)           # a claim alone says nothing of an input's values
            elif not all(not isinstance(t, Var) or t.id in st.joined for t in terms):
                sol.undetermined.add(n)
            elif n[:1].islower() and not (shape.is_one_by_one or shape.is_vector):
                sol.undetermined.add(n)           # a scaling or a matrix product? (``\eta G``)
            else:
                sol.shapes[n] = shape
        _renumber(sol)
        return sol


def _uses(eq: Equation, sol: Solution) -> None:
    """The lines of the equations each name appears in, and the attributes its uses give it."""
    used = {x.id for x in walk(eq.node) if isinstance(x, Name)} | set(eq.deriv or ())
    for n in sorted(used):
        sol.lines.setdefault(n, [])
        if eq.line not in sol.lines[n]:
            sol.lines[n].append(eq.line)
    attributes(eq.node, sol.attrs)


def _applied(node: Name, text: str) -> bool:
    """A lower-case name the side writes right before an opening bracket."""
    if not node.id[:1].islower() or not text:
        return False
    rest = text[node.span.end:].lstrip()
    return rest.startswith(("(", "\\left(", "\\big(", "\\Big(", "\\bigl(", "\\Bigl("))


def _renumber(sol: Solution) -> None:
    """Fresh sizes numbered ?1, ?2, ... in the order they first appear."""
    order: dict[str, Sym] = {}
    for s in sol.shapes.values():
        for t in s.dims:
            if isinstance(t, Sym) and t.name.startswith("?") and t.name not in order:
                order[t.name] = Sym(f"?{len(order) + 1}")
    for table in (sol.shapes, sol.defined):
        for n, s in table.items():
            table[n] = Shape(tuple(order.get(t.name, t) if isinstance(t, Sym) else t for t in s.dims))
