"""Verification of claims: verdicts, diagnoses, diagnostics, the seeds, the
cross-check, kinks, attributes, and the Python API."""
from __future__ import annotations

import numpy as np
import pytest

from dsl import pipeline as driver
from dsl.compute import autodiff, inputs as data
from dsl.core.ast import Name
from dsl.core.span import Source, Span
from dsl.language import syntax
from dsl.shapes import checker as shapes
from dsl.verify import claims as verify, diagnose, factors

from programs import MLP_BODY

MLP_ROWS = "dims n, k\n" + MLP_BODY

# Seed 002's answer, in its own names: the label is p, the prediction y.
MLP_COLUMNS = """dims n = 5, k = 3
x  : n x 1
W1 : n x k
b1 : k x 1
W2 : k x n
b2 : n x 1
p  : n x 1 onehot
a = W1.T @ x + b1
h = sigma(a)
H = diag(h)
theta = W2.T @ h + b2
y = softmax(theta)
L = -sum(p * log(y))
"""


def run(text: str, seed: int = 0, **options):
    program, diags = syntax.parse_text(text, "t.deriv")
    assert not [d for d in diags if d.is_error], [d.message for d in diags]
    env, _ = shapes.check_program(program)
    return verify.verify_claims(program, env, seed=seed, **options)


def one(text: str, claim: str, seed: int = 0) -> verify.ClaimResult:
    return driver.verify_claim_text(text, claim, seed=seed)


# ------------------------------------------------------------------ seeds

@pytest.mark.parametrize("seed", [0, 1, 7])
def test_seeds_000_001_the_loss_without_its_minus_is_a_flipped_sign(seed):
    text = MLP_ROWS + "J = sum(y * log(yhat))\ndJ/dtheta = yhat - y\n"
    [result] = run(text, seed)
    assert (result.status, result.detail) == ("wrong", "the sign is flipped")
    d = result.diagnostic
    assert d.code == "E500" and d.message == "dJ/dtheta is wrong: the sign is flipped"
    assert d.span == result.claim.expr.span and (d.span.line, d.span.column) == (14, 13)
    assert f"seed {seed}" in d.hint
    assert result.seed == seed


def test_seed_002_column_answer_verifies_in_its_own_names():
    result = one(MLP_COLUMNS, "dL/dx = W1 @ (H - H @ H) @ W2 @ (y - p)")
    assert (result.status, result.detail, result.diagnostic) == ("verified", "", None)
    assert one(MLP_COLUMNS, "dL/dx = W1 @ (H - H @ H) @ W2 @ (p - y)").detail == "the sign is flipped"


def test_the_spec_mlp_claims_verify_and_use_true_derivatives_inside():
    text = MLP_ROWS + ("dL/dtheta = y - yhat\n"                         # wrong, on its own
                       "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T\n"
                       "dL/dx = dL/dtheta @ W2.T * sigma'(a) @ W1.T\n"   # uses the true dL/dtheta
                       "dL/dx = dL/dtheta @ dtheta/dh @ dh/da @ da/dx\n")
    results = run(text)
    assert [r.status for r in results] == ["wrong", "verified", "verified", "verified"]


# ---------------------------------------------------------- the diagnoses

DIAGNOSES = [
    ("dL/dtheta = 2 * (yhat - y)", "off by a factor of 2"),
    ("dL/dtheta = (yhat - y) / 2", "off by a factor of 1/2"),
    ("dL/dtheta = n * (yhat - y)", "off by a factor of n"),
    ("dL/dtheta = (yhat - y) / k", "off by a factor of 1/k"),
    ("dL/dtheta = -3 * (yhat - y)", "the sign is flipped and it is off by a factor of 3"),
    ("dL/dtheta = 0 * y", "it is zero, but the true derivative is not"),
    ("dL/dW2 = h.T @ (yhat - y) + W2", "an extra term: W2"),
    ("dL/dW2 = h.T @ (yhat - y) - 2 * W2", "missing a term: 2 * W2"),
    ("dyhat/dtheta = diag(yhat * (1 - yhat))", "it is only the diagonal of the true"),
    ("dyhat/dtheta = diag(yhat)", "missing a term: the difference is a rank-1"),
    ("dL/db2 = yhat", "missing a term: -y"),
    ("dL/db2 = h @ W2", "largest error at [0, "),
]


