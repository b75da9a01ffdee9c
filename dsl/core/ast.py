"""The abstract syntax tree: frozen dataclasses, a span on every node.

Passes (shapes, evaluate, autodiff, explain, fmt) are modules of functions
that ``match`` on these types; nothing here knows about Lark.

Expressions::

    Name(id)                      x, W1, yhat      (also a size symbol: n)
    Number(value, text)           2, 0.5, 1e-3
    BinOp(op, left, right)        + - @ * / **, and the comparisons > >= < <=
    Neg(operand)                  -a
    Transpose(operand)            a.T  a^T  aᵀ
    Call(func, args, keywords, prime)   sigma(a), sigma'(a), sum(X, axis=0)
    Deriv(num, den)               dL/dx inside an expression
    Index(base, indices)          W[i, j]          (IndexVar: i, j2, k')
    IndexSum(indices, body)       sum[i](x[i] * y[i])
    Delta(i, j)                   delta(i, j)
    IndexForm(indices, body)      the right side of C[i, j] = ...

Statements::

    Dims(items)                   dims n = 5, k
    Decl(name, shape, attrs)      x : 1 x n onehot, X : b x n x d
    Define(name, expr)            a = x @ W1 + b1   (C[i, j] = ...: indices)
    Claim(deriv, expr)            dL/dx = ...
    Layout(kind)                  layout denominator
"""
from __future__ import annotations

import contextlib
import enum
import gc
from dataclasses import dataclass

from dsl.core.span import Span


class Op(enum.Enum):
    ADD = "+"
    SUB = "-"
    MATMUL = "@"
    MUL = "*"
    DIV = "/"
    POW = "**"
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="

    @property
    def precedence(self) -> int:
        """Binding strength as in Python: comparisons < + - < @ * / < unary - < **."""
        return _PRECEDENCE[self]

    @property
    def is_comparison(self) -> bool:
        """``>``, ``>=``, ``<``, ``<=``: 0/1 values, not associative."""
        return self in _COMPARISONS


_PRECEDENCE = {Op.ADD: 1, Op.SUB: 1, Op.MATMUL: 2, Op.MUL: 2, Op.DIV: 2, Op.POW: 4,
               Op.GT: 0, Op.GE: 0, Op.LT: 0, Op.LE: 0}
_COMPARISONS = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})
NEG_PRECEDENCE = 3


# ---------------------------------------------------------------- expressions

@dataclass(frozen=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True)
class Number:
    value: float
    text: str
    span: Span


@dataclass(frozen=True)
class BinOp:
    op: Op
    left: Expr
    right: Expr
    span: Span
    op_span: Span  # the operator token itself, for carets


@dataclass(frozen=True)
class Neg:
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Transpose:
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Keyword:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class Call:
    func: str            # canonical name: "sigma" for sigma/sigmoid/σ
    args: tuple[Expr, ...]
    keywords: tuple[Keyword, ...]
    prime: bool          # f'(x): the elementwise derivative of f
    span: Span
    func_span: Span      # the function name (with its prime)


@dataclass(frozen=True)
class IndexVar:
    """An index as written: ``i``, ``j2``, ``k'`` (not a name of the program)."""

    name: str
    span: Span


@dataclass(frozen=True)
class Deriv:
    num: Name            # dL/dx: num = L, den = x
    den: Name
    span: Span
    num_indices: tuple[IndexVar, ...] = ()   # dy[i]/dx[j]: (i,) and (j,)
    den_indices: tuple[IndexVar, ...] = ()

    @property
    def text(self) -> str:
        """``dL/dx``: how messages name the derivative (``dy[i]/dx[j]`` in index form)."""
        if self.num_indices or self.den_indices:
            num, den = (f"[{', '.join(ix.name for ix in found)}]" if found else ""
                        for found in (self.num_indices, self.den_indices))
            return f"d{self.num.id}{num}/d{self.den.id}{den}"
        return deriv_text(self.num.id, self.den.id)


