"""The vector of ones, entrywise division and the indicator of an equality, as notes write them.

``\\mathbf{1}`` (``\\mathbb{1}``, ``𝟙``) has the size its use needs: a sum beside a
matrix, the number 1 entry by entry with a value, a copied row or column in an
entrywise operation with a matrix; anywhere else it is not read.  Each reading
is also checked end to end on a small document, with the mistake of the same
form still flagged.
"""
from __future__ import annotations

import io
import json

import pytest

from dsl.apps.lint import run_lint
from dsl.frontends.latex_math import Translation, Unreadable, translate

KNOWN = {"X", "G", "p", "y", "b", "mu", "s", "gamma", "Xhat", "c", "h", "W", "x"}
SCALARS = {"m", "k", "epsilon"}


def text_of(latex: str) -> str:
    r = translate(latex, known=KNOWN, scalars=SCALARS)
    assert isinstance(r, Translation), (latex, getattr(r, "what", r))
    return r.text


@pytest.mark.parametrize("latex, text", [
    (r"\mathbf{1}^\top G", "sum(G, axis=0)"),                 # the rows summed: a row
    (r"G^\top \mathbf{1}", "sum(G.T, axis=1)"),               # the columns of G^T summed: a column
    (r"\mathbb{1}^T (G \odot Xhat)", "sum(G * Xhat, axis=0)"),
    (r"𝟙^T G", "sum(G, axis=0)"),
    (r"\mathbf{1}_m^\top G", "sum(G, axis=0)"),                # a size written on it: its use gives it too
    (r"\frac{1}{m} \mathbf{1}^\top G", "1 / m * sum(G, axis=0)"),
    (r"\mathbf{1}^T X \mathbf{1}", "sum(sum(X, axis=0), axis=1)"),
    (r"(\mathbf{1} - y)^\top \log(\mathbf{1} - p)", "(1 - y).T @ log(1 - p)"),
    (r"(\mathbf{1} - h \odot h) \odot x", "(1 - h * h) * x"),
    (r"X W + \mathbf{1} b^\top", "X @ W + b.T"),              # a row copied down: broadcast alike
    (r"W x + b \mathbf{1}^T", "W @ x + b"),
    (r"X W + k\,\mathbf{1}", "X @ W + k"),                  # a scalar copied: k broadcast
    (r"X W + c\,\mathbf{1}", "X @ W + sum(c, axis=1)"),      # a vector c: its columns' sum, c itself
    (r"Xhat \odot (\mathbf{1} \gamma)", "Xhat @ diag(gamma)"),  # each column scaled, no broadcast
    (r"(c \mathbf{1}^T) \odot X", "diag(c) @ X"),
    (r"(X - \mathbf{1} \mu) \oslash (\mathbf{1} s)", "(X - mu) @ diag(1 / s)"),
    (r"X \oslash (k \mathbf{1})", "X / k"),
    (r"\frac{1}{m}(m G - \mathbf{1}\mathbf{1}^\top G)", "1 / m * (m * G - sum(G, axis=0))"),
])
def test_a_vector_of_ones_is_read_by_its_use(latex, text):
    assert text_of(latex) == text


@pytest.mark.parametrize("latex", [
    r"\mathbf{1}", r"\mathbf{1}^T", r"3 \mathbf{1}", r"\mathbf{1} b^T", r"k\,\mathbf{1}",
    r"\log(\mathbf{1})", r"\mathbf{1}^T \mathbf{1}", r"\mathbf{1} + k", r"\sqrt{\mathbf{1} s + \epsilon}",
])
def test_a_vector_of_ones_whose_use_gives_no_size_is_not_read(latex):
    r = translate(latex, known=KNOWN, scalars=SCALARS)
    assert isinstance(r, Unreadable)
    assert "vector of ones" in r.what
    assert r.end > r.start


def test_the_bold_one_and_the_indicator_are_told_apart():
    assert text_of(r"G \odot \mathbb{1}(X > 0)") == "G * where(X > 0, 1, 0)"
    assert text_of(r"G \odot \mathbb{1}\{X > 0\}") == "G * where(X > 0, 1, 0)"
    assert text_of(r"G \odot \mathbb{1} \left( X > 0 \right)") == "G * where(X > 0, 1, 0)"
    assert text_of(r"\mathbb{1}^T G") == "sum(G, axis=0)"


