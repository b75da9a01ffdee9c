"""Index notation as matrix expressions, for the symbolic sweep.

A definition written entry by entry (``s = sum[i](c[i] * c[i])``,
``t = sum[i, j](A[i, j] * u[i] * u[j])``, ``e[i] = exp(z[i]) / sum[j](exp(z[j]))``)
is swept through its matrix spelling when it has one: :func:`matrix_form`
returns it (``c.T @ c``, ``u @ A @ u.T``, ``exp(z) / sum(exp(z))``), or
None when it has none here.  Every sub-expression is translated to a
matrix with an index (or none) on each of its two axes:

- ``x[i]`` of a row vector is ``x`` with ``i`` along its columns, of a
  column along its rows; ``A[i, j]`` is ``A`` with ``i`` along the rows,
  ``A[i, i]`` its diagonal ``diag(A)`` along the rows;
- an elementwise operator or function lines the indices of its operands up
  (a transpose where they cross) and broadcasts the rest;
- ``sum[k](P * Q)`` with ``k`` on one axis of each of two factors is
  ``P @ Q`` (each turned so that ``k`` meets in the middle); ``k`` on one
  factor only is ``sum(P, axis=...)`` (``sum(P)`` when nothing is left);
- ``delta(i, j)`` is ``eye(n)``, or, summed over one of its indices, the
  other index put in its place.

``A[i, i]`` is ``diag(A)``, a column.  A tensor has no spelling here.  The translation is an
identity of the definition, and every result derived through it is
verified numerically against the definition as written.
"""
from __future__ import annotations

from dataclasses import replace

from dsl.builtins import FUNCTIONS
from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import (
    BinOp,
    Call,
    Delta,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    IndexVar,
    Name,
    Neg,
    Number,
    Op,
    Transpose,
    walk,
)
from dsl.core.dims import Shape, Size
from dsl.derive.rewrite import push_transpose_all
from dsl.derive.shapes import strip

Axes = tuple[str | None, str | None]
"""The index along the rows and the columns of a translated value (None: size 1)."""


class _NoSpelling(Exception):
    """This index expression has no matrix spelling here."""


def uses_indices(e: Expr) -> bool:
    return any(isinstance(n, Index | IndexSum | Delta | IndexForm) for n in walk(e))


def matrix_form(alg: Algebra, env, expr: Expr, shape: Shape | None) -> Expr | None:
    """The matrix spelling of a definition's right side ``expr`` (index
    notation inside), of the definition's ``shape``; None when it has none."""
    if shape is None or shape.is_tensor:
        return None
    try:
        e, axes = _Translate(alg, env).run(expr, {})
    except _NoSpelling:
        return None
    if isinstance(expr, IndexForm):
        e = _orient(alg, e, axes, expr.indices, shape)
    elif axes != (None, None):
        return None
    e = _tidy(alg, e)
    found = alg.shape(e)
    if found is None or not (found.dims == shape.dims or (found.is_one_by_one and shape.is_one_by_one)):
        return None
    return e


def _tidy(alg: Algebra, e: Expr) -> Expr:
    """``e`` with each transpose of a product pushed to its leaves (``(A @ x.T).T`` ->
    ``x @ A.T``), so that the values inside a row Jacobian stay rows."""
    match e:
        case Transpose(operand=o):
            pushed = push_transpose_all(alg, e)
            return alg.T(_tidy(alg, o)) if pushed is None else _tidy_kids(alg, pushed)
    return _tidy_kids(alg, e)


def _tidy_kids(alg: Algebra, e: Expr) -> Expr:
    match e:
        case BinOp(left=l, right=r):
            return replace(e, left=_tidy(alg, l), right=_tidy(alg, r))
        case Neg(operand=o):
            return replace(e, operand=_tidy(alg, o))
        case Transpose(operand=o):
            return alg.T(_tidy(alg, o))
        case Call(args=args):
            return replace(e, args=tuple(_tidy(alg, a) for a in args))
    return e


def _orient(alg: Algebra, e: Expr, axes: Axes, left: tuple[IndexVar, ...], shape: Shape) -> Expr:
    """The translated body of ``C[i, j] = body`` laid out as ``C``: ``i`` along
    the rows (a vector's one index along its long side), spread where it is constant."""
    names = [ix.name for ix in left]
    if len(names) == 1:
        want: Axes = (None, names[0]) if shape.is_row else (names[0], None)
    elif len(names) == 2:
        want = (names[0], names[1])
    else:
        raise _NoSpelling
    if any(a is not None and a not in names for a in axes):
        raise _NoSpelling
    if _fits(axes, want):
        out = e
    elif _fits(_swap(axes), want):
        out = alg.T(e)
    else:
        raise _NoSpelling
    return alg.spread(out, shape)


