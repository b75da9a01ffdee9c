"""Readings of real-document habits that once raised false alarms: a scalar
derivative beside a vector, gradient terms in numerator layout, a one-variable
fact about an entrywise function, a derivative set to zero, a cost defined
again in an answer, ``x^{(i)}`` as the i-th example, and an inferred shape
that needs a size declared further on.  Each test also pins the real mistake
of the same form, which must still be flagged."""
from __future__ import annotations

from dsl.frontends import extract
from dsl.frontends.latex_math import translate
from tests.latex_docs import lint_doc as lint


def codes(report) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for d in report["diagnostics"]:
        found.setdefault(d["line"], []).append(d["code"])
    return found


def problems(report) -> list[str]:
    return [d["code"] for d in report["diagnostics"] if d["code"][0] in "EW"]


HEAD = "<!-- deriv\ndims n\nu : n x 1\n-->\n"


def test_a_derivative_of_a_scalar_by_a_scalar_scales_a_vector(tmp_path):
    text = HEAD + ("$$a = \\sum u^2$$\n\n$$b = 3 a$$\n\n"
                   "$$\\frac{\\partial b}{\\partial u} = \\frac{\\partial b}{\\partial a} "
                   "\\frac{\\partial a}{\\partial u} = 6 u$$\n")
    report = lint(tmp_path, "chain.md", text)
    assert problems(report) == []
    assert [c["status"] for c in report["claims"]] == ["verified", "verified"]


def test_numerator_layout_transposes_the_gradients_on_the_right_too(tmp_path):
    text = ("% deriv: dims n\n% deriv: w : n x 1\n% deriv: v : n x 1\n"
            "We write gradients as rows (numerator layout).\n"
            "\\[ s = w^\\top v \\]\n\\[ t = 2 s \\]\n"
            "\\[ \\frac{\\partial t}{\\partial w} = \\frac{\\partial t}{\\partial s} "
            "\\frac{\\partial s}{\\partial w} = 2 v^\\top \\]\n"
            "\\[ \\frac{\\partial t}{\\partial v} = 2 w \\]\n")
    report = lint(tmp_path, "rows.tex", text)
    found = codes(report)
    assert not any(c[0] in "EW" for line in (7,) for c in found.get(line, []))
    assert "E400" in found.get(8, [])            # a column where the convention wants a row


def test_a_one_variable_fact_about_an_entrywise_function_is_its_diagonal(tmp_path):
    text = HEAD + ("$$g = \\tanh(u)$$\n\n"
                   "Recall $\\frac{d}{du} \\log(1 + e^{u}) = \\sigma(u)$ for each entry.\n\n"
                   "$$\\frac{\\partial g}{\\partial u} = 1 - g^2$$\n")
    report = lint(tmp_path, "fact.md", text, verbose=True)
    found = codes(report)
    assert not any(c[0] in "EW" for c in found.get(7, []))
    assert "N722" in found.get(7, [])
    assert "W402" in found.get(9, [])            # a named Jacobian written as its diagonal is still flagged


def test_a_derivative_set_to_zero_is_a_condition_not_a_claim(tmp_path):
    text = HEAD + ("$$f = \\sum u^2$$\n\nAt the minimum $\\frac{\\partial f}{\\partial u} = 0$, "
                   "that is $\\frac{\\partial f}{\\partial u} = \\mathbf{0}$.\n")
    report = lint(tmp_path, "zero.md", text, verbose=True)
    assert problems(report) == []
    assert report["claims"] == []
    assert [d["code"] for d in report["diagnostics"]].count("N702") >= 2     # each listed, with --verbose


def test_the_bold_zero_reads_as_zero_and_the_bold_one_is_still_refused():
    assert translate(r"u + \mathbf{0}").text == "u + 0"
    assert not hasattr(translate(r"\mathbf{1}"), "text")


