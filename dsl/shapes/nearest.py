"""The nearest known name for a rename hint, or nothing.

A suggestion is only worth making when the name written is a slip of one
that fits where it stands: the caller passes only the names of that kind (a
function where a call is, and only functions that take that many arguments;
a value where a value is; an attribute, a size symbol).  Among those,
closeness is the edit distance with transpositions (``lgo`` is one step from
``log``), allowed to grow with the length of the name: names of one or two
characters only match in case (``w`` for ``W``) or by a doubled key (``kk``
for ``k``, ``y`` for ``yy``), names up to five characters
one step, longer ones two, very long ones three.  Names that differ only in
their trailing digits are different quantities (``W3`` is not a slip of
``W1``, nor ``x1`` of ``x``), and never suggested for each other among
values and sizes (``indexed``); an attribute ``pm2`` is still a slip of ``pm1``.  Ties go
to the candidate sharing the longest prefix, then the closest length.

    >>> nearest("expp", ["exp", "exit"]), nearest("W3", ["W1", "W2"], indexed=True), nearest("lgo", ["log"])
    ('exp', None, 'log')
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_DIGITS = re.compile(r"[0-9]+$")


def allowed(name: str) -> int:
    """How many edits a slip of ``name`` may be."""
    n = len(name)
    return 0 if n <= 2 else 1 if n <= 5 else 2 if n <= 12 else 3


def distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of ``a`` and ``b`` (insertions,
    deletions, substitutions and swaps of neighbours), or ``limit + 1`` when
    it is larger than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _indexed_apart(a: str, b: str) -> bool:
    """``W3`` and ``W1``, ``x1`` and ``x``: one stem, other trailing digits."""
    da, db = _DIGITS.search(a), _DIGITS.search(b)
    if not (da or db):
        return False
    stem_a = a[:da.start()] if da else a
    stem_b = b[:db.start()] if db else b
    return stem_a == stem_b


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def nearest(name: str, candidates: Iterable[str], indexed: bool = False) -> str | None:
    """The closest candidate that ``name`` may be a slip of, or None.  With
    ``indexed`` (names of values and sizes) names that differ only in their
    trailing digits are apart."""
    limit = allowed(name)
    best: tuple | None = None
    found = None
    for cand in sorted(set(candidates)):
        if cand == name or not cand.isascii() or (indexed and _indexed_apart(name, cand)):
            continue
        if cand.lower() == name.lower():
            d = 0
        elif len(name) <= 2 and (name + name[-1] == cand or cand + cand[-1] == name):
            d = 1                                     # a doubled key: kk for k, y for yy
        else:
            d = distance(name, cand, limit)
            if d > limit or d == 0:
                continue
        key = (d, -_prefix(name, cand), abs(len(cand) - len(name)), cand)
        if best is None or key < best:
            best, found = key, cand
    return found
