"""The shape algebra of operators and built-in functions, on shapes alone.

:func:`binop` says what ``left <op> right`` gives and which diagnostic code,
if any, the combination earns.  It knows nothing about syntax trees, so the
checker uses it for the expression as written and the hint search uses it to
try each candidate fix (``*`` for ``@``, a transpose, swapped operands).

The rules, NumPy's with chainrule's warnings on top:

- ``@``: both sides matrices (NumPy refuses 0-d operands) with equal inner
  sizes: ``r x k @ k x c -> r x c``; a scalar side is E305, unequal inner
  sizes E300.
- ``+ - * /``: NumPy broadcasting, where a size broadcasts only if it is the
  literal ``1`` (a symbol never matches another symbol or an integer).  A
  scalar or ``1 x 1`` side is always fine, and so is a row vector repeated
  over the rows of a matrix or a column over its columns in ``+``/``-`` (a
  bias over a batch, in row or column form).  The same stretch in ``*``/``/``
  is W303 (it is ``M @ diag(v)`` in disguise); a result shape that neither
  operand has (``n x 1`` against ``1 x n``) is W304 in every operator; sizes
  that cannot broadcast are E301.
- ``**``: the exponent is a scalar (or ``1 x 1``), else E302.

:data:`RULES` gives each built-in function's result shape from its
arguments' shapes (or, for ``eye``/``ones``/``zeros``, from sizes), or a
:class:`Problem` naming the culprit argument.

Example::

    >>> binop(Op.MATMUL, Shape((1, 3)), Shape((5, 3))).code   # 1 x 3 @ 5 x 3
    'E300'
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dsl.core.ast import Op
from dsl.core.dims import SCALAR, Shape
from dsl.core.functions import FUNCTIONS


@dataclass(frozen=True)
class Outcome:
    """What an operator gives: the result shape (``None`` after an error),
    the diagnostic code it earns (``None`` when clean) and, for W303, which
    side is the stretched vector and whether it is a column."""

    shape: Shape | None
    code: str | None = None
    vec_side: str = ""       # "left" | "right" for W303
    column: bool = False     # W303: a column stretched over columns

    @property
    def clean(self) -> bool:
        return self.code is None

    @property
    def is_error(self) -> bool:
        return self.code is not None and self.code.startswith("E")


def broadcast(left: Shape, right: Shape) -> Shape | None:
    """NumPy's broadcast of two shapes, or ``None`` when they do not broadcast."""
    if left.is_scalar:
        return right
    if right.is_scalar:
        return left
    out = []
    for a, b in zip(left.dims, right.dims):
        if a == b or b == 1:
            out.append(a)
        elif a == 1:
            out.append(b)
        else:
            return None
    return Shape(tuple(out))


def matmul(left: Shape, right: Shape) -> Outcome:
    if left.is_scalar or right.is_scalar:
        return Outcome(None, "E305")
    if left.cols != right.rows:
        return Outcome(None, "E300")
    return Outcome(Shape((left.rows, right.cols)))


def elementwise(op: Op, left: Shape, right: Shape) -> Outcome:
    result = broadcast(left, right)
    if result is None:
        return Outcome(None, "E301")
    if left == right or left.is_one_by_one or right.is_one_by_one:
        return Outcome(result)
    if result != left and result != right:
        return Outcome(result, "W304")
    # One side is the result; the other is a vector stretched along it.
    vec_side, vec = ("right", right) if result == left else ("left", left)
    if op in (Op.ADD, Op.SUB):
        return Outcome(result)
    return Outcome(result, "W303", vec_side, vec.is_col)


def power(base: Shape, exponent: Shape) -> Outcome:
    if not exponent.is_one_by_one:
        return Outcome(None, "E302")
    return Outcome(broadcast(base, exponent))


def binop(op: Op, left: Shape, right: Shape) -> Outcome:
    """The outcome of ``left <op> right`` for known shapes."""
    match op:
        case Op.MATMUL:
            return matmul(left, right)
        case Op.POW:
            return power(left, right)
        case _:
            return elementwise(op, left, right)


