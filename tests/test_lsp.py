"""The language server end to end: pytest-lsp starts ``chainrule lsp`` as a
subprocess and drives it over stdio as an editor would (open, change,
hover, inlay hints, a quick fix applied, definition, references, symbols,
completion, formatting, a malformed document)."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
SEED002 = (ROOT / "examples" / "mistakes" / "seed002_question.deriv").read_text(encoding="utf-8")
WAIT = 30.0   # seconds a diagnostic may take to arrive (a loaded machine; it is milliseconds)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "dsl", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=ROOT.as_uri(), initialization_options={"debounce": 0.05}))
    yield
    await lsp_client.shutdown_session()


def uri_of(name: str) -> str:
    return (Path("/tmp/chainrule-lsp-tests") / name).as_uri()


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "deriv") -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))


async def diagnostics_until(client: LanguageClient, uri: str, done) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once ``done(diagnostics)`` holds for the latest published."""
    async def wait():
        while not (uri in client.diagnostics and done(client.diagnostics[uri])):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])
    return await asyncio.wait_for(wait(), WAIT)


def position_of(text: str, needle: str, after: int = 0) -> types.Position:
    """The LSP position of ``needle`` in ``text`` (an ASCII line, so code points are UTF-16 units)."""
    at = text.index(needle)
    line = text.count("\n", 0, at)
    return types.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1) + after)


def apply_edit(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")
    def offset(p: types.Position) -> int:
        return sum(len(x) + 1 for x in lines[:p.line]) + p.character
    return text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


async def test_seed002_underlined_hovered_fixed(client: LanguageClient):
    """The seed 002 question: E300 at the columns of the product, the W1.T quick fix, hover on
    sigma'(a) shows 1 x k, and applying the fix clears the error."""
    uri = uri_of("seed002.deriv")
    open_doc(client, uri, SEED002)
    found = await diagnostics_until(client, uri, lambda ds: any(d.code == "E300" for d in ds))
    e300 = next(d for d in found if d.code == "E300")
    line = SEED002.split("\n")[e300.range.start.line]
    assert line.startswith("dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1")
    assert (e300.range.start.character, e300.range.end.character) == (8, 42)   # columns 9 to 43, 1-based
    assert e300.severity is types.DiagnosticSeverity.Error
    assert "W1.T" in e300.message
    assert [r.message for r in e300.related_information] == ["this operand is 1 x k", "this operand is n x k"]

    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(SEED002, "sigma'(a) @", 2)))
    assert hover is not None and "shape: 1 x k" in hover.contents.value
    assert "sigma'(a)" in hover.contents.value and "sizes: n = 5, k = 3" in hover.contents.value

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=e300.range,
        context=types.CodeActionContext(diagnostics=[e300])))
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(fixes) == 1
    (edit,) = fixes[0].edit.changes[uri]
    assert edit.new_text == "W1.T"
    fixed = apply_edit(SEED002, edit)
    assert "sigma'(a) @ W1.T    # expect" in fixed
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)]))
    after = await diagnostics_until(client, uri, lambda ds: not any(d.code == "E300" for d in ds))
    assert not any(d.severity is types.DiagnosticSeverity.Error for d in after)

    async def verdict() -> str:          # the claim, verified in the background once the shapes are right
        while True:
            shown = await client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(fixed, "dL/dx")))
            if "not verified yet" not in shown.contents.value:
                return shown.contents.value
            await asyncio.sleep(0.05)
    assert "claim dL/dx: verified" in await asyncio.wait_for(verdict(), WAIT)


WRONG = """\
# Cross-entropy through a softmax, the gradient written the wrong way round.
dims n
theta : 1 x n
y     : 1 x n  onehot
yhat  = softmax(theta)
L     = xent(y, yhat)
dL/dtheta = y - yhat
"""


