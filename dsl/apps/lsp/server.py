"""The language server: the protocol's requests wired to the feature modules.

``chainrule lsp`` runs :func:`main`, which serves over standard input and
output.  Documents are synchronised incrementally (a client may also send
whole texts) into ``protocol.Documents``, the only texts the server reads;
``checking`` decides when they are checked, the other modules answer the
requests from the last good analysis.  ``transport`` checks every message
before it reaches a handler here.  A request about a document the client has
not opened is answered with nothing; one whose URI is not a URI with invalid
params; a handler that fails is logged in words and answered with nothing:
no input stops the server.

Initialization options (all optional): ``{"debounce": 0.15, "verify": true}``.
"""
from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from dsl import __version__
from dsl.apps.lsp import completion, edits, hover, inlay, navigation, transport
from dsl.apps.lsp.analysis import Analysis
from dsl.apps.lsp.checking import Checker, Options
from dsl.apps.lsp.convert import lsp_diagnostic, lsp_range
from dsl.apps.lsp.positions import LineIndex
from dsl.apps.lsp.protocol import Documents, Point, ordered, refusal, shown, valid_uri
from dsl.core.diagnostics import Diagnostic
from dsl.core.wording import say

F = TypeVar("F", bound=Callable[..., Any])


class ChainruleServer(LanguageServer):
    protocol: transport.ChainruleProtocol

    def __init__(self) -> None:
        super().__init__("chainrule", __version__, protocol_cls=transport.ChainruleProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        transport.quiet()
        self.documents = Documents()
        self.checker = Checker(self.documents.text_of, self._publish, self.log)

    def _publish(self, uri: str, analysis: Analysis, diagnostics: list[Diagnostic]) -> None:
        found = [lsp_diagnostic(uri, analysis.index, d) for d in diagnostics]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found,
                                                                              version=analysis.version))

    def log(self, message: str) -> None:
        """An error in the client's log (``window/logMessage``): a defect met."""
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def note(self, message: str) -> None:
        """A warning in the client's log: a message of the client's that was not taken as it was."""
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=message))

    def report_defect(self, method: str) -> None:
        """A defect met while handling ``method`` outside any document's check."""
        key = ("", method)
        if key not in self.checker.reported:
            self.checker.reported.add(key)
            self.log(say("lsp-server-defect", method=shown(method)))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls' report of a failure of its own (sending a message): in words, never the error's text.
        An error pygls answered a request with (an unknown method) is no defect."""
        if isinstance(error, JsonRpcException) or source is FeatureRequestError:
            return
        self.report_defect(self.protocol.method or "?")

    def start_io(self, stdin: Any = None, stdout: Any = None) -> int:
        """Serve over ``stdin``/``stdout`` until the client says exit or the input ends; the exit code."""
        reader = transport.PipeReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(transport.serve(self.protocol, reader, self.note))
        except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
            pass                         # the client is gone
        finally:
            self.checker.shutdown()
            self.shutdown()
        return self.protocol.exit_code


def guarded(default: Any = None) -> Callable[[F], F]:
    """A request about one document: answered with ``default`` when the
    client has not opened it (or it is too large to check), with invalid
    params when its URI is not a URI; else ``fn(ls, params, analysis)``,
    whose failure is logged in words and answered with ``default``."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(ls: ChainruleServer, params: Any) -> Any:
            uri = params.text_document.uri
            if not valid_uri(uri):
                raise transport.Refusal(message=say("lsp-bad-uri", uri=shown(uri)))
            doc = ls.documents.get(uri)
            analysis = None if doc is None else ls.checker.current(doc.uri)
            if doc is None or analysis is None:
                return default
            try:
                return fn(ls, params, analysis)
            except Exception:  # noqa: BLE001  (a defect in a request is logged, never fatal)
                ls.checker.report_defect(doc.uri, method=ls.protocol.method or fn.__name__)
                return default
        return run  # type: ignore[return-value]
    return wrap


def notified(fn: F) -> F:
    """A notification's handler whose failure is logged in words."""
    @functools.wraps(fn)
    def run(ls: ChainruleServer, params: Any) -> None:
        try:
            fn(ls, params)
        except Exception:  # noqa: BLE001  (a defect in a notification is logged, never fatal)
            ls.report_defect(ls.protocol.method or fn.__name__)
    return run  # type: ignore[return-value]


def _offset(analysis: Analysis, position: types.Position) -> int:
    return analysis.index.offset(position.line, position.character)


def _point(position: types.Position) -> Point:
    return position.line, position.character


def _changes(params: types.DidChangeTextDocumentParams) -> list:
    out: list = []
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            out.append((_point(change.range.start), _point(change.range.end), change.text))
        else:
            out.append(change.text)
    return out


def _synchronised(ls: ChainruleServer, uri: str, notes: list[str], at_once: bool = False) -> None:
    """After the text of ``uri`` changed: the notes logged, the document checked (or refused)."""
    for note in notes:
        ls.note(note)
    doc = ls.documents.get(uri)
    if doc is None:
        return
    if doc.checkable:
        ls.checker.changed(doc.uri, at_once=at_once)
        return
    ls.checker.closed(doc.uri)
    found = [lsp_diagnostic(doc.uri, LineIndex(""), refusal(doc))]
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=found,
                                                                        version=doc.version))