def test_a_hand_defined_cost_defined_again_is_a_new_version(tmp_path):
    text = ("<!-- deriv\ndims n\nu : n x 1\n-->\n"
            "The question's cost is\n\n$$J = \\sum u^2$$\n<!-- deriv: J = sum(u ** 2) -->\n\n"
            "and its gradient $\\frac{\\partial J}{\\partial u} = -2 u$ is wrong.\n\n"
            "**Answer** The cost you meant is $J = -\\sum u^2$; for it "
            "$\\frac{\\partial J}{\\partial u} = -2 u$.\n")
    report = lint(tmp_path, "versions.md", text)
    found = codes(report)
    assert "E500" in found.get(10, [])                    # against the question's cost
    assert not any(c[0] in "EW" for c in found.get(12, []))   # against the answer's
    assert "N723" in found.get(12, [])
    note = next(d for d in report["diagnostics"] if d["code"] == "N723")
    assert "line 7" in note["message"]                     # the question's formula, not the hand line


def test_without_a_hand_definition_a_second_definition_is_skipped():
    md = HEAD + "$$f = \\sum u^2$$\n\n$$f = \\sum u \\odot u$$\n"
    source = extract("twice.md", md).source.text
    assert "f_2" not in source and source.count("f = ") == 1


def test_a_parenthesised_superscript_bound_by_a_sum_is_the_entry():
    t = translate(r"\sum_{i=1}^m y^{(i)} \log h^{(i)}", known=frozenset({"y", "h", "m"}), scalars=frozenset({"m"}))
    assert t.text == "sum[i](y[i] * log(h[i]))"
    layer = translate(r"W^{(l)} a^{(l)}", known=frozenset({"W", "a"}))
    assert layer.text == "Wl @ al"                        # not bound: a layer's name


def test_an_inferred_shape_never_uses_a_size_declared_further_on(tmp_path):
    text = ("The general layer: $c = \\frac{1}{2}\\|q - t\\|^2$.\n\n"
            "```deriv\ndims k\nt : k x 1\nr : k x 1\n```\n\n$$p = \\tanh(r)$$\n")
    report = lint(tmp_path, "later.md", text, verbose=True)
    assert problems(report) == []
    source = extract(str(tmp_path / "later.md"), text).source.text
    assert source.index("dims k") < source.index("k x 1")


# ------------------------------------------------------------------ facts of one variable

def test_a_definition_of_a_builtin_function_is_checked_at_values_of_its_variable(tmp_path):
    text = ("The sigmoid is $\\sigma(z) = \\frac{1}{1 + e^{-z}}$, and "
            "$\\mathrm{ReLU}(z) = \\max(0, z)$, $\\tanh(t) = \\frac{e^{t} - e^{-t}}{e^{t} + e^{-t}}$.\n")
    report = lint(tmp_path, "defs.md", text, verbose=True)
    notes = [d for d in report["diagnostics"] if d["code"] == "N722"]
    assert [n["column"] for n in notes] == sorted(n["column"] for n in notes) and len(notes) == 3
    assert all("built-in" in n["message"] for n in notes)
    assert problems(report) == []


def test_a_definition_other_than_the_builtin_is_the_documents_own_and_its_facts_are_not_checked(tmp_path):
    text = ("Here $\\sigma(z) = \\frac{1}{1 + e^{z}}$, so that "
            "$\\sigma'(z) = -\\sigma(z)(1 - \\sigma(z))$.\n")
    report = lint(tmp_path, "own.md", text, verbose=True)
    assert problems(report) == []
    skipped = [d["message"] for d in report["diagnostics"] if d["code"] == "N702"]
    assert any("not the built-in 'sigma'" in m for m in skipped)


