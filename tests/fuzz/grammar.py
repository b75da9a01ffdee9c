"""Programs generated from ``grammar/chainrule.lark`` by hypothesis' Lark
strategy (the ``LarkStrategy`` that ``hypothesis.extra.lark.from_lark``
returns, with its depth bounded: see below).

Two kinds:

- :func:`raw_programs`: statements drawn from the start symbol
  ``statement`` with the grammar's own terminals (Unicode names, any
  number, blanks and comments), a few per program.  Nearly every name is
  undefined: these exercise the parser, the spelling of names, spans and
  the diagnostics of bad programs.
- :func:`typed_programs`: a fixed prelude of declarations with small
  sizes, then definitions and claims whose right sides are drawn from the
  start symbol ``expr`` with the names, numbers, functions and derivative
  terms restricted (``explicit=``) to ones the prelude knows.  These get
  past name errors into the shape checker, the verifier and evaluation.

The grammar is the product's (``dsl.language.syntax.grammar_text``), read
by a plain LALR Lark instance: the strategy only needs the rules and
terminals.  Left to itself the strategy's expressions branch without bound
(most drawn trees overrun hypothesis' buffer and are thrown away), so
:class:`_Bounded`, the same Lark strategy, takes each rule's first (shortest)
alternative once the tree is :data:`MAX_DEPTH` rules deep: for ``expr``
that is a chain down to one ``NAME``.
"""
from __future__ import annotations

import functools

from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy
from lark import Lark
from lark.grammar import NonTerminal

from dsl.language.syntax import grammar_text


@functools.cache
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="contextual", start=["statement", "expr"])


INPUTS = {"x": "1 x n", "W": "n x k", "b": "1 x k", "M": "n x n", "v": "n x 1", "c": "scalar",
          "y": "1 x k onehot", "P": "n x k prob", "S": "n x n spd"}
FUNCTIONS = ["sigma", "tanh", "relu", "exp", "log", "sqrt", "abs", "softplus", "softmax",
             "logsumexp", "sum", "mean", "xent", "mse", "diag", "trace", "eye", "ones", "zeros",
             "inv", "det", "outer", "max", "min", "maximum", "minimum", "clip", "sign", "norm",
             "logdet", "log1p", "sin", "cos", "erf", "gelu", "transpose", "frobnicate"]
DEFINED = ["a0", "z", "h", "L"]
PRELUDE_DEFS = "a0 = x @ W\nz = a0 + b\nh = sigma(z)\nL = sum(h * h) + c * sum(x)\n"
DERIVS = ["dL/dx", "dL/dW", "dL/db", "dL/dc", "dh/dz", "da0/dx", "dz/dx", "dh/dx", "dL/dM", "da1/dx",
          "dL/da1", "dL/dh", "dx/dx", "dL/dn", "∂L/∂x"]


# right sides near the truth for the prelude, so that claims get past the
# shape checker into verification (and some of them are right)
PLAUSIBLE = {
    "dL/dx": ["2 * h * h * (1 - h) @ W.T + c", "(2 * h * sigma'(a0) * h) @ W.T + c * ones(1, n)",
              "dL/dz @ W.T + c"],
    "dL/dW": ["x.T @ (2 * h * h * (1 - h))", "x.T @ dL/dz"],
    "dL/db": ["2 * h * h * (1 - h)", "dL/dh * sigma'(z)"],
    "dL/dc": ["sum(x)", "sum(x, axis=1)"],
    "dh/dz": ["diag(h * (1 - h))", "h * (1 - h)", "diag(sigma'(z))"],
    "da0/dx": ["W.T", "W"],
    "dz/dx": ["W.T", "da0/dx"],
    "dh/dx": ["diag(h * (1 - h)) @ W.T", "dh/dz @ dz/dx"],
    "dL/dh": ["2 * h", "2 * h.T"],
}


def _spaced(values: list[str]) -> st.SearchStrategy[str]:
    """Tokens followed by a blank, so that adjacent tokens never glue."""
    return st.sampled_from(values).map(lambda v: v + " ")


