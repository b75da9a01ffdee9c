"""A file as statements: one per line, continued on the next line after an
operator, a comma or an open bracket.

This is the rule the parser and the REPL share: :func:`split_statements`
gives the character ranges ``syntax.parse`` parses one by one, and
:func:`needs_more` tells the REPL to ask for another line.  Comments
(``#`` to the end of the line) and trailing blanks are ignored.

    >>> split_statements("a = x +\\n    y\\nb = a")
    [(0, 13), (14, 19)]
"""
from __future__ import annotations

import re

from dsl.language.syntax_errors import BLANK as _BLANK

_CONTINUES = frozenset("+-−*/@=,^∘⊙×([<>≥≤")   # a line ending in one of these continues
_NEW_STATEMENT = re.compile(
    r"\s*(?:(?:dims|layout)\b|[^\W\d]\w*\s*[:=]|d\w+/d\w+\s*=|∂[^=:]*="
    r"|[^\W\d]\w*\s*\[[\w\s,']*\]\s*(?:/\s*d\w+\s*\[[\w\s,']*\]\s*)?="   # C[i, j] =, dy[i]/dx[j] =
    r"|d\w+/d\w+\s*\[[\w\s,']*\]\s*=)")                                       # dL/dW[i, j] =


def is_statement(text: str) -> bool:
    """Whether text starts like a statement (``a =``, ``x :``, ``dims``, ``dL/dx =``)
    rather than a bare expression; the REPL uses it to choose."""
    return _NEW_STATEMENT.match(text) is not None


def needs_more(text: str) -> bool:
    """Whether text is an unfinished statement: it ends in an operator or
    leaves a bracket open (the REPL then asks for another line)."""
    depth, last = 0, ""
    for line in text.split("\n"):
        code = _code(line)
        depth += _bracket_balance(code)
        last = code[-1:] or last
    return depth > 0 or (last != "" and last in _CONTINUES)


def _code(line: str) -> str:
    """A line without its comment and trailing blanks."""
    hash_at = line.find("#")
    return (line if hash_at < 0 else line[:hash_at]).rstrip(_BLANK)


def _bracket_balance(code: str) -> int:
    return code.count("(") + code.count("[") - code.count(")") - code.count("]")


def split_statements(text: str) -> list[tuple[int, int]]:
    """Character ranges ``(start, end)`` of the statements of a file.

    A statement continues on the next non-blank line when its last line ends
    in an operator or an open bracket, or while a bracket is open, unless that
    next line clearly starts a new statement (``name =``, ``name :``, ``dims``,
    ``layout``, ``dX/dY =``; a ``name =`` after a trailing comma inside a
    bracket is a keyword argument and continues).
    """
    ranges: list[tuple[int, int]] = []
    start = end = -1
    depth, last = 0, ""
    offset = 0
    for line in text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        code = _code(line)
        if not code:
            continue
        if start >= 0:
            pending = depth > 0 or last in _CONTINUES
            if pending and _NEW_STATEMENT.match(code) and not (depth > 0 and last == ","):
                pending = False
            if not pending:
                ranges.append((start, end))
                start, depth = -1, 0
        if start < 0:
            start = line_start + len(code) - len(code.lstrip(_BLANK))
        end = line_start + len(code)
        depth = max(0, depth + _bracket_balance(code))
        last = code[-1]
    if start >= 0:
        ranges.append((start, end))
    return ranges
