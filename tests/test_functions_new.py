"""The functions, comparisons and attributes added together: each VJP agrees
with finite differences, kinks are located, attributes draw what they say,
the did-you-mean search suggests only close names of the kind that fits, and
comparisons print and re-parse."""
import math

import numpy as np
import pytest

from dsl.apps import fmt
from dsl.builtins import FUNCTIONS, kink_argument
from dsl.compute.inputs import draw_value
from dsl.compute.numeric import apply_binop, apply_call
from dsl.compute.vjp import KINKS, VJPS, unbroadcast
from dsl.core.ast import Op
from dsl.core.span import Source
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr
from dsl.pipeline import check_source
from dsl.shapes.nearest import distance, nearest

RNG = np.random.default_rng(7)
H = 1e-6


def _away(x, margin=0.2):
    """Entries moved away from 0 (the kinks of sign), keeping their sign."""
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin, x)


def _args(name):
    """Arguments inside each function's domain and away from its kinks."""
    a = RNG.uniform(-2, 2, (3, 4))
    b = RNG.uniform(-2, 2, (3, 4))
    distinct = np.argsort(RNG.uniform(size=(3, 4)), axis=None).reshape(3, 4) * 0.37 - 2.0  # no ties
    match name:
        case "log1p":
            return [RNG.uniform(-0.5, 2, (3, 4))]
        case "sign":
            return [_away(a)]
        case "max" | "min":
            return [distinct]
        case "maximum" | "minimum":
            return [a, np.where(np.abs(a - b) < 0.2, b + 0.5, b)]
        case "clip":
            return [np.where(np.abs(np.abs(a) - 1) < 0.2, a * 0.5, a), np.array(-1.0), np.array([[1.0, 1.2, 0.9, 1.5]])]
        case "where":
            return [(a > 0).astype(float), b, RNG.uniform(-2, 2, (1, 4))]
        case "logdet":
            m = RNG.uniform(-1, 1, (4, 4)) + 4 * np.eye(4)
            return [m]
        case "norm":
            return [a]
    return [a]


NEW = ["sign", "log1p", "sin", "cos", "erf", "gelu", "max", "min", "norm", "logdet", "maximum", "minimum",
       "clip", "where"]


@pytest.mark.parametrize("name, axis", [(n, None) for n in NEW] + [(n, a) for n in ("max", "min") for a in (0, 1)])
def test_vjp_agrees_with_finite_differences(name, axis):
    row = FUNCTIONS[name]
    args = _args(name)
    out = apply_call(name, False, args, axis=axis)
    g = RNG.uniform(-1, 1, out.shape)
    rules = VJPS[name]
    for i, arg in enumerate(args):
        kw = {"axis": axis} if "axis" in row.keywords else {}
        grad = unbroadcast(rules[i](g, out, *args, **kw), arg.shape)
        v = RNG.uniform(-1, 1, arg.shape)
        plus = [a + H * v if j == i else a for j, a in enumerate(args)]
        minus = [a - H * v if j == i else a for j, a in enumerate(args)]
        step = apply_call(name, False, plus, axis=axis) - apply_call(name, False, minus, axis=axis)
        fd = np.sum(g * step) / (2 * H)
        assert np.isclose(np.sum(grad * v), fd, rtol=1e-5, atol=1e-7), (name, i, axis)


@pytest.mark.parametrize("name", ["sign", "log1p", "sin", "cos", "erf", "gelu"])
def test_elementwise_primes_agree_with_finite_differences(name):
    x = _args(name)[0]
    for f, df in ((False, True),):
        num = (apply_call(name, f, [x + H]) - apply_call(name, f, [x - H])) / (2 * H)
        assert np.allclose(apply_call(name, df, [x]), num, rtol=1e-6, atol=1e-8)
    second = FUNCTIONS[name].second
    num2 = (apply_call(name, True, [x + H]) - apply_call(name, True, [x - H])) / (2 * H)
    assert np.allclose(second(x), num2, rtol=1e-5, atol=1e-6)


