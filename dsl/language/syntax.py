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
callbacks (:class:`_Builder`) as the parser reduces: no parse tree, no
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
import threading
import unicodedata
from pathlib import Path
from typing import NoReturn, Protocol, cast

from lark import Lark
from lark.exceptions import LarkError, UnexpectedInput

from dsl.builtins import canonical
from dsl.core import messages
from dsl.core.ast import (
    Attr,
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Deriv,
    DimItem,
    Dims,
    Expr,
    Keyword,
    Layout,
    Name,
    Neg,
    Number,
    Op,
    Program,
    ShapeSpec,
    SizeRef,
    Stmt,
    Transpose,
    gc_paused,
)
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.language.spelling import SPELLED
from dsl.language.statements import is_statement, needs_more, split_statements  # noqa: F401 (re-exported)
from dsl.language.syntax_errors import BLANK as _BLANK, describe

MAX_DEPTH = 200          # deepest expression tree accepted (E104 beyond)
LAYOUTS = ("numerator", "denominator")

_HERE = Path(__file__).resolve().parent.parent   # dsl/
GRAMMAR_FILES = (_HERE / "grammar" / "chainrule.lark",          # installed: dsl/grammar
                 _HERE.parent / "grammar" / "chainrule.lark")   # source tree


@functools.cache
def grammar_text() -> str:
    """The text of ``chainrule.lark``."""
    path = next((p for p in GRAMMAR_FILES if p.exists()), GRAMMAR_FILES[-1])
    return path.read_text(encoding="utf-8")


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
    with gc_paused():
        for start, end in split_statements(source.text):
            node, found = _parse_range(source, start, end, "statement")
            if node is not None:
                statements.append(node)
            diagnostics.extend(found)
    return Program(tuple(statements), source.name), diagnostics


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

