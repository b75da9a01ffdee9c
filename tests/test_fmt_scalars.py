"""LaTeX writes a scalar multiple as a product of juxtaposed factors, not as a
Hadamard product: ``2 * X.T @ r`` is ``2 X^\\top r``, and ``\\odot`` is kept
for the elementwise product of two values that are not known to be scalars."""
from __future__ import annotations

import pytest

from dsl.apps.fmt import format_expr, format_source
from dsl.apps.lint import lint_source
from dsl.core.span import Source
from dsl.language.syntax import parse_expr


def latex(text: str, scalars=()) -> str:
    expr, problems = parse_expr(text)
    assert expr is not None, problems
    return format_expr(expr, "latex", scalars=scalars)


@pytest.mark.parametrize("text, want", [
    ("2 * X.T @ r", r"2 X^\top r"),                    # (2 X^T) r: scaling commutes with the product
    ("-2 * X.T @ r", r"-2 X^\top r"),
    ("2 * (A + B)", r"2 (A + B)"),
    ("X.T @ r * 2", r"X^\top r \cdot 2"),              # a number on the right: \cdot, not "r 2"
    ("0.5 * x * y", r"0.5 x \odot y"),                 # (0.5 x) * y: the outer product is elementwise
    ("2 * A * B @ r", r"(2 A \odot B) r"),             # a Hadamard product left of a product stays bracketed
    ("A * B @ C", r"(A \odot B) C"),
    ("x @ W1 * sigma'(a)", r"x W_{1} \odot \sigma'(a)"),
])
def test_scalar_multiples_are_juxtaposed_and_hadamard_products_are_odot(text, want):
    assert latex(text) == want


def test_names_known_to_be_scalars_scale_too():
    assert latex("lam * w", scalars={"lam"}) == r"\mathit{lam} w"
    assert latex("lam * w") == r"\mathit{lam} \odot w"              # unknown: it may be a matrix
    assert latex("X / (b * n)", scalars={"b", "n"}) == r"\frac{X}{b n}"
    assert r"\odot" not in latex("sqrt(d) * Q", scalars={"d"})                 # a function of a scalar


def test_a_file_gives_its_sizes_and_scalar_declarations():
    text = ("dims n, m\nX : m x n\nw : n x 1\nlam : scalar\nr = X @ w\n"
            "L = sum(r * r) + lam * sum(w * w)\ndL/dw = 2 * X.T @ r + 2 * lam * w\n")
    out, problems = format_source(Source("t.deriv", text), "latex")
    assert out is not None, problems
    assert r"\frac{\partial L}{\partial w} &= 2 X^\top r + 2 \mathit{lam} w" in out
    assert r"\operatorname{sum}(r \odot r)" in out
    linted = lint_source(Source("t.tex", out)).report          # and lint reads it back, with the same verdict
    assert [c.status.name for c in linted.claims] == ["VERIFIED"]
