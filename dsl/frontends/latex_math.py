"""LaTeX math -> chainrule text.  The only module that reads LaTeX with Lark.

Contract: :func:`translate` takes ONE side of an equation (the text between
two top-level ``=``) and returns a :class:`Translation` (chainrule text, the
names it uses, and a token-level offset map back into the side's text) or an
:class:`Unreadable` (what could not be read, and where).  It never raises on
input and never guesses: whatever ``grammar/latex_math.lark`` does not
describe is unreadable.

    >>> translate(r"\\frac{\\partial L}{\\partial x}").text
    'dL/dx'
    >>> translate(r"((\\hat y - y) W_2^T) \\circ \\sigma'(a) W_1").text
    "(yhat - y) @ W2.T * (sigma'(a) @ W1)"

Choices that need context take it from the caller: ``known`` names keep a
run of letters whole (``logits``); otherwise a run is one name per letter as
in TeX (``xW`` is ``x @ W``).  ``scalars`` (size symbols, scalar inputs) make
a product a scaling: ``\\frac{1}{m} X`` is ``1 / m * X``, not ``@``.

Positions: every emitted token carries the range of the side it came from, so
a diagnostic on a sub-expression maps to the right columns of the formula.
An implicit ``@`` maps to the gap between its operands and parentheses added
for precedence to their operand: columns are exact for names, operators and
functions, approximate for what LaTeX spells in several groups.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from lark import Lark, Token, Transformer, logger as lark_logger
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..functions import FUNCTIONS, canonical

_HERE = Path(__file__).resolve().parent.parent
_GRAMMAR_FILES = (_HERE / "grammar" / "latex_math.lark",          # installed: dsl/grammar
                  _HERE.parent / "grammar" / "latex_math.lark")   # source tree
MAX_LENGTH = 4000     # characters in one side of an equation
MAX_NESTING = 60      # brackets and braces
Range = tuple[int, int]


@dataclass(frozen=True)
class Translation:
    text: str                                       # chainrule expression
    pieces: tuple[tuple[int, int, int, int], ...]   # (text start, end, side start, end)
    names: frozenset[str]                           # names used (not functions)
    name: str | None = None                         # the whole side is this plain name
    deriv: tuple[str, str] | None = None            # the whole side is dA/dB
    scalar: bool = False                            # reads as a scalar
    grouping: str | None = None     # fully parenthesised, when juxtaposition grouping matters
    alt: str | None = None          # juxtaposition read at the level of '*', when different


@dataclass(frozen=True)
class Unreadable:
    what: str
    start: int
    end: int


# ------------------------------------------------------------ chainrule side

@dataclass(frozen=True)
class Name:
    stem: str
    span: Range
    sub: str = ""

    @property
    def id(self) -> str:
        return self.stem + self.sub


@dataclass(frozen=True)
class Num:
    text: str
    span: Range


@dataclass(frozen=True)
class Deriv:
    num: str
    den: str
    span: Range


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple
    prime: bool
    span: Range
    fspan: Range


@dataclass(frozen=True)
class Transpose:
    x: object
    span: Range
    tspan: Range


@dataclass(frozen=True)
class Neg:
    x: object
    span: Range


@dataclass(frozen=True)
class Bin:
    op: str
    left: object
    right: object
    span: Range
    opspan: Range


@dataclass(frozen=True)
class Head:
    """A function not yet applied: ``\\log``, ``\\sigma'``, ``\\tanh^2``."""
    func: str
    span: Range
    prime: bool = False
    power: str | None = None
    fallback: str | None = None      # read as this name when nothing follows (\sigma)


@dataclass(frozen=True)
class Partial:
    span: Range


class Stop(Exception):
    def __init__(self, what: str, span: Range):
        super().__init__(what)
        self.what, self.span = what, span


# ------------------------------------------------------------------ parser

@dataclass(frozen=True)
class Raw:
    """A parse-tree node reduced to its rule name, range and children."""
    kind: str
    span: Range
    kids: tuple


class _ToRaw(Transformer):
    def __default__(self, data, children, meta):
        spans = [_tspan(c) for c in children] or [(0, 0)]
        return Raw(str(data), (min(s for s, _ in spans), max(e for _, e in spans)), tuple(children))


