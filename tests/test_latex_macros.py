"""Macros a document defines: every way of defining them, expansion with
positions kept, bounds, and documents that use them."""
import time

import pytest
from hypothesis import given, settings, strategies as st

from dsl.frontends.document import Slice
from dsl.frontends.macros import MAX_EXPANDED, Macros
from tests.latex_docs import codes_on, lint_doc, marked


def expand(defs: str, math: str) -> str:
    text = defs + "\n" + math
    out, why = Macros.scan(text).expand(Slice.of(text, len(defs) + 1, len(text)))
    assert why is None
    return out.text


@pytest.mark.parametrize("defs, math, expected", [
    (r"\newcommand{\yhat}{\hat{y}}", r"\yhat - y", r"\hat{y} - y"),
    (r"\newcommand\yhat{\hat{y}}", r"\yhat", r"\hat{y}"),
    (r"\newcommand*{\R}{\mathbb{R}}", r"x \in \R", r"x \in \mathbb{R}"),
    (r"\newcommand{\matr}[1]{\mathbf{#1}}", r"\matr{W} \matr x", r"\mathbf{W} \mathbf{x}"),
    (r"\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}", r"\pd{L}{W}", r"\frac{\partial L}{\partial W}"),
    (r"\newcommand{\W}[1][1]{W_{#1}}", r"\W + \W[2]", r"W_{1} + W_{2}"),
    (r"\newcommand{\x}{a}\renewcommand{\x}{b}", r"\x", "b"),
    (r"\def\v#1{\mathbf{#1}}", r"\v{h}", r"\mathbf{h}"),
    (r"\DeclareMathOperator{\softmax}{softmax}", r"\softmax(z)", r"\operatorname{softmax}(z)"),
    (r"\DeclareMathOperator*{\argmax}{arg\,max}", r"\argmax", r"\operatorname*{arg\,max}"),
    ("MathJax = {tex: {macros: {matr: ['\\\\mathbf{#1}', 1], RR: '\\\\mathbb{R}'}}};", r"\matr{A} \RR",
     r"\mathbf{A} \mathbb{R}"),
    ("MathJax.Hub.Config({TeX: {Macros: {bx: '{\\\\bf x}', vv: ['\\\\vec{#1}', 1]}}});", r"\bx \vv{u}",
     r"{\bf x} \vec{u}"),
    ('renderMathInElement(document.body, {macros: {"\\\\RR": "\\\\mathbb{R}", "\\\\f": "#1f(#2)"}});',
     r"\RR", r"\mathbb{R}"),
    (r"\newcommand{\a}{\b}\newcommand{\b}{c}", r"\a", "c"),                 # macros inside macros
    (r"\newcommand{\yhat}{\hat y}", r"\yhat_i", r"\hat y_i"),
    (r"\newcommand{\x}{x}", r"\x y", "x y"),                                # \x y stays two letters
    ("% \\newcommand{\\y}{q}", r"\y", r"\y"),                               # a commented-out definition
])
def test_each_way_of_defining_a_macro(defs, math, expected):
    assert expand(defs, math) == expected


def test_a_definition_inside_the_math_is_removed_and_applies_after_it():
    text = r"$$\newcommand{\yhat}{\hat{y}} \yhat = \sigma(z)$$ and later $\yhat$"
    macros = Macros.scan(text)
    out, _ = macros.expand(Slice.of(text, 2, text.index("$$", 2)))
    assert out.text.strip() == r"\hat{y} = \sigma(z)"


def test_the_definition_in_force_is_the_last_one_before_the_use():
    text = r"\newcommand{\x}{a} $\x$ \renewcommand{\x}{b} $\x$"
    macros = Macros.scan(text)
    first, second = (i for i in range(len(text)) if text.startswith(r"$\x$", i))
    assert macros.expand(Slice.of(text, first + 1, first + 3))[0].text == "a"
    assert macros.expand(Slice.of(text, second + 1, second + 3))[0].text == "b"


