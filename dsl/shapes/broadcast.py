"""The shape algebra of operators and built-in functions, on shapes alone.

:func:`binop` says what ``left <op> right`` gives and which diagnostic code,
if any, the combination earns.  It knows nothing about syntax trees, so the
checker uses it for the expression as written and the hint search uses it to
try each candidate fix (``*`` for ``@``, a transpose, swapped operands).

The rules, NumPy's with chainrule's warnings on top:

- ``@``: both sides matrices (NumPy refuses 0-d operands) with equal inner
  sizes: ``r x k @ k x c -> r x c``; a scalar side is E305, unequal inner
  sizes E300.  Tensors multiply their last two axes and broadcast the
  leading ones (``b x n x d @ b x d x k -> b x n x k``, ``b x n x d @ d x k``
  too); leading axes that do not broadcast are E220.
- ``+ - * /``: NumPy broadcasting, where a size broadcasts only if it is the
  literal ``1`` (a symbol never matches another symbol or an integer).  A
  scalar or ``1 x 1`` side is always fine, and so is a row vector repeated
  over the rows of a matrix or a column over its columns in ``+``/``-`` (a
  bias over a batch, in row or column form).  The same stretch in ``*``/``/``
  is W303 (it is ``M @ diag(v)`` in disguise; only between a vector and a
  matrix, rank 2); a result shape that neither
  operand has (``n x 1`` against ``1 x n``) is W304 in every operator; sizes
  that cannot broadcast are E301.
- ``**``: the exponent is a scalar (or ``1 x 1``), else E302.
- ``> >= < <=``: broadcast as ``+`` does; the value is 1 where the comparison
  holds and 0 elsewhere (where a comparison may stand: ``compare``).

:data:`RULES` gives each built-in function's result shape from its
arguments' shapes (or, for ``eye``/``ones``/``zeros``, from sizes), or a
:class:`Problem` naming the culprit argument: the ``shape`` field of each
row of ``dsl.builtins``.

Example::

    >>> binop(Op.MATMUL, Shape((1, 3)), Shape((5, 3))).code   # 1 x 3 @ 5 x 3
    'E300'
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.builtins import Column, Problem  # noqa: F401  (Problem: the shape rules' refusal)
from dsl.core.ast import Op
from dsl.core.dims import Shape, broadcast_dims


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
    """NumPy's broadcast of two shapes, or ``None`` when they do not broadcast:
    the sizes are aligned from the last axis, a missing axis counts as 1."""
    if left.is_scalar:
        return right
    if right.is_scalar:
        return left
    dims = broadcast_dims(left.dims, right.dims)
    return None if dims is None else Shape(dims)


def matmul(left: Shape, right: Shape) -> Outcome:
    """NumPy's matmul on the last two axes; the leading (batch) axes of
    tensors broadcast: ``b x n x d @ d x k -> b x n x k`` (E220 when they
    cannot)."""
    if left.is_scalar or right.is_scalar:
        return Outcome(None, "E305")
    if left.cols != right.rows:
        return Outcome(None, "E300")
    batch = broadcast_dims(left.dims[:-2], right.dims[:-2])
    if batch is None:
        return Outcome(None, "E220")
    return Outcome(Shape((*batch, left.rows, right.cols)))


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
    if op in (Op.ADD, Op.SUB) or op.is_comparison or vec.rank != 2 or result.rank != 2:
        # the vector-over-matrix warning is about matrices; tensors broadcast as NumPy does
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

def call_problem(sig, nargs: int, keywords: list[str]) -> tuple[str, int, str, str | None] | None:
    """Arity and keyword names against a built-in's row: None when
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


RULES = Column(lambda row: row.shape)
"""name -> rule(argument shapes, axis) -> Shape | Problem, each row's ``shape``;
for eye/ones/zeros the "shapes" are the sizes given."""
