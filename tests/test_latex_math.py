"""The LaTeX math subset: one golden translation per construct, the offset
map, what is refused (and where), and that no input crashes the reader."""
import pytest
from hypothesis import given, settings, strategies as st

from dsl.frontends import latex_math
from dsl.frontends.latex_math import Translation, Unreadable, translate

GOLDEN = [
    # derivatives
    (r"\frac{\partial L}{\partial x}", "dL/dx"),
    (r"\dfrac{\partial L}{\partial W_1}", "dL/dW1"),
    (r"\frac{\partial{\theta}}{\partial {h}}", "dtheta/dh"),
    (r"\frac{dL}{dx}", "dL/dx"),
    (r"\frac{\mathrm{d} L}{\mathrm{d} x}", "dL/dx"),
    (r"\partial L / \partial x", "dL/dx"),
    (r"\frac{\partial L}{\partial \hat{y}}\frac{\partial \hat{y}}{\partial \theta}",
     "dL/dyhat @ dyhat/dtheta"),
    # hats and fonts
    (r"\hat{y}", "yhat"), (r"\hat y", "yhat"), (r"{\hat y}", "yhat"),
    (r"\hat{\mathbf{y}}", "yhat"), (r"\widehat{y}", "yhat"), (r"\bar{x}", "xbar"),
    (r"\tilde x", "xtilde"), (r"\mathbf{x}", "x"), (r"\boldsymbol{x}", "x"),
    (r"\textbf{W}", "W"), (r"\bm{h}", "h"), (r"\vec{v}", "v"),
    # subscripts
    (r"W_1", "W1"), (r"W_{1}", "W1"), (r"\textbf{W}_{1}", "W1"), (r"\boldsymbol{b_2}", "b2"),
    (r"b_\theta", "btheta"), (r"W^{(1)}", "W1"), (r"W^{[2]}", "W2"),
    # transposes
    (r"W^T", "W.T"), (r"W^{T}", "W.T"), (r"W^\top", "W.T"), (r"W^\intercal", "W.T"),
    (r"W^{\mathsf T}", "W.T"), (r"W^{\mathsf{T}}", "W.T"), (r"W_2^T", "W2.T"),
    (r"(a + b)^T", "(a + b).T"),
    # products
    (r"a \circ b", "a * b"), (r"a \odot b", "a * b"), (r"x W", "x @ W"), (r"xW", "x @ W"),
    (r"a \circ b c", "a * (b @ c)"), (r"a b \circ c", "a @ b * c"),
    (r"W \cdot h", "W @ h"), (r"2 \cdot x", "2 * x"), (r"2 \times x", "2 * x"),
    (r"2x", "2 * x"), (r"a * b", "a * b"), (r"W_1^Tx", "W1.T @ x"),
    # functions
    (r"\sigma'(a)", "sigma'(a)"), (r"\sigma^\prime(a)", "sigma'(a)"), (r"\sigma^{\prime}(a)", "sigma'(a)"),
    (r"\sigma(a)", "sigma(a)"), (r"\sigma\left( r \right)", "sigma(r)"), (r"\sigma\Big(a\Big)", "sigma(a)"),
    (r"\log x", "log(x)"), (r"\log(x)", "log(x)"), (r"\ln x", "log(x)"), (r"\exp(-a)", "exp(-a)"),
    (r"\tanh a", "tanh(a)"), (r"\tanh^2(a)", "tanh(a) ** 2"), (r"e^{-a}", "exp(-a)"),
    (r"\operatorname{softmax}(\theta)", "softmax(theta)"), (r"\mathrm{diag}(h)", "diag(h)"),
    (r"{\rm Diag}(h)", "diag(h)"), (r"\operatorname{tr}(A^\top B)", "trace(A.T @ B)"),
    (r"\det X", "det(X)"), (r"\det(X)", "det(X)"), (r"\operatorname{xent}(y, \hat y)", "xent(y, yhat)"),
    (r"\operatorname{relu}'(z)", "relu'(z)"), (r"relu'(z)", "relu'(z)"), (r"\tanh'(a)", "tanh'(a)"),
    (r"\sqrt{x}", "sqrt(x)"), (r"|x|", "abs(x)"),
    (r"\text{softmax}(z)", "softmax(z)"),
    # brackets, sums, norms, fractions, powers, inverses
    (r"\left( a + b \right)", "a + b"), (r"\big[ a \big]", "a"), (r"\Bigg( a \Bigg) b", "a @ b"),
    (r"\sum y", "sum(y)"), (r"\sum_i y \circ \log \hat y", "sum(y * log(yhat))"),
    (r"-\sum_{i=1}^{n} y \circ \log \hat{y}", "-sum(y * log(yhat))"),
    (r"\|v\|^2", "sum(v ** 2)"), (r"\|v\|_2^2", "sum(v ** 2)"), (r"\lVert A \rVert_F^2", "sum(A ** 2)"),
    (r"\|v\|", "sqrt(sum(v ** 2))"), (r"\frac{a}{b}", "a / b"), (r"\frac12", "1 / 2"),
    (r"\frac{1}{2}\|z - y\|^2", "1 / 2 * sum((z - y) ** 2)"), (r"h^2", "h ** 2"), (r"h^{1}", "h ** 1"),
    (r"X^{-1}", "inv(X)"), (r"(X^TX)^{-1}X^Ty", "inv(X.T @ X) @ X.T @ y"),
    # Greek letters are names
    (r"\theta", "theta"), (r"\Sigma", "Sigma"), (r"\varepsilon", "epsilon"), (r"θ", "theta"),
    # spacing and labels are ignored
    (r"a \, b\label{eq:1}", "a @ b"), (r"a \quad + b", "a + b"),
]