def test_erf_and_gelu_values():
    x = np.array([[-3.0, -0.5, 0.0, 0.7, 2.5]])
    assert np.allclose(apply_call("erf", False, [x]), [[math.erf(v) for v in x[0]]], rtol=0, atol=1e-15)
    cdf = 0.5 * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x[0]]))
    assert np.allclose(apply_call("gelu", False, [x]), x * cdf, atol=1e-15)


def test_values_of_the_reductions_and_choices():
    X = np.array([[1.0, 5.0, 2.0], [7.0, -1.0, 0.0]])
    assert apply_call("max", False, [X]) == 7.0 and apply_call("min", False, [X]) == -1.0
    assert apply_call("max", False, [X], axis=0).tolist() == [[7.0, 5.0, 2.0]]
    assert apply_call("min", False, [X], axis=1).tolist() == [[1.0], [-1.0]]
    assert np.isclose(apply_call("norm", False, [X]), np.linalg.norm(X))
    assert apply_call("clip", False, [X, np.array(0.0), np.array(2.0)]).tolist() == [[1, 2, 2], [2, 0, 0]]
    assert apply_call("where", False, [X > 1, X, np.array(0.0)]).tolist() == [[0, 5, 2], [7, 0, 0]]
    spd = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert np.isclose(apply_call("logdet", False, [spd]), np.log(np.linalg.det(spd)))
    assert np.isnan(apply_call("logdet", False, [np.array([[0.0, 1.0], [1.0, 0.0]])]))   # det -1
    assert apply_binop(Op.GE, X, np.array(2.0)).tolist() == [[0, 1, 1], [1, 0, 0]]


def test_max_gradient_is_shared_at_a_tie():
    x = np.array([[1.0, 3.0, 3.0]])
    out = apply_call("max", False, [x])
    assert VJPS["max"][0](np.array(1.0), out, x).tolist() == [[0.0, 0.5, 0.5]]


def test_kinks_are_zero_at_ties_and_bounds_and_change_sign_across():
    assert {"max", "min", "maximum", "minimum", "clip", "sign", "norm", ">", "<="} <= set(KINKS)
    x = np.array([[1.0, 3.0, 3.0]])
    assert np.count_nonzero(kink_argument("max", [x]) == 0) == 2
    before, after = np.array([[1.0, 3.0, 2.9]]), np.array([[1.0, 3.0, 3.1]])
    changed = np.sign(kink_argument("max", [before])) != np.sign(kink_argument("max", [after]))
    assert changed.any()
    X = np.array([[1.0, 2.0], [3.0, 3.0]])
    assert (kink_argument("min", [X], {"axis": 1}) == 0).sum() == 2
    lo, hi = np.array(-1.0), np.array(1.0)
    assert kink_argument("clip", [np.array([[-1.0, 0.0, 1.0]]), lo, hi]).tolist() == [[0.0, -1.0, 0.0]]
    assert kink_argument("maximum", [np.array([[2.0]]), np.array([[2.0]])]).tolist() == [[0.0]]


def test_a_max_tie_in_every_draw_is_unchecked():
    text = "dims n\nx : 1 x n\nL = max(x - x)\ndL/dx = zeros(1, n)\n"
    report = check_source(Source("t.deriv", text), verify=True, seed=0)
    (claim,) = report.claims
    assert claim.status == "unchecked" and "kink" in claim.detail


# -------------------------------------------------------------- attributes

@pytest.mark.parametrize("n", [2, 3, 6])
def test_attributes_draw_what_they_say(n):
    rng = np.random.default_rng(n)
    assert set(np.unique(draw_value((4, n), {"pm1"}, rng))) <= {-1.0, 1.0}
    b = draw_value((3, n), {"binary"}, rng)
    assert set(np.unique(b)) == {0.0, 1.0}
    q = draw_value((n, n), {"orthogonal"}, rng)
    assert np.allclose(q.T @ q, np.eye(n), atol=1e-12) and np.allclose(q @ q.T, np.eye(n), atol=1e-12)
    a = draw_value((n, n), {"invertible"}, rng)
    assert np.linalg.cond(a) <= 2.0 + 1e-9 and np.linalg.det(a) > 0
    assert not np.allclose(a, a.T)


