"""Per-example superscripts (CS229/UFLDL style) as the rows of a data matrix:
``\\theta^T x^{(i)}`` is ``(X @ theta)[i]``, ``x_j^{(i)}`` and ``x^{(i)}_j``
are ``X[i, j]``, so the classic gradients of least squares and logistic
regression in this style are checked, and a wrong one is flagged."""
from __future__ import annotations

import io
import json

from dsl.apps.lint import run_lint
from dsl.frontends.latex_examples import data_matrix, example_rows, feature
from dsl.frontends.latex_math import Translation, Unreadable, translate

PROSE = ("The design matrix $X \\in \\mathbb{R}^{m \\times n}$ has the examples $x^{(i)}$ as rows, "
         "the targets are $y \\in \\mathbb{R}^m$ and the parameters $\\theta \\in \\mathbb{R}^n$.\n\n")
SQUARES = "$$J(\\theta) = \\frac{1}{2}\\sum_{i=1}^m (\\theta^T x^{(i)} - y^{(i)})^2$$\n\n"
LOGISTIC = ("$$J(\\theta) = -\\frac{1}{m}\\sum_{i=1}^m \\left[ y^{(i)} \\log \\sigma(\\theta^T x^{(i)}) "
            "+ (1 - y^{(i)}) \\log (1 - \\sigma(\\theta^T x^{(i)})) \\right]$$\n\n")


def lint(tmp_path, text):
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    code = run_lint([str(path)], fmt="json", out=out)
    return code, json.loads(out.getvalue())["files"][0]


def claims(report) -> dict[int, str]:
    return {c["line"]: c["status"] for c in report.get("claims", [])}


def codes(report) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for d in report["diagnostics"]:
        found.setdefault(d["line"], []).append(d["code"])
    return found


def test_the_data_matrix_is_the_upper_case_of_a_one_letter_example():
    assert (data_matrix("x"), data_matrix("a"), data_matrix("xy"), data_matrix("X")) == ("X", "A", None, None)
    assert feature("x", "i", "j") == ("X", ("i", "j"))
    assert feature("x", "i", "i") is None


def test_a_vector_times_the_ith_example_is_an_entry_of_the_data_matrix_times_it():
    for latex in (r"\sum_{i=1}^m (\theta^T x^{(i)} - y^{(i)})^2", r"\sum_{i=1}^m (x^{(i)T} \theta - y^{(i)})^2"):
        r = translate(latex, known={"theta", "X", "y", "m"}, scalars={"m"})
        assert isinstance(r, Translation) and r.text == "sum[i](((X @ theta)[i] - y[i]) ** 2)", latex


def test_a_subscript_example_and_a_word_vector_are_not_rows_of_a_data_matrix():
    r = translate(r"\sum_w \exp(u_w^\top v_c)", known={"vc"}, scalars=set())
    assert isinstance(r, Unreadable)
    r = translate(r"\sum_{i=1}^m d_i (x_i^\top w - y_i)^2", known={"d", "w", "y", "m"}, scalars={"m"})
    assert not (isinstance(r, Translation) and "X" in r.text)


def test_example_rows_leaves_a_tree_without_examples_as_it_is():
    r = translate(r"\sum_{i=1}^m y^{(i)}", known={"y", "m"}, scalars={"m"})
    assert isinstance(r, Translation) and r.text == "sum[i](y[i])"
    assert example_rows(None, frozenset({"i"}), "") is None


def test_the_least_squares_gradient_per_feature_is_verified_in_both_orders_of_scripts(tmp_path):
    for feat in ("x_j^{(i)}", "x^{(i)}_j"):
        text = PROSE + SQUARES + ("$$\\frac{\\partial J}{\\partial \\theta_j} = \\sum_{i=1}^m "
                                  f"(\\theta^T x^{{(i)}} - y^{{(i)}}) {feat}$$\n")
        code, report = lint(tmp_path, text)
        assert code == 0 and claims(report) == {5: "verified"}, feat


def test_a_logistic_gradient_with_the_sign_of_the_likelihood_is_flagged(tmp_path):
    right = "(\\sigma(\\theta^T x^{(i)}) - y^{(i)})"
    wrong = "(y^{(i)} - \\sigma(\\theta^T x^{(i)}))"
    claim = "$$\\frac{\\partial J}{\\partial \\theta_j} = \\frac{1}{m}\\sum_{i=1}^m %s x_j^{(i)}$$\n\n"
    code, report = lint(tmp_path, PROSE + LOGISTIC + claim % right + claim % wrong)
    assert code == 1
    assert claims(report) == {5: "verified", 7: "wrong"}
    assert "E500" in codes(report)[7] and 5 not in codes(report)


