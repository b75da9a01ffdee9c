"""Index notation: syntax, printing, evaluation against the matrix spellings,
and derivatives against finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dsl.apps import fmt
from dsl.compute import autodiff, evaluate
from dsl.core.ast import Call, Claim, Define, Delta, Deriv, Index, IndexForm, IndexSum, Name, walk
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr, parse_statement, parse_text
from dsl.shapes import checker as shapes

from programs import tree


def statement(text: str):
    node, diags = parse_statement(text)
    assert node is not None, diags
    return node


# ------------------------------------------------------------------ syntax

def test_entries_sums_and_delta_parse_to_their_nodes():
    node = statement("C[i, j] = sum[k](A[i, k] * B[k, j])")
    assert isinstance(node, Define) and [ix.name for ix in node.indices] == ["i", "j"]
    assert isinstance(node.expr, IndexForm) and isinstance(node.expr.body, IndexSum)
    assert [ix.name for ix in node.expr.body.indices] == ["k"]
    entries = [n for n in walk(node.expr) if isinstance(n, Index)]
    assert [[ix.name for ix in e.indices] for e in entries] == [["i", "k"], ["k", "j"]]
    delta = parse_expr("delta(i, j2) * x[k']")[0]
    assert isinstance(delta.left, Delta) and (delta.left.i.name, delta.left.j.name) == ("i", "j2")
    assert delta.right.indices[0].name == "k'"


def test_existing_meanings_are_kept():
    assert isinstance(parse_expr("sum(X, axis=0)")[0], Call)
    assert isinstance(parse_expr("delta/dx")[0], Deriv)           # still a derivative
    assert isinstance(parse_expr("[a + b] * c")[0].left.left, Name)  # square brackets group
    call = parse_expr("delta(ab, c)")[0]
    assert isinstance(call, Call) and call.func == "delta"        # not indices: an (unknown) function
    assert isinstance(parse_expr("(A @ B)[i, j]")[0], Index)


def test_entry_claims_parse_with_their_indices():
    grad = statement("dL/dW[i, j] = x[i] * g[j]")
    assert isinstance(grad, Claim) and [ix.name for ix in grad.deriv.den_indices] == ["i", "j"]
    assert grad.deriv.text == "dL/dW[i, j]"
    jac = statement("dy[i]/dx[j] = y[i] * (delta(i, j) - y[j])")
    assert (jac.deriv.num.id, jac.deriv.den.id) == ("y", "x")
    assert [ix.name for ix in jac.deriv.num_indices] == ["i"] and jac.deriv.text == "dy[i]/dx[j]"
    assert statement("dyhat[i]/dz[j] = delta(i, j)").deriv.num.id == "yhat"
    _, diags = parse_statement("y[i]/x[j] = 1")
    assert [d.code for d in diags] == ["E100"]


ROUND_TRIP = [
    "C[i, j] = sum[k](A[i, k] * B[k, j])",
    "s = sum[i](x[i] * x[i])",
    "J = -sum[i](y[i] * log(yhat[i]))",
    "t = sum[i, j](A[i, j] * B[i, j]) + sum(X, axis=0) @ v",
    "v[i] = exp(x[i]) / sum[j](exp(x[j]))",
    "q[b, i2, k'] = T[b, i2] * (A @ B)[i2, k'] ** 2",
    "dL/dW[i, j] = x[i] * g[j]",
    "dy[i]/dx[j] = y[i] * (delta(i, j) - y[j])",
    "D[i, j] = A.T[i, j] - sum[k](-A[i, k])",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_printer_round_trip(text):
    node = statement(text)
    printed = to_source(node)
    assert tree(statement(printed)) == tree(node), printed
    assert printed == text
    for to in ("unicode", "ascii"):
        shown = fmt.format_statement(node, to=to)
        assert tree(statement(shown)) == tree(node), shown


_INDEX = st.sampled_from(["i", "j", "k", "j2", "k'"])
_LEAF = st.one_of(
    st.tuples(st.sampled_from(["x", "W1", "A"]), st.lists(_INDEX, min_size=1, max_size=3)).map(
        lambda t: f"{t[0]}[{', '.join(t[1])}]"),
    st.tuples(_INDEX, _INDEX).map(lambda t: f"delta({t[0]}, {t[1]})"),
    st.sampled_from(["2", "s", "sum(X)"]))


def _grow(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.lists(_INDEX, min_size=1, max_size=2), inner).map(
            lambda t: f"sum[{', '.join(t[0])}]({t[1]})"),
        inner.map(lambda e: f"exp({e})"),
        inner.map(lambda e: f"-{e}"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_LEAF, _grow, max_leaves=8), st.lists(_INDEX, min_size=0, max_size=3))
def test_printed_index_notation_parses_to_the_same_tree(body, left):
    text = f"C[{', '.join(left)}] = {body}" if left else f"C = {body}"
    node = statement(text)
    for shown in (to_source(node), to_source(node, parens="all"), fmt.format_statement(node, to="unicode")):
        assert tree(statement(shown)) == tree(node), shown
    assert "\\sum" in fmt.format_statement(node, to="latex") or "sum[" not in body


def test_latex_and_unicode_spellings():
    node = statement("C[i, j] = sum[k](A[i, k] * B[k, j])")
    assert fmt.format_statement(node, to="latex") == r"C_{ij} &= \sum_{k} A_{ik} B_{kj}"
    assert fmt.format_statement(node, to="unicode") == "C[i, j] = ∑[k](A[i, k] ⊙ B[k, j])"
    long = statement("dL/dW2[i, j2] = delta(i, j2) * x[i]")
    assert fmt.format_statement(long, to="latex") == \
        r"\frac{\partial L}{\partial {W_{2}}_{i,j2}} &= \delta_{i,j2} x_{i}"
    jac = statement("dy[i]/dz[j] = y[i] * (delta(i, j) - y[j])")
    assert fmt.format_statement(jac, to="latex").startswith(r"\frac{\partial y_{i}}{\partial z_{j}} &=")
    assert fmt.format_statement(jac, to="unicode") == "dy[i]/dz[j] = y[i] ⊙ (δ(i, j) - y[j])"
    sum_left = fmt.format_expr(parse_expr("sum[i](x[i]) * y[j]")[0], "latex")
    assert sum_left == r"(\sum_{i} x_{i}) y_{j}"


# -------------------------------------------------------------- evaluation

def _values(text: str, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    program, diags = parse_text(text)
    assert not diags, diags
    env, diags = shapes.check_program(program)
    assert not [d for d in diags if d.is_error], diags
    values, diags = evaluate.evaluate_program(program, env, arrays, {})
    assert not diags, diags
    return values


_SIZES = st.integers(min_value=1, max_value=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SIZES, _SIZES, _SIZES, st.integers(min_value=0, max_value=2**31))
def test_index_definitions_equal_their_matrix_spellings(n, k, m, seed):
    rng = np.random.default_rng(seed)
    arrays = {"A": rng.normal(size=(n, k)), "B": rng.normal(size=(k, m)), "S": rng.normal(size=(n, n)),
              "x": rng.normal(size=(1, n)), "c": rng.normal(size=(k, 1)), "G": rng.normal(size=(n, k))}
    decls = f"A : {n} x {k}\nB : {k} x {m}\nS : {n} x {n}\nx : 1 x {n}\nc : {k} x 1\nG : {n} x {k}\n"
    program = decls + "\n".join([
        "C[i, j] = sum[k](A[i, k] * B[k, j])",
        "tr = sum[i](S[i, i])",
        "O[i, j] = x[i] * c[j]",
        "H[i, j] = A[i, j] * G[i, j]",
        "T[i, j] = A[j, i]",
        "d = sum[i, j](A[i, j] * G[i, j])",
        "v[j] = sum[i](x[i] * A[i, j])",
        "w[i] = sum[j](A[i, j] * c[j])",
        "P[i, k] = A[i, k] * sum[l](B[k, l]) * delta(i, i) + 0 * G[i, k]",
        "soft[i] = exp(x[i]) / sum[j](exp(x[j]))",
        "E[i, j] = sum[k](S[i, k] * delta(k, j))",
        "R[i, j] = x[j]",
        "Q = S - R",
    ])
    A, B, S, x, c, G = (arrays[name] for name in "ABSxcG")
    values = _values(program, arrays)
    np.testing.assert_allclose(values["C"], A @ B, atol=1e-12)
    np.testing.assert_allclose(values["tr"], np.trace(S), atol=1e-12)
    np.testing.assert_allclose(values["O"], x.T @ c.T, atol=1e-12)
    np.testing.assert_allclose(values["H"], A * G, atol=1e-12)
    np.testing.assert_allclose(values["T"], A.T, atol=1e-12)
    np.testing.assert_allclose(values["d"], np.sum(A * G), atol=1e-12)
    np.testing.assert_allclose(values["v"], x @ A, atol=1e-12)
    np.testing.assert_allclose(values["w"], (A @ c).T, atol=1e-12)   # one free index: a 1 x n row
    np.testing.assert_allclose(values["P"], A * B.sum(axis=1)[None, :], atol=1e-12)
    np.testing.assert_allclose(values["soft"], np.exp(x) / np.exp(x).sum(), atol=1e-12)
    np.testing.assert_allclose(values["E"], S, atol=1e-12)
    np.testing.assert_allclose(values["R"], x, atol=1e-12)          # i on the left only: one row, broadcast
    np.testing.assert_allclose(values["Q"], S - x, atol=1e-12)
    assert values["C"].shape == (n, m) and values["v"].shape == (1, k) and values["tr"].shape == ()


GRADIENT_PROGRAMS = [
    "C[i, j] = sum[k](A[i, k] * B[k, j])\nL = sum[i, j](C[i, j] * G[i, j] * C[i, j])",
    "v[j] = sum[i](x[i] * A[i, j])\nL = sum[j](exp(v[j]) * c[j])",
    "T[i, j] = A[j, i] * B[i, j]\nL = sum[i, j](T[i, j] * T[i, j]) + sum[i](S[i, i] * x[i])",
    "p[i] = exp(x[i]) / sum[j](exp(x[j]))\nL = -sum[i](q[i] * log(p[i]))",
    "M[i, j] = sum[k](S[i, k] * delta(k, j) * x[j])\nL = sum(M @ M.T)",
    "R[i, j] = x[j]\nD = S - R\nL = sum(D * D) + sum(A)",
]


@pytest.mark.parametrize("body", GRADIENT_PROGRAMS)
@pytest.mark.parametrize("wrt", ["A", "x", "S"])
def test_gradients_of_index_notation_agree_with_finite_differences(body, wrt):
    rng = np.random.default_rng(7)
    n, k = 3, 4
    decls = f"A : {n} x {k}\nB : {k} x {n}\nS : {n} x {n}\nx : 1 x {n}\nq : 1 x {n}\nc : 1 x {k}\nG : {n} x {n}\n"
    program, diags = parse_text(decls + body)
    env, diags = shapes.check_program(program)
    assert not [d for d in diags if d.is_error], diags
    inputs = {"A": rng.normal(size=(n, k)), "B": rng.normal(size=(k, n)), "S": rng.normal(size=(n, n)),
              "x": rng.normal(size=(1, n)), "q": rng.normal(size=(1, n)), "c": rng.normal(size=(1, k)),
              "G": rng.normal(size=(n, n))}
    grad = autodiff.grad(program, env, inputs, {}, "L", wrt)
    assert grad.shape == inputs[wrt].shape

    def loss(value):
        values, _ = evaluate.evaluate_program(program, env, {**inputs, wrt: value}, {})
        return float(values["L"])

    numeric = np.zeros_like(inputs[wrt])
    h = 1e-6
    for at in np.ndindex(numeric.shape):
        up, down = inputs[wrt].copy(), inputs[wrt].copy()
        up[at] += h
        down[at] -= h
        numeric[at] = (loss(up) - loss(down)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_sum_of_a_product_is_one_einsum(monkeypatch):
    calls = []
    real = np.einsum

    def counting(*args, **kw):
        calls.append(kw.get("optimize"))
        return real(*args, **kw)

    monkeypatch.setattr(np, "einsum", counting)
    values = _values("A : 2 x 3\nB : 3 x 4\nC = sum[i, j, k](A[i, k] * B[k, j])",
                     {"A": np.ones((2, 3)), "B": np.ones((3, 4))})
    assert float(values["C"]) == 24.0
    assert calls.count(True) == 1      # the product and its sum: one optimised call


def test_explain_shows_each_index_range():
    from dsl import pipeline
    from dsl.apps.explain import explain_report
    from dsl.core.span import Source
    report = pipeline.check_source(Source("t.deriv", "dims n, k, m\nA : n x k\nB : k x m\n"
                                          "C[i, j] = sum[k](A[i, k] * B[k, j])\n"), verify=False)
    shown = explain_report(report)
    assert "C[i, j] =" in shown and "indices: i over n, j over m, k over k" in shown