async def test_wrong_claim_verdict_after_verification(client: LanguageClient):
    uri = uri_of("wrong.deriv")
    open_doc(client, uri, WRONG)
    found = await diagnostics_until(client, uri, lambda ds: any(d.code == "E500" for d in ds))
    e500 = next(d for d in found if d.code == "E500")
    assert "sign" in e500.message and e500.range.start.line == 6
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(WRONG, "dL/dtheta", 1)))
    assert hover is not None
    assert "claim dL/dtheta: wrong, the sign is flipped" in hover.contents.value
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=e500.range,
        context=types.CodeActionContext(diagnostics=[e500])))
    (edit,) = actions[0].edit.changes[uri]
    assert edit.new_text == "-(y - yhat)"


MLP = """\
dims n = 5, k = 3
x  : 1 x n
W1 : n x k
b1 : 1 x k
a  = x @ W1 + b1
h  = sigma(a)
L  = sum(h)
dL/da = h * (1 - h)
"""


async def test_inlay_hints_definition_references_symbols(client: LanguageClient):
    uri = uri_of("mlp.deriv")
    open_doc(client, uri, MLP)
    await diagnostics_until(client, uri, lambda ds: True)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=8, character=0))))
    shown = {(h.position.line, h.position.character): h.label for h in hints}
    assert shown == {(4, 1): ": 1 x k", (5, 1): ": 1 x k", (6, 1): ": scalar"}

    where = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(MLP, "sigma(a)", 6)))
    assert where.range.start == types.Position(line=4, character=0)

    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(MLP, "W1 :"),
        context=types.ReferenceContext(include_declaration=True)))
    assert sorted((r.range.start.line, r.range.start.character) for r in refs) == [(2, 0), (4, 9)]

    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(s.name, s.detail) for s in symbols] == [
        ("n", "= 5"), ("k", "= 3"), ("x", "1 x n"), ("W1", "n x k"), ("b1", "1 x k"),
        ("a", "1 x k"), ("h", "1 x k"), ("L", "scalar"), ("dL/da", "1 x k")]


async def test_completion_and_formatting(client: LanguageClient):
    uri = uri_of("fmt.deriv")
    text = "dims n\nx : 1 x n \nW : n x n\nh = σ(x @ Wᵀ)\ng = \n"
    open_doc(client, uri, text)
    await diagnostics_until(client, uri, lambda ds: True)
    items = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=4, character=4)))
    labels = {i.label: i for i in items.items}
    assert {"x", "W", "h", "n", "softmax", "sigma"} <= set(labels)
    assert labels["h"].detail == "1 x n (defined)"
    attrs = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=10)))
    assert {"onehot", "positive", "spd"} <= {i.label for i in attrs.items}
    assert "softmax" not in {i.label for i in attrs.items}

    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text.replace("g = \n", ""))]))
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert len(edits) == 1 and edits[0].new_text == "dims n\nx : 1 x n\nW : n x n\nh = sigma(x @ W.T)\n"


MARKDOWN = """\
# Backprop through one layer

The hidden layer, with $x$ a row:

```deriv
dims n, k
x : 1 x n
W : n x k
h = x @ W.T
```
"""


async def test_markdown_fence_positions(client: LanguageClient):
    uri = uri_of("notes.md")
    open_doc(client, uri, MARKDOWN, language="markdown")
    found = await diagnostics_until(client, uri, lambda ds: any(d.code == "E300" for d in ds))
    e300 = next(d for d in found if d.code == "E300")
    assert (e300.range.start.line, e300.range.start.character, e300.range.end.character) == (8, 4, 11)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(MARKDOWN, "x @ W")))
    assert hover is not None and "shape: 1 x n" in hover.contents.value
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=e300.range,
        context=types.CodeActionContext(diagnostics=[e300])))
    (edit,) = actions[0].edit.changes[uri]
    assert (edit.range.start.line, edit.range.start.character, edit.new_text) == (8, 8, "W")


async def test_malformed_document_keeps_the_server(client: LanguageClient):
    uri = uri_of("broken.deriv")
    open_doc(client, uri, "dims n\nx : 1 x n\ny = ((x @ \x00 ·· ]] \ud7ff" + "(" * 3000 + "\n")
    found = await diagnostics_until(client, uri, lambda ds: len(ds) > 0)
    assert any(d.severity is types.DiagnosticSeverity.Error for d in found)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=9999)))
    assert hover is None or isinstance(hover, types.Hover)
    # the server still answers: a good document opened after it is checked
    good = uri_of("good.deriv")
    open_doc(client, good, "dims n\nx : 1 x n\ny = x @ x\n")
    found = await diagnostics_until(client, good, lambda ds: any(d.code == "E300" for d in ds))
    assert found[0].range.start.line == 2


