"""A translated formula with some of its names renamed (a name in a later scope).

Contract: :func:`renamed` returns the :class:`~dsl.frontends.latex_math.Translation`
of the same formula with the names of ``table`` replaced, in its AST and so in
its text and piece map; spans are kept, so positions still land on the LaTeX.
The same pass reads ``\\max(0, z)``, the larger of two values, as
``maximum(0, z)`` (``max`` of one value is the reduction).

    >>> from dsl.frontends.latex_math import translate
    >>> renamed(translate(r"\\frac{\\partial L}{\\partial W} W^T"), {"W": "W_2"}).text
    'dL/dW_2 @ W_2.T'
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import replace

from dsl.core.ast import Call, Deriv, Expr, Name, Transpose, walk
from dsl.frontends.forms import names, scalar_like
from dsl.language.printer import to_source, to_source_map

_ENTRYWISE = {"max": "maximum", "min": "minimum"}
"""``\\max(0, z)`` in mathematics is the larger of two values, entry by entry (the ReLU)."""


def rename(node, table: dict[str, str]):
    """``node`` with every ``Name`` in ``table`` renamed (index variables are
    not names), and ``max``/``min`` of two values as ``maximum``/``minimum``."""
    if isinstance(node, Name):
        return replace(node, id=table[node.id]) if node.id in table else node
    if isinstance(node, Call) and node.func in _ENTRYWISE and len(node.args) == 2 and not node.keywords:
        node = replace(node, func=_ENTRYWISE[node.func])
    if type(node) is tuple:
        return tuple(rename(x, table) for x in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        new = rename(value, table) if dataclasses.is_dataclass(value) or type(value) is tuple else value
        if new is not value:
            changes[f.name] = new
    return replace(node, **changes) if changes else node


def entrywise_pairs(node) -> bool:
    """Whether ``node`` holds a ``max``/``min`` of two values (read as ``maximum``/``minimum``)."""
    return any(isinstance(x, Call) and x.func in _ENTRYWISE and len(x.args) == 2 and not x.keywords
               for x in walk(node))


def renamed(t, table: dict[str, str], scalars: frozenset = frozenset()):
    """``t`` renamed; ``scalars`` (the program's names) say whether it still reads as a scalar."""
    node: Expr = rename(t.node, table)
    text, pieces = to_source_map(node)
    alt = None
    if t.alt is not None:
        alt = t.alt
        for old, new in table.items():
            alt = _word(alt, old, new)
    scalars = frozenset(scalars) | {table[n] for n in scalars if n in table}
    return replace(t, text=text, pieces=tuple(pieces), names=names(node), node=node,
                   scalar=scalar_like(node, scalars),
                   name=node.id if isinstance(node, Name) else None,
                   deriv=(node.num.id, node.den.id) if isinstance(node, Deriv) else None,
                   grouping=to_source(node, parens="products") if t.grouping else None, alt=alt)


def gradients_as_rows(t, is_gradient, scalars: frozenset = frozenset()):
    """``t`` with every derivative term ``dA/dB`` that ``is_gradient(A, B)``
    calls the gradient of a scalar written in numerator layout (a row)
    taken as the transpose of the language's gradient: ``dJ/dz dz/dw`` in a
    document whose gradients are rows is ``dJ/dz * (dz/dw).T``.  A side that
    is itself the derivative (the left side) is not changed."""
    if t.node is None or isinstance(t.node, Deriv):
        return t

    def flip(node):
        if isinstance(node, Deriv):
            if not node.num_indices and not node.den_indices and is_gradient(node.num.id, node.den.id):
                return Transpose(node, node.span)
            return node
        if type(node) is tuple:
            return tuple(flip(x) for x in node)
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            new = flip(value) if dataclasses.is_dataclass(value) or type(value) is tuple else value
            if new is not value:
                changes[f.name] = new
        return replace(node, **changes) if changes else node

    node = flip(t.node)
    if node is t.node:
        return t
    text, pieces = to_source_map(node)
    return replace(t, text=text, pieces=tuple(pieces), node=node, scalar=scalar_like(node, frozenset(scalars)),
                   grouping=to_source(node, parens="products") if t.grouping else None, alt=None)


def _word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![A-Za-z0-9_']){re.escape(old)}(?![A-Za-z0-9_])", new, text)
