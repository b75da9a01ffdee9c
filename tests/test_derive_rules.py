"""The rewrite rules of ``dsl.derive.rewrite``, one by one: each fires on an
expression written for it, and the rewritten form has the same value as the
original on drawn inputs (the identity the rule states, checked numerically
over several seeds).  A rule without a case here fails the last test."""
from __future__ import annotations

import numpy as np
import pytest

from dsl.builtins.symbolic import NOSPAN, Algebra
from dsl.core.ast import Name
from dsl.core.span import Source
from dsl.derive.backward import SUMS_TO_ONE, SYMMETRIC
from dsl.derive.rewrite import ALWAYS, ALWAYS_ON, CHOICES, IDENTITIES
from dsl.derive.shapes import Shaper, strip
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr
from dsl.pipeline import check_source, evaluate_source

DECLS = """dims n, k, m
x : 1 x n
u : n x 1
v : 1 x n
w : 1 x n
c : 1 x 1
s : scalar
p : 1 x n positive
q : 1 x n
r : 1 x n
A : n x n
B : n x k
C : k x n
M : n x k
S : n x n symmetric
b : 1 x n binary
z : 1 x n pm1
R : n x n orthogonal
y : 1 x n onehot
Y : m x k onehot
g : 1 x k
h : n x 1
th = tanh(p)
sg = sigma(p)
"""
NAMED = {"tanh(p)": "th", "sigma(p)": "sg"}
"""The definitions above, as ``simplify`` gives them to the rules that read names."""

# rule name -> (expression the rule rewrites at its top node, text the result must contain or None)
CASES = {
    "fold_rule": ("1 * x", "x"),
    "transpose_rule": ("ones(n, k).T", "ones(k, n)"),
    "identity_rule": ("eye(n) * v", "diag(v)"),
    "one_by_one": ("c @ v", "c * v"),
    "outer_rule": ("u * v", "u @ v"),
    "neg_out": ("A @ (-B)", "-(A @ B)"),
    "cancel_rule": ("q / p * p", "q"),
    "label_sum": ("sum(Y, axis=1)", "ones(m, 1)"),
    "diag_sum": ("sum(diag(v), axis=1)", "v.T"),
    "symmetric_rule": ("S.T", "S"),
    "where_rule": ("where(x > 0, x, 0) + where(x > 0, 0, 2 * x)", "where(x > 0, x, 2 * x)"),
    "product_rule": ("A @ (2 * B) / m", "2 * A @ B / m"),
    "linear_rule": ("sum(3 * x / m)", "3 * sum(x) / m"),
    "sum_rule": ("x + x - x / 2", None),
    "push_transpose": ("(A @ B).T", "B.T @ A.T"),
    "push_transpose_twice": ("(A @ B / m).T", "B.T @ A.T / m"),
    "push_transpose_all": ("(A @ (B + M)).T", "(B.T + M.T) @ A.T"),
    "diag_product": ("diag(v) @ B", "v.T * B"),
    "rational_rule": ("(-q / sigma(r) + (1 - q) / (1 - sigma(r))) * sigma'(r)", "sigma(r) - q"),
    "factor_rule": ("A @ u + A.T @ u", "(A + A.T) @ u"),
    "sum_of_product": ("sum(v * w)", "v @ w.T"),
    "distribute": ("p * (q - r)", "p * q - p * r"),
    "attribute_rule": ("R.T @ R", "eye(n)"),
    "reassociate": ("A @ (B @ C)", "A @ B @ C"),
    "spread_rule": ("u @ ones(1, n) * A", "u * A"),
    "scale_right": ("A @ B / s", "A @ (B / s)"),
    "scale_left": ("A @ B * s", "A * s @ B"),
    "indicator_rule": ("where(x > 0, 1, 0)", "x > 0"),
    "sigmoid_rule": ("q / (1 + exp(-x))", "q * sigma(x)"),
    "power_rule": ("x * q * x", "x ** 2 * q"),
    "root_rule": ("sqrt(p) ** 2", "p"),
    "comparison_rule": ("0 < 1 - q", "q < 1"),
    "branch_rule": ("q * (x > 0) + where(x > 0, 0, r)", "where(x > 0, q, r)"),
    "prime_rule": ("1 - tanh(x) ** 2", "tanh'(x)"),
    "named_prime": ("tanh'(p)", "1 - th ** 2"),
    "centred_rule": ("sum(B - mean(B, axis=0), axis=0)", "zeros(1, k)"),
    "zeros_rule": ("zeros(n, k) * g", "zeros(n, k)"),
    "constant_rule": ("sum(B * g, axis=0)", "sum(B, axis=0) * g"),
}

