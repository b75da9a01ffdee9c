"""Reverse mode against an independent oracle: central differences of the
evaluator (``evaluate.evaluate_program``), entry by entry, in float64.

Unit tests for the table, ``unbroadcast`` and the layouts; hypothesis
properties for every vector-Jacobian rule on random shapes (broadcasting
included) and for random well-typed programs.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dsl.builtins import FUNCTIONS
from dsl.compute import autodiff, evaluate
from dsl.language import syntax
from dsl.shapes import checker as shapes

PROPERTY = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def compile_program(text: str):
    program, diags = syntax.parse_text(text, "t.deriv")
    assert not [d for d in diags if d.is_error], [d.message for d in diags]
    env, checked = shapes.check_program(program)
    assert not [d for d in checked if d.is_error], [d.message for d in checked]
    return program, env


def value_of(program, env, inputs, sizes, name):
    values, diags = evaluate.evaluate_program(program, env, inputs, sizes)
    assert not [d for d in diags if d.is_error], [d.message for d in diags]
    return values[name]


def numeric_gradient(program, env, inputs, sizes, y, x, eps=1e-6):
    """d(sum of y)/dx entry by entry, by central differences of the evaluator."""
    base = np.asarray(inputs[x], dtype=float)
    out = np.zeros(base.shape)
    for i in np.ndindex(*base.shape):
        step = np.zeros(base.shape)
        step[i] = eps
        hi = value_of(program, env, {**inputs, x: base + step}, sizes, y)
        lo = value_of(program, env, {**inputs, x: base - step}, sizes, y)
        out[i] = (np.sum(hi) - np.sum(lo)) / (2 * eps)
    return out


def assert_gradients_match(text, inputs, sizes, y="L"):
    program, env = compile_program(text)
    for x in inputs:
        got = autodiff.grad(program, env, inputs, sizes, y, x)
        want = numeric_gradient(program, env, inputs, sizes, y, x)
        assert got.shape == np.shape(inputs[x]), (x, got.shape)
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.max(np.abs(got - want)) <= 1e-5 * scale, (text, x, got, want)


# ------------------------------------------------------------------- table

def test_every_function_has_a_rule_and_every_prime_a_second_derivative():
    for name, sig in FUNCTIONS.items():
        assert name in autodiff.VJPS, name
        assert len(autodiff.VJPS[name]) == sig.arity[1], name
        if sig.has_prime:
            assert name + "'" in autodiff.VJPS and name in autodiff.SECOND, name
    for op in ("+", "-", "*", "/", "@", "**", "neg", "T", "use"):
        assert op in autodiff.VJPS


@pytest.mark.parametrize("grad, shape, expected", [
    (np.ones((4, 3)), (1, 3), np.full((1, 3), 4.0)),
    (np.ones((4, 3)), (4, 1), np.full((4, 1), 3.0)),
    (np.ones((4, 3)), (), np.asarray(12.0)),
    (np.ones((4, 3)), (1, 1), np.full((1, 1), 12.0)),
    (np.arange(6.0).reshape(2, 3), (2, 3), np.arange(6.0).reshape(2, 3)),
    (np.asarray(2.0), (2, 2), np.full((2, 2), 2.0)),
])
def test_unbroadcast_sums_over_the_broadcast_axes(grad, shape, expected):
    got = autodiff.unbroadcast(grad, shape)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("f", sorted(autodiff.SECOND))
def test_second_derivatives_match_differences_of_the_prime(f):
    x = np.array([[0.3, 0.7, 1.9, 2.5]])
    eps = 1e-6
    want = (evaluate.apply_call(f, True, [x + eps]) - evaluate.apply_call(f, True, [x - eps])) / (2 * eps)
    np.testing.assert_allclose(autodiff.SECOND[f](x), want, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------- derivative shapes

MLP = """dims n, k
x : 1 x n
W : n x k
h = tanh(x @ W)
s = sum(h)
"""


def mlp_inputs(seed=0, n=3, k=4):
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((1, n)), "W": rng.standard_normal((n, k))}, {"n": n, "k": k}


def test_jacobian_of_vectors_is_m_by_n_in_numerator_layout():
    program, env = compile_program(MLP)
    inputs, sizes = mlp_inputs()
    jac = autodiff.derivative(program, env, inputs, sizes, "h", "x")
    h = np.tanh(inputs["x"] @ inputs["W"])
    np.testing.assert_allclose(jac, (inputs["W"] * (1 - h ** 2)).T)   # k x n
    assert jac.shape == (4, 3)


def test_denominator_layout_transposes_the_jacobian():
    program, env = compile_program("layout denominator\n" + MLP)
    inputs, sizes = mlp_inputs()
    jac = autodiff.derivative(program, env, inputs, sizes, "h", "x")
    h = np.tanh(inputs["x"] @ inputs["W"])
    np.testing.assert_allclose(jac, inputs["W"] * (1 - h ** 2))       # n x k


def test_gradient_of_a_scalar_has_the_shape_of_the_variable_in_both_layouts():
    for prefix in ("", "layout denominator\n"):
        program, env = compile_program(prefix + MLP)
        inputs, sizes = mlp_inputs()
        g = autodiff.derivative(program, env, inputs, sizes, "s", "W")
        h = np.tanh(inputs["x"] @ inputs["W"])
        np.testing.assert_allclose(g, inputs["x"].T @ (1 - h ** 2))


def test_derivative_by_a_scalar_has_the_shape_of_the_result():
    program, env = compile_program("dims n\nx : 1 x n\nc : scalar\ny = c * x + c ** 2")
    x = np.array([[1.0, 2.0, 3.0]])
    d = autodiff.derivative(program, env, {"x": x, "c": 0.5}, {"n": 3}, "y", "c")
    np.testing.assert_allclose(d, x + 1.0)


def test_matrix_by_matrix_is_refused_as_higher_order():
    program, env = compile_program(MLP)
    inputs, sizes = mlp_inputs()
    with pytest.raises(autodiff.DerivativeError, match="higher-order"):
        autodiff.derivative(program, env, inputs, sizes, "h", "W")


def test_identity_and_independence():
    program, env = compile_program(MLP + "c : scalar\nz = c * 2\n")
    inputs, sizes = mlp_inputs()
    inputs["c"] = np.asarray(1.5)
    np.testing.assert_array_equal(autodiff.derivative(program, env, inputs, sizes, "x", "x"), np.eye(3))
    np.testing.assert_array_equal(autodiff.derivative(program, env, inputs, sizes, "s", "c"), 0.0)
    np.testing.assert_array_equal(autodiff.derivative(program, env, inputs, sizes, "z", "W"), np.zeros((3, 4)))


def test_a_defined_variable_cuts_the_graph():
    # dL/dh holds everything else fixed, including a = x @ W that h comes from
    program, env = compile_program("dims n, k\nx : 1 x n\nW : n x k\na = x @ W\nh = sigma(a)\n"
                                   "L = sum(h * h) + sum(a)")
    inputs, sizes = mlp_inputs(1)
    h = 1 / (1 + np.exp(-(inputs["x"] @ inputs["W"])))
    np.testing.assert_allclose(autodiff.grad(program, env, inputs, sizes, "L", "h"), 2 * h)
    np.testing.assert_allclose(autodiff.grad(program, env, inputs, sizes, "L", "a"),
                               2 * h * h * (1 - h) + 1)


def test_grad_refuses_a_vector_output():
    program, env = compile_program(MLP)
    inputs, sizes = mlp_inputs()
    with pytest.raises(autodiff.DerivativeError, match="not a scalar"):
        autodiff.grad(program, env, inputs, sizes, "h", "x")


def test_grad_accepts_values_as_well_as_inputs():
    program, env = compile_program(MLP)
    inputs, sizes = mlp_inputs()
    values, _ = evaluate.evaluate_program(program, env, inputs, sizes)
    np.testing.assert_allclose(autodiff.grad(program, env, values, sizes, "s", "W"),
                               autodiff.grad(program, env, inputs, sizes, "s", "W"))


def test_derivative_terms_in_definitions_are_constants_but_not_differentiated_through():
    text = "dims n\nx : 1 x n\nL = sum(x * x)\ng = dL/dx\nM = sum(g * x)"
    program, env = compile_program(text)
    x = np.array([[1.0, -2.0, 0.5]])
    # d(sum(g * x))/dx where g = 2x would be 4x; refusing is the honest answer
    with pytest.raises(autodiff.DerivativeError, match="derivatives of derivatives"):
        autodiff.grad(program, env, {"x": x}, {"n": 3}, "M", "x")
    point = autodiff.Point(program, env, {"x": x}, {"n": 3})
    np.testing.assert_allclose(point.value("g"), 2 * x)


def test_every_use_of_the_variable_is_a_separate_part():
    program, env = compile_program("dims n\nx : n x 1\nA : n x n\ns = x.T @ A @ x")
    rng = np.random.default_rng(3)
    x, A = rng.standard_normal((4, 1)), rng.standard_normal((4, 4))
    jac = autodiff.Point(program, env, {"x": x, "A": A}, {"n": 4}).jacobian("s", "x")
    assert len(jac.parts) == 2
    np.testing.assert_allclose(sum(p for _, p in jac.parts), jac.full)
    first, second = (p.reshape(4, 1) for _, p in jac.parts)
    np.testing.assert_allclose(first, A @ x)       # through x.T
    np.testing.assert_allclose(second, A.T @ x)    # through the last x
    assert [span.column for span, _ in jac.parts] == [5, 15]


def test_replay_recomputes_with_a_new_variable_value():
    program, env = compile_program(MLP)
    inputs, sizes = mlp_inputs()
    tape = autodiff.Point(program, env, inputs, sizes).tape("W")
    W2 = inputs["W"] + 0.1
    value, kinks = tape.replay("s", W2)
    np.testing.assert_allclose(value, np.sum(np.tanh(inputs["x"] @ W2)))
    assert kinks == []


def test_kink_arguments_are_reported():
    program, env = compile_program("dims n\nx : 1 x n\nL = sum(relu(x) + abs(x))")
    tape = autodiff.Point(program, env, {"x": np.array([[0.0, 1.0]])}, {"n": 2}).tape("x")
    args = tape.kink_arguments("L")
    assert len(args) == 2 and all(np.min(np.abs(a)) == 0.0 for a in args)


def test_relu_and_abs_take_the_subgradient_zero_at_zero():
    program, env = compile_program("dims n\nx : 1 x n\nL = sum(relu(x) + abs(x))")
    g = autodiff.grad(program, env, {"x": np.array([[0.0, 2.0, -1.0]])}, {"n": 3}, "L", "x")
    np.testing.assert_array_equal(g, [[0.0, 2.0, -1.0]])


def test_long_chains_do_not_meet_the_recursion_limit():
    lines = ["dims n", "x : 1 x n", "a0 = x"] + [f"a{i} = tanh(a{i - 1}) + 0.5 * a{i - 1}" for i in range(1, 1500)]
    lines.append("L = sum(a1499)")
    program, env = compile_program("\n".join(lines))
    x = np.array([[0.1, -0.2]])
    g = autodiff.grad(program, env, {"x": x}, {"n": 2}, "L", "x")
    assert g.shape == (1, 2) and np.all(np.isfinite(g))


# ------------------------------------------------- every rule vs differences

KINDS = {"scalar": "scalar", "one": "1 x 1", "row": "1 x c", "col": "r x 1", "mat": "r x c"}
BROADCASTING = [("mat", "mat"), ("mat", "row"), ("row", "mat"), ("mat", "col"), ("col", "mat"),
                ("mat", "scalar"), ("scalar", "mat"), ("mat", "one"), ("one", "mat"), ("col", "row"),
                ("row", "row"), ("scalar", "scalar"), ("one", "col")]


def draw(shape_text: str, sizes, rng, positive=False, square_boost=False):
    shape = () if shape_text == "scalar" else tuple(
        int(s) if s.isdigit() else sizes[s] for s in shape_text.split(" x "))
    v = rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)
    if square_boost:
        v = v + shape[0] * np.eye(shape[0])
    return np.asarray(v, dtype=float)


sizes_st = st.fixed_dictionaries({"r": st.integers(2, 4), "c": st.integers(2, 4), "k": st.integers(2, 4)})


@PROPERTY
@given(op=st.sampled_from(["+", "-", "*", "/"]), kinds=st.sampled_from(BROADCASTING),
       sizes=sizes_st, seed=st.integers(0, 2**16))
def test_elementwise_operator_rules_with_broadcasting(op, kinds, sizes, seed):
    rng = np.random.default_rng(seed)
    text = (f"dims r, c\na : {KINDS[kinds[0]]}\nb : {KINDS[kinds[1]]}\n"
            f"y = a {op} b\nL = sum(y * y)")
    inputs = {"a": draw(KINDS[kinds[0]], sizes, rng),
              "b": draw(KINDS[kinds[1]], sizes, rng, positive=op == "/")}
    assert_gradients_match(text, inputs, sizes)


@PROPERTY
@given(sizes=sizes_st, seed=st.integers(0, 2**16), left_t=st.booleans(), right_t=st.booleans())
def test_matmul_and_transpose_rules(sizes, seed, left_t, right_t):
    rng = np.random.default_rng(seed)
    a_shape, b_shape = ("k x r" if left_t else "r x k"), ("c x k" if right_t else "k x c")
    text = (f"dims r, c, k\na : {a_shape}\nb : {b_shape}\n"
            f"y = a{'.T' * left_t} @ b{'.T' * right_t}\nL = sum(y * y)")
    assert_gradients_match(text, {"a": draw(a_shape, sizes, rng), "b": draw(b_shape, sizes, rng)}, sizes)


@PROPERTY
@given(kind=st.sampled_from(["mat", "row", "scalar", "one"]), power=st.sampled_from(["2", "3", "0.5", "-1", "p"]),
       sizes=sizes_st, seed=st.integers(0, 2**16))
def test_power_rule_for_base_and_exponent(kind, power, sizes, seed):
    rng = np.random.default_rng(seed)
    text = f"dims r, c\na : {KINDS[kind]}\np : scalar\ny = a ** {power}\nL = sum(y)"
    inputs = {"a": draw(KINDS[kind], sizes, rng, positive=True), "p": np.asarray(rng.uniform(0.5, 2.0))}
    assert_gradients_match(text, inputs, sizes)


ELEMENTWISE = sorted(f for f, sig in FUNCTIONS.items() if sig.elementwise)


@PROPERTY
@given(f=st.sampled_from(ELEMENTWISE), prime=st.booleans(), kind=st.sampled_from(list(KINDS)),
       sizes=sizes_st, seed=st.integers(0, 2**16))
def test_elementwise_function_and_prime_rules(f, prime, kind, sizes, seed):
    rng = np.random.default_rng(seed)
    positive = f in ("log", "sqrt")
    text = f"dims r, c\na : {KINDS[kind]}\ny = {f}{chr(39) * prime}(a)\nL = sum(y * y)"
    a = draw(KINDS[kind], sizes, rng, positive=positive)
    if f in ("relu", "abs"):
        a = np.where(np.abs(a) < 0.1, a + 0.3, a)      # away from the kink at 0
    assert_gradients_match(text, {"a": a}, sizes)


FUNCTION_CASES = [
    ("softmax over a row", "a : 1 x c", "y = softmax(a)\nL = sum(y * w)", "w : 1 x c"),
    ("softmax over a column", "a : r x 1", "y = softmax(a)\nL = sum(y * w)", "w : r x 1"),
    ("softmax by rows", "a : r x c", "y = softmax(a)\nL = sum(y * w)", "w : r x c"),
    ("logsumexp of a vector", "a : 1 x c", "L = logsumexp(a) * 2", ""),
    ("logsumexp by rows", "a : r x c", "y = logsumexp(a)\nL = sum(y * w)", "w : r x 1"),
    ("sum", "a : r x c", "L = sum(a * a)", ""),
    ("sum axis 0", "a : r x c", "y = sum(a, axis=0)\nL = sum(y * w)", "w : 1 x c"),
    ("sum axis 1", "a : r x c", "y = sum(a, axis=1)\nL = sum(y * w)", "w : r x 1"),
    ("mean", "a : r x c", "L = mean(a * a)", ""),
    ("mean axis 0", "a : r x c", "y = mean(a, axis=0)\nL = sum(y * w)", "w : 1 x c"),
    ("mean axis 1", "a : r x c", "y = mean(a, axis=1)\nL = sum(y * w)", "w : r x 1"),
    ("xent", "a : r x c\nw : r x c positive", "L = xent(a, w)", ""),
    ("mse", "a : r x c\nw : r x c", "L = mse(a, w)", ""),
    ("diag of a row", "a : 1 x c", "y = diag(a)\nL = sum(y * w)", "w : c x c"),
    ("diag of a column", "a : r x 1", "y = diag(a)\nL = sum(y * w)", "w : r x r"),
    ("diag of a square", "a : r x r", "y = diag(a)\nL = sum(y * w)", "w : r x 1"),
    ("trace", "a : r x r", "L = trace(a @ a)", ""),
    ("inv", "a : r x r", "y = inv(a)\nL = sum(y * w)", "w : r x r"),
    ("det", "a : r x r", "L = det(a)", ""),
    ("outer row-col", "a : 1 x c\nv : r x 1", "y = outer(a, v)\nL = sum(y * w)", "w : c x r"),
    ("outer col-row", "a : r x 1\nv : 1 x c", "y = outer(a, v)\nL = sum(y * w)", "w : r x c"),
    ("eye, ones and zeros are constants", "a : r x r", "L = sum((a + eye(r) + ones(r, r) + zeros(r, r)) ** 2)", ""),
]


@PROPERTY
@given(case=st.sampled_from(FUNCTION_CASES), sizes=sizes_st, seed=st.integers(0, 2**16))
def test_function_rules(case, sizes, seed):
    name, decls, body, weight = case
    rng = np.random.default_rng(seed)
    text = "dims r, c\n" + decls + ("\n" + weight if weight else "") + "\n" + body
    inputs = {}
    for line in (decls + ("\n" + weight if weight else "")).splitlines():
        var, shape = (s.strip() for s in line.split(":"))
        shape, _, _attr = shape.partition(" positive")
        inputs[var] = draw(shape.strip(), sizes, rng, positive=" positive" in line,
                           square_boost=var == "a" and name in ("inv", "det"))
    assert_gradients_match(text, inputs, sizes)


# ----------------------------------------------------- random programs

SHAPES = [("r", "c"), ("c", "r"), ("r", "r"), ("1", "c"), ("r", "1")]


def expressions(shape, depth):
    """Random well-typed expressions of ``shape`` over inputs named by shape."""
    leaf = st.just(f"X_{shape[0]}_{shape[1]}")
    if depth == 0:
        return leaf
    sub = expressions(shape, depth - 1)
    options = [
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["sigma", "tanh", "softplus"]), sub).map(lambda t: f"{t[0]}({t[1]})"),
        sub.map(lambda e: f"(0.5 * {e})"),
        expressions((shape[1], shape[0]), depth - 1).map(lambda e: f"({e}).T"),
        st.tuples(expressions((shape[0], "k"), depth - 1), expressions(("k", shape[1]), depth - 1))
          .map(lambda t: f"({t[0]} @ {t[1]})"),
    ]
    if shape[0] != "1":
        options.append(st.tuples(sub, expressions(("1", shape[1]), depth - 1))
                       .map(lambda t: f"({t[0]} + sum({t[1]}, axis=0) / 3)"))
    return st.one_of(*options)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions(("r", "c"), 3), sizes=sizes_st, seed=st.integers(0, 2**16))
def test_random_programs_gradient_agrees_with_differences(expr, sizes, seed):
    names = sorted({tok for tok in expr.replace("(", " ").replace(")", " ").replace(",", " ").split()
                       if tok.startswith("X_")})
    decls = "\n".join(f"{n} : {n.split('_')[1]} x {n.split('_')[2]}" for n in names)
    text = f"dims r, c, k\n{decls}\ny = {expr}\nL = sum(y * y) / 2"
    rng = np.random.default_rng(seed)
    inputs = {n: draw(f"{n.split('_')[1]} x {n.split('_')[2]}", sizes, rng) for n in names}
    assert_gradients_match(text, inputs, sizes)


def test_a_jacobian_holds_only_the_uses_its_output_is_computed_from():
    # A tape is shared by every claim about W; each Jacobian has one part per
    # use of W on the path to its output, not one per use in the whole file
    # (which made verifying a file of many claims quadratic in its length).
    blocks = "\n".join(f"a{i} = x @ W\nL{i} = sum(tanh(a{i}) * (x @ W))" for i in range(6))
    program, env = compile_program(f"dims n, k\nx : 1 x n\nW : n x k\n{blocks}")
    rng = np.random.default_rng(0)
    tape = autodiff.Point(program, env, {"x": rng.normal(size=(1, 3)), "W": rng.normal(size=(3, 2))},
                          {"n": 3, "k": 2}).tape("W")
    for i in range(6):
        jac = tape.jacobian(f"L{i}")
        assert len(jac.parts) == 2, i
        np.testing.assert_allclose(sum(p for _, p in jac.parts), jac.full)
        assert {span.line for span, _ in jac.parts} == {4 + 2 * i, 5 + 2 * i}
    assert len(tape.uses) == 12


def test_changes_with_answers_as_the_full_dependents_walk_does():
    # The tape asks only about the names its outputs need; the answers must be
    # those of walking every reader, on every program of the golden corpus
    # (redefinitions, names declared before they are defined, errors included).
    from pathlib import Path

    from dsl.compute.plan import Plan
    texts = [p.read_text() for p in sorted((Path(__file__).parent / "corpus").glob("*.deriv"))]
    texts.append("dims n\nx : 1 x n\nh : 1 x n\na = 2 * x\nh = a * 2\nb = c\nc = b\nL = sum(h)")
    asked = 0
    for text in texts:
        program, _ = syntax.parse_text(text, "t.deriv")
        plan = Plan(program.statements)
        names = sorted(set(plan.defs) | set(plan.readers))
        for wrt in names:
            changes, walked = plan.changes_with(wrt), plan.dependents(wrt)
            for name in names:
                assert (name in changes) == (name in walked), (text.splitlines()[0], wrt, name)
                asked += 1
    assert asked > 1000
