"""Per-example superscripts as the rows of a data matrix (``x^{(i)}``, ``x^{(i)}_j``).

Contract: course notes in the CS229/UFLDL style write the i-th training
example as ``x^{(i)}`` (a vector of n features), its j-th feature as
``x_j^{(i)}`` or ``x^{(i)}_j`` and the i-th label as ``y^{(i)}``.  The
examples are the rows of a data matrix ``X`` (m x n), named by the upper
case of the example's letter.  :func:`feature` gives the entry ``X[i, j]``
a feature is; :func:`example_rows` rewrites, in the body of a sum over
``i``, the product of a whole vector with the i-th example
(``\\theta^T x^{(i)}``, ``x^{(i)T} \\theta``, read first as ``theta.T @ x[i]``)
into the i-th entry of the data matrix times that vector,
``(X @ theta)[i]``, which index notation checks.

    >>> data_matrix("x"), data_matrix("y"), data_matrix("xy")
    ('X', 'Y', None)
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from dsl.core.ast import BinOp, Index, Name, Op, Transpose


def data_matrix(stem: str) -> str | None:
    """The data matrix whose rows are the examples written ``stem^{(i)}``: its upper case."""
    return stem.upper() if len(stem) == 1 and "a" <= stem <= "z" else None


def feature(stem: str, example: str, letter: str) -> tuple[str, tuple[str, str]] | None:
    """``x_j^{(i)}``: the data matrix and its two indices (example, feature), or None."""
    matrix = data_matrix(stem)
    if matrix is None or example == letter:
        return None
    return matrix, (example, letter)


def _example(node, letters: frozenset, text: str) -> Index | None:
    """``x[i]`` of an example letter with ``i`` among ``letters``, written as a
    superscript in parentheses (``x^{(i)}``; ``x_i`` and ``u_w`` are other habits)."""
    if (isinstance(node, Index) and isinstance(node.base, Name) and len(node.indices) == 1
            and node.indices[0].name in letters and data_matrix(node.base.id)
            and "(" in text[node.indices[0].span.start:node.indices[0].span.end]):
        return node
    return None


def _whole(node) -> Name | None:
    return node if isinstance(node, Name) else None


def _row_product(node: BinOp, letters: frozenset, text: str):
    """``v^T x^{(i)}`` or ``x^{(i)T} v``: ``(X @ v)[i]``; None for any other product."""
    left, right = node.left, node.right
    if not isinstance(left, Transpose):
        return None
    pair = (_whole(left.operand), _example(right, letters, text))      # v^T x^{(i)}
    if None in pair:
        pair = (_whole(right), _example(left.operand, letters, text))  # x^{(i)T} v
    v, x = pair
    if v is None or x is None:
        return None
    base = x.base
    assert isinstance(base, Name)
    matrix = Name(data_matrix(base.id) or base.id, base.span)
    return Index(BinOp(Op.MATMUL, matrix, v, node.span, node.op_span), x.indices, node.span)


def example_rows(node, letters: frozenset, text: str):
    """``node`` (read from ``text``) with every product of a whole vector and an
    example of ``letters`` read as a row product."""
    products = (Op.MATMUL, Op.MUL)         # theta^T x^{(i)} is read as a scaling: an entry is a number
    if isinstance(node, BinOp) and node.op in products and (row := _row_product(node, letters, text)) is not None:
        return row
    if not is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if is_dataclass(value) and not isinstance(value, type):
            new = example_rows(value, letters, text)
        elif isinstance(value, tuple) and any(is_dataclass(v) for v in value):
            new = tuple(example_rows(v, letters, text) for v in value)
        else:
            continue
        if new is not value and new != value:
            changes[f.name] = new
    return replace(node, **changes) if changes else node
