"""The language server: the protocol's requests wired to the feature modules.

``chainrule lsp`` runs :func:`main`, which serves over standard input and
output.  Documents are synchronised incrementally (a client may also send
whole texts); ``checking`` decides when they are checked, the other modules
answer the requests from the last good analysis.  A request that fails is
logged and answered with nothing: no input stops the server.

Initialization options (all optional): ``{"debounce": 0.15, "verify": true}``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from dsl import __version__
from dsl.apps.lsp import completion, edits, hover, inlay, navigation
from dsl.apps.lsp.analysis import Analysis
from dsl.apps.lsp.checking import Checker, Options
from dsl.apps.lsp.convert import lsp_diagnostic, lsp_range
from dsl.core.diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


class ChainruleServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("chainrule", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.checker = Checker(self._text_of, self._publish, self._log)

    def _text_of(self, uri: str) -> tuple[str, str, int | None]:
        doc = self.workspace.get_text_document(uri)
        return to_fs_path(uri) or uri, doc.source, doc.version

    def _publish(self, uri: str, analysis: Analysis, diagnostics: list[Diagnostic]) -> None:
        found = [lsp_diagnostic(uri, analysis.index, d) for d in diagnostics]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found,
                                                                              version=analysis.version))

    def _log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))


server = ChainruleServer()


def guarded(default: Any = None) -> Callable[[F], F]:
    """A handler whose failure is logged and answered with ``default``."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(ls: ChainruleServer, params: Any) -> Any:
            try:
                return fn(ls, params)
            except Exception as exc:  # noqa: BLE001  (a defect in a request is logged, never fatal)
                ls.checker.report_defect(getattr(getattr(params, "text_document", None), "uri", "?"), exc)
                return default
        return run  # type: ignore[return-value]
    return wrap


def _analysis(ls: ChainruleServer, uri: str) -> Analysis | None:
    return ls.checker.current(uri)


def _offset(analysis: Analysis, position: types.Position) -> int:
    return analysis.index.offset(position.line, position.character)


# ------------------------------------------------------------------ lifecycle

@server.feature(types.INITIALIZE)
@guarded()
def initialize(ls: ChainruleServer, params: types.InitializeParams) -> None:
    given = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    options = Options()
    debounce = given.get("debounce")
    if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and 0 <= debounce <= 10:
        options.debounce = float(debounce)
    if isinstance(given.get("verify"), bool):
        options.verify = given["verify"]
    chosen = ls.workspace.position_encoding        # negotiated by pygls from the client's preference
    options.encoding = str(getattr(chosen, "value", chosen) or "utf-16")
    ls.checker.options = options


@server.feature(types.SHUTDOWN)
def shutdown(ls: ChainruleServer, params: None) -> None:
    ls.checker.shutdown()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded()
def did_open(ls: ChainruleServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.checker.changed(params.text_document.uri, at_once=True)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded()
def did_change(ls: ChainruleServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.checker.changed(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded()
def did_save(ls: ChainruleServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.checker.changed(params.text_document.uri, at_once=True)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(ls: ChainruleServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.checker.closed(params.text_document.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                        diagnostics=[]))


# ------------------------------------------------------------------ requests

@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded()
def on_hover(ls: ChainruleServer, params: types.HoverParams) -> types.Hover | None:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return None
    found = hover.hover_text(analysis, _offset(analysis, params.position))
    if found is None:
        return None
    text, span = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=lsp_range(analysis.index, span))


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
@guarded(default=[])
def on_inlay_hint(ls: ChainruleServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return []
    return inlay.inlay_hints(analysis, params.range.start.line, params.range.end.line)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
@guarded(default=[])
def on_code_action(ls: ChainruleServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return []
    return edits.code_actions(params.text_document.uri, analysis, params.range)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded()
def on_definition(ls: ChainruleServer, params: types.DefinitionParams) -> types.Location | None:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return None
    return navigation.definition(params.text_document.uri, analysis, _offset(analysis, params.position))


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@guarded(default=[])
def on_references(ls: ChainruleServer, params: types.ReferenceParams) -> list[types.Location]:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return []
    return navigation.references(params.text_document.uri, analysis, _offset(analysis, params.position),
                                 params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(default=[])
def on_symbols(ls: ChainruleServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    analysis = _analysis(ls, params.text_document.uri)
    return [] if analysis is None else navigation.symbols(analysis)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "(", ":"]))
@guarded()
def on_completion(ls: ChainruleServer, params: types.CompletionParams) -> types.CompletionList | None:
    analysis = _analysis(ls, params.text_document.uri)
    if analysis is None:
        return None
    line, column = analysis.index.span_point(params.position.line, params.position.character)
    before = analysis.index.line(line - 1)[:column - 1]
    return types.CompletionList(is_incomplete=False, items=completion.completions(analysis, before))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
@guarded()
def on_formatting(ls: ChainruleServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    analysis = _analysis(ls, params.text_document.uri)
    return None if analysis is None else edits.formatting(analysis)


def main() -> int:
    """Serve over standard input and output until the client says exit."""
    server.start_io()
    return 0


__all__ = ["ChainruleServer", "main", "server"]