@pytest.mark.parametrize("claim, detail", DIAGNOSES)
def test_each_diagnosis(claim, detail):
    result = one(MLP_ROWS, claim)
    assert result.status == "wrong"
    assert result.detail.startswith(detail), result.detail
    assert result.diagnostic.code == "E500" and detail in result.diagnostic.message


def test_transposed_and_missing_use():
    text = "dims n\nx : n x 1\nA : n x n\nB : n x n\ns = x.T @ A @ x\nt = trace(A @ B)\n"
    assert one(text, "dt/dA = B").detail == "transposed"
    assert one(text, "dt/dA = -B").detail == "transposed, and the sign is flipped"
    assert one(text, "ds/dx = A.T @ x").detail.startswith(
        "missing a term: the contribution through the use of x at line 5, column 5")


SQUARE = ("dims n, k\nx : 1 x n\nu : 1 x n\nv : 1 x n\nA : n x n\nS : n x n symmetric\nB : n x k\nX : n x k\n"
          "q = u @ A @ v.T\nt = trace(A @ X @ B.T)\nr = trace(X.T @ A @ X)\np = sum(x * (x @ A))\n")


@pytest.mark.parametrize("claim, detail, fixed", [
    ("dt/dX = A @ B", "missing transpose on A", "A.T @ B"),
    ("dt/dX = A.T.T @ B", "an extra transpose on A", "A.T @ B"),
    ("dr/dX = A @ X + A @ X", "missing transpose on A", "A.T @ X + A @ X"),
    ("dp/dx = x @ A.T + x @ A.T", "an extra transpose on A", "x @ A + x @ A.T"),
])
def test_a_transpose_missing_or_extra_on_a_square_matrix_is_named_with_the_fix(claim, detail, fixed):
    result = one(SQUARE, claim)
    assert (result.status, result.detail) == ("wrong", detail)
    assert result.diagnostic.fix is not None and result.diagnostic.fix.replacement == fixed
    assert f"write `{fixed}`" in result.diagnostic.hint
    [label] = result.diagnostic.labels                   # the one use changed is labelled
    assert label.text == ("transpose this" if detail.startswith("missing") else "drop this transpose")
    assert one(SQUARE, f"{claim.split(' = ')[0]} = {fixed}").status == "verified"


def test_a_claim_right_only_for_a_symmetric_matrix_says_so():
    for claim in ("dr/dX = 2 * A @ X", "dp/dx = 2 * x @ A", "dp/dx[i] = 2 * sum[j](A[i, j] * x[j])"):
        result = one(SQUARE, claim)
        assert (result.status, result.detail) == ("wrong", "it holds only for a symmetric A"), claim
        assert "not declared symmetric" in result.diagnostic.hint
    assert one(SQUARE.replace("A : n x n\n", "A : n x n symmetric\n"), "dr/dX = 2 * A @ X").status == "verified"


def test_an_entry_claim_with_a_matrix_indices_swapped_names_the_matrix():
    result = one(SQUARE, "dq/du[i] = sum[j](A[j, i] * v[j])")
    assert (result.status, result.detail) == ("wrong", "the indices of A are swapped")
    assert "swap the indices of A" in result.diagnostic.hint


def test_a_transpose_that_fits_no_draw_exactly_is_not_said():
    # A @ B is wrong by more than a transpose: the largest error is said, not a guess
    result = one(SQUARE, "dt/dX = 2 * A @ B + B")
    assert result.status == "wrong" and "transpose" not in result.detail


