"""Unit tests for the shape checker (SPEC sections 3-5): one group per rule,
asserting codes, spans, labels, and that every hint names a fix that works
(the fix is applied to the source and checked again)."""
from __future__ import annotations

import numpy as np
import pytest

from dsl import builtins as functions
from dsl.api import env_from_arrays
from dsl.core.ast import walk
from dsl.core.diagnostics import Sink
from dsl.core.dims import SCALAR, Shape, Sym
from dsl.core.span import Source
from dsl.language import syntax
from dsl.shapes import broadcast, checker as shapes

from programs import MLP_BODY

# Seed 002 in row form; 12 lines, so the first added line is line 13.
MLP = "dims n = 5, k = 3\n" + MLP_BODY
n, k, m = Sym("n"), Sym("k"), Sym("m")


def check(text: str):
    source = Source("t.deriv", text)
    program, parse_diags = syntax.parse(source)
    assert parse_diags == [], [d.message for d in parse_diags]
    env, diags = shapes.check_program(program)
    return env, diags, source


def mlp(*lines: str):
    return check(MLP + "\n".join(lines) + "\n")


def codes(diags) -> list[str]:
    return [d.code for d in diags]


def only(diags, code: str):
    assert codes(diags) == [code], [(d.code, d.message) for d in diags]
    return diags[0]


def at(source: Source, span) -> str:
    return source.text[span.start:span.end]


def labels(source: Source, diag) -> list[tuple[str, str]]:
    return [(at(source, label.span), label.text) for label in diag.labels]


def fixed(*lines: str):
    """Check the MLP with the given lines: the fix must come out clean."""
    env, diags, _ = mlp(*lines)
    assert diags == [], [(d.code, d.message) for d in diags]
    return env


# ------------------------------------------------------------ seed 002

def test_seed_program_is_clean():
    env, diags, _ = mlp()
    assert diags == []
    assert env.names["a"].shape == Shape((1, k))
    assert env.names["theta"].shape == Shape((1, n))
    assert env.names["L"].shape == SCALAR
    assert env.names["y"].attrs == ("onehot",)
    assert env.names["x"].kind == "input" and env.names["h"].kind == "defined"
    assert env.dims == {"n": 5, "k": 3}


def test_correct_gradient_is_clean():
    env, diags, _ = mlp("dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T")
    assert diags == []
    info = env.claims[0]
    assert info.expected == info.got == Shape((1, n))
    assert info.ok and not info.diagonal


def test_question_formula_missing_transpose():
    env, diags, src = mlp("dL/dx = ((yhat - y) @ W2.T) * sigma'(a) @ W1")
    d = only(diags, "E300")
    assert (d.span.line, d.span.column) == (13, 9)
    assert at(src, d.span) == "((yhat - y) @ W2.T) * sigma'(a) @ W1"
    assert "1 x k @ n x k" in d.message
    assert labels(src, d) == [("((yhat - y) @ W2.T) * sigma'(a)", "1 x k"), ("W1", "n x k")]
    assert "`W1.T`" in d.hint
    fixed("dL/dx = ((yhat - y) @ W2.T) * sigma'(a) @ W1.T")
    assert env.claims[0].got is None and not env.claims[0].ok


def test_answer_formula_has_no_simple_fix():
    _, diags, src = mlp("dL/dx = ((yhat - y) @ W2.T) * ((h - h * h) @ W1.T)")
    d = only(diags, "E301")
    assert (d.span.line, d.span.column) == (13, 9)
    assert [t for _, t in labels(src, d)] == ["1 x k", "1 x n"]
    assert "neither '@' nor a transpose" in d.hint


def test_diagonal_jacobian_warning():
    env, diags, src = mlp("dh/da = h * (1 - h)")
    d = only(diags, "W402")
    assert at(src, d.span) == "h * (1 - h)" and (d.span.line, d.span.column) == (13, 9)
    assert "k x k" in d.message and "diag(h * (1 - h))" in d.hint
    info = env.claims[0]
    assert info.ok and info.diagonal and info.expected == Shape((k, k))
    fixed("dh/da = diag(h * (1 - h))")