def _fits(have: Axes, want: Axes) -> bool:
    return all(h is None or h == w for h, w in zip(have, want, strict=True))


def _swap(axes: Axes) -> Axes:
    return (axes[1], axes[0])


def _factors(e: Expr) -> list[Expr]:
    if isinstance(e, BinOp) and e.op is Op.MUL:
        return _factors(e.left) + _factors(e.right)
    return [e]


class _Translate:
    def __init__(self, alg: Algebra, env):
        self.alg, self.env = alg, env
        self.recorded = getattr(env, "index_ranges", {})

    def run(self, e: Expr, ranges: dict[str, Size]) -> tuple[Expr, Axes]:
        found = self.recorded.get(id(e))
        if found is not None:
            ranges = {**ranges, **found[1]}
        a = self.alg
        match e:
            case Number():
                return e, (None, None)
            case Name():
                s = a.shape(strip(e))
                if s is None or not s.is_one_by_one:
                    raise _NoSpelling
                return strip(e), (None, None)
            case Index(base=base, indices=ixs):
                return self._index(base, ixs)
            case Delta(i=i, j=j):
                if i.name == j.name:
                    return number(1), (None, None)
                size = ranges.get(i.name, ranges.get(j.name))
                if size is None:
                    raise _NoSpelling
                return a.eye(size), (i.name, j.name)
            case Neg(operand=o):
                inner, axes = self.run(o, ranges)
                return a.neg(inner), axes
            case BinOp(op=op, left=l, right=r) if op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV) or op.is_comparison:
                return self._elementwise(op, self.run(l, ranges), self.run(r, ranges))
            case BinOp(op=Op.POW, left=l, right=r):
                base, axes = self.run(l, ranges)
                power, paxes = self.run(r, ranges)
                if paxes != (None, None):
                    raise _NoSpelling
                return a.power(base, power), axes
            case Call(func=func, args=(arg,), keywords=()) if (FUNCTIONS.get(func) is not None
                                                                and FUNCTIONS[func].elementwise):
                inner, axes = self.run(arg, ranges)
                return Call(func, (inner,), (), e.prime, NOSPAN, NOSPAN), axes
            case IndexSum(indices=ixs, body=body):
                return self._sum([ix.name for ix in ixs], body, ranges)
            case IndexForm(body=body):
                return self.run(body, ranges)
        raise _NoSpelling

    def _index(self, base: Expr, ixs: tuple[IndexVar, ...]) -> tuple[Expr, Axes]:
        if uses_indices(base):
            raise _NoSpelling
        b = strip(base)
        s = self.alg.shape(b)
        if s is None or s.is_tensor:
            raise _NoSpelling
        names = [ix.name for ix in ixs]
        if len(names) == 1 and s.is_vector:
            return b, ((None, names[0]) if s.is_row else (names[0], None))
        if len(names) == 2 and s.rank == 2 and names[0] != names[1]:
            return b, (names[0], names[1])
        if len(names) == 2 and s.rank == 2 and s.rows == s.cols:      # A[i, i]: its diagonal, a column
            return self.alg.call("diag", b), (names[0], None)
        raise _NoSpelling

    def _elementwise(self, op: Op, left: tuple[Expr, Axes], right: tuple[Expr, Axes]) -> tuple[Expr, Axes]:
        (a, xa), (b, xb) = left, right
        for ta, tb in ((False, False), (False, True), (True, False)):
            ya = _swap(xa) if ta else xa
            yb = _swap(xb) if tb else xb
            joined = _join(ya, yb)
            if joined is not None:
                ea = self.alg.T(a) if ta else a
                eb = self.alg.T(b) if tb else b
                return self._combine(op, ea, eb), joined
        raise _NoSpelling

    def _combine(self, op: Op, a: Expr, b: Expr) -> Expr:
        alg = self.alg
        if op is Op.ADD:
            found = alg.add(a, b)
            assert found is not None
            return found
        if op is Op.SUB:
            return alg.sub(a, b)
        if op is Op.MUL:
            return alg.mul(a, b)
        if op is Op.DIV:
            return alg.div(a, b)
        return BinOp(op, a, b, NOSPAN, NOSPAN)

    def _sum(self, summed: list[str], body: Expr, ranges: dict[str, Size]) -> tuple[Expr, Axes]:
        plain: list[Expr] = []
        deltas: list[Delta] = []
        for f in _factors(body):
            if isinstance(f, Delta) and f.i.name != f.j.name and (f.i.name in summed or f.j.name in summed):
                deltas.append(f)
            else:
                plain.append(f)
        todo = list(summed)
        rename: dict[str, str] = {}
        for d in deltas:                             # sum[j](delta(i, j) * f(j)) = f(i)
            if d.j.name in todo:
                gone, kept = d.j.name, d.i.name
            elif d.i.name in todo:
                gone, kept = d.i.name, d.j.name
            else:
                plain.append(d)
                continue
            kept = rename.get(kept, kept)
            rename = {k: (kept if v == gone else v) for k, v in rename.items()}
            rename[gone] = kept
            todo.remove(gone)
        translated = [self.run(_renamed(f, rename) if rename else f, ranges) for f in plain]
        if not translated:
            translated = [(number(1), (None, None))]
        for k in todo:
            translated = self._contract(k, translated, ranges)
        out = translated[0]
        for other in translated[1:]:
            out = self._elementwise(Op.MUL, out, other)
        return out

    def _contract(self, k: str, terms: list[tuple[Expr, Axes]], ranges: dict[str, Size]) -> list[tuple[Expr, Axes]]:
        alg = self.alg
        carriers = [t for t in terms if k in t[1]]
        rest = [t for t in terms if k not in t[1]]
        if not carriers:                      # nothing depends on k: n copies
            size = ranges.get(k)
            if size is None:
                raise _NoSpelling
            return [*rest, (alg.size(size), (None, None))]
        while len(carriers) > 2:
            carriers = [self._elementwise(Op.MUL, carriers[0], carriers[1]), *carriers[2:]]
        if len(carriers) == 2:
            (p, xp), (q, xq) = carriers
            if xp[0] == k:
                p, xp = alg.T(p), _swap(xp)
            if xq[1] == k:
                q, xq = alg.T(q), _swap(xq)
            if xp[0] is None or xp[0] != xq[1]:
                return [*rest, (alg.matmul(p, q), (xp[0], xq[1]))]
            carriers = [self._elementwise(Op.MUL, (p, xp), (q, xq))]
        (p, xp), = carriers
        if xp == (None, k) or xp == (k, None):
            return [*rest, (alg.call("sum", p), (None, None))]
        if xp[0] == k:
            return [*rest, (alg.call("sum", p, axis=0), (None, xp[1]))]
        return [*rest, (alg.call("sum", p, axis=1), (xp[0], None))]