def test_uses_of_square_matrices_are_toggled_one_at_a_time_then_together():
    from dsl.verify import transposes
    expr = syntax.parse_expr("A @ x + A.T @ y + S @ x")[0]
    values = {"A": np.arange(4.0).reshape(2, 2), "S": np.eye(2), "x": np.ones((2, 1)), "y": np.ones((2, 1))}
    assert transposes.square_names(expr, values) == {"A"}        # S is symmetric, x a vector
    def square(node):
        return isinstance(node, Name) and node.id == "A"
    assert [(t.kind, t.text) for t in transposes.toggled(expr, square)] == [
        ("missing", "A.T @ x + A.T @ y + S @ x"), ("extra", "A @ x + A @ y + S @ x"),
        ("swapped", "A.T @ x + A @ y + S @ x")]


def test_a_transpose_missing_on_a_derivative_term_or_a_bracketed_operand_is_named():
    text = ("dims t, d\nQ : t x d\nK : t x d\nG : t x t\nM : t x t\nB : t x d\n"
            "S = Q @ K.T\nL = sum(G * S)\nU = trace((M * G).T @ B @ K.T)\n")
    result = one(text, "dL/dK = dL/dS @ Q")
    assert (result.status, result.detail) == ("wrong", "missing transpose on `dL/dS`")
    assert "write `dL/dS.T @ Q`" in result.diagnostic.hint
    result = one(text, "dU/dK = (M * G) @ B")
    assert (result.status, result.detail) == ("wrong", "missing transpose on `M * G`")
    assert "write `(M * G).T @ B`" in result.diagnostic.hint


def test_a_factor_of_one_minus_a_scalar_is_named():
    assert factors.factor_words([0.5, 0.25], [{"p": 0.5}, {"p": 0.75}]) == "(1 - p)"
    assert factors.factor_words([2.0, 4.0], [{"p": 0.5}, {"p": 0.75}]) == "1/(1 - p)"
    assert factors.factor_words([3.0, 3.5], [{"p": 2.0}, {"p": 2.5}]) == "(1 + p)"
    # a size is never shifted: 1 - m is no factor a derivation makes
    assert factors.factor_words([-2.0, -3.0], [{"m": 3.0}, {"m": 4.0}], sizes=("m",)) is None


def test_binary_draws_keep_a_one_in_every_row():
    from dsl.compute.drawing import draw_value
    rng = np.random.default_rng(3)
    for shape in [(6, 2), (5, 3), (1, 4), (4, 1), (2, 3, 2)]:
        for _ in range(100):
            x = draw_value(shape, {"binary"}, rng)
            rows = x.reshape(1, -1) if shape[-1] == 1 else x.reshape(-1, shape[-1])
            assert set(np.unique(x)) == {0.0, 1.0}, shape
            assert np.all(rows.max(axis=1) == 1.0), shape


def test_a_masked_softmax_over_binary_masks_is_verified():
    text = ("dims n, m\nS : n x m\nM : n x m binary\nG : n x m\n"
            "A = softmax(where(M > 0, S, -1e9))\nL = sum(G * A)\n")
    assert one(text, "dL/dS = A * (G - sum(G * A, axis=1))").status == "verified"


def test_the_true_derivative_is_zero_but_the_claim_is_not():
    text = "dims n\nx : 1 x n\nc : 1 x n\ns = sum(c * c)\n"
    assert one(text, "ds/dx = c").detail.startswith("the true derivative is zero, but the claim is not")
    assert one(text, "ds/dx = zeros(1, n)").status == "verified"


def test_largest_error_names_an_index_and_both_values():
    result = one(MLP_ROWS, "dL/dx = (yhat - y) @ W2.T @ W1.T")
    assert result.status == "wrong"
    assert result.detail.startswith("largest error at [0, ") and "claimed" in result.detail and "true" in result.detail
    assert "first with k = " in result.diagnostic.hint and "n = " in result.diagnostic.hint
    assert "wrong in all 3 draws" in result.diagnostic.hint


# -------------------------------------------------------------- shorthand

def test_diagonal_shorthand_is_verified_against_the_diagonal_and_says_so():
    result = one(MLP_ROWS, "dh/da = h * (1 - h)")
    assert result.status == "verified"
    assert result.detail == "verified against the diagonal of the k x k Jacobian"
    wrong = one(MLP_ROWS, "dh/da = h")
    assert wrong.status == "wrong" and "compared with the diagonal of the k x k Jacobian" in wrong.detail