def test_weight_gradient_and_its_transpose():
    env = fixed("dL/dW1 = x.T @ ((yhat - y) @ W2.T * sigma'(a))")
    assert env.claims[0].expected == Shape((n, k))
    env, diags, src = mlp("dL/dW1 = ((yhat - y) @ W2.T * sigma'(a)).T @ x")
    d = only(diags, "E400")
    assert (d.span.line, d.span.column) == (13, 10)
    assert at(src, d.span) == "((yhat - y) @ W2.T * sigma'(a)).T @ x"
    assert "should be n x k" in d.message and "k x n" in d.message
    assert "x.T @ ((yhat - y) @ W2.T * sigma'(a))" in d.hint
    assert not env.claims[0].ok


def test_vector_broadcast_in_product_warns():
    env, diags, src = mlp("s = W2.T * h")
    d = only(diags, "W303")
    assert at(src, d.span) == "W2.T * h"
    assert labels(src, d) == [("W2.T", "n x k"), ("h", "1 x k")]
    assert "W2.T @ diag(h)" in d.hint
    assert env.names["s"].shape == Shape((n, k))
    assert fixed("s = W2.T @ diag(h)").names["s"].shape == Shape((n, k))


def test_column_broadcast_in_product_warns_with_diag_on_the_left():
    _, diags, _ = mlp("c : k x 1", "s = W2 * c")
    d = only(diags, "W303")
    assert "diag(c) @ W2" in d.hint
    fixed("c : k x 1", "s = diag(c) @ W2")


def test_new_shape_broadcast_warns():
    env, diags, src = mlp("d = y.T - yhat")
    d = only(diags, "W304")
    assert at(src, d.span) == "y.T - yhat" and [t for _, t in labels(src, d)] == ["n x 1", "1 x n"]
    assert "n x n" in d.message and env.names["d"].shape == Shape((n, n))
    assert "`y` instead of `y.T`" in d.hint and "`yhat.T` instead of `yhat`" in d.hint
    fixed("d = y - yhat")
    fixed("d = y.T - yhat.T")


def test_bias_rows_and_scalars_broadcast_silently():
    env = fixed("dims m", "X : m x n", "A = X @ W1 + b1", "B = b1 - X @ W1",
                "c : scalar", "C = c * W1 + 2", "D = (x @ x.T) * W1", "E = W1 / c")
    assert env.names["A"].shape == env.names["B"].shape == Shape((m, k))
    assert env.names["D"].shape == Shape((n, k))


# ------------------------------------------------------------- operators

@pytest.mark.parametrize("expr, hint_part, fix", [
    ("h @ b1", "'*'", "h * b1"),                         # equal shapes
    ("W1 @ W1", "'*'", "W1 * W1"),                       # '*' and W1.T both fit: '*' comes first
    ("b1 @ W1", "`W1.T` instead of `W1`", "b1 @ W1.T"),  # transpose the right operand
    ("x.T @ W1", "`x` instead of `x.T`", "x @ W1"),      # transpose the left operand
    ("W1 @ x", "`x @ W1`", "x @ W1"),                    # swap
])
def test_matmul_hints_name_a_working_fix(expr, hint_part, fix):
    _, diags, _ = mlp(f"z = {expr}")
    d = only(diags, "E300")
    assert hint_part in d.hint
    fixed(f"z = {fix}")


def test_matmul_without_a_fix_says_so():
    _, diags, _ = mlp("dims m", "S : m x m", "z = S @ W1")
    assert "no '*', transpose or swap" in only(diags, "E300").hint


def test_scalar_matmul_is_an_error_with_star_hint():
    _, diags, _ = mlp("z = 2 @ W1")
    d = only(diags, "E305")
    assert "scalar @ n x k" in d.message and "'*'" in d.hint
    fixed("z = 2 * W1")
    fixed("z = (x @ x.T) @ x")  # a 1 x 1 matrix is a matrix


