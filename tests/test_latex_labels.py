"""Class labels and lower-case entries as notes write them: the indicator
``\\mathbb{1}\\{y_i = k\\}`` (and Iverson's ``[y_i = k]``) and ``p_{i y_i}`` read
with the one-hot label matrix, ``s_{ik}`` as an entry of ``S``, and the terms
``L_i`` of a total ``L``.  Each reading is pinned with the mistake it lets
the linter catch, and with what stays refused."""
from __future__ import annotations

import pytest

from dsl.frontends import extract
from dsl.frontends.entry_names import entry_table, gather
from dsl.frontends.latex_math import Translation, Unreadable, translate
from dsl.frontends.scopes import Plan
from tests.latex_docs import lint_doc as lint


@pytest.mark.parametrize("written", [r"\mathbb{1}\{y_i = k\}", r"\mathbb{1}(y_i = k)", r"[y_i = k]",
                                     r"\mathbb{1}\{k = y_i\}", r"1\{y^{(i)} = k\}"])
def test_the_indicator_of_a_label_is_the_one_hot_entry(written):
    r = translate(r"p_{ik} - " + written, labels={"y": "Y"}, left=translate("g_{ik}"))
    assert isinstance(r, Translation)
    assert r.text.replace("1 * ", "") == "p[i, k] - Y[i, k]"


def test_without_a_one_hot_label_matrix_the_indicator_of_a_label_stays_refused():
    r = translate(r"p_{ik} - \mathbb{1}\{y_i = k\}", left=translate("g_{ik}"))
    assert isinstance(r, Unreadable) and "indicator" in r.what
    bracket = translate(r"p_{ik} - [y_i = k]", left=translate("g_{ik}"))
    assert isinstance(bracket, Unreadable)


def test_an_indicator_of_two_indices_is_still_the_kronecker_delta():
    r = translate(r"p_i (\mathbb{1}\{i = j\} - p_j)", labels={"y": "Y"}, left=translate("J_{ij}"))
    assert isinstance(r, Translation) and "delta(i, j)" in r.text


@pytest.mark.parametrize("written", [r"p_{i y_i}", r"p_{i,y_i}", r"p_{i, y_{i}}"])
def test_an_entry_at_the_label_sums_the_one_hot_row_against_the_entries(written):
    r = translate(r"-\log " + written, labels={"y": "Y"}, left=translate("L_i"))
    assert isinstance(r, Translation)
    assert r.text == "-log(sum[k](Y[i, k] * p[i, k]))"


def test_the_class_index_of_an_entry_at_the_label_is_a_letter_the_side_does_not_use():
    r = translate(r"-\log p_{i y_i} + k", labels={"y": "Y"}, scalars={"k"}, left=translate("L_i"))
    assert isinstance(r, Translation) and "sum[j](Y[i, j] * p[i, j])" in r.text


def test_the_first_pass_notes_capitals_and_totals_of_their_own_entries():
    plan = Plan()
    gather(plan, ["J", r"\frac{1}{m} \sum_n J_n"])
    gather(plan, ["z", "W x"])
    assert plan.per_entry == {"J": "Jn"}
    assert {"J", "W"} <= plan.written


def test_lower_case_entries_are_the_capitals_only_when_the_letter_is_not_a_name():
    plan = Plan()
    plan.written.add("P")
    left = translate("p_{ik}")
    r = translate(r"\frac{e^{s_{ik}}}{\sum_j e^{s_{ij}}}", known={"S"}, left=left)
    assert entry_table(r, {"S"}, plan) == {"s": "S", "p": "P"}
    assert entry_table(r, {"S", "s"}, plan) == {"p": "P"}           # s is a name of its own
    vector = translate(r"s_i + 1", known={"S"}, left=translate("q_i"))
    assert entry_table(vector, {"S"}, plan) == {}                   # one index: not a matrix entry
    assert entry_table(r, {"S", "P"}, plan) == {"s": "S"}           # P defined: a restatement


SOFTMAX = """# Softmax scores

The data is $X$ of shape (N, D) and the weights $W$ of shape (D, C). Scores:

$$S = X W$$

and the probabilities

$$p_{ik} = \\frac{e^{s_{ik}}}{\\sum_j e^{s_{ij}}}$$

with the loss $L_i = -\\log p_{i y_i}$ of each example and the mean

$$L = \\frac{1}{N} \\sum_i L_i$$

Stack the one-hot labels in a matrix $Y$ of the same shape as $S$. Then

$$\\frac{\\partial L}{\\partial S} = \\frac{1}{N} (P - Y)$$

$$\\frac{\\partial L}{\\partial W} = X^T (P - Y)$$
"""