def test_diagonal_shorthand_of_a_full_jacobian_is_wrong():
    result = one(MLP_ROWS, "dyhat/dtheta = yhat * (1 - yhat)")
    assert result.status == "wrong"
    assert result.detail.startswith("the n x n Jacobian is not diagonal (entry [")
    assert result.diagnostic.code == "E500"


# ------------------------------------------------------------- attributes

def test_symmetric_variables_compare_symmetric_parts():
    text = "dims n\nA : n x n symmetric\nB : n x n\nt = trace(A @ B)\n"
    for claim in ("dt/dA = B.T", "dt/dA = B", "dt/dA = (B + B.T) / 2"):
        result = one(text, claim)
        assert result.status == "verified", (claim, result.detail)
        assert result.detail == "symmetric parts compared, since A is symmetric"
    assert one(text.replace(" symmetric", ""), "dt/dA = B").detail == "transposed"
    assert one(text, "dt/dA = -B").detail.startswith("the sign is flipped")


def test_spd_inputs_give_log_det():
    text = "dims n\nX : n x n spd\ns = log(det(X))\n"
    assert one(text, "ds/dX = inv(X)").status == "verified"


def test_onehot_and_prob_inputs_are_differentiated_as_if_free():
    text = "dims n\ny : 1 x n onehot\nq : 1 x n prob\nL = xent(y, q)\n"
    assert one(text, "dL/dy = -log(q)").status == "verified"
    assert one(text, "dL/dq = -y / q").status == "verified"


# ---------------------------------------------------------------- unchecked

def test_a_claim_with_shape_errors_is_unchecked_with_a_reason():
    result = one(MLP_ROWS, "dL/dW2 = (yhat - y).T @ h")
    assert result.status == "unchecked"
    assert result.detail == "its right side is n x k, but dL/dW2 is k x n"
    assert result.diagnostic is None  # the checker's E400 on the same claim says it already


def test_a_higher_order_claim_is_unchecked():
    result = one(MLP_ROWS, "da/dW1 = x")
    assert result.status == "unchecked" and "higher-order" in result.detail


def test_values_that_are_not_finite_leave_the_claim_unchecked():
    result = one("dims n\nx : 1 x n\ns = sum(log(x))\n", "ds/dx = 1 / x")
    assert result.status == "unchecked" and "not finite" in result.detail


def test_a_right_side_that_cannot_be_evaluated_is_unchecked():
    text = "dims n\nx : 1 x n\nZ : n x n\ns = sum(x * x)\n"
    result = one(text, "ds/dx = 2 * x @ inv(Z - Z)")
    assert result.status == "unchecked" and result.detail.startswith("it could not be evaluated")


def test_derivative_of_a_derivative_is_unchecked_not_wrong():
    text = "dims n\nx : 1 x n\nL = sum(x * x)\ng = dL/dx\nM = sum(g * x)\n"
    result = one(text, "dM/dx = 4 * x")
    assert result.status == "unchecked" and "derivatives of derivatives" in result.detail


# ------------------------------------------------------------------- kinks

def test_relu_at_its_kink_in_every_draw_is_unchecked():
    text = "dims n\ny : 1 x n onehot\nx : 1 x n\nL = sum(relu(y * x))\n"
    result = one(text, "dL/dx = y * relu'(y * x)")
    assert result.status == "unchecked" and "kink" in result.detail
    assert result.diagnostic.code == "W501"


def test_a_draw_at_a_kink_is_redrawn(monkeypatch):
    original = data.draw_input
    calls = []

    def first_at_the_kink(env, name, sizes, rng):
        value = original(env, name, sizes, rng)
        if not calls:
            value[0, 0] = 0.0
        calls.append(name)
        return value
    monkeypatch.setattr(data, "draw_input", first_at_the_kink)
    result = one("dims n\nx : 1 x n\nL = sum(relu(x))\n", "dL/dx = relu'(x)")
    assert result.status == "verified"
    assert len(calls) >= verify.DRAWS + 1     # the first draw was redrawn


