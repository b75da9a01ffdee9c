"""The notation of course notes and Q&A answers: gradient variables (``dW^{[1]}``),
layer superscripts with a transpose or an example index, the upper limit of a sum
as a size, update rules, and a value defined twice."""

from latex_docs import lint_doc

from dsl.frontends import extract
from dsl.frontends.latex_math import Translation, translate


def lint(tmp_path, text, name="notes.md"):
    report = lint_doc(tmp_path, name, text, verbose=True)
    return report["exit_code"], report


def alarms(report):
    return [(d["code"], d["line"]) for d in report["diagnostics"] if d["severity"] in ("error", "warning")]


NG_STYLE = r"""# Two layers

$$Z^{[1]} = W^{[1]} X + b^{[1]}$$

$$A^{[1]} = \tanh(Z^{[1]})$$

$$Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}$$

$$A^{[2]} = \sigma(Z^{[2]})$$

The cost is $J = -\frac{1}{m} \sum_{i=1}^{m} y^{(i)} \log a^{[2](i)}$. Backward:

$$dZ^{[2]} = A^{[2]} - Y$$

$$dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}$$

$$dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - (A^{[1]})^2)$$

$$dW^{[1]} = \frac{1}{m} dZ^{[1]} X$$
"""


def test_gradient_variables_of_course_notes_are_names(tmp_path):
    source = extract("a.md", NG_STYLE).source.text
    assert "dZ2 = A2 - Y" in source and "dW2 = 1 / m * dZ2 @ A1.T" in source
    assert "dZ1 = W2.T @ dZ2 * (1 - A1 ** 2)" in source
    code, report = lint(tmp_path, NG_STYLE)
    assert code == 1 and alarms(report) == [("E300", 19)]     # dZ1 X: the transpose of X is missing


def test_the_upper_limit_of_a_sum_is_a_size(tmp_path):
    source = extract("a.md", NG_STYLE).source.text
    assert "dims m\n" in source
    _, report = lint(tmp_path, NG_STYLE)
    assert any(d["code"] == "N720" and "upper limit of a sum" in d["message"] for d in report["diagnostics"])


def test_differentials_are_not_gradient_variables(tmp_path):
    text = "$x \\in \\mathbb{R}^n$, $W \\in \\mathbb{R}^{n \\times k}$\n\n$$a = W^T x$$\n\n$$da = W^T dx$$\n"
    source = extract("a.md", text).source.text
    assert "da" not in source and "d :" not in source
    code, report = lint(tmp_path, text)
    assert code == 0 and any(d["code"] == "N702" and d["line"] == 5 for d in report["diagnostics"])