@functools.cache
def parser() -> Lark:
    """The LaTeX parser, built once; a grammar conflict is a defect shown here."""
    path = next((p for p in _GRAMMAR_FILES if p.exists()), _GRAMMAR_FILES[-1])
    conflicts: list[str] = []

    class _Catch(logging.Handler):
        def emit(self, record):
            if "conflict" in record.getMessage():
                conflicts.append(record.getMessage())

    handler, level = _Catch(), lark_logger.level
    lark_logger.addHandler(handler)
    lark_logger.setLevel(logging.DEBUG)
    try:
        built = Lark(path.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                     maybe_placeholders=False)
    finally:
        lark_logger.removeHandler(handler)
        lark_logger.setLevel(level)
    if conflicts:
        raise RuntimeError(f"{path.name}: {conflicts[0]}")
    return built


_CONTROL = re.compile(r"\\([A-Za-z]+|.)", re.S)
_DELIMS = {r"\|": "norm", r"\Vert": "norm", "‖": "norm", "|": "abs", r"\vert": "abs",
           r"\lVert": "norm+", r"\rVert": "norm-", r"\lvert": "abs+", r"\rvert": "abs-"}
_SPELL = {"norm": (r"\lVert ", r"\rVert "), "abs": (r"\lvert ", r"\rvert ")}


def _delimit(text: str) -> tuple[str, list[int]]:
    """Spell ``\\|`` and ``|`` as opening or closing (they alternate), which
    LALR cannot decide; returns the text and each character's original index."""
    out, back, is_open = [], [], {"norm": False, "abs": False}
    i = 0
    while i < len(text):
        m = _CONTROL.match(text, i) if text[i] == "\\" else None
        word = m.group(0) if m else text[i]
        kind = _DELIMS.get(word)
        if kind:
            base = kind.rstrip("+-")
            is_open[base] = kind.endswith("+") or (not kind.endswith("-") and not is_open[base])
            new = _SPELL[base][0 if is_open[base] else 1]
            back.extend([i] * len(new))
        else:
            new = word
            back.extend(range(i, i + len(word)))
        out.append(new)
        i += len(word)
    back.append(len(text))
    return "".join(out), back


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth = max(0, depth - 1)
    return deepest


# ------------------------------------------------------------------ public

def translate(side: str, *, known=frozenset(), scalars=frozenset()) -> Translation | Unreadable:
    """One side of an equation as chainrule text, or what stops reading it."""
    if not side.strip():
        return Unreadable("there is nothing on this side of the '='", 0, len(side))
    if len(side) > MAX_LENGTH or _nesting(side) > MAX_NESTING:
        return Unreadable("the formula is too long or nested too deeply to read", 0, len(side))
    text, back = _delimit(side)

    def orig(span: Range) -> Range:
        s = max(0, min(span[0], len(back) - 1))
        e = max(s, min(span[1], len(back) - 1))
        return (back[s], back[e - 1] + 1) if e > s else (back[s], back[s])

    try:
        raw = _ToRaw().transform(parser().parse(text))
        reader = Reader(text, frozenset(known), frozenset(scalars))
        node = reader.value(reader.expr(raw, flat=False))
        alt = reader.value(reader.expr(raw, flat=True))
    except UnexpectedInput as err:
        return _syntax_problem(err, text, orig)
    except Stop as stop:
        return Unreadable(stop.what, *orig(stop.span))
    except RecursionError:
        return Unreadable("the formula is too long or nested too deeply to read", 0, len(side))
    out, pieces = render(node)
    alt_text = render(alt)[0]
    grouping = render(node, explicit=True)[0] if alt_text != out else None
    return Translation(out, tuple((gs, ge, *orig((ss, se))) for gs, ge, ss, se in pieces),
                       names(node), name=node.id if isinstance(node, Name) else None,
                       deriv=(node.num, node.den) if isinstance(node, Deriv) else None,
                       scalar=scalar_like(node, frozenset(scalars)),
                       grouping=grouping, alt=alt_text if grouping else None)