def test_given_inputs_at_a_kink_are_unchecked():
    text = "dims n\nx : 1 x n\nL = sum(abs(x))\ndL/dx = abs'(x)\n"
    [result] = run(text, inputs={"x": np.array([[0.0, 1.0, -2.0]])}, sizes={"n": 3})
    assert result.status == "unchecked" and "given inputs" in result.detail


def test_given_inputs_and_sizes_are_used():
    text = "dims n\nx : 1 x n\nL = sum(x ** 3)\ndL/dx = 3 * x\n"
    [result] = run(text, inputs={"x": np.array([[1.0, 1.0]])}, sizes={"n": 2})
    assert result.status == "verified"        # 3 x**2 == 3 x at x = 1: only these values
    [result] = run(text, sizes={"n": 4})
    assert result.status == "wrong"


# --------------------------------------------------------- the cross-check

def test_a_broken_rule_is_an_internal_inconsistency_never_a_verdict(monkeypatch):
    broken = (lambda g, out, x: 2 * g * out * (1 - out),)
    monkeypatch.setitem(autodiff.VJPS, "sigma", broken)
    # with the broken rule the true value looks like twice the right one, so
    # this wrong claim would verify if the cross-check did not catch it
    result = one(MLP_ROWS, "dL/da = 2 * (yhat - y) @ W2.T * sigma'(a)")
    assert result.status == "unchecked"
    assert result.diagnostic.code == "E502"
    assert "reverse mode and finite differences disagree" in result.detail
    assert one(MLP_ROWS, "dL/da = (yhat - y) @ W2.T * sigma'(a)").diagnostic.code == "E502"


def test_derivative_terms_inside_a_claim_are_cross_checked_too(monkeypatch):
    monkeypatch.setitem(autodiff.VJPS, "sigma", (lambda g, out, x: 2 * g * out * (1 - out),))
    text = "dims n\na : 1 x n\ns = sum(sigma(a))\nt = sum(a * a)\n"
    assert one(text, "dt/da = 2 * a").status == "verified"          # no sigma on this path
    result = one(text, "dt/da = 2 * a + ds/da - ds/da")
    assert result.diagnostic.code == "E502" and "ds/da" in result.detail


def test_cross_check_passes_on_ill_scaled_but_correct_programs():
    text = "dims n\nx : 1 x n\nc : scalar positive\nL = exp(sum(3 * x)) + 1000 * c * sum(x * x)\n"
    assert one(text, "dL/dx = 3 * exp(sum(3 * x)) + 2000 * c * x").status == "verified"


# ---------------------------------------------------------------- the API

def test_verify_claim_text_refuses_what_is_not_a_claim():
    with pytest.raises(ValueError):
        driver.verify_claim_text("dims n\nx : 1 x n\n", "x + x")


def test_claims_keyword_limits_the_verification():
    text = MLP_ROWS + "dL/dtheta = yhat - y\ndL/dtheta = y - yhat\n"
    program, _ = syntax.parse_text(text, "t.deriv")
    env, _ = shapes.check_program(program)
    results = verify.verify_claims(program, env, claims=env.claims[1:])
    assert [r.status for r in results] == ["wrong"]


def test_results_do_not_depend_on_the_order_of_claims():
    claims = ["dL/dtheta = yhat - y", "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T", "dL/db1 = 2 * dL/da"]
    forward = run(MLP_ROWS + "\n".join(claims) + "\n", seed=3)
    backward = run(MLP_ROWS + "\n".join(reversed(claims)) + "\n", seed=3)
    assert [(r.status, r.detail) for r in forward] == [(r.status, r.detail) for r in reversed(backward)]


def test_the_driver_reports_a_wrong_claim_as_an_error():
    report = driver.check_source(Source("t.deriv", MLP_ROWS + "dL/dtheta = y - yhat\n"))
    assert [c.status for c in report.claims] == ["wrong"]
    assert [d.code for d in report.diagnostics if d.is_error] == ["E500"]
    assert report.exit_code() == 1


