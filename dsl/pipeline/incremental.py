"""Parsing a text again after an edit, reusing the statements it left alone.

An editor sends a new text on every keystroke, and most of it is the text
parsed a moment ago.  :func:`reparse` parses a source as ``syntax.parse``
does (the same statement ranges, each parsed by itself), but takes each
statement that lies wholly before the edit from the previous parse as it
was, and each that lies wholly after it from the previous parse with its
spans moved by the edit's length (lines moved by the lines it added);
only the statements the edit touched are parsed.  The result is equal to a
fresh parse of the new text (``tests/test_lsp_reparse.py`` compares them).
:class:`Shapes` does the same for the shape check: it resumes from an
environment saved before the first statement the edit changed.

    >>> from dsl.core.span import Source
    >>> old = reparse(Source("f", "x : 1 x 3\\ny = x @ x\\n"))
    >>> new = reparse(Source("f", "x : 1 x 3\\ny = x @ x\\nz = y\\n"), old)
    >>> new.parsed, new.program.statements[0] is old.program.statements[0]
    (1, True)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from dsl.core.ast import Program, Stmt, gc_paused
from dsl.core.diagnostics import Diagnostic, Sink
from dsl.core.span import Source, Span
from dsl.shapes import checker as shapes
from dsl.shapes.env import Env


@dataclass(frozen=True)
class Parsed:
    """A source parsed statement by statement, kept for the next :func:`reparse`."""

    source: Source
    ranges: tuple[tuple[int, int], ...]
    results: tuple[tuple[Stmt | None, tuple[Diagnostic, ...]], ...]    # one per range
    parsed: int = 0             # how many ranges were parsed rather than reused

    @property
    def program(self) -> Program:
        return Program(tuple(s for s, _ in self.results if s is not None), self.source.name)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for _, found in self.results for d in found]


def reparse(source: Source, previous: Parsed | None = None) -> Parsed:
    """``source`` parsed, reusing what ``previous`` (an earlier text of the same file) still holds."""
    from dsl.language import syntax  # deferred: Lark loads on the first parse
    text = source.text
    checked, past = syntax.statement_ranges(source)
    ranges = tuple(checked)
    old: dict[tuple[int, int], tuple[Stmt | None, tuple[Diagnostic, ...]]] = {}
    head = tail = 0
    if previous is not None and previous.source.name == source.name:
        old = dict(zip(previous.ranges, previous.results, strict=True))
        head, tail = _common_ends(previous.source.text, text)
    before = previous.source.text if previous is not None else ""
    shift = len(text) - len(before)
    lines = text.count("\n", 0, len(text) - tail) - before.count("\n", 0, len(before) - tail)
    results = []
    parsed = 0
    with gc_paused():
        for start, end in ranges:
            hit = None
            if end <= head:
                hit = old.get((start, end))
            elif text.rfind("\n", 0, start) + 1 >= len(text) - tail:
                moved = old.get((start - shift, end - shift))
                if moved is not None:
                    hit = _moved(moved, shift, lines) if shift or lines else moved
            if hit is None:
                node, found = syntax._parse_range(source, start, end, "statement")
                hit = (node, tuple(found))
                parsed += 1
            results.append(hit)
    if past is not None:            # the statements past the limit: one range, its diagnostic
        ranges += ((past[0], past[1]),)
        results.append((None, (past[2],)))
    return Parsed(source, ranges, tuple(results), parsed)


def _common_ends(a: str, b: str) -> tuple[int, int]:
    """The lengths of the longest common prefix and (not overlapping it) suffix of two texts."""
    limit = min(len(a), len(b))
    lo, hi = 0, limit
    while lo < hi:                              # the prefix, by halving (slices compare in C)
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    head = lo
    lo, hi = 0, limit - head
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return head, lo


def _moved(result: tuple[Stmt | None, tuple[Diagnostic, ...]], chars: int, lines: int):
    node, found = result

    def move(span: Span) -> Span:
        # tuple.__new__: a Span built without the named tuple's keyword handling (a third of the time)
        file, line, column, end_line, end_column, start, end, cell = span
        return _make_span(Span, (file, line + lines, column, end_line + lines, end_column,
                                 start + chars, end + chars, cell))

    return (None if node is None else _respan(node, move)), tuple(d.moved(move) for d in found)


_make_span = tuple.__new__
_UNSEEN, _PLAIN = object(), object()      # _PLAIN: a type with no spans inside (str, int, an Enum...)
_FIELDS: dict[type, Any] = {Span: None, tuple: None}
_NO_SPANS = frozenset({"str", "int", "float", "bool", "Op", "int | None", "str | None", "int | str"})
"""Field annotations of AST nodes that never hold a span: copied as they are."""


def _respan(value: Any, move) -> Any:
    """``value`` (an AST node, a tuple of them, a span, or a plain value) with every span moved."""
    kind = type(value)
    names = _FIELDS.get(kind, _UNSEEN)
    if names is _UNSEEN:
        names = _FIELDS[kind] = _spanned_fields(kind)
    if names is _PLAIN:
        return value
    if names is None:
        return move(value) if kind is Span else tuple([_respan(v, move) for v in value])
    copy = object.__new__(kind)
    slots = copy.__dict__
    slots.update(value.__dict__)
    for name in names:
        slots[name] = _respan(slots[name], move)
    return copy


def _spanned_fields(kind: type) -> Any:
    """The fields of a dataclass that may hold spans; _PLAIN for any other type."""
    if not is_dataclass(kind):
        return _PLAIN
    return tuple(f.name for f in fields(kind) if str(f.type) not in _NO_SPANS)


# ------------------------------------------------------------ checking again

SNAPSHOT_EVERY = 200
"""Statements between two saved environments of :class:`Shapes` (each a
copy of the tables so far: more often costs memory, less often re-checks)."""
_ASKS_AHEAD = frozenset({"E200", "E206"})
"""Codes whose hints look at the names given further down (``Env.ahead``)."""


@dataclass
class Shapes:
    """A program's shape check, kept so that the next one can resume it:
    the statements, the checker's diagnostics in statement order, and the
    environment saved before every :data:`SNAPSHOT_EVERY`-th statement."""

    statements: tuple[Stmt, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    snapshots: list[tuple[int, Env, int]] = field(default_factory=list)   # (statement, env, diagnostics)
    resumed_at: int = 0           # the statement the last check started from (0: it checked them all)

    def checker(self, previous: Shapes | None) -> Callable[[Program, Env | None], tuple[Env, list[Diagnostic]]]:
        """A ``check_program`` for ``check_source(check_shapes=...)`` that
        resumes ``previous`` (None: checks whole) and fills this record."""
        return lambda program, env: self._check(program, previous)

    def _check(self, program: Program, previous: Shapes | None) -> tuple[Env, list[Diagnostic]]:
        """The result of ``check_program(program)``: statements before the
        first that changed since ``previous`` are taken from a saved
        environment when no diagnostic before it depended on the names
        further down (those hints would have to be worded again)."""
        statements = program.statements
        start, env, found = 0, Env(), []
        snapshots: list[tuple[int, Env, int]] = []
        if previous is not None:
            same = 0
            for old, new in zip(previous.statements, statements, strict=False):
                if old is not new:
                    break
                same += 1
            usable = [s for s in previous.snapshots if s[0] <= same]
            if usable:
                start, saved, count = usable[-1]
                if not any(d.code in _ASKS_AHEAD for d in previous.diagnostics[:count]):
                    env, found = saved.copy(), list(previous.diagnostics[:count])
                    snapshots = [s for s in previous.snapshots if s[0] <= start]
                else:
                    start = 0
        sink = Sink(found)
        env.ahead = shapes.ahead_of(program)
        for i in range(start, len(statements)):
            if i % SNAPSHOT_EVERY == 0 and (not snapshots or snapshots[-1][0] != i):
                snapshots.append((i, env.copy(), len(sink.items)))
            shapes.check_statement(env, statements[i], sink)
        env.ahead = {}
        self.statements, self.diagnostics, self.snapshots = statements, list(sink.items), snapshots
        self.resumed_at = start
        return env, sink.items
