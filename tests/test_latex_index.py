"""Index notation in LaTeX math: x_i, W_{ij}, sums, deltas and entries of
derivatives, told apart from names by what the formula binds."""
import pytest

from dsl.apps.fmt import format_statement
from dsl.core.ast import Claim, Decl, Define, Dims
from dsl.frontends.latex_math import Translation, translate
from dsl.language.printer import to_source
from dsl.language.syntax import parse_text
from tests.latex_docs import claims_on, codes_on, lint_doc, marked

KNOWN = {"W", "x", "y", "yhat", "b", "A", "S", "L", "W1", "vc"}


@pytest.mark.parametrize("latex, text", [
    (r"\sum_i y_i \log \hat y_i", "sum[i](y[i] * log(yhat[i]))"),
    (r"-\sum_{i=1}^{n} y_i \log \hat{y}_i", "-sum[i](y[i] * log(yhat[i]))"),
    (r"\sum_{i,j} W_{ij} W_{i,j}", "sum[i, j](W[i, j] * W[i, j])"),
    (r"\sum_{i}\sum_{j} A_{ij} x_j", "sum[i](sum[j](A[i, j] * x[j]))"),
    (r"\sum_i S_{ii}", "sum[i](S[i, i])"),
    (r"\frac{1}{m} \sum_i x_i", "1 / m * sum[i](x[i])"),
    (r"\sum_i y \circ \log \hat y", "sum(y * log(yhat))"),       # no entry of i: the sum of all entries
    (r"\sum_i y \log \hat{y}_i", "sum(y * log(yhat))"),          # an entry beside a whole vector: likewise
    (r"\sum_j \delta_{ij} x_j", "sum(deltaij * x)"),     # i is not bound: a name, so the sum is of every entry
    (r"\sum_{i,j} \delta_{ij} A_{ij}", "sum[i, j](delta(i, j) * A[i, j])"),
    (r"\frac{\partial L}{\partial W_{ij}}", "dL/dW[i, j]"),   # W is known, Wij is not
    (r"\frac{\partial L}{\partial W_1}", "dL/dW1"),           # a digit is a name part
    (r"\partial L / \partial b_j", "dL/db[j]"),
    (r"\sum_i v_{c,i} x_i", "sum[i](vc[i] * x[i])"),             # a word, then the index
    (r"\frac{\partial L}{\partial v_{c,i}}", "dL/dvc[i]"), (r"W_{out,i}", "Wouti"),
    (r"x_i", "xi"), (r"W_{out}", "Wout"), (r"W_i W_1", "Wi @ W1"),  # nothing binds i: names
])
def test_index_notation_is_read_where_the_formula_binds_it(latex, text):
    t = translate(latex, known=KNOWN, scalars={"m"})
    assert isinstance(t, Translation), t
    assert t.text == text


def test_a_left_side_binds_its_indices_when_the_right_side_uses_them():
    lhs = translate("z_i", known=KNOWN)
    assert lhs.text == "zi" and lhs.indices == ("i",)
    rhs = translate(r"\sum_j W_{ij} x_j + b_i", known=KNOWN, left=lhs)
    assert rhs.text == "sum[j](W[i, j] * x[j]) + b[i]" and rhs.left.text == "z[i]"
    assert not rhs.scalar                                   # z is a vector, not a scalar
    plain = translate(r"x W", known=KNOWN, left=lhs)
    assert plain.text == "x @ W" and plain.left is None     # z_i stays the name zi
    claim = translate(r"\frac{\partial L}{\partial W_{ij}}", known=KNOWN)
    assert translate(r"x_i b_j", known=KNOWN, left=claim).text == "x[i] * b[j]"


def test_entries_map_back_to_their_latex():
    side = r"\sum_j W_{ij} x_j"
    t = translate(side, known=KNOWN, left=translate("z_i", known=KNOWN))
    node = t.node
    entry = node.body.left
    assert side[entry.span.start:entry.span.end] == "W_{ij}"
    assert side[entry.base.span.start:entry.base.span.end] == "W"
    assert [side[ix.span.start:ix.span.end] for ix in entry.indices] == ["i", "j"]
    assert side[node.indices[0].span.start:node.indices[0].span.end] == "j"


PROGRAM = """dims n, k, m
A : n x k
B : k x m
x : 1 x n
c : n x 1
S : n x n
L : scalar
C[i, j] = sum[k](A[i, k] * B[k, j])
s = sum[i](x[i] * x[i])
J = sum[i](x[i] * log(x[i]))
tr = sum[i](S[i, i])
D[i, j] = A[j, i]
v[i] = exp(x[i]) / sum[j](exp(x[j]))
o[i, j] = x[i] * c[j]
I[i, j] = delta(i, j) * (x[i] + x[j])
Bb[i, j] = x[j]
dL/dA[i, j] = x[i] * c[j]
"""


def test_fmt_latex_of_index_notation_reads_back_to_the_same_program():
    program, errors = parse_text(PROGRAM)
    assert not errors
    known: set[str] = set()
    for stmt in program.statements:
        if isinstance(stmt, (Dims, Decl)):
            known |= {i.name for i in stmt.items} if isinstance(stmt, Dims) else {stmt.name}
            continue
        assert isinstance(stmt, (Define, Claim))
        left, right = format_statement(stmt, "latex").replace("&", "").split("=", 1)
        lhs = translate(left.strip(), known=known)
        rhs = translate(right.strip(), known=known, left=lhs)
        assert isinstance(rhs, Translation), (left, right, rhs)
        assert f"{(rhs.left or lhs).text} = {rhs.text}" == to_source(stmt), (left, right)
        if isinstance(stmt, Define):
            known.add(stmt.name)


DOC = r"""# Softmax regression, entry by entry

<!-- deriv: dims n, k -->
<!-- deriv: x : 1 x n -->
<!-- deriv: W : n x k -->
<!-- deriv: y : 1 x k onehot -->

The logits are $$ z_j = \sum_i x_i W_{ij} $$
and the probabilities $$ \hat y_j = \frac{\exp(z_j)}{\sum_k \exp(z_k)} $$.
The loss is $$ L = -\sum_j y_j \log \hat y_j $$.

A wrong contraction: $$ u_j = \sum_i x_i W_{ji} $$

$$ \frac{\partial L}{\partial z_j} = \hat y_j - y_j $$

$$ \frac{\partial L}{\partial W_{ij}} = x_i (\hat y_j - y_j) $$

$$ \frac{\partial L}{\partial W_{ij}} = x_j (\hat y_i - y_i) $$
"""


def test_a_document_in_index_notation_is_checked_and_verified(tmp_path):
    report = lint_doc(tmp_path, "softmax.md", DOC)
    for line in ("z_j = ", r"\hat y_j = ", "L = -"):
        assert codes_on(report, line) == []
    assert codes_on(report, "u_j = ") == ["E210"]
    assert marked(report, "E210") == ["_{ji}", "_j"]      # the indices of the uses that disagree
    assert claims_on(report, r"\partial z_j}") == ["verified"]
    assert claims_on(report, r"= x_i (\hat y_j") == ["verified"]
    assert codes_on(report, r"= x_j (\hat y_i") == ["E210"]
