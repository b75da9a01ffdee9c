"""Parsing again after an edit (``pipeline.reparse``) gives exactly what a
fresh parse of the new text gives (statements, spans and syntax
diagnostics), over edits of every kind at every place of real derivations,
while parsing only the statements the edit touched."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from dsl.core.span import Source
from dsl.language import syntax
from dsl.pipeline import reparse

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").rglob("*.deriv"))
PIECES = ["x", " ", "\n", "@ W1.T", "(", ")", "# note\n", "zz = a * 2\n", "ŷ", "𝑥", "ᵀ", "∂L/∂x = 0\n", "+\n", "·"]


def _edit(r: random.Random, text: str) -> str:
    at = r.randrange(len(text) + 1)
    if r.random() < 0.4 and text:
        return text[:at] + text[at + r.randint(1, 12):]
    return text[:at] + r.choice(PIECES) + text[at:]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_reparse_agrees_with_a_fresh_parse(path):
    r = random.Random(path.name)
    text = path.read_text(encoding="utf-8")
    parsed = reparse(Source(path.name, text))
    for _ in range(25):
        text = _edit(r, text)
        source = Source(path.name, text)
        parsed = reparse(source, parsed)
        program, diagnostics = syntax.parse(source)
        assert parsed.program == program
        assert parsed.diagnostics == diagnostics


def test_only_the_edited_statement_is_parsed():
    text = "".join(f"a{i} = x @ W{i}\n" for i in range(50))
    first = reparse(Source("f.deriv", text))
    assert first.parsed == 50
    edited = text.replace("a25 = x @ W25", "a25 = x @ W25.T + b")
    second = reparse(Source("f.deriv", edited), first)
    assert second.parsed == 1
    assert second.program.statements[24] is first.program.statements[24]          # before: the same objects
    assert second.program.statements[30].span.start == first.program.statements[30].span.start + 6
    added = reparse(Source("f.deriv", "dims n\n" + edited), second)
    assert added.parsed == 1 and added.program.statements[1].span.line == 2


def test_another_file_is_parsed_whole():
    first = reparse(Source("a.deriv", "x : 1 x 3\n"))
    assert reparse(Source("b.deriv", "x : 1 x 3\n"), first).parsed == 1


@pytest.mark.parametrize("path", EXAMPLES[:6], ids=lambda p: p.name)
def test_checking_again_agrees_with_a_fresh_check(path, monkeypatch):
    """The language server's analysis after each edit (reparsed, its shape
    check resumed from a saved environment) has the diagnostics, shapes and
    claims of a fresh check of the same text."""
    from dsl.apps.lsp.analysis import analyse
    from dsl.pipeline import check_source, incremental
    monkeypatch.setattr(incremental, "SNAPSHOT_EVERY", 2)         # resume often, from every other statement
    r = random.Random(path.name + "check")
    text = path.read_text(encoding="utf-8")
    analysis = analyse(path.name, text)
    resumed = 0
    for _ in range(25):
        text = _edit(r, text)
        analysis = analyse(path.name, text, analysis)
        fresh = check_source(Source(path.name, text), verify=False)
        assert analysis.diagnostics == fresh.diagnostics
        assert {n: i.shape for n, i in analysis.report.env.names.items()} == {
            n: i.shape for n, i in fresh.env.names.items()}
        assert [(c.claim.span, c.expected, c.got, c.ok) for c in analysis.report.env.claims] == [
            (c.claim.span, c.expected, c.got, c.ok) for c in fresh.env.claims]
        resumed += analysis.shapes.resumed_at > 0
    assert resumed >= 1


def test_an_edit_near_the_end_checks_only_the_end(monkeypatch):
    from dsl.apps.lsp.analysis import analyse
    from dsl.pipeline import incremental
    monkeypatch.setattr(incremental, "SNAPSHOT_EVERY", 10)
    text = "dims n\nx : 1 x n\n" + "".join(f"a{i} = x * {i}\n" for i in range(60))
    first = analyse("f.deriv", text)
    edited = analyse("f.deriv", text.replace("a55 = x * 55", "a55 = x @ x"), first)
    assert edited.shapes.resumed_at == 50
    assert [(d.code, d.span.line) for d in edited.diagnostics] == [("E300", 58)]
    undone = analyse("f.deriv", text, edited)
    assert undone.shapes.resumed_at == 50 and undone.diagnostics == []
