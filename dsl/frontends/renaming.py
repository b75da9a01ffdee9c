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

from dsl.core.ast import Call, Deriv, Expr, Index, Name, Transpose, walk
from dsl.frontends.forms import names, scalar_like
from dsl.language.printer import to_source, to_source_map

_ENTRYWISE = {"max": "maximum", "min": "minimum"}
"""``\\max(0, z)`` in mathematics is the larger of two values, entry by entry (the ReLU)."""


def rewrite(node, fn):
    """``node`` rewritten top-down: where ``fn`` returns a node it replaces
    the subtree, where it returns None the children are rewritten."""
    new = fn(node)
    if new is not None:
        return new
    if type(node) is tuple:
        return tuple(rewrite(x, fn) for x in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        new = rewrite(value, fn) if dataclasses.is_dataclass(value) or type(value) is tuple else value
        if new is not value:
            changes[f.name] = new
    return replace(node, **changes) if changes else node


def rename(node, table: dict[str, str]):
    """``node`` with every ``Name`` in ``table`` renamed (index variables are
    not names), and ``max``/``min`` of two values as ``maximum``/``minimum``."""
    def one(x):
        if isinstance(x, Name):
            return replace(x, id=table[x.id]) if x.id in table else x
        if isinstance(x, Call) and x.func in _ENTRYWISE and len(x.args) == 2 and not x.keywords:
            return rewrite(replace(x, func=_ENTRYWISE[x.func]), one)
        return None
    return rewrite(node, one)


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

    def flip(x):
        if not isinstance(x, Deriv):
            return None
        if not x.num_indices and not x.den_indices and is_gradient(x.num.id, x.den.id):
            return Transpose(x, x.span)
        return x

    node = rewrite(t.node, flip)
    if node is t.node:
        return t
    text, pieces = to_source_map(node)
    return replace(t, text=text, pieces=tuple(pieces), node=node, scalar=scalar_like(node, frozenset(scalars)),
                   grouping=to_source(node, parens="products") if t.grouping else None, alt=None)


def _word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![A-Za-z0-9_']){re.escape(old)}(?![A-Za-z0-9_])", new, text)


def entries_renamed(t, table: dict[str, str], scalars: frozenset = frozenset()):
    """``t`` with the entries ``b[...]`` of each name ``b`` of ``table`` read as entries of
    ``table[b]`` (``s[i, k]`` of a document that writes the matrix ``S``); a name used
    whole is not renamed.  The left side ``t.left`` (``p_{ik} = ...``) likewise."""
    def one(x):
        if isinstance(x, Index) and isinstance(x.base, Name) and x.base.id in table:
            return replace(x, base=replace(x.base, id=table[x.base.id]),
                           indices=rewrite(x.indices, one))
        return None
    if t.node is None:
        return t
    node: Expr = rewrite(t.node, one)
    left = entries_renamed(t.left, table, scalars) if t.left is not None else None
    if node is t.node and left is t.left:
        return t
    text, pieces = to_source_map(node)
    name = node.id if isinstance(node, Name) else t.name
    if isinstance(node, Index) and isinstance(node.base, Name):
        name = node.base.id
    return replace(t, text=text, pieces=tuple(pieces), names=names(node), node=node, name=name,
                   scalar=scalar_like(node, frozenset(scalars)), left=left,
                   grouping=to_source(node, parens="products") if t.grouping else None,
                   alt=_entries(t.alt, table) if t.alt is not None else None)


def entry_bases(t) -> list[tuple[str, int]]:
    """The names ``t`` (and its left side) uses as entries, with their numbers of indices."""
    out = []
    for side in (t, t.left):
        if side is not None and side.node is not None:
            out += [(x.base.id, len(x.indices)) for x in walk(side.node)
                    if isinstance(x, Index) and isinstance(x.base, Name)]
    return out


def _entries(text: str, table: dict[str, str]) -> str:
    for old, new in table.items():
        text = re.sub(rf"(?<![A-Za-z0-9_']){re.escape(old)}\[", new + "[", text)
    return text


def called(t, table: dict[str, str], scalars: frozenset = frozenset()):
    """``t`` with the calls of each function of ``table`` calling ``table[f]`` instead
    (``phi(z2)`` of an activation already declared for another shape: ``phi_2(z2)``)."""
    def one(x):
        if isinstance(x, Call) and x.func in table:
            return replace(x, func=table[x.func], args=rewrite(x.args, one))
        return None
    node: Expr = rewrite(t.node, one)
    text, pieces = to_source_map(node)
    return replace(t, text=text, pieces=tuple(pieces), node=node, scalar=scalar_like(node, scalars),
                   grouping=to_source(node, parens="products") if t.grouping else None, alt=None)
