"""A loss a document differentiates but never defines (``dsl.frontends.losses``),
and sums over an index written with the set it ranges over."""

from latex_docs import lint_doc

from dsl.core.dims import Shape, Sym
from dsl.frontends import extract
from dsl.frontends.latex_math import Translation, Unreadable, translate


def lint(tmp_path, text, name="notes.md"):
    report = lint_doc(tmp_path, name, text, verbose=True)
    return report["exit_code"], report


def at(report, line, severity=None):
    return [d["code"] for d in report["diagnostics"]
            if d["line"] == line and (severity is None or d["severity"] == severity)]


ATTENTION = r"""# Attention, backward

$Q, K \in \mathbb{R}^{n \times d}$ and $V \in \mathbb{R}^{n \times e}$.

$$S = Q K^\top, \qquad A = \mathrm{softmax}(S), \qquad O = A V$$

The layer above hands us $G = \partial L / \partial O$.

$$\frac{\partial L}{\partial V} = A^\top G$$

$$\frac{\partial L}{\partial A} = G V^\top$$

$$\frac{\partial L}{\partial V} = G A^\top$$
"""


UNNAMED = ATTENTION.replace("The layer above hands us $G = \\partial L / \\partial O$.",
                            "The layer above hands us the gradient on $O$.").replace(
    "A^\\top G$$", "A^\\top \\frac{\\partial L}{\\partial O}$$").replace(
    "G V^\\top$$", "\\frac{\\partial L}{\\partial O} V^\\top$$").replace(
    "G A^\\top$$", "\\frac{\\partial L}{\\partial O} A^\\top$$") + (
    "\n$$\\frac{\\partial L}{\\partial O} = 2 O$$\n")     # a claim of its own: the loss stays opaque


