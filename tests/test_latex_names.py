"""Decorated names in LaTeX math: layer superscripts, stars, primes,
calligraphic letters, told apart from transposes and powers."""
import pytest

from dsl.frontends.latex_math import Translation, translate
from dsl.frontends.latex_names import sup_part
from dsl.language.syntax import parse_expr
from tests.latex_docs import codes_on, lint_doc, marked

NAMES = [
    (r"W^{(l)}", "Wl"), (r"W^{[l]}", "Wl"), (r"W^L", "WL"), (r"a^{L-1}", "aLm1"), (r"a^{[l+1]}", "alp1"),
    (r"h^{(k)}", "hk"), (r"\mathbf{W}^{(2)}", "W2"), (r"\mathcal{L}", "L"), (r"\mathscr{J}", "J"),
    (r"\mathbf{w}^*", "wstar"), (r"w^{*}", "wstar"), (r"\theta^\star", "thetastar"),
    (r"\tilde{x}", "xtilde"), (r"x'", "xprime"), (r"W_1^{(l)}", "W1l"),
    (r"h_{t-1}", "htm1"), (r"x_{t+1}", "xtp1"),           # a shifted subscript, as a layer superscript
]


@pytest.mark.parametrize("latex, name", NAMES)
def test_a_decorated_name_is_one_identifier(latex, name):
    t = translate(latex)
    assert isinstance(t, Translation), t
    assert t.name == name
    assert parse_expr(t.text)[0].id == name          # a valid chainrule identifier


@pytest.mark.parametrize("latex, name", NAMES)
def test_fmt_latex_of_the_name_reads_back_to_it(latex, name):
    from dsl.apps.fmt_names import latex_name
    assert translate(latex_name(name)).name == name


@pytest.mark.parametrize("latex, known, scalars, text", [
    (r"W^T", (), (), "W.T"), (r"W^{\intercal}", (), (), "W.T"), (r"W^\top", (), (), "W.T"),
    (r"X'X", {"X"}, (), "X.T @ X"),                   # a prime on a known matrix transposes
    (r"x^2", (), (), "x ** 2"), (r"\|x\|^2", (), (), "sum(x ** 2)"), (r"W^{-1}", (), (), "inv(W)"),
    (r"x^n", {"x"}, {"n"}, "x ** n"),                 # a known scalar on a known name: a power
    (r"x^n", (), {"n"}, "xn"),                        # ... on an unknown base: a name
    (r"e^{x}", (), (), "exp(x)"),
    (r"W^{[l]}{}^\top a^{[l]}", (), (), "Wl.T @ al"),  # {} is only a base for the script
])
def test_transposes_and_powers_are_not_names(latex, known, scalars, text):
    assert translate(latex, known=set(known), scalars=set(scalars)).text == text


def test_a_name_part_maps_back_to_the_whole_decorated_name():
    side = r"\mathbf{W}^{[l]} a^{[l-1]}"
    t = translate(side)
    spans = {t.text[g0:g1]: side[s0:s1] for g0, g1, s0, s1 in t.pieces}
    assert spans["Wl"] == r"\mathbf{W}^{[l]}" and spans["alm1"] == "a^{[l-1]}"


def test_superscript_parts_are_spelled_only_when_they_are_name_like():
    assert [sup_part(s) for s in ("(l)", "[k]", "L", "(L-1)", r"\star", "(1)")] == ["l", "k", "L", "Lm1", "star", "1"]
    assert sup_part(r"\alpha") is None and sup_part("(a,b)") is None and sup_part("-") is None


DOC = r"""# One layer of a deep network

<!-- deriv: dims n, m -->
<!-- deriv: Wl : n x m -->
<!-- deriv: alm1 : m x 1 -->

The pre-activation of layer $l$ is $$ z^{[l]} = \mathbf{W}^{[l]} a^{[l-1]} $$
and the same with the factors swapped, $$ u^{(l)} = a^{(l-1)} W^{[l]} $$, does not fit.
Then $$ s^{[l]} = \mathbf{W}^{[l]}{}^\top z^{[l]} $$ goes back down.
"""


def test_layer_superscripts_are_checked_in_a_document(tmp_path):
    report = lint_doc(tmp_path, "layers.md", DOC)
    assert codes_on(report, "z^{[l]} = ") == []
    assert codes_on(report, "u^{(l)} = ") == ["E300"]
    assert marked(report, "E300") == ["a^{(l-1)} W^{[l]}"]
    assert codes_on(report, "s^{[l]} = ") == []
    assert not [d for d in report["diagnostics"] if d["code"] in ("N700", "N702")]
