"""Tests for dsl.language.printer: canonical source, round trips, the explain view."""
from __future__ import annotations

import itertools

import lark
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.lark import from_lark

from dsl.builtins import ALIASES, FUNCTIONS
from dsl.core.ast import BinOp, Call, Deriv, Keyword, Name, Neg, Number, Op, Transpose
from dsl.core.dims import Shape, Sym
from dsl.core.span import Span
from dsl.language.printer import explain, to_source, to_source_map
from dsl.language.syntax import grammar_text, parse_expr, parse_statement, parse_text

from test_syntax import MLP, without_spans

NOWHERE = Span("<test>", 1, 1, 1, 1)


def expr(text: str):
    node, diagnostics = parse_expr(text)
    assert diagnostics == [], [d.message for d in diagnostics]
    return node


def reparsed(node, parens: str):
    text = to_source(node, parens=parens)
    again, diagnostics = parse_expr(text)
    assert diagnostics == [], (text, [d.message for d in diagnostics])
    return again


@pytest.mark.parametrize("text, minimal, full", [
    ("p @ q * r @ s", "p @ q * r @ s", "(((p @ q) * r) @ s)"),
    ("a - (b - c)", "a - (b - c)", "(a - (b - c))"),
    ("(a - b) - c", "a - b - c", "((a - b) - c)"),
    ("a / (b * c)", "a / (b * c)", "(a / (b * c))"),
    ("-a ** 2", "-a ** 2", "(-(a ** 2))"),
    ("(-a) ** 2", "(-a) ** 2", "((-a) ** 2)"),
    ("a ** -b", "a ** -b", "(a ** (-b))"),
    ("(a ** b) ** c", "(a ** b) ** c", "((a ** b) ** c)"),
    ("a ** (b ** c)", "a ** b ** c", "(a ** (b ** c))"),
    ("- -a", "--a", "(-(-a))"),
    ("-(a + b)", "-(a + b)", "(-(a + b))"),
    ("xᵀ + x^T", "x.T + x.T", "(x.T + x.T)"),
    ("(a + b).T", "(a + b).T", "(a + b).T"),
    ("(2).T", "(2).T", "(2).T"),
    ("a ∘ b ⊙ c", "a * b * c", "((a * b) * c)"),
    ("[a + b] * c", "(a + b) * c", "((a + b) * c)"),
    ("σ'(a)*sum(X,axis=0)", "sigma'(a) * sum(X, axis=0)", "(sigma'(a) * sum(X, axis=0))"),
    ("sigmoid(a + b)", "sigma(a + b)", "sigma((a + b))"),
    ("∂L/∂x @ dx/dW", "dL/dx @ dx/dW", "(dL/dx @ dx/dW)"),
    ("f()", "f()", "f()"),
    ("1e-3 * x", "1e-3 * x", "(1e-3 * x)"),
])
def test_minimal_and_full_brackets(text, minimal, full):
    node = expr(text)
    assert to_source(node) == minimal
    assert to_source(node, parens="all") == full
    for parens in ("minimal", "all"):
        assert without_spans(reparsed(node, parens)) == without_spans(node)


def test_statements_and_program_round_trip():
    program, _ = parse_text(MLP)
    text = to_source(program)
    assert text.splitlines()[:3] == ["dims n = 5, k = 3", "x : 1 x n", "W1 : n x k"]
    assert "y : 1 x n onehot" in text
    assert "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T" in text
    again, diagnostics = parse_text(text)
    assert diagnostics == []
    assert without_spans(again.statements) == without_spans(program.statements)
    assert to_source(again) == text


@pytest.mark.parametrize("text", [
    "dims n, k = 3", "c : scalar", "c : scalar positive", "layout denominator",
    "dL/dW1 = x.T @ g", "a = -x",
])
def test_statement_forms(text):
    stmt, diagnostics = parse_statement(text)
    assert diagnostics == []
    assert to_source(stmt) == text


def test_define_with_all_brackets():
    stmt, _ = parse_statement("a = x @ W1 + b1")
    assert to_source(stmt, parens="all") == "a = ((x @ W1) + b1)"


