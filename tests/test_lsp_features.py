"""The language server's answers computed in process from an analysis:
hover on names, operators, brackets, declarations, sizes and claims;
references through claims; completion by context; formatting; quick fixes
that make exactly their fix's change."""
from __future__ import annotations

from lsprotocol import types

from dsl.apps.lsp.analysis import analyse
from dsl.apps.lsp.completion import completions
from dsl.apps.lsp.edits import code_actions, formatting
from dsl.apps.lsp.hover import hover_text
from dsl.apps.lsp.navigation import definition, references

TEXT = """\
dims n = 4, k
x  : 1 x n
W  : n x k
b  : 1 x k
a  = (x @ W) + b
s  = sum(a * a)
ds/da = 2 * a
"""


def at(needle: str, plus: int = 0) -> int:
    return TEXT.index(needle) + plus


def hover(offset: int) -> str:
    found = hover_text(analyse("t.deriv", TEXT), offset)
    assert found is not None
    return found[0]


def test_hover_on_an_operator_shows_that_operation():
    text = hover(at("+ b"))
    assert "shape: 1 x k" in text and "((x @ W) + b)" in text and "sizes: n = 4, k" in text


def test_hover_on_a_bracket_shows_what_it_encloses():
    text = hover(at("(x @ W)"))
    assert "shape: 1 x k" in text and "(x @ W)\n  @" in text


def test_hover_on_names():
    assert "**x : 1 x n (declared)**" in hover(at("x  :"))
    assert "**a : 1 x k (defined)**" in hover(at("a  ="))
    assert "size symbol n = 4" in hover(at("n x k"))
    assert "shape: n x k" in hover(at("W) +"))


def test_hover_on_a_claim_shows_the_expected_shape_and_the_verdict():
    text = hover(at("ds/da"))
    assert "expected shape of ds/da: 1 x k" in text and "claim ds/da: unchecked, not verified yet" in text


def test_references_and_definition_through_claims():
    analysis = analyse("t.deriv", TEXT)
    refs = references("file:///t.deriv", analysis, at("a  ="))
    assert sorted((r.range.start.line, r.range.start.character) for r in refs) == [
        (4, 0), (5, 9), (5, 13), (6, 4), (6, 12)]
    assert len(references("file:///t.deriv", analysis, at("a  ="), declaration=False)) == 4
    where = definition("file:///t.deriv", analysis, at("ds/da", 4))
    assert where is not None and where.range.start.line == 4


def test_completion_by_context():
    analysis = analyse("t.deriv", TEXT)
    in_expression = {i.label for i in completions(analysis, "c = so")}
    assert {"softmax", "a", "W", "n", "sum"} <= in_expression and "onehot" not in in_expression
    in_declaration = {i.label for i in completions(analysis, "y : 1 x n on")}
    assert {"onehot", "prob", "n", "k", "scalar"} <= in_declaration and "softmax" not in in_declaration
    at_start = {i.label for i in completions(analysis, "")}
    assert {"dims", "layout"} <= at_start


def test_formatting_leaves_a_file_with_syntax_errors():
    assert formatting(analyse("t.deriv", "x : 1 x n\ny = (x\n")) is None
    assert formatting(analyse("t.deriv", "dims n\nx : 1 x n\n")) == []
    assert formatting(analyse("notes.md", "# notes\n")) is None


def test_every_quick_fix_is_its_fix():
    text = "dims n, k\nx : 1 x n\nW : n x k\nh : 1 x k\ng = x @ W * h\nq = W @ x\n"
    analysis = analyse("t.deriv", text)
    everywhere = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=9, character=0))
    actions = code_actions("file:///t.deriv", analysis, everywhere)
    fixed = [d for d in analysis.diagnostics if d.fix is not None]
    assert len(actions) == len(fixed) >= 1
    for action, d in zip(actions, fixed, strict=True):
        (edit,) = action.edit.changes["file:///t.deriv"]
        assert edit.new_text == d.fix.replacement
        assert action.diagnostics[0].code == d.code and action.kind == types.CodeActionKind.QuickFix
