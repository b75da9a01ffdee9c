"""Text to AST: the Lark parser, tokens -> AST.

This is the only module that imports ``lark``.  The grammar
(``grammar/chainrule.lark``) describes one statement; :func:`parse` splits a
file into statements (``statements.split_statements``: one per line,
continued after an operator or inside an open bracket), parses each one
separately, and returns the frozen AST of ``dsl.core.ast`` with absolute
spans into the :class:`~dsl.core.span.Source`.

Contract: nothing here raises on bad input.  Every problem becomes a
:class:`~dsl.diagnostics.Diagnostic` (E100-E104, E403) and the statement that
carries it is left out of the :class:`~dsl.ast.Program`; the statements
around it are still parsed.  Expressions deeper than :data:`MAX_DEPTH` are
refused (E104), so later passes may recurse on the AST safely.

How: Lark builds the LALR parser from the grammar; where Lark's Cython
plugin (``lark_cython``) is installed, a second instance uses it for the
statements that parse, and a statement with an error is parsed again by plain
Lark so that every message is Lark's.  Either way the AST is built by Lark
callbacks (:class:`~dsl.language.callbacks.Builder`) as the parser reduces: no parse tree, no
recursion at any nesting.  Spans come from the tokens the grammar keeps
(brackets, operators, ``.T``, keywords), so a parenthesised operand's span
includes its brackets; Lark's position propagation is not used, as it
doubles the parse time.

    >>> program, diagnostics = parse_text("a = x @ W1 + b1")
    >>> program.statements[0].expr.op
    <Op.ADD: '+'>
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import cast

import lark
from lark import Lark
from lark.exceptions import LarkError, UnexpectedInput

from dsl.core import messages
from dsl.core.ast import Expr, Program, Stmt, gc_paused
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source
from dsl.core.wording import say
from dsl.language.callbacks import LAYOUTS, MAX_DEPTH, Builder, Reject  # noqa: F401 (re-exported)
from dsl.language.statements import is_statement, needs_more, split_statements  # noqa: F401 (re-exported)
from dsl.language.syntax_errors import BLANK as _BLANK, describe

_HERE = Path(__file__).resolve().parent.parent   # dsl/
GRAMMAR_FILES = (_HERE / "grammar" / "chainrule.lark",          # installed: dsl/grammar
                 _HERE.parent / "grammar" / "chainrule.lark")   # source tree


@functools.cache
def grammar_text() -> str:
    """The text of ``chainrule.lark``."""
    path = next((p for p in GRAMMAR_FILES if p.exists()), GRAMMAR_FILES[-1])
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------ built parsers

def cache_dir() -> Path | None:
    """Where built parsers are kept: ``$CHAINRULE_CACHE``, else
    ``$XDG_CACHE_HOME/chainrule`` (``~/.cache/chainrule``); None when it
    cannot be made or written (then parsers are built in every process)."""
    root = os.environ.get("CHAINRULE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "chainrule")
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return Path(root) if os.access(root, os.W_OK | os.X_OK) else None


def cache_path(name: str, grammar: str) -> Path | None:
    """The file in :func:`cache_dir` for the parser ``name`` built from
    ``grammar``: its name holds a digest of the grammar and of Lark's and
    Python's versions, so a changed grammar never meets a stale file."""
    folder = cache_dir()
    if folder is None:
        return None
    import hashlib  # only when a cache is used
    digest = hashlib.sha256("\0".join((grammar, name, lark.__version__, sys.version)).encode("utf-8")).hexdigest()
    return folder / f"{name}-{digest[:24]}.lark"


def cached_lark(name: str, grammar: str, **options) -> Lark:
    """``Lark(grammar, **options)``, kept in :func:`cache_path` by Lark's own
    cache (``cache=PATH``: the built tables pickled, with a digest of the
    grammar and options that Lark checks before loading), so that later
    processes load the tables instead of computing them (about 5 ms against
    60).  ``name`` names the options (plugins included, which Lark's digest
    leaves out).  A cache that cannot be written is passed over silently
    (Lark's logger stays quiet), and one that cannot be read is rebuilt."""
    path = cache_path(name, grammar)
    if path is None:
        return Lark(grammar, **options)
    return Lark(grammar, cache=str(path), **options)


