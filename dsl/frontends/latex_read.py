"""LaTeX parse tree -> chainrule-side nodes: what each construct means.

Contract: :func:`read` takes the Lark tree of ``grammar/latex_math.lark`` for
one side of an equation and returns two readings as ``latex_render`` nodes:
juxtaposition grouped tighter than ``\\circ`` (as in TeX) and read flat, left
to right (as chainrule reads ``@`` and ``*``).  A construct with no faithful
reading raises :class:`Stop` with what stops it and its range; the caller
turns that into a diagnostic.  :func:`greek_name` and :func:`function_name`
are the LaTeX vocabulary of names and functions.

    >>> function_name("Diag"), greek_name(r"\\vartheta")
    ('diag', 'theta')
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from lark import Token, Transformer

from dsl.builtins import function_name, latex_macro
from dsl.frontends.latex_render import Bin, Call, Deriv, Name, Neg, Num, Range, Transpose, scalar_like


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


def read(tree, text: str, known: frozenset, scalars: frozenset):
    """The side's tree (of ``text``) read grouped and read flat: ``(node, alt)``."""
    raw = _ToRaw().transform(tree)
    reader = Reader(text, known, scalars)
    return reader.value(reader.expr(raw, flat=False)), reader.value(reader.expr(raw, flat=True))


def greek_name(symbol: str) -> str:
    """``\\theta`` or ``θ`` -> ``theta`` (variant forms spelled as the letter)."""
    if symbol.startswith("\\"):
        name = symbol[1:]
        return {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varpi": "pi",
                "varrho": "rho", "varsigma": "sigma"}.get(name, name)
    spelled = unicodedata.name(symbol, "x").split()[-1].lower().replace("lamda", "lambda")
    return spelled.capitalize() if symbol.isupper() else spelled


# ------------------------------------------------------------------ reading

_PRODUCT = {"hadamard", "cdot", "times", "star", "slash"}
_TRANSPOSES = {"T", r"\top", r"\intercal", r"\mathsfT", r"\mathrmT", r"\rmT", r"\sfT",
               r"\textsfT", r"\textrmT", "ᵀ"}
_TEXTUAL = {r"\mathrm", r"\operatorname", r"\operatorname*", r"\text", r"\textrm", r"\mbox"}
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
            fn = latex_macro("\\" + name)
            return Head(fn, r.span, fallback=name) if fn else Name(name, r.span)
        if k == "partial":
            return Partial(r.span)
        if k == "func":
            if latex_macro(str(tok)):
                return Head(latex_macro(str(tok)), r.span)
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