def _join(a: Axes, b: Axes) -> Axes | None:
    """The axes of an elementwise result, or None when the operands' indices cross."""
    out = []
    for x, y in zip(a, b, strict=True):
        if x is not None and y is not None and x != y:
            return None
        out.append(x if x is not None else y)
    if out[0] is not None and out[0] == out[1]:
        return None
    shared = {i for i in a if i is not None} & {i for i in b if i is not None}
    if any(a.index(i) != b.index(i) for i in shared):
        return None
    return (out[0], out[1])


def _renamed(e: Expr, rename: dict[str, str]) -> Expr:
    """``e`` with the indices of ``rename`` replaced (a delta summed away)."""
    match e:
        case Index(indices=ixs):
            return replace(e, indices=tuple(IndexVar(rename.get(ix.name, ix.name), ix.span) for ix in ixs))
        case Delta(i=i, j=j):
            return replace(e, i=IndexVar(rename.get(i.name, i.name), i.span),
                           j=IndexVar(rename.get(j.name, j.name), j.span))
        case BinOp(left=l, right=r):
            return replace(e, left=_renamed(l, rename), right=_renamed(r, rename))
        case Neg(operand=o) | Transpose(operand=o):
            return replace(e, operand=_renamed(o, rename))
        case Call(args=args):
            return replace(e, args=tuple(_renamed(a, rename) for a in args))
        case IndexSum(body=b) | IndexForm(body=b):
            return replace(e, body=_renamed(b, rename))
    return e
