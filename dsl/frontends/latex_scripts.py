"""Superscripts, primes, norms and indicators in the LaTeX reader.

Contract: :class:`Scripts` is the part of ``latex_read.Reader`` that gives a
superscript or prime its meaning: a transpose (``^T``, ``^\\top``, ``'`` on
a known matrix), a power (``^2``, ``x^n`` of a known scalar ``n``), an
inverse (``^{-1}``), a derivative function (``\\sigma'``), ``e^{x}``, or a
part of a name (``W^{(l)}``, ``w^*``, see ``latex_names``); and a norm its
reading as a sum of squares.
"""
from __future__ import annotations

import re

from dsl.builtins import function_name, latex_macro
from dsl.core.ast import Delta, IndexVar, Name, Op, Transpose
from dsl.core.wording import say
from dsl.frontends.latex_examples import feature
from dsl.frontends.latex_items import Base, Head, Stop, Word, _range
from dsl.frontends.latex_names import PRIME_PART, sup_part
from dsl.frontends.latex_tree import Range, tspan
from dsl.frontends.latex_words import TRANSPOSES

_COMPARE = {">": Op.GT, "gt": Op.GT, "<": Op.LT, "lt": Op.LT, "geq": Op.GE, "ge": Op.GE, "≥": Op.GE,
            "leq": Op.LE, "le": Op.LE, "≤": Op.LE}
_LAYER_THEN = re.compile(r"(\[[^\[\]]+\]|\([^()]+\))(.+)")
"""A layer superscript followed by a transpose or an example index (``^{[1]T}``, ``^{[2](i)}``)."""