def test_a_layer_superscript_then_a_transpose_or_an_example_index():
    r = translate(r"W^{[2]T} dZ", known={"W2", "dZ"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "W2.T @ dZ"
    r = translate(r"\sum_{i=1}^{m} y^{(i)} \log a^{[2](i)}", known={"m"}, scalars={"m"})
    assert isinstance(r, Translation) and r.text == "sum[i](y[i] * log(a2[i]))"
    r = translate(r"W^{(l)T}", known=set(), scalars=set())
    assert isinstance(r, Translation) and r.text == "Wl.T"


def test_an_entry_superscript_needs_no_declared_base_but_a_name_of_the_document_wins():
    r = translate(r"\sum_i y^{(i)}", known=set(), scalars=set())
    assert isinstance(r, Translation) and r.text == "sum[i](y[i])"
    r = translate(r"\sum_i y^{(i)}", known={"yi"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "sum(yi)"


QUESTION_AND_ANSWER = r"""Question: $X$ is the data, $h = \sigma(X\theta)$, and my cost is

$$J = \frac{1}{m}\sum_{i=1}^m \left[ y^{(i)} \log h^{(i)} + (1 - y^{(i)}) \log (1 - h^{(i)}) \right]$$

with the gradient

$$\frac{\partial J}{\partial \theta} = \frac{1}{m} X^T (h - y)$$

and the step $\theta := \theta - \alpha \frac{\partial J}{\partial \theta}$.

Answer: the notes use
$J = -\frac{1}{m}\sum_{i=1}^m \left[ y^{(i)} \log h^{(i)} + (1 - y^{(i)}) \log (1 - h^{(i)}) \right]$, for which
$\nabla_\theta J = \frac{1}{m} X^T (h - y)$.
"""


def test_an_update_rule_is_no_definition_and_the_document_is_read_without_declarations(tmp_path):
    code, report = lint(tmp_path, QUESTION_AND_ANSWER)
    inferred = {d["message"].split(" :")[0] for d in report["diagnostics"] if d["code"] == "N740"}
    assert {"X", "theta", "y"} <= inferred and "h" not in inferred      # h is defined
    assert code == 1 and alarms(report) == [("E500", 7)]      # the question's gradient is wrong for its J


def test_claims_after_a_second_definition_that_is_surely_another_value_use_it(tmp_path):
    _, report = lint(tmp_path, QUESTION_AND_ANSWER)
    again = [d for d in report["diagnostics"] if d["line"] == 12 and d["code"] == "N723"]
    assert again and "later formulas use this definition" in again[0]["message"]
    assert [(c["line"], c["status"]) for c in report["claims"]] == [(7, "wrong"), (13, "verified")]


def test_claims_after_a_second_definition_that_cannot_be_a_version_are_not_checked(tmp_path):
    text = QUESTION_AND_ANSWER.replace(r"\log (1 - h^{(i)}) \right]$, for",
                                       r"\log (1 - h^{(i)}) \right] + \theta$, for")
    text = text.replace(r"$J = -\frac{1}{m}", r"$J = \frac{1}{m}")
    _, report = lint(tmp_path, text)         # a term of another shape added: no version of the same shape
    later = [d for d in report["diagnostics"] if d["line"] == 13 and d["code"] == "N702"]
    assert later and "defined again differently on line 12" in later[0]["message"]
    assert not [c for c in report["claims"] if c["line"] == 13]


def test_a_second_definition_in_another_form_keeps_the_claims_checked(tmp_path):
    text = ("$X \\in \\mathbb{R}^{n \\times d}$, $w \\in \\mathbb{R}^d$, $y \\in \\mathbb{R}^n$\n\n"
            "$$f = (X w - y)^T (X w - y)$$\n\nExpanding, $f = w^T X^T X w - 2 y^T X w + y^T y$, so\n\n"
            "$$\\frac{\\partial f}{\\partial w} = 2 X^T (X w - y)$$\n")
    code, report = lint(tmp_path, text)
    assert code == 0 and [c["status"] for c in report["claims"]] == ["verified"]


def test_an_unstated_square_I_is_the_identity(tmp_path):
    text = ("$x \\in \\mathbb{R}^n$ and $\\mu \\in \\mathbb{R}^n$, with $u = x - \\mu$.\n\n"
            "$$\\frac{\\partial u}{\\partial \\mu} = -I$$\n\n$$\\frac{\\partial u}{\\partial x} = 2 I$$\n")
    source = extract("a.md", text).source.text
    assert "I = eye(n)\n" in source and "I :" not in source
    code, report = lint(tmp_path, text)
    assert code == 1 and [(c["line"], c["status"]) for c in report["claims"]] == [(3, "verified"), (5, "wrong")]
    assert any(d["code"] == "N740" and d["message"].startswith("I = eye(n)") for d in report["diagnostics"])


def test_an_I_the_equations_leave_rectangular_is_no_identity():
    from dsl.core.dims import Shape, Sym
    from dsl.frontends.infer import Equation, solve
    from dsl.language.syntax import parse_expr
    sol = solve({"A": Shape((Sym("m"), Sym("n")))}, {"m", "n"}, [Equation("B", None, parse_expr("A + I")[0], 0, 1)])
    assert "I" not in sol.identities and str(sol.shapes["I"]) == "m x n"


def test_the_indicator_of_a_comparison_is_where():
    r = translate(r"\frac{\partial L}{\partial H} \odot \mathbb{1}(Z_1 > 0)", known={"H", "Z1", "L"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "dL/dH * where(Z1 > 0, 1, 0)"
    r = translate(r"G \circ \mathbb{1}[X \geq 0]", known={"G", "X"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "G * where(X >= 0, 1, 0)"
    r = translate(r"X^T \mathbf{1}", known={"X"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "sum(X.T, axis=1)"     # a vector of ones, not an indicator


def test_an_indicator_in_a_relu_backward_pass_is_checked(tmp_path):
    text = ("$X \\in \\mathbb{R}^{N \\times D}$, $W \\in \\mathbb{R}^{D \\times H}$\n\n$$Z = X W$$\n\n"
            "$$A = \\max(0, Z)$$\n\n"
            "$$\\frac{\\partial L}{\\partial Z} = \\frac{\\partial L}{\\partial A} \\odot \\mathbb{1}(Z > 0)$$\n\n"
            "$$\\frac{\\partial L}{\\partial W} = X \\frac{\\partial L}{\\partial Z}$$\n")
    code, report = lint(tmp_path, text)
    assert code == 1 and alarms(report) == [("E300", 9)]
