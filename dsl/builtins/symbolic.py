"""Symbolic derivative rules: the expression-level twin of each row's ``vjp``.

A row's ``symbolic`` rule is ``rule(alg, g, out, args, axis)`` -> one
expression per argument (None: no contribution), where ``g`` is the adjoint
of the call (an expression shaped like the call, or stacked rows of such for
a Jacobian), ``out`` the expression that names the call's value (the defined
name when the call is a whole definition) and ``args`` the argument
expressions.  ``alg`` (:class:`Algebra`) builds expressions and knows their
shapes.  A row without a rule cannot be derived symbolically (the deriver
says so); an elementwise row without one uses ``g * f'(x)``.

Each rule states the identity it writes, e.g. for ``softmax``:
``g J = p * (g - sum(g * p))``, with ``J = diag(p) - p p^T`` per group.

    >>> alg = Algebra(lambda e: None)
    >>> alg.mul(number(1), alg.neg(alg.neg(alg.name("x"))))
    Name(id='x', span=Span(file='<derived>', line=1, column=1, end_line=1, end_column=1, start=0, end=0, cell=None))
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from dsl.core.ast import BinOp, Call, Expr, Keyword, Name, Neg, Number, Op, Transpose
from dsl.core.dims import SCALAR, Shape, Size, Sym
from dsl.core.span import Span

NOSPAN = Span("<derived>", 1, 1, 1, 1)
"""The span of every node a derivation builds (structural equality ignores nothing else)."""


def number(value: float) -> Number:
    """A literal, written as an integer when it is one."""
    value = float(value)
    text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return Number(value, text, NOSPAN)


def is_number(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Number) and (value is None or e.value == value)


class Algebra:
    """Expression constructors with the obvious simplifications done at
    construction (``1 * a`` is ``a``, ``--a`` is ``a``), and the shape of
    every expression through ``shape_of`` (None: unknown)."""

    def __init__(self, shape_of: Callable[[Expr], Shape | None], labels: dict[str, str] | None = None,
                 symmetric: dict[str, str] | None = None, attrs: dict[str, tuple[str, ...]] | None = None):
        self.shape = shape_of
        self.attrs = attrs or {}                 # every declared name -> its attributes
        self.labels = labels or {}               # label names whose groups sum to one -> attribute
        self.symmetric = symmetric or {}         # names declared symmetric (or spd) -> attribute
        self.used: list[tuple[str, str]] = []    # (label, attribute) a rewrite relied on
        self.names: Mapping[Expr, Expr] = {}     # expressions the file names -> their names (while simplifying)

    # ------------------------------------------------------------ leaves
    def name(self, id_: str) -> Name:
        return Name(id_, NOSPAN)

    def size(self, size: Size) -> Expr:
        return self.name(size.name) if isinstance(size, Sym) else number(size)

    def count(self, shape: Shape) -> Expr:
        """The number of entries of ``shape`` as an expression (``m``, ``m * k``)."""
        out: Expr | None = None
        for d in shape.dims:
            if d == 1:
                continue
            e = self.size(d)
            out = e if out is None else self.mul(out, e)
        return number(1) if out is None else out

    def call(self, func: str, *args: Expr, axis: int | None = None) -> Call:
        value = None if axis is None else number(axis) if axis >= 0 else Neg(number(-axis), NOSPAN)  # as parsed
        kws = () if value is None else (Keyword("axis", value, NOSPAN),)
        return Call(func, tuple(args), kws, False, NOSPAN, NOSPAN)

    def prime(self, func: str, arg: Expr) -> Call:
        return Call(func, (arg,), (), True, NOSPAN, NOSPAN)

    def ones(self, shape: Shape) -> Expr:
        return self.filled("ones", shape)

    def filled(self, func: str, shape: Shape) -> Expr:
        """``ones(r, c)`` or ``zeros(r, c)`` of ``shape`` (every size of a tensor: ``ones(b, r, c)``)."""
        return self.call(func, *(self.size(d) for d in shape.dims))

    def eye(self, size: Size) -> Expr:
        return self.call("eye", self.size(size))

    def spread(self, g: Expr, shape: Shape) -> Expr:
        """``g`` (scalar, or of a shape that broadcasts) over ``shape``."""
        s = self.shape(g)
        if (s is not None and s.dims == shape.dims) or shape.is_scalar:
            return g
        return self.mul(g, self.ones(shape))

    # --------------------------------------------------------- operators
    def neg(self, a: Expr) -> Expr:
        if isinstance(a, Neg):
            return a.operand
        if isinstance(a, Number):
            return number(-a.value)
        return Neg(a, NOSPAN)

    def T(self, a: Expr) -> Expr:
        s = self.shape(a)
        if isinstance(a, Transpose):
            return a.operand
        if isinstance(a, Number) or (s is not None and s.is_scalar):
            return a
        return Transpose(a, NOSPAN)

    def _bin(self, op: Op, a: Expr, b: Expr) -> Expr:
        return BinOp(op, a, b, NOSPAN, NOSPAN)

    def add(self, a: Expr | None, b: Expr | None) -> Expr | None:
        if a is None:
            return b
        if b is None:
            return a
        if isinstance(b, Neg):
            return self.sub(a, b.operand)
        return self._bin(Op.ADD, a, b)

    def sub(self, a: Expr, b: Expr) -> Expr:
        if isinstance(b, Neg):
            return self._bin(Op.ADD, a, b.operand)
        return self._bin(Op.SUB, a, b)

    def mul(self, a: Expr, b: Expr) -> Expr:
        if is_number(a, 1):
            return b
        if is_number(b, 1):
            return a
        if isinstance(a, Number) and isinstance(b, Number):
            return number(a.value * b.value)
        if isinstance(a, Neg):
            return self.neg(self.mul(a.operand, b))
        if isinstance(b, Neg):
            return self.neg(self.mul(a, b.operand))
        if is_number(a, -1):
            return self.neg(b)
        if is_number(b, -1):
            return self.neg(a)
        return self._bin(Op.MUL, a, b)

    def div(self, a: Expr, b: Expr) -> Expr:
        if is_number(b, 1):
            return a
        if isinstance(a, Neg):
            return self.neg(self.div(a.operand, b))
        return self._bin(Op.DIV, a, b)

    def matmul(self, a: Expr, b: Expr) -> Expr:
        """``a @ b``; a scalar (or ``1 x 1``-free) side makes it ``*``."""
        sa, sb = self.shape(a), self.shape(b)
        if (sa is not None and sa.is_scalar) or (sb is not None and sb.is_scalar):
            return self.mul(a, b)
        if isinstance(a, Neg):
            return self.neg(self.matmul(a.operand, b))
        if isinstance(b, Neg):
            return self.neg(self.matmul(a, b.operand))
        return self._bin(Op.MATMUL, a, b)

    def power(self, a: Expr, k: Expr) -> Expr:
        if is_number(k, 1):
            return a
        return self._bin(Op.POW, a, k)

    # ------------------------------------------------------------ shapes
    def column(self, v: Expr) -> Expr:
        """A vector as a column (``v`` or ``v.T``)."""
        s = self.shape(v)
        return self.T(v) if s is not None and s.is_row else v

    def like(self, col: Expr, of: Expr) -> Expr:
        """The column ``col`` in the orientation of the vector ``of``."""
        s = self.shape(of)
        return self.T(col) if s is not None and s.is_row else col


Rule = Callable[..., tuple]


# -------------------------------------------------------------- the rules

def _group_axis(alg: Algebra, x: Expr, axis: int | None) -> int:
    """The axis softmax normalises along: a column vector's 0, else the last."""
    s = alg.shape(x)
    if axis is not None:
        return axis % 2 if axis < 0 and s is not None and s.rank == 2 else axis
    if s is not None and s.is_tensor:
        return -1
    return 0 if s is not None and s.is_col else 1