LATEX = "% deriv: dims n\n% deriv: x : 1 x n\nFor the row 𝑥 we get $y = x x$ here.\n"


async def test_latex_columns_past_an_astral_character(client: LanguageClient):
    """In a LaTeX note whose prose has 𝑥 (two UTF-16 units) before the
    formula, the underline and the quick fix land on `x x` itself."""
    uri = uri_of("note.tex")
    open_doc(client, uri, LATEX, language="latex")
    found = await diagnostics_until(client, uri, lambda ds: any(d.code == "E300" for d in ds))
    e300 = next(d for d in found if d.code == "E300")
    line = LATEX.split("\n")[2].encode("utf-16-le")
    assert line[2 * e300.range.start.character:2 * e300.range.end.character].decode("utf-16-le") == "x x"
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=e300.range,
        context=types.CodeActionContext(diagnostics=[e300])))
    (edit,) = actions[0].edit.changes[uri]
    assert edit.range == e300.range and edit.new_text == r"x \odot x"


def _utf16_position(text: str, offset: int) -> types.Position:
    """An independent conversion (by encoding) of a code point offset to an LSP position."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


async def test_random_edits_end_as_a_fresh_check(client: LanguageClient):
    """Thirty incremental edits at random places (astral characters among them),
    sent without waiting: the diagnostics of the last version are those a
    fresh check of the final text gives, at the same places."""
    import random

    from dsl.core.span import Source
    from dsl.pipeline import check_source

    r = random.Random(13)
    text = (ROOT / "examples" / "mlp.deriv").read_text(encoding="utf-8")
    uri = uri_of("edited.deriv")
    open_doc(client, uri, text)
    pieces = ["x", " ", "\n", "@ W1.T", "(", ")", "𝑥", "ŷ", "ᵀ", "∂", "# c\n", "zz = a * 2\n", "+\n"]
    for version in range(2, 32):
        at = r.randrange(len(text) + 1)
        end = min(len(text), at + (r.randint(1, 6) if r.random() < 0.4 else 0))
        new = "" if end > at and r.random() < 0.5 else r.choice(pieces)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=_utf16_position(text, at), end=_utf16_position(text, end)), text=new)
        text = text[:at] + new + text[end:]
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change]))
    final: list = []

    async def last_version():
        while True:
            params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri and params.version == 31:
                final.extend(params.diagnostics)
                return
    await asyncio.wait_for(last_version(), WAIT)
    expected = check_source(Source("edited.deriv", text), verify=False).diagnostics
    got = [(d.code, d.range.start.line, d.range.start.character, d.range.end.character) for d in final]
    assert got == [(d.code, d.span.line - 1, _utf16_position(text, d.span.start).character,
                    _utf16_position(text, d.span.end).character) for d in expected]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "dsl", "lsp"]))
async def client_utf8(lsp_client: LanguageClient):
    """A client that prefers UTF-8 positions, as Neovim does."""
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16])
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities, initialization_options={"debounce": 0.05}))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


async def test_utf8_positions_when_the_client_prefers_them(client_utf8: LanguageClient):
    uri = uri_of("note8.tex")
    open_doc(client_utf8, uri, LATEX, language="latex")
    found = await diagnostics_until(client_utf8, uri, lambda ds: any(d.code == "E300" for d in ds))
    e300 = next(d for d in found if d.code == "E300")
    line = LATEX.split("\n")[2].encode("utf-8")
    assert line[e300.range.start.character:e300.range.end.character] == b"x x"
    # an incremental edit in UTF-8 units: `x x` becomes `x x^T`, which is shape-correct
    client_utf8.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=e300.range.end, end=e300.range.end), text="^T")]))
    await diagnostics_until(client_utf8, uri, lambda ds: not any(d.code == "E300" for d in ds))