# ---------------------------------------------------------------- functions

@dataclass(frozen=True)
class Problem:
    """Why a function refuses its arguments: completes "{name}() {what}"."""

    arg: int     # index of the culprit argument
    what: str


def _got(s: Shape) -> str:
    return "a scalar" if s.is_scalar else f"{s}, a scalar" if s.is_one_by_one else str(s)


def _keep(a, axis):
    return a[0]


def _softmax(a, axis):
    if a[0].is_one_by_one:
        return Problem(0, f"needs a vector or a matrix, got {_got(a[0])}")
    return a[0]


def _logsumexp(a, axis):
    s = _softmax(a, axis)
    if isinstance(s, Problem) or s.is_vector:
        return s if isinstance(s, Problem) else SCALAR
    return Shape((s.rows, 1))


def _reduce(a, axis):
    s = a[0]
    if axis is None:
        return SCALAR
    if s.is_scalar:
        return Problem(0, f"with axis={axis} needs a matrix, got a scalar")
    return Shape((1, s.cols)) if axis == 0 else Shape((s.rows, 1))


def _loss(a, axis):
    if a[0] != a[1]:
        return Problem(1, f"needs both arguments of one shape, got {a[0]} and {a[1]}")
    return SCALAR


def _diag(a, axis):
    s = a[0]
    if s.is_vector:
        return Shape((s.length(), s.length()))
    if s.is_square:
        return Shape((s.rows, 1))
    return Problem(0, f"needs a vector or a square matrix, got {_got(s)}")


def _square(result):
    def rule(a, axis):
        if not a[0].is_square:
            return Problem(0, f"needs a square matrix, got {_got(a[0])}")
        return result(a[0])
    return rule


def _outer(a, axis):
    for i, s in enumerate(a):
        if not s.is_vector:
            return Problem(i, f"needs two vectors, got {_got(s)}")
    return Shape((a[0].length(), a[1].length()))


def call_problem(sig, nargs: int, keywords: list[str]) -> tuple[str, int, str, str | None] | None:
    """Arity and keyword names against a ``functions.Signature``: None when
    fine, else ``(where, index, what, hint)`` with ``where`` one of "call"
    (too few arguments), "args" (the extra arguments from ``index`` on),
    "keyword" (the keyword at ``index``)."""
    low, high = sig.arity
    if not low <= nargs <= high:
        want = f"{low}" if low == high else f"{low} to {high}"
        what = f"takes {want} argument{'' if want == '1' else 's'}, but got {nargs}"
        return ("call", 0, what, None) if nargs < low else ("args", high, what, None)
    for i, kw in enumerate(keywords):
        if kw in keywords[:i]:
            return "keyword", i, f"got the keyword '{kw}' twice", None
        if kw not in sig.keywords:
            hint = f"it takes {', '.join(sig.keywords)}" if sig.keywords else None
            return "keyword", i, f"takes no keyword '{kw}'", hint
    return None


_ELEMENTWISE = tuple(name for name, sig in FUNCTIONS.items() if sig.elementwise)

# name -> rule(argument shapes, axis) -> Shape | Problem; for eye/ones/zeros the
# "shapes" are the sizes given.
RULES: dict[str, Callable] = {
    **{name: _keep for name in _ELEMENTWISE},
    "softmax": _softmax, "logsumexp": _logsumexp,
    "sum": _reduce, "mean": _reduce,
    "xent": _loss, "mse": _loss,
    "diag": _diag,
    "trace": _square(lambda s: SCALAR), "det": _square(lambda s: SCALAR), "inv": _square(lambda s: s),
    "outer": _outer,
    "eye": lambda sizes, axis: Shape((sizes[0], sizes[0])),
    "ones": lambda sizes, axis: Shape((sizes[0], sizes[1])),
    "zeros": lambda sizes, axis: Shape((sizes[0], sizes[1])),
}
