"""Index notation in LaTeX math: which subscripts are indices, and what a sum binds.

Contract: :func:`index_letters` says whether a subscript is made of index
letters (``_i``, ``_{ij}``, ``_{i,j2}``) and where each letter is;
:func:`sum_indices` gives the indices a ``\\sum`` binds (``\\sum_i``,
``\\sum_{i=1}^{n}``, ``\\sum_{i,j}``); :func:`free_of` the indices an
expression read leaves free.  Whether a word with index letters IS an entry
is the reader's to decide from what the formula binds (``latex_read``):
``W_i`` is an entry inside ``\\sum_i`` or when the left side binds ``i``,
and the name ``Wi`` otherwise; ``W_1`` and ``W_{out}`` are names.

    >>> from dsl.frontends.latex_math import parser
    >>> from dsl.frontends.latex_tree import to_raw
    >>> raw = to_raw(parser().parse(r"\\sum_{i,j=1}^{n} W_{ij}"), lambda s, e: (s, e))
    >>> [name for name, _ in sum_indices(raw.kids[1])]
    ['i', 'j']
"""
from __future__ import annotations

import re

from lark import Token

from dsl.core.ast import Expr, Index, Name, walk
from dsl.frontends.latex_tree import Range, tokens, tspan
from dsl.shapes.indices import free_sets


def sum_indices(limits) -> list[tuple[str, Range]]:
    """The indices a sum's subscript binds: ``_i``, ``_{ij}``, ``_{i=1}``,
    ``_{i,j}`` (limits after a relation are dropped)."""
    kids = list(limits.kids)
    for k in range(0, len(kids) - 1, 2):
        if kids[k].type != "SUBSCRIPT":
            continue
        script = kids[k + 1]
        body = script.kids[1] if script.kind == "braces" else script
        items = body.kids if body.kind == "scriptbody" else (body,)
        found: list[tuple[str, Range]] = []
        keep = True
        for item in items:
            if isinstance(item, Token):
                keep = item.type == "COMMA"
                continue
            if keep:
                found += index_letters(item) or []
        return found
    return []


def index_letters(r) -> tuple[tuple[str, Range], ...]:
    """A subscript of index letters as (letter, range): ``ij``, ``i,j2``,
    ``{i j}``, ``c,i`` (whose first item may be a name part: ``v_{c,i}``
    is the entry i of ``vc``); () for anything else (``_1``, ``_{out}`` is a name part when
    not every letter is bound, which :meth:`Reader.value` decides)."""
    toks = [t for t in tokens(r) if t.type not in ("LBRACE", "RBRACE")]
    if not toks or len(toks) > 7:
        return ()
    if any(t.type == "COMMA" for t in toks):
        found: list[tuple[str, Range]] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            word = r"[A-Za-z][A-Za-z0-9]*" if not found else r"[a-z]"   # v_{c,i}: a name part first
            if t.type not in ("LETTERS", "LETTER") or not re.fullmatch(word, str(t)):
                return ()
            name, span = str(t), tspan(t)
            if i + 1 < len(toks) and toks[i + 1].type in ("NUMBER", "DIGIT") and str(toks[i + 1]).isdigit():
                name, span = name + str(toks[i + 1]), (span[0], tspan(toks[i + 1])[1])
                i += 1
            found.append((name, span))
            if i + 1 < len(toks) and toks[i + 1].type != "COMMA":
                return ()
            i += 2
        return tuple(found)
    out = []
    for t in toks:
        if t.type not in ("LETTERS", "LETTER") or not re.fullmatch(r"[a-z]+", str(t)):
            return ()
        s = tspan(t)[0]
        out += [(ch, (s + k, s + k + 1)) for k, ch in enumerate(str(t))]
    return tuple(out) if len(out) <= 4 else ()


def free_of(node: Expr) -> frozenset[str]:
    """The free indices of an expression read."""
    return free_sets(node)[id(node)]


def mixed(body: Expr, scalars: frozenset) -> bool:
    """Whether a sum's body multiplies entries with whole values that are
    not known scalars (``y \\log \\hat y_i``): then the sum is read as the sum
    of every entry, as its author means, not as index notation."""
    bases = {id(m) for n in walk(body) if isinstance(n, Index) for m in walk(n.base)}
    return any(isinstance(n, Name) and id(n) not in bases and n.id not in scalars for n in walk(body))


def listed(r) -> bool:
    """Whether a subscript separates its items with commas (``_{c,i}``)."""
    return any(t.type == "COMMA" for t in tokens(r))