def test_an_undefined_loss_is_an_opaque_scalar_and_the_shapes_around_it_are_checked(tmp_path):
    code, report = lint(tmp_path, UNNAMED)
    assert code == 0 and not [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert "N702" in at(report, 13)       # dL/dO A^T fits only with the gradient a row: skipped, said
    notes = [d for d in report["diagnostics"] if d["code"] == "N740" and "loss(" in d["message"]]
    assert len(notes) == 1 and notes[0]["line"] == 9 and "does not define" in notes[0]["message"]
    unchecked = [c for c in report["claims"] if c["line"] in (9, 11)]
    assert len(unchecked) == 2 and all(c["status"] == "unchecked" for c in unchecked)
    assert all("does not define" in c["detail"] for c in unchecked)


def test_the_loss_is_a_function_of_the_ends_of_the_computation(tmp_path):
    text = extract("a.md", UNNAMED).source.text
    assert "loss : scalar opaque\nL = loss(O)\n" in text
    assert text.index("L = loss(O)") < text.index("dL/dV")


def test_a_named_upstream_gradient_reads_the_loss_as_linear_and_checks_the_claims(tmp_path):
    text = extract("a.md", ATTENTION).source.text
    assert "G : n x e\nL = sum(G * O)\n" in text and "opaque" not in text
    code, report = lint(tmp_path, ATTENTION)
    assert code == 1
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert [(d["code"], d["line"]) for d in errors] == [("E300", 13)]      # G A^T: n x e by n x n
    notes = [d for d in report["diagnostics"] if d["code"] == "N740"]
    assert len(notes) == 1 and notes[0]["line"] == 7 and "linear in 'O'" in notes[0]["message"]
    assert [c["status"] for c in report["claims"] if c["line"] in (9, 11)] == ["verified", "verified"]


def test_a_loss_the_document_defines_further_on_is_not_replaced(tmp_path):
    text = ATTENTION + "\n$$L = \\mathrm{sum}(O)$$\n"
    source = extract("a.md", text).source.text
    assert "opaque" not in source and "dL/dV" not in source


def test_a_numerator_not_written_as_a_loss_is_not_taken_for_one(tmp_path):
    # f may be a vector function: its derivative by a vector is a Jacobian, no reading is guessed
    text = "$x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{m \\times n}$\n\n$$\\frac{\\partial f}{\\partial x} = A$$\n"
    code, report = lint(tmp_path, text)
    assert code == 0 and not at(report, 3, "error")
    assert "N702" in at(report, 3)


def test_a_derivative_by_a_matrix_makes_any_numerator_a_scalar(tmp_path):
    text = ("$X \\in \\mathbb{R}^{m \\times n}$, $W \\in \\mathbb{R}^{n \\times k}$\n\n$$Z = X W$$\n\n"
            "$$\\frac{\\partial g}{\\partial W} = X \\frac{\\partial g}{\\partial Z}$$\n")
    code, report = lint(tmp_path, text)
    assert code == 1 and at(report, 5, "error") == ["E300"]         # X (m x n) by dg/dZ (m x k)


def test_a_value_defined_after_the_loss_is_not_differentiated_through_it(tmp_path):
    text = ("$x \\in \\mathbb{R}^n$, $W \\in \\mathbb{R}^{k \\times n}$\n\n$$z = W x$$\n\n"
            "$$\\frac{\\partial L}{\\partial z} = z$$\n\n$$h = \\tanh(z)$$\n\n"
            "$$\\frac{\\partial L}{\\partial h} = h$$\n")
    code, report = lint(tmp_path, text)
    assert code == 0
    skipped = [d for d in report["diagnostics"] if d["line"] == 9 and d["code"] == "N702"]
    assert skipped and "does not depend on 'h'" in skipped[0]["message"]


def test_a_sum_over_an_index_in_a_set_binds_the_index():
    r = translate(r"-\sum_{w \in \text{Vocab}} y_w \log \hat{y}_w", known={"y", "yhat"}, scalars=set())
    assert isinstance(r, Translation) and r.text == "-sum[w](y[w] * log(yhat[w]))"


def test_a_transposed_entry_beside_whole_vectors_is_not_read_as_an_entry():
    r = translate(r"\sum_w \exp(u_w^\top v_c)", known={"vc"}, scalars=set())
    assert isinstance(r, Unreadable) and "'u'" in r.what


# ------------------------------------------------ the inference around an undefined function

def test_a_name_used_only_inside_an_undefined_function_gets_sizes_of_its_own():
    from dsl.frontends.infer import Equation, solve
    from dsl.language.syntax import parse_expr
    node = parse_expr("ell(o, y)")[0]
    assert node is not None
    sol = solve({"o": Shape((Sym("q"), 1)), "ell": Shape((1, 1))}, {"q"}, [Equation("L", None, node, 0, 3)])
    assert "y" in sol.placeholders and sol.shapes["y"].is_col and not sol.shapes["y"].is_one_by_one
    assert sol.defined["L"].is_one_by_one         # the undefined function is a scalar


def test_a_name_also_used_elsewhere_is_no_placeholder():
    from dsl.frontends.infer import Equation, solve
    from dsl.language.syntax import parse_expr
    eqs = [Equation("L", None, parse_expr("ell(o, y)")[0], 0, 3),
           Equation(None, ("L", "o"), parse_expr("o - y")[0], 1, 5)]
    sol = solve({"o": Shape((Sym("q"), 1)), "ell": Shape((1, 1))}, {"q"}, eqs)
    assert "y" not in sol.placeholders


D2L_STYLE = r"""The input is $\mathbf{x} \in \mathbb{R}^d$, with $\mathbf{W}^{(1)} \in \mathbb{R}^{h \times d}$
and $\mathbf{W}^{(2)} \in \mathbb{R}^{q \times h}$.

$$\mathbf{z} = \mathbf{W}^{(1)} \mathbf{x}, \qquad \mathbf{o} = \mathbf{W}^{(2)} \mathbf{z}$$

The loss of one example with label $y$ is $L = \ell(\mathbf{o}, y)$.

$$\frac{\partial L}{\partial \mathbf{W}^{(2)}} = \frac{\partial L}{\partial \mathbf{o}} \mathbf{z}^\top$$

$$\frac{\partial L}{\partial \mathbf{z}} = \mathbf{W}^{(2)} \frac{\partial L}{\partial \mathbf{o}}$$
"""


def test_a_claim_with_derivative_terms_that_fits_no_layout_is_left_to_the_checker(tmp_path):
    code, report = lint(tmp_path, D2L_STYLE)
    assert code == 1
    errors = [(d["code"], d["line"]) for d in report["diagnostics"] if d["severity"] in ("error", "warning")]
    assert errors == [("E300", 10)]                 # W2 (q x h) by dL/do (q x 1): the missing transpose
    placeholder = [d for d in report["diagnostics"] if d["code"] == "N740" and d["message"].startswith("y :")]
    assert placeholder and "functions the document does not define" in placeholder[0]["message"]


def test_a_claim_that_fits_with_gradients_as_rows_is_still_refused(tmp_path):
    text = D2L_STYLE.replace(r"\mathbf{W}^{(2)} \frac{\partial L}{\partial \mathbf{o}}$$",
                             r"\frac{\partial L}{\partial \mathbf{o}} \mathbf{W}^{(2)}$$")
    code, report = lint(tmp_path, text)
    assert code == 0 and "N741" in at(report, 10)


ROWS = r"""$\mathbf{x} \in \mathbb{R}^n$ and $W \in \mathbb{R}^{k \times n}$, with $\mathbf{z} = W \mathbf{x}$.

$$\frac{\partial L}{\partial \mathbf{x}} = \frac{\partial L}{\partial \mathbf{z}} W$$
"""


def test_a_claim_through_an_undefined_loss_that_fits_only_as_rows_is_not_reported(tmp_path):
    code, report = lint(tmp_path, ROWS)
    assert code == 0 and not at(report, 3, "error")
    notes = [d for d in report["diagnostics"] if d["line"] == 3 and d["code"] == "N702"]
    assert notes and "read as rows" in notes[0]["message"]


def test_the_same_claim_fitting_no_layout_is_reported(tmp_path):
    code, report = lint(tmp_path, ROWS.replace(r"\partial \mathbf{z}} W$$", r"\partial \mathbf{z}} W^\top W$$"))
    assert code == 1 and at(report, 3, "error") == ["E300"]
