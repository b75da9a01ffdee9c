"""Index notation in the checker: ranges, free and bound indices.

An index ranges over the size of the axis it indexes (a vector's one index
over its long side, a rank-k value's k indices over ``Shape.dims``); every
use in one statement must agree (E210, labelling both uses).  An index on
the right is bound by an enclosing ``sum[...]`` or written on the left
(E211); a summed index is not on the left nor summed again inside its own
sum (E212); each value takes one index per axis (E213); inside index
notation operands are entries or scalars, combined elementwise (E214);
every index on the left or summed gets a range from some use (E216).

:func:`analyse` checks one index expression (a definition's
:class:`~dsl.core.ast.IndexForm`, an outermost ``sum[...]``, or the right
side of an entry claim) after ``infer`` has given every node its shape, and
returns the ranges of its indices.  Entries are scalars to the rest of the
checker, so the operator and function rules apply unchanged.

    >>> from dsl.language.syntax import parse_text
    >>> from dsl.shapes.checker import check_program
    >>> program, _ = parse_text("dims n, k, m\\nA : n x k\\nB : k x m\\nC[i, j] = sum[k](A[i, k] * B[k, j])")
    >>> env, diags = check_program(program)
    >>> str(env.names["C"].shape), diags
    ('n x m', [])
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.builtins import lookup
from dsl.core import messages
from dsl.core.ast import (
    BinOp,
    Call,
    Delta,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    IndexVar,
    Op,
    Transpose,
    children,
)
from dsl.core.diagnostics import Label, Sink
from dsl.core.dims import Shape, Size
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.language.printer import to_source

Ranges = dict[str, Size]
Seed = dict[str, tuple[Size, Span]]


def axes(shape: Shape) -> tuple[Size, ...]:
    """The sizes an index ranges over: a vector's long side, else every axis."""
    if shape.is_one_by_one:
        return ()
    if shape.is_vector:
        return (shape.length(),)
    return shape.dims


def index_sizes(shape: Shape, count: int) -> tuple[Size, ...] | None:
    """What ``count`` indices range over on a value of ``shape``, or None if
    that is the wrong number: one index per axis, or one for a vector (its
    long side; a 1 x 1 matrix is a vector of one entry too)."""
    if len(shape.dims) == count:
        return shape.dims
    if count == 1 and len(shape.dims) == 2 and (shape.is_vector or shape.is_one_by_one):
        return (shape.length(),)
    return None


def count_text(n: int) -> str:
    return say("index-count-one") if n == 1 else say("index-count-many", count=n)


def form_shape(indices: tuple[IndexVar, ...], ranges: Ranges, column: bool = False) -> Shape | None:
    """The shape of the value whose entries are named by ``indices``: one
    index gives a ``1 x n`` row (``n x 1`` with ``column``)."""
    if any(ix.name not in ranges for ix in indices):
        return None
    sizes = tuple(ranges[ix.name] for ix in indices)
    if len(sizes) == 1:
        return Shape((sizes[0], 1)) if column else Shape((1, sizes[0]))
    return Shape(sizes)


def free_indices(expr: Expr) -> frozenset[str]:
    """The indices of ``expr`` not bound inside it (no recursion)."""
    return free_sets(expr)[id(expr)]


def free_sets(root: Expr) -> dict[int, frozenset[str]]:
    """Free indices of every node under ``root``, computed children first."""
    free: dict[int, frozenset[str]] = {}
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in children(node))
            continue
        match node:
            case Index(indices=found):
                free[id(node)] = frozenset(ix.name for ix in found)
            case Delta(i=i, j=j):
                free[id(node)] = frozenset((i.name, j.name))
            case IndexSum(indices=found, body=body):
                free[id(node)] = free[id(body)] - {ix.name for ix in found}
            case IndexForm():
                free[id(node)] = frozenset()
            case _:
                out: frozenset[str] = frozenset()
                for kid in children(node):
                    out |= free[id(kid)]
                free[id(node)] = out
    return free


