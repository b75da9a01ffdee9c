"""Reading a document as its reader does: the shapes and sizes it states,
its sections and conventions, its blocks of equations, and what --verbose
says it covered.  Each behaviour is shown through ``chainrule lint`` on a
document written for the test (the four fixture documents are written in the
styles of course notes, a homework, a blog post and a notebook, with mistakes
planted on the lines the tests name)."""
import io
import json
from pathlib import Path

import pytest

from dsl.apps.lint import run_lint
from dsl.frontends import extract
from dsl.frontends.declarations import prose, sizes_of, space

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lint"


def lint(tmp_path, name, text, verbose=False, fmt="json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    code = run_lint([str(path)], fmt=fmt, verbose=verbose, out=out)
    if fmt == "json":
        return code, json.loads(out.getvalue())["files"][0]
    return code, out.getvalue()


def codes_by_line(report):
    found = {}
    for d in report["diagnostics"]:
        found.setdefault(d["line"], []).append(d["code"])
    return found


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# ------------------------------------------------------------ the size part

@pytest.mark.parametrize("text, sizes", [
    (r"\mathbb{R}^d", ("d",)),
    (r"\mathbb{R}^{h \times d}", ("h", "d")),
    (r"\mathbb R^{h\times d}", ("h", "d")),
    (r"\R^d", ("d",)),
    (r"\mathbb{R}^{1 \times d}", ("1", "d")),
    ("ℝ^{m×n}", ("m", "n")),
    ("ℝ^(m×n)", ("m", "n")),
    (r"\mathbb{R}^{n}", ("n",)),
    (r"\mathbb{R}^{d_h \times 10}", ("dh", "10")),
    (r"\mathbb{R}", ()),
    (r"\mathbb{R}^{|V| \times d}", ("V", "d")),
    (r"\mathbb{R}^{D_x}", ("Dx",)),
    ("R^D", ("D",)),
])
def test_real_spaces_are_read_with_their_sizes(text, sizes):
    assert space(text) == sizes


@pytest.mark.parametrize("text", [r"\mathbb{R}^{d+1}", r"\mathbb{R}_+", "[0, 1]", r"\{0, 1\}", r"\mathbb{N}^d",
                                  r"\mathbb{R}^{n \times d} \to \mathbb{R}",
                                  r"\mathbb{R}^;", r"\mathbb{R}^", r"\mathbb{R}^{", r"\mathbb{R}^(n"])
def test_other_sets_are_not_shapes(text):     # (the broken ones are not shapes either, and never raise)
    assert space(text) is None


def test_tuples_and_products_of_sizes():
    assert sizes_of("750, 6") == ("750", "6")
    assert sizes_of("n,") == ("n",)
    assert sizes_of(r"n \times d") == ("n", "d")
    assert sizes_of("n x k") == ("n", "k")
    assert sizes_of("n, d + 1") is None


@pytest.mark.parametrize("text, name, sizes, orientation", [
    ("The design matrix `X` has shape `(2, 6)`.", "X", ("2", "6"), None),
    ("X_train shape: (750, 6)", "Xtrain", ("750", "6"), None),
    ("Here $\\mathbf{X}$ of shape $(n, d)$ holds the inputs.", "X", ("n", "d"), None),
    ("and `W1` is a 750 x 6 matrix", "W1", ("750", "6"), None),
    ("where $A$ is an $m \\times n$ matrix", "A", ("m", "n"), None),
    ("Suppose $y$ is a column vector.", "y", (), "column"),
    ("the scores `s`, which are a row vector", "s", (), "row"),
    ("x ∈ ℝ^n", "x", ("n",), None),
    ("the weight matrix **W** (of size [K x D]) holds", "W", ("K", "D"), None),
    ("where x is dimension (1x5), and", "x", ("1", "5"), None),
    ("and $W_1$ is (5x3)", "W1", ("5", "3"), None),
    ("Here \\\\(\\boldsymbol{v}_c\\\\) is the center vector, of length \\\\(d\\\\), and", "vc", ("d",), None),
    ("the matrix \\(U\\), which therefore has \\(d\\) rows and \\(|V|\\) columns.", "U", ("d", "V"), None),
    ("the inputs form a vector $x$ of length n here", "x", ("n",), None),
    ("the examples are the columns of $X$, so $X$ is $n_x \\times m$; layer", "X", ("nx", "m"), None),
    ("My design matrix $X$ has $m$ rows (examples) and $n$ columns (features), and", "X", ("m", "n"), None),
    ("We normalise a mini-batch $X$ of $m$ rows and $d$ features column by column", "X", ("m", "d"), None),
])
def test_prose_statements(text, name, sizes, orientation):
    (st,) = prose(text, 0)
    assert (st.name, st.sizes, st.orientation) == (name, sizes, orientation)


@pytest.mark.parametrize("text, name", [
    ("With the penalty and hyperparameter $\\lambda$, the objective", "lambda"),
    ("plus an L2 penalty of strength $\\lambda$ on the weights", "lambda"),
    ("with learning rate $\\eta$ we update", "eta"),
    ("for a scalar $c$ the rule", "c"),
])
def test_scalars_named_in_prose(text, name):
    (st,) = prose(text, 0)
    assert (st.name, st.sizes, st.only_attrs) == (name, (), False)


def test_a_positive_scalar_stated_in_math(tmp_path):
    tex = ("\\begin{document}\nLet $X \\in \\mathbb{R}^{n \\times d}$ and a penalty with $\\lambda > 0$:\n"
           "$$ A = X^T X + \\lambda I_d $$\n\\end{document}\n")
    assert "lambda : scalar positive" in extract("a.tex", tex).source.text


@pytest.mark.parametrize("text", ["The output has shape (n, k).", "It is a column vector.",
                                  "This matrix has shape (n, d) too.", "so $c$ is $a \\times b = 6$ here",
                                  "and $t$ is $2 \\times 3$x as large"])
def test_prose_without_a_name_states_nothing(text):
    assert prose(text, 0) == []


# ------------------------------------------------------------ declarations

def test_course_notes_statements_declare_the_names_the_formulas_use():
    path = FIXTURES / "mlp_notes.md"
    code, data = _lint_fixture(path)
    slip = line_of(path, r"\mathbf{G} &= \mathbf{S} \mathbf{W}^{(2)}")
    assert codes_by_line(data) == {slip: ["E300"]}
    e300 = data["diagnostics"][0]
    assert "q against h" in e300["message"] and "W_{2}^\\top" in e300["hint"]
    assert "dims d = 784" in extract(str(path), path.read_text(encoding="utf-8")).source.text   # a size value
    assert code == 1


def test_statements_become_declarations_at_their_place(tmp_path):
    md = ("Let $\\mathbf{x}, \\mathbf{y} \\in \\mathbb{R}^{1 \\times n}$ be two rows.\n\n"
          "$$ \\mathbf{z} = \\mathbf{x} \\mathbf{y} $$\n")
    ex = extract("a.md", md)
    assert ex.source.text.splitlines()[:3] == ["dims n", "x : 1 x n", "y : 1 x n"]
    _, report = lint(tmp_path, "a.md", md)
    (e300,) = report["diagnostics"]
    assert (e300["code"], e300["line"]) == ("E300", 3)
    _, text = lint(tmp_path, "a.md", md, verbose=True, fmt="text")
    assert "declared from the document: '\\mathbf{y}' : 1 x n\n  --> " in text
    assert "a.md:1:18" in text                      # the N720 of y points at y's statement


def test_a_statement_after_the_formula_it_explains_is_used(tmp_path):
    md = ("$$ \\mathbf{h} = \\mathbf{W} \\mathbf{x} $$\n\n"
          "where $\\mathbf{W} \\in \\mathbb{R}^{k \\times n}$ and $\\mathbf{x} \\in \\mathbb{R}^{k}$.\n")
    _, report = lint(tmp_path, "a.md", md)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E300", 1)]


def test_a_trailing_statement_is_cut_off_and_the_equation_read(tmp_path):
    md = ("<!-- deriv: dims n, q\nh : n x 1\nW : q x n -->\n"
          "$$ \\mathbf{o} = \\mathbf{W} \\mathbf{h} \\in \\mathbb{R}^q, \\quad "
          "\\mathbf{p} = \\mathbf{h} \\mathbf{W} \\in \\mathbb{R}^q $$\n")
    ex = extract("a.md", md)
    assert ex.source.text.splitlines()[-2:] == ["o = W @ h", "p = h @ W"]
    _, report = lint(tmp_path, "a.md", md)
    assert [d["code"] for d in report["diagnostics"]] == ["E300"]


def test_statements_in_commentary_after_where_are_read(tmp_path):
    md = ("$$ \\mathbf{h} = \\mathbf{W} \\mathbf{x} \\quad \\text{where } \\mathbf{W} \\in \\mathbb{R}^{h \\times d}, "
          "\\mathbf{x} \\in \\mathbb{R}^{d}, d = 784 $$\n$$ \\mathbf{g} = \\mathbf{x} \\mathbf{W} $$\n")
    text = extract("a.md", md).source.text
    assert "dims d = 784" in text and "W : dim_h x d" in text        # h is also a value: the size is renamed
    _, report = lint(tmp_path, "a.md", md)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E300", 2)]


def test_vector_orientation_from_the_document_setting(tmp_path):
    body = ("$\\mathbf{x} \\in \\mathbb{R}^n$, $\\mathbf{W} \\in \\mathbb{R}^{n \\times k}$\n\n"
            "$$ \\mathbf{a} = \\mathbf{x} \\mathbf{W} $$\n")
    assert "x : n x 1" in extract("a.md", body).source.text            # column by default
    _, report = lint(tmp_path, "a.md", body)
    assert [d["code"] for d in report["diagnostics"]] == ["E300"]
    rows = "<!-- deriv: vectors row -->\n" + body
    assert "x : 1 x n" in extract("a.md", rows).source.text
    _, report = lint(tmp_path, "a.md", rows)
    assert report["diagnostics"] == []
    stated = "$\\mathbf{x}$ is a row vector.\n\n" + body
    assert "x : 1 x n" in extract("a.md", stated).source.text
    tex = "% deriv: vectors row\n\\begin{document}\n" + body + "\\end{document}\n"
    assert "x : 1 x n" in extract("a.tex", tex).source.text


def test_sizes_are_size_values_and_never_collide_with_a_hand_dims(tmp_path):
    md = ("We use $m = 750$ examples, $\\mathbf{X} \\in \\mathbb{R}^{m \\times n}$ and "
          "$\\mathbf{w} \\in \\mathbb{R}^n$.\n\n$$ \\mathbf{r} = \\frac{1}{m} \\mathbf{X} \\mathbf{w} $$\n")
    assert extract("a.md", md).source.text.startswith("dims m = 750\n")
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []
    by_hand = "<!-- deriv: dims m, n -->\n" + md
    assert "m = 750" not in extract("a.md", by_hand).source.text
    _, report = lint(tmp_path, "a.md", by_hand)
    assert report["diagnostics"] == []                 # no E201 for m, no definition of m


def test_a_one_hot_label_is_drawn_one_hot(tmp_path):
    md = ("The scores come from $\\mathbf{U} \\in \\mathbb{R}^{|V| \\times d}$ and "
          "$\\mathbf{v} \\in \\mathbb{R}^d$, and\n"
          "$\\mathbf{y} \\in \\mathbb{R}^{|V|}$ is the one-hot true distribution.\n\n"
          "$$\\hat{\\mathbf{y}} = \\operatorname{softmax}(\\mathbf{U} \\mathbf{v})$$\n\n"
          "$$J = -\\mathbf{y}^\\top \\log \\hat{\\mathbf{y}}$$\n\n"
          "$$\\frac{\\partial J}{\\partial \\mathbf{v}} = \\mathbf{U}^\\top (\\hat{\\mathbf{y}} - \\mathbf{y})$$\n")
    assert "y : V x 1 onehot" in extract("a.md", md).source.text
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == [] and [c["status"] for c in report["claims"]] == ["verified"]


def test_latex_prose_states_shapes_too(tmp_path):
    tex = ("\\begin{document}\nThe inputs $X$ have shape $(n, d)$ and $w$ is of size $(d, 1)$.\n"
           "$$ r = X w $$\n$$ s = w X $$\n\\end{document}\n")
    _, report = lint(tmp_path, "a.tex", tex)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E300", 4)]


def test_a_label_value_is_not_a_size(tmp_path):
    md = ("<!-- deriv: dims n\nx : 1 x n\ny : 1 x n -->\nWhen $y = 1$ the loss is small.\n\n"
          "$$ \\mathbf{d} = \\mathbf{x} - \\mathbf{y} $$\n")
    assert "dims y" not in extract("a.md", md).source.text
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []


def test_conflicting_statements_name_both_places(tmp_path):
    md = ("Let $\\mathbf{x} \\in \\mathbb{R}^n$.\n\nLater, carelessly, $\\mathbf{x} \\in \\mathbb{R}^{m \\times n}$.\n")
    _, report = lint(tmp_path, "a.md", md)
    (w,) = report["diagnostics"]
    assert (w["code"], w["line"]) == ("W720", 3)
    assert "on line 1" in w["message"] and "m x n" in w["message"]


def test_an_example_with_numbers_for_the_symbols_is_no_conflict(tmp_path):
    md = ("The design matrix `X` has shape `(n, d)`.\n\nFor MNIST, `X` has shape `(60000, 784)`.\n\n"
          "$w \\in \\mathbb{R}^d$\n\n$$ r = X w $$\n")
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []
    assert "X : n x d" in extract("a.md", md).source.text


def test_two_spellings_of_one_name_with_two_shapes_give_it_no_shape(tmp_path):
    md = ("For a scalar $x \\in \\mathbb{R}$ the function is applied entrywise to "
          "$\\mathbf{x} \\in \\mathbb{R}^n$.\n\n$$ \\mathbf{y} = \\mathbf{x} + \\mathbf{x} $$\n")
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []
    assert "x :" not in extract("a.md", md).source.text


def test_agreeing_statements_are_one(tmp_path):
    md = ("Let $\\mathbf{x} \\in \\mathbb{R}^n$ be a row vector; "
          "$\\mathbf{x} \\in \\mathbb{R}^{1 \\times n}$ again.\n")
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []


def test_latex_spelling_in_hand_declarations(tmp_path):
    tex = ("% deriv: dims n, k, h\n% deriv: W_1 : n x k\n% deriv: \\mathbf{W}^{(2)} : k x h\n"
           "\\begin{document}\n% deriv: \\hat{y} : 1 x h\n% deriv: x : 1 x n\n"
           "$$ a = x W_1 $$\n$$ o = a \\mathbf{W}^{(2)} - \\hat{y} $$\n$$ e = W_1 a $$\n\\end{document}\n")
    ex = extract("a.tex", tex)
    declared = [line.strip() for line in ex.source.text.splitlines() if line.strip()[:4] in ("W1 :", "W2 :", "yhat")]
    assert declared == ["W1 : n x k", "W2 : k x h", "yhat : 1 x h"]
    _, report = lint(tmp_path, "a.tex", tex)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E300", 9)]
    md = "<!-- deriv: dims n\n\\hat{y} : 1 x n\ny : 1 x n -->\n$$ r = \\hat{y} - y $$\n"
    assert "yhat : 1 x n" in extract("a.md", md).source.text


def test_an_underscore_name_the_hand_statements_use_is_kept(tmp_path):
    md = ("```deriv\ndims n\nW_out : n x n\nx : 1 x n\nh = x @ W_out\n```\n"
          "<!-- deriv: W_1 : n x n -->\n$$ a = x W_1 $$\n")
    assert extract("a.md", md).source.text.splitlines()[1:] == [
        "W_out : n x n", "x : 1 x n", "h = x @ W_out", "W1 : n x n", "a = x @ W1"]
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []


def test_homework_with_settings_and_hand_names_finds_the_planted_slips():
    path = FIXTURES / "reading_homework.tex"
    code, data = _lint_fixture(path)
    sign = line_of(path, r"\frac{\partial J}{\partial b} = y - p")
    slip = line_of(path, r"\mathbf{u} = \mathbf{a} \mathbf{W}_1")
    assert codes_by_line(data) == {sign: ["E500"], slip: ["E300"]}
    claims = {c["line"]: c["status"] for c in data["claims"]}
    assert claims[line_of(path, r"= (p - y) \mathbf{x}")] == "verified"
    assert code == 1


def test_blog_post_in_kramdown_with_prose_shapes():
    path = FIXTURES / "kramdown_post.md"
    code, data = _lint_fixture(path)
    slip = line_of(path, r"= \frac{1}{m} X r \\]")
    assert codes_by_line(data) == {slip: ["E300", "N510"]}          # N510: the derived right side, as the fix
    claims = {c["line"]: c["status"] for c in data["claims"]}
    assert claims[line_of(path, r"= \frac{1}{m} X^T r \\]")] == "verified"
    assert code == 1


def test_notebook_prose_shapes_and_bare_equation_environments():
    path = FIXTURES / "softmax_cells.ipynb"
    code, data = _lint_fixture(path)
    (e300,) = data["diagnostics"]
    assert (e300["code"], e300["cell"], e300["line"]) == ("E300", 3, 6)
    assert code == 1


def test_shapes_a_notebook_cell_prints_are_statements_on_that_cell(tmp_path):
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": 1,
         "source": ["X = np.loadtxt('data.csv')\n", "print('X shape:', X.shape, 'w shape:', w.shape)"],
         "outputs": [{"output_type": "stream", "name": "stdout",
                      "text": ["X shape: (750, 6)\n", "w shape: (6, 1)\n"]}]},
        {"cell_type": "markdown", "metadata": {},
         "source": ["Predictions $\\hat{y} = X w$; the slip:\n", "$$ g = w X $$"]},
    ]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    _, report = lint(tmp_path, "a.ipynb", nb)
    (e300,) = report["diagnostics"]
    assert (e300["code"], e300["cell"], e300["line"]) == ("E300", 2, 2) and "6 x 1 @ 750 x 6" in e300["message"]


