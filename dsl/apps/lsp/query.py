"""Questions about a checked program asked at a place in its text: which
statement and which sub-expression stand there, which name, and where that
name is declared or defined and used.  Offsets are code points into the
checked chainrule text (``Analysis.to_checked`` gives them); nothing here
knows about the protocol.

    >>> from dsl.language.syntax import parse_text
    >>> program, _ = parse_text("dims n\\nx : 1 x n\\na = x @ x.T\\n")
    >>> node = node_at(statement_at(program, 23), 23)          # the "@"
    >>> type(node).__name__, [s.column for s in occurrences(program, "x")]
    ('BinOp', [1, 5, 9])
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dsl.core.ast import (
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Deriv,
    Dims,
    Expr,
    Name,
    Program,
    Stmt,
    walk,
)
from dsl.core.span import Span


def _inside(span: Span, offset: int) -> bool:
    return span.start <= offset < span.end or (span.start == span.end == offset)


def statement_at(program: Program, offset: int) -> Stmt | None:
    """The statement whose text holds ``offset`` (its last character's end counts)."""
    for stmt in program.statements:
        if stmt.span.start <= offset <= stmt.span.end:
            return stmt
    return None


def expressions(stmt: Stmt) -> tuple[Expr, ...]:
    """The expressions a statement holds: a claim's derivative and right side, a definition's right side."""
    match stmt:
        case Define(expr=expr):
            return (expr,)
        case Claim(deriv=deriv, expr=expr):
            return (deriv, expr)
    return ()


def node_at(stmt: Stmt | None, offset: int, text: str = "") -> Expr | None:
    """The innermost sub-expression of ``stmt`` at ``offset``.  On an operator
    it is that operation; on a bracket (``text`` the checked source) the
    expression the bracket pair encloses."""
    if stmt is None:
        return None
    best: Expr | None = None
    for root in expressions(stmt):
        for node in walk(root):
            if _inside(node.span, offset) and (best is None or _width(node.span) <= _width(best.span)):
                best = node
            if isinstance(node, BinOp) and _inside(node.op_span, offset):
                return node
    if text and 0 <= offset < len(text) and text[offset] in "()[]":
        inner = _bracketed(stmt, offset, text)
        if inner is not None:
            return inner
    return best


def _width(span: Span) -> int:
    return span.end - span.start


def _bracketed(stmt: Stmt, offset: int, text: str) -> Expr | None:
    """The widest expression strictly between the bracket at ``offset`` and its partner."""
    pair = matching_bracket(text, offset)
    if pair is None:
        return None
    lo, hi = sorted((offset, pair))
    found: Expr | None = None
    for root in expressions(stmt):
        for node in walk(root):
            if lo < node.span.start and node.span.end <= hi and (
                    found is None or _width(node.span) > _width(found.span)):
                found = node
    if found is not None:
        # a call's or an index's own brackets: the call is what they belong to
        for root in expressions(stmt):
            for node in walk(root):
                if node.span.start < lo and node.span.end == hi + 1 and not isinstance(node, BinOp):
                    return node
    return found


_OPEN, _CLOSE = "([", ")]"


def matching_bracket(text: str, offset: int) -> int | None:
    """The offset of the bracket that pairs with the one at ``offset`` (same line run)."""
    ch = text[offset]
    if ch in _OPEN:
        step, here, there = 1, ch, _CLOSE[_OPEN.index(ch)]
    else:
        step, here, there = -1, ch, _OPEN[_CLOSE.index(ch)]
    depth, i = 0, offset
    while 0 <= i < len(text):
        if text[i] == here:
            depth += 1
        elif text[i] == there:
            depth -= 1
            if depth == 0:
                return i
        i += step
    return None


# ------------------------------------------------------------------ names

@dataclass(frozen=True)
class Occurrence:
    """A name written in the program: where, and whether it declares or defines it."""

    name: str
    span: Span
    binding: bool        # a declaration, definition or ``dims`` entry (not a use)


def _name_span(span: Span, name: str) -> Span:
    """The first ``len(name)`` characters of ``span`` (a ``dims`` item is ``n = 5``)."""
    width = min(len(name), _width(span)) or len(name)
    return span._replace(end_line=span.line, end_column=span.column + width, end=span.start + width)


def all_occurrences(program: Program) -> Iterator[Occurrence]:
    """Every name written in the program, in order: bindings and uses, size symbols included."""
    for stmt in program.statements:
        match stmt:
            case Dims(items=items):
                for item in items:
                    yield Occurrence(item.name, _name_span(item.span, item.name), True)
            case Decl(name=name, name_span=span, shape=shape):
                yield Occurrence(name, span, True)
                for size in shape.sizes:
                    if isinstance(size.value, str):
                        yield Occurrence(size.value, size.span, False)
            case Define(name=name, name_span=span, expr=expr):
                yield Occurrence(name, span, True)
                yield from _uses(expr)
            case Claim(deriv=deriv, expr=expr):
                yield from _uses(deriv)
                yield from _uses(expr)


def _uses(expr: Expr) -> Iterator[Occurrence]:
    for node in walk(expr):
        match node:
            case Name(id=name, span=span):
                yield Occurrence(name, span, False)
            case Deriv(num=num, den=den):
                yield Occurrence(num.id, num.span, False)
                yield Occurrence(den.id, den.span, False)


def occurrence_at(program: Program, offset: int) -> Occurrence | None:
    """The name written at ``offset``, if one is (its end counts, for a cursor just after it)."""
    stmt = statement_at(program, offset)
    if stmt is None:
        return None
    single = Program((stmt,), program.source_name)
    for occ in all_occurrences(single):
        if occ.span.start <= offset <= occ.span.end:
            return occ
    return None


def occurrences(program: Program, name: str) -> list[Span]:
    """Where ``name`` is written: its binding and every use."""
    return [occ.span for occ in all_occurrences(program) if occ.name == name]


def binding(program: Program, name: str) -> Span | None:
    """Where ``name`` is declared, defined or listed in ``dims`` (the first time)."""
    return next((occ.span for occ in all_occurrences(program) if occ.name == name and occ.binding), None)


def call_at(stmt: Stmt | None, offset: int) -> Call | None:
    """The call whose function name stands at ``offset``."""
    for root in expressions(stmt) if stmt is not None else ():
        for node in walk(root):
            if isinstance(node, Call) and node.func_span.start <= offset < node.func_span.end:
                return node
    return None