def build() -> ChainruleServer:
    """A server with every feature registered (``main`` serves one; tests build their own)."""
    ls = ChainruleServer()
    for method, options, handler in FEATURES:
        ls.feature(method, options)(handler)
    return ls


# ------------------------------------------------------------------ lifecycle

@notified
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
    ls.documents.encoding = options.encoding


def shutdown(ls: ChainruleServer, params: Any) -> None:
    ls.checker.shutdown()


@notified
def did_open(ls: ChainruleServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    _synchronised(ls, item.uri, ls.documents.opened(item.uri, item.text, item.version), at_once=True)


@notified
def did_change(ls: ChainruleServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    _synchronised(ls, uri, ls.documents.changed(uri, params.text_document.version, _changes(params)))


@notified
def did_save(ls: ChainruleServer, params: types.DidSaveTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is not None and doc.checkable:
        ls.checker.changed(doc.uri, at_once=True)


@notified
def did_close(ls: ChainruleServer, params: types.DidCloseTextDocumentParams) -> None:
    doc = ls.documents.closed(params.text_document.uri)
    if doc is None:
        return
    ls.checker.closed(doc.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[]))


# ------------------------------------------------------------------ requests

@guarded()
def on_hover(ls: ChainruleServer, params: types.HoverParams, analysis: Analysis) -> types.Hover | None:
    found = hover.hover_text(analysis, _offset(analysis, params.position))
    if found is None:
        return None
    text, span = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=lsp_range(analysis.index, span))


@guarded(default=[])
def on_inlay_hint(ls: ChainruleServer, params: types.InlayHintParams, analysis: Analysis) -> list[types.InlayHint]:
    first, last = ordered(_point(params.range.start), _point(params.range.end))
    return inlay.inlay_hints(analysis, first[0], last[0])


@guarded(default=[])
def on_code_action(ls: ChainruleServer, params: types.CodeActionParams,
                   analysis: Analysis) -> list[types.CodeAction]:
    first, last = ordered(_point(params.range.start), _point(params.range.end))
    wanted = types.Range(start=types.Position(*first), end=types.Position(*last))
    return edits.code_actions(params.text_document.uri, analysis, wanted)


@guarded()
def on_definition(ls: ChainruleServer, params: types.DefinitionParams, analysis: Analysis) -> types.Location | None:
    return navigation.definition(params.text_document.uri, analysis, _offset(analysis, params.position))


@guarded(default=[])
def on_references(ls: ChainruleServer, params: types.ReferenceParams, analysis: Analysis) -> list[types.Location]:
    return navigation.references(params.text_document.uri, analysis, _offset(analysis, params.position),
                                 params.context.include_declaration)


@guarded(default=[])
def on_symbols(ls: ChainruleServer, params: types.DocumentSymbolParams,
               analysis: Analysis) -> list[types.DocumentSymbol]:
    return navigation.symbols(analysis)


@guarded()
def on_completion(ls: ChainruleServer, params: types.CompletionParams,
                  analysis: Analysis) -> types.CompletionList | None:
    line, column = analysis.index.span_point(params.position.line, params.position.character)
    before = analysis.index.line(line - 1)[:column - 1]
    return types.CompletionList(is_incomplete=False, items=completion.completions(analysis, before))


@guarded()
def on_formatting(ls: ChainruleServer, params: types.DocumentFormattingParams,
                  analysis: Analysis) -> list[types.TextEdit] | None:
    return edits.formatting(analysis)


FEATURES: list[tuple[str, Any, Callable[..., Any]]] = [
    (types.INITIALIZE, None, initialize),
    (types.SHUTDOWN, None, shutdown),
    (types.TEXT_DOCUMENT_DID_OPEN, None, did_open),
    (types.TEXT_DOCUMENT_DID_CHANGE, None, did_change),
    (types.TEXT_DOCUMENT_DID_SAVE, None, did_save),
    (types.TEXT_DOCUMENT_DID_CLOSE, None, did_close),
    (types.TEXT_DOCUMENT_HOVER, None, on_hover),
    (types.TEXT_DOCUMENT_INLAY_HINT, None, on_inlay_hint),
    (types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
     on_code_action),
    (types.TEXT_DOCUMENT_DEFINITION, None, on_definition),
    (types.TEXT_DOCUMENT_REFERENCES, None, on_references),
    (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, None, on_symbols),
    (types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "(", ":"]), on_completion),
    (types.TEXT_DOCUMENT_FORMATTING, None, on_formatting),
]
"""Every method the server handles, its options, and its handler."""


def main() -> int:
    """Serve over standard input and output until the client says exit (0 after a shutdown, else 1)."""
    return build().start_io()


__all__ = ["FEATURES", "ChainruleServer", "build", "main"]