_local = threading.local()


def _machine() -> _Machine:
    """This thread's parser, built on first use (about 50 ms).  One per thread
    because the callbacks hold the statement being parsed."""
    machine = getattr(_local, "machine", None)
    if machine is None:
        machine = _local.machine = _Machine()
    return machine


# ------------------------------------------------------------- public API

def parse(source: Source) -> tuple[Program, list[Diagnostic]]:
    """Parse a whole derivation; bad statements become diagnostics."""
    statements: list[Stmt] = []
    diagnostics: list[Diagnostic] = []
    ranges, past = statement_ranges(source)
    with gc_paused():
        for start, end in ranges:
            node, found = _parse_range(source, start, end, "statement")
            if node is not None:
                statements.append(node)
            diagnostics.extend(found)
    if past is not None:
        diagnostics.append(past[2])
    return Program(tuple(statements), source.name), diagnostics


MAX_STATEMENTS = 100_000      # statements checked in one file (five times the 20,000-line benchmark's)
MAX_STATEMENT_CHARS = 100_000  # characters of one statement (E105 beyond)


def statement_ranges(source: Source) -> tuple[list[tuple[int, int]], tuple[int, int, Diagnostic] | None]:
    """The statements of ``source`` that are checked (at most
    :data:`MAX_STATEMENTS`) and, when there are more, the range of the rest
    with the ``E900`` that says so, located at the first one left out."""
    ranges = split_statements(source.text)
    if len(ranges) <= MAX_STATEMENTS:
        return ranges, None
    start = ranges[MAX_STATEMENTS][0]
    what = say("too-many-statements", path=source.name, count=f"{len(ranges):,}", limit=f"{MAX_STATEMENTS:,}")
    return ranges[:MAX_STATEMENTS], (start, len(source.text), messages.make("E900", source.span(start, start + 1),
                                                                          what=what))


def parse_text(text: str, name: str = "<input>") -> tuple[Program, list[Diagnostic]]:
    """``parse`` of a string: ``parse_text("dims n")``."""
    return parse(Source(name, text))


def parse_expr(text: str, name: str = "<expr>") -> tuple[Expr | None, list[Diagnostic]]:
    """One expression, e.g. ``parse_expr("x @ W.T")``; ``None`` with diagnostics if bad."""
    return _parse_range(Source(name, text), 0, len(text.rstrip(_BLANK + "\n")), "expr")


def parse_statement(text: str, name: str = "<input>") -> tuple[Stmt | None, list[Diagnostic]]:
    """The whole text as one statement (the REPL's unit): ``parse_statement("a = x")``."""
    return _parse_range(Source(name, text), 0, len(text.rstrip(_BLANK + "\n")), "statement")


# ----------------------------------------------------------- one statement

def _parse_range(source: Source, start: int, end: int, rule: str, fast: bool = True):
    """Parse ``source.text[start:end]`` from grammar rule ``rule``: by the
    accelerated parser when there is one, else (and always for errors, so
    their wording is Lark's) by Lark itself."""
    if end - start > MAX_STATEMENT_CHARS:
        stop = source.text.find("\n", start, end)
        return None, [messages.make("E105", source.span(start, end if stop < 0 else stop),
                                    length=f"{end - start:,}", limit=f"{MAX_STATEMENT_CHARS:,}")]
    text = source.text[start:end]
    machine = _machine()
    machine.builder.begin(source, start, text)
    # With a transformer a parse returns the start rule's callback result (Lark types it as a tree).
    try:
        if fast and machine.fast_parse is not None:
            try:
                return cast(tuple, machine.fast_parse(text, rule))[0], []
            except Reject:
                raise
            except Exception:  # noqa: BLE001  (any failure of the fast parser: Lark itself words the error below)
                pass
        return cast(tuple, machine.lark.parse(text, start=rule))[0], []
    except Reject as reject:
        return None, [reject.diagnostic]
    except UnexpectedInput as err:
        return None, describe(source, start, text, err)
    except LarkError as err:  # not raised for input errors by lark 1.x; kept for totality
        return None, [messages.make("E100", source.span(start, end), what=str(err)[:200])]
    finally:
        machine.builder.begin(None, 0, "")