# more cases of the same rules: the other forms their identities name
MORE = [
    ("spread_rule", "A / (ones(n, 1) @ w)", "A / w"),
    ("spread_rule", "u @ ones(1, n) * v", "u * v"),
    ("scale_right", "diag(p) / s", "diag(p / s)"),
    ("scale_right", "q * p / s", "q * (p / s)"),
    ("sigmoid_rule", "-1 / (1 + exp(x)) * exp(x)", "-sigma(x)"),
    ("indicator_rule", "where(b, 1, 0)", "b"),
    ("sigmoid_rule", "q * exp(x) / (1 + exp(x))", "q * sigma(x)"),
    ("sigmoid_rule", "exp(x) / (exp(x) + 1)", "sigma(x)"),
    ("sigmoid_rule", "-1 / sigma(x) * sigma'(x)", "-(1 - sigma(x))"),
    ("sigmoid_rule", "sigma'(x) / sigma(x)", "1 - sigma(x)"),
    ("scale_right", "c * (A @ B)", "A @ (B * c)"),
    ("diag_product", "C @ diag(v)", "C * v"),
    ("diag_product", "diag(u) @ B", "u * B"),
    ("identity_rule", "A @ eye(n)", "A"),
    ("identity_rule", "B * ones(n, k)", "B"),
    ("transpose_rule", "x.T.T", "x"),
    ("transpose_rule", "diag(v).T", "diag(v)"),
    ("push_transpose", "(A + S).T", "A.T + S.T"),
    ("factor_rule", "v @ A + v @ A.T", "v @ (A + A.T)"),
    ("rational_rule", "(q / p - q) * p + q * p", "q"),
    ("rational_rule", "2 * p / (p * q) + x / q", "2 / q + x / q"),
    ("factor_rule", "A @ u / c - A.T @ u / c", "(A - A.T) @ u / c"),
    ("label_sum", "sum(y)", "1"),
    ("sum_of_product", "sum(u * u)", "u.T @ u"),
    ("fold_rule", "2 * 3", "6"),
    ("cancel_rule", "p * q / p", "q"),
    ("symmetric_rule", "inv(S).T", "inv(S)"),
    ("attribute_rule", "b * b", "b"),
    ("attribute_rule", "z * z", "ones(1, n)"),
    ("attribute_rule", "R @ R.T", "eye(n)"),
    ("power_rule", "x ** 2 * x", "x ** 3"),
    ("power_rule", "q / p / p", "q / p ** 2"),
    ("power_rule", "p ** 3 * q / p", "p ** 2 * q"),
    ("power_rule", "p * q / p ** 2", "q / p"),
    ("root_rule", "sqrt(p) ** 4", "p ** 2"),
    ("root_rule", "(x ** 2) ** 3", "x ** 6"),
    ("comparison_rule", "q - r > 0", "q > r"),
    ("comparison_rule", "-q <= 2", "q >= -2"),
    ("comparison_rule", "q + 1 >= 3", "q >= 2"),
    ("comparison_rule", "q - 1 < 0.5", "q < 1.5"),
    ("comparison_rule", "2 - q > 1", "q < 1"),
    ("branch_rule", "where(x > 0, q / s, 2 * r / s)", "where(x > 0, q, 2 * r) / s"),
    ("branch_rule", "q * (x > 0) + r * (x <= 0)", "where(x > 0, q, r)"),
    ("branch_rule", "where(x > 0, 2 * where(x > 0, q, r), where(x > 0, q, r))", "where(x > 0, 2 * q, r)"),
    ("branch_rule", "q * (x > 0) - r * (x <= 0)", "where(x > 0, q, -r)"),
    ("prime_rule", "q * sigma(x) * (1 - sigma(x))", "q * sigma'(x)"),
    ("prime_rule", "softplus'(x)", "sigma(x)"),
    ("root_rule", "(2 * p) ** 2", "4 * p ** 2"),
    ("product_rule", "q / (2 * p) / 3", "q / (6 * p)"),
    ("product_rule", "3.5 * q / (3.5 * p)", "q / p"),
    ("prime_rule", "sigma(x) * q * (1 - sigma(x))", "sigma'(x) * q"),
    ("named_prime", "sigma'(p)", "sg * (1 - sg)"),
    ("centred_rule", "sum((B - mean(B, axis=0)) * g, axis=0)", "zeros(1, k)"),
    ("centred_rule", "mean((B - mean(B, axis=1)) / h, axis=1)", "zeros(n, 1)"),
    ("centred_rule", "sum(B - mean(B))", "0"),
    ("centred_rule", "sum(B - mean(B, axis=0))", "0"),
    ("centred_rule", "sum(M - (B - mean(B, axis=0)) * g, axis=0)", "sum(M, axis=0)"),
    ("zeros_rule", "A @ zeros(n, k)", "zeros(n, k)"),
    ("zeros_rule", "sum(zeros(n, k), axis=0)", "zeros(1, k)"),
    ("zeros_rule", "zeros(n, k).T", "zeros(k, n)"),
    ("zeros_rule", "-zeros(n, k)", "zeros(n, k)"),
    ("zeros_rule", "sum(zeros(n, k))", "0"),
    ("constant_rule", "sum(B / g, axis=0)", "sum(B, axis=0) / g"),
    ("constant_rule", "mean(2 * h * B, axis=1)", "2 * mean(B, axis=1) * h"),
]


