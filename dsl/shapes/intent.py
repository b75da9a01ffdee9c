"""Reductions broadcast back over what they reduced: intent, not a slip.

``X - mean(X, axis=0)``, ``A / sum(A, axis=1)`` and batch norm's
``(X - mu) / sqrt(var + eps)`` (``mu``, ``var`` reductions of ``X`` along
axis 0) stretch a vector over a matrix as ``W2.T * h`` does, but on purpose:
the vector was made from that matrix along the axis it is stretched over.
The checker asks :func:`reduction_meets` before it warns (W303).

Two facts are tracked, by the checker, for expressions and (through
:func:`remember`) for defined names:

- the *reductions* of a value: pairs ``(key, axis)`` saying that it is (an
  elementwise function of) the reduction along ``axis`` of the value named
  ``key``, a name or the source text of an expression.  A call of a function
  that takes ``axis=`` and whose result is its argument's shape with some
  axes of size 1 reduces along those axes; elementwise operators and
  functions keep the facts (scalars beside them do not count; two non-scalar
  operands keep the facts they share).
- the *roots* of a value: the keys of the values it is an elementwise
  function of at its own shape (itself, and through ``+ - * / **``, ``-``
  and elementwise functions the operands of the same shape); for names the
  roots of their definitions, followed transitively.

A reduction meets its value when, for every axis it is stretched along, it
is a reduction along that axis of a value sharing a root with the other
operand.

>>> from dsl.language.syntax import parse_text
>>> from dsl.shapes.checker import check_program
>>> src = "dims n, k\\nX : n x k\\nmu = mean(X, axis=0)\\nZ = (X - mu) / sqrt(mean((X - mu) ** 2, axis=0))"
>>> [d.code for d in check_program(parse_text(src)[0])[1]]
[]
"""
from __future__ import annotations

from dsl.builtins import lookup
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Op
from dsl.core.dims import Shape
from dsl.language.printer import to_source

Fact = tuple[str, int]
_NONE: frozenset = frozenset()
_ELEMENTWISE = (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW)


def _elementwise_call(expr: Expr) -> bool:
    if not isinstance(expr, Call):
        return False
    row = lookup(expr.func)
    return row is not None and row.elementwise and len(expr.args) == 1


def _key(expr: Expr) -> str:
    return expr.id if isinstance(expr, Name) else to_source(expr)


def _reduced_axes(arg: Shape | None, out: Shape | None) -> tuple[int, ...]:
    """The axes along which ``out`` is ``arg`` reduced (kept with size 1)."""
    if arg is None or out is None or arg.rank != out.rank:
        return ()
    axes = []
    for i, (a, o) in enumerate(zip(arg.dims, out.dims, strict=True)):
        if o == 1 and a != 1:
            axes.append(i)
        elif o != a:
            return ()
    return tuple(axes)


def reductions(env, expr: Expr) -> frozenset[Fact]:
    """The ``(key, axis)`` pairs of which ``expr`` is a reduction."""
    match expr:
        case Name(id=name):
            return env.reductions.get(name, _NONE)
        case Neg(operand=o):
            return reductions(env, o)
        case Call(args=(arg,)) if _elementwise_call(expr) and not expr.keywords:
            return reductions(env, arg)
        case Call(func=func, args=(arg, *_)):
            row = lookup(func)
            if row is None or "axis" not in row.keywords:
                return _NONE
            axes = _reduced_axes(env.shape_of(arg), env.shape_of(expr))
            return frozenset((k, a) for k in roots(env, arg) for a in axes)
        case BinOp(op=op, left=left, right=right) if op in _ELEMENTWISE:
            sides = [s for s in (left, right) if not _scalar_like(env.shape_of(s))]
            if not sides:
                return _NONE
            found = reductions(env, sides[0])
            for side in sides[1:]:
                found = found & reductions(env, side)
            return found
    return _NONE


def _scalar_like(shape: Shape | None) -> bool:
    return shape is not None and shape.is_one_by_one


def roots(env, expr: Expr, texts: bool = True) -> frozenset[str]:
    """Keys of the values ``expr`` is an elementwise function of, at its own
    shape, itself included (``texts=False``: names only)."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name) or texts:
            found.add(_key(node))
        shape = env.shape_of(node)
        match node:
            case Neg(operand=o):
                stack.append(o)
            case Call(args=(arg,)) if _elementwise_call(node):
                stack.append(arg)
            case BinOp(op=op, left=left, right=right) if op in _ELEMENTWISE:
                stack.extend(s for s in (left, right) if env.shape_of(s) == shape)
    return frozenset(found)


def _lineage(env, keys) -> set[str]:
    """``keys`` and, for the names among them, the roots of their definitions, transitively."""
    seen, stack = set(keys), list(keys)
    while stack:
        for parent in env.parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def remember(env, name: str, expr: Expr) -> None:
    """Record the reductions and roots of a defined name."""
    found = reductions(env, expr)
    if found:
        env.reductions[name] = found
    parents = roots(env, expr, texts=False) - {name}
    if parents:
        env.parents[name] = parents


def reduction_meets(env, vec: Expr, other: Expr, stretched: tuple[int, ...]) -> bool:
    """Whether ``vec``, stretched along ``stretched`` over ``other``, is a
    reduction along those axes of a value sharing a root with ``other``."""
    facts = reductions(env, vec)
    if not facts or not stretched:
        return False
    near = _lineage(env, roots(env, other))
    return all(any(a == axis and not near.isdisjoint(_lineage(env, (k,))) for k, a in facts)
               for axis in stretched)


def intended(env, node: BinOp, out) -> bool:
    """Whether the W303 of ``node`` (its ``broadcast.Outcome``) is a reduction
    stretched back over the value it reduced: then there is no warning."""
    vec, other = (node.right, node.left) if out.vec_side == "right" else (node.left, node.right)
    vshape = env.shape_of(vec)
    if vshape is None or out.shape is None or vshape.rank != out.shape.rank:
        return False
    stretched = tuple(i for i, (v, r) in enumerate(zip(vshape.dims, out.shape.dims, strict=True))
                      if v == 1 and r != 1)
    return reduction_meets(env, vec, other, stretched)