def test_draws_change_the_sizes():
    text = "dims m\nx : m x 1\nL = mean(x * x)\n"
    program, _ = syntax.parse_text(text, "t.deriv")
    env, _ = shapes.check_program(program)
    rng = np.random.default_rng(0)
    assert len({data.concrete_sizes(env.dims, rng, d)["m"] for d in range(verify.DRAWS)}) == verify.DRAWS
    assert one(text, "dL/dx = x").detail == "off by a factor of m/2"


# --------------------------------------------------------------- diagnose

def test_number_words():
    assert [diagnose.number(v) for v in (2.0, 0.5, -1.0, 1 / 3, 0.123456)] == ["2", "1/2", "-1", "1/3", "0.1235"]


def test_close_uses_the_named_tolerances():
    a = np.array([[1.0, 2.0]])
    assert diagnose.close(a, a * (1 + verify.TOL_REL / 10))
    assert not diagnose.close(a, a * (1 + verify.TOL_REL * 10))
    assert diagnose.close(np.zeros((1, 2)), np.full((1, 2), verify.TOL_ABS / 2))
    assert not diagnose.close(a, a.T)


# ------------------------------------------- diagnosis: terms and factors

SCALAR = "dims n\nt : scalar positive\nlam : scalar positive\nx : 1 x n\ny : 1 x n\nw : scalar\n"


@pytest.mark.parametrize("definition, claim, detail", [
    ("p = t * log(t)", "dp/dt = log(t)", "missing a term: the contribution through the use of t at line 7, column 13"),
    ("u = t * t + 3 * t\ng = exp(u)", "dg/dt = g * 2 * t", "missing a term: 3 * g"),
    ("h = t * exp(t)", "dh/dt = exp(t)", "missing a term: h"),
    ("J = sum((w * x - y) ** 2) + lam * w * w", "dJ/dw = 2 * sum((w * x - y) * x)", "missing a term: 2 * lam * w"),
    # not "missing a term: 1/t * s": of a scalar derivative, a factor is not made of the variable
    ("s = softplus(t) * t", "ds/dt = sigma(t) * t",
     "missing a term: the contribution through the use of t at line 7, column 19"),
    ("s = softplus(t) * t", "ds/dt = sigma(t) + softplus(t)", "the term `sigma(t)` is off by a factor of 1/t"),
    # the chain rule through s, used twice: the product rule one step along
    ("s = sigma(t)\nf = s * log(s)", "df/dt = s * (1 - s) * log(s)",
     "missing a term: the contribution through the use of s at line 8, column 13"),
])
def test_a_scalar_derivative_missing_a_term_is_named_before_a_changing_factor(definition, claim, detail):
    result = one(SCALAR + definition + "\n", claim)
    assert result.status == "wrong"
    assert result.detail == detail, result.detail


def test_a_scalar_claim_with_no_explanation_gets_the_largest_error_not_a_changing_factor():
    # for a scalar every claim is some factor of the truth: a changing one says nothing
    result = one(SCALAR + "s = exp(t)\n", "ds/dt = t")
    assert result.detail.startswith("largest error: claimed "), result.detail
    # a matrix claim off by a factor that follows nothing still says so
    text = "dims n\nz : 1 x n\ns = logsumexp(z)\n"
    assert one(text, "ds/dz = exp(z)").detail.startswith("off by a factor that changes from draw to draw")