def _syntax_problem(err: UnexpectedInput, text: str, orig) -> Unreadable:
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        at = len(text.rstrip())
        return Unreadable("the formula ends too early (a missing operand or closing bracket)",
                          *orig((max(0, at - 1), at)))
    pos = err.token.start_pos if isinstance(err, UnexpectedToken) else err.pos_in_stream
    pos = max(0, min(pos or 0, len(text) - 1))
    m = _CONTROL.match(text, pos) if text[pos] == "\\" else None
    word = (m.group(0) if m else text[pos]).strip()
    if isinstance(err, UnexpectedCharacters):
        return Unreadable(f"'{word}' is not part of the LaTeX that chainrule reads",
                          *orig((pos, pos + max(1, len(word)))))
    return Unreadable(f"'{word}' is not expected here", *orig((pos, pos + max(1, len(word)))))


def greek_name(symbol: str) -> str:
    """``\\theta`` or ``θ`` -> ``theta`` (variant forms spelled as the letter)."""
    if symbol.startswith("\\"):
        name = symbol[1:]
        return {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varpi": "pi",
                "varrho": "rho", "varsigma": "sigma"}.get(name, name)
    spelled = unicodedata.name(symbol, "x").split()[-1].lower().replace("lamda", "lambda")
    return spelled.capitalize() if symbol.isupper() else spelled


def function_name(word: str) -> str | None:
    """The chainrule function a LaTeX word names (``Diag`` -> diag), if any."""
    if len(word) < 2:
        return None
    w = word.lower()
    w = canonical({"ln": "log", "sigmoid": "sigma", "tr": "trace"}.get(w, w))
    return w if w in FUNCTIONS else None


# ------------------------------------------------------------------ reading

_PRODUCT = {"hadamard", "cdot", "times", "star", "slash"}
_TRANSPOSES = {"T", r"\top", r"\intercal", r"\mathsfT", r"\mathrmT", r"\rmT", r"\sfT",
               r"\textsfT", r"\textrmT", "ᵀ"}
_TEXTUAL = {r"\mathrm", r"\operatorname", r"\operatorname*", r"\text", r"\textrm", r"\mbox"}
_FUNC_MACROS = {r"\log": "log", r"\ln": "log", r"\exp": "exp", r"\tanh": "tanh",
                r"\det": "det", r"\tr": "trace", r"\Tr": "trace"}
_ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar",
            "tilde": "tilde", "widetilde": "tilde"}


