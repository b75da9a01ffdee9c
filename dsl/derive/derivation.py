"""``derive``: the symbolic derivative ``dY/dX`` of a checked program.

The steps, in order: the kind of the derivative (SPEC section 5: a
gradient of a scalar, or a Jacobian of vectors in the file's layout), the
symbolic backward sweep (``backward``), simplification to the most readable
form with the file's own names (``simplify``), and numerical verification
of the result (``checking``) before it is returned.  With ``steps`` the
chain of intermediates is derived too, one verified claim per name.

>>> from dsl.language import syntax
>>> from dsl.shapes import checker as shapes
>>> program, _ = syntax.parse_text("dims n\\nx : 1 x n\\nW : n x n\\nL = sum(sigma(x @ W))", "t.deriv")
>>> env, _ = shapes.check_program(program)
>>> derive(program, env, "L", "x").text
"sigma'(x @ W) @ W.T"
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import Claim, Define, Deriv, Expr, IndexVar, Name, Number, Program, deriv_text, walk
from dsl.core.wording import say
from dsl.derive import centred, checking
from dsl.derive.backward import Sweep, Underivable, seed_for
from dsl.derive.entries import NoIndexForm, entry
from dsl.derive.simplify import names_inside, normal, respellings, simplify
from dsl.language.printer import to_source


@dataclass(frozen=True)
class Step:
    """One line of ``--steps``: ``dY/dname = expr``, itself a verified claim."""

    name: str
    expr: Expr
    text: str

    @property
    def line(self) -> str:
        return f"{self.name} = {self.text}"


@dataclass(frozen=True)
class Derivation:
    """A derived, verified ``dY/dX``: the expression (an AST), its ASCII text,
    the assumptions used ("y is onehot") and, when asked for, the steps."""

    y: str
    x: str
    expr: Expr
    text: str
    kind: str
    assumptions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = field(default=())
    index: Claim | None = None          # a Jacobian entry by entry: dy[i]/dx[j] = ..., verified

    @property
    def index_line(self) -> str | None:
        return None if self.index is None else to_source(self.index)

    @property
    def name(self) -> str:
        return deriv_text(self.y, self.x)

    @property
    def line(self) -> str:
        return f"{self.name} = {self.text}"


def derive(program: Program, env, y: str, x: str, *, steps: bool = False, verify: bool = True,
           seed: int = 0, before: int | None = None, shared=None, index: bool = True) -> Derivation:
    """``dY/dX`` derived, simplified and verified; raises ``Underivable`` (say
    why) or ``checking.Inconsistent`` (a defect: the form did not verify).
    ``before``: only names defined above this line stand for sub-expressions.
    ``shared``: the draws of ``check``'s verification of the program with
    ``seed`` (``verify.claims.draws_for``), whose true derivatives verify the
    derived forms too; without them the derivation makes its own, shared by
    its forms (the result, the steps, the index form).  ``index``: also the
    index form of a Jacobian (a fix in ``check`` needs only the matrix form)."""
    for name in (y, x):
        info = env.names.get(name)
        if info is None:
            raise Underivable(say("derive-not-a-value", name=name))
        if info.shape is None or not info.ok:
            raise Underivable(say("derive-has-errors", name=name))

    try:
        return _derive(program, env, y, x, steps, verify, seed, before, shared, index)
    except RecursionError:
        raise Underivable(say("derive-too-deep")) from None


def _derive(program, env, y, x, steps, verify, seed, before, shared, want_index) -> Derivation:
    sweep = Sweep(program, env, y, x)
    centred.remember(sweep.alg, sweep.defs)
    for name in (y, x):
        if name in sweep.twice:
            raise Underivable(say("derive-has-errors", name=name))
    alg = sweep.alg
    kind, seed_expr, transpose = _kind(sweep, y, x)
    if kind == "jacobian":
        ys = sweep.shape.name(y)
        sweep.stacked = "rows" if ys is not None and ys.is_row else "cols"
    found = sweep.run(seed_expr)
    names = _names(program, sweep, before)
    claimed = _claimed(program, sweep, y, x, before, names) if kind == "gradient" and found is not None else {}
    expr = _finish(alg, found, transpose, x, y, sweep, names)      # after both: they clear alg.used
    if claimed and found is not None:
        chained = _chained(alg, normal(alg, found, names), claimed)
        if chained:
            expr = _finish(alg, found, transpose, x, y, sweep, {**chained, **names})
    if verify:
        shared = shared if shared is not None else checking.shared_draws(program, env, seed)
        checking.verify_form(program, env, y, x, expr, seed=seed, shared=shared)
    chain: tuple[Step, ...] = ()
    if steps and kind == "gradient":
        chain = _steps(program, env, y, x, alg, names, seed, verify, shared)
    denominator = getattr(env, "layout", "numerator") == "denominator"
    index = (_index_form(program, env, y, x, alg, expr, denominator, seed, verify, shared)
             if kind == "jacobian" and want_index else None)
    used = [*sweep.assumptions, *(say("derive-using", name=n, attr=a) for n, a in alg.used)]
    return Derivation(y, x, expr, to_source(expr), kind, tuple(dict.fromkeys(used)), chain, index)


def _index_form(program, env, y, x, alg, expr, transposed: bool, seed: int, verify: bool,
                shared) -> Claim | None:
    """``dy[i]/dx[j] = ...`` for a Jacobian (None when it has no index form here); ``transposed``:
    ``expr`` is in the denominator layout, entries of X by entries of Y."""
    i, j = IndexVar("i", NOSPAN), IndexVar("j", NOSPAN)
    try:
        body = entry(alg, expr, j, i) if transposed else entry(alg, expr, i, j)
    except NoIndexForm:
        return None
    indices = ((i,), (j,))
    if verify:
        checking.verify_form(program, env, y, x, body, seed=seed, indices=indices, shared=shared)
    return checking.claim_of(y, x, body, indices)


def _kind(sweep: Sweep, y: str, x: str) -> tuple[str, Expr, bool]:
    """The kind of ``dY/dX``, the seed of the sweep, and whether the result is transposed."""
    ys, xs = sweep.shape.name(y), sweep.shape.name(x)
    assert ys is not None and xs is not None
    if ys.is_one_by_one:
        return "gradient", number(1), False
    if xs.is_one_by_one:
        raise Underivable(say("derive-by-scalar"))
    if not (ys.is_vector and xs.is_vector):
        raise Underivable(say("derive-higher-order", deriv=deriv_text(y, x)))
    rows = ys.is_row
    for name in sweep.needed():
        s = sweep.shape.name(name)
        if s is None or not (s.is_row if rows else s.is_col):
            raise Underivable(say("derive-mixed-vectors", y=y, x=x))
    if xs.is_row != rows:
        raise Underivable(say("derive-mixed-vectors", y=y, x=x))
    denominator = getattr(sweep.env, "layout", "numerator") == "denominator"
    # rows: the sweep gives the numerator Jacobian; columns: its transpose
    return "jacobian", seed_for(ys, sweep.alg), rows == denominator


def _finish(alg: Algebra, found: Expr | None, transpose: bool, x: str, y: str, sweep: Sweep,
            names: dict[Expr, Expr]) -> Expr:
    if found is None:                      # Y does not depend on X: the literal 0 (claims accept it)
        return number(0)
    if transpose:
        found = alg.T(found)
    return simplify(alg, found, names)


def _names(program: Program, sweep: Sweep, before: int | None) -> dict[Expr, Expr]:
    """Normal form of each definition's right side -> its name (the file's own names)."""
    names: dict[Expr, Expr] = {}
    for stmt in program.statements:
        if not isinstance(stmt, Define) or (before is not None and stmt.span.line >= before):
            continue
        expr = sweep.defs.get(stmt.name)
        if expr is None or isinstance(expr, Name | Number):
            continue
        key = normal(sweep.alg, expr)
        if not isinstance(key, Name | Number):
            names.setdefault(key, Name(stmt.name, NOSPAN))
    for key, name in list(names.items()):     # also as found once the names it uses are in
        names.setdefault(names_inside(key, names), name)
    for key, name in list(names.items()):     # and in the other forms a derived result may take
        for other in respellings(sweep.alg, key):
            names.setdefault(other, name)
    sweep.alg.used.clear()          # normalising the definitions assumed nothing about the result
    return names


def _claimed(program: Program, sweep: Sweep, y: str, x: str, before: int | None,
             names: dict[Expr, Expr]) -> dict[Expr, Expr]:
    """The adjoint of each intermediate ``name`` whose derivative ``dY/dname`` the file
    claims (above ``before``) -> that derivative, as the file writes it: the chain the
    file itself names (``dL/dS @ K / sqrt(d)``).  A ``dY/dname`` inside a claim
    stands for its true value, so the form is right whatever the file claims it is."""
    claimed = {stmt.deriv.den.id for stmt in program.statements
               if isinstance(stmt, Claim) and stmt.deriv.num.id == y and not stmt.deriv.num_indices
               and not stmt.deriv.den_indices and (before is None or stmt.span.line < before)}
    out: dict[Expr, Expr] = {}
    for name in sorted(claimed - {x, y}):
        adjoint = sweep.adj.get(name)
        if adjoint is None or isinstance(adjoint, Name | Number):
            continue
        term = Deriv(Name(y, NOSPAN), Name(name, NOSPAN), NOSPAN)
        for key in (adjoint, normal(sweep.alg, adjoint, names)):
            if not isinstance(key, Name | Number | Deriv):
                out.setdefault(key, term)
    sweep.alg.used.clear()          # as in _names: normalising the adjoints assumed nothing about the result
    return out


def _chained(alg: Algebra, form: Expr, claimed: dict[Expr, Expr]) -> dict[Expr, Expr]:
    """The claimed derivatives that stand for their adjoints in ``form``: one whose adjoint
    occurs more than once (it saves the repetition, as ``dL/dA`` in the softmax backward),
    then each whose adjoint holds one already standing (the chain, once it reads through a
    named derivative, is cut at the named one above it: ``dL/dS @ K / sqrt(d)``)."""
    count: dict[Expr, int] = {}
    for node in walk(form):
        if node in claimed:
            count[node] = count.get(node, 0) + 1
    used = {key for key, n in count.items() if n > 1}
    grew = bool(used)
    while grew:
        grew = False
        for key in claimed:
            if key not in used and any(node in used for node in walk(key) if node is not key):
                used.add(key)
                grew = True
    return {key: claimed[key] for key in used}


def _steps(program, env, y, x, alg, names, seed, verify, shared) -> tuple[Step, ...]:
    """The chain ``dY/dname = ...`` from ``Y`` back to ``X``, each in terms of the one before."""
    sweep = Sweep(program, env, y, x, steps=True)
    found = sweep.run(number(1))
    out = []
    for name, adjoint in [*sweep.chain, (x, found)]:
        if adjoint is None:
            continue
        expr = simplify(alg, adjoint, names)
        if verify:
            checking.verify_form(program, env, y, name, expr, seed=seed, shared=shared)
        out.append(Step(deriv_text(y, name), expr, to_source(expr)))
    return tuple(out)
