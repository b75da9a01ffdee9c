"""Tests for dsl.language.syntax: statements, precedence, Unicode, spans, errors, hostile input."""
from __future__ import annotations

import dataclasses
import threading

import lark
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dsl.core import messages
from dsl.core.ast import BinOp, Call, Claim, Decl, Define, Deriv, Dims, Layout, Name, Neg, Number, Op, Transpose
from dsl.core.span import Source
from dsl.language.syntax import (
    MAX_DEPTH,
    _machine,
    _parse_range,
    is_statement,
    needs_more,
    parse,
    parse_expr,
    parse_statement,
    parse_text,
    split_statements,
)

from programs import MLP_BODY

MLP = "# mlp.deriv\ndims n = 5, k = 3\n" + MLP_BODY + """\
dL/dtheta = yhat - y
dL/dx     = (yhat - y) @ W2.T * sigma'(a) @ W1.T
dL/dx = dL/dtheta @ dtheta/dh @ dh/da @ da/dx
"""

# More statement forms, for the properties below.
EXTRA = """\
x : 1xn
c : scalar positive
layout numerator
dims n, k = 3, scalar
q = sum(X, axis=0) ** 2 / n
∂L/∂W₁ = xᵀ @ g
r = [a + b] ∘ c ⊙ d − e
s = 2.T + .5e3 * f'(x) - -y ** -2
t = dims + layout + x
"""

SPAN_FIELDS = {"span", "op_span", "func_span", "name_span"}


def without_spans(node):
    """A node as nested tuples, spans left out: equality 'modulo spans'."""
    if isinstance(node, tuple):
        return tuple(without_spans(n) for n in node)
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,
                *(without_spans(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name not in SPAN_FIELDS))
    return node


def expr(text: str):
    node, diagnostics = parse_expr(text)
    assert diagnostics == [], [d.message for d in diagnostics]
    return node


def shape_of_tree(node) -> str:
    """A compact bracketed rendering of an expression, for precedence tests."""
    match node:
        case Name(id=i):
            return i
        case Number(text=t):
            return t
        case BinOp(op=op, left=l, right=r):
            return f"({shape_of_tree(l)} {op.value} {shape_of_tree(r)})"
        case Neg(operand=o):
            return f"(-{shape_of_tree(o)})"
        case Transpose(operand=o):
            return f"{shape_of_tree(o)}.T"
        case Call(func=f, args=a, prime=p):
            return f"{f}{chr(39) if p else ''}({', '.join(shape_of_tree(x) for x in a)})"
        case Deriv(num=n, den=d):
            return f"d{n.id}/d{d.id}"
    raise AssertionError(node)


def one_error(text: str):
    _, diagnostics = parse_text(text)
    assert len(diagnostics) == 1, [d.message for d in diagnostics]
    return diagnostics[0]


# ------------------------------------------------------------- statements

def test_example_file_parses_cleanly():
    program, diagnostics = parse(Source("mlp.deriv", MLP))
    assert diagnostics == []
    kinds = [type(s).__name__ for s in program.statements]
    assert kinds == ["Dims"] + ["Decl"] * 6 + ["Define"] * 5 + ["Claim"] * 3
    assert program.source_name == "mlp.deriv"
    last = program.statements[-1]
    assert isinstance(last, Claim)
    assert (last.deriv.num.id, last.deriv.den.id) == ("L", "x")
    assert shape_of_tree(last.expr) == "(((dL/dtheta @ dtheta/dh) @ dh/da) @ da/dx)"
    claim = program.statements[-2]
    assert shape_of_tree(claim.expr) == "((((yhat - y) @ W2.T) * sigma'(a)) @ W1.T)"


def test_dims():
    stmt, diags = parse_statement("dims n = 5, k, m = 12")
    assert diags == [] and isinstance(stmt, Dims)
    assert [(i.name, i.value) for i in stmt.items] == [("n", 5), ("k", None), ("m", 12)]
    assert stmt.span.column == 1 and stmt.span.end_column == 22


@pytest.mark.parametrize("text, rows, cols, attrs", [
    ("x : 1 x n", 1, "n", ()),
    ("x : 1×n", 1, "n", ()),
    ("x:1xn", 1, "n", ()),
    ("W : n x k symmetric spd", "n", "k", ("symmetric", "spd")),
    ("y : 1 x n onehot xavier", 1, "n", ("onehot", "xavier")),
    ("c : scalar", None, None, ()),
    ("c : scalar positive", None, None, ("positive",)),
])
def test_declarations(text, rows, cols, attrs):
    stmt, diags = parse_statement(text)
    assert diags == [] and isinstance(stmt, Decl)
    got_rows = stmt.shape.rows.value if stmt.shape.rows else None
    got_cols = stmt.shape.cols.value if stmt.shape.cols else None
    assert (got_rows, got_cols) == (rows, cols)
    assert tuple(a.name for a in stmt.attrs) == attrs
    assert stmt.name_span.start == 0