@pytest.mark.parametrize("attr", ["orthogonal", "invertible"])
def test_square_attributes_on_other_shapes_are_E207(attr):
    report = check_source(Source("t.deriv", f"dims n, k\nA : n x k {attr}\n"), verify=False)
    assert [d.code for d in report.diagnostics] == ["E207"]


# --------------------------------------------------------------- nearest

@pytest.mark.parametrize("name, candidates, found", [
    ("maxx", ["max", "maximum", "softmax"], "max"),
    ("lgo", ["log", "logdet", "log1p"], "log"),
    ("expp", ["exp", "exit"], "exp"),
    ("argmax", ["max", "softmax", "maximum"], None),
    ("sinh", ["sin", "sign", "sigma", "inv"], "sin"),       # the caller keeps sinh out (known elsewhere)
    ("zzzz", ["sum", "W1"], None),
    ("hiden", ["hidden", "h"], "hidden"),
    ("onehto", ["onehot", "prob"], "onehot"),
    ("w", ["W", "x"], "W"),
    ("q", ["x", "y"], None),
])
def test_nearest(name, candidates, found):
    assert nearest(name, candidates) == found


def test_nearest_keeps_indexed_names_apart():
    assert nearest("W3", ["W1", "W2"], indexed=True) is None
    assert nearest("x1", ["x"], indexed=True) is None
    assert nearest("pm2", ["pm1", "prob"]) == "pm1"


def test_distance_counts_a_swap_as_one():
    assert distance("lgo", "log", 3) == 1 and distance("abc", "abc", 1) == 0 and distance("a", "bcd", 1) == 2


@pytest.mark.parametrize("text, hint", [
    ("y = sinh(x)", "exp(x) - exp(-x)"),
    ("y = argmax(x)", "no function 'argmax'"),
    ("y = maxx(x, x)", None),                  # max takes one argument: nothing fits
])
def test_unknown_functions(text, hint):
    report = check_source(Source("t.deriv", "dims n\nx : 1 x n\n" + text), verify=False)
    (d,) = report.diagnostics
    assert d.code == "E202"
    assert (d.hint is None) if hint is None else (hint in d.hint)


# ------------------------------------------------------------- comparisons

@pytest.mark.parametrize("text", ["x > 0", "a + b >= c", "(a < b) * c", "where(a <= b, a, b)", "(a > b) > c"])
def test_comparisons_print_and_parse_back(text):
    node, problems = parse_expr(text)
    assert not problems
    again, problems = parse_expr(to_source(node))
    assert not problems and to_source(again, parens="all") == to_source(node, parens="all")


def test_comparisons_in_latex_and_unicode():
    node, _ = parse_expr("where(x >= 0, max(x), clip(x, 0, 1)) * (x <= y)")
    assert r"\geq" in fmt.format_expr(node, "latex") and r"\leq" in fmt.format_expr(node, "latex")
    assert r"\max" in fmt.format_expr(node, "latex")
    assert "≥" in fmt.format_expr(node, "unicode") and "≤" in fmt.format_expr(node, "unicode")


def test_chained_comparison_is_a_syntax_error():
    report = check_source(Source("t.deriv", "dims n\na : 1 x n\nb : 1 x n\nc = a < b < a\n"), verify=False)
    assert [d.code for d in report.diagnostics] == ["E100"]


def test_comparisons_are_highlighted_and_continue_a_line():
    from pygments.token import Operator

    from dsl.apps.highlight import DerivLexer
    from dsl.language.statements import split_statements
    tokens = [(t, v) for t, v in DerivLexer().get_tokens("h = (x >= 0) * (a < b)\n") if v.strip()]
    assert (Operator, ">=") in tokens and (Operator, "<") in tokens
    assert len(split_statements("m = x >\n    0\n")) == 1
