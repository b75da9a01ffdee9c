"""Shapes of the expressions a derivation builds, and span-free copies of
the program's own expressions.

Every node a derivation makes carries :data:`NOSPAN`; the program's
definitions are copied with their spans replaced (:func:`strip`), so two
expressions are equal exactly when they are written alike, and a
definition's right side can be found inside a derived one (the file's own
names stand for it).  :class:`Shaper` gives the shape of any such
expression from the checked environment and the rows of ``dsl.builtins``.
"""
from __future__ import annotations

from dataclasses import replace

from dsl.builtins import FUNCTIONS
from dsl.builtins.symbolic import NOSPAN
from dsl.core.ast import BinOp, Call, Deriv, Expr, Keyword, Name, Neg, Number, Op, Transpose
from dsl.core.dims import SCALAR, Shape, Sym, broadcast_dims


def strip(e: Expr) -> Expr:
    """``e`` with every span replaced by :data:`NOSPAN` (index notation is kept as written)."""
    match e:
        case Name() | Number():
            return replace(e, span=NOSPAN)
        case BinOp(left=a, right=b):
            return replace(e, left=strip(a), right=strip(b), span=NOSPAN, op_span=NOSPAN)
        case Neg(operand=a) | Transpose(operand=a):
            return replace(e, operand=strip(a), span=NOSPAN)
        case Call(args=args, keywords=kws):
            return replace(e, args=tuple(strip(a) for a in args), span=NOSPAN, func_span=NOSPAN,
                           keywords=tuple(Keyword(k.name, strip(k.value), NOSPAN) for k in kws))
        case Deriv(num=num, den=den):
            return replace(e, num=Name(num.id, NOSPAN), den=Name(den.id, NOSPAN), span=NOSPAN)
    return e


def axis_of(call: Call) -> int | None:
    """The ``axis=`` of a call as an integer (None when absent or not a literal)."""
    for kw in call.keywords:
        if kw.name == "axis":
            v = kw.value
            if isinstance(v, Number):
                return int(v.value)
            if isinstance(v, Neg) and isinstance(v.operand, Number):
                return -int(v.operand.value)
    return None


class Shaper:
    """``shape(e)`` for span-free expressions over a checked program."""

    def __init__(self, env):
        self.env = env
        self._memo: dict[Expr, Shape | None] = {}

    def __call__(self, e: Expr) -> Shape | None:
        found = self._memo.get(e, False)
        if found is False:
            found = self._memo[e] = self._shape(e)
        return found  # type: ignore[return-value]

    def name(self, name: str) -> Shape | None:
        info = self.env.names.get(name)
        if info is not None:
            return info.shape
        return SCALAR if name in self.env.dims else None

    def _shape(self, e: Expr) -> Shape | None:
        match e:
            case Name(id=name):
                return self.name(name)
            case Number():
                return SCALAR
            case Neg(operand=a):
                return self(a)
            case Transpose(operand=a):
                s = self(a)
                return None if s is None else (s if s.is_scalar else s.T)
            case BinOp(op=op, left=a, right=b):
                return self._binop(op, self(a), self(b))
            case Call():
                return self._call(e)
            case Deriv(num=num, den=den):
                y, x = self.name(num.id), self.name(den.id)
                return x if y is not None and y.is_one_by_one else None
        return None

    def _binop(self, op: Op, a: Shape | None, b: Shape | None) -> Shape | None:
        if a is None or b is None:
            return None
        if op is Op.POW:
            return a
        if op is Op.MATMUL:
            if a.is_scalar or b.is_scalar:
                return b if a.is_scalar else a
            if a.cols != b.rows:
                return None
            batch = broadcast_dims(a.dims[:-2], b.dims[:-2])    # NumPy batches over the leading axes
            return None if batch is None else Shape((*batch, a.rows, b.cols))
        dims = broadcast_dims(a.dims, b.dims)
        return None if dims is None else Shape(dims)

    def _call(self, e: Call) -> Shape | None:
        row = FUNCTIONS.get(e.func)
        if row is None:
            return None
        if row.sizes:
            sizes: list[int | Sym] = []
            for a in e.args:
                if isinstance(a, Number) and a.value.is_integer():
                    sizes.append(int(a.value))
                elif isinstance(a, Name) and a.id in self.env.dims:
                    sizes.append(Sym(a.id))
                else:
                    return None
            found = row.shape(sizes, None)
        else:
            shapes = [self(a) for a in e.args]
            if None in shapes:
                return None
            found = row.shape(shapes, axis_of(e))
        return found if isinstance(found, Shape) else None
