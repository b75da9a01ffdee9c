"""``\\sigma^2`` without an argument is a variance, not the sigmoid: the name
``sigma2`` where the document defines or differentiates by it (a scalar,
drawn positive, when written plain), else the square of ``sigma``; ``\\pi``
is the number.  Pinned with the mistake a Gaussian negative log-likelihood
lets the linter catch, and with the sigmoid still read where it has an argument."""
from __future__ import annotations

import pytest

from dsl.frontends import extract
from dsl.frontends.latex_math import Translation, translate
from tests.latex_docs import lint_doc as lint


@pytest.mark.parametrize("side, text", [
    (r"\sigma^2", "sigma2"),                                 # a left side alone: the name
    (r"\boldsymbol{\sigma}^2", "sigma2"),
    (r"\frac{\partial L}{\partial \sigma^2}", "dL/dsigma2"),
    (r"\frac{(x - \mu)^2}{2 \sigma^2}", "(x - mu) ** 2 / (2 * sigma ** 2)"),   # a use: the square
    (r"\sigma^2(z)", "sigma(z) ** 2"),                      # with an argument: the sigmoid
    (r"\sigma(z) (1 - \sigma(z))", "sigma(z) @ (1 - sigma(z))"),   # side by side: as the reader reads it
])
def test_a_squared_sigma_without_argument_is_a_variance(side, text):
    r = translate(side, known={"x", "mu", "L", "z"})
    assert isinstance(r, Translation) and r.text == text


def test_a_variance_the_document_has_is_its_name_in_every_use():
    r = translate(r"\sqrt{\sigma^2 + \epsilon}", known={"sigma2"}, scalars={"epsilon"})
    assert isinstance(r, Translation) and r.text == "sqrt(sigma2 + epsilon)"


def test_pi_is_the_number_unless_the_document_names_something_pi():
    assert translate(r"2 \pi s").text == "2 * 3.141592653589793 * s"
    assert translate(r"2 \pi s", known={"pi"}, scalars={"pi"}).text == "2 * pi * s"


NLL = """# Regression with Gaussian noise

The targets $y \\in \\mathbb{R}^n$ are $X w$ plus Gaussian noise of variance $\\sigma^2$,
where $X \\in \\mathbb{R}^{n \\times d}$ and $w \\in \\mathbb{R}^d$:

$$L = \\frac{n}{2} \\log(2 \\pi \\sigma^2) + \\frac{1}{2 \\sigma^2} \\|y - X w\\|^2$$

$$\\frac{\\partial L}{\\partial w} = -\\frac{1}{\\sigma^2} X^T (y - X w)$$

$$\\frac{\\partial L}{\\partial \\sigma^2} = \\frac{n}{2 \\sigma^2} - \\frac{1}{2 \\sigma^4} \\|y - X w\\|^2$$
"""


def test_a_gaussian_likelihood_is_differentiated_by_its_variance(tmp_path):
    program = extract("nll.md", NLL).source.text
    assert "sigma2 : scalar positive" in program
    report = lint(tmp_path, "nll.md", NLL)
    assert [c["status"] for c in report["claims"]] == ["verified", "verified"]
    wrong = lint(tmp_path, "nll.md", NLL.replace("2 \\sigma^4", "2 \\sigma^2"))
    assert [c["status"] for c in wrong["claims"]] == ["verified", "wrong"]


def test_a_model_of_the_data_with_its_noise_term_is_not_a_definition(tmp_path):
    text = NLL.replace("are $X w$ plus Gaussian noise of variance $\\sigma^2$,",
                       "follow $y = X w + \\epsilon$, with noise of variance $\\sigma^2$,")
    assert "y = X @ w + epsilon" not in extract("nll.md", text).source.text
    report = lint(tmp_path, "nll.md", text)
    assert [c["status"] for c in report["claims"]] == ["verified", "verified"]      # y is the data


def test_an_epsilon_used_in_two_equations_is_not_a_noise_term():
    text = ("$x \\in \\mathbb{R}^n$ and a scalar $\\epsilon$.\n\n$$y = x + \\epsilon$$\n\n"
            "$$z = \\epsilon y$$\n")
    assert "y = x + epsilon" in extract("eps.md", text).source.text


def test_the_prose_names_a_variance_beside_the_sigmoid(tmp_path):
    text = ("Let $X \\in \\mathbb{R}^{m \\times n}$, $y \\in \\mathbb{R}^m$ and $\\theta \\in \\mathbb{R}^n$, "
            "with $h = \\sigma(X \\theta)$. Gaussian noise of variance $\\sigma^2$ gives\n\n"
            "$$\\ell = \\frac{m}{2} \\log(2 \\pi \\sigma^2) + \\frac{1}{2 \\sigma^2} \\|y - X \\theta\\|^2$$\n\n"
            "$$\\frac{\\partial \\ell}{\\partial \\theta} = \\frac{1}{\\sigma^2} X^T (y - X \\theta)$$\n")
    program = extract("both.md", text).source.text
    assert "h = sigma(X @ theta)" in program and "sigma2 : scalar positive" in program
    assert [c["status"] for c in lint(tmp_path, "both.md", text)["claims"]] == ["wrong"]    # the sign