class _Reject(Exception):
    """Raised while building the AST to refuse a statement with a diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _parse_range(source: Source, start: int, end: int, rule: str, fast: bool = True):
    """Parse ``source.text[start:end]`` from grammar rule ``rule``: by the
    accelerated parser when there is one, else (and always for errors, so
    their wording is Lark's) by Lark itself."""
    text = source.text[start:end]
    machine = _machine()
    machine.builder.begin(source, start, text)
    # With a transformer a parse returns the start rule's callback result (Lark types it as a tree).
    try:
        if fast and machine.fast is not None:
            try:
                return cast(tuple, machine.fast.parse(text, start=rule))[0], []
            except _Reject:
                raise
            except Exception:  # noqa: BLE001  (any failure of the fast parser: Lark itself words the error below)
                pass
        return cast(tuple, machine.lark.parse(text, start=rule))[0], []
    except _Reject as reject:
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
        self.builder = _Builder()
        self._options = {"parser": "lalr", "lexer": "contextual", "transformer": self.builder,
                         "propagate_positions": False, "maybe_placeholders": False,
                         "start": ["statement", "expr"]}
        self._lark: Lark | None = None
        self.fast = None
        try:
            import lark_cython  # the optional accelerator (extra "fast"), tried when the parser is built
            self.fast = Lark(grammar_text(), _plugins=lark_cython.plugins, **self._options)
        except Exception:  # noqa: BLE001  (lark_cython not installed or not built for this platform: Lark alone)
            self.fast = None

    @property
    def lark(self) -> Lark:
        """Plain Lark, built on first need: with the accelerator a file without
        syntax errors never needs it (building costs about 80 ms)."""
        if self._lark is None:
            self._lark = Lark(grammar_text(), **self._options)
        return self._lark


class _Tok(Protocol):
    """A token as the lexer hands it to a callback: always positioned (Lark's ``Token`` is not)."""
    value: str
    start_pos: int
    end_pos: int


class _Builder:
    """Lark callbacks, one per grammar rule or alias, building the AST as the
    parser reduces.  Each returns ``(node, start, end, depth)``: offsets into
    the statement text (brackets included) and the expression depth.  Lark
    looks callbacks up by rule name, so helpers that share a name with a
    grammar rule (expr, statement) are prefixed with ``_``."""

    _NO_SOURCE = Source("", "")  # the source between parses: no reference to the last one is kept

    def __init__(self) -> None:
        self.begin(None, 0, "")

    def begin(self, source: Source | None, base: int, text: str) -> None:
        self.source: Source = self._NO_SOURCE if source is None else source
        self.base, self.one_line = base, "\n" not in text
        if source is not None and self.one_line:
            line, column = source.position(base)
            self.line, self.shift = line, column - base

    def span(self, start: int, end: int) -> Span:
        base = self.base
        if self.one_line:  # fast path: no line lookup
            line, shift = self.line, self.shift
            return Span(self.source.name, line, base + start + shift, line, base + end + shift,
                        base + start, base + end)
        return self.source.span(base + start, base + end)

    def tspan(self, tok: _Tok) -> Span:
        return self.span(tok.start_pos, tok.end_pos)

    def reject(self, code: str, start: int, end: int, **values) -> NoReturn:
        raise _Reject(messages.make(code, self.span(start, end), **values))

    # ----------------------------------------------------------- names
    def ident(self, tok: _Tok) -> str:
        value = tok.value
        return value if value.isascii() else self.spell(value, tok.start_pos)

    def spell(self, raw: str, at: int) -> str:
        """A name with Unicode letters, in ASCII (θ̂ -> thetahat)."""
        out = []
        for ch in unicodedata.normalize("NFD", raw):
            ascii_ = ch if ch.isascii() else SPELLED.get(ch)
            if ascii_ is None:
                self.reject("E100", at, at + len(raw),
                            what=say("not-a-name", name=unicodedata.normalize("NFC", raw)),
                            hint=say("ascii-names"))
            out.append(ascii_)
        return "".join(out)

    def derivative(self, tok: _Tok) -> Deriv:
        """``dL/dx`` or ``∂ L / ∂ x``: the names on either side of the slash."""
        text = tok.value
        slash = text.index("/")
        den_at = slash + 2 if text[slash + 1] == "d" else text.index("∂", slash) + 1
        parts = []
        for lo, hi in ((1, slash), (den_at, len(text))):
            raw = text[lo:hi]
            at = tok.start_pos + lo + len(raw) - len(raw.lstrip())
            raw = raw.strip()
            name = raw if raw.isascii() else self.spell(raw, at)
            parts.append(Name(name, self.span(at, at + len(raw))))
        return Deriv(parts[0], parts[1], self.tspan(tok))

    def integer(self, tok: _Tok) -> int:
        try:
            return int(tok.value)
        except ValueError:  # longer than Python's int-from-text limit
            self.reject("E100", tok.start_pos, tok.end_pos, what=say("number-too-long", start=tok.value[:12]))

    # ------------------------------------------------------ expressions
    def _expr(self, node, start: int, end: int, depth: int):
        if depth > MAX_DEPTH:
            self.reject("E104", start, end, limit=MAX_DEPTH)
        return node, start, end, depth

    def _binop(self, op: Op, kids):
        (left, start, _, d1), tok, (right, _, end, d2) = kids
        return self._expr(BinOp(op, left, right, self.span(start, end), self.tspan(tok)),
                          start, end, max(d1, d2) + 1)

    def add(self, kids): return self._binop(Op.ADD, kids)
    def sub(self, kids): return self._binop(Op.SUB, kids)
    def matmul(self, kids): return self._binop(Op.MATMUL, kids)
    def mul(self, kids): return self._binop(Op.MUL, kids)
    def div(self, kids): return self._binop(Op.DIV, kids)
    def pow(self, kids): return self._binop(Op.POW, kids)

    def neg(self, kids):
        tok, (operand, _, end, depth) = kids
        return self._expr(Neg(operand, self.span(tok.start_pos, end)), tok.start_pos, end, depth + 1)

    def transpose(self, kids):
        (operand, start, _, depth), tok = kids
        return self._expr(Transpose(operand, self.span(start, tok.end_pos)), start, tok.end_pos,
                          depth + 1)

    def name(self, kids):
        tok = kids[0]
        return Name(self.ident(tok), self.tspan(tok)), tok.start_pos, tok.end_pos, 1

    def number(self, kids):
        tok = kids[0]
        return Number(float(tok.value), tok.value, self.tspan(tok)), tok.start_pos, tok.end_pos, 1

    def deriv(self, kids):
        tok = kids[0]
        return self.derivative(tok), tok.start_pos, tok.end_pos, 1

    def group(self, kids):
        left, (node, _, _, depth), right = kids
        return node, left.start_pos, right.end_pos, depth

    def call(self, kids, prime: bool = False):
        func, right = kids[0], kids[-1]
        located = kids[2] if len(kids) == 4 else ((), 0, 0, 0)
        args, depth = located[0], located[3]
        raw = func.value[:-1] if prime else func.value
        name = raw if raw.isascii() else self.spell(raw, func.start_pos)
        node = Call(canonical(name), tuple(a for a in args if not isinstance(a, Keyword)),
                    tuple(a for a in args if isinstance(a, Keyword)), prime,
                    self.span(func.start_pos, right.end_pos), self.tspan(func))
        return self._expr(node, func.start_pos, right.end_pos, depth + 1)

    def call_prime(self, kids):
        return self.call(kids, prime=True)

    def arguments(self, kids):
        keyword_seen = False
        for arg, start, end, _ in kids:
            if isinstance(arg, Keyword):
                keyword_seen = True
            elif keyword_seen:
                raise _Reject(messages.make(
                    "E100", self.span(start, end), what=say("positional-after-keyword"),
                    hint=say("positional-first")))
        return tuple(k[0] for k in kids), kids[0][1], kids[-1][2], max(k[3] for k in kids)

    def keyword(self, kids):
        tok, (value, _, end, depth) = kids
        return Keyword(self.ident(tok), value, self.span(tok.start_pos, end)), tok.start_pos, end, depth

    # ------------------------------------------------------- statements
    def _stmt(self, node, start: int, end: int):
        return node, start, end, 0

    def dims(self, kids):
        end = kids[-1][2]
        return self._stmt(Dims(tuple(k[0] for k in kids[1:]), self.span(kids[0].start_pos, end)),
                          kids[0].start_pos, end)

    def dim_item(self, kids):
        tok, end = kids[0], kids[-1].end_pos
        value = self.integer(kids[1]) if len(kids) > 1 else None
        return DimItem(self.ident(tok), value, self.span(tok.start_pos, end)), tok.start_pos, end, 0

    def decl(self, kids):
        tok, (shape, _, end, _), *attrs = kids
        end = attrs[-1][2] if attrs else end
        node = Decl(self.ident(tok), shape, tuple(a[0] for a in attrs),
                    self.span(tok.start_pos, end), self.tspan(tok))
        return self._stmt(node, tok.start_pos, end)

    def matrix_shape(self, kids):
        (rows, start, _, _), _, (cols, _, end, _) = kids
        return ShapeSpec(rows, cols, self.span(start, end)), start, end, 0

    def scalar_shape(self, kids):
        tok = kids[0]
        return ShapeSpec(None, None, self.tspan(tok)), tok.start_pos, tok.end_pos, 0

    def rows(self, kids):
        tok = kids[0]
        value = self.integer(tok) if tok.type == "INT" else self.ident(tok)
        return SizeRef(value, self.tspan(tok)), tok.start_pos, tok.end_pos, 0

    cols = rows

    def attr(self, kids):
        tok = kids[0]
        return Attr(self.ident(tok), self.tspan(tok)), tok.start_pos, tok.end_pos, 0

    def define(self, kids):
        tok, (value, _, end, _) = kids
        node = Define(self.ident(tok), value, self.span(tok.start_pos, end), self.tspan(tok))
        return self._stmt(node, tok.start_pos, end)

    def claim(self, kids):
        tok, (value, _, end, _) = kids
        return self._stmt(Claim(self.derivative(tok), value, self.span(tok.start_pos, end)),
                          tok.start_pos, end)

    def layout(self, kids):
        keyword, kind = kids
        if kind.value not in LAYOUTS:
            self.reject("E403", kind.start_pos, kind.end_pos,
                        what=say("layout-word", kind=kind.value))
        return self._stmt(Layout(kind.value, self.span(keyword.start_pos, kind.end_pos)),
                          keyword.start_pos, kind.end_pos)
