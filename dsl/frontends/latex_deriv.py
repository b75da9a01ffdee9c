"""Derivatives in the LaTeX reader: Leibniz fractions and slashes.

Contract: :class:`Derivatives` is the part of ``latex_read.Reader`` that
reads ``\\frac{\\partial A}{\\partial B}``, ``\\frac{dA}{dB}`` and
``\\partial A / \\partial B`` as the derivative ``dA/dB`` (an entry
``dL/dW[i, j]`` when ``W_{ij}`` is indexed), and any other ``\\frac`` as a
division.
"""
from __future__ import annotations

from dsl.core.ast import Deriv, IndexVar, Name, Op
from dsl.core.wording import say
from dsl.frontends.latex_items import Base, Head, Stop, Word, _is_d, _range
from dsl.frontends.latex_tree import Range, tspan


class Derivatives(Base):
    """Derivatives (a mixin of ``latex_read.Reader``)."""

    # ---- derivatives
    def frac(self, r, flat: bool):
        num, den = self.leibniz(r.kids[1], flat), self.leibniz(r.kids[2], flat)
        if isinstance(num, Word) and isinstance(den, Word):
            return self.deriv(num, den, r.span)
        if num is not None and den is not None:
            raise Stop(say("latex-derivative-operator"), r.span)
        return self.bin(Op.DIV, self.value(self.expr(r.kids[1], flat)),
                        self.value(self.expr(r.kids[2], flat)), r.span, tspan(r.kids[0]))

    def deriv(self, num: Word, den: Word, span: Range) -> Deriv:
        """``dA/dB``; ``\\partial L / \\partial W_{ij}`` is the entry
        ``dL/dW[i, j]`` when the letters are bound or ``W`` is a known name
        and ``Wij`` is not."""
        parts = []
        for w in (num, den):
            entry = w.isub and (all(i in self.bound for i, _ in w.isub)
                                or (w.base in self.known and w.id not in self.known))
            if entry:
                parts.append((Name(w.base, self.at(self.base_range(w))),
                              tuple(IndexVar(i, self.at(r)) for i, r in w.isub)))
            else:
                parts.append((Name(w.id, self.at(w.span)), ()))
        return Deriv(parts[0][0], parts[1][0], self.at(span), parts[0][1], parts[1][1])

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
                d = self.deriv(pfs[1], fs[1], (_range(pfs[0])[0], fs[1].span[1]))
                out.append((pk, ptok, [d, *fs[2:]]))
            else:
                out.append((k, tok, fs))
        return out