def test_expanded_characters_map_to_the_invocation_and_arguments_to_themselves():
    text = r"\newcommand{\matr}[1]{\mathbf{#1}} $\matr{W} + \yhat$ \def\yhat{\hat{y}}"
    start = text.index("$") + 1
    out, _ = Macros.scan(text).expand(Slice.of(text, start, text.index("$", start)))
    assert out.text == r"\mathbf{W} + \hat{y}"
    w = out.text.index("W")
    assert text[out.offs[w]] == "W"                             # the argument where it was written
    body = out.text.index(r"\mathbf")
    assert (out.offs[body], out.host_end(w + 2)) == (start, start + len(r"\matr{W}"))
    hat = out.text.index(r"\hat")
    assert text[out.at(hat):out.host_end(len(out.text))] == r"\yhat"


def test_runaway_macros_stop_with_a_reason_and_quickly():
    for defs in (r"\def\a{\a x}", r"\def\a{\a\a}", r"\newcommand{\a}{\b}\newcommand{\b}{\a}"):
        text = defs + r" $\a$"
        began = time.perf_counter()
        out, why = Macros.scan(text).expand(Slice.of(text, len(text) - 3, len(text) - 1))
        assert why and ("deep" in why or "longer" in why)
        assert len(out.text) <= MAX_EXPANDED + 10 and time.perf_counter() - began < 5


def test_malformed_definitions_are_ignored_not_fatal():
    text = r"\newcommand{\x}[1]{ \def\y#1 \DeclareMathOperator{\z} MathJax = {tex: {macros: {a: [" + " $\\x$"
    macros = Macros.scan(text)
    assert isinstance(macros.expand(Slice.of(text, 0, len(text)))[0], Slice)


DOC = r"""<script>
window.MathJax = {
  tex: {macros: {matr: ['\\mathbf{#1}', 1], yhat: '\\hat{\\mathbf{y}}'}}
};
</script>

<!-- deriv: dims n, k -->
<!-- deriv: x : 1 x n -->
<!-- deriv: W : n x k -->

$$\newcommand{\Wmatr}{\matr{W}}$$

The scores are $$ s = \matr{x} \Wmatr $$
and the wrong way round $$ r = \Wmatr \matr{x} $$.
$$ \def\loop{\loop x} q = \loop $$
"""


def test_a_markdown_document_with_mathjax_macros(tmp_path):
    report = lint_doc(tmp_path, "notes.md", DOC)
    assert codes_on(report, "s = ") == []
    assert codes_on(report, "r = ") == ["E300"]
    assert marked(report, "E300") == [r"\Wmatr \matr{x}"]
    assert "N710" in codes_on(report, r"\loop")


TEX = r"""\documentclass{article}
\newcommand{\vx}{\mathbf{x}}
\DeclareMathOperator{\softmax}{softmax}
\newcommand{\W}[1][1]{\mathbf{W}_{#1}}
\begin{document}
% deriv: dims n, k
% deriv: x : 1 x n
% deriv: W1 : n x k
\begin{equation}
  p = \softmax(\vx \W)
\end{equation}
\begin{equation}
  q = \softmax(\W \vx)
\end{equation}
\end{document}
"""


def test_a_latex_preamble_defines_macros_for_the_body(tmp_path):
    report = lint_doc(tmp_path, "notes.tex", TEX)
    assert codes_on(report, r"p = \softmax") == []
    assert codes_on(report, r"q = \softmax") == ["E300"]
    assert marked(report, "E300") == [r"\W \vx"]


MACROISH = st.lists(st.sampled_from([
    r"\newcommand", r"\renewcommand", r"\def", r"\DeclareMathOperator", "{", "}", "[1]", "[2]", "[x]",
    r"\a", r"\b", "#1", "#2", "x", " ", "MathJax = {tex: {macros: {", "a: ['", "', 1]", "}}}", '"\\\\b"', ":",
]), max_size=25).map("".join)


@settings(max_examples=150, deadline=None)
@given(MACROISH, st.sampled_from([r"\a", r"\b{x}", r"\a\b", r"\b[y]{z} w"]))
def test_random_definitions_never_crash_and_keep_positions(defs, math):
    text = defs + " $" + math + "$"
    start = text.rindex("$", 0, len(text) - 1) + 1
    out, _ = Macros.scan(text).expand(Slice.of(text, start, len(text) - 1))
    assert len(out.offs) == len(out.text) and all(0 <= o <= len(text) for o in out.offs)