def _lint_fixture(path: Path):
    out = io.StringIO()
    code = run_lint([str(path)], fmt="json", out=out)
    return code, json.loads(out.getvalue())["files"][0]


# ------------------------------------------------------------ scopes

def test_a_later_section_restating_a_name_starts_a_scope(tmp_path):
    md = ("## Regression\n\nLet $\\mathbf{X} \\in \\mathbb{R}^{n \\times d}$, $\\mathbf{w} \\in \\mathbb{R}^{d}$.\n\n"
          "$$ \\mathbf{y} = \\mathbf{X} \\mathbf{w} $$\n\n## Classes\n\n"
          "Now $\\mathbf{w} \\in \\mathbb{R}^{d \\times q}$.\n\n"
          "$$ \\mathbf{O} = \\mathbf{X} \\mathbf{w} $$\n\n$$ \\mathbf{P} = \\mathbf{w} \\mathbf{X} $$\n")
    _, report = lint(tmp_path, "a.md", md)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("N721", 9), ("E300", 13)]
    assert "on line 3" in report["diagnostics"][0]["message"]
    e300 = report["diagnostics"][1]
    assert "w_2" not in e300["message"] + e300["hint"] and "`X w`" in e300["hint"]


def test_latex_sections_are_scopes_too(tmp_path):
    tex = ("\\begin{document}\n\\section{One}\n$x \\in \\mathbb{R}^n$, $W \\in \\mathbb{R}^{k \\times n}$\n"
           "$$ a = W x $$\n\\section{Two}\n$x \\in \\mathbb{R}^{k}$\n$$ b = W x $$\n\\end{document}\n")
    _, report = lint(tmp_path, "a.tex", tex)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("N721", 6), ("E300", 7)]