@pytest.mark.parametrize("latex, expected", GOLDEN)
def test_golden_translation(latex, expected):
    result = translate(latex)
    assert isinstance(result, Translation), result
    assert result.text == expected


def test_seed_002_question_is_read_with_juxtaposition_tighter_than_circ():
    t = translate(r"((\hat{\textbf{y}}-\textbf{y}) \textbf{W}_{2}^{T})\circ\sigma'(a)\textbf{W}_{1}")
    assert t.text == "(yhat - y) @ W2.T * (sigma'(a) @ W1)"
    assert t.grouping == "((yhat - y) @ W2.T) * (sigma'(a) @ W1)"
    assert t.alt == "(yhat - y) @ W2.T * sigma'(a) @ W1"
    assert t.names == {"yhat", "y", "W2", "a", "W1"}


def test_grouping_is_reported_only_when_it_matters():
    assert translate(r"a b \circ c").grouping is None
    assert translate(r"x W + b").alt is None


def test_known_names_keep_a_run_of_letters_whole():
    assert translate(r"logits W").text == "l @ o @ g @ i @ t @ s @ W"
    assert translate(r"logits W", known={"logits"}).text == "logits @ W"


def test_scalars_make_a_product_a_scaling():
    assert translate(r"\frac{1}{m} X^T r").text == "1 / m @ X.T @ r"
    assert translate(r"\frac{1}{m} X^T r", scalars={"m"}).text == "1 / m * X.T @ r"
    assert translate(r"c \cdot W", scalars={"c"}).text == "c * W"
    assert translate(r"\operatorname{tr}(A) W").text == "trace(A) * W"
    assert translate(r"\operatorname{xent}(y, p)").scalar


def test_whole_side_is_classified():
    assert translate(r"\hat{y}").name == "yhat"
    assert translate(r"\frac{\partial L}{\partial W_2}").deriv == ("L", "W2")
    assert translate(r"x W").name is None and translate(r"x W").deriv is None