@pytest.mark.parametrize("ratios, values, words", [
    ([2.0, 3.0, 2.0], [{"d": 4.0}, {"d": 9.0}, {"d": 4.0}], "sqrt(d)"),
    ([1 / 2, 1 / 3, 1 / 2], [{"d": 4.0}, {"d": 9.0}, {"d": 4.0}], "1/sqrt(d)"),
    ([4.0, 6.0, 4.0], [{"d": 4.0}, {"d": 9.0}, {"d": 4.0}], "2*sqrt(d)"),
    ([-1 / 4, -1 / 6, -1 / 4], [{"d": 4.0}, {"d": 9.0}, {"d": 4.0}], "-1/(2*sqrt(d))"),
    ([8 ** 0.5] * 3, [{"d": 8.0}] * 3, "sqrt(d)"),                 # a fixed size: the same in every draw
    ([2 ** -0.5] * 3, [{}] * 3, "1/sqrt(2)"),
    ([3.0, 4.0, 3.0], [{"m": 6.0}, {"m": 8.0}, {"m": 6.0}], "m/2"),
    ([3 ** 0.5, 2.0, 3 ** 0.5], [{"d": 3.0, "lam": 1.0}, {"d": 4.0, "lam": 2.0}, {"d": 3.0, "lam": 1.0}], "sqrt(d)"),
])
def test_factors_that_are_square_roots_of_sizes(ratios, values, words):
    assert factors.factor_words(ratios, values, sizes=("d", "m")) == words


def test_a_square_root_of_a_scalar_input_is_not_a_size():
    # lam is a scalar input, not a size: sqrt(lam) is not offered
    values = [{"lam": 4.0}, {"lam": 9.0}, {"lam": 16.0}]
    assert factors.factor_words([2.0, 3.0, 4.0], values, sizes=()) is None


def test_the_factor_words_of_a_monomial():
    assert [factors.times(k, a, b) for k, a, b in [
        (2.0, ("m",), ()), (0.5, ("m",), ()), (2.0, (), ("m",)), (-0.5, (), ("m",)), (1.0, ("s",), ("t",)),
        (0.5, ("s",), ("t",)), (1.0, (), ("sqrt(d)",)), (3.0, ("sqrt(d)",), ()), (0.123456, ("m",), ())]] == [
        "2*m", "m/2", "2/m", "-1/(2*m)", "s/t", "s/(2*t)", "1/sqrt(d)", "3*sqrt(d)", "0.1235*m"]


ATTENTION = ("dims n, d\nq : 1 x d\nK : n x d\nv : 1 x n\ns = softmax(q @ K.T / sqrt(d))\no = sum(s * v)\n")


def test_attention_without_its_scale_is_off_by_a_factor_of_sqrt_d():
    assert one(ATTENTION, "do/dq = (s * v - s * sum(s * v)) @ K / sqrt(d)").status == "verified"
    assert one(ATTENTION, "do/dq = (s * v - s * sum(s * v)) @ K").detail == "off by a factor of sqrt(d)"
    assert one(ATTENTION, "do/dq = (s * v - s * sum(s * v)) @ K / d").detail == "off by a factor of 1/sqrt(d)"


QUADRATIC = "dims n\nA : n x n symmetric\nb : n x 1\nz : n x 1\ne = sum(z * (A @ z)) / 2 + sum(b * z)\n"


def test_one_term_off_by_a_factor_is_named_and_labelled():
    result = one(QUADRATIC, "de/dz = 2 * A @ z + b")
    assert result.detail == "the term `2 * A @ z` is off by a factor of 2"
    d = result.diagnostic
    [label] = d.labels
    assert label.text == "off by a factor of 2"
    assert (label.span.line, label.span.column, label.span.end_column) == (d.span.line, d.span.column,
                                                                           d.span.column + len("2 * A @ z"))
    assert "the other terms are right" in d.hint and d.fix is None
    flipped = one(QUADRATIC, "de/dz = A @ z - b")
    assert flipped.detail == "the sign of the term `b` is flipped"
    assert flipped.diagnostic.labels[0].text == "the sign is flipped"
    assert one(QUADRATIC, "de/dz = A @ z - 3 * b").detail == (
        "the sign of the term `3 * b` is flipped and it is off by a factor of 3")
    assert one(QUADRATIC, "de/dz = A @ z + b").status == "verified"