def test_a_derivative_of_one_variable_is_checked_and_a_wrong_one_flagged(tmp_path):
    text = ("Recall $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$ and $\\tanh'(a) = 1 - \\tanh^2(a)$.\n\n"
            "Also $\\frac{d}{dz} \\log(1 + e^{z}) = \\sigma(z)$.\n\n"
            "But $\\frac{d\\sigma}{dz} = \\sigma(z)(1 + \\sigma(z))$ is a slip, as is "
            "$\\frac{d}{dx} \\log(1 + e^{-x}) = \\sigma(-x)$.\n")
    report = lint(tmp_path, "facts.md", text, verbose=True)
    found = codes(report)
    assert found.get(1, []).count("N722") == 2 and "N722" in found.get(3, [])
    wrong = [d for d in report["diagnostics"] if d["code"] == "E500"]
    assert [d["line"] for d in wrong] == [5, 5]
    assert "at z = " in wrong[0]["message"] and "at x = " in wrong[1]["message"]


def test_a_fact_with_another_value_is_not_a_fact_of_one_variable(tmp_path):
    text = HEAD + "$$\\sigma(z) = \\frac{1}{1 + e^{-z}} + u$$\n"
    report = lint(tmp_path, "two.md", text, verbose=True)
    assert problems(report) == []
    assert "N722" not in [d["code"] for d in report["diagnostics"]]


def test_the_indicator_of_an_equality_in_the_formula_does_not_restrict_it(tmp_path):
    text = ("<!-- deriv\ndims K\nz : K x 1\n-->\n$$p = \\operatorname{softmax}(z)$$\n\n"
            "For all indices, $\\frac{\\partial p_i}{\\partial z_j} = p_i (\\mathbb{1}\\{i = j\\} - p_j)$.\n\n"
            "For $i \\ne j$, $\\frac{\\partial p_i}{\\partial z_j} = -p_i p_j$.\n")
    report = lint(tmp_path, "jac.md", text, verbose=True)
    assert [c["status"] for c in report["claims"]] == ["verified"]
    assert any("holds only where i \\ne j" in d["message"] for d in report["diagnostics"] if d["line"] == 9)


def test_a_chain_rule_written_per_entry_is_skipped_with_a_note(tmp_path):
    text = ("<!-- deriv\ndims K\nz : K x 1\ny : K x 1 onehot\n-->\n$$p = \\operatorname{softmax}(z)$$\n\n"
            "$$L = -\\sum_k y_k \\log p_k$$\n\n"
            "$$\\frac{\\partial L}{\\partial z_j} = \\sum_i \\frac{\\partial L}{\\partial p_i} "
            "\\frac{\\partial p_i}{\\partial z_j}$$\n")
    report = lint(tmp_path, "chain.md", text, verbose=True)
    assert problems(report) == []
    assert any("derivatives of entries" in d["message"] for d in report["diagnostics"] if d["line"] == 10)


def test_the_sizes_of_a_stated_shape_scale_before_the_shape_is_used(tmp_path):
    text = ("Let $X \\in \\mathbb{R}^{m \\times d}$.\n\n$$\\mu = \\frac{1}{m} \\mathbf{1}^\\top X$$\n\n"
            "$$\\nu = \\frac{1}{m} X$$\n")
    ex = extract("sizes.md", text)
    assert ex.source.text.splitlines()[-2:] == ["mu = 1 / m * sum(X, axis=0)", "nu = 1 / m * X"]
    assert problems(lint(tmp_path, "sizes.md", text)) == []


def test_text_that_joins_two_equations_keeps_the_second(tmp_path):
    text = (HEAD + "$$a = \\sum u^2 \\qquad\\text{and}\\qquad \\frac{\\partial a}{\\partial u} = 3 u$$\n\n"
            "$$b = 2 a \\quad \\text{where } u \\text{ is fixed, } c = b$$\n")
    report = lint(tmp_path, "and.md", text, verbose=True)
    assert [(c["line"], c["status"]) for c in report["claims"]] == [(5, "wrong")]
    assert "c = " not in extract("and.md", text).source.text        # commentary still ends the row