class _Machine:
    """Lark (the grammar's tables, and every error message), the AST
    callbacks, and the same parser accelerated by Lark's Cython plugin
    (``lark_cython``) when that is installed."""

    def __init__(self) -> None:
        self.builder = Builder()
        self._options = {"parser": "lalr", "lexer": "contextual", "transformer": self.builder,
                         "propagate_positions": False, "maybe_placeholders": False,
                         "start": ["statement", "expr"]}
        self._lark: Lark | None = None
        self.fast = None
        self.fast_parse: Callable[[str, str], object] | None = None
        try:
            import lark_cython  # deferred: the optional accelerator (extra "fast"), tried when the parser is built
            self.fast = self._built("chainrule-cython", _plugins=lark_cython.plugins)
        except Exception:  # noqa: BLE001  (lark_cython not installed or not built for this platform: Lark alone)
            self.fast = None
        if self.fast is not None:
            self.fast_parse = direct_parse(self.fast)

    def _built(self, name: str, **plugins) -> Lark:
        return cached_lark(name, grammar_text(), **self._options, **plugins)

    @property
    def lark(self) -> Lark:
        """Plain Lark, built (or loaded, see :func:`cached_lark`) on first
        need: with the accelerator a file without syntax errors never needs it."""
        if self._lark is None:
            self._lark = self._built("chainrule")
        return self._lark



# ------------------------------------------------------- the parse loop

class _Reduction:
    """A grammar rule as the parse table's reduce actions name it: the two
    fields the LALR loop reads, and identity for hash and equality.  Lark's
    own ``Rule`` hashes and compares in Python, and the table loaded from the
    cache holds copies of the rules rather than the callbacks' keys, so every
    reduction of a parse compared two rules field by field."""

    __slots__ = ("expansion", "origin")

    def __init__(self, rule) -> None:
        self.origin, self.expansion = rule.origin, rule.expansion


def direct_parse(parser: Lark) -> Callable[[str, str], object]:
    """``parser.parse(text, start=rule)`` without Lark's per-call layers,
    for a parser whose tables and callbacks this module built: the reduce
    actions name :class:`_Reduction` keys (see there), a rule that only
    passes its single child up (``?sum: product``) has ``itemgetter(0)`` as
    its callback instead of a Python wrapper, and the parser is called
    directly with a new lexer thread.  The statements, callbacks and results
    are Lark's own; when Lark's internals are not as expected the parser is
    left untouched and its ``parse`` is returned."""
    from lark.parse_tree_builder import ExpandSingleChild  # deferred: only when an accelerated parser is built
    from lark.parsers.lalr_analysis import Reduce  # deferred: likewise
    try:
        frontend = parser.parser
        inner, lexer = frontend.parser.parser, frontend.lexer
        thread = parser.options._plugins["LexerThread"]
        callbacks = parser._callbacks
        states = frontend.parser._parse_table.states
        keys = {rule: _Reduction(rule) for rule in callbacks if not isinstance(rule, str)}
        actions = [(row, token, keys[arg]) for row in states.values()
                   for token, (action, arg) in row.items() if action is Reduce]
    except (AttributeError, KeyError, TypeError):
        return lambda text, start: parser.parse(text, start=start)
    for rule, key in keys.items():
        callback = callbacks[rule]
        if type(callback) is ExpandSingleChild and len(rule.expansion) == 1:
            callback = itemgetter(0)
        callbacks[key] = callback
    for row, token, key in actions:
        row[token] = (Reduce, key)

    def parse(text: str, start: str) -> object:
        return inner.parse(thread.from_text(lexer, text), start)
    return parse
