"""LaTeX parse tree -> the chainrule AST: what each construct means.

Contract: :func:`read` takes the Lark tree of ``grammar/latex_math.lark`` for
one side of an equation and returns two readings, as expressions of
``dsl.core.ast`` (the AST the ASCII parser builds): juxtaposition grouped
tighter than ``\\circ`` (as in TeX) and read flat, left to right (as
chainrule reads ``@`` and ``*``).  Every node's span is in the coordinates
of the side's own text (``Span.start``/``end`` are offsets into it), so the
printer's piece map (``printer.to_source_map``) leads from chainrule text
back to the LaTeX.  A construct with no faithful reading raises
:class:`Stop` with what stops it and its range in the side; the caller
turns that into a diagnostic.  The words read (Greek letters, function
names, macros) are in ``latex_words``.

    >>> from dsl.frontends.latex_math import parser
    >>> side = r"x W_1^T"
    >>> node, alt = read(parser().parse(side), side, lambda s, e: (s, e), frozenset(), frozenset())
    >>> type(node).__name__, node.op, node.right.operand.id, side[node.right.span.start:node.right.span.end]
    ('BinOp', <Op.MATMUL: '@'>, 'W1', 'W_1^T')
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from dsl.builtins import function_name, latex_macro
from dsl.core.ast import BinOp, Call, Deriv, Expr, Name, Neg, Number, Op, Transpose
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_names import PRIME_PART, sup_part
from dsl.frontends.latex_tree import Range, letter, peel, rebuild, subscript_word, to_raw, tspan
from dsl.frontends.latex_words import ACCENTS, PRODUCTS, TEXTUAL, TRANSPOSES, greek_name


@dataclass(frozen=True)
class Word:
    """A name being read: its stem and subscript stay apart until it is
    used, so that ``\\hat{y_1}`` is ``yhat1``."""
    stem: str
    span: Range
    sub: str = ""

    @property
    def id(self) -> str:
        return self.stem + self.sub


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


def read(tree, side: str, position: Callable[[int, int], Range], known: frozenset, scalars: frozenset):
    """The tree of a side read grouped and read flat: ``(node, alt)``.
    ``position`` maps a range of the parsed text to the side's text."""
    raw = to_raw(tree, position)
    reader = Reader(side, known, scalars)
    return reader.value(reader.expr(raw, flat=False)), reader.value(reader.expr(raw, flat=True))


# ------------------------------------------------------------------ reading

