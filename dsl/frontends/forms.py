"""What an expression's form alone says, before any shape is known.

The front ends decide how to read a formula (is ``c W`` a scaling or a
matrix product?) and which names an equation needs before any declaration
is checked; these two questions are answered here, on the AST of
``dsl.core.ast``, for expressions read from LaTeX and from ``deriv`` lines
alike.

    >>> from dsl.language.syntax import parse_expr
    >>> scalar_like(parse_expr("2 * xent(y, p)")[0], frozenset()), sorted(names(parse_expr("dL/dx @ W")[0]))
    (True, ['L', 'W', 'x'])
"""
from __future__ import annotations

from dsl.builtins import FUNCTIONS, returns_scalar
from dsl.core.ast import BinOp, Call, Delta, Deriv, Expr, Index, IndexSum, Name, Neg, Number, Op, Transpose, walk


def names(node: Expr) -> frozenset[str]:
    """The names an expression uses (both names of each ``dA/dB``), not its functions."""
    found: set[str] = set()
    for x in walk(node):
        if isinstance(x, Name):
            found.add(x.id)
        elif isinstance(x, Deriv):
            found |= {x.num.id, x.den.id}
    return frozenset(found)


def scalar_like(node: Expr, scalars: frozenset) -> bool:
    """Whether the expression is certainly a scalar, read from its form:
    numbers, the names in ``scalars``, calls of scalar-valued functions, an
    inner product ``u^T v`` of two vector names, and what elementwise
    functions and operators other than ``@`` make of them."""
    stack = [node]
    while stack:
        x = stack.pop()
        match x:
            case Number() | Index() | Delta() | IndexSum():
                continue        # an entry, a delta, a sum of entries: numbers
            case Name(id=name) if name in scalars:
                continue
            case Deriv(num=Name(id=a), den=Name(id=b), num_indices=(), den_indices=()) if (
                    a in scalars and b in scalars):
                continue        # dJ/dL of two scalars: a number
            case Call(func=func, keywords=()) if returns_scalar(func):
                continue
            case Call(func=func, args=args) if args and (sig := FUNCTIONS.get(func)) and sig.elementwise:
                stack += list(args)              # maximum(0, z) is as scalar as all its arguments
            case Neg(operand=o) | Transpose(operand=o):
                stack.append(o)
            case BinOp(op=Op.POW, left=left):
                stack.append(left)
            case BinOp(op=Op.MATMUL, left=Transpose(operand=Name(id=a)), right=Name(id=b)) if (
                    vector_name(a, scalars) and vector_name(b, scalars)):
                continue        # u^T v: the inner product of two vectors
            case BinOp(op=op, left=left, right=right) if op is not Op.MATMUL:
                stack += [left, right]
            case _:
                return False
    return True


def vector_name(name: str, scalars: frozenset) -> bool:
    """A name that by the common convention of the notes is a vector: it
    starts with a lowercase letter (``u``, ``v_c``, ``x1``, ``theta``), and
    is not a known scalar.  Used only for ``u^T v``, which is a scalar when
    both are vectors (columns) and does not fit shapes otherwise (rows)."""
    return name[:1].islower() and name not in scalars