def test_a_term_off_by_a_factor_is_preferred_to_a_missing_multiple():
    text = "dims n\nx : 1 x n\ny : 1 x n\nw : scalar\nlam : scalar positive\nJ = sum((w * x - y) ** 2) + lam * w * w\n"
    assert one(text, "dJ/dw = 2 * sum((w * x - y) * x) + lam * w").detail == (
        "the term `lam * w` is off by a factor of 1/2")
    assert one(text, "dJ/dw = 2 * sum((w * x - y) * x) + 2 * lam * w").status == "verified"


def test_no_term_is_named_when_two_would_fit():
    r = np.array([[1.0, 2.0, 3.0]])
    other = np.array([[5.0, -1.0, 0.5]])
    true = r + other
    span = Span("t.deriv", 1, 1, 1, 2)
    terms = [diagnose.Term("`a`", span, r / 4), diagnose.Term("`b`", span, r / 4),
             diagnose.Term("`c`", span, other)]
    sample = diagnose.Sample(r / 2 + other, true, {}, {}, terms=lambda: terms)
    # either of `a` and `b` is off by a factor of 1/3 with the other right: not said
    assert diagnose.diagnose([sample]).detail.startswith("largest error at [0, ")
    alone = diagnose.Sample(r / 4 + other, true, {}, {}, terms=lambda: terms[1:])
    assert diagnose.diagnose([alone]).detail == "the term `b` is off by a factor of 1/4"


def test_symmetric_parts_are_stated_in_wrong_verdicts_and_the_cookbook_form_is_named():
    text = "dims n\nX : n x n symmetric\nC : n x n\nr = trace(C @ X)\n"
    wrong = one(text, "dr/dX = 2 * C")
    assert wrong.detail == "off by a factor of 2 (symmetric parts compared, since X is symmetric)"
    cookbook = one(text, "dr/dX = C + C.T - C * eye(n)")
    assert cookbook.detail.startswith("it is the Matrix Cookbook's G + G.T - G * eye (its eq. 138)")
    assert cookbook.detail.endswith("(symmetric parts compared, since X is symmetric)")
    # without the attribute the same claim is judged against the unconstrained gradient C.T
    assert not one(text.replace(" symmetric", ""), "dr/dX = C + C.T - C * eye(n)").detail.startswith("it is the")


SOFTMAX_ROWS = ("dims n, m\nS : n x m\nG : n x m\nA = softmax(S)\nL = sum(G * A)\n"
                "T : m x n\nH : m x n\nC = softmax(T, axis=0)\nLc = sum(H * C)\n")


@pytest.mark.parametrize("claim, detail, fix", [
    # the normalisation term of the row-wise softmax backward pass forgotten
    ("dL/dS = A * G", "missing a term: -A * sum(A * G, axis=1)", "A * G - A * sum(A * G, axis=1)"),
    # a column-wise softmax: each column scaled
    ("dLc/dT = C * H", "missing a term: -C * sum(C * H, axis=0)", "C * H - C * sum(C * H, axis=0)"),
])
def test_a_missing_row_scaled_term_is_named(claim, detail, fix):
    result = one(SOFTMAX_ROWS, claim)
    assert result.status == "wrong" and result.detail == detail, result.detail
    if fix is not None:
        assert result.diagnostic.fix is not None
        repaired = one(SOFTMAX_ROWS, claim.split(" = ")[0] + " = " + result.diagnostic.fix.replacement)
        assert repaired.status == "verified"


def test_a_row_scaled_term_without_a_name_is_described():
    text = "dims n, m\nX : n x m\nr : n x 1\nL = sum(exp(r) * X * X) / 2\n"
    result = one(text, "dL/dX = 0 * X")
    assert result.status == "wrong" and "zero" in result.detail
    result = one(text + "H = X * X\n", "dL/dX = X")
    assert result.status == "wrong"
    assert result.detail == "missing a term: X with each row scaled by its own factor", result.detail


def test_a_negative_term_the_claim_lacks_is_missing_not_extra():
    text = "dims n\nz : n x 1\ng : n x 1\ns = softmax(z)\nl = sum(g * s)\n"
    assert one(text, "dl/dz = s * g").detail == "missing a term: -l * s"
    assert one(text, "dl/dz = s * g - l * s + s").detail == "an extra term: s"