def _expr_terminals(numbers: list[str]) -> dict[str, st.SearchStrategy[str]]:
    names = list(INPUTS) * 4 + DEFINED * 2 + ["a1", "a2", "n", "k", "axis", "undefined_name"] + FUNCTIONS
    punctuation = {"PLUS": ["+"], "MINUS": ["-", "−"], "AT": ["@"], "STAR": ["*", "∘", "⊙"],
                   "SLASH": ["/"], "POW": ["**"], "TRANSPOSE": [".T", "^T", "ᵀ"], "LPAR": ["("],
                   "RPAR": [")"], "LSQB": ["["], "RSQB": ["]"]}
    explicit = {name: _spaced(values) for name, values in punctuation.items()}
    explicit.update(NAME=_spaced(names), NUMBER=_spaced(numbers), DERIV=_spaced(DERIVS),
                    PRIMED=_spaced([f + "'" for f in FUNCTIONS[:10]] + ["x'"]),
                    WS=st.just(" "), COMMENT=st.just(""))
    return explicit


MAX_DEPTH = 12     # rules deep (about two levels of brackets) before every rule takes its shortest alternative


class _Bounded(LarkStrategy):
    """``from_lark``'s strategy with the depth of the drawn tree bounded."""

    def __init__(self, grammar: Lark, start: str, explicit: dict, max_depth: int = MAX_DEPTH):
        super().__init__(grammar, start, explicit, st.characters(codec="utf-8"))
        self.depth, self.max_depth = 0, max_depth
        self.shortest = {name: strategy.elements[0]
                         for name, strategy in self.nonterminal_strategies.items()}

    def draw_symbol(self, data, symbol, draw_state) -> None:
        if not isinstance(symbol, NonTerminal) or self.depth < self.max_depth:
            self.depth += isinstance(symbol, NonTerminal)
            try:
                super().draw_symbol(data, symbol, draw_state)
            finally:
                self.depth -= isinstance(symbol, NonTerminal)
            return
        for part in self.shortest[symbol.name]:
            self.draw_symbol(data, part, draw_state)
            draw_state.append(" ")

    def do_draw(self, data) -> str:
        self.depth = 0
        return super().do_draw(data)


@functools.cache
def raw_statement() -> st.SearchStrategy[str]:
    return _Bounded(_lark(), "statement", {})


@st.composite
def raw_programs(draw) -> str:
    """1 to 6 grammar-drawn statements, one per line."""
    lines = draw(st.lists(raw_statement(), min_size=1, max_size=6))
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"


@functools.cache
def typed_expr(numbers: tuple[str, ...]) -> st.SearchStrategy[str]:
    return _Bounded(_lark(), "expr", _expr_terminals(list(numbers)))


@st.composite
def typed_programs(draw, sizes: list[int | None], numbers: list[str]) -> str:
    """The prelude, then 1 to 4 definitions (``a1``, ``a2``, ...) and claims
    with grammar-drawn right sides.  ``sizes``: the values ``n`` and ``k``
    may be given (``None``: no value, drawn when verifying)."""
    n, k = draw(st.sampled_from(sizes)), draw(st.sampled_from(sizes))
    dims = ", ".join(s if v is None else f"{s} = {v}" for s, v in (("n", n), ("k", k)))
    layout = draw(st.sampled_from(["", "layout denominator\n"]))
    lines = [layout + f"dims {dims}"] + [f"{name} : {shape}" for name, shape in INPUTS.items()]
    body = []
    for i in range(draw(st.integers(1, 4))):
        expr = draw(typed_expr(tuple(numbers))).replace("\n", " ")
        if draw(st.booleans()):
            body.append(f"a{i + 1} = {expr}")
        elif draw(st.booleans()):
            body.append(f"{draw(st.sampled_from(DERIVS))} = {expr}")
        else:
            deriv = draw(st.sampled_from(sorted(PLAUSIBLE)))
            right = draw(st.sampled_from(PLAUSIBLE[deriv]))
            how = draw(st.sampled_from(["", "", "+", "-", "*", "@", "/"]))
            body.append(f"{deriv} = {right}" if not how else f"{deriv} = ({right}) {how} {expr}")
    return "\n".join(lines) + "\n" + PRELUDE_DEFS + "\n".join(body) + "\n"