class _Analysis:
    def __init__(self, env, sink: Sink, seed: Seed | None):
        self.env, self.sink = env, sink
        self.first: Seed = dict(seed or {})
        self.reported: set[str] = set()     # indices with a range conflict reported
        self.unbound: set[str] = set()      # free indices reported
        self.deltas: list[Delta] = []
        self.free: dict[int, frozenset[str]] = {}
        self.nodes: dict[int, Expr] = {}

    def error(self, code: str, span: Span, **values) -> None:
        self.sink.add(messages.make(code, span, **values))

    def use(self, ix: IndexVar, size: Size, hint: str | None = None) -> None:
        known = self.first.get(ix.name)
        if known is None:
            self.first[ix.name] = (size, ix.span)
        elif known[0] != size and not self.reported:     # one range conflict per statement
            self.reported.add(ix.name)
            labels = [Label(known[1], say("index-over", index=ix.name, size=known[0])),
                      Label(ix.span, say("index-over", index=ix.name, size=size))]
            self.error("E210", ix.span, labels=labels, hint=hint or say("index-other-letter"),
                       index=ix.name, first=known[0], second=size)

    def bound_check(self, ix: IndexVar, scope: frozenset[str]) -> None:
        if ix.name not in scope and ix.name not in self.unbound:
            self.unbound.add(ix.name)
            line = ix.span.line
            if any(d.code == "E211" and d.span.line == line and f"'{ix.name}'" in d.message
                   for d in self.sink.items[-8:]):
                return   # the same free index in another entry of this statement
            self.error("E211", ix.span, hint=say("index-sum-it", index=ix.name), index=ix.name)

    def index(self, node: Index, scope: frozenset[str], free: dict[int, frozenset[str]]) -> None:
        if free[id(node.base)]:
            self.error("E214", node.span, what=say("index-of-entry"))
            return
        shape = self.env.shape_of(node.base)
        if shape is None:
            return
        sizes = index_sizes(shape, len(node.indices))
        if sizes is None:
            sizes = axes(shape)
            name = to_source(node.base)
            got, want = count_text(len(node.indices)), count_text(len(sizes))
            letters = ", ".join("ijklmn"[:len(sizes)])
            hint = say("index-scalar") if not shape.dims else say("index-axes-hint", example=f"{name}[{letters}]")
            self.error("E213", node.span, hint=hint, labels=[Label(node.base.span, str(shape))],
                       name=name, shape=shape, want=want, got=got)
            return
        swap = self.swapped(node, sizes)
        for ix, size in zip(node.indices, sizes, strict=True):
            self.bound_check(ix, scope)
            self.use(ix, size, swap)

    def swapped(self, node: Index, sizes) -> str | None:
        """The hint for two indices written in the wrong order (``W[j, i]``
        for an ``m x n`` ``W`` with ``i`` over ``m``): they conflict with
        the ranges known so far as written, and agree once swapped."""
        if len(node.indices) != 2 or node.indices[0].name == node.indices[1].name:
            return None
        known = [self.first.get(ix.name) for ix in node.indices]
        if any(k is None for k in known):
            return None
        got = [k[0] for k in known if k is not None]
        if got == list(sizes) or got != list(sizes)[::-1]:
            return None
        i, j = (ix.name for ix in node.indices)
        return say("index-swapped", name=to_source(node.base), shape=self.env.shape_of(node.base),
                   form=f"{to_source(node.base)}[{j}, {i}]")

    def operands(self, node: Expr, free: dict[int, frozenset[str]]) -> None:
        """E214: matrices, '@', '.T' and non-elementwise functions among entries."""
        kids = children(node)
        if not any(free[id(k)] for k in kids):
            return
        match node:
            case BinOp(op=Op.MATMUL):
                self.error("E214", node.op_span, what=say("index-matmul"))
                return
            case Transpose():
                self.error("E214", node.span, what=say("index-transpose"))
                return
            case Call(func=func, keywords=kws) if kws or not ((row := lookup(func)) and row.elementwise):
                self.error("E214", node.func_span, what=say("index-function", name=func))
                return
            case Index() | IndexSum() | IndexForm():
                return
        for kid in kids:
            self.matrix_operand(kid, free)

    def matrix_operand(self, kid: Expr, free: dict[int, frozenset[str]]) -> None:
        if free[id(kid)]:
            return
        shape = self.env.shape_of(kid)
        if shape is not None and not shape.is_one_by_one:
            self.error("E214", kid.span, labels=[Label(kid.span, str(shape))],
                       what=say("index-matrix-operand", name=to_source(kid), shape=shape))

    def run(self, root: Expr, left: tuple[IndexVar, ...]) -> None:
        free = self.free = free_sets(root)
        outer = frozenset(ix.name for ix in left)
        stack: list[tuple[Expr, frozenset[str]]] = [(root, outer)]
        while stack:
            node, scope = stack.pop()
            self.nodes[id(node)] = node
            match node:
                case Index():
                    self.index(node, scope, free)
                case Delta(i=i, j=j):
                    self.bound_check(i, scope)
                    self.bound_check(j, scope)
                    self.deltas.append(node)
                case IndexSum(indices=found, body=body):
                    self.summed(found, body, scope, outer, free)
                    scope = scope | {ix.name for ix in found}
                case IndexForm(body=body):
                    self.matrix_operand(body, free)
            self.operands(node, free)
            stack.extend((k, scope) for k in reversed(children(node)))
        self.close_deltas()

    def summed(self, found: tuple[IndexVar, ...], body: Expr, scope: frozenset[str], outer: frozenset[str],
               free: dict[int, frozenset[str]]) -> None:
        seen: set[str] = set()
        for ix in found:
            what = ("index-listed-twice" if ix.name in seen else "index-on-left" if ix.name in outer
                    else "index-summed-again" if ix.name in scope else None)
            seen.add(ix.name)
            if what is not None:
                self.error("E212", ix.span, hint=say("index-new-letter"), index=ix.name, what=say(what))
            elif ix.name not in free[id(body)]:
                self.error("E216", ix.span, hint=say("index-give-range", index=ix.name), index=ix.name,
                           what=say("index-sum-unused"))
        self.matrix_operand(body, free)

    def close_deltas(self) -> None:
        """A delta's two indices share a range: one known gives the other."""
        changed = True
        while changed:
            changed = False
            for d in self.deltas:
                a, b = self.first.get(d.i.name), self.first.get(d.j.name)
                if a is not None and b is None:
                    self.first[d.j.name], changed = (a[0], d.j.span), True
                elif b is not None and a is None:
                    self.first[d.i.name], changed = (b[0], d.i.span), True
        for d in self.deltas:
            a, b = self.first.get(d.i.name), self.first.get(d.j.name)
            if a is not None and b is not None and a[0] != b[0] and not self.reported:
                self.reported.add(d.j.name)
                labels = [Label(d.span, say("index-delta-pairs", i=d.i.name, j=d.j.name, size=a[0])),
                          Label(b[1], say("index-over", index=d.j.name, size=b[0]))]
                self.error("E210", d.span, labels=labels, hint=say("index-other-letter"),
                           index=d.j.name, first=a[0], second=b[0])


