"""How a decorated LaTeX name is spelled as a chainrule identifier.

Contract: :func:`sup_part` turns a superscript that belongs to a name (a
layer index, a star) into the characters the identifier gets, and
:data:`PRIME_PART` is what a prime adds: ``W^{(l)}``, ``W^{[l]}`` and
``W^l`` are ``Wl`` (as ``W^{(1)}`` is ``W1``), ``a^{L-1}`` is ``aLm1``,
``\\mathbf{w}^*`` is ``wstar`` and ``x'`` is ``xprime``.  Whether a
superscript is a name part, a power or a transpose is the reader's to say
(``latex_read``); this module only spells.

    >>> sup_part("(l)"), sup_part("[L-1]"), sup_part("*"), sup_part("2"), sup_part("T+")
    ('l', 'Lm1', 'star', '2', None)
"""
from __future__ import annotations

import re

PRIME_PART = "prime"
PLAIN_PART = "plain"     # \hat y in a document that also writes \hat{\mathbf y}: yhatplain
STAR_PART = "star"
_STARS = frozenset({"*", r"\ast", r"\star"})
_SIGNS = {"+": "p", "-": "m"}
_PLAIN = re.compile(r"[A-Za-z0-9]+")
_SHIFTED = re.compile(r"([A-Za-z][A-Za-z0-9]*)([+-])([0-9]+)")


def sup_part(sup: str) -> str | None:
    """The identifier characters of a name's superscript (compact text, as
    ``latex_read.Reader.word`` gives it), or None when it is not one."""
    if len(sup) > 2 and (sup[0], sup[-1]) in (("(", ")"), ("[", "]")):
        sup = sup[1:-1]
    if sup in _STARS:
        return STAR_PART
    if _PLAIN.fullmatch(sup):
        return sup
    m = _SHIFTED.fullmatch(sup)
    if m:
        return m.group(1) + _SIGNS[m.group(2)] + m.group(3)
    return None
