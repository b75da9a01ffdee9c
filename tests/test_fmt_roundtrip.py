"""``fmt --to latex`` output read back by ``lint``: the declarations travel
as ``% deriv:`` lines, so every example's claims are checked again, with the
same verdicts, from the LaTeX alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl import pipeline as driver
from dsl.apps.fmt import format_source
from dsl.apps.lint import lint_source
from dsl.core.span import Source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("**/*.deriv"))

def verdicts(report) -> list[tuple[str, str]]:
    return [(c.claim.deriv.text, c.status) for c in report.claims]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_latex_of_every_example_is_checked_again_by_lint(path: Path):
    source = Source(str(path), path.read_text(encoding="utf-8"))
    latex, problems = format_source(source, "latex")
    assert latex is not None, problems
    assert latex.splitlines()[0].startswith("% deriv: "), "the declarations come first, for lint"
    checked = driver.check_source(source)
    linted = lint_source(Source(str(path.with_suffix(".tex")), latex)).report
    want, got = verdicts(checked), verdicts(linted)
    assert set(got) <= set(want), f"a claim read back got another verdict: {set(got) - set(want)}"
    assert got == want
    errors = sorted(d.code for d in checked.diagnostics if d.is_error)
    assert sorted(d.code for d in linted.diagnostics if d.is_error) == errors


def test_the_declarations_keep_their_comments_as_chainrule_comments():
    source = Source("t.deriv", "dims n  # the width\nx : 1 x n  # a row\ny = x @ x.T\n")
    latex, _ = format_source(source, "latex")
    assert latex.splitlines()[:2] == ["% deriv: dims n  # the width", "% deriv: x : 1 x n  # a row"]
    assert r"x &\in \mathbb{R}^{1 \times n} \\  % a row" in latex


def test_a_keyword_argument_in_latex_is_read_as_one():
    tex = ("% deriv: dims m, k\n% deriv: G : m x k\n% deriv: b : 1 x k\n"
           "$$L = \\operatorname{sum}(G \\odot b)$$\n"
           "$$\\frac{\\partial L}{\\partial b} = \\operatorname{sum}(G, \\mathrm{axis}=0)$$\n"
           "$$\\frac{\\partial L}{\\partial b} = \\operatorname{sum}(G, \\mathrm{axis}=1)$$\n")
    report = lint_source(Source("t.tex", tex)).report
    assert [c.status.value for c in report.claims][:1] == ["verified"]
    wrong = [d for d in report.diagnostics if d.is_error]
    assert [d.span.line for d in wrong] == [6] and "m x 1" in wrong[0].message   # axis=1 sums the other way
