"""Symbolic derivation: the derived forms of the examples, pinned; every
claim that ``check`` verifies re-derived, and the derived form verified
independently (another seed); what cannot be derived said plainly; the
derived right side as the fix of a wrong claim."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsl import pipeline
from dsl.core.ast import Claim
from dsl.core.kinds import Status
from dsl.core.span import Source
from dsl.pipeline.derived import split_names
from dsl.pipeline.deriving import derive_source

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.deriv")) + sorted((ROOT / "tests" / "corpus").glob("*.deriv"))


def _derive(path: str, y: str, x: str, steps: bool = False):
    text = (ROOT / path).read_text(encoding="utf-8")
    out = derive_source(Source(path, text), y, x, steps=steps)
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    return out.derivation


@pytest.mark.parametrize(("path", "y", "x", "expected"), [
    ("examples/mlp.deriv", "L", "x", "(yhat - y) @ W2.T * sigma'(a) @ W1.T"),
    ("examples/mlp.deriv", "L", "W1", "x.T @ ((yhat - y) @ W2.T * sigma'(a))"),
    ("examples/mlp.deriv", "L", "W2", "h.T @ (yhat - y)"),
    ("examples/mlp.deriv", "L", "theta", "yhat - y"),
    ("examples/mlp_column.deriv", "L", "h", "W2 @ (yhat - y)"),
    ("examples/mlp_column.deriv", "L", "x", "W1 @ (W2 @ (yhat - y) * sigma'(a))"),
    ("examples/softmax_regression.deriv", "L", "W", "X.T @ (P - Y) / m"),
    ("examples/softmax_regression.deriv", "L", "b", "sum(P - Y, axis=0) / m"),
    ("examples/logistic_regression.deriv", "L", "w", "X.T @ (p - y) / m"),
    ("examples/matrix_identities.deriv", "q", "x", "(A + A.T) @ x"),
    ("examples/matrix_identities.deriv", "f", "S", "inv(S)"),
    ("examples/mse.deriv", "L", "w", "2 * X.T @ (p - y) / m"),
    ("examples/affine.deriv", "L", "b", "sum(G, axis=0)"),
    ("examples/rnn_step.deriv", "L", "h0", "G * tanh'(z) @ Wh.T"),
    ("examples/l2_penalty.deriv", "Rt", "V", "2 * lam * V"),
    ("examples/layout_denominator.deriv", "h", "a", "diag(sigma'(a))"),
    ("examples/layout_denominator.deriv", "theta", "h", "W2"),
    ("examples/attention.deriv", "L", "V", "A.T @ G"),
    ("examples/attention.deriv", "L", "A", "G @ V.T"),
    ("examples/attention.deriv", "L", "S", "A * (dL/dA - sum(dL/dA * A, axis=1))"),
    ("examples/attention.deriv", "L", "Q", "dL/dS @ K / sqrt(d)"),
    ("examples/attention.deriv", "L", "K", "dL/dS.T @ Q / sqrt(d)"),
    ("examples/mistakes/wrong_diagonal.deriv", "s", "theta", "diag(s) - s.T @ s"),
])
def test_derived_forms_of_the_examples(path, y, x, expected):
    assert _derive(path, y, x).text == expected


@pytest.mark.parametrize(("path", "y", "x", "expected"), [
    # the file's own names for the gradients it defines, written with 1 - h ** 2 for tanh'
    ("tests/corpus/rnn_bptt.deriv", "L", "Wh", "h1.T @ d2 + h0.T @ d1"),
    ("tests/corpus/rnn_bptt.deriv", "L", "h0", "d1 @ Wh.T"),
    ("tests/corpus/lstm_cell.deriv", "L", "c0", "dc * f"),          # dc's terms in the other order
    ("tests/corpus/gru_cell.deriv", "L", "z", "G * (h - n)"),        # a positive term first, then factored
    # the path through a mean vanishes: the deviations sum to zero along its axis
    ("tests/corpus/reduction_broadcast.deriv", "L", "X", "2 * Xc"),
    ("tests/corpus/batch_norm.deriv", "L", "mu", "-sum(D, axis=0) / sqrt(var + 0.00001)"),
    # a piecewise derivative is one where; powers and numbers below a divisor collected
    ("tests/corpus/huber.deriv", "H", "r", "where(abs(r) <= delta, r, delta * sign(r)) / m"),
    ("tests/corpus/comparisons.deriv", "H", "d", "where(abs(d) <= 1, d, sign(d))"),
    ("tests/corpus/gaussian_nll.deriv", "N", "s", "1 / s - (x - mu) ** 2 / s ** 3"),
    ("tests/corpus/gaussian_nll.deriv", "L", "s2", "1 / (2 * s2) - (x - mu) ** 2 / (2 * s2 ** 2)"),
    ("tests/corpus/attributes.deriv", "L3", "z", "-y / z ** 2"),
    # a comparison with its number on the right
    ("tests/corpus/functions_new.deriv", "H", "s", "-y * (y * s < 1)"),
])
def test_derived_forms_read_as_written_by_hand(path, y, x, expected):
    assert _derive(path, y, x).text == expected


@pytest.mark.parametrize(("body", "x", "expected"), [
    ("L = sum(x * x * x)", "x", "3 * x ** 2"),
    ("L = sum(x ** 2 * x)", "x", "3 * x ** 2"),
    ("L = sum(maximum(1 - m, 0) * x)", "m", "-x * (m < 1)"),
    ("L = sum(where(b > 0, 0, x))", "x", "b <= 0"),
    ("L = sum(where(x > 0, x ** 2, x))", "x", "where(x > 0, 2 * x, 1)"),
    ("L = sum(where(x > 0, x, 0) ** 3)", "x", "where(x > 0, 3 * x ** 2, 0)"),
])
def test_powers_comparisons_and_where_forms_are_readable(body, x, expected):
    text = f"dims n\nx : 1 x n\nm : 1 x n\nb : 1 x n binary\n{body}\n"
    out = derive_source(Source("t.deriv", text), "L", x)
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    assert out.derivation.text == expected


def test_the_mlp_answer_says_its_assumption():
    d = _derive("examples/mlp.deriv", "L", "x")
    assert d.assumptions == ("y is onehot",)
    assert d.kind == "gradient"


def test_attention_backward_in_steps_reads_as_the_textbook():
    d = _derive("examples/attention.deriv", "L", "K", steps=True)
    lines = [s.line for s in d.steps]
    assert lines == ["dL/dO = G", "dL/dA = dL/dO @ V.T", "dL/dS = A * (dL/dA - sum(dL/dA * A, axis=1))",
                     "dL/dK = dL/dS.T @ Q / sqrt(d)"]
    q = _derive("examples/attention.deriv", "L", "Q", steps=True)
    assert q.steps[-1].line == "dL/dQ = dL/dS @ K / sqrt(d)"


def test_steps_are_claims_that_check_verifies():
    path = "examples/mlp.deriv"
    d = _derive(path, "L", "x", steps=True)
    assert [s.name for s in d.steps] == ["dL/dtheta", "dL/dh", "dL/da", "dL/dx"]
    text = (ROOT / path).read_text(encoding="utf-8") + "".join(s.line + "\n" for s in d.steps)
    report = pipeline.check_source(Source(path, text), seed=3)
    added = report.claims[-len(d.steps):]
    assert [c.status for c in added] == [Status.VERIFIED] * len(d.steps)


def _verified_claims():
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        report = pipeline.check_source(Source(str(path.relative_to(ROOT)), text))
        for result in report.claims:
            c = result.claim
            if result.status is Status.VERIFIED and isinstance(c, Claim) and not c.deriv.num_indices \
                    and not c.deriv.den_indices:
                yield pytest.param(path, c.deriv.num.id, c.deriv.den.id, id=f"{path.name}:{c.span.line}")


@pytest.mark.parametrize(("path", "y", "x"), list(_verified_claims()))
def test_every_verified_claim_is_derived_and_the_form_verifies(path, y, x):
    text = path.read_text(encoding="utf-8")
    out = derive_source(Source(path.name, text), y, x)
    if out.derivation is None:
        # refusals must say why, and only for the reasons the deriver knows
        (diag,) = out.diagnostics
        assert diag.code == "E510", diag.message
        assert any(why in diag.message for why in ("index notation", "rank 3", "higher-order", "kink"))
        return
    claim = f"d{y}/d{x} = {out.derivation.text}"
    assert pipeline.verify_claim_text(text, claim, seed=7).status is Status.VERIFIED


@pytest.mark.parametrize(("text", "y", "x", "why"), [
    ("dims n\nx : 1 x n\nL = sum(x * x)", "L", "q", "'q' is not a declared or defined name"),
    ("dims n\nx : 1 x n\nL = sum(x * x)", "Z", "x", "'Z' is not a declared or defined name"),
    ("dims n, k\nX : n x k\nW : k x k\nY = X @ W", "Y", "W", "higher-order tensor"),
    ("dims b, n\nX : b x n x n\ns[i] = sum[j, k](X[i, j, k])\nL = sum(s)", "L", "X", "index notation"),
    ("dims b, n\nX : b x n x n\nL = sum(X @ X)", "L", "X", "rank 3"),
    ("dims n\nx : n x 1\nc : scalar\ny = c * x", "y", "c", "by a scalar"),
    ("dims n\nx : 1 x n\nj = (x @ x.T) @ x", "j", "x", "not all vectors of one orientation"),
    ("dims n, k\nx : 1 x n\nW : n x k\nh = x @ W\nL = sum(h @ x)", "L", "x", "'L' has errors"),
])
def test_what_cannot_be_derived_is_said(text, y, x, why):
    out = derive_source(Source("t.deriv", text), y, x)
    assert out.derivation is None
    (diag,) = out.diagnostics
    assert diag.code == "E510" and why in diag.message
    assert out.exit_code() == 1


@pytest.mark.parametrize(("text", "y", "x"), [
    ("dims n\nv : 1 x n\ns = logsumexp(v) * v", "s", "v"),        # a scalar inside a Jacobian of rows
    ("dims n\nv : n x 1\ns = logsumexp(v) * v", "s", "v"),        # ... and of columns
    ("dims n\nv : 1 x n\ns = softmax(v)", "s", "v"),
    ("dims n\nv : n x 1\ns = softmax(v) * sum(v)", "s", "v"),
    ("layout denominator\ndims n\nv : n x 1\ns = exp(v) / sum(exp(v))", "s", "v"),
])
def test_jacobians_verify(text, y, x):
    out = derive_source(Source("t.deriv", text), y, x)
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    claim = f"d{y}/d{x} = {out.derivation.text}"
    assert pipeline.verify_claim_text(text, claim, seed=5).status is Status.VERIFIED


@pytest.mark.parametrize(("path", "y", "x", "expected"), [
    ("examples/mlp_column.deriv", "h", "a", "dh[i]/da[j] = sigma'(a[i]) * delta(i, j)"),
    ("examples/mlp_column.deriv", "theta", "h", "dtheta[i]/dh[j] = W2[j, i]"),
    ("examples/layout_denominator.deriv", "a", "x", "da[i]/dx[j] = W1[j, i]"),
    ("examples/rnn_step.deriv", "h1", "h0", "dh1[i]/dh0[j] = tanh'(z[i]) * Wh[j, i]"),
    ("examples/mistakes/wrong_diagonal.deriv", "s", "theta", "ds[i]/dtheta[j] = s[i] * delta(i, j) - s[i] * s[j]"),
])
def test_jacobians_also_entry_by_entry(path, y, x, expected):
    d = _derive(path, y, x)
    assert d.index_line == expected
    text = (ROOT / path).read_text(encoding="utf-8")
    assert pipeline.verify_claim_text(text, expected, seed=4).status is Status.VERIFIED


@pytest.mark.parametrize(("text", "y", "x", "expected", "index"), [
    ("dims n\nc : n x 1\ns = sum[i](c[i] * c[i])", "s", "c", "2 * c", None),
    ("dims n\nu : 1 x n\nA : n x n\nt = sum[i, j](A[i, j] * u[i] * u[j])", "t", "u", "u @ (A + A.T)", None),
    ("dims n\nx : 1 x n\ns[i] = x[i] * x[i]\nL = sum(s)", "L", "x", "2 * x", None),
    ("dims n, k\nA : n x k\nB : k x n\nC[i, j] = sum[k](A[i, k] * B[k, j])\nL = sum(C * C)", "L", "A",
     "2 * C @ B.T", None),
    ("dims n\nx : 1 x n\nz : 1 x n\nt = sum[i, j](x[i] * z[j] * delta(i, j))", "t", "x", "z", None),
    ("dims n\nA : n x n\nx : 1 x n\nt = sum[i](A[i, i] * x[i])", "t", "A", "diag(x.T)", None),
    ("dims n\nx : 1 x n\nA : n x n\ny[i] = sum[j](A[i, j] * x[j])", "y", "x", "A", "dy[i]/dx[j] = A[i, j]"),
    ("dims n\nz : 1 x n\ne[i] = exp(z[i]) / sum[j](exp(z[j]))", "e", "z", "diag(e) - e.T @ e",
     "de[i]/dz[j] = e[i] * delta(i, j) - e[i] * e[j]"),
])
def test_index_notation_definitions_derive_through_their_matrix_spelling(text, y, x, expected, index):
    out = derive_source(Source("t.deriv", text), y, x)
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    assert out.derivation.text == expected
    assert out.derivation.index_line == index
    claim = f"d{y}/d{x} = {out.derivation.text}"
    assert pipeline.verify_claim_text(text, claim, seed=6).status is Status.VERIFIED
    if index is not None:
        assert pipeline.verify_claim_text(text, index, seed=6).status is Status.VERIFIED


@pytest.mark.parametrize(("text", "y", "x", "expected"), [
    # a 1 x 1 value divides and multiplies as a scalar: its constants cancel
    ("dims n\nx : n x 1\nr = sqrt(x.T @ x)", "r", "x", "x / r"),
    ("dims n\nx : n x 1 positive\nA : n x n positive\nq = x.T @ A @ x\nr = log(q)", "r", "x",
     "(A + A.T) @ x / q"),
    # the sum of a 1 x 1 value is that value
    ("dims n\nx : n x 1\nw : n x 1\nb : scalar\nu = relu(w.T @ x + b)", "u", "b", "relu'(w.T @ x + b)"),
])
def test_one_by_one_values_simplify_as_scalars(text, y, x, expected):
    out = derive_source(Source("t.deriv", text), y, x)
    assert out.derivation is not None and out.derivation.text == expected
    assert pipeline.verify_claim_text(text, f"d{y}/d{x} = {expected}", seed=3).status is Status.VERIFIED


BCE = """dims d
x : d x 1
w : d x 1
y : scalar binary
z = w.T @ x
s = sigma(z)
L = -y * log(s) - (1 - y) * log(1 - s)
"""


@pytest.mark.parametrize(("x", "expected"), [("z", "s - y"), ("w", "(s - y) * x")])
def test_the_cross_entropy_written_out_through_a_sigmoid_derives_to_the_textbook_form(x, expected):
    out = derive_source(Source("t.deriv", BCE), "L", x)
    assert out.derivation is not None and out.derivation.text == expected
    assert pipeline.verify_claim_text(BCE, f"dL/d{x} = {expected}", seed=5).status is Status.VERIFIED


def test_a_gradient_has_no_index_form():
    assert _derive("examples/mlp.deriv", "L", "x").index is None


def test_names_as_in_claims():
    assert split_names("dL/dW1", None) == ("L", "W1")
    assert split_names("∂L/∂x", None) == ("L", "x")
    assert split_names("L", "x") == ("L", "x")
    assert split_names("L", None) is None


def _check(path: str):
    text = (ROOT / path).read_text(encoding="utf-8")
    return pipeline.check_source(Source(path, text))


def test_a_wrong_claim_carries_the_derived_right_side_as_its_fix():
    report = _check("examples/mistakes/wrong_transpose.deriv")
    (d,) = [d for d in report.diagnostics if d.code == "E500"]
    assert d.fix is not None and d.fix.claim == "dL/dW" and d.fix.replacement == "X.T @ G"
    assert d.fix.expr is not None
    from dsl.render.text import render_json, render_text
    assert "= fix: dL/dW = X.T @ G" in render_text([report])
    fix = json.loads(render_json([report]))["files"][0]["diagnostics"][0]["fix"]
    assert fix["replacement"] == "X.T @ G" and fix["claim"] == "dL/dW"


def test_the_seed_question_gets_the_corrected_right_side():
    report = _check("examples/mistakes/seed002_question.deriv")
    notes = [d for d in report.diagnostics if d.code == "N510"]
    assert len(notes) == 1
    assert notes[0].fix is not None
    assert notes[0].fix.replacement == "(yhat - y) @ W2.T * sigma'(a) @ W1.T"
    assert not report.has_errors or [d.code for d in report.diagnostics if d.is_error] == ["E300"]


def test_a_claim_of_the_wrong_shape_carries_the_derived_right_side():
    text = "dims n, k\nx : 1 x n\nW : n x k\nL = sum(x @ W)\ndL/dW = sum(x, axis=0)\n"
    report = pipeline.check_source(Source("t.deriv", text))
    (d,) = [d for d in report.diagnostics if d.code == "E400"]
    assert d.fix is not None and d.fix.claim == "dL/dW"
    assert pipeline.verify_claim_text(text.rsplit("dL/dW", 1)[0], f"dL/dW = {d.fix.replacement}").status \
        is Status.VERIFIED


def test_the_fix_uses_only_names_defined_above_the_claim():
    text = ("dims n, k\nx : 1 x n\nW : n x k\nh = sigma(x @ W)\nL = sum(h)\n"
            "dL/dW = x.T @ h\n")
    report = pipeline.check_source(Source("t.deriv", text))
    (d,) = [d for d in report.diagnostics if d.code == "E500"]
    assert d.fix is not None and d.fix.replacement == "x.T @ sigma'(x @ W)"


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.deriv")) +
                         sorted((ROOT / "examples" / "mistakes").glob("*.deriv")), ids=lambda p: p.name)
def test_every_pair_of_names_derives_or_says_why(path):
    """dY/dX for every defined Y and every name X: a verified form or an E510
    with its reason; never a form that fails verification (E511) or a defect (E901)."""
    from dsl.core.ast import Decl, Define
    from dsl.pipeline.derived import derive_in
    text = path.read_text(encoding="utf-8")
    report = pipeline.check_source(Source(path.name, text), verify=False)
    defined = [s.name for s in report.program.statements if isinstance(s, Define)]
    inputs = [s.name for s in report.program.statements if isinstance(s, Decl)]
    seen = 0
    for y in defined:
        for x in inputs + defined:
            if x != y:
                derivation, problem = derive_in(report, y, x)
                assert derivation is not None or (problem is not None and problem.code == "E510"), \
                    (y, x, problem and problem.message)
                seen += derivation is not None
    assert seen > 0


SELF_ATTENTION = """dims n, d
X : n x d
Wq : d x d
G : n x d
S = X @ Wq @ X.T
P = softmax(S)
O = P @ X
L = sum(G * O)
"""


def test_claimed_derivatives_stand_where_they_save_a_repetition_and_then_up_the_chain():
    chain = "dL/dP = G @ X.T\ndL/dS = P * (dL/dP - sum(dL/dP * P, axis=1))\n"
    out = derive_source(Source("t.deriv", SELF_ATTENTION + chain), "L", "Wq")
    assert out.derivation is not None and out.derivation.text == "X.T @ dL/dS @ X"
    claim = f"dL/dWq = {out.derivation.text}"
    assert pipeline.verify_claim_text(SELF_ATTENTION + chain, claim, seed=2).status is Status.VERIFIED
    # without the claims the same derivative is spelled out in the file's values
    plain = derive_source(Source("t.deriv", SELF_ATTENTION), "L", "Wq")
    assert plain.derivation is not None and "dL/d" not in plain.derivation.text
    assert "G @ X.T" in plain.derivation.text


def test_a_claimed_derivative_that_saves_nothing_is_not_used():
    # dL/dh is claimed, but (yhat - y) @ W2.T occurs once in dL/dx: the answer stays in the file's values
    assert _derive("examples/mlp.deriv", "L", "x").text == "(yhat - y) @ W2.T * sigma'(a) @ W1.T"


def test_the_fix_names_only_derivatives_claimed_above_it():
    wrong = "dL/dWq = X.T @ dL/dS\n"
    chain = "dL/dP = G @ X.T\ndL/dS = P * (dL/dP - sum(dL/dP * P, axis=1))\n"
    report = pipeline.check_source(Source("t.deriv", SELF_ATTENTION + chain + wrong))
    (d,) = [d for d in report.diagnostics if d.code in ("E500", "E400")]
    assert d.fix is not None and d.fix.replacement == "X.T @ dL/dS @ X"
    report = pipeline.check_source(Source("t.deriv", SELF_ATTENTION + "dL/dWq = X.T @ G\n" + chain))
    (d,) = [d for d in report.diagnostics if d.code in ("E500", "E400")]
    assert d.fix is not None and "dL/d" not in d.fix.replacement


def test_assumptions_are_kept_when_the_file_claims_derivatives_on_the_way():
    text = "dims n\nmask : 1 x n binary\nx : 1 x n\nh = mask * mask * x\nL = sum(h * h)\ndL/dh = 2 * h\n"
    out = derive_source(Source("t.deriv", text), "L", "x")
    assert out.derivation is not None and out.derivation.text == "2 * h * mask"
    assert out.derivation.assumptions == ("mask is binary",)
