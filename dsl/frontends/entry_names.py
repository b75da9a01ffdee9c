"""Whose entries a document's index notation writes: ``s_{ik}`` of ``S``, ``L_i`` beside ``L``.

Contract: notes name the entries of a matrix with its letter in lower case
(``S = X W``, then ``p_{ik} = e^{s_{ik}} / \\sum_j e^{s_{ij}}``, and the claims
use ``P``), and the terms of a total with its own letter (``L = \\frac{1}{N}
\\sum_i L_i``).  :func:`gather` notes in the first pass what the equations
write: the capital letters (``Plan.written``) and the names defined from
entries of their own letter (``Plan.per_entry``: ``L`` -> ``Li``);
:func:`entry_table` says, for one side read, which entries to read as
entries of another name:

- a lower-case letter with two indices (``s_{ik}``), not a name of the
  document and never used whole in the side, whose capital (``S``) is
  known or written: the capital's entries;
- a name defined from its own entries: those entries, which the total
  cannot be, are the terms (``Li``).

    >>> from dsl.frontends.scopes import Plan
    >>> plan = Plan()
    >>> gather(plan, [r"L", r"\\frac{1}{N} \\sum_i L_i + P_{ik}"])
    []
    >>> sorted(plan.written), plan.per_entry
    (['L', 'N', 'P'], {'L': 'Li'})
"""
from __future__ import annotations

import re

from dsl.builtins import latex_macro
from dsl.core.ast import BinOp, Deriv, Index, Name, Op, walk
from dsl.frontends.declarations import name_of
from dsl.frontends.latex_math import Translation, translate

_NOISE = re.compile(r"\\(?:var)?epsilon(?![A-Za-z])")
_CAPITAL = re.compile(r"(?<![A-Za-z\\])([A-Z])(?![A-Za-z])")
_VARIANCE = re.compile(r"(\\partial\s*)?(\\(?:boldsymbol|mathbf|bm)\s*\{\s*)?"
                       r"\\([a-z]+)\s*\}?\s*\^\s*\{?\s*([0-9])\s*\}?")
"""``\\sigma^2`` (after a ``\\partial``, or a left side alone): a greek letter that is also a function, squared."""


def gather(plan, sides: list[str]) -> list[tuple[str, int, int, int]]:
    """What the sides of one equation write (the first pass); returned, the plain
    squares of a greek letter that are names (``\\sigma^2``, a variance): scalars, as
    a plain greek letter is, with the side and range where each is written."""
    plain: list[tuple[str, int, int, int]] = []
    for k, side in enumerate(sides):
        plan.written |= set(_CAPITAL.findall(side))
        for m in _VARIANCE.finditer(side):
            if latex_macro("\\" + m.group(3)) and (m.group(1) or (k == 0 and m.group(0).strip() == side.strip())):
                plan.powers.add(m.group(3) + m.group(4))     # \partial \sigma^2, \sigma^2 = ...: a name
                if not m.group(2):
                    plain.append((m.group(3) + m.group(4), k, m.start(3) - 1, m.end()))
    _claim_form(plan, sides)
    if _NOISE.search(" ".join(sides)):
        plan.noise += 1
    name = name_of(sides[0]) if sides else None
    if not name or not name.isidentifier():
        return plain
    own = re.compile(rf"(?<![A-Za-z\\]){re.escape(name)}\s*_\s*\{{?\s*([a-z])\s*\}}?(?![A-Za-z0-9])")
    for side in sides[1:]:
        if found := own.search(side):
            plan.per_entry.setdefault(name, name + found.group(1))
            break
    return plain


def _claim_form(plan, sides: list[str]) -> None:
    """A claim ``dL/dW = ...``: whether its right sides are in the chain rule's form (a derivative
    of ``L`` on them: ``Plan.chained``, with the values it is taken by) or not (``Plan.direct``,
    with the names the right side uses).  ``G = \\partial L / \\partial Y``: ``G`` a name of a
    gradient of ``L`` (``Plan.gradient_names``), which a claim may use in its place."""
    if len(sides) < 2 or "partial" not in " ".join(sides):
        return
    read = [translate(side) for side in sides]
    left = read[0]
    if isinstance(left, Translation) and left.name and left.deriv is None:
        for r in read[1:]:
            if isinstance(r, Translation) and r.deriv:
                plan.gradient_names.setdefault(r.deriv[0], set()).add(left.name)
    if not isinstance(left, Translation) or left.deriv is None:
        return
    num = left.deriv[0]
    for r in read[1:]:
        if not isinstance(r, Translation) or r.node is None:
            continue
        dens = {x.den.id for x in walk(r.node) if isinstance(x, Deriv) and x.num.id == num}
        if dens:
            plan.chained.setdefault(num, set()).update(dens)
        else:
            plan.direct.setdefault(num, []).append(r.names)


def noise_term(node) -> bool:
    """Whether ``node`` adds the name ``epsilon`` as a term (``X \\beta + \\epsilon``)."""
    while isinstance(node, BinOp) and node.op in (Op.ADD, Op.SUB):
        if isinstance(node.right, Name) and node.right.id == "epsilon":
            return True
        node = node.left
    return isinstance(node, Name) and node.id == "epsilon"


def entry_table(t, known: set[str], plan) -> dict[str, str]:
    """Entry base -> the name whose entries they are, for one side read (and its left side)."""
    table: dict[str, str] = {}
    whole: set[str] = set()
    entries: dict[str, set[int]] = {}
    for side in (t, t.left):
        if side is None or side.node is None:
            continue
        bases = {id(x.base) for x in walk(side.node) if isinstance(x, Index)}
        for x in walk(side.node):
            if isinstance(x, Index) and isinstance(x.base, Name):
                entries.setdefault(x.base.id, set()).add(len(x.indices))
            elif isinstance(x, Name) and id(x) not in bases:
                whole.add(x.id)
    for base, counts in entries.items():
        if base in plan.per_entry and counts == {1} and base not in whole:
            table[base] = plan.per_entry[base]
        elif (len(base) == 1 and base.islower() and counts == {2} and base not in whole
              and base not in known and base.upper() not in entries
              and (base.upper() in known or base.upper() in plan.written)):
            table[base] = base.upper()
    defines = {x.base.id for x in walk(t.left.node) if isinstance(x, Index) and isinstance(x.base, Name)} if (
        t.left is not None and isinstance(t.left.node, Index)) else set()
    # p_{ik} = ... where P is a name already: a restatement of its entries, not read as P's
    return {b: n for b, n in table.items() if b not in defines or n not in known | plan.hand}