def test_definition_and_claim_forms():
    stmt, _ = parse_statement("a = x @ W1 + b1")
    assert isinstance(stmt, Define) and stmt.name == "a" and stmt.expr.op is Op.ADD
    for text in ("dL/dx = g", "∂L/∂x = g", "∂ L / ∂ x = g"):
        stmt, diags = parse_statement(text)
        assert diags == [] and isinstance(stmt, Claim), text
        assert (stmt.deriv.num.id, stmt.deriv.den.id) == ("L", "x")


def test_layout():
    for kind in ("numerator", "denominator"):
        stmt, diags = parse_statement(f"layout {kind}")
        assert diags == [] and stmt == Layout(kind, stmt.span)
    diag = one_error("layout transposed")
    assert diag.code == "E403" and "transposed" in diag.message
    assert (diag.span.column, diag.span.end_column) == (8, 18)


# ------------------------------------------------------------- precedence

@pytest.mark.parametrize("text, tree", [
    ("p @ q * r @ s", "(((p @ q) * r) @ s)"),
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b / c", "((a / b) / c)"),
    ("-a ** 2", "(-(a ** 2))"),
    ("a ** -b", "(a ** (-b))"),
    ("a ** b ** c", "(a ** (b ** c))"),
    ("-a @ b", "((-a) @ b)"),
    ("a.T.T", "a.T.T"),
    ("x^T", "x.T"),
    ("xᵀ", "x.T"),
    ("(a + b)ᵀ @ c", "((a + b).T @ c)"),
    ("-x.T", "(-x.T)"),
    ("x.T ** 2", "(x.T ** 2)"),
    ("[a + b] * c", "((a + b) * c)"),
    ("a ∘ b ⊙ c", "((a * b) * c)"),
    ("2.T", "2.T"),
    ("dL/dy @ dy/dx", "(dL/dy @ dy/dx)"),
    ("a + b > c * d", "((a + b) > (c * d))"),
    ("-a <= b ** 2", "((-a) <= (b ** 2))"),
    ("(a > b) * c", "((a > b) * c)"),
    ("a ≥ b", "(a >= b)"),
    ("where(a < b, a, b)", "where((a < b), a, b)"),
])
def test_precedence(text, tree):
    assert shape_of_tree(expr(text)) == tree


def test_operators_map_to_ops():
    ops = []
    stack = [expr(t) for t in ("a + b - c @ d * e / f ** g", "a > b", "a >= b", "a < b", "a <= b")]
    while stack:
        n = stack.pop()
        if isinstance(n, BinOp):
            ops.append(n.op)
            stack += [n.left, n.right]
    assert set(ops) == set(Op)


# ----------------------------------------------------------------- atoms

def test_calls():
    node = expr("sum(X, axis=0)")
    assert isinstance(node, Call) and node.func == "sum" and not node.prime
    assert [k.name for k in node.keywords] == ["axis"] and node.keywords[0].value.value == 0.0
    node = expr("sigma'(a)")
    assert node.func == "sigma" and node.prime and node.func_span.end - node.func_span.start == 6
    assert expr("sigmoid(a)").func == "sigma"
    assert expr("σ(a)").func == "sigma"
    assert expr("σ'(a)").prime
    unknown = expr("sigmoidd(a, b)")
    assert unknown.func == "sigmoidd" and len(unknown.args) == 2
    assert expr("eye()").args == ()


def test_numbers_keep_their_text():
    for text, value in [("2", 2.0), ("0.5", 0.5), (".5", 0.5), ("2.", 2.0), ("1e-3", 0.001),
                        ("1.5E+2", 150.0)]:
        node = expr(text)
        assert isinstance(node, Number) and node.value == value and node.text == text


@pytest.mark.parametrize("text, name", [
    ("ŷ", "yhat"), ("y\u0302", "yhat"), ("θ", "theta"), ("σ", "sigma"), ("W₁", "W1"),
    ("θ̂", "thetahat"), ("x̄", "xbar"), ("Σ", "Sigma"), ("ℓ", "ell"), ("δ2", "delta2"),
])
def test_unicode_names_are_spelled_in_ascii(text, name):
    node = expr(text)
    assert isinstance(node, Name) and node.id == name
    assert (node.span.start, node.span.end) == (0, len(text))