def test_a_softmax_classifier_in_entries_is_read_and_its_lost_factor_caught(tmp_path):
    program = extract("softmax.md", SOFTMAX).source.text
    assert "P[i, k] = exp(S[i, k]) / sum[j](exp(S[i, j]))" in program
    assert "Y : N x C onehot" in program
    assert "Li[i] = -log(sum[k](Y[i, k] * P[i, k]))" in program
    report = lint(tmp_path, "softmax.md", SOFTMAX)
    status = {c["line"]: c["status"] for c in report["claims"]}
    assert status == {17: "verified", 19: "wrong"}


def test_labels_not_stated_one_hot_are_not_read_as_a_matrix(tmp_path):
    text = SOFTMAX.replace("one-hot labels", "labels")
    program = extract("softmax.md", text).source.text
    assert "Y : N x C\n" in program and "Li[i]" not in program
    assert lint(tmp_path, "softmax.md", text)["claims"] == []      # L is not read: nothing is claimed of it


def test_an_iverson_bracket_inside_nested_sums_is_read():
    r = translate(r"-\frac{1}{B} \sum_{n} \sum_{c} [t_n = c] \log a_{nc}", labels={"t": "T"},
                  known={"B"}, scalars={"B"})
    assert isinstance(r, Translation)
    assert r.text == "-(1 / B * sum[n](sum[c](T[n, c] * log(a[n, c]))))"


BATCH = """# Batch cross-entropy

<!-- deriv
dims B, F, K
X : B x F
W : F x K
T : B x K onehot
-->

$$Z = X W$$

$$a_{nc} = \\frac{\\exp(z_{nc})}{\\sum_{j} \\exp(z_{nj})}$$

$$E = -\\frac{1}{B} \\sum_{n} \\sum_{c} [t_n = c] \\log a_{nc}$$

$$\\frac{\\partial E}{\\partial Z} = A - T$$
"""


def test_a_one_hot_matrix_declared_by_hand_gives_the_labels_their_matrix(tmp_path):
    program = extract("batch.md", BATCH).source.text
    assert "E = -(1 / B * sum[n](sum[c](T[n, c] * log(A[n, c]))))" in program
    report = lint(tmp_path, "batch.md", BATCH)
    assert [(c["line"], c["status"]) for c in report["claims"]] == [(16, "wrong")]
    fixed = lint(tmp_path, "batch.md", BATCH.replace("= A - T", "= \\frac{1}{B} (A - T)"))
    assert [c["status"] for c in fixed["claims"]] == ["verified"]


def test_an_indicator_in_braces_holds_its_equals_sign_and_an_inferred_label_matrix_is_one_hot(tmp_path):
    text = ("The inputs are the rows of $X \\in \\mathbb{R}^{m \\times n}$ and"
            " $\\Theta \\in \\mathbb{R}^{n \\times k}$; $Y$ is the one-hot encoding of the labels $y^{(i)}$.\n\n"
            "$$Z = X \\Theta$$\n\n"
            "$$p_{ij} = \\frac{e^{z_{ij}}}{\\sum_{l} e^{z_{il}}}$$\n\n"
            "$$J = -\\frac{1}{m} \\sum_{i=1}^{m} \\sum_{j=1}^{k} 1\\{y^{(i)} = j\\} \\log p_{ij}$$\n\n"
            "$$\\nabla_\\Theta J = -\\frac{1}{m} X^T (Y - P)$$\n")
    program = extract("ufldl.md", text).source.text
    assert "J = -(1 / m * sum[i](sum[j](1 * Y[i, j] * log(P[i, j]))))" in program
    assert "Y : m x k onehot" in program
    assert [c["status"] for c in lint(tmp_path, "ufldl.md", text)["claims"]] == ["verified"]
    wrong = text.replace("-\\frac{1}{m} X^T (Y - P)", "\\frac{1}{m} X^T (Y - P)")
    assert [c["status"] for c in lint(tmp_path, "ufldl.md", wrong)["claims"]] == ["wrong"]