def deriv_text(num: str, den: str) -> str:
    """The derivative of ``num`` by ``den`` as messages write it: ``dL/dx``."""
    return f"d{num}/d{den}"


@dataclass(frozen=True)
class Index:
    """``W[i, j]``: one entry of ``base`` (postfix on an operand)."""

    base: Expr
    indices: tuple[IndexVar, ...]
    span: Span


@dataclass(frozen=True)
class IndexSum:
    """``sum[i, j](body)``: the sum of ``body`` over the indices it binds."""

    indices: tuple[IndexVar, ...]
    body: Expr
    span: Span


@dataclass(frozen=True)
class Delta:
    """``delta(i, j)``: the Kronecker delta, 1 where the indices are equal."""

    i: IndexVar
    j: IndexVar
    span: Span


@dataclass(frozen=True)
class IndexForm:
    """The array whose entry at ``indices`` is ``body``: the right side of
    ``C[i, j] = body`` (``column``: one index gives ``n x 1``, not ``1 x n``)."""

    indices: tuple[IndexVar, ...]
    body: Expr
    span: Span
    column: bool = False


Expr = Name | Number | BinOp | Neg | Transpose | Call | Deriv | Index | IndexSum | Delta | IndexForm


# ----------------------------------------------------------------- statements

@dataclass(frozen=True)
class DimItem:
    name: str
    value: int | None
    span: Span


@dataclass(frozen=True)
class Dims:
    items: tuple[DimItem, ...]
    span: Span


@dataclass(frozen=True)
class SizeRef:
    """A size as written in a declaration: an integer or a symbol name."""

    value: int | str
    span: Span


@dataclass(frozen=True)
class ShapeSpec:
    """``r x c`` or ``b x n x d`` as written (every size, in order), or
    ``scalar`` (no sizes)."""

    sizes: tuple[SizeRef, ...]
    span: Span

    @property
    def rows(self) -> SizeRef | None:
        """The second-to-last size (a matrix's rows); None for ``scalar``."""
        return self.sizes[-2] if len(self.sizes) > 1 else None

    @property
    def cols(self) -> SizeRef | None:
        """The last size (a matrix's columns); None for ``scalar``."""
        return self.sizes[-1] if len(self.sizes) > 1 else None


@dataclass(frozen=True)
class Attr:
    name: str
    span: Span


@dataclass(frozen=True)
class Decl:
    name: str
    shape: ShapeSpec
    attrs: tuple[Attr, ...]
    span: Span
    name_span: Span


@dataclass(frozen=True)
class Define:
    name: str
    expr: Expr           # for C[i, j] = body: IndexForm((i, j), body)
    span: Span
    name_span: Span
    indices: tuple[IndexVar, ...] = ()   # the left side's free indices


@dataclass(frozen=True)
class Claim:
    deriv: Deriv
    expr: Expr
    span: Span


@dataclass(frozen=True)
class Layout:
    kind: str            # "numerator" | "denominator"
    span: Span


Stmt = Dims | Decl | Define | Claim | Layout


@dataclass(frozen=True)
class Program:
    """A parsed derivation. Statements that failed to parse are absent; their
    syntax diagnostics travel beside the program (see ``syntax.parse``)."""

    statements: tuple[Stmt, ...]
    source_name: str


def children(node: Expr) -> tuple[Expr, ...]:
    """The operands of a node in evaluation order (keyword values last)."""
    match node:
        case BinOp(left=l, right=r):
            return (l, r)
        case Neg(operand=o) | Transpose(operand=o):
            return (o,)
        case Call(args=args, keywords=kws):
            return (*args, *(k.value for k in kws))
        case Index(base=b):
            return (b,)
        case IndexSum(body=b) | IndexForm(body=b):
            return (b,)
        case _:
            return ()


def walk(expr: Expr):
    """Yield ``expr`` and every sub-expression, parents first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cycle collector while a large tree is built or checked.

    AST nodes form no reference cycles, so nothing is lost; a collection
    pass walking a 20,000-statement tree as it grows costs a fifth of the
    parse time and half of the shape check's."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