@pytest.mark.parametrize("expr, hint_part, fix", [
    ("h * W2", "'@'", "h @ W2"),
    ("W1 + W2", "`W2.T` instead of `W2`", "W1 + W2.T"),
    ("W1 / W2", "`W2.T` instead of `W2`", "W1 / W2.T"),
])
def test_elementwise_hints_name_a_working_fix(expr, hint_part, fix):
    _, diags, _ = mlp(f"z = {expr}")
    d = only(diags, "E301")
    assert hint_part in d.hint and d.message.startswith(f"'{expr.split()[1]}'")
    fixed(f"z = {fix}")


def test_power_exponent_must_be_scalar():
    _, diags, src = mlp("z = x ** x")
    d = only(diags, "E302")
    assert at(src, d.span) == "x ** x" and "1 x n" in d.message
    assert "`exp(x * log(x))`" in d.hint
    fixed("z = exp(x * log(x))", "w = exp((x + 1) * log(2))")
    _, diags, _ = mlp("z = 2 ** (x + 1)")
    assert "`exp((x + 1) * log(2))`" in only(diags, "E302").hint
    env = fixed("z = x ** 2", "w = -x", "c = L.T", "t = W1.T")
    assert env.names["z"].shape == env.names["w"].shape == Shape((1, n))
    assert env.names["c"].shape == SCALAR and env.names["t"].shape == Shape((k, n))


def test_binop_outcomes_on_shapes_alone():
    from dsl.core.ast import Op
    row, col, mat = Shape((1, k)), Shape((n, 1)), Shape((n, k))
    assert broadcast.binop(Op.ADD, mat, row).clean
    assert broadcast.binop(Op.ADD, mat, col).clean            # column bias over columns
    assert broadcast.binop(Op.MUL, row, mat).code == "W303"
    assert broadcast.binop(Op.DIV, mat, col).column
    assert broadcast.binop(Op.SUB, col, Shape((1, n))).code == "W304"
    assert broadcast.binop(Op.ADD, Shape((1, n)), Shape((1, 5))).code == "E301"  # n never matches 5
    assert broadcast.binop(Op.MATMUL, Shape((1, n)), Shape((k, 1))).code == "E300"


# ------------------------------------------------------------- functions

@pytest.mark.parametrize("expr, shape", [
    ("sigma(W1)", Shape((n, k))), ("relu'(a)", Shape((1, k))), ("sigmoid(a)", Shape((1, k))),
    ("softmax(W1)", Shape((n, k))), ("logsumexp(a)", SCALAR), ("logsumexp(W1)", Shape((n, 1))),
    ("sum(W1)", SCALAR), ("sum(W1, axis=0)", Shape((1, k))), ("mean(W1, axis=1)", Shape((n, 1))),
    ("xent(y, yhat)", SCALAR), ("mse(a, h)", SCALAR),
    ("diag(a)", Shape((k, k))), ("diag(x.T)", Shape((n, n))), ("diag(W1 @ W1.T)", Shape((n, 1))),
    ("trace(W1 @ W1.T)", SCALAR), ("det(W2 @ W1)", SCALAR), ("inv(W1.T @ W1)", Shape((k, k))),
    ("eye(n)", Shape((n, n))), ("ones(n, 1)", Shape((n, 1))), ("zeros(2, k)", Shape((2, k))),
    ("outer(x, a)", Shape((n, k))), ("outer(a.T, x)", Shape((k, n))), ("L / n", SCALAR),
])
def test_function_result_shapes(expr, shape):
    env = fixed(f"z = {expr}")
    assert env.names["z"].shape == shape