def analyse(env, root: Expr, left: tuple[IndexVar, ...], sink: Sink, seed: Seed | None = None) -> Ranges | None:
    """Check the index expression ``root`` whose free indices are ``left``;
    the range of every index, or None after an error."""
    before = sink.errors
    run = _Analysis(env, sink, seed)
    run.run(root, left)
    seen: set[str] = set()
    broadcast: set[str] = set()
    for ix in left:
        if sink.errors != before and ix.name not in seen:
            pass     # an index without a range after another error: that error says enough
        elif ix.name in seen:
            sink.add(messages.make("E212", ix.span, hint=say("index-new-letter"), index=ix.name,
                                   what=say("index-left-twice")))
        elif ix.name not in run.first and any(ix.name in (d.i.name, d.j.name) for d in run.deltas):
            sink.add(messages.make("E216", ix.span, hint=say("index-give-range", index=ix.name), index=ix.name,
                                   what=say("index-delta-only")))
        elif ix.name not in run.first:
            broadcast.add(ix.name)       # on the left only: an axis of one entry, which broadcasts
        seen.add(ix.name)
    for node_id, names in run.free.items():
        if names:                        # an entry is a scalar (infer left it unknown)
            env.record(run.nodes[node_id], Shape(()))
    ranges = {ix.name: 1 if ix.name in broadcast else run.first[ix.name][0]   # the left side first
              for ix in left if ix.name in run.first or ix.name in broadcast}
    ranges.update((name, size) for name, (size, _) in run.first.items() if name not in ranges)
    record = getattr(env, "index_ranges", None)
    if record is not None:
        record[id(root)] = (root, ranges)
    return ranges if sink.errors == before else None