def softmax_rule(alg: Algebra, g, out, args, axis):
    # g J = p * (g - sum(g * p)) per group, J = diag(p) - p p^T
    inner = alg.call("sum", alg.mul(g, out), axis=_group_axis(alg, args[0], axis))
    return (alg.mul(out, alg.sub(g, inner)),)


def logsumexp_rule(alg: Algebra, g, out, args, axis):
    # d logsumexp(x) = softmax(x) . dx
    kw = {} if axis is None else {"axis": axis}
    return (alg.mul(g, alg.call("softmax", args[0], **kw)),)


def sum_rule(alg: Algebra, g, out, args, axis):
    # d sum(X) = sum(dX): the adjoint spread over X
    shape = alg.shape(args[0])
    return (None if shape is None else alg.spread(g, shape),)


def mean_rule(alg: Algebra, g, out, args, axis):
    # mean(X) = sum(X) / N, N the entries averaged
    shape = alg.shape(args[0])
    if shape is None:
        return (None,)
    n = alg.count(shape) if axis is None else alg.size(shape.dims[axis])
    return (alg.spread(alg.div(g, n), shape),)


def xent_rule(alg: Algebra, g, out, args, axis):
    # xent(y, p) = -sum(y * log(p))
    y, p = args
    return (alg.neg(alg.mul(g, alg.call("log", p))), alg.neg(alg.div(alg.mul(g, y), p)))


def mse_rule(alg: Algebra, g, out, args, axis):
    # mse(y, p) = mean((y - p) ** 2): 2 (p - y) / N
    y, p = args
    shape = alg.shape(p)
    if shape is None:
        return (None, None)
    scale = alg.div(alg.mul(number(2), g), alg.count(shape))
    return (alg.mul(scale, alg.sub(y, p)), alg.mul(scale, alg.sub(p, y)))


def trace_rule(alg: Algebra, g, out, args, axis):
    # d trace(M) = trace(I dM)
    shape = alg.shape(args[0])
    if shape is None or shape.is_scalar:
        return (g,)
    return (alg.mul(g, alg.eye(shape.rows)),)