def test_vectors_stated_before_a_switch_to_column_vectors_hold_no_more(tmp_path):
    md = ("Here $\\mathbf{x}$ is (1x5) and $W$ is (5x3), so $\\mathbf{a} = \\mathbf{x} W$ is a row.\n\n"
          "Let me restate this in terms of column vectors:\n\n$$ \\mathbf{c} = W^T \\mathbf{x} $$\n")
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []                 # no E300 from the question's row x
    ex = extract("a.md", md)
    assert ex.source.text.splitlines()[-1] == "a = x @ W"
    assert any("not declared or defined: x" in d.message for d in ex.verbose)
    restated = md + "\nwith $\\mathbf{x} \\in \\mathbb{R}^{5}$ now.\n\n$$ \\mathbf{e} = W \\mathbf{x} $$\n"
    _, report = lint(tmp_path, "a.md", restated)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("N721", 7), ("E300", 9)]


def test_a_claim_through_a_definition_that_was_not_read_is_not_verified(tmp_path):
    md = ("Let $\\mathbf{x} \\in \\mathbb{R}^{1 \\times n}$, $\\mathbf{W} \\in \\mathbb{R}^{n \\times k}$, "
          "$\\mathbf{V} \\in \\mathbb{R}^{k \\times n}$ and the hidden $\\mathbf{h} \\in \\mathbb{R}^{1 \\times k}$, "
          "the activation of $\\mathbf{x} \\mathbf{W}$.\n\n"
          "$$ L = \\operatorname{sum}(\\mathbf{h} \\mathbf{V}) $$\n\n"
          "$$ \\frac{\\partial L}{\\partial \\mathbf{W}} = \\mathbf{x}^T \\mathbf{1} $$\n")
    ex = extract("a.md", md)
    assert "dL/dW" not in ex.source.text
    assert any("'L' does not depend on 'W'" in d.message for d in ex.verbose)
    _, report = lint(tmp_path, "a.md", md)
    assert [d["code"] for d in report["diagnostics"] if d["severity"] != "note"] == []


