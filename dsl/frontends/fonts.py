"""Accented names a document writes both bold and plain.

Contract: :func:`bold_and_plain` scans a host text once and returns the
accented names (as the reader spells them: ``yhat``) that the document
DEFINES both in a bold font (``\\hat{\\mathbf y} = ...``, ``\\mathbf{\\hat y}``,
``\\hat{\\boldsymbol{y}}``) and plain without a subscript (``\\hat y = ...``):
two definitions of two values, a vector and (usually) a scalar, so the
reader gives the plain one a name of its own (``yhatplain``).  A document
that defines one and writes the other loosely (``\\hat{\\textbf y} =
\\operatorname{softmax}(\\theta)``, then ``\\hat y - y``) has one value; a
plain one with a subscript (``\\hat y_i``) is an entry of the bold one.

    >>> sorted(bold_and_plain(r"$\\hat{\\mathbf y} = \\sigma(z)$ and $\\hat y = p$, $\\bar x_i$"))
    ['yhat']
"""
from __future__ import annotations

import re

_ACCENT = r"\\(hat|widehat|bar|overline|tilde|widetilde)"
_BOLD = r"\\(?:mathbf|boldsymbol|bm|textbf|pmb|mathbfit|vec)"
_SUFFIX = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde", "widetilde": "tilde"}
_BOLD_FORMS = (re.compile(_ACCENT + r"\s*\{?\s*" + _BOLD + r"\s*\{?\s*([A-Za-z])(?![A-Za-z])"),
               re.compile(_BOLD + r"\s*\{?\s*" + _ACCENT + r"\s*\{?\s*([A-Za-z])(?![A-Za-z])"))
_PLAIN = re.compile(r"(?<!\{)(?<!\{ )" + _ACCENT + r"(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z])(?![A-Za-z]))(?!\s*_)")


def bold_and_plain(text: str) -> frozenset[str]:
    """The accented names written both bold and plain (see the module docstring)."""
    if "\\" not in text:
        return frozenset()
    bold = {m.group(2) + _SUFFIX[m.group(1)] for pattern in _BOLD_FORMS for m in pattern.finditer(text)
            if _defined(text, m.end())}
    if not bold:
        return frozenset()
    plain = set()
    for m in _PLAIN.finditer(text):
        before = text[max(0, m.start() - 14):m.start()]
        if re.search(_BOLD + r"\s*\{?\s*$", before) or not _defined(text, m.end()):
            continue                      # \mathbf{\hat y}: bold; or only used
        plain.add((m.group(2) or m.group(3)) + _SUFFIX[m.group(1)])
    return frozenset(bold & plain)


def _defined(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` is the left side of a definition."""
    return re.compile(r"[\s}]*(=|:=|\\coloneqq)(?!=)").match(text, end) is not None
