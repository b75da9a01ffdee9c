"""Claims about single entries that index notation cannot check as written.

Contract: :func:`unchecked_entry` looks at a claim's left side read as a
derivative of entries (``\\partial s_i / \\partial z_j``) and says why the
claim is not checked, or None.  Two cases, both common where a Jacobian is
derived by hand: the same index on both sides of the derivative
(``\\partial s_i / \\partial z_i``, one entry of the diagonal, which the
language's ``ds[i]/dz[i]`` cannot state: an index appears once on the left),
a claim the sentence around it restricts to part of the entries
("for $i \\ne j$, ..."): the formula holds only there, and a check over
every entry would report the diagonal as wrong.  :func:`entries_beside_wholes`
says when a side mixes entries with whole vectors (``x_i^T w`` per ``i``),
:func:`entry_derivatives` when a right side uses derivatives of entries.

    >>> text = "For $i \\\\ne j$, $a$. Next."
    >>> condition_near(text, text.index("$a"), text.index("$a") + 2, ("i", "j"))
    'i \\\\ne j'
"""
from __future__ import annotations

import re

from dsl.core.ast import Deriv, Index, walk
from dsl.frontends.latex_index import mixed

_RELATION = r"(?:\\neq?|\\not\s*=|≠|!=|=|<|>|\\leq?|\\geq?)"
_SENTENCE_END = re.compile(r"[.!?:](?=\s)|\n[ \t]*\n")


def unchecked_entry(node, text: str, start: int, end: int) -> tuple[str, dict] | None:
    """Why the claim whose left side is ``node`` (host range ``start``-``end``
    in ``text``) is not checked: (reason, values), or None."""
    if not isinstance(node, Deriv):
        return None
    num = [ix.name for ix in node.num_indices]
    den = [ix.name for ix in node.den_indices]
    twice = sorted(set(num) & set(den)) or sorted({n for n in num if num.count(n) > 1}
                                                  | {n for n in den if den.count(n) > 1})
    if twice:
        return "entry-diagonal", {"claim": node.text, "index": twice[0]}
    letters = tuple(dict.fromkeys(num + den))
    if len(letters) >= 2:
        cond = condition_near(text, start, end, letters)
        if cond:
            return "entry-condition", {"claim": node.text, "condition": cond}
    return None


def entries_beside_wholes(node, scalars: frozenset) -> bool:
    """Whether a side read in index notation also uses whole values that
    are not known scalars (``y_i \\mathbf{x}_i^\\top \\mathbf{w}``, an entry
    beside the i-th vector): a formula per entry about vectors, which index
    notation cannot check as written."""
    return node is not None and any(isinstance(n, Index) for n in walk(node)) and mixed(node, scalars)


def entry_derivatives(node) -> bool:
    """Whether a right side uses derivatives of entries (``\\sum_i \\frac{\\partial L}{\\partial
    p_i} \\frac{\\partial p_i}{\\partial z_j}``, the chain rule written per entry), which the
    language states only on the left of a claim."""
    return node is not None and any(isinstance(n, Deriv) and (n.num_indices or n.den_indices)
                                    for n in walk(node))


def condition_near(text: str, start: int, end: int, letters: tuple[str, ...]) -> str | None:
    """A relation between two of ``letters`` (``i \\ne j``, ``i = j``) in the
    sentence that holds the range ``start``-``end``, outside that range (the
    formula's own ``\\mathbb{1}\\{i = j\\}`` restricts nothing), else None."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    text = text[:start] + " " * (end - start) + text[end:]
    sentence = text[before[-1] if before else 0:after.start() if after else len(text)]
    names = "|".join(re.escape(x) for x in letters)
    for m in re.finditer(rf"(?<![A-Za-z\\])({names})\s*({_RELATION})\s*({names})(?![A-Za-z])", sentence):
        if m.group(1) != m.group(3):
            return re.sub(r"\s+", " ", m.group(0))
    return None
