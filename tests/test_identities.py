"""Identities from The Matrix Cookbook (Petersen & Pedersen, 2012) and the
standard layers of ML, each written as a correct claim that must verify and
as perturbed claims (sign, factor, transpose, missing term, ...) that must
be caught with the right diagnosis.

Every identity is one small program; its claims are verified together.  The
default run sweeps five seeds; ``CHAINRULE_SEEDS=20`` widens the sweep.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from dsl.language import syntax
from dsl.shapes import checker as shapes
from dsl.verify import claims as verify


@dataclass(frozen=True)
class Identity:
    name: str
    program: str
    claim: str                              # correct: must verify
    wrong: tuple[tuple[str, str], ...] = ()  # (claim, text the detail must contain)


SIGN = "the sign is flipped"
TRANSPOSED = "transposed"
MISSING = "missing a term"

IDENTITIES = [
    # ------------------------------------------------- Matrix Cookbook, sec. 2.4
    Identity("d(x.T a)/dx = a  (69)", "dims n\nx : n x 1\na : n x 1\ns = x.T @ a",
             "ds/dx = a", (("ds/dx = -a", SIGN), ("ds/dx = 2 * a", "off by a factor of 2"))),
    Identity("d(a.T x)/dx = a  (69)", "dims n\nx : n x 1\na : n x 1\ns = a.T @ x",
             "ds/dx = a", (("ds/dx = a / 2", "off by a factor of 1/2"), ("ds/dx = x", "largest error"))),
    Identity("d(a.T X b)/dX = a b.T  (70)", "dims n\na : n x 1\nb : n x 1\nX : n x n\ns = a.T @ X @ b",
             "ds/dX = a @ b.T", (("ds/dX = b @ a.T", TRANSPOSED), ("ds/dX = -(a @ b.T)", SIGN))),
    Identity("d(a.T X.T b)/dX = b a.T  (71)", "dims n\na : n x 1\nb : n x 1\nX : n x n\ns = a.T @ X.T @ b",
             "ds/dX = b @ a.T", (("ds/dX = a @ b.T", TRANSPOSED),)),
    Identity("d(x.T A x)/dx = (A + A.T) x  (81)", "dims n\nx : n x 1\nA : n x n\ns = x.T @ A @ x",
             "ds/dx = (A + A.T) @ x",
             (("ds/dx = A @ x", MISSING + ": the contribution through the use of x"),
              ("ds/dx = -(A + A.T) @ x", SIGN), ("ds/dx = 2 * A @ x", "it holds only for a symmetric A"))),
    Identity("d(x.T A x)/dx = 2 A x, A symmetric", "dims n\nx : n x 1\nA : n x n symmetric\ns = x.T @ A @ x",
             "ds/dx = 2 * A @ x", (("ds/dx = A @ x", "off by a factor of 1/2"),)),
    Identity("d(b.T X.T X c)/dX = X (b c.T + c b.T)  (77)",
             "dims n, k\nb : k x 1\nc : k x 1\nX : n x k\ns = b.T @ X.T @ X @ c",
             "ds/dX = X @ (b @ c.T + c @ b.T)", (("ds/dX = X @ b @ c.T", MISSING),)),
    Identity("d||A x - b||^2/dx = 2 A.T (A x - b)  (84)",
             "dims m, n\nA : m x n\nx : n x 1\nb : m x 1\nr = A @ x - b\ns = sum(r * r)",
             "ds/dx = 2 * A.T @ (A @ x - b)",
             (("ds/dx = A.T @ (A @ x - b)", "off by a factor of 1/2"), ("ds/dx = 2 * A.T @ (b - A @ x)", SIGN))),
    Identity("d||x||^2/dx = 2x with **", "dims n\nx : 1 x n\ns = sum(x ** 2)",
             "ds/dx = 2 * x", (("ds/dx = x", "off by a factor of 1/2"), ("ds/dx = zeros(1, n)", "zero"))),
    Identity("d||x||/dx = x / ||x||", "dims n\nx : n x 1\ns = sqrt(x.T @ x)",
             "ds/dx = x / sqrt(x.T @ x)", (("ds/dx = x", "off by a factor of s"),)),
    Identity("d(A x)/dx = A  (Jacobian)", "dims n\nx : n x 1\nA : n x n\ny = A @ x",
             "dy/dx = A", (("dy/dx = A.T", TRANSPOSED), ("dy/dx = eye(n)", "largest error"))),
    Identity("d(x W)/dx = W.T  (row vectors)", "dims n\nx : 1 x n\nW : n x n\ny = x @ W",
             "dy/dx = W.T", (("dy/dx = W", TRANSPOSED),)),
    Identity("d(A x)/dx = A.T  (denominator layout)",
             "layout denominator\ndims n\nx : n x 1\nA : n x n\ny = A @ x",
             "dy/dx = A.T", (("dy/dx = A", TRANSPOSED),)),
    # ------------------------------------------------- Matrix Cookbook, sec. 2.5 (traces)
    Identity("d tr(X)/dX = I  (100)", "dims n\nX : n x n\ns = trace(X)",
             "ds/dX = eye(n)", (("ds/dX = zeros(n, n)", "it is zero"), ("ds/dX = 2 * eye(n)", "off by a factor of 2"))),
    Identity("d tr(A X)/dX = A.T  (100)", "dims n\nX : n x n\nA : n x n\ns = trace(A @ X)",
             "ds/dX = A.T", (("ds/dX = A", TRANSPOSED),)),
    Identity("d tr(X A)/dX = A.T  (101)", "dims n\nX : n x n\nA : n x n\ns = trace(X @ A)",
             "ds/dX = A.T", (("ds/dX = A", TRANSPOSED), ("ds/dX = -A.T", SIGN))),
    Identity("d tr(X.T A)/dX = A  (103)", "dims n\nX : n x n\nA : n x n\ns = trace(X.T @ A)",
             "ds/dX = A", (("ds/dX = A.T", TRANSPOSED),)),
    Identity("d tr(X.T X)/dX = 2X  (107)", "dims n, k\nX : n x k\ns = trace(X.T @ X)",
             "ds/dX = 2 * X", (("ds/dX = X", "off by a factor of 1/2"),)),
    Identity("d tr(X X)/dX = 2 X.T  (106)", "dims n\nX : n x n\ns = trace(X @ X)",
             "ds/dX = 2 * X.T", (("ds/dX = 2 * X", TRANSPOSED), ("ds/dX = X.T", "off by a factor of 1/2"))),
    Identity("d tr(X A X.T)/dX = X (A + A.T)  (117)", "dims n, k\nX : n x k\nA : k x k\ns = trace(X @ A @ X.T)",
             "ds/dX = X @ (A + A.T)", (("ds/dX = X @ A", MISSING + ": the contribution"),)),
    Identity("d tr(X.T A X)/dX = (A + A.T) X  (116)", "dims n, k\nX : n x k\nA : n x n\ns = trace(X.T @ A @ X)",
             "ds/dX = (A + A.T) @ X", (("ds/dX = A @ X", MISSING), ("ds/dX = (A + A.T) @ X / 2", "1/2"))),
    Identity("d ||X||_F^2/dX = 2X  (sum form)", "dims m, n\nX : m x n\ns = sum(X * X)",
             "ds/dX = 2 * X", (("ds/dX = -2 * X", SIGN),)),
    # ------------------------------------------------- determinants and inverses (sec. 2.1-2.2)
    Identity("d log|det X|/dX = inv(X).T  (57)", "dims n\nX : n x n\ns = log(abs(det(X)))",
             "ds/dX = inv(X).T", (("ds/dX = inv(X)", TRANSPOSED), ("ds/dX = -inv(X).T", SIGN))),
    Identity("d log det X/dX = inv(X), X spd", "dims n\nX : n x n spd\ns = log(det(X))",
             "ds/dX = inv(X)", (("ds/dX = 2 * inv(X)", "off by a factor of 2"),)),
    Identity("d det(X)/dX = det(X) inv(X).T  (49)", "dims n\nX : n x n\ns = det(X)",
             "ds/dX = det(X) * inv(X).T", (("ds/dX = det(X) * inv(X)", TRANSPOSED),)),
    Identity("d a.T inv(X) b/dX = -inv(X).T a b.T inv(X).T  (61)",
             "dims n\na : n x 1\nb : n x 1\nX : n x n\ns = a.T @ inv(X) @ b",
             "ds/dX = -inv(X).T @ a @ b.T @ inv(X).T",
             (("ds/dX = inv(X).T @ a @ b.T @ inv(X).T", SIGN), ("ds/dX = -inv(X) @ b @ a.T @ inv(X)", TRANSPOSED))),
    Identity("d tr(inv(X) A)/dX = -(inv(X) A inv(X)).T  (113)", "dims n\nX : n x n\nA : n x n\ns = trace(inv(X) @ A)",
             "ds/dX = -(inv(X) @ A @ inv(X)).T", (("ds/dX = -inv(X) @ A @ inv(X)", TRANSPOSED),)),
    # ------------------------------------------------- elementwise functions and softmax
    Identity("d sum(exp(x))/dx = exp(x)", "dims n\nx : 1 x n\ns = sum(exp(x))",
             "ds/dx = exp(x)", (("ds/dx = x", "largest error"),)),
    Identity("d sum(log(x))/dx = 1/x", "dims n\nx : 1 x n positive\ns = sum(log(x))",
             "ds/dx = 1 / x", (("ds/dx = -1 / x", SIGN),)),
    Identity("d sigma(x)/dx = diag(sigma'(x))", "dims n\nx : 1 x n\nh = sigma(x)",
             "dh/dx = diag(h * (1 - h))", (("dh/dx = -diag(h * (1 - h))", SIGN), ("dh/dx = diag(h)", "largest error"))),
    Identity("the diagonal shorthand of an elementwise Jacobian", "dims n\nx : 1 x n\nh = tanh(x)",
             "dh/dx = 1 - h ** 2", (("dh/dx = 1 - h", "largest error"),)),
    Identity("d softmax(z)/dz = diag(p) - p.T p", "dims n\nz : 1 x n\np = softmax(z)",
             "dp/dz = diag(p) - p.T @ p",
             (("dp/dz = diag(p)", MISSING + ": the difference is a rank-1"),
              ("dp/dz = diag(p * (1 - p))", "only the diagonal"),
              ("dp/dz = p * (1 - p)", "is not diagonal"))),
    Identity("d logsumexp(z)/dz = softmax(z)", "dims n\nz : 1 x n\ns = logsumexp(z)",
             "ds/dz = softmax(z)", (("ds/dz = exp(z)", "off by a factor that changes from draw to draw"),)),
    Identity("d sum(outer(u, v) * M)/du = M v", "dims n, k\nu : n x 1\nv : k x 1\nM : n x k\ns = sum(outer(u, v) * M)",
             "ds/du = M @ v", (("ds/du = -M @ v", SIGN),)),
    # ------------------------------------------------- layers
    Identity("affine layer, dL/dW = x.T g", "dims n, k\nx : 1 x n\nW : n x k\nb : 1 x k\ng : 1 x k\n"
             "y = x @ W + b\nL = sum(y * g)",
             "dL/dW = x.T @ g", (("dL/dW = -x.T @ g", SIGN),)),
    Identity("affine layer, dL/dx = g W.T", "dims n, k\nx : 1 x n\nW : n x k\nb : 1 x k\ng : 1 x k\n"
             "y = x @ W + b\nL = sum(y * g)",
             "dL/dx = g @ W.T", (("dL/dx = 3 * g @ W.T", "off by a factor of 3"),)),
    Identity("sigmoid layer", "dims n, k\nx : 1 x n\nW : n x k\ng : 1 x k\nh = sigma(x @ W)\nL = sum(h * g)",
             "dL/dW = x.T @ (g * h * (1 - h))", (("dL/dW = x.T @ (g * h)", "largest error"),)),
    Identity("tanh layer", "dims n, k\nx : 1 x n\nW : n x k\ng : 1 x k\nh = tanh(x @ W)\nL = sum(h * g)",
             "dL/dW = x.T @ (g * (1 - h ** 2))", (("dL/dW = -x.T @ (g * (1 - h ** 2))", SIGN),)),
    Identity("ReLU layer", "dims n, k\nx : 1 x n\nW : n x k\ng : 1 x k\na = x @ W\nh = relu(a)\nL = sum(h * g)",
             "dL/dW = x.T @ (g * relu'(a))", (("dL/dW = x.T @ g", "largest error"),)),
    Identity("softmax + cross-entropy",
             "dims n\ntheta : 1 x n\ny : 1 x n onehot\nyhat = softmax(theta)\nL = xent(y, yhat)",
             "dL/dtheta = yhat - y", (("dL/dtheta = y - yhat", SIGN),)),
    Identity("MSE with 2/m", "dims m, n\nX : m x n\nw : n x 1\nt : m x 1\nL = mse(t, X @ w)",
             "dL/dw = 2 / m * X.T @ (X @ w - t)",
             (("dL/dw = X.T @ (X @ w - t)", "off by a factor of m/2"),
              ("dL/dw = 1 / m * X.T @ (X @ w - t)", "off by a factor of 1/2"),
              ("dL/dw = 2 / m * X.T @ (t - X @ w)", SIGN))),
    Identity("L2 penalty", "dims m, n\nX : m x n\nw : n x 1\nt : m x 1\nlam : scalar positive\n"
             "L = mse(t, X @ w) + lam * sum(w * w)",
             "dL/dw = 2 / m * X.T @ (X @ w - t) + 2 * lam * w",
             (("dL/dw = 2 / m * X.T @ (X @ w - t)", MISSING + ": 2 * lam * w"),
              ("dL/dw = 2 / m * X.T @ (X @ w - t) + lam * w", "the term `lam * w` is off by a factor of 1/2"))),
    Identity("logistic regression", "dims m, n\nX : m x n\nw : n x 1\nb : scalar\nt : m x 1 onehot\n"
             "p = sigma(X @ w + b)\nL = -mean(t * log(p) + (1 - t) * log(1 - p))",
             "dL/dw = X.T @ (p - t) / m",
             (("dL/dw = X.T @ (p - t)", "off by a factor of m"), ("dL/dw = X.T @ (t - p) / m", SIGN))),
    Identity("logistic regression, bias", "dims m, n\nX : m x n\nw : n x 1\nb : scalar\nt : m x 1 onehot\n"
             "p = sigma(X @ w + b)\nL = -mean(t * log(p) + (1 - t) * log(1 - p))",
             "dL/db = mean(p - t)", (("dL/db = sum(p - t)", "off by a factor of m"),)),
    Identity("batch with bias", "dims m, n, k\nX : m x n\nW : n x k\nb : 1 x k\nG : m x k\n"
             "Y = X @ W + b\nL = sum(Y * G)",
             "dL/db = sum(G, axis=0)", (("dL/db = mean(G, axis=0)", "off by a factor of 1/m"),)),
    Identity("batch with bias, weights", "dims m, n, k\nX : m x n\nW : n x k\nb : 1 x k\nG : m x k\n"
             "Y = X @ W + b\nL = mean(Y * G)",
             "dL/dW = X.T @ G / (m * k)", (("dL/dW = X.T @ G / m", "off by a factor of k"),)),
    Identity("one RNN step, dL/dWh", "dims n, k\nh0 : 1 x k\nx : 1 x n\nWh : k x k\nWx : n x k\nb : 1 x k\n"
             "g : 1 x k\nh = tanh(h0 @ Wh + x @ Wx + b)\nL = sum(h * g)",
             "dL/dWh = h0.T @ (g * (1 - h * h))", (("dL/dWh = (g * (1 - h * h)).T @ h0", TRANSPOSED),)),
    Identity("one RNN step, dL/dh0", "dims n, k\nh0 : 1 x k\nx : 1 x n\nWh : k x k\nWx : n x k\nb : 1 x k\n"
             "g : 1 x k\nh = tanh(h0 @ Wh + x @ Wx + b)\nL = sum(h * g)",
             "dL/dh0 = (g * (1 - h * h)) @ Wh.T", (("dL/dh0 = -(g * (1 - h * h)) @ Wh.T", SIGN),)),
    Identity("ReLU neuron, squared error (seed 003)",
             "dims m, n\nX : m x n\nw : n x 1\nb : scalar\nt : m x 1\nz = X @ w + b\n"
             "C = mean((relu(z) - t) ** 2)",
             "dC/dw = 2 / m * X.T @ ((relu(z) - t) * relu'(z))",
             (("dC/dw = 2 * X.T @ ((relu(z) - t) * relu'(z))", "off by a factor of m"),)),
]

SEEDS = range(int(os.environ.get("CHAINRULE_SEEDS", "5")))


def _verify(program_text: str, claims: list[str], seed: int):
    text = program_text + "\n" + "\n".join(claims) + "\n"
    program, diags = syntax.parse_text(text, "identity.deriv")
    assert not [d for d in diags if d.is_error], [d.message for d in diags]
    env, checked = shapes.check_program(program)
    errors = [d.message for d in checked if d.is_error]
    assert not errors, errors
    return verify.verify_claims(program, env, seed=seed)


def test_there_are_at_least_thirty_identities():
    assert len(IDENTITIES) >= 30
    assert sum(len(i.wrong) for i in IDENTITIES) >= 45


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("identity", IDENTITIES, ids=[i.name for i in IDENTITIES])
def test_identity_verifies_and_its_perturbations_are_diagnosed(identity: Identity, seed: int):
    claims = [identity.claim] + [c for c, _ in identity.wrong]
    results = _verify(identity.program, claims, seed)
    assert len(results) == len(claims)
    first = results[0]
    assert first.status == "verified", (identity.claim, first.status, first.detail)
    assert first.diagnostic is None and first.seed == seed
    for (claim, expected), result in zip(identity.wrong, results[1:], strict=True):
        assert result.status == "wrong", (claim, result.status, result.detail)
        assert expected in result.detail, (claim, result.detail)
        assert result.diagnostic is not None and result.diagnostic.code == "E500"
        assert result.diagnostic.span == result.claim.expr.span