def test_a_statement_about_the_ith_example_declares_no_name_of_its_own():
    from dsl.frontends.declarations import name_of
    assert name_of(r"x^{(i)}") is None and name_of(r"\mathbf{x}^{(i)}") is None
    assert name_of(r"\mathbf{W}^{(1)}") == "W1"


def test_a_penalty_beside_the_per_example_sum_is_checked_with_the_example_stated_in_prose(tmp_path):
    text = ("With $m$ examples $x^{(i)} \\in \\mathbb{R}^n$ as the rows of $X \\in \\mathbb{R}^{m \\times n}$, "
            "$y \\in \\mathbb{R}^m$, $\\theta \\in \\mathbb{R}^n$ and a scalar $\\lambda > 0$:\n\n"
            "$$J = \\frac{1}{2m} \\sum_{i=1}^{m} (\\theta^T x^{(i)} - y^{(i)})^2 "
            "+ \\frac{\\lambda}{2m} \\sum_{j=1}^{n} \\theta_j^2$$\n\n")
    claim = ("$$\\frac{\\partial J}{\\partial \\theta_j} = \\frac{1}{m} \\sum_{i=1}^{m} "
             "(\\theta^T x^{(i)} - y^{(i)}) x^{(i)}_j + %s \\theta_j$$\n\n")
    code, report = lint(tmp_path, text + claim % "\\frac{\\lambda}{m}" + claim % "\\lambda")
    assert code == 1 and claims(report) == {5: "verified", 7: "wrong"}


def test_a_hypothesis_a_formula_defines_is_found_with_its_argument_as_a_parameter():
    from dsl.frontends.hypotheses import invocation, scan
    text = r"$$h_\theta(x) = \sigma(\theta^T x).$$ and $h_{w}(z) = w z$, $f_a(b) = c$"
    assert scan(text) == [("h_\\theta", "\\sigma(\\theta^T #1)", 2), ("h_w", "w #1", text.index("h_{w}"))]
    use = r"\log h_{\theta}(x^{(i)}) + 1"
    name, end, a, b = invocation(use, use.index("h"))
    assert (name, use[a:b], use[end:]) == ("h_\\theta", "x^{(i)}", " + 1")
    assert invocation(r"\log h_\theta(x", 5) is None and invocation(r"ah_\theta(x)", 1) is None


def test_the_hypothesis_applied_to_an_example_reads_as_its_body(tmp_path):
    define = "$$h_\\theta(x) = \\sigma(\\theta^T x)$$\n\n"
    cost = LOGISTIC.replace("\\sigma(\\theta^T x^{(i)})", "h_\\theta(x^{(i)})")
    assert cost.count("h_\\theta(x^{(i)})") == 2
    claim = "$$\\frac{\\partial J}{\\partial \\theta_j} = \\frac{1}{m}\\sum_{i=1}^m %s x_j^{(i)}$$\n\n"
    right, wrong = "(h_\\theta(x^{(i)}) - y^{(i)})", "(y^{(i)} - h_\\theta(x^{(i)}))"
    code, report = lint(tmp_path, PROSE + define + cost + claim % right + claim % wrong)
    assert code == 1 and claims(report) == {7: "verified", 9: "wrong"}
    assert 3 not in codes(report) or all(c[0] == "N" for c in codes(report)[3])


def test_a_hypothesis_used_before_its_definition_is_not_expanded(tmp_path):
    from dsl.frontends.document import Slice
    from dsl.frontends.macros import Macros
    host = r"$a = h_\theta(u)$ then $$h_\theta(x) = \theta^T x$$ and $b = h_\theta(v)$"
    m = Macros.scan(host)
    first, later = host.index("h_"), host.rindex("h_")
    assert m.expand(Slice.of(host, first, first + 11))[0].text == r"h_\theta(u)"
    assert m.expand(Slice.of(host, later, later + 11))[0].text == r"(\theta^T v)"


def test_finding_hypotheses_stays_fast_on_a_hostile_text():
    import time

    from dsl.frontends.hypotheses import invocation, scan
    start = time.perf_counter()
    unended = scan("h_a(x) = x " * 20000)                  # no end of formula near: only the last ones
    assert len(unended) < 30 and all(len(body) <= 400 for _, body, _ in unended)
    found = scan("$h_a(x) = x$ " * 20000)
    assert len(found) == 20000 and {body for _, body, _ in found} == {"#1"}
    assert invocation("h_a(" + "(" * 50000, 0) is None
    assert time.perf_counter() - start < 5
