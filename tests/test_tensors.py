"""Tensors of rank 3 and 4, axis reductions, reductions broadcast as intent,
zero claims: the parser, the shape rules (against NumPy), reverse mode
(against central differences), test data, printing and verification."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from dsl import pipeline
from dsl.apps.fmt import format_source
from dsl.builtins.axes import normal_axis, reduced_shape
from dsl.compute import inputs as data
from dsl.compute.vjp import unbroadcast
from dsl.core.ast import Decl, Op
from dsl.core.diagnostics import Sink
from dsl.core.dims import SCALAR, Shape, Sym
from dsl.core.span import Source
from dsl.language import syntax
from dsl.language.printer import to_source
from dsl.shapes import checker as shapes
from dsl.shapes.broadcast import binop, broadcast

from test_autodiff import PROPERTY, assert_gradients_match, compile_program

b, n, d, k = Sym("b"), Sym("n"), Sym("d"), Sym("k")


def codes(text: str) -> list[str]:
    report = pipeline.check_source(Source("t.deriv", text), verify=False)
    return [diag.code for diag in report.diagnostics]


def shape_in(text: str, name: str) -> Shape | None:
    program, _ = syntax.parse_text(text, "t.deriv")
    env, _ = shapes.check_program(program)
    return env.names[name].shape


# ------------------------------------------------------------------ syntax

@pytest.mark.parametrize("line, sizes, attrs", [
    ("X : b x n x d", ("b", "n", "d"), ()),
    ("Q : b x h x t x d prob", ("b", "h", "t", "d"), ("prob",)),
    ("X : b × n × d", ("b", "n", "d"), ()),
    ("X : 2 x 3 x2", (2, 3, 2), ()),                # x before a digit separates
    ("x : 1xn onehot", (1, "n"), ("onehot",)),       # unchanged: 1 x n
    ("W : n x k xavier", ("n", "k"), ("xavier",)),   # an attribute may start with x
    ("X : b x n x d xavier", ("b", "n", "d"), ("xavier",)),
    ("c : scalar", (), ()),
])
def test_declarations_of_any_rank_parse(line, sizes, attrs):
    program, diags = syntax.parse_text(line)
    assert diags == []
    decl = program.statements[0]
    assert isinstance(decl, Decl)
    assert tuple(s.value for s in decl.shape.sizes) == sizes
    assert tuple(a.name for a in decl.attrs) == attrs
    if len(sizes) >= 2:
        assert (decl.shape.rows.value, decl.shape.cols.value) == sizes[-2:]
    else:
        assert decl.shape.rows is None and decl.shape.cols is None
    again = syntax.parse_text(to_source(decl))[0].statements[0]
    assert isinstance(again, Decl) and tuple(s.value for s in again.shape.sizes) == sizes


def test_a_rank_above_four_is_a_located_error():
    text = "dims a, b, c, d, e\nT : a x b x c x d x e\nU = T"
    report = pipeline.check_source(Source("t.deriv", text), verify=False)
    (diag,) = [x for x in report.diagnostics if x.code == "E222"]
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (2, 5, 22)
    assert "5 axes" in diag.message


# ------------------------------------------------------------ shape rules

@pytest.mark.parametrize("left, right, want", [
    ((b, n, d), (n, d), (b, n, d)),
    ((b, n, d), (1, d), (b, n, d)),
    ((b, 1, d), (b, n, 1), (b, n, d)),
    ((b, n, d), (d, n), None),
    ((2, 3, 4, 5), (3, 1, 5), (2, 3, 4, 5)),
])
def test_broadcast_aligns_from_the_last_axis(left, right, want):
    got = broadcast(Shape(left), Shape(right))
    assert (got.dims if got is not None else None) == want


@pytest.mark.parametrize("left, right, want, code", [
    ((b, n, d), (d, k), (b, n, k), None),
    ((b, n, d), (b, d, k), (b, n, k), None),
    ((n, d), (b, d, k), (b, n, k), None),
    ((b, 1, n, d), (7, d, k), (b, 7, n, k), None),
    ((b, n, d), (k, d, n), None, "E220"),
    ((b, n, d), (n, k), None, "E300"),
])
def test_matmul_batches_over_the_leading_axes(left, right, want, code):
    out = binop(Op.MATMUL, Shape(left), Shape(right))
    assert out.code == code and (out.shape.dims if out.shape else None) == want


def test_matrix_shapes_and_warnings_are_unchanged():
    assert binop(Op.MUL, Shape((k, n)), Shape((1, n))).code == "W303"
    assert binop(Op.SUB, Shape((n, 1)), Shape((1, n))).code == "W304"
    assert binop(Op.ADD, Shape((k, n)), Shape((1, n))).code is None
    assert binop(Op.MATMUL, Shape((1, n)), Shape((n, k))).shape == Shape((1, k))
    # no vector-over-matrix warning between tensors: they broadcast as NumPy does
    assert binop(Op.MUL, Shape((b, n, d)), Shape((1, d))).code is None


@pytest.mark.parametrize("shape, axis, want", [
    ((b, n, d), 0, (1, n, d)), ((b, n, d), -1, (b, n, 1)), ((b, n, d), 1, (b, 1, d)),
    ((n, k), 0, (1, k)), ((n, k), 1, (n, 1)), ((n, k), -2, (1, k)), ((n, k), None, ()),
])
def test_reductions_keep_the_reduced_axis(shape, axis, want):
    assert reduced_shape([Shape(shape)], axis) == Shape(want)


@pytest.mark.parametrize("rank, axis, want", [(3, -1, 2), (3, 3, None), (3, -4, None), (2, 1, 1), (4, -4, 0)])
def test_axes_count_from_either_end(rank, axis, want):
    assert normal_axis(rank, axis) == want


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), data_=st.data())
def test_axis_reductions_agree_with_numpy(shape, data_):
    axis = data_.draw(st.integers(-len(shape), len(shape) - 1))
    dims = tuple(shape) if len(shape) > 1 else (1, shape[0])
    want = np.sum(np.ones(dims), axis=axis, keepdims=True).shape
    assert reduced_shape([Shape(dims)], axis).dims == want


@pytest.mark.parametrize("expr, want", [
    ("softmax(X)", (b, n, d)),
    ("softmax(X, axis=1)", (b, n, d)),
    ("logsumexp(X)", (b, n, 1)),
    ("logsumexp(X, axis=0)", (1, n, d)),
    ("mean(X, axis=-2)", (b, 1, d)),
    ("sum(X)", ()),
    ("X @ W", (b, n, k)),
])
def test_tensor_expressions(expr, want):
    text = f"dims b, n, d, k\nX : b x n x d\nW : d x k\nY = {expr}"
    assert shape_in(text, "Y") == Shape(want)


@pytest.mark.parametrize("expr, code", [
    ("X.T", "E221"), ("sum(X, axis=3)", "E204"), ("softmax(X, axis=-4)", "E204"),
    ("X @ V", "E220"), ("sum(X, axis=k)", "E204"), ("inv(X)", "E204"),
])
def test_tensor_errors(expr, code):
    text = f"dims b, n, d, k\nX : b x n x d\nV : k x d x n\nY = {expr}"
    assert codes(text) == [code]


def test_the_transpose_hint_spells_the_swap_in_index_notation():
    text = "dims b, h, t, d\nK : b x h x t x d\nY = K.T"
    report = pipeline.check_source(Source("t.deriv", text), verify=False)
    assert "`KT[b, c, j, i] = K[b, c, i, j]`" in report.diagnostics[0].hint
    # indices are not names of the program
    text = "dims b, n\nX : b x n x n\nc : scalar\ni : scalar\nY = X.T"
    report = pipeline.check_source(Source("t.deriv", text), verify=False)
    assert "`XT[b, k, j] = X[b, j, k]`" in report.diagnostics[0].hint


def test_gradient_by_a_tensor_has_its_shape_and_jacobians_of_tensors_are_refused():
    text = "dims b, n, d\nX : b x n x d\nL = sum(X * X)\nY = 2 * X\ndL/dX = 2 * X\ndY/dX = 0"
    program, _ = syntax.parse_text(text)
    env, diags = shapes.check_program(program)
    assert env.claims[0].expected == Shape((b, n, d)) and env.claims[0].ok
    (e401,) = diags
    assert e401.code == "E401" and "index form" in e401.hint


# ------------------------------------------------- reductions as intent

@pytest.mark.parametrize("body, warned", [
    ("Y = A / sum(A, axis=1)", False),
    ("Y = A / sum(A, axis=0)", False),
    ("mu = mean(A, axis=0)\nv = mean((A - mu) ** 2, axis=0)\nY = (A - mu) / sqrt(v + e)", False),
    ("s = sum(exp(A), axis=1)\nY = exp(A) / s", False),
    ("Y = A * exp(-log(mean(A, axis=0)))", False),
    ("Y = A / sum(B, axis=1)", True),            # a reduction of another matrix
    ("Y = A / (sum(A, axis=1) + c)", True),      # plus a vector that is not one
    ("Y = A * mean(A, axis=1).T.T", True),       # a transpose is not elementwise
    ("Y = A * h", True),
])
def test_a_reduction_stretched_over_what_it_reduced_is_not_warned(body, warned):
    text = f"dims m, k\nA : m x k positive\nB : m x k\nc : m x 1\nh : 1 x k\ne : scalar\n{body}"
    assert codes(text) == (["W303"] if warned else [])


def test_reduction_facts_follow_names_into_the_repl_env():
    program, _ = syntax.parse_text("dims m, k\nX : m x k\nmu = mean(X, axis=0)")
    env, _ = shapes.check_program(program)
    later = env.copy()
    expr, _ = syntax.parse_expr("X / mu")
    sink = Sink()
    assert shapes.infer(later, expr, sink) == Shape((Sym("m"), Sym("k"))) and sink.items == []
    expr, _ = syntax.parse_expr("X * sum(X, axis=1).T")
    assert shapes.infer(later, expr, sink) is None      # a 1 x m row against m x k


# ------------------------------------------------------ reverse mode vs FD

sizes_st = st.fixed_dictionaries({"b": st.integers(2, 3), "n": st.integers(2, 3), "d": st.integers(2, 4),
                                   "k": st.integers(2, 3)})
MATMULS = [("b x n x d", "d x k"), ("b x n x d", "b x d x k"), ("n x d", "b x d x k"),
           ("b x 1 x n x d", "k x d x k")]


@PROPERTY
@given(case=st.sampled_from(MATMULS), sizes=sizes_st, seed=st.integers(0, 2**16))
def test_batched_matmul_gradients_agree_with_differences(case, sizes, seed):
    rng = np.random.default_rng(seed)
    text = f"dims b, n, d, k\nA : {case[0]}\nB : {case[1]}\nY = A @ B\nL = sum(Y * Y)"
    shape = {name: tuple(sizes[s] if s in sizes else int(s) for s in decl.split(" x "))
             for name, decl in zip("AB", case, strict=True)}
    assert_gradients_match(text, {name: rng.standard_normal(s) for name, s in shape.items()}, sizes)


REDUCTIONS = ["sum(X, axis={a})", "mean(X, axis={a})", "softmax(X, axis={a})", "logsumexp(X, axis={a})",
              "softmax(X)", "logsumexp(X)", "X - mean(X, axis={a})", "X / sum(exp(X), axis={a})"]


@PROPERTY
@given(form=st.sampled_from(REDUCTIONS), axis=st.integers(-3, 2), sizes=sizes_st, seed=st.integers(0, 2**16))
def test_axis_reduction_gradients_agree_with_differences(form, axis, sizes, seed):
    rng = np.random.default_rng(seed)
    text = f"dims b, n, d\nX : b x n x d\nW : b x n x d\nY = {form.format(a=axis)}\nL = sum(Y * Y * W)"
    x = rng.standard_normal((sizes["b"], sizes["n"], sizes["d"]))
    w = rng.standard_normal(x.shape)
    program, env = compile_program(text)
    assert_gradients_match(text, {"X": x, "W": w}, sizes)
    assert program and env.names["Y"].shape is not None


def test_unbroadcast_sums_leading_and_size_one_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    assert np.array_equal(unbroadcast(g, (3, 4)), g.sum(axis=0))
    assert np.array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    assert np.array_equal(unbroadcast(g, (1, 3, 1)), g.sum(axis=(0, 2), keepdims=True))


# ------------------------------------------------------------- test data

def test_rank_three_data_respects_attributes_on_the_last_axes():
    rng = np.random.default_rng(0)
    p = data.draw_value((2, 3, 4), {"prob"}, rng)
    assert p.shape == (2, 3, 4) and np.allclose(p.sum(axis=-1), 1) and np.all(p > 0)
    h = data.draw_value((2, 3, 4, 5), {"onehot"}, rng)
    assert np.array_equal(h.sum(axis=-1), np.ones((2, 3, 4))) and set(np.unique(h)) == {0.0, 1.0}
    s = data.draw_value((3, 4, 4), {"symmetric"}, rng)
    assert np.array_equal(s, np.swapaxes(s, -1, -2))
    spd = data.draw_value((2, 3, 3), {"spd"}, rng)
    assert np.allclose(spd, np.swapaxes(spd, -1, -2)) and np.all(np.linalg.eigvalsh(spd) > 0)


def test_matrix_data_is_drawn_as_before():
    # the same values as the 2-D rules always gave, for a seed
    rng = np.random.default_rng(3)
    p = data.draw_value((3, 1), {"prob"}, rng)
    rng = np.random.default_rng(3)
    row = rng.uniform(0.1, 1.0, (1, 3))
    assert np.allclose(p, (row / row.sum()).T)


def test_symmetric_tensors_need_square_last_axes():
    assert codes("dims b, n, k\nS : b x n x k symmetric") == ["E207"]
    assert codes("dims b, n\nS : b x n x n spd") == []


# ------------------------------------------------------- printing, verify

def test_fmt_prints_tensor_declarations():
    src = Source("t.deriv", "dims b, n, d\nX : b x n x d prob\nQ : b x 2 x n x d\n")
    assert "X : b × n × d prob" in format_source(src, to="unicode")[0]
    latex = format_source(src, to="latex")[0]
    assert r"\mathbb{R}^{b \times n \times d}" in latex and r"\mathbb{R}^{b \times 2 \times n \times d}" in latex
    assert "X : b x n x d prob" in format_source(src, to="ascii")[0]


@pytest.mark.parametrize("claim, status", [
    ("dL/dX = 2 * (Y @ W.T)", "verified"),
    ("dL/dX = Y @ W.T", "wrong"),
    ("dL/dW = 0", "wrong"),
    ("dL/dc = 0", "verified"),
])
def test_claims_on_rank_three_values_are_verified(claim, status):
    text = f"dims b, n, d, k\nX : b x n x d\nW : d x k\nc : 1 x k\nY = X @ W\nL = sum(Y * Y)\n{claim}"
    report = pipeline.check_source(Source("t.deriv", text), verify=True, seed=1)
    assert [r.status.value for r in report.claims] == [status]


def test_scalar_shape_constant_is_the_empty_shape():
    assert SCALAR.rank == 0 and Shape((b, n, d)).is_tensor and Shape((1, 1, 1)).is_one_by_one
    assert Shape((b, n, n)).last_square and not Shape((b, n, n)).is_square


def test_highlighting_reads_every_size_of_a_tensor():
    from pygments.token import Name, Operator

    from dsl.apps.highlight import DerivLexer
    tokens = [(t, v) for t, v in DerivLexer().get_tokens("X : b x n x d prob xavier\n") if v.strip()]
    assert [v for t, v in tokens if t is Operator] == ["x", "x"]
    assert [v for t, v in tokens if t is Name.Constant] == ["b", "n", "d"]
    assert (Name.Attribute, "prob") in tokens and (Name, "xavier") in tokens


concrete_dims = st.lists(st.sampled_from([1, 2, 3]), min_size=2, max_size=4).map(tuple)


@given(left=concrete_dims, right=concrete_dims)
def test_broadcast_and_matmul_shapes_agree_with_numpy(left, right):
    try:
        want = np.broadcast_shapes(left, right)
    except ValueError:
        want = None
    got = broadcast(Shape(left), Shape(right))
    assert (got.dims if got is not None else None) == want
    try:
        product = np.matmul(np.ones(left), np.ones(right)).shape
    except ValueError:
        product = None
    out = binop(Op.MATMUL, Shape(left), Shape(right))
    assert (out.shape.dims if out.shape is not None else None) == product
    assert (out.code is None) == (product is not None)