def test_unicode_derivative_and_names():
    node = expr("∂ŷ/∂θ")
    assert isinstance(node, Deriv) and (node.num.id, node.den.id) == ("yhat", "theta")
    stmt, diags = parse_statement("ŷ = softmax(θ)")
    assert diags == [] and stmt.name == "yhat"


@pytest.mark.parametrize("text, tree", [
    ("da/db", "da/db"),                      # a derivative even if `da` is declared
    ("da / db", "(da / db)"),
    ("d / dx", "(d / dx)"),
    ("d/dx", "(d / dx)"),
    ("delta/dx", "delta/dx"),                # d(elta)/d(x): the derivative wins
    ("delta + dims + d1", "((delta + dims) + d1)"),
    ("2 * dL/dW1.T", "(2 * dL/dW1.T)"),
])
def test_d_names(text, tree):
    node = expr(text)
    assert shape_of_tree(node) == tree
    if text == "delta/dx":
        assert (node.num.id, node.den.id) == ("elta", "x")


# ------------------------------------------------------------------ spans

def test_spans_of_operators_calls_and_groups():
    text = "g = (a + b) * sigma'(c) @ W.T"
    stmt, _ = parse_statement(text)
    matmul = stmt.expr
    mul = matmul.left
    assert text[mul.op_span.start:mul.op_span.end] == "*"
    assert text[mul.span.start:mul.span.end] == "(a + b) * sigma'(c)"
    call = mul.right
    assert text[call.span.start:call.span.end] == "sigma'(c)"
    assert text[call.func_span.start:call.func_span.end] == "sigma'"
    assert text[matmul.right.span.start:matmul.right.span.end] == "W.T"
    assert (stmt.span.start, stmt.span.end) == (0, len(text))
    assert (matmul.op_span.line, matmul.op_span.column) == (1, 25)


def test_spans_are_absolute_and_multiline():
    text = "# header\n\ndims n\n  a = (x +\n       y)  # tail\nb = a\n"
    program, diags = parse_text(text)
    assert diags == []
    define = program.statements[1]
    assert (define.span.line, define.span.column, define.span.end_line, define.span.end_column) == (4, 3, 5, 10)
    y = define.expr.right
    assert (y.span.line, y.span.column) == (5, 8) and text[y.span.start] == "y"
    assert program.statements[2].span.line == 6


def test_crlf_line_endings():
    program, diags = parse_text("dims n\r\nx : 1 x n\r\na = x + \r\n  x\r\n")
    assert diags == [] and len(program.statements) == 3
    assert program.statements[2].span.end_line == 4


# -------------------------------------------------------------- splitting

def test_statement_splitting():
    text = ("a = x +\n"        # operator continues
            "  y\n"
            "b = sum(X,\n"     # trailing comma inside brackets: keyword argument continues
            "  axis=0)\n"
            "c = (x\n"         # open bracket continues
            "  @ W)\n"
            "d = (x\n"         # ...unless the next line starts a statement
            "e = y\n")
    ranges = split_statements(text)
    assert [text[s:e].split("=")[0].strip() for s, e in ranges] == ["a", "b", "c", "d", "e"]
    program, diags = parse_text(text)
    assert [s.name for s in program.statements] == ["a", "b", "c", "e"]
    assert [d.code for d in diags] == ["E101"] and diags[0].span.line == 7


def test_operator_line_before_new_statement_is_reported_alone():
    program, diags = parse_text("a = x +\nb = y\n")
    assert [s.name for s in program.statements] == ["b"]
    assert len(diags) == 1 and diags[0].span.line == 1
    assert "expected an operand" in diags[0].message


def test_repl_helpers():
    assert needs_more("a = (x +") and needs_more("a = x @  # more") and needs_more("f(x,")
    assert not needs_more("a = x") and not needs_more("")
    assert is_statement("a = 3") and is_statement("dL/dx = g") and is_statement("x : 1 x n")
    assert not is_statement("x @ W") and not is_statement("dL/dx @ g")


# ----------------------------------------------------------------- errors

def test_several_bad_lines_each_reported_with_good_lines_kept():
    text = ("dims n\n"
            "a = x @ @ W\n"
            "b = x + 1\n"
            "c = x )\n"
            "d = sigma(x\n"
            "e = x · y\n"
            "f = 2 * x\n")
    program, diags = parse_text(text)
    assert [s.name for s in program.statements if isinstance(s, Define)] == ["b", "f"]
    got = [(d.code, d.span.line, d.span.column) for d in diags]
    assert got == [("E100", 2, 9), ("E101", 4, 7), ("E101", 5, 10), ("E102", 6, 7)]