def _algebra():
    report = check_source(Source("rules.deriv", DECLS), verify=False)
    assert not report.has_errors, [d.message for d in report.diagnostics]
    env = report.env
    labels = {n: a for n, i in env.names.items() for a in SUMS_TO_ONE if a in i.attrs}
    symmetric = {n: a for n, i in env.names.items() for a in SYMMETRIC if a in i.attrs}
    alg = Algebra(Shaper(env), labels, symmetric, {n: i.attrs for n, i in env.names.items() if i.attrs})
    alg.names = {strip(parse_expr(text)[0]): Name(name, NOSPAN) for text, name in NAMED.items()}
    return alg


def _values(before: str, after: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    text = f"{DECLS}before = {before}\nafter = {after}\n"
    ev = evaluate_source(Source("rules.deriv", text), seed=seed)
    errors = [d.message for d in ev.report.diagnostics + ev.diagnostics if d.is_error]
    assert not errors, errors
    return ev.values["before"], ev.values["after"]


def _rewrite(name: str, text: str) -> str:
    expr, problems = parse_expr(text)
    assert expr is not None and not problems
    found = IDENTITIES[name](_algebra(), strip(expr))
    assert found is not None, f"{name} does not rewrite {text}"
    return to_source(found)


@pytest.mark.parametrize(("name", "text", "expected"),
                         [(n, t, e) for n, (t, e) in CASES.items()] + MORE, ids=lambda v: str(v))
def test_rule_states_an_identity(name, text, expected):
    out = _rewrite(name, text)
    assert out != text
    if expected is not None:
        assert out == expected
    for seed in range(3):
        before, after = _values(text, out, seed)
        if np.size(before) == 1 and np.size(after) == 1:   # a 1 x 1 value counts as a scalar
            before, after = np.reshape(before, ()), np.reshape(after, ())
        np.testing.assert_allclose(np.broadcast_to(after, np.shape(before)), before, rtol=1e-9, atol=1e-12)
        assert np.shape(after) == np.shape(before) or np.size(after) == 1


def test_side_conditions_hold_the_rules_back():
    alg = _algebra()
    # ones(n, k) is not dropped beside a row that it broadcasts to n x k
    expr, _ = parse_expr("v.T * ones(n, n)")
    assert IDENTITIES["identity_rule"](alg, strip(expr)) is None
    # sum(x * y) of a row and a column is not a dot product
    expr, _ = parse_expr("sum(v * u)")
    assert IDENTITIES["sum_of_product"](alg, strip(expr)) is None
    # a transpose of a name not declared symmetric stays
    expr, _ = parse_expr("A.T")
    assert IDENTITIES["symmetric_rule"](alg, strip(expr)) is None
    # sum(q) of a row that is not a label is not 1
    expr, _ = parse_expr("sum(q)")
    assert IDENTITIES["label_sum"](alg, strip(expr)) is None
    # an odd power of a root stays, and so does a power of a power that is not whole
    for text in ("sqrt(p) ** 3", "(p ** 0.5) ** 2"):
        assert IDENTITIES["root_rule"](alg, strip(parse_expr(text)[0])) is None, text
    # products under one condition share a factor: they are not made a where
    assert IDENTITIES["branch_rule"](alg, strip(parse_expr("q * (x > 0) + r * (x > 0)")[0])) is None
    # deviations from a mean sum to zero along its own axis only, and times what is flat along it
    for text in ("sum((B - mean(B, axis=0)) * g, axis=1)", "sum(B - mean(B), axis=0)",
                 "sum((B - mean(B, axis=0)) * M, axis=0)", "sum(B - mean(M, axis=0), axis=0)"):
        assert IDENTITIES["centred_rule"](alg, strip(parse_expr(text)[0])) is None, text
    # a factor that changes along the summed axis stays inside
    assert IDENTITIES["constant_rule"](alg, strip(parse_expr("sum(B * h, axis=0)")[0])) is None
    # a derivative of a call the file does not name stays
    assert IDENTITIES["named_prime"](alg, strip(parse_expr("tanh'(q)")[0])) is None
    # a factor of one branch stays in it when the other is 0 (where_rule moves factors in)
    assert IDENTITIES["branch_rule"](alg, strip(parse_expr("where(x > 0, q / s, 0)")[0])) is None
    # two different numbers are not compared again, nor sums without a number
    for text in ("1 < 2", "q - r > x"):
        assert IDENTITIES["comparison_rule"](alg, strip(parse_expr(text)[0])) is None, text


def test_every_rule_has_a_case():
    assert set(IDENTITIES) == set(CASES)
    assert len(IDENTITIES) == len(ALWAYS) + len(CHOICES)


@pytest.mark.parametrize("name", [r.__name__ for r in ALWAYS])
def test_each_normal_form_rule_is_tried_on_the_nodes_it_rewrites(name):
    cases = [(n, t) for n, (t, _) in CASES.items()] + [(n, t) for n, t, _ in MORE]
    kinds = set()
    for rule_name, text in cases:
        if rule_name == name:
            expr, _ = parse_expr(text)
            kinds.add(type(strip(expr)))
    assert kinds, f"{name} has no case"
    for kind in kinds:
        assert IDENTITIES[name] in ALWAYS_ON[kind], (name, kind.__name__)


@pytest.mark.parametrize(("text", "expected"), [
    ("where(x > 0, 0, 1)", "x <= 0"),                       # the whole: a comparison may stand
    ("q * where(x >= r, 0, 1)", "q * (x < r)"),             # a factor of '*'
    ("where(x > 0, 0, 1) + q", "where(x > 0, 0, 1) + q"),   # an operand of '+': it may not
    ("q + (x > 0)", "q + where(x > 0, 1, 0)"),
    ("exp(x > 0)", "exp(where(x > 0, 1, 0))"),
    ("where(x > 0, x > 1, 0)", "where(x > 0, where(x > 1, 1, 0), 0)"),
    ("where(b, 0, 1)", "where(b, 0, 1)"),                   # a mask has no opposite comparison
])
def test_comparisons_are_placed_where_one_may_stand(text, expected):
    from dsl.derive.conditions import placed
    expr = strip(parse_expr(text)[0])
    out = placed(_algebra(), expr)
    assert to_source(out) == expected
    report = check_source(Source("rules.deriv", f"{DECLS}after = {to_source(out)}\n"), verify=False)
    assert not report.has_errors, [d.message for d in report.diagnostics]
    if not check_source(Source("rules.deriv", f"{DECLS}before = {text}\n"), verify=False).has_errors:
        before, after = _values(text, to_source(out), 0)       # the same value, where both may be written
        np.testing.assert_allclose(after, before)
