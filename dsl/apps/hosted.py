"""Diagnostics of a document's generated program, placed and worded in the document.

Contract: :func:`in_host` moves a diagnostic of the chainrule text lifted
out of a document (``dsl.frontends``) onto the document's line, column and
cell, with its fix; a line number the message or hint quotes ("already
declared on line 3") becomes the document's line; when the diagnostic came
from math, the fix and the quoted source of its hint are written in LaTeX.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from dsl.apps.fmt import format_expr
from dsl.core.diagnostics import Diagnostic
from dsl.core.wording import say
from dsl.frontends import Extracted
from dsl.frontends.renaming import rename
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr

_LINE = re.compile(r"\bline (\d+)\b")


_CODE = re.compile(r"`([^`]+)`")


def in_host(ex: Extracted, d: Diagnostic) -> Diagnostic:
    """A diagnostic of the generated text, placed in the host document (its
    fix's span too).  When it came from math, its fix's replacement is written
    in LaTeX from the fix's expression, and so is that expression where the
    hint quotes it; other quoted source in the hint is re-spelled likewise."""
    moved = d.moved(ex.span_map)
    moved = replace(moved, message=_named(ex, host_lines(ex, moved.span.cell, moved.message)) or moved.message,
                    hint=_named(ex, host_lines(ex, moved.span.cell, moved.hint)))
    if moved.fix is not None and moved.fix.expr is not None and ex.aliases:
        moved = replace(moved, fix=replace(moved.fix, expr=rename(moved.fix.expr, ex.aliases)))
    if ex.formula_at(d.span.start) is None:
        return moved
    fix, quoted = moved.fix, {}
    if fix is not None and fix.expr is not None:
        latex = format_expr(fix.expr, "latex")
        quoted[to_source(fix.expr)] = latex
        bracketed = fix.replacement.startswith("(") and not to_source(fix.expr).startswith("(")
        fix = replace(fix, replacement=rf"\left({latex}\right)" if bracketed else latex)
    hint = moved.hint and _CODE.sub(partial(_latex_code, quoted), moved.hint)
    return replace(moved, hint=hint, fix=fix)


def _latex_code(quoted: dict, match: re.Match) -> str:
    ascii_ = match.group(1)
    if ascii_ in quoted:
        return f"`{quoted[ascii_]}`"
    expr, problems = parse_expr(ascii_)
    if expr is None or problems:
        return match.group(0)
    return f"`{format_expr(expr, 'latex')}`"


def _named(ex: Extracted, text: str | None) -> str | None:
    """``text`` with the names of later scopes (``W_2``) as the document writes them."""
    for alias, name in ex.aliases.items():
        text = text and re.sub(rf"(?<![A-Za-z0-9_']){re.escape(alias)}(?![A-Za-z0-9_])", name, text)
    return text


def host_lines(ex: Extracted, cell: int | None, text: str | None) -> str | None:
    """``text`` with each "line N" of the generated program as the document's
    line (and cell, when it is another notebook cell than ``cell``)."""
    if not text:
        return text
    starts = ex.source.line_starts

    def one(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= len(starts):
            return m.group(0)
        at = ex.span_map(ex.source.span(starts[n - 1], starts[n - 1]))
        if at.cell is not None and at.cell != cell:
            return say("line-in-cell", line=at.line, cell=at.cell)
        return say("line-of-document", line=at.line)
    return _LINE.sub(one, text)