@pytest.mark.parametrize("latex, text", [
    (r"A \oslash B", "A / B"),
    (r"A ⊘ (B + C)", "A / (B + C)"),
    (r"a \oslash b c", "a / (b @ c)"),            # juxtaposition binds tighter, as with \odot
    (r"(x - \mu) \oslash \sqrt{v + \epsilon}", "(x - mu) / sqrt(v + epsilon)"),
])
def test_oslash_is_entrywise_division(latex, text):
    r = translate(latex, known={"A", "B", "C", "a", "b", "c", "x", "v"}, scalars={"epsilon"})
    assert isinstance(r, Translation) and r.text == text


def test_the_indicator_of_two_bound_indices_is_the_kronecker_delta():
    left = translate(r"\frac{\partial p_i}{\partial z_j}", known={"p", "z"})
    assert isinstance(left, Translation)
    for written in (r"\mathbb{1}\{i = j\}", r"\mathbb{1}[i = j]", r"\mathbb{1}(i = j)"):
        r = translate(rf"p_i ({written} - p_j)", known={"p", "z"}, left=left)
        assert isinstance(r, Translation) and r.text == "p[i] * (delta(i, j) - p[j])", written
    r = translate(r"p_i (\mathbb{1}\{y = j\} - p_j)", known={"p", "z", "y"}, left=left)
    assert isinstance(r, Unreadable) and "Kronecker delta" in r.what


# ------------------------------------------------------------------ end to end

def lint(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    run_lint([str(path)], fmt="json", verbose=True, out=out)
    return json.loads(out.getvalue())["files"][0]


def alarms(report) -> list[tuple[int, str]]:
    return [(d["line"], d["code"]) for d in report["diagnostics"] if d["severity"] in ("error", "warning")]


BATCH = ("Let $X \\in \\mathbb{R}^{m \\times d}$ and the rows $\\gamma, \\beta \\in \\mathbb{R}^{1 \\times d}$; "
         "$\\mathbf{1}$ is the column of ones.\n\n"
         "$$\\mu = \\frac{1}{m} \\mathbf{1}^\\top X$$\n\n"
         "$$Y = (X - \\mathbf{1}\\mu) \\odot (\\mathbf{1}\\gamma) + \\mathbf{1}\\beta$$\n\n"
         "<!-- deriv: C : m x d -->\n<!-- deriv: L = sum(C * Y) -->\n\n"
         "$$\\frac{\\partial L}{\\partial \\beta} = \\mathbf{1}^\\top C$$\n\n"
         "$$\\frac{\\partial L}{\\partial \\gamma} = \\mathbf{1}^\\top (C \\odot (X - \\mathbf{1}\\mu))$$\n\n"
         "$$\\frac{\\partial L}{\\partial \\gamma} = \\mathbf{1}^\\top C \\odot (X - \\mathbf{1}\\mu)$$\n\n"
         "$$\\frac{\\partial L}{\\partial \\beta} = C^\\top \\mathbf{1}$$\n")


def test_sums_and_copies_by_the_vector_of_ones_are_checked(tmp_path):
    report = lint(tmp_path, "bn.md", BATCH)
    assert [c["status"] for c in report["claims"]][:2] == ["verified", "verified"]
    found = alarms(report)
    assert all(line >= 14 for line, _ in found), found          # nothing on the right formulas
    assert any(line == 14 and code in ("E400", "W303") for line, code in found)   # 1^T C odot M: m x d
    assert (16, "E400") in found                                # C^T 1 is a column: beta's row transposed


def test_the_logistic_cost_with_the_vector_of_ones_is_checked(tmp_path):
    text = ("Let $X \\in \\mathbb{R}^{m \\times n}$, $w \\in \\mathbb{R}^n$ and $y \\in \\mathbb{R}^m$.\n\n"
            "$$p = \\sigma(X w)$$\n\n"
            "$$J = -\\frac{1}{m} \\left( y^T \\log p + (\\mathbf{1} - y)^T \\log(\\mathbf{1} - p) \\right)$$\n\n"
            "$$\\nabla_w J = \\frac{1}{m} X^T (p - y)$$\n\n"
            "$$\\nabla_w J = \\frac{1}{m} X^T (y - p)$$\n")
    report = lint(tmp_path, "logistic.md", text)
    assert [c["status"] for c in report["claims"]] == ["verified", "wrong"]
    assert alarms(report) == [(9, "E500")]