class Reader:
    """Parse tree (``Raw``) -> chainrule-side nodes; raises ``Stop`` when a
    construct has no faithful reading.  ``flat`` reads juxtaposition at the
    level of ``\\circ`` (left to right, as chainrule reads ``@`` and ``*``)."""

    def __init__(self, text: str, known: frozenset, scalars: frozenset):
        self.text, self.known, self.scalars = text, known, scalars

    def word(self, r) -> str:
        """A script as compact text: ``{\\mathsf T}`` -> ``\\mathsfT``."""
        s, e = _tspan(r)
        return re.sub(r"[\s{}]", "", self.text[s:e])

    def sub_word(self, r) -> str | None:
        """A subscript as part of a name (``_{1}`` -> ``1``, ``_\\theta`` ->
        ``theta``), or None when it is more than letters and digits."""
        out = []
        for tok in _tokens(r):
            if tok.type in ("LETTERS", "LETTER", "NUMBER", "DIGIT") and str(tok).isalnum():
                out.append(str(tok))
            elif tok.type == "GREEK":
                out.append(greek_name(str(tok)))
            elif tok.type not in ("LBRACE", "RBRACE"):
                return None
        return "".join(out) or None

    # ---- expressions
    def expr(self, r, flat: bool):
        k = r.kind
        if k in ("plus", "minus"):
            left, tok, right = r.kids
            return Bin("+" if k == "plus" else "-", self.value(self.expr(left, flat)),
                       self.value(self.expr(right, flat)), r.span, _tspan(tok))
        if k == "neg":
            return Neg(self.value(self.expr(r.kids[1], flat)), r.span)
        if k == "pos":
            return self.expr(r.kids[1], flat)
        if k == "bigsum":
            return Call("sum", (self.value(self.expr(r.kids[2], flat)),), False, r.span, _tspan(r.kids[0]))
        if k in _PRODUCT or k == "juxt":
            return self.product(r, flat)
        if k == "braces":
            return self.expr(r.kids[1], flat)
        if k == "scriptbody":
            if len(r.kids) > 1:
                raise Stop("a relation or list is not read here", r.span)
            return self.expr(r.kids[0], flat)
        return self.value(self.unit(r, flat))

    def product(self, r, flat: bool):
        chain = []
        while r.kind in _PRODUCT:
            left, tok, right = r.kids
            chain.append((r.kind, tok, right))
            r = left
        chain.append((None, None, r))
        groups = [(k, tok, self.factors(j, flat)) for k, tok, j in reversed(chain)]
        groups = self.merge_partials(groups)
        if flat:
            seq = []
            for k, tok, fs in groups:
                seq.append((k, tok, fs[0]))
                seq += [("juxt", None, f) for f in fs[1:]]
        else:
            seq = [(k, tok, self.fold([("juxt", None, f) for f in fs])) for k, tok, fs in groups]
        return self.fold(seq)

    def fold(self, seq):
        node = seq[0][2]
        for kind, tok, f in seq[1:]:
            node = self.binary(kind, tok, node, f)
        return node

    def binary(self, kind, tok, left, right):
        left, right = self.value(left), self.value(right)
        opspan = _tspan(tok) if tok is not None else (left.span[1], right.span[0])
        scaling = scalar_like(left, self.scalars) or scalar_like(right, self.scalars)
        if kind == "times" and not scaling:
            raise Stop("'\\times' between two matrices is not read: write \\cdot or juxtaposition "
                       "for the matrix product, \\circ for the elementwise one", opspan)
        op = {"juxt": "@", "cdot": "@", "hadamard": "*", "star": "*", "times": "*", "slash": "/"}[kind]
        if op == "@" and scaling:
            op = "*"
        return Bin(op, left, right, (left.span[0], right.span[1]), opspan)

    def value(self, x):
        if isinstance(x, Head):
            if x.fallback and not x.prime and not x.power:
                return Name(x.fallback, x.span)
            raise Stop(f"the function '{x.func}' has no argument", x.span)
        if isinstance(x, Partial):
            raise Stop("'\\partial' is read only in \\frac{\\partial A}{\\partial B} or "
                       "\\partial A / \\partial B", x.span)
        return x

    # ---- juxtaposition: split letter runs, apply functions to what follows
    def factors(self, juxt, flat: bool) -> list:
        units = []
        for u in juxt.kids:
            units += self.split_letters(u)
        out, i = [], 0
        while i < len(units):
            x = self.unit(units[i], flat)
            if isinstance(x, Head) and i + 1 < len(units):
                out.append(self.apply(x, units[i + 1], flat))
                i += 2
            else:
                out.append(x)
                i += 1
        return out

    def split_letters(self, u) -> list:
        base, posts = _peel(u)
        if base.kind != "letters":
            return [u]
        run = str(base.kids[0])
        if len(run) == 1 or run in self.known or function_name(run):
            return [u]
        s = base.span[0]
        singles = [Raw("letters", (s + i, s + i + 1),
                       (Token("LETTERS", ch, start_pos=s + i, end_pos=s + i + 1),))
                   for i, ch in enumerate(run)]
        return singles[:-1] + [_rebuild(singles[-1], posts)]

    def apply(self, head: Head, u, flat: bool):
        base, posts = _peel(u)
        if base.kind == "parens":
            args = tuple(self.value(self.expr(e, flat)) for e in base.kids[1].kids[::2])
            node = Call(head.func, args, head.prime, (head.span[0], base.span[1]), head.span)
        else:
            base, posts = u, []
            node = Call(head.func, (self.value(self.unit(u, flat)),), head.prime,
                        (head.span[0], u.span[1]), head.span)
        if head.power:
            node = Bin("**", node, Num(head.power, head.span), node.span, head.span)
        for p in posts:
            node = self.post(node, p, flat)
        return node

    # ---- units: a primary with sub- and superscripts and primes
    def unit(self, u, flat: bool):
        base, posts = _peel(u)
        if base.kind == "norm":
            return self.norm(base, posts, flat)
        x = self.primary(base, flat)
        for p in [p for p in posts if p.kind == "subscript"]:
            sub = self.sub_word(p.kids[2])
            if not isinstance(x, Name) or sub is None:
                raise Stop(f"the subscript '_{{{self.word(p.kids[2])}}}' is read only as part "
                           "of a name (W_1 is W1)", p.span)
            x = Name(x.stem, (x.span[0], p.span[1]), x.sub + sub)
        for p in posts:
            if p.kind != "subscript":
                x = self.post(x, p, flat)
        return x

    def post(self, x, p, flat: bool):
        span = (x.span[0], p.span[1])
        mark = (_tspan(p.kids[1])[0], p.span[1])          # the ^... or ' itself
        if p.kind == "subscript":
            raise Stop("a subscript is read only as part of a name (W_1 is W1)", p.span)
        sup = "'" if p.kind == "prime" else self.word(p.kids[2])
        if sup in ("'", r"\prime"):
            if isinstance(x, Head):
                return Head(x.func, span, True, x.power)
            if isinstance(x, Name) and not x.sub and function_name(x.id):
                return Head(function_name(x.id), span, True)
            raise Stop("a prime is read only on a function, as its derivative (\\sigma'(a)); "
                       "for a transpose write ^T", p.span)
        if isinstance(x, Name) and x.id == "e" and "e" not in self.known:
            return Call("exp", (self.value(self.expr(p.kids[2], flat)),), False, span, x.span)
        if re.fullmatch(r"[0-9]+", sup) and int(sup) >= 2:
            if isinstance(x, Head):
                return Head(x.func, span, x.prime, sup)
            return Bin("**", self.value(x), Num(sup, p.kids[2].span if isinstance(p.kids[2], Raw)
                                                else _tspan(p.kids[2])), span, _tspan(p.kids[1]))
        if isinstance(x, Head):
            raise Stop(f"'^{{{sup}}}' on a function is not read (only a prime or an integer power)", p.span)
        if sup in _TRANSPOSES:
            return Transpose(self.value(x), span, mark)
        if sup == "-1":
            return Call("inv", (self.value(x),), False, span, mark)
        m = re.fullmatch(r"[(\[]([A-Za-z0-9]+)[)\]]", sup)
        if m and isinstance(x, Name):
            return Name(x.stem, span, x.sub + m.group(1))
        raise Stop(f"the superscript '^{{{sup}}}' is not read (^T, ^{{-1}}, ^\\prime and "
                   "integer powers are)", p.span)

    def norm(self, base, posts, flat: bool):
        inner = self.value(self.expr(base.kids[1], flat))
        squared = Call("sum", (Bin("**", inner, Num("2", base.span), inner.span, base.span),),
                       False, base.span, base.span)
        sups = [self.word(p.kids[2]) for p in posts if p.kind == "superscript"]
        for p in posts:
            if p.kind == "prime" or (p.kind == "subscript" and self.word(p.kids[2]) not in ("2", "F")):
                raise Stop("only the 2-norm and the Frobenius norm are read (\\|v\\|_2, \\|A\\|_F)", p.span)
        if not sups:
            return Call("sqrt", (squared,), False, base.span, base.span)
        if sups == ["2"]:
            return Call("sum", squared.args, False, (base.span[0], posts[-1].span[1]), base.span)
        raise Stop("a norm is read squared (\\|v\\|^2) or plain (\\|v\\|)", posts[-1].span)

    def primary(self, r, flat: bool):
        k, tok = r.kind, r.kids[0]
        if k == "letters":
            word = str(tok)
            fn = function_name(word) if word not in self.known else None
            return Head(fn, r.span) if fn else Name(word, r.span)
        if k == "number":
            return Num(str(tok), r.span)
        if k == "greek":
            name = greek_name(str(tok))
            return Head("sigma", r.span, fallback=name) if name == "sigma" else Name(name, r.span)
        if k == "partial":
            return Partial(r.span)
        if k == "func":
            if str(tok) in _FUNC_MACROS:
                return Head(_FUNC_MACROS[str(tok)], r.span)
            raise Stop(f"'{tok}' is not a chainrule function", r.span)
        if k == "font":
            word = self.word(r.kids[1])
            if re.fullmatch(r"[A-Za-z]{2,}", word):
                fn = function_name(word)
                if fn:
                    return Head(fn, r.span)
                if str(tok) in _TEXTUAL:
                    return Name(word, r.span)
            if re.fullmatch(r"[0-9]+", word) and str(tok) not in _TEXTUAL:
                raise Stop(f"'{tok}{{{word}}}' (a vector of ones?) is not read: write ones(r, c)", r.span)
            inner = self.expr(r.kids[1], flat)
            return inner if isinstance(inner, (Head, Partial)) else replace(inner, span=r.span)
        if k == "accent":
            inner = self.value(self.expr(r.kids[1], flat))
            if not isinstance(inner, Name):
                raise Stop(f"'{tok}' is read only on a name (\\hat y is yhat)", r.span)
            return Name(inner.stem + _ACCENTS[str(tok)[1:]], r.span, inner.sub)
        if k == "frac":
            return self.frac(r, flat)
        if k == "sqrt":
            return Call("sqrt", (self.value(self.expr(r.kids[1], flat)),), False, r.span, _tspan(tok))
        if k == "parens":
            items = r.kids[1].kids[::2]
            if len(items) != 1:
                raise Stop("a list in brackets is read only as the arguments of a function", r.span)
            inner = self.expr(items[0], flat)
            return inner if isinstance(inner, (Head, Partial)) else replace(inner, span=r.span)
        if k == "abs":
            return Call("abs", (self.value(self.expr(r.kids[1], flat)),), False, r.span, _tspan(tok))
        if k in ("top", "primemacro"):
            raise Stop(f"'{tok}' is read only in a superscript", r.span)
        return self.expr(r, flat)

    # ---- derivatives
    def frac(self, r, flat: bool):
        num, den = self.leibniz(r.kids[1], flat), self.leibniz(r.kids[2], flat)
        if isinstance(num, Name) and isinstance(den, Name):
            return Deriv(num.id, den.id, r.span)
        if num is not None and den is not None:
            raise Stop("a derivative operator applied to an expression, or a higher derivative, "
                       "is not read: write \\frac{\\partial A}{\\partial B} with names", r.span)
        return Bin("/", self.value(self.expr(r.kids[1], flat)), self.value(self.expr(r.kids[2], flat)),
                   r.span, _tspan(r.kids[0]))

    def leibniz(self, r, flat: bool):
        """``\\partial A`` / ``dA`` -> Name A; ``True`` for another ∂-form; else None."""
        inner = r.kids[1] if r.kind == "braces" else r
        if inner.kind != "juxt":
            return True if inner.kind == "partial" else None
        fs = self.factors(inner, flat)
        if not fs or not _is_d(fs[0]):
            return None
        if len(fs) == 2 and isinstance(fs[1], (Name, Head)):
            named = self.value(fs[1])
            return named if isinstance(named, Name) else True
        return True

    def merge_partials(self, groups):
        out = []
        for k, tok, fs in groups:
            if (k == "slash" and out and len(out[-1][2]) == 2 and _is_d(out[-1][2][0])
                    and isinstance(out[-1][2][1], Name) and len(fs) >= 2 and _is_d(fs[0])
                    and isinstance(fs[1], Name)):
                pk, ptok, pfs = out.pop()
                d = Deriv(pfs[1].id, fs[1].id, (pfs[0].span[0], fs[1].span[1]))
                out.append((pk, ptok, [d] + fs[2:]))
            else:
                out.append((k, tok, fs))
        return out