# ------------------------------------------------------------ conventions

CDOT = ("Let $\\mathbf{a}, \\mathbf{g} \\in \\mathbb{R}^{1 \\times k}$, "
        "$\\mathbf{W} \\in \\mathbb{R}^{k \\times n}$.\n\n"
        "$$ \\mathbf{d} = \\mathbf{g} \\cdot \\mathbf{a} $$\n\n$$ \\mathbf{e} = \\mathbf{d} \\cdot \\mathbf{W} $$\n")


def test_cdot_is_read_as_the_product_that_fits_with_a_note(tmp_path):
    _, report = lint(tmp_path, "a.md", CDOT)
    (note,) = report["diagnostics"]
    assert (note["code"], note["line"]) == ("N722", 3) and "elementwise" in note["message"]
    assert "d = g * a" in extract("a.md", CDOT).source.text
    assert "e = d @ W" in extract("a.md", CDOT).source.text


def test_a_declared_cdot_is_read_so_and_checked(tmp_path):
    _, report = lint(tmp_path, "a.md", "<!-- deriv: cdot elementwise -->\n" + CDOT)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E301", 6)]


def test_where_both_readings_check_the_documents_use_decides_and_says_so(tmp_path):
    md = ("Let $\\mathbf{a}, \\mathbf{g} \\in \\mathbb{R}^{1 \\times k}$, "
          "$\\mathbf{A}, \\mathbf{B} \\in \\mathbb{R}^{k \\times k}$.\n\n"
          "$$ \\mathbf{c} = \\mathbf{A} \\cdot \\mathbf{B} $$\n\n$$ \\mathbf{d} = \\mathbf{g} \\cdot \\mathbf{a} $$\n\n"
          "$$ \\mathbf{e} = \\mathbf{A} \\cdot \\mathbf{B} $$\n")
    _, report = lint(tmp_path, "a.md", md)
    notes = [(d["code"], d["line"]) for d in report["diagnostics"]]
    assert notes == [("N722", 3), ("N722", 5), ("N722", 7)]
    assert "checks here too" in report["diagnostics"][0]["message"]        # no use yet: said, not guessed
    assert "elementwise" in report["diagnostics"][2]["message"]
    assert extract("a.md", md).source.text.splitlines()[-1] == "e = A * B"