def infer_form(env, form: IndexForm, sink: Sink, infer: Callable, seed: Seed | None = None) -> Shape | None:
    """The shape of ``C[i, j] = body``: the ranges of its indices, in order."""
    env.index_scope += 1
    try:
        infer(env, form.body, sink)
    finally:
        env.index_scope -= 1
    ranges = analyse(env, form, form.indices, sink, seed)
    return None if ranges is None else form_shape(form.indices, ranges, form.column)


def infer_outermost(env, node: Expr, sink: Sink, infer: Callable) -> None:
    """Infer an index node's operands; an outermost one (not inside a
    sum or an index form) is analysed as a whole, with no free index."""
    env.index_scope += 1
    try:
        for kid in children(node):
            infer(env, kid, sink)
    finally:
        env.index_scope -= 1
    if env.index_scope == 0:
        analyse(env, node, (), sink)


NODES = (Index, IndexSum, Delta, IndexForm)


def infer_node(env, node: Expr, sink: Sink, infer: Callable) -> Shape | None:
    """The shape of a node of index notation: a sum with no free index is a
    scalar; an entry is unknown to the operator rules (``analyse`` checks
    what combines entries, then records them as scalars)."""
    if isinstance(node, IndexForm):
        return infer_form(env, node, sink, infer)
    infer_outermost(env, node, sink, infer)
    return Shape(()) if isinstance(node, IndexSum) and not free_indices(node) else None


def entry_claim(env, claim, ys: Shape | None, xs: Shape | None, sink: Sink, infer: Callable,
                numerator: bool) -> tuple[IndexForm | None, Shape | None, Shape | None]:
    """``dL/dW[i, j] = ...`` or ``dy[i]/dx[j] = ...``: the index form of the
    right side (the array the claim states), the derivative's shape and the
    form's shape (None after an error)."""
    deriv = claim.deriv
    num, den = deriv.num_indices, deriv.den_indices
    name = deriv.text
    if ys is None or xs is None:
        return None, None, None
    if not num:
        if not ys.is_one_by_one:
            sink.add(messages.make("E215", deriv.span, claim=name, what=say("index-claim-form"),
                                   labels=[Label(deriv.num.span, str(ys))]))
            return None, None, None
        sizes, order, expected, column = axes(xs), den, xs, xs.is_col
    else:
        if not (ys.is_vector and xs.is_vector):
            sink.add(messages.make("E215", deriv.span, claim=name, what=say("index-claim-form"),
                                   labels=[Label(deriv.num.span, str(ys)), Label(deriv.den.span, str(xs))]))
            return None, None, None
        m, n = ys.length(), xs.length()
        sizes = (m,) * len(num) + (n,) * len(den)
        order = (*num, *den) if numerator else (*den, *num)
        expected = Shape((m, n)) if numerator else Shape((n, m))
        column = False
    if len(num) > 1 or len(sizes) != len(num) + len(den):
        what = say("index-claim-axes", count=len(sizes) - len(num), shape=xs) if not num else say("index-claim-form")
        sink.add(messages.make("E215", deriv.span, claim=name, what=what, labels=[Label(deriv.den.span, str(xs))]))
        return None, None, None
    seed = {ix.name: (size, ix.span) for ix, size in zip((*num, *den), sizes, strict=True)}
    form = IndexForm(order, claim.expr, claim.expr.span, column)
    got = infer_form(env, form, sink, infer, seed)
    return form, expected, got