def _peel(u):
    posts = []
    while u.kind in ("subscript", "superscript", "prime"):
        posts.append(u)
        u = u.kids[0]
    return u, posts[::-1]


def _rebuild(base, posts):
    for p in posts:
        base = Raw(p.kind, (base.span[0], p.span[1]), (base,) + p.kids[1:])
    return base


def _tokens(r):
    if isinstance(r, Token):
        yield r
    else:
        for k in r.kids:
            yield from _tokens(k)


def _is_d(f) -> bool:
    return isinstance(f, Partial) or (isinstance(f, Name) and f.id == "d")


def _tspan(tok) -> Range:
    return (tok.start_pos, tok.end_pos) if isinstance(tok, Token) else tok.span


# ------------------------------------------------------------------ output

def _prec(node) -> int:
    if isinstance(node, Bin):
        return {"+": 1, "-": 1, "**": 4}.get(node.op, 2)
    return 3 if isinstance(node, Neg) else 5


def render(node, explicit: bool = False) -> tuple[str, list]:
    """chainrule text and its pieces ``(start, end, side start, side end)``.
    ``explicit`` parenthesises every product inside a product (the grouping
    shown in a diagnostic)."""
    parts, pieces = [], []

    def add(s: str, span: Range):
        at = sum(map(len, parts))
        pieces.append((at, at + len(s), span[0], span[1]))
        parts.append(s)

    def wrap(x, yes: bool):
        if yes:
            add("(", (x.span[0], x.span[0]))
        emit(x, adjust=not yes)
        if yes:
            add(")", (x.span[1], x.span[1]))

    def emit(x, adjust: bool = True):
        first = len(pieces)
        emit_node(x)
        gs, ge, ss, se = pieces[first]
        if adjust and ss > x.span[0]:       # the node's first token starts the node
            pieces[first] = (gs, ge, x.span[0], se)

    def emit_node(x):
        if isinstance(x, Name):
            add(x.id, x.span)
        elif isinstance(x, Num):
            add(x.text, x.span)
        elif isinstance(x, Deriv):
            add(f"d{x.num}/d{x.den}", x.span)
        elif isinstance(x, Call):
            add(x.func + ("'" if x.prime else "") + "(", x.fspan)
            for i, a in enumerate(x.args):
                if i:
                    add(", ", (a.span[0], a.span[0]))
                emit(a)
            add(")", (x.span[1] - 1, x.span[1]))
        elif isinstance(x, Transpose):
            wrap(x.x, _prec(x.x) < 5)
            add(".T", x.tspan)
        elif isinstance(x, Neg):
            add("-", (x.span[0], x.span[0] + 1))
            wrap(x.x, _prec(x.x) < 3)
        else:
            p = _prec(x)
            if x.op == "**":
                left, right = _prec(x.left) < 5, _prec(x.right) < 3
            else:
                left = _prec(x.left) < p or (explicit and p == 2 and _prec(x.left) == 2)
                right = _prec(x.right) <= p
            wrap(x.left, left)
            add(f" {x.op} ", x.opspan)
            wrap(x.right, right)

    emit(node)
    return "".join(parts), pieces


def names(node) -> frozenset[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, Name):
            found.add(x.id)
        elif isinstance(x, Deriv):
            found |= {x.num, x.den}
        elif isinstance(x, Call):
            stack += x.args
        elif isinstance(x, (Transpose, Neg)):
            stack.append(x.x)
        elif isinstance(x, Bin):
            stack += [x.left, x.right]
    return frozenset(found)


_SCALAR_FUNCS = {"sum", "mean", "trace", "det", "xent", "mse"}


def scalar_like(node, scalars: frozenset) -> bool:
    """Whether the expression is certainly a scalar, read from its form."""
    if isinstance(node, Num):
        return True
    if isinstance(node, Name):
        return node.id in scalars
    if isinstance(node, Call):
        if node.func in _SCALAR_FUNCS:
            return True
        sig = FUNCTIONS.get(node.func)
        return bool(sig and sig.elementwise and node.args and scalar_like(node.args[0], scalars))
    if isinstance(node, (Neg, Transpose)):
        return scalar_like(node.x, scalars)
    if isinstance(node, Bin):
        if node.op == "**":
            return scalar_like(node.left, scalars)
        return node.op != "@" and scalar_like(node.left, scalars) and scalar_like(node.right, scalars)
    return False
