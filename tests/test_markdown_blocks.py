"""The Markdown front end reads CommonMark's block structure: indented code
is code, fences in block quotes and list items are read at their own
positions, and prose with dollar amounts is still prose."""
from __future__ import annotations

from dsl.apps.lint import lint_source
from dsl.core.span import Source

DERIV = "dims n, k\nx : 1 x n\nW : k x n\na = x @ W\n"


def _lint(text: str):
    return lint_source(Source("notes.md", text), verify=False).report


def _codes(report) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in report.diagnostics]


def test_indented_code_is_not_math():
    text = "Some code:\n\n    $x = y @ W$ and $\\frac{a}{b}$ here\n\nAfter it, $a = b$.\n"
    report = _lint(text)
    assert not any(d.span.line == 3 for d in report.diagnostics)


def test_indented_lines_in_a_paragraph_are_still_prose():
    # four spaces after a paragraph line continue the paragraph: not code
    text = "```deriv\n" + DERIV.rsplit("a =", 1)[0] + "```\n\nThen\n    $$a = x W$$\nfollows.\n"
    report = _lint(text)
    assert any(d.is_error and d.span.line == 8 for d in report.diagnostics)
    flat = _lint(text.replace("    $$", "$$"))
    assert [d.code for d in report.diagnostics] == [d.code for d in flat.diagnostics]


def test_fence_in_a_block_quote_is_read_where_it_stands():
    quoted = "".join("> " + line + "\n" for line in ["```deriv", *DERIV.splitlines(), "```"])
    report = _lint("# Answer\n\n" + quoted + "\nThanks.\n")
    assert ("E300", 7, 7) in _codes(report)          # '> a = x @ W': the '@' expression at column 7


def test_fence_in_a_list_item_is_read_where_it_stands():
    item = "1. The network:\n\n   ```deriv\n" + "".join("   " + line + "\n" for line in DERIV.splitlines()) + "   ```\n"
    report = _lint(item)
    assert ("E300", 7, 8) in _codes(report)


def test_tilde_fence_with_attribute_info():
    report = _lint("~~~ {.deriv}\n" + DERIV + "~~~\n")
    assert ("E300", 5, 5) in _codes(report)


def test_dollar_amounts_stay_prose():
    report = _lint("It costs $5 and $6 in total, and $x$ is a row.\n\n    indented $ 7 $\n")
    assert not [d for d in report.diagnostics if d.is_error]


def test_unclosed_fence_runs_to_the_end():
    report = _lint("Intro.\n\n```deriv\n" + DERIV)
    assert ("E300", 7, 5) in _codes(report)
