"""What each node of an equation says about sizes: the constraints of shape inference.

Contract: :class:`Terms` walks an expression of ``dsl.core.ast`` and gives
its shape term over a :class:`~dsl.frontends.unify.Store`, unifying sizes
as it goes (raising :class:`~dsl.frontends.unify.Conflict` where they
cannot be equal); None is a shape it cannot tell (an unknown function, a
tensor).  Names the document fixes have their stated shapes, size symbols
are scalars, every other name a pair of fresh sizes made at first sight.
The rules: ``@`` makes inner sizes equal, and a scalar times a value
makes that value 1 x 1 (read again, the product is a scaling); ``+ - * /``
make shapes equal, where a stated 1 broadcasts over a stated size and a
1 x 1 over anything equal shapes do not fit (a lower-case input added to a
value waits for ``decide_biases``); a transpose swaps; index
notation makes ``x_i`` a vector (along its side that is not 1) and
``W_{ij}`` a matrix; ``dA/dB`` has the derivative's shape (SPEC section 5)
once A or B is known to be a scalar or both vectors.  Built-in functions
follow their rows in ``dsl.builtins``: elementwise rows keep the shape,
scalar-valued rows give a scalar (their rule still checks the
arguments), and the others are probed through their own shape rule (one
that gives back a matrix, a row and a column unchanged keeps the shape;
one that takes two arguments of one shape and refuses two of different
shapes makes them equal) or, failing that, applied to the arguments' sizes
once they are known (in the last sweep, ``final``, sizes still free count
as not 1).

    >>> from dsl.language.syntax import parse_expr
    >>> t = Terms({}, set())
    >>> shape = t.expr(parse_expr("softmax(W @ x)")[0])
    >>> t.store.resolve(shape[0]) == t.store.resolve(t.names["W"][0])
    True
"""
from __future__ import annotations

import functools

from dsl.builtins import FUNCTIONS, Problem
from dsl.core.ast import (
    BinOp,
    Call,
    Delta,
    Deriv,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    Name,
    Neg,
    Number,
    Op,
    Transpose,
    children,
)
from dsl.core.dims import Shape, Sym
from dsl.frontends.unify import Conflict, ShapeT, Store, Term, Var

# ------------------------------------------------------------------ probes

def _probe_syms() -> tuple[Sym, Sym, Sym, Sym]:
    return Sym("\x00p"), Sym("\x00q"), Sym("\x00r"), Sym("\x00s")


def _rule(func: str, shapes: list[Shape], axis=None):
    try:
        return FUNCTIONS[func].shape(shapes, axis)
    except Exception:  # noqa: BLE001  (a rule that does not take these shapes says nothing)
        return None


@functools.cache
def _keeps(func: str) -> bool:
    """Whether the row's rule gives back its argument's shape for a matrix, a row and a column."""
    p, q, _, _ = _probe_syms()
    tried = [Shape((p, q)), Shape((1, q)), Shape((p, 1))]
    return all(_rule(func, [s]) == s for s in tried)


@functools.cache
def _same(func: str) -> bool:
    """Whether the row's rule takes two arguments of one shape and refuses two of different shapes."""
    p, q, r, s = _probe_syms()
    return (isinstance(_rule(func, [Shape((p, q)), Shape((p, q))]), Shape)
            and isinstance(_rule(func, [Shape((p, q)), Shape((r, s))]), Problem))


def is_zero(node: Expr) -> bool:
    return isinstance(node, Number) and node.value == 0


