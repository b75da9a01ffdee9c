"""The evaluator: every function against its formula, numerical stability,
the seed-002 MLP against hand-written NumPy, NaN warnings, deep nesting."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dsl.builtins import FUNCTIONS
from dsl.compute.evaluate import (
    FORWARD,
    PRIME,
    DomainError,
    EvalError,
    apply_binop,
    apply_call,
    eval_expr,
    evaluate_program,
    expr_text,
    names_used,
)
from dsl.core.ast import BinOp, Call, Define, Deriv, Keyword, Name, Neg, Number, Op, Program, Transpose
from dsl.core.dims import SCALAR, Shape, Sym
from dsl.core.span import Span
from dsl.shapes.checker import Env, NameInfo

from programs import MLP_BODY

S = Span("t.deriv", 1, 1, 1, 2)
RNG = np.random.default_rng(20240)
TOL = {"rtol": 1e-12, "atol": 1e-12}


# ------------------------------------------------------------ AST helpers

def N(name):
    return Name(name, S)


def num(v):
    return Number(float(v), repr(v), S)


def B(op, left, right):
    return BinOp(op, left, right, S, S)


def C(func, *args, prime=False, axis=None):
    kws = (Keyword("axis", num(axis), S),) if axis is not None else ()
    return Call(func, tuple(args), kws, prime, S, S)


def D(name, expr):
    return Define(name, expr, S, S)


def env_of(inputs: dict[str, Shape], defined: dict[str, Shape], dims=None, bad=()):
    env = Env(dims=dict(dims or {}))
    for name, shape in inputs.items():
        env.names[name] = NameInfo(shape, "input", S)
    for name, shape in defined.items():
        env.names[name] = NameInfo(shape, "defined", S, ok=name not in bad)
    return env


def M(r, c):
    return Shape((r, c))


# ------------------------------------------------------------ the tables

def test_forward_table_covers_every_function():
    assert set(FORWARD) == set(FUNCTIONS)


def test_prime_table_covers_exactly_the_functions_with_a_derivative():
    assert set(PRIME) == {name for name, sig in FUNCTIONS.items() if sig.has_prime}


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


ELEMENTWISE = {
    "sigma": (_sig, lambda x: _sig(x) * (1 - _sig(x)), False),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2, False),
    "relu": (lambda x: np.where(x > 0, x, 0.0), lambda x: (x > 0) * 1.0, False),
    "exp": (np.exp, np.exp, False),
    "log": (np.log, lambda x: 1 / x, True),
    "sqrt": (np.sqrt, lambda x: 1 / (2 * np.sqrt(x)), True),
    "abs": (lambda x: np.where(x < 0, -x, x), np.sign, False),
    "softplus": (lambda x: np.log1p(np.exp(x)), _sig, False),
}


@pytest.mark.parametrize("func", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", [(), (1, 4), (4, 1), (3, 5)])
def test_elementwise_function_and_its_prime(func, shape):
    forward, prime, positive = ELEMENTWISE[func]
    x = RNG.uniform(0.2, 3.0, shape) if positive else RNG.standard_normal(shape) * 2
    got = apply_call(func, False, [x])
    assert got.shape == np.shape(x) and got.dtype == np.float64
    np.testing.assert_allclose(got, forward(x), **TOL)
    np.testing.assert_allclose(apply_call(func, True, [x]), prime(x), **TOL)


@pytest.mark.parametrize("func", sorted(ELEMENTWISE))
def test_prime_agrees_with_central_differences(func):
    _, _, positive = ELEMENTWISE[func]
    x = RNG.uniform(0.5, 2.0, (2, 3)) * (1 if positive else RNG.choice([-1, 1], (2, 3)))
    h = 1e-6
    fd = (apply_call(func, False, [x + h]) - apply_call(func, False, [x - h])) / (2 * h)
    np.testing.assert_allclose(apply_call(func, True, [x]), fd, rtol=1e-6, atol=1e-8)


def test_relu_prime_is_zero_at_zero_and_abs_prime_is_sign():
    x = np.array([[-1.0, 0.0, 2.0]])
    assert apply_call("relu", True, [x]).tolist() == [[0.0, 0.0, 1.0]]
    assert apply_call("abs", True, [x]).tolist() == [[-1.0, 0.0, 1.0]]


def test_aliases_reach_the_canonical_rule():
    x = np.array([[0.3, -0.2]])
    np.testing.assert_allclose(apply_call("sigmoid", False, [x]), _sig(x), **TOL)


# ------------------------------------------------------------ structured functions

def _softmax_rows(X):
    e = np.exp(X)
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_of_row_column_and_matrix():
    row, col, mat = RNG.standard_normal((1, 5)), RNG.standard_normal((4, 1)), RNG.standard_normal((3, 4))
    np.testing.assert_allclose(apply_call("softmax", False, [row]), np.exp(row) / np.exp(row).sum(), **TOL)
    np.testing.assert_allclose(apply_call("softmax", False, [col]), np.exp(col) / np.exp(col).sum(), **TOL)
    np.testing.assert_allclose(apply_call("softmax", False, [mat]), _softmax_rows(mat), **TOL)
    assert apply_call("softmax", False, [col]).shape == (4, 1)


def test_logsumexp_of_vector_is_scalar_and_of_matrix_a_column():
    row, mat = RNG.standard_normal((1, 5)), RNG.standard_normal((3, 4))
    got = apply_call("logsumexp", False, [row])
    assert got.shape == ()
    np.testing.assert_allclose(got, np.log(np.exp(row).sum()), **TOL)
    got = apply_call("logsumexp", False, [mat])
    assert got.shape == (3, 1)
    np.testing.assert_allclose(got, np.log(np.exp(mat).sum(axis=1, keepdims=True)), **TOL)
    col = RNG.standard_normal((4, 1))
    np.testing.assert_allclose(apply_call("logsumexp", False, [col]), np.log(np.exp(col).sum()), **TOL)


@pytest.mark.parametrize("func,np_func", [("sum", np.sum), ("mean", np.mean)])
def test_reductions_keep_rows_or_columns(func, np_func):
    X = RNG.standard_normal((3, 4))
    whole = apply_call(func, False, [X])
    assert whole.shape == ()
    np.testing.assert_allclose(whole, np_func(X), **TOL)
    down = apply_call(func, False, [X], axis=0)
    assert down.shape == (1, 4)
    np.testing.assert_allclose(down, np_func(X, axis=0)[None, :], **TOL)
    across = apply_call(func, False, [X], axis=1)
    assert across.shape == (3, 1)
    np.testing.assert_allclose(across, np_func(X, axis=1)[:, None], **TOL)
    with pytest.raises(DomainError):
        apply_call(func, False, [X], axis=2)


def test_losses():
    y = np.array([[0.0, 1.0, 0.0]])
    p = np.array([[0.2, 0.7, 0.1]])
    np.testing.assert_allclose(apply_call("xent", False, [y, p]), -np.log(0.7), **TOL)
    q = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(apply_call("mse", False, [q, p]), np.mean((q - p) ** 2), **TOL)
    assert apply_call("mse", False, [q, p]).shape == ()


def test_matrix_functions():
    v, A = RNG.standard_normal((1, 4)), RNG.standard_normal((4, 4)) + 4 * np.eye(4)
    np.testing.assert_allclose(apply_call("diag", False, [v]), np.diag(v[0]), **TOL)
    np.testing.assert_allclose(apply_call("diag", False, [v.T]), np.diag(v[0]), **TOL)
    got = apply_call("diag", False, [A])
    assert got.shape == (4, 1)
    np.testing.assert_allclose(got[:, 0], [A[i, i] for i in range(4)], **TOL)
    np.testing.assert_allclose(apply_call("trace", False, [A]), sum(A[i, i] for i in range(4)), **TOL)
    np.testing.assert_allclose(apply_call("det", False, [A]), np.linalg.det(A), **TOL)
    np.testing.assert_allclose(apply_call("inv", False, [A]) @ A, np.eye(4), atol=1e-12)
    u, w = RNG.standard_normal((1, 3)), RNG.standard_normal((5, 1))
    out = apply_call("outer", False, [u, w])
    assert out.shape == (3, 5)
    np.testing.assert_allclose(out, u.T * w.T, **TOL)
    with pytest.raises(DomainError, match="square"):
        apply_call("trace", False, [RNG.standard_normal((2, 3))])
    with pytest.raises(DomainError, match="vector or a square"):
        apply_call("diag", False, [RNG.standard_normal((2, 3))])


def test_size_functions_take_sizes():
    assert np.array_equal(apply_call("eye", False, [np.asarray(3.0)]), np.eye(3))
    assert np.array_equal(apply_call("ones", False, [np.asarray(2.0), np.asarray(3.0)]), np.ones((2, 3)))
    assert np.array_equal(apply_call("zeros", False, [np.asarray(4.0), np.asarray(1.0)]), np.zeros((4, 1)))
    with pytest.raises(DomainError, match="positive integers"):
        apply_call("eye", False, [np.asarray(2.5)])


def test_singular_inverse_is_a_located_diagnostic():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(DomainError, match="singular"):
        apply_call("inv", False, [A])
    span = Span("t.deriv", 7, 3, 7, 9)
    node = Call("inv", (N("A"),), (), False, span, span)
    with pytest.raises(EvalError) as info:
        eval_expr(node, {"A": A})
    assert info.value.diagnostic.code == "E603"
    assert info.value.diagnostic.span.line == 7
    assert "singular" in info.value.diagnostic.message


# ------------------------------------------------------------ stability

def test_numerically_stable_functions():
    with np.errstate(all="raise"):  # any overflow or invalid operation would raise here
        np.testing.assert_allclose(apply_call("softmax", False, [np.array([[1000.0, 0.0]])]), [[1.0, 0.0]], **TOL)
        np.testing.assert_allclose(apply_call("logsumexp", False, [np.array([[-1000.0, 1000.0]])]), 1000.0, **TOL)
        np.testing.assert_allclose(apply_call("logsumexp", False, [np.array([[1000.0, 1000.0]])]),
                                   1000.0 + np.log(2), **TOL)
        assert apply_call("sigma", False, [np.asarray(-800.0)]) == 0.0
        assert apply_call("sigma", False, [np.asarray(800.0)]) == 1.0
        np.testing.assert_allclose(apply_call("softplus", False, [np.asarray(800.0)]), 800.0, **TOL)
    y = np.array([[0.0, 1.0, 0.0]])
    p = apply_call("softmax", False, [np.array([[-1000.0, 0.0, 0.0]])])
    assert p[0, 0] == 0.0  # underflowed where y is 0
    got = apply_call("xent", False, [y, p])
    assert np.isfinite(got) and abs(got - np.log(2)) < 1e-12


def test_softmax_rows_of_a_matrix_are_shifted_separately():
    X = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    expected = _softmax_rows(X - X.max(axis=1, keepdims=True))
    np.testing.assert_allclose(apply_call("softmax", False, [X]), expected, **TOL)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=6), st.floats(-600, 600))
def test_softmax_and_logsumexp_shift_invariance(xs, shift):
    x = np.array([xs])
    p = apply_call("softmax", False, [x])
    assert abs(p.sum() - 1) < 1e-12
    np.testing.assert_allclose(apply_call("softmax", False, [x + shift]), p, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(apply_call("logsumexp", False, [x + shift]),
                               apply_call("logsumexp", False, [x]) + shift, rtol=1e-12, atol=1e-9)


# ------------------------------------------------------------ operators

KINDS = {"scalar": (), "row": (1, 3), "col": (4, 1), "matrix": (4, 3), "one": (1, 1)}


@pytest.mark.parametrize("op", [Op.ADD, Op.SUB, Op.MUL, Op.DIV])
@pytest.mark.parametrize("left,right", [("matrix", "matrix"), ("matrix", "row"), ("scalar", "matrix"),
                                        ("col", "scalar"), ("one", "matrix"), ("col", "col")])
def test_elementwise_operators_are_numpy(op, left, right):
    a, b = RNG.standard_normal(KINDS[left]), RNG.uniform(0.5, 2, KINDS[right])
    expected = {Op.ADD: a + b, Op.SUB: a - b, Op.MUL: a * b, Op.DIV: a / b}[op]
    np.testing.assert_allclose(apply_binop(op, a, b), expected, **TOL)


def test_matmul_power_and_scalar_products():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    np.testing.assert_allclose(apply_binop(Op.MATMUL, a, b), a @ b, **TOL)
    np.testing.assert_allclose(apply_binop(Op.MATMUL, np.asarray(2.0), b), 2 * b, **TOL)
    np.testing.assert_allclose(apply_binop(Op.POW, a, np.asarray(2.0)), a * a, **TOL)
    with pytest.raises(DomainError, match="cannot combine 2 x 3 and 2 x 3"):
        apply_binop(Op.MATMUL, a, a)


def test_precedence_tree_matches_python():
    # p @ q * r @ s is ((p @ q) * r) @ s
    p, q, r, s = (RNG.standard_normal(sh) for sh in [(2, 3), (3, 4), (2, 4), (4, 2)])
    tree = B(Op.MATMUL, B(Op.MUL, B(Op.MATMUL, N("p"), N("q")), N("r")), N("s"))
    np.testing.assert_allclose(eval_expr(tree, {"p": p, "q": q, "r": r, "s": s}), p @ q * r @ s, **TOL)


def test_size_symbols_are_scalars_and_transpose_and_negation():
    Y, P = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.4, 0.6], [0.7, 0.3]])
    expr = B(Op.DIV, C("xent", N("Y"), N("P")), N("m"))
    got = eval_expr(expr, {"Y": Y, "P": P}, {"m": 2})
    np.testing.assert_allclose(got, -(np.log(0.6) + np.log(0.7)) / 2, **TOL)
    X = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(eval_expr(Neg(Transpose(N("X"), S), S), {"X": X}), -X.T, **TOL)
    np.testing.assert_allclose(eval_expr(C("sum", N("X"), axis=0), {"X": X}), X.sum(axis=0, keepdims=True), **TOL)


def test_undefined_name_is_an_error_with_a_location():
    with pytest.raises(EvalError) as info:
        eval_expr(B(Op.ADD, N("x"), N("nope")), {"x": np.ones((1, 2))})
    assert info.value.diagnostic.code == "E200" and "nope" in info.value.diagnostic.message


def test_derivative_terms_need_a_source_of_true_derivatives():
    expr = B(Op.MATMUL, Deriv(N("L"), N("theta"), S), Transpose(N("W"), S))
    W = RNG.standard_normal((3, 5))
    with pytest.raises(EvalError) as info:
        eval_expr(expr, {"W": W})
    assert info.value.diagnostic.code == "W604" and "dL/dtheta" in info.value.diagnostic.message
    g = RNG.standard_normal((1, 5))
    seen = []
    got = eval_expr(expr, {"W": W}, deriv=lambda node: seen.append((node.num.id, node.den.id)) or g)
    np.testing.assert_allclose(got, g @ W.T, **TOL)
    assert seen == [("L", "theta")]


def test_memory_guard_refuses_huge_size_functions_before_allocating():
    with pytest.raises(EvalError) as info:
        eval_expr(C("eye", N("n")), {}, {"n": 10**20})
    d = info.value.diagnostic
    assert d.code == "E600" and "eye(n)" in d.message


def test_on_value_sees_every_node_after_its_operands():
    seen = []
    expr = B(Op.ADD, C("exp", N("x")), num(1))
    eval_expr(expr, {"x": np.zeros((1, 2))}, on_value=lambda node, value, ops: seen.append((expr_text(node), len(ops))))
    assert seen == [("x", 0), ("exp(x)", 1), ("1", 0), ("exp(x) + 1", 2)]


def test_expr_text_parenthesises_like_python():
    e = B(Op.MUL, B(Op.ADD, N("a"), N("b")), Transpose(B(Op.SUB, N("c"), N("d")), S))
    assert expr_text(e) == "(a + b) * (c - d).T"
    assert expr_text(B(Op.SUB, N("a"), B(Op.SUB, N("b"), N("c")))) == "a - (b - c)"
    assert expr_text(B(Op.POW, Neg(N("a"), S), num(2))) == "(-a) ** 2"
    assert expr_text(C("sigma", N("a"), prime=True)) == "sigma'(a)"


# ------------------------------------------------------------ deep input

def _deep_chain(depth):
    expr = N("x")
    for i in range(depth):
        expr = B(Op.ADD, expr, num(1)) if i % 2 else Neg(expr, S)
    return expr


def test_deep_expressions_do_not_hit_the_recursion_limit():
    depth = 60_000
    expr = _deep_chain(depth)
    x = np.array([[1.0, 2.0]])
    got = eval_expr(expr, {"x": x})
    expected = x.copy()
    for i in range(depth):
        expected = expected + 1 if i % 2 else -expected
    np.testing.assert_allclose(got, expected, **TOL)
    assert names_used(expr) == {"x"}
    env = env_of({"x": M(1, Sym("n"))}, {"y": M(1, Sym("n"))}, {"n": 2})
    values, diags = evaluate_program(Program((D("y", expr),), "t"), env, {"x": x}, {"n": 2})
    assert diags == [] and np.allclose(values["y"], expected)


def test_deep_expression_producing_nan_reports_without_recursion():
    expr = C("log", _deep_chain(20_001))   # an odd number of negations: log of negative values
    env = env_of({"x": M(1, 2)}, {"y": M(1, 2)})
    _values, diags = evaluate_program(Program((D("y", expr),), "t"), env, {"x": np.array([[1.0, 2.0]])}, {})
    assert [d.code for d in diags] == ["W601"]
    assert diags[0].message.startswith("log(") and "log of negative values" in diags[0].message


# ------------------------------------------------------------ programs

def _mlp():
    n, k = Sym("n"), Sym("k")
    env = env_of({"x": M(1, n), "W1": M(n, k), "b1": M(1, k), "W2": M(k, n), "b2": M(1, n), "y": M(1, n)},
                 {"a": M(1, k), "h": M(1, k), "theta": M(1, n), "yhat": M(1, n), "L": SCALAR},
                 {"n": 5, "k": 3})
    env.names["y"].attrs = ("onehot",)
    program = Program((
        D("a", B(Op.ADD, B(Op.MATMUL, N("x"), N("W1")), N("b1"))),
        D("h", C("sigma", N("a"))),
        D("theta", B(Op.ADD, B(Op.MATMUL, N("h"), N("W2")), N("b2"))),
        D("yhat", C("softmax", N("theta"))),
        D("L", C("xent", N("y"), N("yhat"))),
    ), "mlp.deriv")
    return program, env


def test_seed_002_mlp_against_handwritten_numpy():
    program, env = _mlp()
    rng = np.random.default_rng(2)
    inputs = {"x": rng.standard_normal((1, 5)), "W1": rng.standard_normal((5, 3)), "b1": rng.standard_normal((1, 3)),
              "W2": rng.standard_normal((3, 5)), "b2": rng.standard_normal((1, 5)),
              "y": np.eye(5)[[2]]}
    values, diags = evaluate_program(program, env, inputs, {"n": 5, "k": 3})
    assert diags == []
    x, W1, b1, W2, b2, y = (inputs[k] for k in ["x", "W1", "b1", "W2", "b2", "y"])
    a = x @ W1 + b1
    h = 1 / (1 + np.exp(-a))
    theta = h @ W2 + b2
    yhat = np.exp(theta) / np.exp(theta).sum()
    L = -np.sum(y * np.log(yhat))
    for name, expected in {"a": a, "h": h, "theta": theta, "yhat": yhat, "L": L}.items():
        assert values[name].shape == np.shape(expected), name
        np.testing.assert_allclose(values[name], expected, **TOL)
    assert values["L"].shape == ()


def test_skips_definitions_marked_not_ok_and_what_reads_them():
    env = env_of({"x": M(1, 3)}, {"a": M(1, 3), "b": M(1, 3), "c": M(1, 3)}, bad=("a",))
    program = Program((D("a", B(Op.MATMUL, N("x"), N("x"))), D("b", B(Op.ADD, N("a"), num(1))),
                       D("c", B(Op.MUL, N("x"), num(2)))), "t")
    values, diags = evaluate_program(program, env, {"x": np.ones((1, 3))}, {})
    assert diags == []
    assert "a" not in values and "b" not in values
    np.testing.assert_allclose(values["c"], 2 * np.ones((1, 3)), **TOL)


def test_nan_warning_names_the_definition_and_the_subexpression_once():
    env = env_of({"x": M(1, 3)}, {"l": M(1, 3), "s": SCALAR, "t": SCALAR})
    program = Program((D("l", C("log", N("x"))),
                       D("s", C("sum", B(Op.MUL, C("sqrt", N("x")), num(2)))),
                       D("t", B(Op.ADD, N("s"), num(1)))), "t")
    values, diags = evaluate_program(program, env, {"x": np.array([[1.0, -2.0, 3.0]])}, {})
    assert [d.code for d in diags] == ["W601", "W601"]
    assert diags[0].message == "log(x) has NaN entries (defining l): log of negative values"
    assert diags[1].message == "sqrt(x) has NaN entries in the definition of s: sqrt of negative values"
    assert diags[0].hint and "positive" in diags[0].hint
    assert np.isnan(values["t"])  # evaluated, but not reported again: no cascade


@pytest.mark.parametrize("expr,reason", [
    (B(Op.DIV, num(1), N("z")), "division by zero"),
    (C("exp", B(Op.MUL, N("x"), num(1000))), "exp overflowed"),
    (C("log", N("z")), "log of zero"),
    (B(Op.POW, B(Op.SUB, N("z"), N("x")), num(0.5)), "negative base"),
])
def test_nan_and_overflow_reasons(expr, reason):
    env = env_of({"x": M(1, 2), "z": M(1, 2)}, {"v": M(1, 2)})
    _, diags = evaluate_program(Program((D("v", expr),), "t"), env,
                                {"x": np.array([[1.0, 2.0]]), "z": np.array([[0.0, 1.0]])}, {})
    assert len(diags) == 1 and diags[0].code == "W601" and reason in diags[0].message


def test_missing_and_misshapen_inputs_are_data_errors():
    env = env_of({"x": M(1, Sym("n")), "w": M(Sym("n"), 1)}, {"a": SCALAR, "b": SCALAR}, {"n": None})
    program = Program((D("a", C("sum", N("x"))), D("b", C("sum", N("w")))), "t")
    values, diags = evaluate_program(program, env, {"x": np.ones((1, 4))}, {"n": 3})
    assert [d.code for d in diags] == ["E602", "E602"]
    assert "x is 1 x 4, declared 1 x n" in diags[0].message
    assert "no value was given for the input w" in diags[1].message
    assert values == {}


def test_derivative_terms_in_a_definition_are_skipped_with_a_warning():
    env = env_of({"W": M(3, 2)}, {"g": M(1, 3), "u": M(1, 3)})
    program = Program((D("g", B(Op.MATMUL, Deriv(N("L"), N("h"), S), Transpose(N("W"), S))),
                       D("u", B(Op.MUL, N("g"), num(2)))), "t")
    values, diags = evaluate_program(program, env, {"W": np.ones((3, 2))}, {})
    assert [d.code for d in diags] == ["W604"] and "g" not in values and "u" not in values


# ------------------------------------------------------------ through the parser and checker

MLP_TEXT = "dims n = 5, k = 3\n" + MLP_BODY


def _parsed(text):
    from dsl.core.span import Source
    from dsl.language import syntax
    from dsl.shapes import checker as shapes
    program, diags = syntax.parse(Source("t.deriv", text))
    env, more = shapes.check_program(program)
    assert list(diags) + list(more) == []
    return program, env


def test_parsed_mlp_on_drawn_inputs_matches_numpy():
    from dsl.compute import inputs as data
    program, env = _parsed(MLP_TEXT)
    rng = np.random.default_rng(5)
    sizes = data.concrete_sizes(env.dims, rng)
    assert sizes == {"n": 5, "k": 3}
    inputs = data.draw_inputs(env, sizes, rng)
    values, diags = evaluate_program(program, env, inputs, sizes)
    assert diags == []
    x, W1, b1, W2, b2, y = (inputs[k] for k in ["x", "W1", "b1", "W2", "b2", "y"])
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    theta = h @ W2 + b2
    yhat = np.exp(theta) / np.exp(theta).sum()
    np.testing.assert_allclose(values["L"], -np.sum(y * np.log(yhat)), **TOL)


def test_parsed_log_of_negative_input_warns_at_the_call():
    program, env = _parsed("x : 1 x 3\nl = 2 * log(x)\n")
    _, diags = evaluate_program(program, env, {"x": np.array([[1.0, -1.0, 2.0]])}, {})
    assert [d.code for d in diags] == ["W601"]
    d = diags[0]
    assert d.message == "log(x) has NaN entries in the definition of l: log of negative values"
    assert (d.span.line, d.span.column, d.span.end_column) == (2, 9, 15)


# ------------------------------------------------ temporaries written in place

@pytest.mark.parametrize("text, reused", [
    ("(x * 2 + b) * 3 - x", True), ("-(x * 2) + -x", True), ("x.T.T + 1 - b", True),
    ("sigma(x) * (1 - sigma(x)) + x", True), ("(x @ x.T) * 2 - 1 / (1 + x @ x.T)", True),
    ("x + b", False), ("x.T.T * b", False), ("-x", False),   # names and views of names: never written
])
def test_temporaries_take_results_but_inputs_and_taped_operands_stay_intact(text, reused):
    from dsl.compute import evaluate
    from dsl.language.syntax import parse_expr

    rng = np.random.default_rng(0)
    x, b = rng.normal(size=(3, 3)), rng.normal(size=(1, 3))
    kept = {"x": x.copy(), "b": b.copy()}
    expr, _ = parse_expr(text)
    written = []
    real = evaluate._spare
    spare = lambda operands: (lambda o: written.append(o is not None) or o)(real(operands))  # noqa: E731
    taped: list = []
    try:
        evaluate._spare = spare
        value = eval_expr(expr, {"x": x, "b": b})
        assert any(written) is reused
        written.clear()
        on_tape = eval_expr(expr, {"x": x, "b": b},
                            on_value=lambda n, v, ops: taped.append((v, [o.copy() for o in ops], ops)))
        assert not any(written)                     # a tape keeps every operand
    finally:
        evaluate._spare = real
    assert np.array_equal(x, kept["x"]) and np.array_equal(b, kept["b"])     # names are never written
    assert np.allclose(value, on_tape)
    # with a tape every operand the tape saw still holds what it held then
    assert all(np.array_equal(c, o) for _, copies, ops in taped for c, o in zip(copies, ops, strict=True))
