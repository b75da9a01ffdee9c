"""Lark callbacks: grammar rules -> the frozen AST of ``dsl.core.ast``.

One method per grammar rule or alias; the parser (``syntax``) calls them as
it reduces, so no parse tree is built and nothing recurses at any nesting.
Each returns ``(node, start, end, depth)``: offsets into the statement text
(brackets included) and the expression depth.  A statement the builder
refuses raises :class:`Reject`, which carries its diagnostic.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NoReturn, Protocol

from dsl.builtins import canonical
from dsl.core import messages
from dsl.core.ast import (
    Attr,
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Delta,
    Deriv,
    DimItem,
    Dims,
    Index,
    IndexForm,
    IndexSum,
    IndexVar,
    Keyword,
    Layout,
    Name,
    Neg,
    Number,
    Op,
    ShapeSpec,
    SizeRef,
    Transpose,
)
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.language.spelling import SPELLED

_INDEX = re.compile(r"[a-z][0-9]*'?")
_new_span = tuple.__new__   # Span(...) without the named tuple's Python-level __new__
MAX_DEPTH = 200          # deepest expression tree accepted (E104 beyond)
LAYOUTS = ("numerator", "denominator")


class Reject(Exception):
    """Raised while building the AST to refuse a statement with a diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Tok(Protocol):
    """A token as the lexer hands it to a callback: always positioned (Lark's ``Token`` is not)."""
    value: str
    start_pos: int
    end_pos: int


class Builder:
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
        if self.one_line:  # fast path: no line lookup, and the tuple built without Span's Python __new__
            line, shift = self.line, self.shift
            return _new_span(Span, (self.source.name, line, base + start + shift, line, base + end + shift,
                                    base + start, base + end, None))
        return self.source.span(base + start, base + end)

    def tspan(self, tok: _Tok) -> Span:
        base, start, end = self.base, tok.start_pos, tok.end_pos
        if self.one_line:
            line, shift = self.line, self.shift
            return _new_span(Span, (self.source.name, line, base + start + shift, line, base + end + shift,
                                    base + start, base + end, None))
        return self.source.span(base + start, base + end)

    def reject(self, code: str, start: int, end: int, **values) -> NoReturn:
        raise Reject(messages.make(code, self.span(start, end), **values))

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
    def gt(self, kids): return self._binop(Op.GT, kids)
    def ge(self, kids): return self._binop(Op.GE, kids)
    def lt(self, kids): return self._binop(Op.LT, kids)
    def le(self, kids): return self._binop(Op.LE, kids)

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
        name = "sum" if func.type in ("SUM", "SUM_SIGN") else raw if raw.isascii() else self.spell(raw, func.start_pos)
        node = Call(canonical(name), tuple(a for a in args if not isinstance(a, Keyword)),
                    tuple(a for a in args if isinstance(a, Keyword)), prime,
                    self.span(func.start_pos, right.end_pos), self.tspan(func))
        node = self._delta(node)
        for arg in node.args if isinstance(node, Call) else ():
            if isinstance(arg, Name) and arg.id.endswith("'"):
                raise Reject(messages.make("E100", arg.span, what=say("primed-argument", name=arg.id)))
        return self._expr(node, func.start_pos, right.end_pos, depth + 1)

    def _delta(self, node: Call):
        """``delta(i, j)``: a call of ``delta`` on two index-like names."""
        args = node.args
        if (node.func == "delta" and not node.prime and not node.keywords and len(args) == 2
                and all(isinstance(a, Name) and _INDEX.fullmatch(a.id) for a in args)):
            i, j = (IndexVar(a.id, a.span) for a in args if isinstance(a, Name))
            return Delta(i, j, node.span)
        return node

    def call_prime(self, kids):
        return self.call(kids, prime=True)

    # --------------------------------------------------- index notation
    def index_list(self, kids):
        found = tuple(IndexVar(tok.value, self.tspan(tok)) for tok in kids)
        return found, kids[0].start_pos, kids[-1].end_pos, 0

    def index(self, kids):
        (base, start, _, depth), _, (found, _, _, _), right = kids
        return self._expr(Index(base, found, self.span(start, right.end_pos)), start, right.end_pos, depth + 1)

    def index_sum(self, kids):
        word, _, (found, _, _, _), _, _, (body, _, _, depth), right = kids
        node = IndexSum(found, body, self.span(word.start_pos, right.end_pos))
        return self._expr(node, word.start_pos, right.end_pos, depth + 1)

    def arguments(self, kids):
        keyword_seen = False
        for arg, start, end, _ in kids:
            if isinstance(arg, Keyword):
                keyword_seen = True
            elif keyword_seen:
                raise Reject(messages.make(
                    "E100", self.span(start, end), what=say("positional-after-keyword"),
                    hint=say("positional-first")))
        return tuple(k[0] for k in kids), kids[0][1], kids[-1][2], max(k[3] for k in kids)

    def primed_index(self, kids):
        tok = kids[0]
        return Name(tok.value, self.tspan(tok)), tok.start_pos, tok.end_pos, 1

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
        """``r x c``, ``b x n x d``, ...: every size (the separators are tokens)."""
        sizes = kids[::2]
        start, end = sizes[0][1], sizes[-1][2]
        return ShapeSpec(tuple(k[0] for k in sizes), self.span(start, end)), start, end, 0

    def scalar_shape(self, kids):
        tok = kids[0]
        return ShapeSpec((), self.tspan(tok)), tok.start_pos, tok.end_pos, 0

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

    def define_indexed(self, kids):
        tok, _, (found, _, _, _), _, (value, vstart, end, _) = kids
        form = IndexForm(found, value, self.span(vstart, end))
        node = Define(self.ident(tok), form, self.span(tok.start_pos, end), self.tspan(tok), found)
        return self._stmt(node, tok.start_pos, end)

    def claim_indexed(self, kids):
        tok, _, (found, _, _, _), right, (value, _, end, _) = kids
        plain = self.derivative(tok)
        deriv = Deriv(plain.num, plain.den, self.span(tok.start_pos, right.end_pos), (), found)
        return self._stmt(Claim(deriv, value, self.span(tok.start_pos, end)), tok.start_pos, end)

    def claim_entry(self, kids):
        num, _, (num_found, _, _, _), _, _, den, _, (den_found, _, _, _), right, (value, _, end, _) = kids
        names = []
        for tok in (num, den):
            if len(tok.value) < 2 or tok.value[0] != "d":
                self.reject("E100", tok.start_pos, tok.end_pos, what=say("entry-claim-d", name=tok.value))
            names.append(Name(self.spell(tok.value[1:], tok.start_pos + 1) if not tok.value.isascii()
                              else tok.value[1:], self.span(tok.start_pos + 1, tok.end_pos)))
        deriv = Deriv(names[0], names[1], self.span(num.start_pos, right.end_pos), num_found, den_found)
        return self._stmt(Claim(deriv, value, self.span(num.start_pos, end)), num.start_pos, end)

    def layout(self, kids):
        keyword, kind = kids
        if kind.value not in LAYOUTS:
            self.reject("E403", kind.start_pos, kind.end_pos,
                        what=say("layout-word", kind=kind.value))
        return self._stmt(Layout(kind.value, self.span(keyword.start_pos, kind.end_pos)),
                          keyword.start_pos, kind.end_pos)