@pytest.mark.parametrize("expr, code, culprit, words", [
    ("sigmoidd(a)", "E202", "sigmoidd", "'sigmoid'"),
    ("xent(yhat)", "E203", "xent(yhat)", "takes 2 arguments, but got 1"),
    ("sigma(a, a, h)", "E203", "a, h", "takes 1 argument, but got 3"),
    ("sum(W1, axs=0)", "E203", "axs=0", "no keyword 'axs'"),
    ("diag(W1)", "E204", "W1", "vector or a square matrix"),
    ("inv(W1)", "E204", "W1", "square matrix, got n x k"),
    ("det(x)", "E204", "x", "square matrix"),
    ("trace(W1)", "E204", "W1", "square matrix"),
    ("softmax(L)", "E204", "L", "got a scalar"),
    ("logsumexp(x @ x.T)", "E204", "x @ x.T", "1 x 1, a scalar"),
    ("sum(W1, axis=2)", "E204", "2", "axis=0 or axis=1"),
    ("xent(y, a)", "E204", "a", "1 x n and 1 x k"),
    ("outer(W1, x)", "E204", "W1", "two vectors"),
    ("softmax'(theta)", "E204", "softmax'", "no prime"),
    ("ones(x, 1)", "E204", "x", "sizes"),
    ("eye(n + 1)", "E204", "n + 1", "sizes"),
    ("ones(q, 1)", "E200", "q", "undefined name 'q'"),
])
def test_function_errors(expr, code, culprit, words):
    _, diags, src = mlp(f"z = {expr}")
    d = only(diags, code)
    assert at(src, d.span) == culprit and d.span.line == 13
    assert words in d.message + (d.hint or "")


def test_every_function_has_a_shape_rule():
    assert set(broadcast.RULES) == set(functions.FUNCTIONS)


# ------------------------------------------------------------ derivatives

@pytest.mark.parametrize("deriv, shape", [
    ("dL/dW1", Shape((n, k))), ("dL/dx", Shape((1, n))), ("dL/dL", SCALAR),
    ("dtheta/dh", Shape((n, k))), ("da/dx", Shape((k, n))), ("dx/dc", Shape((1, n))),
])
def test_derivative_shapes(deriv, shape):
    env, diags, _ = mlp("c : scalar", f"{deriv} = {deriv}")
    assert diags == []
    assert env.claims[0].expected == env.claims[0].got == shape


def test_denominator_layout_transposes_jacobians():
    env, diags, _ = check("layout denominator\n" + MLP + "dtheta/dh = W2\ndL/dx = dL/dx\n")
    assert diags == [] and env.layout == "denominator"
    assert env.claims[0].expected == Shape((k, n)) and env.claims[1].expected == Shape((1, n))


def test_jacobian_chain_reads_left_to_right():
    fixed("dL/dx = dL/dtheta @ dtheta/dh @ dh/da @ da/dx")


def test_higher_order_derivative_is_an_error():
    env, diags, src = mlp("dW1/dx = W1")
    d = only(diags, "E401")
    assert at(src, d.span) == "dW1/dx" and "W1 is n x k" in d.message
    assert "dL/dx" in d.hint
    assert env.claims[0].expected is None and not env.claims[0].ok


def test_derivative_of_unknown_or_size_name():
    _, diags, _ = mlp("dq/dx = x")
    assert only(diags, "E200").message == "undefined name 'q'"
    _, diags, _ = mlp("dn/dx = x")
    assert "size symbol" in only(diags, "E200").hint


def test_layout_after_a_claim_or_twice():
    _, diags, _ = check(MLP + "dL/dx = dL/dx\nlayout denominator\n")
    d = only(diags, "E403")
    assert d.span.line == 14 and "before the first claim" in d.message
    _, diags, _ = check("layout denominator\nlayout numerator\n")
    assert "already set on line 1" in only(diags, "E403").message


# ------------------------------------------------------- names and sizes

def test_undefined_name_suggests_the_nearest():
    _, diags, src = mlp("z = yaht - y")
    d = only(diags, "E200")
    assert at(src, d.span) == "yaht" and (d.span.line, d.span.column) == (13, 5)
    assert "'yhat'" in d.hint


def test_name_defined_later_is_named_in_the_hint():
    _, diags, _ = mlp("z = q + 1", "q = x")
    assert "defined on line 14" in only(diags, "E200").hint
    _, diags, _ = mlp("z = z + 1")
    assert "own definition" in only(diags, "E200").hint


def test_redefinition():
    _, diags, src = mlp("a = x")
    d = only(diags, "E201")
    assert d.message == "'a' is already defined on line 8" and at(src, d.span) == "a"
    _, diags, _ = mlp("n : 1 x k")
    assert "a size symbol" in only(diags, "E201").message
    _, diags, _ = mlp("dims x")
    assert "declared on line 2" in only(diags, "E201").message