def diag_rule(alg: Algebra, g, out, args, axis):
    # diag(v) -> n x n: the diagonal of g; diag(M) -> n x 1: g on the diagonal
    shape = alg.shape(args[0])
    if shape is None or shape.is_scalar:
        return (None,)
    if shape.is_vector:
        return (alg.like(alg.call("diag", g), args[0]),)
    return (alg.call("diag", g),)


def inv_rule(alg: Algebra, g, out, args, axis):
    # d inv(M) = -inv(M) dM inv(M)
    return (alg.neg(alg.matmul(alg.matmul(alg.T(out), g), alg.T(out))),)


def det_rule(alg: Algebra, g, out, args, axis):
    # d det(M) = det(M) trace(inv(M) dM)
    return (alg.mul(alg.mul(g, out), alg.T(alg.call("inv", args[0]))),)


def logdet_rule(alg: Algebra, g, out, args, axis):
    # d logdet(M) = trace(inv(M) dM)
    return (alg.mul(g, alg.T(alg.call("inv", args[0]))),)


def outer_rule(alg: Algebra, g, out, args, axis):
    # outer(u, v) = u_col @ v_row
    u, v = args
    return (alg.like(alg.matmul(g, alg.column(v)), u),
            alg.like(alg.matmul(alg.T(g), alg.column(u)), v))


def norm_rule(alg: Algebra, g, out, args, axis):
    # d ||x|| = x . dx / ||x||
    return (alg.div(alg.mul(g, args[0]), out),)


def of_output(f: Callable[[Algebra, Expr, Expr], Expr]) -> Rule:
    """An elementwise rule ``g * f'`` with ``f'`` written from ``(x, out)``."""
    def rule(alg: Algebra, g, out, args, axis):
        return (alg.mul(g, f(alg, args[0], out)),)
    return rule


exp_rule = of_output(lambda alg, x, out: out)                                   # exp' = exp


def log_rule(alg: Algebra, g, out, args, axis):
    # log' = 1 / x
    return (alg.div(g, args[0]),)


def sqrt_rule(alg: Algebra, g, out, args, axis):
    # sqrt' = 1 / (2 sqrt(x))
    return (alg.div(g, alg.mul(number(2), out)),)

__all__ = ["NOSPAN", "SCALAR", "Algebra", "number"]


# ------------------------------------------------------ choosing functions
# Away from ties and bounds (kinks, where verification redraws), the
# derivative of a choice is ``g`` where an argument is chosen, else 0.

def _compare(alg: Algebra, op: Op, a: Expr, b: Expr) -> Expr:
    return BinOp(op, a, b, NOSPAN, NOSPAN)


def chosen_rule(larger: bool) -> Rule:
    """maximum(a, b) (``larger``) or minimum(a, b): ``g * (a > b)`` and ``g * (a < b)``."""
    first, second = (Op.GT, Op.LT) if larger else (Op.LT, Op.GT)

    def rule(alg: Algebra, g, out, args, axis):
        a, b = args
        return (alg.mul(g, _compare(alg, first, a, b)), alg.mul(g, _compare(alg, second, a, b)))
    return rule


def clip_rule(alg: Algebra, g, out, args, axis):
    # clip(x, lo, hi): x where lo < x < hi, lo below, hi above
    x, lo, hi = args
    inside = alg.mul(_compare(alg, Op.GT, x, lo), _compare(alg, Op.LT, x, hi))
    return (alg.mul(g, inside), alg.mul(g, _compare(alg, Op.LT, x, lo)), alg.mul(g, _compare(alg, Op.GT, x, hi)))


def where_rule(alg: Algebra, g, out, args, axis):
    # where(c, a, b): a where c, else b; the condition is a step (no derivative)
    c = args[0]
    return (None, alg.call("where", c, g, number(0)), alg.call("where", c, number(0), g))


def extreme_rule(larger: bool) -> Rule:
    """max(X) (``larger``) or min(X): ``g`` at the entries equal to the result."""
    op = Op.GE if larger else Op.LE

    def rule(alg: Algebra, g, out, args, axis):
        return (alg.mul(g, _compare(alg, op, args[0], out)),)
    return rule


# the elementwise functions whose derivative reads better as another function
sin_rule = of_output(lambda alg, x, out: alg.call("cos", x))                     # sin' = cos
cos_rule = of_output(lambda alg, x, out: alg.neg(alg.call("sin", x)))            # cos' = -sin
abs_rule = of_output(lambda alg, x, out: alg.call("sign", x))                    # abs' = sign (away from 0)


def log1p_rule(alg: Algebra, g, out, args, axis):
    # log1p' = 1 / (1 + x)
    return (alg.div(g, BinOp(Op.ADD, number(1), args[0], NOSPAN, NOSPAN)),)


def flat_rule(alg: Algebra, g, out, args, axis):
    # a step (sign): 0 away from its jumps
    return (None,)
