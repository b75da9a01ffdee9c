"""An upstream gradient named for a loss the document never writes
(``G = \\partial L / \\partial O``): the loss is read as linear in ``O`` with
gradient ``G``, an input, so the backward-pass claims through ``O`` are
verified (they hold for every loss exactly when they hold for every ``G``).
Pinned with the mistake it lets the linter catch, and with the cases that
keep the opaque reading."""
from __future__ import annotations

from dsl.frontends import extract
from tests.latex_docs import lint_doc as lint

HEAD = ("The inputs are $Q, K \\in \\mathbb{R}^{n \\times d}$ and $V \\in \\mathbb{R}^{n \\times e}$.\n\n"
        "$$S = \\frac{Q K^\\top}{\\sqrt{d}}, \\qquad A = \\operatorname{softmax}(S), \\qquad O = A V$$\n\n")


def test_the_named_upstream_gradient_makes_the_claims_checkable(tmp_path):
    text = HEAD + ("The next layer hands us $G = \\partial L / \\partial O$.\n\n"
                   "$$\\frac{\\partial L}{\\partial V} = A^\\top G$$\n\n"
                   "$$\\frac{\\partial L}{\\partial Q} = \\frac{\\partial L}{\\partial S} K$$\n")
    program = extract("attn.md", text).source.text
    assert "G : n x e\nL = sum(G * O)\n" in program
    report = lint(tmp_path, "attn.md", text, verbose=True)
    assert [(c["line"], c["status"]) for c in report["claims"]] == [(7, "verified"), (9, "wrong")]
    notes = [d["message"] for d in report["diagnostics"] if d["code"] == "N740"]
    assert any("linear in 'O'" in m for m in notes)
    right = lint(tmp_path, "attn.md", text.replace("\\partial S} K", "\\partial S} K / \\sqrt{d}"))
    assert [c["status"] for c in right["claims"]] == ["verified", "verified"]


def test_a_gradient_by_a_value_that_is_not_the_end_of_the_computation_keeps_the_opaque_loss():
    text = HEAD + ("Say $G = \\partial L / \\partial A$.\n\n"
                   "$$\\frac{\\partial L}{\\partial V} = A^\\top G$$\n")
    program = extract("attn.md", text).source.text
    assert "sum(G * A)" not in program and "scalar opaque" in program


def test_a_gradient_the_hand_statements_declare_is_left_to_them(tmp_path):
    text = ("<!-- deriv\ndims n, e\nG : n x e\n-->\n" + HEAD.replace("V \\in", "V \\in") +
            "The next layer hands us $G = \\partial L / \\partial O$.\n\n"
            "$$\\frac{\\partial L}{\\partial V} = A^\\top G$$\n")
    program = extract("attn.md", text).source.text
    assert "L = sum(G * O)" not in program


CHAIN = ("Let $\\mathbf{x} \\in \\mathbb{R}^{d}$, $W \\in \\mathbb{R}^{k \\times k}$,"
         " $U \\in \\mathbb{R}^{k \\times d}$ and $\\mathbf{h}_0 \\in \\mathbb{R}^{k}$.\n\n"
         "$$\\mathbf{a}_1 = W \\mathbf{h}_0 + U \\mathbf{x}, \\qquad \\mathbf{h}_1 = \\tanh(\\mathbf{a}_1), \\qquad"
         " \\mathbf{a}_2 = W \\mathbf{h}_1$$\n\n"
         "For a loss $L$ of the output,\n\n"
         "$$\\frac{\\partial L}{\\partial \\mathbf{h}_1} = W^\\top \\frac{\\partial L}{\\partial \\mathbf{a}_2}$$\n\n"
         "$$\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial \\mathbf{a}_2} \\mathbf{h}_1^\\top$$\n")


def test_claims_all_through_the_gradient_of_an_unwritten_loss_are_checked(tmp_path):
    program = extract("rnn.md", CHAIN).source.text
    assert "_dL_da2 : k x 1\nL = sum(_dL_da2 * a2)\n" in program
    report = lint(tmp_path, "rnn.md", CHAIN, verbose=True)
    assert [(c["line"], c["status"]) for c in report["claims"]] == [(7, "verified"), (9, "wrong")]
    assert any("linear in them" in d["message"] for d in report["diagnostics"] if d["code"] == "N740")
    both = CHAIN.replace("\\mathbf{h}_1^\\top$$", "\\mathbf{h}_1^\\top + \\frac{\\partial L}{\\partial \\mathbf{a}_1}"
                                                 " \\mathbf{h}_0^\\top$$")
    assert [c["status"] for c in lint(tmp_path, "rnn.md", both)["claims"]] == ["verified", "verified"]


def test_a_claim_of_the_loss_without_its_gradient_keeps_the_loss_opaque():
    text = CHAIN + "\n$$\\frac{\\partial L}{\\partial \\mathbf{a}_2} = \\mathbf{a}_2$$\n"
    program = extract("rnn.md", text).source.text
    assert "_dL_da2" not in program and "scalar opaque" in program


def test_a_claim_that_uses_neither_the_gradient_nor_its_name_keeps_the_loss_opaque():
    text = HEAD + ("The next layer hands us $G = \\partial L / \\partial O$.\n\n"
                   "$$\\frac{\\partial L}{\\partial V} = A^\\top G$$\n\n"
                   "$$\\frac{\\partial L}{\\partial O} = O$$\n")
    program = extract("attn.md", text).source.text
    assert "sum(G * O)" not in program and "scalar opaque" in program