def test_offset_map_points_at_the_latex_tokens():
    side = r"((\hat y - y) W_2^T) \circ \sigma'(a) W_1"
    t = translate(side)

    def source_of(word):
        at = t.text.index(word)
        piece = next(p for p in t.pieces if p[0] <= at < p[1])
        return side[piece[2]:piece[3]]

    assert source_of("yhat") == r"\hat y"
    assert source_of("W2") == "W_2"
    assert source_of(".T") == "^T"
    assert source_of("*") == r"\circ"
    assert source_of("sigma'(") == r"\sigma'"
    assert t.text.endswith("W1)") and source_of("W1") == "W_1"


@pytest.mark.parametrize("latex, what, at", [
    (r"\mathds{L}", r"'\mathds' is not part of the LaTeX", r"\mathds"),
    (r"x + \mathds{J}^T g", r"'\mathds' is not part", r"\mathds"),
    (r"\sup(0, x)", r"'\sup' is not a chainrule function", r"\sup"),
    (r"\frac{\partial}{\partial h}", "derivative operator", r"\frac"),
    (r"(a + b)'", "a prime is read only on a function", "'"),
    (r"W^{\alpha}", r"the superscript '^{\alpha}' is not read", r"^{\alpha}"),
    (r"x_{a+b}", "subscript", "_{a+b}"),
    (r"A \times B", r"'\times' between two matrices", r"\times"),
    (r"\mathbf{1}^T", "vector of ones", r"\mathbf{1}"),
    (r"3 \mathbf{2}", "vector of ones", r"\mathbf{2}"),
    (r"p;Y", "';' is not part", ";"),
    (r"(a + b", "ends too early", "b"),
    (r"\frac{\partial^2 L}{\partial x^2}", "partial", r"\partial"),
    (r"(a, b)", "a list in brackets", "(a, b)"),
    (r"\log", "has no argument", r"\log"),
])
def test_unreadable_is_located_and_never_guessed(latex, what, at):
    result = translate(latex)
    assert isinstance(result, Unreadable), result
    assert what in result.what
    assert latex[result.start:result.end].startswith(at) or at in latex[result.start:result.end]


def test_too_deep_or_long_is_unreadable_not_a_crash():
    assert isinstance(translate("(" * 500 + "a" + ")" * 500), Unreadable)
    assert isinstance(translate("+".join(["a"] * 3000)), Unreadable)
    assert isinstance(translate("   "), Unreadable)


def test_grammar_conflicts_are_refused_when_loading(tmp_path, monkeypatch):
    bad = tmp_path / "latex_math.lark"
    bad.write_text("?start: e\ne: e \"+\" e | \"a\"\n", encoding="utf-8")
    monkeypatch.setattr(latex_math, "_GRAMMAR_FILES", (bad,))
    latex_math.parser.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="conflict"):
            latex_math.parser()
    finally:
        monkeypatch.undo()
        latex_math.parser.cache_clear()
    assert latex_math.parser() is not None      # the real grammar loads cleanly


