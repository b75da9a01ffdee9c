"""Derivatives in their other spellings: of an expression (a named
intermediate defined before the claim), operator forms, gradients, and
d2l's prod(.), which is refused with its reason."""
import pytest

from dsl.frontends.latex_math import Translation, Unreadable, translate
from tests.latex_docs import claims_on, codes_on, lint_doc, marked

KNOWN = {"U", "vc", "W", "L", "J", "x", "w", "theta", "f", "h"}


@pytest.mark.parametrize("latex, text", [
    (r"\frac{d}{dx} f(x)", "df/dx"),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} f", "df/dx"),
    (r"\frac{\partial}{\partial W} L", "dL/dW"),
    (r"2 \frac{\partial}{\partial W} L", "2 * dL/dW"),
    (r"\frac{dL}{dx}", "dL/dx"),
    (r"\nabla_{\mathbf{w}} J", "dJ/dw"), (r"\nabla_\theta L", "dL/dtheta"),
    (r"\nabla_{\mathbf{w}} J(\mathbf{w})", "dJ/dw"),
    (r"\partial_{\mathbf{w}} J", "dJ/dw"), (r"\partial L / \partial w", "dL/dw"),
])
def test_other_spellings_of_a_derivative(latex, text):
    t = translate(latex, known=KNOWN)
    assert isinstance(t, Translation), t
    assert t.text == text and t.aux == ()


@pytest.mark.parametrize("latex, name, definition, written", [
    (r"\frac{\partial (U^T v_c)}{\partial v_c}", "_U_T_vc", "U.T @ vc", "(U^T v_c)"),
    (r"\frac{\partial}{\partial v_c} \left( U^\top v_c \right)", "_U_T_vc", "U.T @ vc",
     r"( U^\top v_c \right)"),                    # \left is layout: the range starts at the bracket
    (r"\frac{\partial}{\partial h}[h W]", "_h_W", "h @ W", "[h W]"),
])
def test_a_derivative_of_an_expression_names_it_first(latex, name, definition, written):
    t = translate(latex, known=KNOWN)
    assert isinstance(t, Translation), t
    assert t.deriv == (name, t.deriv[1])
    ((stmt, start, end),) = t.aux
    assert stmt == f"{name} = {definition}"
    assert latex[start:end] == written
    assert name not in t.names and set(definition.replace(".T", "").split(" @ ")) <= t.names


@pytest.mark.parametrize("latex, what", [
    (r"\nabla J", r"\nabla_{w} J"),
    (r"\frac{\partial}{\partial W}", "derivative operator"),
    (r"\text{prod}(A, B)", "the product whose shapes line up"),
])
def test_unreadable_derivative_forms_say_why(latex, what):
    r = translate(latex, known=KNOWN, left=translate(r"\frac{\partial J}{\partial W}", known=KNOWN))
    assert isinstance(r, Unreadable) and what in r.what


DOC = r"""## Gradients of the skip-gram scores

<!-- deriv: dims d, V -->
<!-- deriv: U : d x V -->
<!-- deriv: vc : d x 1 -->
<!-- deriv: w : d x 1 -->
<!-- deriv: lambda : scalar -->

The Jacobian of the scores is
$$ \frac{\partial (U^\top v_c)}{\partial v_c} = U^\top $$
$$ \frac{\partial}{\partial v_c} \left( U^\top v_c \right) = U $$

The penalty $$ R = \frac{\lambda}{2} \mathbf{w}^\top \mathbf{w} $$ has
$$ \nabla_{\mathbf{w}} R = \lambda \mathbf{w} $$
and $$ \partial_{\mathbf{w}} R = 2 \lambda \mathbf{w} $$
"""


def test_derivatives_of_expressions_and_gradients_in_a_document(tmp_path):
    report = lint_doc(tmp_path, "scores.md", DOC)
    assert claims_on(report, r"= U^\top $$") == ["verified"]
    assert codes_on(report, r"\right) = U $$") == ["E400"]       # the Jacobian transposed
    assert marked(report, "E400") == ["U"]
    assert claims_on(report, r"\nabla_{\mathbf{w}} R") == ["verified"]
    assert codes_on(report, r"\partial_{\mathbf{w}} R") == ["E500"]   # off by a factor of 2