def test_size_problems_in_declarations():
    _, diags, src = mlp("q : 1 x m")
    d = only(diags, "E206")
    assert at(src, d.span) == "m" and "declare it first" in d.hint
    _, diags, src = mlp("q : 0 x n")
    assert "positive" in only(diags, "E206").message
    _, diags, _ = check("dims p = 0\n")
    assert "positive" in only(diags, "E206").message


def test_attributes():
    _, diags, src = mlp("q : 1 x n one_hot")
    d = only(diags, "E205")
    assert at(src, d.span) == "one_hot" and "'onehot'" in d.hint
    _, diags, src = mlp("S : n x k spd")
    d = only(diags, "E207")
    assert at(src, d.span) == "spd" and "n x k" in d.message
    env = fixed("S : n x n spd symmetric", "c : scalar positive")
    assert env.names["S"].attrs == ("spd", "symmetric")


def test_errors_do_not_cascade():
    env, diags, _ = mlp("z = sigmoidd(a) @ W1", "w = z @ W1 + q", "dL/dz = z")
    assert codes(diags) == ["E202", "E200"]   # q is still reported; nothing about z
    assert env.names["z"].shape is None and not env.names["z"].ok
    assert not env.names["w"].ok and not env.claims[0].ok


def test_ok_flags_follow_errors_in_used_names():
    env, _, _ = mlp("q : 1 x n one_hot", "z = q + x")
    assert env.names["q"].shape == Shape((1, n)) and not env.names["q"].ok
    assert env.names["z"].shape == Shape((1, n)) and not env.names["z"].ok
    assert env.names["a"].ok


# ---------------------------------------------------------- the Python API

def test_shape_of_every_node():
    env, _, _ = mlp("dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T")
    expr = env.claims[0].claim.expr
    assert all(env.shape_of(node) is not None for node in walk(expr))
    assert env.shape_of(expr.right) == Shape((k, n))
    assert env.shape_of(object()) is None


def test_incremental_checking_reuses_the_env():
    env, _, _ = mlp()
    program, _ = syntax.parse(Source("<repl>", "z = h @ W2\ndL/dh = z"))
    env, diags = shapes.check_program(program, env)
    assert env.names["z"].shape == Shape((1, n))
    assert "should be 1 x k" in only(diags, "E400").message
    stmt, _ = syntax.parse_statement("w = z + b2")
    sink = Sink()
    shapes.check_statement(env, stmt, sink)
    assert sink.items == [] and env.names["w"].shape == Shape((1, n))


def test_infer_a_lone_expression():
    env, _, _ = mlp()
    expr, _ = syntax.parse_expr("yhat - y @ W1")
    sink = Sink()
    assert shapes.infer(env, expr, sink) is None
    assert codes(sink.items) == ["E301"]


def test_derivative_shape_without_a_sink():
    env, _, _ = mlp()
    expr, _ = syntax.parse_expr("dL/dW2")
    assert shapes.derivative_shape(env, expr, None) == Shape((k, n))


def test_env_from_arrays():
    env = env_from_arrays({"x": np.ones(3), "W": np.ones((3, 2)), "c": 2.0})
    assert env.names["x"].shape == Shape((1, 3)) and env.names["c"].shape == SCALAR
    assert env.dims == {}
    sink = Sink()
    expr, _ = syntax.parse_expr("c * x @ W")
    assert shapes.infer(env, expr, sink) == Shape((1, 2)) and sink.items == []
    expr, _ = syntax.parse_expr("W @ x")
    assert shapes.infer(env, expr, sink) is None
    assert "`x @ W`" in only(sink.items, "E300").hint
    with pytest.raises(ValueError, match="at most 4 axes, not 5"):
        env_from_arrays({"T": np.ones((2, 2, 2, 2, 2))})
    assert env_from_arrays({"T": np.ones((2, 3, 4))}).names["T"].shape == Shape((2, 3, 4))