def test_numbers_built_without_text():
    assert to_source(Number(0.5, "", NOWHERE)) == "0.5"
    node = BinOp(Op.MUL, Number(-2.0, "", NOWHERE), Name("x", NOWHERE), NOWHERE, NOWHERE)
    assert to_source(node) == "(-2.0) * x"


def test_bad_parens_option():
    with pytest.raises(ValueError):
        to_source(Name("x", NOWHERE), parens="some")


def test_deep_trees_print_without_recursion():
    node = Name("x", NOWHERE)
    for i in range(5000):   # well past the recursion limit
        node = BinOp(Op.ADD, node, Name(f"y{i % 3}", NOWHERE), NOWHERE, NOWHERE)
    text = to_source(node)
    assert text.startswith("x + y0 + y1") and text.count("+") == 5000
    assert to_source(node, parens="all").startswith("(" * 5000 + "x + y0)")
    deep = Name("x", NOWHERE)
    for _ in range(2000):   # explain's indentation makes its output quadratic in depth
        deep = Neg(Transpose(deep, NOWHERE), NOWHERE)
    assert to_source(deep).startswith("-(-(")
    assert len(explain(deep).splitlines()) == 4002


# ---------------------------------------------------------------- explain

def test_explain_without_shapes():
    assert explain(expr("x @ W1 + b1")) == "\n".join([
        "((x @ W1) + b1)",
        "  +",
        "    @",
        "      x",
        "      W1",
        "    b1",
    ])


def test_explain_with_shapes():
    n, k = Sym("n"), Sym("k")
    shapes = {"x": Shape((1, n)), "W1": Shape((n, k)), "b1": Shape((1, k))}

    def shape_of(node):
        match node:
            case Name(id=name):
                return shapes.get(name)
            case BinOp() | Call():
                return Shape((1, k))
            case _:
                return None

    text = explain(expr("x @ W1 + sum(b1, axis=0) + z"), shape_of)
    assert text.splitlines() == [
        "(((x @ W1) + sum(b1, axis=0)) + z)",
        "  +             1 x k",
        "    +           1 x k",
        "      @         1 x k",
        "        x       1 x n",
        "        W1      n x k",
        "      sum()     1 x k",
        "        b1      1 x k",
        "        axis=",
        "          0     ?",
        "    z           ?",
    ]


def test_explain_labels():
    text = explain(expr("-dL/dx.T ** 2 * relu'(a)"))
    assert text.splitlines()[1:] == ["  *", "    neg", "      **", "        .T", "          dL/dx",
                                     "        2", "    relu'()", "      a"]


def test_explain_first_line_reparses():
    node = expr("(yhat - y) @ W2.T * sigma'(a) @ W1.T")
    first = explain(node).splitlines()[0]
    assert without_spans(expr(first)) == without_spans(node)
    stmt, _ = parse_statement("dL/dx = g @ W.T")
    assert explain(stmt).splitlines()[0] == "dL/dx = (g @ W.T)"


# ------------------------------------------------------------- properties

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}", fullmatch=True).filter(
    lambda s: s not in ALIASES)
NUMBER_TEXTS = st.from_regex(r"[0-9]{1,3}(\.[0-9]{0,2})?([eE][+-]?[0-9]{1,2})?|\.[0-9]{1,2}",
                             fullmatch=True)
FUNCS = st.one_of(st.sampled_from(sorted(FUNCTIONS)), NAMES)


def _leaf():
    return st.one_of(
        NAMES.map(lambda n: Name(n, NOWHERE)),
        NUMBER_TEXTS.map(lambda t: Number(float(t), t, NOWHERE)),
        st.tuples(NAMES, NAMES).map(
            lambda p: Deriv(Name(p[0], NOWHERE), Name(p[1], NOWHERE), NOWHERE)),
    )


