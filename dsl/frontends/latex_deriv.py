"""Derivatives in the LaTeX reader: Leibniz fractions and slashes.

Contract: :class:`Derivatives` is the part of ``latex_read.Reader`` that
reads ``\\frac{\\partial A}{\\partial B}``, ``\\frac{dA}{dB}`` and
``\\partial A / \\partial B`` as the derivative ``dA/dB`` (an entry
``dL/dW[i, j]`` when ``W_{ij}`` is indexed), and any other ``\\frac`` as a
division.
"""
from __future__ import annotations

from dsl.core.ast import Call, Deriv, IndexVar, Name, Op
from dsl.core.wording import say
from dsl.frontends.latex_items import Base, DOp, Head, Partial, Stop, Word, _is_d, _range
from dsl.frontends.latex_tree import Range, tspan

OPERATOR = "operator"     # a lone \\partial or d: the numerator of \\frac{d}{dx}


class Derivatives(Base):
    """Derivatives (a mixin of ``latex_read.Reader``)."""

    # ---- derivatives
    def frac(self, r, flat: bool):
        num, den = self.leibniz(r.kids[1], flat), self.leibniz(r.kids[2], flat)
        if isinstance(den, Word):
            if isinstance(num, Word):
                return self.deriv(num, den, r.span)
            if num == OPERATOR:                  # \frac{\partial}{\partial W} L
                return DOp(den, r.span)
            if isinstance(num, tuple):           # \frac{\partial (U^T v)}{\partial v}
                named = self.intermediate(num[1], _range(num[1]))
                return Deriv(named, self.deriv(Word("_", den.span), den, den.span).den, self.at(r.span))
        if num is not None and den is not None:
            raise Stop(say("latex-derivative-operator"), r.span)
        return self.bin(Op.DIV, self.value(self.expr(r.kids[1], flat)),
                        self.value(self.expr(r.kids[2], flat)), r.span, tspan(r.kids[0]))

    def operate(self, op: DOp, target, span: Range):
        """A derivative operator applied: to a name, ``dL/dW``; to an
        expression, the derivative of a named intermediate."""
        if isinstance(target, Word):
            return self.deriv(target, op.den, span)
        return Deriv(self.intermediate(self.value(target), _range(target)),
                     self.deriv(Word("_", op.den.span), op.den, op.den.span).den, self.at(span))

    def deriv(self, num: Word, den: Word, span: Range) -> Deriv:
        """``dA/dB``; ``\\partial L / \\partial W_{ij}`` is the entry
        ``dL/dW[i, j]`` when the letters are bound or ``W`` is a known name
        and ``Wij`` is not."""
        parts = []
        for w in (self.renamed(num), self.renamed(den)):
            entry = self.entry(w, self.bound)
            if entry is None and w.isub and w.base in self.known and w.id not in self.known:
                entry = (w.base, self.base_range(w), w.isub)
            if entry is None and w.listed and len(w.isub) > 1 and w.base + w.isub[0][0] in self.known:
                entry = self.entry(w, frozenset(i for i, _ in w.isub[1:]))       # dJ/dv_{c,i}
            if entry is not None:
                parts.append((Name(entry[0], self.at(entry[1])),
                              tuple(IndexVar(i, self.at(r)) for i, r in entry[2])))
            else:
                parts.append((Name(w.id, self.at(w.span)), ()))
        return Deriv(parts[0][0], parts[1][0], self.at(span), parts[0][1], parts[1][1])

    def leibniz(self, r, flat: bool):
        """``\\partial A`` / ``dA`` -> the Word A; a lone ``\\partial`` or
        ``d`` -> OPERATOR; ``\\partial`` of an expression -> ("expr", node);
        ``True`` for another ∂-form; else None."""
        inner = r.kids[1] if r.kind == "braces" else r
        if inner.kind != "juxt":
            if inner.kind == "partial":
                return OPERATOR
            lone = inner.kind in ("letters", "font") and _is_d(self.settle(self.expr(inner, flat)))
            return OPERATOR if lone else None
        fs = self.factors(inner, flat)
        if not fs or not _is_d(fs[0]):
            return None
        if len(fs) == 1:
            return OPERATOR
        if len(fs) == 2 and isinstance(fs[1], Head) and fs[1].fallback and fs[1].power and not fs[1].prime:
            return Word(fs[1].fallback, _range(fs[1]), fs[1].power)    # \partial \sigma^2: the variance
        if len(fs) == 2 and isinstance(fs[1], (Word, Head)):
            named = self.settle(fs[1])
            return named if isinstance(named, Word) else True
        if len(fs) == 2 and isinstance(fs[1], Call) and fs[1].func in self.known:
            return Word(fs[1].func, _range(fs[1]))      # \partial J(W, b): J, defined as a function
        if len(fs) >= 2 and not isinstance(fs[1], (Partial, Head, DOp)):
            rest = fs[1]
            for f in fs[2:]:
                rest = self.binary("juxt", None, rest, f)
            return ("expr", self.value(rest))
        return True

    def merge_partials(self, groups):
        out: list[tuple] = []
        for k, tok, fs in groups:
            if (k == "slash" and out and len(out[-1][2]) == 2 and _is_d(out[-1][2][0])
                    and isinstance(out[-1][2][1], Word) and len(fs) >= 2 and _is_d(fs[0])
                    and isinstance(fs[1], Word)):
                pk, ptok, pfs = out.pop()
                d = self.deriv(pfs[1], fs[1], (_range(pfs[0])[0], fs[1].span[1]))
                out.append((pk, ptok, [d, *fs[2:]]))
            else:
                out.append((k, tok, fs))
        return out