@pytest.mark.parametrize("claim, form", [
    # a gradient written as a row in numerator style: the transpose carried inside
    ("df/dx = 2 * (M @ x - b).T @ M", "M.T @ (2 * (M @ x - b))"),
    ("dg/dx = x.T @ (A + A.T)", "(A.T + A) @ x"),
    ("dh/dx = a.T", "a"),
    ("dh/dx = -a.T / 2", "-a / 2"),
])
def test_a_transposed_right_side_is_fixed_with_the_transpose_inside(claim, form):
    text = ("dims n, k\nM : k x n\nx : n x 1\nb : k x 1\nA : n x n\na : n x 1\n"
            "f = sum((M @ x - b) ** 2)\ng = x.T @ A @ x\nh = a.T @ x\n" + claim + "\n")
    env, diags, _ = check(text)
    d = only(diags, "E400")
    assert f"write `{form}`" in d.hint and d.fix is not None and d.fix.replacement == form
    assert not env.claims[0].ok
    fixed_text = text[: -len(claim) - 1] + claim.split(" = ", 1)[0] + " = " + form + "\n"
    assert [x.code for x in check(fixed_text)[1] if x.is_error] == []


def test_two_indices_in_the_wrong_order_are_named():
    _, diags, _ = check("dims n, m\nW : m x n\nx : n x 1\nz = W @ x\ndz[i]/dx[j] = W[j, i]\n")
    d = only(diags, "E210")
    assert "the indices of W (m x n) look swapped: write W[i, j]" in d.hint
    # a conflict that no swap mends keeps the general hint
    _, diags, _ = check("dims n, m, k\nW : m x k\nx : n x 1\nz : m x 1\ndz[i]/dx[j] = W[i, j]\n")
    assert "swapped" not in only(diags, "E210").hint


@pytest.mark.parametrize("claim, code, form", [
    # swapping the operands fits the product but gives H x D: the claim needs D x H
    ("dL/dW = X @ G.T", "E300", "X.T @ G"),
    ("dL/dW = X @ G.T / N", "E300", "X.T @ G"),
    ("dL/dX = G * W.T", "E301", "G @ W.T"),
    ("dL/dX = -(W @ G.T).T", None, None),
])
def test_an_operator_fix_in_a_claim_gives_the_claims_shape(claim, code, form):
    text = "dims N, D, H\nX : N x D\nW : D x H\nG : N x H\nZ = X @ W\nL = sum(G * Z)\n" + claim + "\n"
    env, diags, _ = check(text)
    if code is None:
        assert diags == [] and env.claims[0].ok
        return
    d = only(diags, code)
    assert d.fix is not None and d.fix.replacement == form
    assert code == "E301" or f"write `{form}` (D x N @ N x H gives the D x H the claim needs)" in d.hint
    repaired = text[: d.fix.span.start] + d.fix.replacement + text[d.fix.span.end:]
    env, diags, _ = check(repaired)
    assert diags == [] and env.claims[0].ok


def test_an_operator_outside_a_claim_keeps_the_first_fix_that_fits():
    _, diags, _ = check("dims N, D, H\nX : N x D\nG : N x H\nP = X @ G.T\n")
    assert "`G.T @ X`" in only(diags, "E300").hint


def test_a_scalar_is_not_transposed_in_the_fix_of_a_transposed_claim():
    text = "dims N, D\nX : N x D\nw : D x 1\nt : N x 1\nq = sigma(X @ w)\nJ = mean((q - t) ** 2)\n"
    _, diags, _ = check(text + "dJ/dw = 2 * (q - t).T @ X / N\n")
    d = only(diags, "E400")
    assert d.fix is not None and d.fix.replacement == "X.T @ (2 * (q - t)) / N", d.fix.replacement


@pytest.mark.parametrize("expr, bad", [
    ("X.T @ (X > 0)", False),          # a 0/1 mask as a factor of a matrix product
    ("(X > 0) @ X.T", False),
    ("(X > 0) / 2", False),            # a mask scaled, as inverted dropout is
    ("2 / (X > 0)", True),             # a 0/1 step as a divisor: a misplaced bracket
    ("(X > 0) + X", True),
])
def test_where_a_comparison_may_stand_in_an_operator(expr, bad):
    _, diags, _ = check("dims n, k\nX : n x k\nP = " + expr + "\n")
    assert codes(diags) == (["E230"] if bad else []), [(d.code, d.message) for d in diags]