def test_syntax_error_words():
    diag = one_error("a = x @ @ W")
    assert diag.message == "syntax error: expected an operand, found '@'"
    diag = one_error("a = x y")
    assert diag.message == ("syntax error: expected an operator or the end of the statement, "
                            "found the name 'y'")
    assert "'@'" in diag.hint and "'*'" in diag.hint
    diag = one_error("x : ")
    assert "a shape such as 1 x n or scalar" in diag.message
    diag = one_error("a = x +")
    assert diag.message.endswith("found the end of the statement")
    assert (diag.span.column, diag.span.end_column) == (8, 8)
    diag = one_error("a = x ^ 2")
    assert diag.code == "E100" and "'**'" in diag.hint
    diag = one_error("a = x\n  + y")
    assert diag.span.line == 2 and "end of the previous line" in diag.hint
    diag = one_error("é = 1")
    assert "cannot be a name" in diag.message and "theta" in diag.hint
    diag = one_error("m = sum(axis=0, X)")
    assert "positional argument" in diag.message and diag.span.column == 17


@pytest.mark.parametrize("text, code, column, hint_part", [
    ("g = a · b", "E102", 7, "'@'"),
    ("g = a ⋅ b", "E102", 7, "'*'"),
    ("g = a .* b", "E103", 7, "'*'"),
    ("g = a ./ b", "E103", 7, "'/'"),
    ("g = a .^ 2", "E103", 7, "'**'"),
    ("g = W' @ x", "E103", 6, "W.T"),
    ("g = (a + b)' @ x", "E103", 12, "(a + b).T"),
    ("g = x @ W2'", "E103", 11, "W2.T"),
    ("h = sigma(x @ W", "E101", 10, "')'"),
    ("h = x @ W)", "E101", 10, "Remove"),
    ("h = (x @ W]", "E101", 11, "')'"),
])
def test_known_slips(text, code, column, hint_part):
    diag = one_error(text)
    assert diag.code == code and diag.span.column == column
    assert hint_part in diag.hint
    assert diag.message == messages.CATALOGUE[code].template.format(
        **_template_values(diag.message, code))


def _template_values(message: str, code: str) -> dict:
    """Recover template values so the message is checked against the catalogue."""
    if code == "E103":
        return {"op": message[:-len(" is MATLAB notation")]}
    if code == "E101":
        return {"what": message[len("unbalanced bracket: "):]}
    return {}


def test_mismatched_bracket_labels_the_opening():
    diag = one_error("h = (x @ W]")
    assert diag.labels and diag.labels[0].span.column == 5 and diag.labels[0].text == "opened here"


def test_seed_derivation_with_middle_dots():
    # seed 001 writes both products as dots; each one is reported
    _, diags = parse_text("dL/dx = (yhat - y) @ W2.T · [h · (1 - h)] @ W1.T")
    assert [(d.code, d.span.column) for d in diags] == [("E102", 27), ("E102", 32)]


def test_unicode_blanks_minus_and_times():
    program, diags = parse_text("\ufeff\na = x\u00a0− y\u200b\n")
    assert diags == [] and program.statements[0].expr.op is Op.SUB
    assert program.statements[0].span.line == 2
    diag = one_error("a = x × y")
    assert diag.code == "E100" and "'@'" in diag.hint and diag.span.column == 7


def test_valid_uses_of_quote_and_dot():
    assert expr("sigma'(a) * relu' (b)").op is Op.MUL
    assert expr("2./x").op is Op.DIV
    assert expr("2.*x").op is Op.MUL


def test_every_diagnostic_code_is_in_the_catalogue():
    _, diags = parse_text("a = x @ @ W\nb = ·\nc = a .* b\nd = (\nlayout x\ne = " + "-" * 300 + "x")
    assert diags and all(d.code in messages.CATALOGUE for d in diags)
    assert {d.code for d in diags} == {"E100", "E102", "E103", "E101", "E403", "E104"}


# ---------------------------------------------------------- hostile input

def test_empty_and_comment_only():
    for text in ("", "\n\n", "# only\n   # comments\n", "   "):
        program, diags = parse_text(text)
        assert program.statements == () and diags == []


def test_nul_and_binary():
    diag = one_error("a = \x00")
    assert diag.code == "E100" and "U+0000" in diag.message
    junk = bytes(range(256)).decode("latin-1") * 4
    _program, diags = parse_text(junk)
    assert diags and all(d.code in messages.CATALOGUE for d in diags)


def test_deep_parentheses_parse():
    node = expr("(" * 5000 + "x" + ")" * 5000)
    assert node.id == "x" and node.span.start == 5000