def test_gradients_as_rows_under_a_declared_numerator_layout(tmp_path):
    md = ("<!-- deriv: layout numerator -->\nLet $\\mathbf{x}, \\mathbf{y} \\in \\mathbb{R}^{n}$.\n\n"
          "$$ J = \\mathbf{x}^T \\mathbf{y} $$\n\n$$ \\frac{\\partial J}{\\partial \\mathbf{x}} = \\mathbf{y}^T $$\n")
    _, report = lint(tmp_path, "a.md", md)
    assert [d["code"] for d in report["diagnostics"]] == ["N722"]
    assert [c["status"] for c in report["claims"]] == ["verified"]
    _, plain = lint(tmp_path, "a.md", md.split("\n", 1)[1])
    assert [d["code"] for d in plain["diagnostics"]] == ["E400"]             # the default: a column


ROWS = ("Let $\\mathbf{x}, \\mathbf{w}, \\mathbf{y} \\in \\mathbb{R}^{n}$.\n\n$$ J = \\mathbf{w}^T \\mathbf{x} $$\n\n"
        "$$ \\frac{\\partial J}{\\partial \\mathbf{x}} = \\mathbf{w}^T $$\n\n$$ K = \\mathbf{y}^T \\mathbf{x} $$\n\n"
        "$$ \\frac{\\partial K}{\\partial \\mathbf{x}} = \\mathbf{y}^T $$\n")


