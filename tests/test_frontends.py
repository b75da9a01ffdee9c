"""Front ends: what is lifted out of Markdown, LaTeX and notebooks, which
equations are checked, and where generated positions land in the document."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from dsl import pipeline as driver
from dsl.frontends import Slice, extract, kind_of
from dsl.frontends.notebook import cells_of

DECLS_MD = "<!-- deriv\ndims n, k\nx : 1 x n\nW : n x k\nb : 1 x k\n-->\n"


def lines(ex):
    return ex.source.text.splitlines()


def mapped(ex, verify=False):
    report = driver.check_source(ex.source, verify=verify)
    return [d.moved(ex.span_map) for d in report.diagnostics], report


# ------------------------------------------------------------------ Markdown

def test_markdown_deriv_fence_and_comments_are_the_language():
    md = ("Intro.\n\n<!-- deriv: dims n -->\n<!-- deriv\nx : 1 x n\n-->\n"
          "```deriv\na = x @ x.T\n```\n\n~~~ deriv\nb = a + 1\n~~~\n")
    assert lines(extract("a.md", md)) == ["dims n", "x : 1 x n", "a = x @ x.T", "b = a + 1"]


def test_markdown_other_code_comments_and_dollars_are_not_read():
    md = (DECLS_MD + "```python\n$a = x W$\n```\n    \n`$c = x W$` and <!-- $d = x W$ -->\n"
          "It costs $5 and $6, and \\$e = x W\\$.\n")
    assert lines(extract("a.md", md))[-1] == "b : 1 x k"


def test_markdown_math_forms_are_read():
    md = (DECLS_MD + "Inline $a = x W$, display\n$$\nc = a + b\n$$\n"
          "\\[ e = c \\circ c \\]\n\\( f = e^T \\)\n```math\ng = f^T\n```\n")
    assert lines(extract("a.md", md))[-5:] == [
        "a = x @ W", "c = a + b", "e = c * c", "f = e.T", "g = f.T"]


def test_markdown_inline_math_does_not_cross_a_paragraph():
    md = DECLS_MD + "A $a = x\n\nW$ b.\n"
    assert lines(extract("a.md", md))[-1] == "b : 1 x k"


def test_markdown_fence_inside_a_list_is_dedented():
    md = "- item\n\n  ```deriv\n  dims n\n  x : 1 x n\n  ```\n"
    ex = extract("a.md", md)
    assert lines(ex) == ["dims n", "x : 1 x n"]
    span = ex.span_map(ex.source.span(7, 8))           # the 'x' of the declaration
    assert (span.line, span.column) == (5, 3)


# --------------------------------------------------------------------- LaTeX

TEX_HEAD = ("\\documentclass{article}\n% deriv: dims n, k\n% deriv: x : 1 x n\n"
            "% deriv: W : n x k\n% deriv: b : 1 x k\n$q = x W$ in the preamble is not read\n"
            "\\begin{document}\n")


def test_latex_comments_hold_declarations_and_math_envs_are_read():
    tex = TEX_HEAD + ("\\begin{equation} a = xW + b \\end{equation}\n"
                      "\\begin{gather*} c = a \\circ a \\\\ d = c^T \\end{gather*}\n"
                      "\\begin{multline} e = a \\\\ + c \\end{multline}\n"
                      "\\begin{verbatim} $z = x W$ \\end{verbatim}\n"
                      "% $y = x W$ in a comment\n\\end{document}\n")
    assert lines(extract("a.tex", tex))[-4:] == ["a = x @ W + b", "c = a * a", "d = c.T", "e = a + c"]
    assert "q =" not in extract("a.tex", tex).source.text


def test_align_rows_continue_the_left_side_on_their_own_line():
    tex = TEX_HEAD + ("\\begin{align}\n"
                      "  a &= x W + b \\\\\n"
                      "  \\frac{\\partial a}{\\partial b} &= I \\\\\n"
                      "  &= \\operatorname{diag}(b) \\\\ % wrong\n"
                      "  &\\quad + 0\n"
                      "\\end{align}\n")
    ex = extract("a.tex", tex)
    assert lines(ex)[-1] == "da/db = diag(b) + 0"
    claim_start = ex.source.text.rindex("da/db")
    span = ex.span_map(ex.source.span(claim_start, claim_start + 5))
    assert span.line == tex.splitlines().index("  &= \\operatorname{diag}(b) \\\\ % wrong") + 1
    assert span.column == 4                               # the row's '='


def test_equations_split_at_commentary_and_full_stops():
    tex = TEX_HEAD + "$$a = xW, \\quad c = a + b \\text{ where } d = 1.$$\n"
    assert lines(extract("a.tex", tex))[-2:] == ["a = x @ W", "c = a + b"]


def test_eqalign_and_aligned_and_side_by_side_pairs():
    md = DECLS_MD + ("$$\\eqalign{ a &= xW \\cr c &= a + b & e &= c^T \\cr }$$\n"
                     "$$\\begin{aligned} f &= e^T \\\\ &\\implies g = f \\end{aligned}$$\n")
    # a second equation after \implies is read too; a first column of its own is a pair
    assert lines(extract("a.md", md))[-5:] == ["a = x @ W", "c = a + b", "e = c.T", "f = e.T", "g = f"]


# ------------------------------------------------------ which math is checked

def test_definitions_claims_and_skips():
    md = DECLS_MD + ("$h = x W + b$ defines h; $h = {x}{W} + b$ restates it; $y = m x$ has unknown names;\n"
                     "$\\sigma(h) = 1$ has no name on the left;\n"
                     "$$\\frac{\\partial h}{\\partial b} = I = \\operatorname{diag}(b)$$\n")
    ex = extract("a.md", md)
    assert lines(ex)[-4:] == ["h = x @ W + b", "I = eye(k)", "dh/db = I", "dh/db = diag(b)"]
    whys = [d.message for d in ex.verbose]
    assert any("'h' is already declared" in w for w in whys)
    assert any("not declared or defined: m" in w for w in whys)
    assert any("neither a name nor a derivative" in w for w in whys)
    assert any(w.startswith("I = eye(k), inferred") for w in whys)   # '= I': the identity, square here
    assert ex.notes == []                              # nothing of this is shown by default


def test_an_unreadable_claim_is_a_located_note():
    md = DECLS_MD + "$a = x W$\n\n$$\\frac{\\partial a}{\\partial x} = \\langle J \\rangle$$\n"
    ex = extract("a.md", md)
    (note,) = ex.notes
    assert note.code == "N700" and "\\langle" in note.message
    assert (note.span.line, note.span.column) == (9, 35)


def test_an_unreadable_definition_is_shown_once_something_needs_it():
    md = DECLS_MD + "$a = \\langle F(x) \\rangle$, then $c = a W^T$ and $e = a + a$.\n"
    ex = extract("a.md", md)
    codes = [d.code for d in ex.notes]
    assert codes == ["N700", "N702", "N702"]
    assert "'a', whose definition could not be read" in ex.notes[1].message
    assert "c =" not in ex.source.text


def test_prose_only_math_produces_nothing():
    md = ("# Intro\nLet $f(x) = x^2$ and $y = mx + b$, with $n \\times k$ matrices,\n"
          "$\\mathbb{R}^{n}$, $\\sum_i x_i$, and $$E = mc^2.$$\n")
    ex = extract("a.md", md)
    assert ex.source.text == "" and ex.notes == []


# ----------------------------------------------------------------- positions

def test_positions_of_translated_tokens_land_on_the_latex():
    md = DECLS_MD + "$$ a = \\mathbf{x} \\mathbf{W}^T $$\n"
    ex = extract("a.md", md)
    diags, _ = mapped(ex)
    (d,) = [d for d in diags if d.code == "E300"]
    line = md.splitlines()[d.span.line - 1]
    assert line[d.span.column - 1:d.span.end_column - 1] == "\\mathbf{x} \\mathbf{W}^T"


def test_verbatim_blocks_map_character_for_character():
    md = "Text\n\n```deriv\ndims n\nx : 1 x n\ny = x @ x\n```\n"
    ex = extract("a.md", md)
    diags, _ = mapped(ex)
    (d,) = [d for d in diags if d.code == "E300"]
    assert (d.span.line, d.span.column, d.span.end_column) == (6, 5, 10)


def test_suppression_comments():
    md = ("a <!-- chainrule: ignore[E300] -->\n<!-- chainrule: ignore[E301, w303] -->\nb\n"
          "c % chainrule: ignore\n")
    ex = extract("a.md", md)
    assert ex.suppressions[(None, 1)] == {"E300"}
    assert ex.suppressions[(None, 2)] == ex.suppressions[(None, 3)] == {"E301", "W303"}
    assert ex.suppressions[(None, 4)] is None


# ----------------------------------------------------------------- notebooks

def notebook(*cells):
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": src.splitlines(True)}
                                 for kind, src in cells], "nbformat": 4, "nbformat_minor": 5}, indent=1)


def test_notebook_cells_markdown_and_deriv_magic():
    nb = notebook(("markdown", "# T\n"), ("code", "%%deriv\ndims n\nx : 1 x n\n"),
                  ("code", "import numpy\n"), ("raw", "$a = x x$\n"),
                  ("markdown", "Then\n$$ a = x x $$\n"))
    ex = extract("n.ipynb", nb)
    assert lines(ex) == ["dims n", "x : 1 x n", "a = x @ x"]
    diags, _ = mapped(ex)
    (d,) = [d for d in diags if d.code == "E300"]
    assert (d.span.cell, d.span.line, d.span.column) == (5, 2, 8)
    assert str(d.span) == "n.ipynb:cell_5:2:8"
    first_line, per_line = ex.host.json_lines[5]
    assert per_line and nb.splitlines()[first_line - 1 + 1].strip().startswith('"$$ a = x x $$')


@pytest.mark.parametrize("text, why", [
    ("{not json", "not a valid notebook"), ("[1, 2]", "not an object"), ('{"cells": 3}', "no list of cells")])
def test_not_a_notebook_is_a_value_error(text, why):
    with pytest.raises(ValueError, match=why):
        cells_of(text)


@pytest.mark.parametrize("text, line, column, words", [
    ('{"cells": [{"cell_type": "markdown",\n "source": ["$$ y', 2, 13, "unterminated string"),
    ('{"nbformat": 4' + "0" * 5000 + ', "cells": []}', 1, 1, "a number in it has more than"),
])
def test_a_broken_notebook_is_located_and_worded_by_chainrule(tmp_path, text, line, column, words):
    from dsl.apps.lint import lint_file
    path = tmp_path / "n.ipynb"
    path.write_text(text, encoding="utf-8")
    (d,) = lint_file(str(path), verify=False).report.diagnostics
    assert d.code == "E900" and (d.span.line, d.span.column) == (line, column) and words in d.message
    assert "sys." not in d.message and "Exceeds" not in d.message       # no Python exception text


def test_entries_of_the_cells_that_are_not_cells_are_passed_over(tmp_path):
    import json

    from dsl.apps.lint import lint_file
    cells = [None, 3, "x", {"cell_type": 5}, {"cell_type": "markdown", "source": [1, 2]},
             {"cell_type": "markdown", "source": "<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n"}]
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4}), encoding="utf-8")
    (d,) = lint_file(str(path), verify=False).report.diagnostics
    assert d.code == "E300" and (d.span.cell, d.span.line, d.span.column) == (6, 2, 8)


def test_kinds_by_extension():
    assert [kind_of(p) for p in ("a.md", "b.TEX", "c.ipynb", "d.deriv", "e.txt")] == [
        "markdown", "latex", "notebook", "deriv", None]


def test_slice_arithmetic_keeps_host_offsets():
    s = Slice.of("0123456789", 2, 8)
    joined = s.sub(0, 2) + s.sub(4)
    assert joined.text == "2367" and joined.offs == (2, 3, 6, 7) and joined.end == 8
    assert s.pinned(5).offs == (5,) * 6


MARKUP = st.lists(st.sampled_from([
    "$", "$$", "a = x W", "\\frac{\\partial a}{\\partial x} = ", "W^T", "\n", "\n\n", "```deriv\n",
    "```\n", "<!-- deriv: x : 1 x n -->", "<!-- ", " -->", "\\begin{align}", "\\end{align}", "&=",
    "\\\\", "%", "% deriv: dims n\n", "\\[", "\\]", "`", "\\$", "{", "}", "\\eqalign{", "\\cr",
]), max_size=25).map("".join)


@settings(max_examples=120, deadline=None)
@given(MARKUP, st.sampled_from(["a.md", "a.tex"]))
def test_random_documents_never_crash_the_front_ends(text, name):
    ex = extract(name, text)
    for gen in range(len(ex.source.text) + 1):
        assert 0 <= ex.host_offset(gen) <= len(text)


# ------------------------------------------- declarations through the grammar

def _learned(text: str):
    from dsl.frontends.builder import Builder
    from dsl.frontends.document import Host
    builder = Builder(Host("a.md", text))
    builder.statements(Slice.of(text, 0, len(text)))
    return builder.known, builder.scalars


@pytest.mark.parametrize("text, name, scalar", [
    ("ŷ : 1 x n", "yhat", False),
    ("y\u0302 : 1 x n", "yhat", False),          # y with a combining hat
    ("θ = xent(y, ŷ)", "theta", True),
    ("W₁ : n x k", "W1", False),
    ("x: 1×n", "x", False),
    ("c : 1x1", "c", True),
    # spelled as the language spells them (by pattern they were 'symbol' and 'l')
    ("ϑ : scalar", "theta", True),
    ("ℓ = mse(y, p)", "ell", True),
    ("ϕ = 0.5", "phi", True),
    # a statement continued on the next line
    ("dims n = 5,\n  k", "k", True),
    ("a = sum(\n  x)", "a", True),
    ("a = x @ W1 +\n  b1 # bias", "a", False),
])
def test_statements_are_learned_as_the_parser_reads_them(text, name, scalar):
    known, scalars = _learned(text)
    assert name in known
    assert (name in scalars) is scalar


def test_only_what_is_certainly_a_scalar_is_one():
    known, scalars = _learned("s = sum(X, axis=0)\nt = sum(X)\nu = 2 * trace(A)\nv = x @ W\n"
                              "x : scalar # w : scalar\ndL/dx = 1\n")
    assert known == {"s", "t", "u", "v", "x"}          # a claim and a comment declare nothing
    assert scalars == {"t", "u", "x"}


def test_a_statement_continued_in_the_next_deriv_comment_is_learned():
    tex = ("% deriv: dims n,\n% deriv:   k\n% deriv: x : 1 x n\n% deriv: W : n x k\n"
           "$$ q = x (k W^T) $$\n")
    ex = extract("a.tex", tex)
    assert lines(ex)[-1] == "q = x @ (k * W.T)"        # k is a size: a scaling, not @
    diags, _ = mapped(ex)
    assert [d.code for d in diags if d.severity.value == "error"] == ["E300"]   # x @ (k x n)


def test_an_equation_closes_a_statement_left_open():
    md = "<!-- deriv: dims n, k -->\n<!-- deriv: x : 1 x n -->\n<!-- deriv: a = x @ -->\n$$ b = x $$\n" \
         "<!-- deriv: c = 2 -->\n$$ e = c x $$\n"
    ex = extract("a.md", md)
    assert "b = x" in lines(ex) and lines(ex)[-1] == "e = c * x"


def test_unicode_declarations_let_their_equations_be_checked():
    md = ("<!-- deriv\nϑ : scalar\nℓ = xent(\n  y, p)\nx : 1 x 3\ny : 1 x 3\np : 1 x 3\n-->\n"
          "$$ z = \\vartheta x $$\n$$ w = \\ell x $$\n")
    ex = extract("a.md", md)
    assert lines(ex)[-2:] == ["z = theta * x", "w = ell * x"]
    assert ex.verbose == []


# ------------------------------------------------------------------- layering

def test_frontends_modules_import_only_downward():
    """No module of the package imports the package itself (the cycle
    ``frontends -> latex -> frontends``), at the top or inside a function."""
    import ast as pyast
    import pathlib

    import dsl.frontends
    folder = pathlib.Path(dsl.frontends.__file__).parent
    for path in folder.glob("*.py"):
        tree = pyast.parse(path.read_text(encoding="utf-8"))
        for node in pyast.walk(tree):
            if isinstance(node, pyast.ImportFrom):
                assert node.module != "dsl.frontends", (path.name, node.lineno)
                if path.name != "__init__.py":
                    assert node.col_offset == 0, (path.name, node.lineno)   # no function-level import
            elif isinstance(node, pyast.Import):
                assert all(a.name != "dsl.frontends" for a in node.names), (path.name, node.lineno)