class Reader:
    """Parse tree (``latex_tree.Raw``) -> AST; raises ``Stop`` when a construct has no
    faithful reading.  ``flat`` reads juxtaposition at the level of
    ``\\circ`` (left to right, as chainrule reads ``@`` and ``*``)."""

    def __init__(self, text: str, known: frozenset, scalars: frozenset):
        self.text, self.known, self.scalars = text, known, scalars
        self.source = Source("<latex>", text)
        self.one_line = "\n" not in text

    # ---- AST nodes, spans in the side's text
    def at(self, span: Range) -> Span:
        if self.one_line:                       # most sides: no line lookup
            start, end = span[0], max(span)
            return Span("<latex>", 1, start + 1, 1, end + 1, start, end)
        return self.source.span(*span)

    def call(self, func: str, args: tuple, span: Range, fspan: Range, prime: bool = False) -> Call:
        return Call(func, args, (), prime, self.at(span), self.at(fspan))

    def bin(self, op: Op, left, right, span: Range, opspan: Range) -> BinOp:
        return BinOp(op, left, right, self.at(span), self.at(opspan))

    def num(self, text: str, span: Range) -> Number:
        return Number(float(text), text, self.at(span))

    def respan(self, x, span: Range):
        """``x`` as spanning ``span`` (the brackets or font written around it)."""
        return replace(x, span=span if isinstance(x, Word) else self.at(span))

    def word(self, r) -> str:
        """A script as compact text: ``{\\mathsf T}`` -> ``\\mathsfT``."""
        s, e = tspan(r)
        return re.sub(r"[\s{}]", "", self.text[s:e])

    # ---- expressions
    def expr(self, r, flat: bool):
        k = r.kind
        if k in ("plus", "minus"):
            left, tok, right = r.kids
            return self.bin(Op.ADD if k == "plus" else Op.SUB, self.value(self.expr(left, flat)),
                            self.value(self.expr(right, flat)), r.span, tspan(tok))
        if k == "neg":
            return Neg(self.value(self.expr(r.kids[1], flat)), self.at(r.span))
        if k == "pos":
            return self.expr(r.kids[1], flat)
        if k == "bigsum":
            return self.call("sum", (self.value(self.expr(r.kids[2], flat)),), r.span, tspan(r.kids[0]))
        if k in PRODUCTS or k == "juxt":
            return self.product(r, flat)
        if k == "braces":
            return self.expr(r.kids[1], flat)
        if k == "scriptbody":
            if len(r.kids) > 1:
                raise Stop(say("latex-relation"), r.span)
            return self.expr(r.kids[0], flat)
        return self.settle(self.unit(r, flat))

    def product(self, r, flat: bool):
        chain = []
        while r.kind in PRODUCTS:
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
        opspan = tspan(tok) if tok is not None else (left.span.end, right.span.start)
        scaling = scalar_like(left, self.scalars) or scalar_like(right, self.scalars)
        if kind == "times" and not scaling:
            raise Stop(say("latex-times"), opspan)
        op = Op.MATMUL if kind == "juxt" else PRODUCTS[kind]
        if op is Op.MATMUL and scaling:
            op = Op.MUL
        return self.bin(op, left, right, (left.span.start, right.span.end), opspan)

    def settle(self, x):
        """A function left without argument is its fallback name or an error;
        a lone ``\\partial`` is an error."""
        if isinstance(x, Head):
            if x.fallback and not x.prime and not x.power:
                return Word(x.fallback, x.span)
            raise Stop(say("latex-no-argument", func=x.func), x.span)
        if isinstance(x, Partial):
            raise Stop(say("latex-partial"), x.span)
        return x

    def value(self, x):
        """What is read, settled, as an AST expression."""
        x = self.settle(x)
        return Name(x.id, self.at(x.span)) if isinstance(x, Word) else x

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
        base, posts = peel(u)
        if base.kind != "letters":
            return [u]
        run = str(base.kids[0])
        if len(run) == 1 or run in self.known or function_name(run):
            return [u]
        s = base.span[0]
        singles = [letter(ch, s + i) for i, ch in enumerate(run)]
        return [*singles[:-1], rebuild(singles[-1], posts)]

    def apply(self, head: Head, u, flat: bool):
        base, posts = peel(u)
        if base.kind == "parens":
            args = tuple(self.value(self.expr(e, flat)) for e in base.kids[1].kids[::2])
            node: Expr = self.call(head.func, args, (head.span[0], base.span[1]), head.span, head.prime)
        else:
            posts = []
            node = self.call(head.func, (self.value(self.unit(u, flat)),), (head.span[0], u.span[1]),
                             head.span, head.prime)
        if head.power:
            node = self.bin(Op.POW, node, self.num(head.power, head.span), _range(node), head.span)
        for p in posts:
            node = self.post(node, p, flat)
        return node

    # ---- units: a primary with sub- and superscripts and primes
    def unit(self, u, flat: bool):
        base, posts = peel(u)
        if base.kind == "norm":
            return self.norm(base, posts, flat)
        x = self.primary(base, flat)
        for p in [p for p in posts if p.kind == "subscript"]:
            sub = subscript_word(p.kids[2])
            if not isinstance(x, Word) or sub is None:
                raise Stop(say("latex-subscript-word", word=self.word(p.kids[2])), p.span)
            x = Word(x.stem, (x.span[0], p.span[1]), x.sub + sub)
        for p in posts:
            if p.kind != "subscript":
                x = self.post(x, p, flat)
        return x

    def post(self, x, p, flat: bool):
        span = (_range(x)[0], p.span[1])
        mark = (tspan(p.kids[1])[0], p.span[1])          # the ^... or ' itself
        if p.kind == "subscript":
            raise Stop(say("latex-subscript"), p.span)
        sup = "'" if p.kind == "prime" else self.word(p.kids[2])
        if sup in ("'", r"\prime"):
            if isinstance(x, Head):
                return Head(x.func, span, True, x.power)
            if isinstance(x, Word) and not x.sub and (fn := function_name(x.id)):
                return Head(fn, span, True)
            if isinstance(x, Word):
                return self.primed(x, span)
            raise Stop(say("latex-prime"), p.span)
        if isinstance(x, Word) and x.id == "e" and "e" not in self.known:
            return self.call("exp", (self.value(self.expr(p.kids[2], flat)),), span, x.span)
        if isinstance(x, Word) and (part := self.sup_name(x, sup)):
            return Word(x.stem, span, x.sub + part)
        if isinstance(x, Word) and sup in self.scalars and x.id in self.known:
            return self.bin(Op.POW, self.value(x), Name(sup, self.at(tspan(p.kids[2]))), span, tspan(p.kids[1]))
        if re.fullmatch(r"[0-9]+", sup) and int(sup) >= 1:      # x^{1} too, as fmt writes x ** 1
            if isinstance(x, Head):
                return Head(x.func, span, x.prime, sup)
            return self.bin(Op.POW, self.value(x), self.num(sup, tspan(p.kids[2])), span, tspan(p.kids[1]))
        if isinstance(x, Head):
            raise Stop(say("latex-function-power", sup=sup), p.span)
        if sup in TRANSPOSES:
            return Transpose(self.value(x), self.at(span))
        if sup == "-1":
            return self.call("inv", (self.value(x),), span, mark)
        raise Stop(say("latex-superscript", sup=sup), p.span)

    def sup_name(self, x: Word, sup: str) -> str | None:
        """A superscript that is part of a name, as the name spells it:
        ``W^{(l)}`` and ``W^{[l]}`` are ``Wl``, ``a^{L-1}`` is ``aLm1``,
        ``w^*`` is ``wstar`` (see ``latex_names``).  A bare letter is a name
        part (``W^L``) unless the base is a known name and the letter a
        known scalar (``x^n``, a power); a bare number is a power."""
        if sup in TRANSPOSES or sup == "-1":
            return None
        part = sup_part(sup)
        bracketed = sup[0] in "(["
        if part is None or (part.isdigit() and not bracketed):
            return None
        if not bracketed and part in self.scalars and x.id in self.known and x.id + part not in self.known:
            return None
        return part

    def primed(self, x: Word, span: Range):
        """``x'``: the name ``xprime``, or the transpose of a known matrix
        or vector (``X'X``) when ``xprime`` is not a name of the document."""
        name = x.id + PRIME_PART
        if name not in self.known and x.id in self.known and x.id not in self.scalars:
            return Transpose(self.value(x), self.at(span))
        return Word(x.stem, span, x.sub + PRIME_PART)

    def norm(self, base, posts, flat: bool):
        inner = self.value(self.expr(base.kids[1], flat))
        squared = self.call("sum", (self.bin(Op.POW, inner, self.num("2", base.span), _range(inner),
                                             base.span),), base.span, base.span)
        sups = [self.word(p.kids[2]) for p in posts if p.kind == "superscript"]
        for p in posts:
            if p.kind == "prime" or (p.kind == "subscript" and self.word(p.kids[2]) not in ("2", "F")):
                raise Stop(say("latex-norm-kind"), p.span)
        if not sups:
            return self.call("sqrt", (squared,), base.span, base.span)
        if sups == ["2"]:
            return self.call("sum", squared.args, (base.span[0], posts[-1].span[1]), base.span)
        raise Stop(say("latex-norm-power"), posts[-1].span)

    def primary(self, r, flat: bool):
        k, tok = r.kind, r.kids[0]
        if k == "letters":
            word = str(tok)
            fn = function_name(word) if word not in self.known else None
            return Head(fn, r.span) if fn else Word(word, r.span)
        if k == "number":
            return self.num(str(tok), r.span)
        if k == "greek":
            name = greek_name(str(tok))
            fn = latex_macro("\\" + name)
            return Head(fn, r.span, fallback=name) if fn else Word(name, r.span)
        if k == "partial":
            return Partial(r.span)
        if k == "func":
            if fn := latex_macro(str(tok)):
                return Head(fn, r.span)
            raise Stop(say("latex-not-function", tok=tok), r.span)
        if k == "font":
            return self.font(r, flat)
        if k == "accent":
            inner = self.settle(self.expr(r.kids[1], flat))
            if not isinstance(inner, Word):
                raise Stop(say("latex-accent", tok=tok), r.span)
            return Word(inner.stem + ACCENTS[str(tok)[1:]], r.span, inner.sub)
        if k == "frac":
            return self.frac(r, flat)
        if k == "sqrt":
            return self.call("sqrt", (self.value(self.expr(r.kids[1], flat)),), r.span, tspan(tok))
        if k == "parens":
            items = r.kids[1].kids[::2]
            if len(items) != 1:
                raise Stop(say("latex-list"), r.span)
            inner = self.expr(items[0], flat)
            return inner if isinstance(inner, (Head, Partial)) else self.respan(inner, r.span)
        if k == "abs":
            return self.call("abs", (self.value(self.expr(r.kids[1], flat)),), r.span, tspan(tok))
        if k in ("top", "primemacro"):
            raise Stop(say("latex-only-superscript", tok=tok), r.span)
        return self.expr(r, flat)

    def font(self, r, flat: bool):
        """``\\mathbf{x}`` is x, ``\\operatorname{softmax}`` the function."""
        tok, word = r.kids[0], self.word(r.kids[1])
        if re.fullmatch(r"[A-Za-z]{2,}[0-9][A-Za-z0-9]*", word) and (fn := function_name(word)):
            return Head(fn, r.span)           # \operatorname{log1p}
        if re.fullmatch(r"[A-Za-z]{2,}", word):
            fn = function_name(word)
            if fn:
                return Head(fn, r.span)
            if str(tok) in TEXTUAL:
                return Word(word, r.span)
        if re.fullmatch(r"[0-9]+", word) and str(tok) not in TEXTUAL:
            raise Stop(say("latex-ones-vector", tok=tok, word=word), r.span)
        inner = self.expr(r.kids[1], flat)
        return inner if isinstance(inner, (Head, Partial)) else self.respan(inner, r.span)

    # ---- derivatives
    def frac(self, r, flat: bool):
        num, den = self.leibniz(r.kids[1], flat), self.leibniz(r.kids[2], flat)
        if isinstance(num, Word) and isinstance(den, Word):
            return Deriv(self.value(num), self.value(den), self.at(r.span))
        if num is not None and den is not None:
            raise Stop(say("latex-derivative-operator"), r.span)
        return self.bin(Op.DIV, self.value(self.expr(r.kids[1], flat)),
                        self.value(self.expr(r.kids[2], flat)), r.span, tspan(r.kids[0]))

    def leibniz(self, r, flat: bool):
        """``\\partial A`` / ``dA`` -> the Word A; ``True`` for another ∂-form; else None."""
        inner = r.kids[1] if r.kind == "braces" else r
        if inner.kind != "juxt":
            return True if inner.kind == "partial" else None
        fs = self.factors(inner, flat)
        if not fs or not _is_d(fs[0]):
            return None
        if len(fs) == 2 and isinstance(fs[1], (Word, Head)):
            named = self.settle(fs[1])
            return named if isinstance(named, Word) else True
        return True

    def merge_partials(self, groups):
        out: list[tuple] = []
        for k, tok, fs in groups:
            if (k == "slash" and out and len(out[-1][2]) == 2 and _is_d(out[-1][2][0])
                    and isinstance(out[-1][2][1], Word) and len(fs) >= 2 and _is_d(fs[0])
                    and isinstance(fs[1], Word)):
                pk, ptok, pfs = out.pop()
                d = Deriv(self.value(pfs[1]), self.value(fs[1]), self.at((_range(pfs[0])[0], fs[1].span[1])))
                out.append((pk, ptok, [d, *fs[2:]]))
            else:
                out.append((k, tok, fs))
        return out


def _is_d(f) -> bool:
    return isinstance(f, Partial) or (isinstance(f, Word) and f.id == "d")


def _range(x) -> Range:
    """The range of what is being read: an AST node's span, or a pending item's range."""
    span = x.span
    return (span.start, span.end) if isinstance(span, Span) else span