LATEXISH = st.lists(st.sampled_from([
    "x", "W", "_1", "_{12}", "^T", "^{-1}", "^2", "'", r"\hat", r"\frac", r"\partial", "{", "}",
    "(", ")", "[", "]", r"\left(", r"\right)", r"\|", "|", "+", "-", r"\circ", r"\cdot", "*", "/",
    r"\sigma", r"\log", r"\sum_i", r"\mathbf", r"\operatorname{tr}", r"\theta", " ", "2", ",", "=",
    r"\mathcal", r"\unknown", "\\", "&", r"\\", "$", "%", "ŷ", "θ", "∂", "^", "_", r"\top", r"\prime",
    r"\nabla", r"\underbrace", r"\cdots", ":", r"\mid", r"\sum_{i,j}", "_{ij}", "_i", "^*", "^{(l)}",
    r"\delta", r"\frac{d}{dx}", r"\text{prod}", "l(o, y)", r"\mathit{ab1}", "{}", r"\left.", r"\star",
]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(LATEXISH)
def test_random_latexish_text_never_crashes(text):
    result = translate(text, known={"xW", "W"}, scalars={"x"}, left=translate("z_{ij}"), plain={"yhat"})
    assert isinstance(result, (Translation, Unreadable))
    result = translate(text, known={"xW"}, scalars={"x"})
    assert isinstance(result, (Translation, Unreadable))
    if isinstance(result, Unreadable):
        assert 0 <= result.start <= result.end <= len(text)
    else:
        assert all(0 <= p[2] <= p[3] <= len(text) for p in result.pieces)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text):
    assert isinstance(translate(text), (Translation, Unreadable))


# --------------------------------------------------- one AST for both readers

def test_the_reader_builds_the_language_ast_with_spans_in_the_latex():
    from dsl.core import ast
    from dsl.language.printer import to_source
    from dsl.language.syntax import parse_expr
    side = r"\frac{\partial L}{\partial \hat y} \circ \sigma'(a) W_1^\top - 2"
    t = translate(side)
    node = t.node
    assert isinstance(node, ast.BinOp) and node.op is ast.Op.SUB
    assert isinstance(node.right, ast.Number) and node.right.value == 2.0
    product = node.left
    assert isinstance(product, ast.BinOp) and product.op is ast.Op.MUL
    assert isinstance(product.left, ast.Deriv)
    assert (product.left.num.id, product.left.den.id) == ("L", "yhat")
    call, transpose = product.right.left, product.right.right
    assert isinstance(call, ast.Call) and call.func == "sigma" and call.prime
    assert isinstance(transpose, ast.Transpose) and isinstance(transpose.operand, ast.Name)

    def written(n):
        return side[n.span.start:n.span.end]

    assert written(product.left) == r"\frac{\partial L}{\partial \hat y}"
    assert written(product.left.den) == r"\hat y"
    assert written(call) == r"\sigma'(a)" and side[call.func_span.start:call.func_span.end] == r"\sigma'"
    assert written(transpose) == r"W_1^\top" and written(transpose.operand) == "W_1"
    assert side[product.op_span.start:product.op_span.end] == r"\circ"
    # one AST, one printer: the text is the printer's, and parses back to the same tree
    assert t.text == to_source(node)
    again, _ = parse_expr(t.text)
    assert to_source(again, parens="all") == to_source(node, parens="all")


def test_every_node_of_a_reading_is_a_language_node():
    from dsl.core import ast
    kinds = (ast.Name, ast.Number, ast.BinOp, ast.Neg, ast.Transpose, ast.Call, ast.Deriv)
    for latex, _ in GOLDEN:
        node = translate(latex).node
        for n in ast.walk(node):
            assert isinstance(n, kinds), (latex, n)
            assert 0 <= n.span.start <= n.span.end <= len(latex), (latex, n)


def test_names_keep_stem_and_subscript_apart_until_used():
    assert translate(r"\hat{y_1}").text == "yhat1"
    assert translate(r"\bar{\mathbf{x}_2}").text == "xbar2"
    assert translate(r"\hat\sigma").text == "sigmahat"


def test_returns_scalar_reads_aliases():
    from dsl.builtins import returns_scalar
    assert returns_scalar("tr") and returns_scalar("xent")
    assert not returns_scalar("softmax") and not returns_scalar("sigma")


def test_a_call_with_several_arguments_before_another_factor():
    # the list after the function is its arguments, not a function of what follows
    from dsl.frontends import latex_math
    for text, want in [(r"\operatorname{xent}(x, x)^\top (2)^\top", "xent(x, x).T * (2).T"),
                       (r"\operatorname{xent}(x, x) (x)", "xent(x, x) * x")]:
        got = latex_math.translate(text, known=frozenset({"x"}))
        assert isinstance(got, latex_math.Translation), got
        assert got.text == want
