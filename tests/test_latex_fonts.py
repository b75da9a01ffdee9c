"""\\hat y and \\hat{\\mathbf y} in one document: two values, two names."""
from dsl.frontends.fonts import bold_and_plain
from dsl.frontends.latex_math import translate
from tests.latex_docs import claims_on, codes_on, lint_doc, marked


def test_the_scan_finds_names_written_both_bold_and_plain():
    assert bold_and_plain(r"$\hat{\mathbf{y}} = s$ and $\hat y = p$") == {"yhat"}
    assert bold_and_plain(r"$\mathbf{\hat y} = a$, $\tilde{x} = b$, $\hat{y}= c$, $\tilde{\boldsymbol x} := d$"
                          ) == {"yhat", "xtilde"}
    assert bold_and_plain(r"$\hat{\mathbf y} = s$ with entries $\hat y_i = p_i$") == frozenset()   # entries
    assert bold_and_plain(r"$\hat{\textbf y} = s$, then $\hat y - y$") == frozenset()   # written loosely: one
    assert bold_and_plain(r"$\hat y = p$ only, and $\mathbf{y}$") == frozenset()
    assert bold_and_plain("no math at all") == frozenset()


def test_the_plain_one_gets_a_name_of_its_own_and_entries_stay_entries():
    plain = {"yhat"}
    assert translate(r"\hat{\mathbf{y}} - \hat y", plain=plain).text == "yhat - yhatplain"
    assert translate(r"\mathbf{\hat y}", plain=plain).text == "yhat"
    assert translate(r"\hat y", plain=frozenset()).text == "yhat"          # a document with one of them
    assert translate(r"\frac{\partial L}{\partial \hat y}", plain=plain).deriv == ("L", "yhatplain")
    entry = translate(r"\sum_i y_i \log \hat y_i", plain=plain)
    assert entry.text == "sum[i](y[i] * log(yhat[i]))"


DOC = r"""# Two classifiers

<!-- deriv: dims n, k -->
<!-- deriv: x : n x 1 -->
<!-- deriv: w : n x 1 -->
<!-- deriv: W : k x n -->

Binary: $$ \hat y = \sigma(\mathbf{w}^\top \mathbf{x}) $$ with
$$ \frac{\partial \hat y}{\partial \mathbf{w}} = \hat y (1 - \hat y) \mathbf{x} $$

Multiclass: $$ \hat{\mathbf y} = \operatorname{softmax}(W \mathbf{x}) $$ and
$$ \mathbf{s} = W \hat{\mathbf{y}} $$
"""


def test_a_document_with_a_scalar_and_a_vector_prediction(tmp_path):
    report = lint_doc(tmp_path, "two.md", DOC)
    assert claims_on(report, r"\frac{\partial \hat y}") == ["verified"]
    assert codes_on(report, r"\hat{\mathbf y} = ") == []            # not "already defined"
    assert codes_on(report, r"\mathbf{s} = ") == ["E300"]
    assert marked(report, "E300") == [r"W \hat{\mathbf{y}}"]
