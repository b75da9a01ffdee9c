"""Functions a document defines by a formula: the hypothesis ``h_\\theta(x) = \\sigma(\\theta^T x)``.

Contract: :func:`scan` finds, in a host text, the definitions of a
one-letter function with a parameter subscript and one argument letter
(``h_\\theta(x) = \\theta^T x``, ``h_{w}(x) = ...``), the body running to the
end of its formula (``$``, ``\\\\``, ``\\qquad``, ``&``, ``\\end``, a blank
line).  Each is (name, body, offset): the name is its spelling without
braces (``h_\\theta``), the body has ``#1`` for the argument letter.
:func:`invocation` matches a use at an offset of a math text
(``h_\\theta(x^{(i)})``) and gives the function's name, the end of the use
and the argument.  ``macros`` expands a use to the body around the
argument, in parentheses: ``\\log h_\\theta(x^{(i)})`` reads as
``\\log (\\sigma(\\theta^T x^{(i)}))``.  The definition's own left side is
left as written.

    >>> [(name, body) for name, body, _ in scan(r"$$h_\\theta(x) = \\sigma(\\theta^T x)$$")]
    [('h_\\\\theta', '\\\\sigma(\\\\theta^T #1)')]
"""
from __future__ import annotations

import re

_SUB = r"(?:\{\s*(\\?[A-Za-z]+)\s*\}|(\\[A-Za-z]+)|([A-Za-z]))"
_DEFINE = re.compile(r"(?<![A-Za-z\\])([a-z])_" + _SUB + r"\s*\(\s*([a-z])\s*\)\s*=\s*")
_USE = re.compile(r"(?<![A-Za-z\\])([a-z])_" + _SUB + r"\s*\(")
_END = re.compile(r"\$|\\\\|\\q?quad(?![A-Za-z])|&|\\end(?![A-Za-z])|\\\]|\\tag(?![A-Za-z])|\n[ \t]*\n")
MAX_BODY = 200


def _name(m: re.Match) -> str:
    return m.group(1) + "_" + (m.group(2) or m.group(3) or m.group(4))


def scan(text: str) -> list[tuple[str, str, int]]:
    found = []
    for m in _DEFINE.finditer(text):
        end = _END.search(text, m.end(), m.end() + MAX_BODY + 1)       # bounded: a body is short
        body = text[m.end():end.start() if end else m.end() + MAX_BODY + 1].strip().rstrip(".,;").strip()
        letter = m.group(5)
        arg = re.compile(rf"(?<![\\A-Za-z]){letter}(?![A-Za-z])")
        if not body or len(body) > MAX_BODY or "#" in body or not arg.search(body):
            continue
        found.append((_name(m), arg.sub("#1", body), m.start()))
    return found


def invocation(text: str, i: int) -> tuple[str, int, int, int] | None:
    """A use of a defined function at ``i``: (name, end of the use, start and end of the argument)."""
    m = _USE.match(text, i)
    if m is None or (i > 0 and (text[i - 1].isalpha() or text[i - 1] == "\\")):
        return None
    depth, j = 1, m.end()
    stop = min(len(text), j + MAX_BODY)                                 # an argument is short too
    while j < stop and depth:
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        j += 1
    if depth:
        return None
    return _name(m), j, m.end(), j - 1
