"""A function the prose calls an activation ("the activation $\\phi$") and the
document never defines: ``\\phi(z)`` is a call, entry by entry, of an opaque
function with the shape of its argument, and ``\\phi'(z)`` its derivative, so
the products around them are checked.  Pinned with the mistake it lets the
linter catch, and with ``\\phi (z)`` still a product where nothing says so."""
from __future__ import annotations

from dsl.frontends import extract
from dsl.frontends.declarations import prose
from dsl.frontends.latex_math import Translation, translate
from tests.latex_docs import lint_doc as lint


def test_the_prose_names_an_activation():
    found = [st for st in prose("Passing $z$ through the activation $\\phi$ gives", 0) if st.name == "phi"]
    assert found and found[0].attrs == ("activation",) and found[0].only_attrs
    assert [st.name for st in prose("a non-linearity $f$ applied to", 0)] == ["f"]


def test_an_activation_applied_is_a_call_and_without_the_prose_a_product():
    act = frozenset({"phi"})
    r = translate(r"\frac{\partial J}{\partial h} \odot \phi'(z)", known={"J", "h", "z"}, activations=act)
    assert isinstance(r, Translation) and r.text == "dJ/dh * phi'(z)"
    assert r.aux and r.aux[0][0] == "phi : like z opaque"
    plain = translate(r"2 \phi(z)", known={"z"})
    assert isinstance(plain, Translation) and plain.text == "2 * phi @ z" and not plain.aux


NOTES = """# One hidden layer

The input is $\\mathbf{x} \\in \\mathbb{R}^d$ and $\\mathbf{W} \\in \\mathbb{R}^{h \\times d}$.

$$\\mathbf{z} = \\mathbf{W} \\mathbf{x}$$

Passing $\\mathbf{z}$ through the activation $\\phi$ gives

$$\\mathbf{a} = \\phi(\\mathbf{z})$$

and for a loss $L$ of the output, the activation acts entry by entry:

$$\\frac{\\partial L}{\\partial \\mathbf{z}} = \\frac{\\partial L}{\\partial \\mathbf{a}} \\phi'(\\mathbf{z})$$
"""


def test_a_product_of_two_columns_beside_an_activation_is_caught(tmp_path):
    program = extract("mlp.md", NOTES).source.text
    assert "phi : h x 1 opaque\na = phi(z)\n" in program
    report = lint(tmp_path, "mlp.md", NOTES)
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["severity"] == "error"] == [("E300", 13)]
    fixed = lint(tmp_path, "mlp.md", NOTES.replace("\\phi'(", "\\odot \\phi'("))
    assert [d for d in fixed["diagnostics"] if d["severity"] == "error"] == []


def test_an_activation_of_two_layers_is_one_opaque_function_per_shape():
    text = ("The input is $\\mathbf{x} \\in \\mathbb{R}^d$, $A \\in \\mathbb{R}^{h \\times d}$ and "
            "$B \\in \\mathbb{R}^{k \\times h}$, with the activation $\\phi$.\n\n"
            "$$\\mathbf{z} = A \\mathbf{x}, \\qquad \\mathbf{a} = \\phi(\\mathbf{z})$$\n\n"
            "$$\\mathbf{u} = B \\mathbf{a}, \\qquad \\mathbf{v} = \\phi(\\mathbf{u})$$\n\n"
            "$$\\mathbf{w} = \\phi(\\mathbf{z}) + \\mathbf{a}$$\n")
    program = extract("two.md", text).source.text
    assert "phi : h x 1 opaque\na = phi(z)\n" in program
    assert "phi_2 : k x 1 opaque\nv = phi_2(u)\n" in program
    assert "w = phi(z) + a\n" in program