def test_a_shape_in_parentheses_and_how_a_matrix_is_drawn_are_read_from_prose(tmp_path):
    from dsl.frontends.declarations import prose
    said = prose("with covariance $\\Sigma$ (symmetric positive definite, $n \\times n$) and "
                 "weights $W$ (a $d \\times k$ matrix); $Q$ is orthogonal.", 0)
    assert sorted((s.name, s.sizes, s.attrs) for s in said) == [
        ("Q", (), ("orthogonal",)), ("Sigma", (), ("spd",)), ("Sigma", ("n", "n"), ()), ("W", ("d", "k"), ())]
    text = ("For $x, \\mu \\in \\mathbb{R}^n$ and a covariance $\\Sigma$ (symmetric positive definite, "
            "$n \\times n$),\n\n$$f = (x - \\mu)^T \\Sigma^{-1} (x - \\mu)$$\n\n"
            "$$\\frac{\\partial f}{\\partial \\mu} = -2 \\Sigma^{-1} (x - \\mu)$$\n\n"
            "$$\\frac{\\partial f}{\\partial x} = 2 \\Sigma^{-1} (\\mu - x)$$\n")
    report = lint(tmp_path, "gauss.md", text)
    assert [c["status"] for c in report["claims"]] == ["verified", "wrong"]   # drawn symmetric: the first holds
    assert "Sigma : n x n spd" in extract("gauss.md", text).source.text


def test_a_square_matrix_word_about_a_vector_draws_nothing(tmp_path):
    text = ("Let $v \\in \\mathbb{R}^n$, symmetric about zero, and $u \\in \\mathbb{R}^n$.\n\n"
            "$$s = v^T u$$\n")
    assert " symmetric" not in extract("v.md", text).source.text
    assert problems(lint(tmp_path, "v.md", text)) == []


def test_the_same_shape_as_another_value_declares_it_when_that_shape_is_known(tmp_path):
    text = ("Let $X \\in \\mathbb{R}^{N \\times D}$, $W \\in \\mathbb{R}^{D \\times C}$.\n\n$$S = X W$$\n\n"
            "The labels $Y$ have the same shape as $S$.\n\n$$E = S - Y$$\n\n$$F = Y W$$\n")
    ex = extract("like.md", text)
    assert "Y : N x C" in ex.source.text
    report = lint(tmp_path, "like.md", text)
    assert [(d["line"], d["code"]) for d in report["diagnostics"] if d["severity"] == "error"] == [(9, "E300")]


def test_facts_that_overflow_or_leave_the_domain_warn_nothing_and_stay_located(tmp_path):
    import warnings
    text = ("$\\sigma(z) = e^{e^{e^{z}}}$ and $\\tanh(t) = 1/(t - t)$ and $\\mathrm{relu}(q) = \\log(-q - 10)$.\n\n"
            "$\\frac{d}{dz} \\exp(\\exp(\\exp(z))) = 1$ and $\\sigma(\\mathbf{1}) = 3$ and $\\sigma(z, w) = z$.\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = lint(tmp_path, "wild.md", text, verbose=True)
    assert [(d["line"], d["code"]) for d in report["diagnostics"] if d["severity"] == "error"] == [(3, "E500")]
    assert all(d["line"] in (1, 3) and d["column"] >= 1 for d in report["diagnostics"])


def test_a_fact_written_without_its_variable_is_read_with_one(tmp_path):
    text = ("Since $\\sigma' = \\sigma (1 - \\sigma)$ and $\\tanh^\\prime = 1 - \\tanh^2$, "
            "but not $\\sigma' = \\sigma(1 + \\sigma)$; and $\\log = 1$ is no fact.\n")
    report = lint(tmp_path, "pointfree.md", text, verbose=True)
    by_code = [(d["code"], d["column"]) for d in report["diagnostics"]]
    assert [c for c, _ in by_code] == ["N722", "N722", "E500", "N702"]
    assert [col for _, col in by_code] == sorted(col for _, col in by_code)