def _extend(children):
    keyword = st.tuples(NAMES, children).map(lambda p: Keyword(p[0], p[1], NOWHERE))
    return st.one_of(
        st.tuples(st.sampled_from(list(Op)), children, children).map(
            lambda t: BinOp(t[0], t[1], t[2], NOWHERE, NOWHERE)),
        children.map(lambda c: Neg(c, NOWHERE)),
        children.map(lambda c: Transpose(c, NOWHERE)),
        st.tuples(FUNCS, st.lists(children, max_size=3), st.lists(keyword, max_size=2),
                  st.booleans()).map(
            lambda t: Call(t[0], tuple(t[1]), tuple(t[2]), t[3], NOWHERE, NOWHERE)),
    )


EXPRS = st.recursive(_leaf(), _extend, max_leaves=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRS, st.sampled_from(["minimal", "all"]))
def test_printed_trees_reparse_to_themselves(node, parens):
    assert without_spans(reparsed(node, parens)) == without_spans(node)


_LARK = lark.Lark(grammar_text(), parser="lalr", lexer="contextual", start=["statement", "expr"])
# Names from a fixed list, some with letters that are spelled in ASCII (names
# with other letters are refused, which test_syntax covers), so that generated
# expressions are valid; from_lark is slow, so the list also keeps it quick.
_GEN_NAME = st.sampled_from(["x", "W1", "b_2", "yhat", "T", "d", "dx", "delta", "sum",
                             "ŷ", "θ", "σ", "W₁", "x\u0302"])
_GENERATED = from_lark(_LARK, start="expr", explicit={
    "NAME": _GEN_NAME,
    "PRIMED": _GEN_NAME.map(lambda n: n + "'"),
    "DERIV": st.tuples(_GEN_NAME, _GEN_NAME, st.booleans()).map(
        lambda t: f"d{t[0]}/d{t[1]}" if t[2] else f"∂{t[0]} / ∂{t[1]}"),
    "COMMENT": st.just(" # note\n"),
    "WS": st.sampled_from([" ", "\n", "\t"]),
})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_GENERATED)
def test_grammar_generated_text_round_trips(text):
    node, diagnostics = parse_expr(text)
    assert (node is None) == bool(diagnostics)
    if node is not None:
        for parens in ("minimal", "all"):
            assert without_spans(reparsed(node, parens)) == without_spans(node)


# ------------------------------------------------------------ the piece map

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRS, st.sampled_from(["minimal", "all", "products"]))
def test_the_piece_map_covers_the_printed_text(node, parens):
    text, pieces = to_source_map(node, parens=parens)
    if parens != "products":
        assert text == to_source(node, parens=parens)
    assert "".join(text[a:b] for a, b, _, _ in pieces) == text
    assert all(p[1] == q[0] for p, q in itertools.pairwise(pieces))
    assert all(s <= e for _, _, s, e in pieces)


def test_pieces_lead_back_to_the_source():
    source = "(a + bb).T @ sigma'(c, d) * -x2"
    text, pieces = to_source_map(expr(source))
    assert text == "(a + bb).T @ sigma'(c, d) * -x2"

    def origin(word):
        at = text.index(word)
        piece = next(p for p in pieces if p[0] <= at < p[1])
        return source[piece[2]:piece[3]]

    assert origin("bb") == "bb" and origin("@") == "@" and origin("*") == "*"
    assert origin("sigma'(") == "sigma'" and origin("x2") == "x2" and origin("-") == "-"
    assert origin(".T").endswith(".T")         # what follows the operand (here its bracket too)
    assert origin("(a") == "("                 # the first piece of a node starts where it does
    text, pieces = to_source_map(expr("x @ (a + b)"))
    assert [p[2:] for p in pieces if text[p[0]:p[1]] in "()"] == [(5, 5), (10, 10)]   # points


def test_products_brackets_show_the_grouping_of_a_chain():
    assert to_source(expr("p @ q * r @ s"), parens="products") == "((p @ q) * r) @ s"
    assert to_source(expr("a + b @ c - d"), parens="products") == "a + b @ c - d"
    assert to_source(expr("a / (b * c)"), parens="products") == "a / (b * c)"
