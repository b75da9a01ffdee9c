"""Decoration that never blocks a formula, and the readings that depend on
the form: scalar factors juxtaposed with vectors, nested functions, \\cdot."""
import pytest

from dsl.frontends.latex_math import Translation, Unreadable, translate
from tests.latex_docs import claims_on, codes_on, lint_doc, marked


@pytest.mark.parametrize("latex, text", [
    (r"\underbrace{x W}_{\text{logits}} + b", "x @ W + b"),
    (r"\overbrace{x W}^{z} + b", "x @ W + b"),
    (r"\boxed{x W}", "x @ W"),
    (r"x \hspace{1em} W \vspace{2pt}", "x @ W"),
    (r"x \qquad W \quad + \, b \; - \! c", "x @ W + b - c"),
    (r"\left. x W \right.", "x @ W"),
    (r"\Big[ x \Big] \big( W \big)", "x @ W"),
    (r"\therefore x W", "x @ W"), (r"\because x W", "x @ W"),
    (r"x W \tag{3}\label{eq:z}\nonumber", "x @ W"),
    (r"\cos x + \sin(x)", "cos(x) + sin(x)"),
    (r"\log \sigma(z)", "log(sigma(z))"), (r"-\log \sigma(u^\top v)", "-log(sigma(u.T @ v))"),
])
def test_decoration_is_skipped_and_the_formula_read(latex, text):
    t = translate(latex)
    assert isinstance(t, Translation), t
    assert t.text == text


@pytest.mark.parametrize("latex, text", [
    (r"-p:\log y", "-sum(p * log(y))"),
    (r"A:B + 1", "sum(A * B) + 1"),
    (r"G : (X W)", "sum(G * (X @ W))"),
])
def test_the_frobenius_product_of_matrix_calculus_answers(latex, text):
    assert translate(latex).text == text


def test_an_ellipsis_is_unreadable_with_its_reason_and_place():
    side = r"a_1 + \cdots + a_n"
    r = translate(side)
    assert isinstance(r, Unreadable) and "terms that are not written" in r.what
    assert side[r.start:r.end] == r"\cdots"
    for dots in (r"\ldots", r"\dots", "…"):
        assert isinstance(translate(f"a + {dots} + b"), Unreadable)


@pytest.mark.parametrize("latex, scalars, text", [
    (r"(\sigma(u_o^\top v_c) - 1) v_c", (), "(sigma(uo.T @ vc) - 1) * vc"),   # an inner product of vectors
    (r"u^\top v \, w", (), "u.T @ v * w"),
    (r"W^\top x", (), "W.T @ x"),                                           # a matrix: not an inner product
    (r"\lambda \mathbf{w}", (), "lambda * w"),                              # a conventional scalar letter
    (r"\eta g", (), "eta * g"),
    (r"\theta x", (), "theta @ x"),                                         # theta is a parameter vector
    (r"2 x", (), "2 * x"), (r"c W", ("c",), "c * W"),
])
def test_a_scalar_factor_juxtaposed_is_a_scaling(latex, scalars, text):
    assert translate(latex, scalars=set(scalars)).text == text


def test_a_declared_non_scalar_is_not_a_conventional_scalar():
    assert translate(r"\lambda \mathbf{w}", known={"lambda"}).text == "lambda @ w"


def test_cdot_reads_as_the_document_says():
    assert translate(r"A \cdot B").text == "A @ B"
    assert translate(r"A \cdot B", cdot="matmul").text == "A @ B"
    assert translate(r"A \cdot B", cdot="elementwise").text == "A * B"
    assert translate(r"2 \cdot B", cdot="matmul").text == "2 * B"
    with pytest.raises(ValueError):
        translate("A", cdot="hadamard")


DOC = r"""## Negative sampling, one outside word

<!-- deriv: dims d -->
<!-- deriv: vc : d x 1 -->
<!-- deriv: uo : d x 1 -->
<!-- deriv: lambda : scalar -->

The loss for the true pair is $$ J = -\log \sigma(u_o^\top v_c) \tag{1} $$

$$ \frac{\partial J}{\partial v_c} = (\sigma(u_o^\top v_c) - 1) u_o \,, $$

$$ \frac{\partial J}{\partial u_o} = \underbrace{(\sigma(u_o^\top v_c) - 1)}_{\text{a scalar}} v_c^\top $$

$$ \therefore \frac{\partial J}{\partial u_o} = \left(1 - \sigma(u_o^\top v_c)\right) v_c \quad \text{(sign?)} $$

With decay, $$ R = \frac{\lambda}{2} \|v_c\|^2 $$ and $$ \frac{\partial R}{\partial v_c} = \lambda v_c $$.
"""


def test_a_homework_answer_with_decoration_and_scalar_factors(tmp_path):
    report = lint_doc(tmp_path, "hw2.md", DOC)
    assert claims_on(report, r"\partial v_c} = (\sigma") == ["verified"]
    assert codes_on(report, r"\underbrace") == ["E400"]             # a row where a column belongs
    assert marked(report, "E400") == [r"\underbrace{(\sigma(u_o^\top v_c) - 1)}_{\text{a scalar}} v_c^\top"]
    assert codes_on(report, r"\therefore") == ["E500"]              # the sign is flipped
    assert claims_on(report, r"\partial R}") == ["verified"]
    assert not [d for d in report["diagnostics"] if d["code"] in ("N700", "N702")]
