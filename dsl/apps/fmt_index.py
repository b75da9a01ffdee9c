"""Index notation in ``chainrule fmt``: LaTeX and Unicode spellings.

LaTeX: ``W[i, j]`` is ``W_{ij}`` (``W_{i,j}`` when an index has more than
one character; ``{W_{2}}_{ij}`` for a name with a subscript already),
``sum[i, j](...)`` is ``\\sum_{i,j}``, ``delta(i, j)`` is ``\\delta_{ij}``,
a product of entries is a juxtaposition (entries are numbers: no
``\\odot``), ``C[i, j] = ...`` is ``C_{ij} = ...`` and ``dL/dW[i, j]`` is
``\\frac{\\partial L}{\\partial W_{ij}}``.

Unicode stays chainrule source: ``W[i, j]``, ``∑[i](...)`` (the n-ary
summation sign, which the grammar reads as ``sum``), ``δ(i, j)``,
``∂L/∂W[i, j]``, ``dy[i]/dx[j]``.
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.core.ast import BinOp, Delta, Deriv, Expr, Index, IndexForm, IndexSum, IndexVar, Name, Neg, Op, walk

NODES = (Index, IndexSum, Delta, IndexForm)


def subscript(found: tuple[IndexVar, ...]) -> str:
    """``ij``, or ``i,j2`` when an index has more than one character."""
    names = [ix.name for ix in found]
    return ("," if any(len(n) > 1 for n in names) else "").join(names)


def brackets(found: tuple[IndexVar, ...]) -> str:
    return "[" + ", ".join(ix.name for ix in found) + "]"


def has_entries(node: Expr) -> bool:
    """Whether ``node`` holds an entry or a delta (its products are of numbers)."""
    return any(isinstance(n, (Index, Delta)) for n in walk(node))


def entry_product(node: Expr) -> bool:
    """A ``*`` of entries: a product of numbers, printed without ``\\odot``."""
    return isinstance(node, BinOp) and node.op is Op.MUL and (has_entries(node.left) or has_entries(node.right))


def node_text(node: Expr, latex: bool, expr: Callable[[Expr], str], operand: Callable[[Expr, Expr, str], str],
              bracket: Callable[[str], str], name: Callable[[str], str]) -> str:
    """One node of index notation in LaTeX or Unicode."""
    match node:
        case Index(base=base, indices=found):
            if not latex:
                return operand(node, base, "left") + brackets(found)
            head = expr(base) if isinstance(base, Name) else bracket(expr(base))
            if isinstance(base, Name) and "_" in head:
                head = "{" + head + "}"
            return f"{head}_{{{subscript(found)}}}"
        case IndexSum(indices=found, body=body):
            inner = expr(body)
            if not latex:
                return f"∑{brackets(found)}({inner})"
            if isinstance(body, (Neg, BinOp)) and not entry_product(body) and not (
                    isinstance(body, BinOp) and body.op is Op.DIV):
                inner = bracket(inner)
            return rf"\sum_{{{subscript(found)}}} {inner}"
        case Delta(i=i, j=j):
            return rf"\delta_{{{subscript((i, j))}}}" if latex else f"δ({i.name}, {j.name})"
        case IndexForm(body=body):
            return expr(body)
    raise TypeError(f"not an expression: {type(node).__name__}")


def deriv_text(node: Deriv, latex: bool, name: Callable[[str], str]) -> str:
    """``dy[i]/dx[j]`` as ``\\frac{\\partial y_{i}}{\\partial x_{j}}`` or ``∂y[i]/∂x[j]``."""
    parts = []
    for var, found in ((node.num, node.num_indices), (node.den, node.den_indices)):
        text = name(var.id)
        if found and latex:
            text = ("{" + text + "}" if "_" in text else text) + f"_{{{subscript(found)}}}"
        elif found:
            text += brackets(found)
        parts.append(text)
    if latex:
        return rf"\frac{{\partial {parts[0]}}}{{\partial {parts[1]}}}"
    if node.num_indices:      # the grammar reads a Jacobian entry as dy[i]/dx[j] only
        return f"d{parts[0]}/d{parts[1]}"
    return f"∂{parts[0]}/∂{parts[1]}"


def wraps(parent: Expr, child: Expr, side: str) -> bool:
    """LaTeX: a sum left of a product is bracketed (``\\sum_i`` would take the product in)."""
    return (isinstance(child, IndexSum) and isinstance(parent, BinOp) and side == "left"
            and parent.op in (Op.MUL, Op.MATMUL, Op.POW))


def left_side(name: str, found: tuple[IndexVar, ...], latex: bool) -> str:
    """The left side ``C_{ij}`` or ``C[i, j]`` of an index definition (``name`` as printed)."""
    if latex:
        return ("{" + name + "}" if "_" in name else name) + f"_{{{subscript(found)}}}"
    return name + brackets(found)