class Scripts(Base):
    """Superscripts and primes (a mixin of ``latex_read.Reader``)."""

    def post(self, x, p, flat: bool):
        span = (_range(x)[0], p.span[1])
        mark = (tspan(p.kids[1])[0], p.span[1])          # the ^... or ' itself
        if p.kind == "subscript":
            if (hit := self.feature_of(x, self.word(p.kids[2]), tspan(p.kids[2]), span)) is not None:
                return hit                                          # x^{(i)}_j: the entry X[i, j]
            raise Stop(say("latex-subscript"), p.span)
        sup = "'" if p.kind == "prime" else self.word(p.kids[2])
        if (isinstance(x, Word) and len(x.isub) == 1 and not x.sub and (m := re.fullmatch(r"\(([a-z])\)", sup))
                and m.group(1) in self.bound and x.isub[0][0] in self.bound
                and (found := feature(x.stem, m.group(1), x.isub[0][0]))):
            return Word(found[0], span, "", ((m.group(1), tspan(p.kids[2])), x.isub[0]), x.bold)  # x_j^{(i)}
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
        if isinstance(x, Word) and not x.isub and (m := re.fullmatch(r"\(([a-z])\)", sup)) and (
                m.group(1) in self.bound and (x.id in self.known or x.id + m.group(1) not in self.known)):
            return Word(x.stem, span, x.sub, ((m.group(1), tspan(p.kids[2])),), x.bold)   # y^{(i)}: entry i
        if isinstance(x, Word) and not x.isub and (two := _LAYER_THEN.fullmatch(sup)) and two.group(2) in TRANSPOSES \
                and (m := re.fullmatch(r"\(([a-z])\)", two.group(1))) and m.group(1) in self.bound \
                and x.id + m.group(1) not in self.known:                # x^{(i)T}: the i-th example, transposed
            return Transpose(self.value(Word(x.stem, span, x.sub, ((m.group(1), tspan(p.kids[2])),), x.bold)),
                             self.at(span))
        if isinstance(x, Word) and not x.isub and (two := _LAYER_THEN.fullmatch(sup)) and (
                part := self.sup_name(x, two.group(1))):
            named = Word(x.stem, span, x.sub + part)               # A^{[1]T}, a^{[2](i)}: the layer, then
            rest = two.group(2)
            if rest in TRANSPOSES:
                return Transpose(self.value(named), self.at(span))
            if (m := re.fullmatch(r"\(([a-z])\)", rest)) and m.group(1) in self.bound:
                return Word(x.stem, span, named.sub, ((m.group(1), tspan(p.kids[2])),), x.bold)
        if isinstance(x, Word) and (part := self.sup_name(x, sup)):
            return Word(x.stem, span, x.sub + part)
        if isinstance(x, Word) and sup in self.scalars and x.id in self.known:
            return self.bin(Op.POW, self.value(x), Name(sup, self.at(tspan(p.kids[2]))), span, tspan(p.kids[1]))
        if isinstance(x, Word) and not x.sub and not x.isub and sup.isdigit() and latex_macro("\\" + x.stem):
            return self.power_of_name(x, x.stem, sup, span)     # \boldsymbol{\sigma}^2: the variance, a name
        if re.fullmatch(r"[0-9]+", sup) and int(sup) >= 1:      # x^{1} too, as fmt writes x ** 1
            if isinstance(x, Head):
                return Head(x.func, span, x.prime, sup, x.fallback)
            return self.bin(Op.POW, self.value(x), self.num(sup, tspan(p.kids[2])), span, tspan(p.kids[1]))
        if isinstance(x, Head):
            raise Stop(say("latex-function-power", sup=sup), p.span)
        if sup in TRANSPOSES:
            return Transpose(self.value(x), self.at(span))
        if sup == "-1":
            return self.call("inv", (self.value(x),), span, mark)
        raise Stop(say("latex-superscript", sup=sup), p.span)

    def feature_of(self, x, letter: str, lspan: Range, span: Range):
        """``x^{(i)}_j`` (the i-th example, then a bound feature letter): the entry ``X[i, j]``, or None."""
        if not (isinstance(x, Word) and len(x.isub) == 1 and not x.sub and letter in self.bound):
            return None
        found = feature(x.stem, x.isub[0][0], letter)
        return None if found is None else Word(found[0], span, "", (x.isub[0], (letter, lspan)), x.bold)

    def gradient_name(self, u, run: str) -> bool:
        """``dZ^{[2]}``: the name ``dZ2`` of the notes' gradient variables, when the document has it."""
        if run[0] != "d" or "d" in self.known:
            return False
        try:
            w = self.unit(u, False)
        except Stop:
            return False
        return isinstance(w, Word) and w.id in self.known

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
        if name not in self.known and x.id in self.known and x.id not in self.scalars | self.activations:
            return Transpose(self.value(x), self.at(span))
        return Word(x.stem, span, x.sub + PRIME_PART)

    def power_of_name(self, x, stem: str, power: str, span: Range):
        """``\\sigma^2`` with no argument: the name ``sigma2`` (a variance) when the
        document has it or the side is only it (``\\sigma^2 = ...``, ``\\partial \\sigma^2``),
        and ``\\sigma^4`` its square then; else the power of ``sigma``, a name
        (``\\frac{(x - \\mu)^2}{2 \\sigma^2}``).  ``x`` is the function or word read."""
        if stem + power in self.known or self.alone(span):
            return Word(stem, span, power)
        if stem + "2" in self.known and int(power) % 2 == 0:
            return self.bin(Op.POW, Name(stem + "2", self.at(span)), self.num(str(int(power) // 2), span), span, span)
        base = self.value(x) if isinstance(x, Word) else Name(stem, self.at((span[0], span[0] + 1)))
        return self.bin(Op.POW, base, self.num(power, span), span, span)

    def activation(self, x: Word) -> Head | None:
        """``\\phi`` or ``\\phi'`` of a function the prose calls an activation, not a name of the
        document: the function, applied entry by entry and declared opaque (its form is not given)."""
        if x.isub or x.sub not in ("", PRIME_PART) or x.stem not in self.activations:
            return None
        return Head(x.stem, x.span, x.sub == PRIME_PART)

    def one_hot(self, span, a, b):
        raise NotImplementedError

    def indicator(self, r, flat: bool):
        """``\\mathbb{1}(z > 0)``: 1 where the comparison holds, else 0 (``where(z > 0, 1, 0)``)."""
        _, _, left, cmp, right, _ = r.kids
        if str(cmp) == "=":
            return self.kronecker(r, left, right, flat)
        op = _COMPARE[str(cmp).lstrip("\\")]
        cond = self.bin(op, self.value(self.expr(left, flat)), self.value(self.expr(right, flat)),
                        r.span, tspan(cmp))
        return self.call("where", (cond, self.num("1", r.span), self.num("0", r.span)), r.span, tspan(r.kids[0]))

    def kronecker(self, r, left, right, flat: bool):
        """``\\mathbb{1}\\{i = j\\}`` of two indices the formula binds: ``delta(i, j)``."""
        a, b = (self.settle(self.expr(side, flat)) for side in (left, right))
        if (hit := self.one_hot(r.span, a, b)) is not None:
            return hit                              # \mathbb{1}\{y_i = k\}: the one-hot entry
        if not all(isinstance(x, Word) and not x.sub and not x.isub and x.id in self.bound for x in (a, b)):
            raise Stop(say("latex-indicator-equal"), r.span)
        return Delta(IndexVar(a.id, self.at(a.span)), IndexVar(b.id, self.at(b.span)), self.at(r.span))

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