def test_gradients_written_as_rows_throughout_are_read_so_with_a_note(tmp_path):
    _, report = lint(tmp_path, "a.md", ROWS)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("N722", 5), ("N722", 9)]
    assert [c["status"] for c in report["claims"]] == ["verified", "verified"]


def test_one_gradient_as_a_row_among_columns_is_still_an_error(tmp_path):
    mixed = ROWS.replace("= \\mathbf{y}^T $$", "= \\mathbf{y} $$")
    _, report = lint(tmp_path, "a.md", mixed)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E400", 5)]


def test_a_document_saying_numerator_layout_has_its_gradients_checked_as_rows(tmp_path):
    tex = ("% deriv: dims n\n% deriv: x : n x 1\n% deriv: w : n x 1\n\\begin{document}\n"
           "Here gradients are rows (numerator layout).\n$$ z = w^T x $$\n"
           "$$ \\frac{\\partial z}{\\partial w} = x^T $$\n"
           "$$ \\frac{\\partial z}{\\partial x} = w $$\n\\end{document}\n")
    _, report = lint(tmp_path, "a.tex", tex)
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["code"] != "N722"] == [("E400", 8)]
    assert [c["status"] for c in report["claims"]] == ["verified", "unchecked"]


def test_a_one_by_one_value_beside_a_vector_scales_it(tmp_path):
    md = ("<!-- deriv: dims n\nx : n x 1\nw : n x 1\ny : scalar -->\n$$ a = \\sigma(w^T x) $$\n\n"
          "$$ g = (a - y) x $$\n")
    assert extract("a.md", md).source.text.splitlines()[-1] == "g = (a - y) * x"
    _, report = lint(tmp_path, "a.md", md)
    assert report["diagnostics"] == []


