"""The examples are the product's showcase: each checks clean and every claim
in it verifies, whatever the seed of the test data.

``examples/mistakes/`` holds the seeds' errors on purpose; they are compared
with their inline expectations by ``test_corpus``.  Here they only have to
say which seed or diagnosis they show and what chainrule reports.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl import pipeline as driver
from dsl.core.span import Source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.deriv"))
MISTAKES = sorted((ROOT / "examples" / "mistakes").glob("*.deriv"))
SEEDS = (0, 1, 2)


def _check(path: Path, seed: int):
    text = path.read_text(encoding="utf-8")
    return driver.check_source(Source(str(path.relative_to(ROOT)), text), verify=True, seed=seed)


def _describe(report) -> str:
    lines = [f"{d.span.line}:{d.span.column} {d.severity.value}[{d.code}] {d.message}"
             for d in report.diagnostics]
    lines += [f"{c.claim.span.line}: claim {c.status} {c.detail}"
              for c in report.claims if c.status != "verified"]
    return "\n".join(lines)


def test_there_are_examples():
    names = {p.name for p in EXAMPLES}
    assert {"mlp.deriv", "mlp_column.deriv", "relu_neuron.deriv", "softmax_regression.deriv",
            "layout_denominator.deriv"} <= names


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_checks_clean_and_every_claim_verifies(path: Path, seed: int):
    report = _check(path, seed)
    assert report.diagnostics == [] and all(c.status == "verified" for c in report.claims), (
        f"{path.name} (seed {seed}):\n{_describe(report)}")
    assert report.claims, f"{path.name} claims nothing"
    assert report.exit_code() == 0


def test_mlp_verifies_every_gradient_of_the_network():
    report = _check(ROOT / "examples" / "mlp.deriv", 0)
    claimed = {(c.claim.deriv.num.id, c.claim.deriv.den.id) for c in report.claims}
    assert claimed == {("L", v) for v in ("theta", "h", "a", "x", "W1", "W2")}
    # the chain of Jacobians and the explicit formula are both claims about dL/dx
    assert sum(c.claim.deriv.den.id == "x" for c in report.claims) == 2


@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.name)
def test_mistake_says_what_it_shows(path: Path):
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")][:3]
    assert header and ("Seed" in header[0] or "diagnosis" in header[0] or "mistake" in header[0]), (
        f"{path.name} must open with the seed or diagnosis it shows")
    assert "# expect:" in text, f"{path.name} has no expectation"
    report = _check(path, 0)
    assert report.has_errors or report.warnings, f"{path.name} reports nothing"


# A verifier that passed everything would pass the examples too; each of these
# one-token slips in an example must be caught.
MUTATIONS = [
    ("mlp.deriv", "dL/dtheta = yhat - y", "dL/dtheta = y - yhat"),
    ("mlp.deriv", "dL/da     = (yhat - y) @ W2.T * sigma'(a)", "dL/da     = (yhat - y) @ W2.T * sigma(a)"),
    ("mlp.deriv", "dL/dW2    = h.T @ (yhat - y)", "dL/dW2    = h.T @ (yhat - y) / 2"),
    ("mlp_column.deriv", "W1 @ diag(h - h * h) @ W2", "W1 @ diag(h * h) @ W2"),
    ("softmax_regression.deriv", "dL/dW = X.T @ (P - Y) / m", "dL/dW = X.T @ (P - Y)"),
    ("relu_neuron.deriv", "dC/dw = 2 / m *", "dC/dw = 1 / m *"),
    ("rnn_step.deriv", "dz/dh0  = Wh.T", "dz/dh0  = Wh"),
    ("logistic_regression.deriv", "dL/db = mean(p - y)", "dL/db = mean(y - p)"),
    ("matrix_identities.deriv", "dq/dx = (A + A.T) @ x", "dq/dx = 2 * A @ x"),
    ("layout_denominator.deriv", "layout denominator\n", "\n"),
]


@pytest.mark.parametrize("name, old, new", MUTATIONS, ids=[f"{m[0]}:{m[2]!r}" for m in MUTATIONS])
def test_a_slip_in_an_example_is_caught(name: str, old: str, new: str):
    text = (ROOT / "examples" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {name}"
    report = driver.check_source(Source(name, text.replace(old, new)), verify=True, seed=0)
    assert report.has_errors, f"{name} with {new!r} still checks clean"