class Terms:
    """The shape terms of expressions, with the constraints they impose."""

    def __init__(self, fixed: dict, sizes: set[str], denominator: bool = False):
        self.store = Store()
        self.fixed = {name: None if s is None else tuple(s.dims) for name, s in fixed.items()}
        self.sizes = set(sizes)
        self.denominator = denominator
        self.names: dict[str, ShapeT] = {}            # shape terms of every name not fixed
        self.first: dict[str, int] = {}
        self.indices: dict[tuple[int, str], Var] = {}
        self.vectors: list[tuple[ShapeT, int]] = []   # x_i: one of the sizes is 1 (and the equation)
        self.final = False
        self.rows = False                             # gradients read as rows (a trial: ``infer``)
        self.key = 0                                  # the equation being read (its index variables)
        self.defined: set[str] = set()                # names the equations define (never inputs)
        self.biases: dict[str, str | None] = {}       # a lower-case input added to a matrix: how
        self.added: dict[str, ShapeT] = {}            # ... and the shape it is added to, when undecided

    # ---- names
    def name(self, node: Name) -> ShapeT | None:
        n = node.id
        if n in self.fixed:
            return self.fixed[n]
        if n in self.sizes:
            return ()
        if n not in self.names:
            self.names[n] = (self.store.fresh(), self.store.fresh())
            self.first[n] = len(self.first)
        return self.names[n]

    def index_var(self, name: str) -> Var:
        key = (self.key, name)
        if key not in self.indices:
            self.indices[key] = self.store.fresh()
        return self.indices[key]

    # ---- expressions
    def expr(self, node: Expr) -> ShapeT | None:
        match node:
            case Name():
                return self.name(node)
            case Number():
                return ()
            case Neg(operand=o):
                return self.expr(o)
            case Transpose(operand=o):
                s = self.expr(o)
                return None if s is None or len(s) > 2 else s[::-1]
            case BinOp(op=Op.MATMUL, left=a, right=b):
                return self.matmul(self.expr(a), self.expr(b))
            case BinOp(op=Op.POW, left=a, right=b):
                self.expr(b)
                return self.expr(a)
            case BinOp(op=Op.ADD | Op.SUB, left=a, right=b) if self.bias_leaf(a) != self.bias_leaf(b):
                return self.bias(a, b) if self.bias_leaf(a) else self.bias(b, a)
            case BinOp(left=a, right=b):
                return self.elementwise(self.expr(a), self.expr(b))
            case Call():
                return self.call(node)
            case Deriv(num=num, den=den) if not node.num_indices and not node.den_indices:
                return self.derivative(self.name(num), self.name(den))
            case Index(base=base, indices=ixs):
                return self.index(self.expr(base), [self.index_var(i.name) for i in ixs])
            case IndexSum(body=body):
                self.expr(body)
                return ()
            case Delta():
                return ()
            case IndexForm(indices=ixs, body=body):
                self.expr(body)
                found = [self.index_var(i.name) for i in ixs]
                if len(found) == 1:
                    return (found[0], 1) if node.column else (1, found[0])
                return tuple(found) if len(found) == 2 else None
        for kid in children(node):
            self.expr(kid)
        return None

    def bias_leaf(self, node: Expr) -> bool:
        """A lower-case input of unknown shape: ``b`` in ``X W + b``."""
        return (isinstance(node, Name) and node.id[:1].islower() and node.id not in self.fixed
                and node.id not in self.sizes and node.id not in self.defined)

    def bias(self, leaf: Expr, other: Expr) -> ShapeT | None:
        """``other + leaf`` with ``leaf`` a lower-case input: the same shape, or a
        row (``"row"``) or column (``"col"``) broadcast over ``other``, as
        ``decide_biases`` chose; undecided, it constrains nothing yet."""
        mine, theirs = self.expr(leaf), self.expr(other)
        assert isinstance(leaf, Name) and mine is not None, "a bias is a name not fixed"
        how = self.biases.setdefault(leaf.id, None)
        if theirs is None or len(theirs) != 2:
            return self.elementwise(mine, theirs)
        if how is None:
            self.added.setdefault(leaf.id, theirs)
            return theirs
        if how == "same":
            return self.elementwise(mine, theirs)
        along = 0 if how == "row" else 1
        self.store.unify(mine[along], 1, stated=False)
        self.store.unify(mine[1 - along], theirs[1 - along])
        return theirs

    def decide_biases(self, upper: set) -> None:
        """A lower-case input added to a value whose both sizes belong to
        upper-case names (``X W + b``: a batch) is a bias row broadcast over
        it, as NumPy adds it; added to anything else it has that shape."""
        for name, theirs in self.added.items():
            if self.biases.get(name) is None:
                both = all(self.store.resolve(t) in upper for t in theirs)
                self.biases[name] = "row" if both else "same"
        self.added = {}

    def matmul(self, a: ShapeT | None, b: ShapeT | None) -> ShapeT | None:
        if a is None or b is None:
            return None
        if len(a) != 2 or len(b) != 2:
            other = a or b
            if other and len(other) == 2 and not any(self.store.is_stated(t) and not self.store.is_one(t)
                                                     for t in other):
                for t in other:                  # a scalar times something: only a 1 x 1 fits
                    self.store.unify(t, 1, stated=False)
                return other                     # (and read again, it is a scaling: 1/N sum ...)
            if not a or not b:
                raise Conflict(a, b, False)      # a scalar in '@' with a matrix: read otherwise
            return None
        self.store.unify(a[1], b[0])
        return (a[0], b[1])

    def elementwise(self, a: ShapeT | None, b: ShapeT | None) -> ShapeT | None:
        if a is None or b is None:
            return None
        if not a or not b:
            return b or a
        if len(a) == len(b) and (self.store.scalar_like(a) or self.store.scalar_like(b)):
            snap = self.store.snapshot()
            try:
                self.store.unify_shapes(a, b)
                return a
            except Conflict:                     # nothing else fits: a 1 x 1 broadcasts as a scalar
                self.store.restore(snap)
                return b if self.store.scalar_like(a) else a
        if len(a) != len(b):
            return None
        out = []
        for x, y in zip(a, b, strict=True):
            rx, ry = self.store.resolve(x), self.store.resolve(y)
            if rx == 1 and self.store.is_stated(x) and not isinstance(ry, Var) and ry != 1:
                out.append(y)                    # a stated 1 broadcasts over a stated size
            elif ry == 1 and self.store.is_stated(y) and not isinstance(rx, Var) and rx != 1:
                out.append(x)
            else:
                self.store.unify(x, y)
                out.append(x)
        return tuple(out)

    def index(self, base: ShapeT | None, ivars: list[Var]) -> ShapeT | None:
        if base is None:
            return ()
        if len(ivars) == 1 and len(base) == 2:
            self.vectors.append((base, self.key))
            self.vector(base, ivars[0])
        elif len(ivars) == len(base):
            for size, iv in zip(base, ivars, strict=True):
                self.store.unify(size, iv)
        return ()

    def vector(self, base: ShapeT, iv: Var) -> None:
        """``x_i``: the index runs along the side that is not 1, once one side is known."""
        r, c = base
        if self.store.is_one(r):
            self.store.unify(c, iv)
        elif self.store.is_one(c):
            self.store.unify(r, iv)

    def derivative(self, ys: ShapeT | None, xs: ShapeT | None) -> ShapeT | None:
        st = self.store
        if ys is None or xs is None:
            return None
        if st.scalar_like(ys):
            return xs[::-1] if self.rows and len(xs) == 2 else xs
        if st.scalar_like(xs):
            return ys
        vy, vx = self.length(ys), self.length(xs)
        if vy is None or vx is None:
            return None
        return (vx, vy) if self.denominator else (vy, vx)

    def length(self, s: ShapeT) -> Term | None:
        """A vector's number of entries, once one of its sizes is known to be 1."""
        if len(s) != 2:
            return None
        if self.store.is_one(s[0]):
            return s[1]
        if self.store.is_one(s[1]):
            return s[0]
        return None

    def call(self, node: Call) -> ShapeT | None:
        args = [self.expr(a) for a in node.args]
        for kw in node.keywords:
            self.expr(kw.value)
        row = FUNCTIONS.get(node.func)
        opaque = self.fixed.get(node.func)
        if row is None and opaque is not None and all(d == 1 for d in opaque):
            return ()                  # \ell(o, y): a scalar function the document does not define
        if row is None or not args:
            return None
        if not row.arity[0] <= len(args) <= row.arity[1] or any(k.name not in row.keywords for k in node.keywords):
            raise Conflict(node.func, len(args), False)   # max(0, z): not this function as the table has it
        if node.prime or row.elementwise:
            return args[0]
        if row.sizes:
            return None
        if len(args) == 2 and not node.keywords and _same(node.func) and None not in args:
            assert args[0] is not None and args[1] is not None
            self.store.unify_shapes(args[0], args[1])
        ruled = self.by_rule(node, args)          # a Conflict when the row refuses the arguments
        if row.scalar and not node.keywords:
            return ()
        if not node.keywords and len(args) == 1 and _keeps(node.func):
            return args[0]
        return ruled

    def by_rule(self, node: Call, args: list) -> ShapeT | None:
        """The row's own rule on the arguments' sizes: at once when every
        size is known, else in the last sweep (free sizes count as not 1)."""
        if None in args:
            return None
        axis = None
        for kw in node.keywords:
            if kw.name != "axis":
                return None
            v = kw.value
            if isinstance(v, Neg) and isinstance(v.operand, Number):
                axis = -int(v.operand.value)
            elif isinstance(v, Number) and v.value == int(v.value):
                axis = int(v.value)
            else:
                return None
        resolved = [self.store.shape(a) for a in args]
        free = any(isinstance(t, Var) for s in resolved for t in s)
        if free and not self.final:
            return None
        back: dict[Sym, Var] = {}

        def sym(t):
            if isinstance(t, Var):
                s = Sym(f"\x00{t.id}")
                back[s] = t
                return s
            return t

        result = _rule(node.func, [Shape(tuple(sym(t) for t in s)) for s in resolved], axis)
        if isinstance(result, Problem):
            raise Conflict(node.func, result.what, False)     # the arguments' shapes are inferred ones
        if not isinstance(result, Shape) or result.rank > 2:
            return None
        return tuple(back.get(t, t) if isinstance(t, Sym) else t for t in result.dims)