# ------------------------------------------------------------ blocks

def test_several_equations_in_one_display_separated_by_row_breaks():
    md = ("<!-- deriv: dims n\nx : 1 x n -->\n$$\na = x + x \\\\\nb = a \\circ a\n$$\n"
          "$$ c = b \\\\ &= b $$\n")
    assert extract("a.md", md).source.text.splitlines()[2:] == ["a = x + x", "b = a * a", "c = b"]


@pytest.mark.parametrize("env", ["aligned", "split", "gathered", "align*", "eqnarray"])
def test_environments_inside_display_math(env):
    sep = " & " if env == "eqnarray" else ""
    rows = f"a {sep}&= x \\\\ b {sep}&= a" if env not in ("gathered",) else "a = x \\\\ b = a"
    md = f"<!-- deriv: dims n\nx : 1 x n -->\n$$\\begin{{{env}}} {rows} \\end{{{env}}}$$\n"
    assert extract("a.md", md).source.text.splitlines()[2:] == ["a = x", "b = a"]


def test_kramdown_escaped_math_is_read_at_its_place(tmp_path):
    md = "<!-- deriv: dims n\nx : 1 x n\nW : n x n -->\nInline \\\\( a = x W \\\\) and\n\\\\[ b = W x \\\\]\n"
    ex = extract("a.md", md)
    assert ex.source.text.splitlines()[-2:] == ["a = x @ W", "b = W @ x"]
    _, report = lint(tmp_path, "a.md", md)
    (e300,) = report["diagnostics"]
    assert (e300["line"], e300["column"]) == (5, 9)


def test_spaced_inline_math_is_read_when_it_is_math_not_money():
    md = ("<!-- deriv: dims n\nx : 1 x n -->\nDefine $ a = x \\circ x $ and $ b = a^T $; "
          "it costs $ 5 and $ 6 = 6 $ dollars.\n")
    assert extract("a.md", md).source.text.splitlines()[2:] == ["a = x * x", "b = a.T"]