def test_deep_expressions_are_refused_not_crashed():
    for text in ("a = " + " + ".join(["x"] * 10000),
                 "a = " + "f(" * 5000 + "x" + ")" * 5000,
                 "a = " + "-" * 5000 + "x",
                 "a = " + "x ** " * 3000 + "y",
                 "a = x" + ".T" * 5000,
                 "a = " + "(x + " * 3000 + "x" + ")" * 3000):
        program, diags = parse_text(text)
        assert program.statements == ()
        assert [d.code for d in diags] == ["E104"]
        assert str(MAX_DEPTH) in diags[0].message


def test_depth_limit_boundary():
    ok, diags = parse_expr("-" * (MAX_DEPTH - 1) + "x")
    assert diags == [] and ok is not None
    bad, diags = parse_expr("-" * MAX_DEPTH + "x")
    assert bad is None and diags[0].code == "E104"


def test_unclosed_deep_brackets():
    diag = one_error("a = " + "(" * 5000)
    assert diag.code == "E101"


def test_parsing_from_threads():
    results = []

    def work(i):
        program, diags = parse_text(f"a{i} = x @ W{i} + b")
        results.append((program.statements[0].name, diags))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["a0", "a1", "a2", "a3"]
    assert all(r[1] == [] for r in results)


# ------------------------------------------------------------- properties

def _well_formed(text: str, diagnostics) -> None:
    for d in diagnostics:
        assert d.code in messages.CATALOGUE
        assert 0 <= d.span.start <= d.span.end <= len(text)
        assert "internal" not in d.message


HOSTILE = st.lists(st.sampled_from(
    [*"abxyzdWT0123456789 \t\n()[]+-*/@=:,.'^#_",
     "**", "·", "∘", "ᵀ", "×", "ŷ", "∂", "é", "\x00", "\u0302", "dims ", "layout ", ".T"]),
    max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=60), HOSTILE,
                 st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_arbitrary_text_never_raises(text):
    _program, diagnostics = parse_text(text)
    _well_formed(text, diagnostics)
    node, diags = parse_expr(text)
    assert (node is None) == bool(diags)


@st.composite
def mutated_text(draw) -> str:
    """Valid statements with a few characters deleted or inserted."""
    lines = (MLP + EXTRA).splitlines()
    text = "\n".join(draw(st.lists(st.sampled_from(lines), min_size=1, max_size=6)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and text:
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + draw(st.sampled_from(list("()+*@-.'x=:#\n ·ᵀ"))) + text[at:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_text())
def test_mutated_valid_text_never_raises(text):
    program, diagnostics = parse_text(text)
    _well_formed(text, diagnostics)
    starts = {s.span.start for s in program.statements}
    for start, end in split_statements(text):  # each statement parsed, or reported, not both
        reported = any(start <= d.span.start <= end for d in diagnostics)
        assert (start in starts) != reported


# ------------------------------------- the accelerated parser against Lark

needs_accelerator = pytest.mark.skipif(
    _machine().fast is None, reason="lark_cython is not installed for this platform: Lark alone parses")


@needs_accelerator
def test_accelerated_parser_takes_valid_statements_and_refuses_errors():
    machine = _machine()
    for line in (MLP + EXTRA).splitlines()[1:]:
        machine.builder.begin(Source("t", line), 0, line)
        assert machine.fast.parse(line, start="statement") is not None, line
    for line in ("a = x @ @ W", "x : 1 x", "a = x · y", "dims = 3", "a = x y"):
        machine.builder.begin(Source("t", line), 0, line)
        with pytest.raises(lark.exceptions.UnexpectedInput):
            machine.fast.parse(line, start="statement")


@needs_accelerator
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_text(), HOSTILE))
def test_accelerated_parser_agrees_with_lark(text):
    source = Source("t", text)
    for start, end in split_statements(text):
        fast = _parse_range(source, start, end, "statement")
        slow = _parse_range(source, start, end, "statement", fast=False)
        assert fast == slow


def test_many_lines_with_the_same_slip_are_described_alike_and_the_replay_is_kept():
    from dsl.language import syntax, syntax_errors
    syntax_errors._ACCEPTS.clear()
    text = "x : 1 x 3\n" + "".join(f"y{i} = x @ @ x\n" for i in range(50))
    _, diags = syntax.parse_text(text, "t.deriv")
    assert len(diags) == 50 and len({d.message for d in diags}) == 1
    assert [d.span.line for d in diags] == list(range(2, 52))
    assert 0 < len(syntax_errors._ACCEPTS) <= 3        # one replay per stack of states, not per line
