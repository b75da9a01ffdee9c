"""Functions a document names without defining: opaque in the language
(``l : scalar opaque``), read from LaTeX calls of several arguments, their
arguments and surroundings checked, claims about them left unchecked with
the reason."""
import pytest

from dsl.core.span import Source
from dsl.frontends import extract
from dsl.frontends.latex_math import Translation, translate
from dsl.pipeline import check_source
from tests.latex_docs import claims_on, codes_on, lint_doc, marked

PROGRAM = """dims n, q
o : 1 x q
y : 1 x q onehot
x : 1 x n
W : n x q
l : scalar opaque
L = l(o, y)
o2 = x @ W
M = l(o2, y) + sum(o2)
dL/do = o - y
dM/dW = x.T @ o2
N = l(o @ x, y)
S = L + sum(o)
dS/do = ones(1, q)
"""


@pytest.fixture(scope="module")
def report():
    return check_source(Source("opaque.deriv", PROGRAM), verify=True)


def test_an_opaque_call_has_its_declared_shape_and_its_arguments_are_checked(report):
    codes = [(d.code, d.span.line) for d in report.diagnostics]
    assert ("E300", 12) in codes                       # o @ x inside the call is still checked
    assert not [c for c, line in codes if line in (7, 9)]   # l(o, y): no unknown-function error
    assert all(c != "E202" for c, _ in codes)


def test_a_claim_through_an_opaque_function_is_unchecked_with_the_reason(report):
    verdicts = {r.claim.span.line: (r.status.value, r.detail) for r in report.claims}
    assert verdicts[10] == ("unchecked", "'l' is a function the document does not define")
    assert verdicts[11][0] == "unchecked" and "'l'" in verdicts[11][1]
    assert verdicts[14][0] == "unchecked"                # S depends on L, which depends on l
    assert not [d for d in report.diagnostics if d.code == "W501"]   # no warning: nothing is wrong


def test_without_the_attribute_a_call_is_still_an_unknown_function():
    plain = check_source(Source("p.deriv", "o : 1 x 3\nl : scalar\nL = l(o, o)\n"), verify=False)
    assert [d.code for d in plain.diagnostics] == ["E202"]


@pytest.mark.parametrize("latex, text, func", [
    (r"l(\mathbf{o}, y)", "l(o, y)", "l"),
    (r"\mathrm{CE}(y, \hat y)", "CE(y, yhat)", "CE"),
    (r"J(\boldsymbol{W}, b)", "J(W, b)", "J"),
    (r"2 f(x, y) + 1", "2 * f(x, y) + 1", "f"),
])
def test_a_call_of_several_arguments_reads_as_an_opaque_function(latex, text, func):
    t = translate(latex, left=translate("L"))
    assert isinstance(t, Translation) and t.text == text
    ((decl, start, end),) = t.aux
    assert decl == f"{func} : scalar opaque"
    assert latex[start:end].endswith(func) or func in latex[start:end]


def test_a_built_in_function_is_never_opaque():
    assert translate(r"\sigma(x, y)").aux == ()
    assert translate(r"\operatorname{xent}(y, p)").text == "xent(y, p)"


@pytest.mark.parametrize("latex, name", [
    (r"J(\theta)", "J"), (r"f(x, y)", "f"), (r"\mathcal{L}(\mathbf{W}, \mathbf{b})", "L"),
])
def test_a_left_side_written_as_a_function_defines_the_name(latex, name):
    assert translate(latex).name == name
    assert translate(r"\sigma(x)").name is None               # a built-in is a call, not a definition


def test_the_declaration_is_emitted_once_before_the_equation():
    md = ("<!-- deriv: o : 1 x 3 -->\n<!-- deriv: y : 1 x 3 -->\n"
          "$$ L = l(o, y) $$\n$$ M = 2 l(o, y) $$\n")
    ex = extract("a.md", md)
    assert ex.source.text.count("l : scalar opaque") == 1
    assert ex.source.text.index("l : scalar opaque") < ex.source.text.index("L = l(o, y)")


DOC = r"""# Backpropagation through a one-hidden-layer MLP

<!-- deriv: dims d, k, q -->
<!-- deriv: x : d x 1 -->
<!-- deriv: W1 : k x d -->
<!-- deriv: W2 : q x k -->
<!-- deriv: y : q x 1 -->

$$\mathbf{z}= \mathbf{W}^{(1)} \mathbf{x},$$
$$\mathbf{h}= \sigma (\mathbf{z}),$$
$$\mathbf{o}= \mathbf{W}^{(2)} \mathbf{h}.$$
The loss of one example is $$L = l(\mathbf{o}, y).$$

$$\frac{\partial L}{\partial \mathbf{W}^{(2)}} = \frac{\partial L}{\partial \mathbf{o}} \mathbf{h}^\top$$

$$\frac{\partial L}{\partial \mathbf{h}} = \frac{\partial L}{\partial \mathbf{o}} \mathbf{W}^{(2)}$$
"""


def test_course_notes_with_an_unnamed_loss_are_still_shape_checked(tmp_path):
    report = lint_doc(tmp_path, "mlp.md", DOC)
    assert codes_on(report, "L = l(") == []
    assert claims_on(report, r"\mathbf{h}^\top") == ["unchecked"]
    assert [c["detail"] for c in report["claims"] if "W2" in c["claim"]] == [
        "'l' is a function the document does not define"]
    assert codes_on(report, r"\mathbf{o}} \mathbf{W}^{(2)}") == ["E300"]
    assert marked(report, "E300") == [r"\frac{\partial L}{\partial \mathbf{o}} \mathbf{W}^{(2)}"]