def test_bare_environments_in_markdown(tmp_path):
    md = ("<!-- deriv: dims n\nx : 1 x n\nW : n x n -->\n\\begin{equation}\na = x W\n\\end{equation}\n"
          "\\begin{align}\nb &= W x\n\\end{align}\n")
    _, report = lint(tmp_path, "a.md", md)
    assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]] == [("E300", 8, 6)]


# ------------------------------------------------------------ positions and messages

def test_a_line_quoted_in_a_message_is_the_documents(tmp_path):
    md = ("# Notes\n\n" + "Some prose.\n\n" * 20 + "<!-- deriv: dims n\nx : 1 x n -->\n\n<!-- deriv: a = x + x -->\n\n"
          + "More prose.\n\n" * 10 + "<!-- deriv: a : 1 x n -->\n")
    _, report = lint(tmp_path, "a.md", md)
    (e201,) = report["diagnostics"]
    assert e201["code"] == "E201" and e201["line"] == 68
    assert "on line 46" in e201["message"]             # the definition's line in the document


def test_an_unreadable_definition_is_listed_once_under_verbose(tmp_path):
    md = "<!-- deriv: dims n\nx : 1 x n -->\n$$ a = \\langle x, x \\rangle $$\n$$ b = a + x $$\n"
    _, text = lint(tmp_path, "a.md", md, verbose=True, fmt="text")
    assert text.count("N700") == 1


# ------------------------------------------------------------ the summary

def test_verbose_ends_with_what_was_read_per_document(tmp_path):
    md = ("We use $m = 750$, $\\mathbf{X} \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{w} \\in \\mathbb{R}^n$.\n\n"
          "$$ \\mathbf{r} = \\mathbf{X} \\mathbf{w} $$\n\n$$ J = \\frac{1}{m} \\mathbf{r}^T \\mathbf{r} $$\n\n"
          "$$ \\frac{\\partial J}{\\partial \\mathbf{w}} = \\frac{2}{m} \\mathbf{X}^T \\mathbf{r} $$\n\n"
          "$$ q = \\langle \\mathbf{r}, \\mathbf{r} \\rangle $$\n\n$$ s = t + u $$\n\n$$ \\mathbf{r} = 0 $$\n")
    _, text = lint(tmp_path, "a.md", md, verbose=True, fmt="text")
    summary = text[text.index("a.md: "):].splitlines()
    assert summary[0].endswith("a.md: 7 formulas found, 6 read, 4 checked (3 definitions, "
                               "1 claim about derivatives)")        # s = t + u: t and u inferred
    assert summary[1] == "  shapes read from the document: 2 statements, 2 used as declarations; sizes: 1"
    assert summary[2] == "  shapes inferred: 2"
    assert summary[3] == "  not checked: 2 (1 left side already declared or defined, 1 a side unreadable)"
    _, quiet = lint(tmp_path, "a.md", md, fmt="text")
    assert "formulas found" not in quiet
    assert quiet.endswith("; 2 formulas not checked (--verbose lists them)\n")     # not the N720/N740 notes


def test_the_summary_counts_the_shapes_inferred_from_their_notes():
    from dsl.apps.coverage import coverage_lines, inferred
    from dsl.core.diagnostics import Diagnostic, Severity
    from dsl.core.span import Span

    def note(code):
        return Diagnostic(code, Severity.NOTE, Span("a.md", 1, 1, 1, 2), "m")
    count = inferred([note("N740"), note("N749"), note("N702"), note("N720")])
    assert count == 2
    lines = coverage_lines("a.md", {"found": 2, "read": 2, "checked": 1, "definitions": 1}, {}, count)
    assert lines[1] == "  shapes inferred: 2"


def test_a_line_quoted_in_a_message_names_its_notebook_cell(tmp_path):
    first = "<!-- deriv: dims n\nx : 1 x n -->\n<!-- deriv: a = x + x -->"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": first},
             {"cell_type": "markdown", "metadata": {}, "source": "Again:\n<!-- deriv: a : 1 x n -->"}]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    _, report = lint(tmp_path, "a.ipynb", nb)
    (e201,) = report["diagnostics"]
    assert (e201["code"], e201["cell"], e201["line"]) == ("E201", 2, 2)
    assert "on line 3 of cell 1" in e201["message"]
