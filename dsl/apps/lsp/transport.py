"""The wire: messages read, checked as JSON-RPC 2.0, and every request answered.

Contract: :func:`serve` reads framed messages (``Content-Length`` headers)
from a reader until end of input or the ``exit`` notification; a header line
is at most :data:`MAX_HEADER` bytes and a message at most :data:`MAX_MESSAGE`
(a longer one is skipped unread, in words).  :meth:`ChainruleProtocol.receive`
takes one message body: text that is not JSON is answered with the JSON-RPC
parse error (-32700), a message that is not a JSON-RPC 2.0 request with
invalid request (-32600), a request whose parameters do not have the
protocol's shape with invalid params (-32602), a request before
``initialize`` with -32002 and one after ``shutdown`` with -32600; an
unknown method is pygls' method not found (-32601).  A notification that
cannot be taken is logged and skipped.  Every message an answer or a log
line carries is a sentence of the wording registry: never an exception's
text, a traceback or an object's repr; pygls' own log is silenced
(:func:`quiet`), so nothing is written to standard error.

The documents are not pygls' workspace: ``didOpen``, ``didChange`` and
``didClose`` go to the server's handlers only (``protocol.Documents``), so
that no document is ever read from disk.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, cast

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage
from pygls.protocol.language_server import lsp_method

from dsl.apps.lsp.protocol import MAX_DOCUMENT, shown
from dsl.core.wording import say
from dsl.pipeline.reading import mib

MAX_MESSAGE = 8 * MAX_DOCUMENT
"""The largest message read: a document at the limit with every character escaped (``\\uXXXX``) fits."""
MAX_HEADER = 4096
"""The longest header line read."""
SKIP_CHUNK = 2**20

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32602, -32603
NOT_INITIALIZED, CANCELLED = -32002, -32800

_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,%d})" % MAX_HEADER, re.I)


def quiet() -> None:
    """pygls logs nothing of its own (its lines carry tracebacks and parameters):
    what the client should know, the server says itself, in words."""
    log = logging.getLogger("pygls")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    log.propagate = False


class _Rejected(Exception):
    """A message that cannot be taken: the error code and the sentence to answer with."""

    def __init__(self, code: int, message: str, msg_id: int | str | None = None, why: str = ""):
        super().__init__(message)
        self.code, self.message, self.msg_id, self.why = code, message, msg_id, why


def _envelope(why_key: str, msg_id: int | str | None = None, **values: str) -> _Rejected:
    """Invalid request (-32600): the message is not a JSON-RPC 2.0 request, for the reason ``why_key``."""
    why = say(why_key, **values)
    return _Rejected(INVALID_REQUEST, say("lsp-bad-envelope", why=why), msg_id, why)


class Refusal(JsonRpcInvalidParams):
    """Raised by a handler: the request is answered with invalid params and this message (words)."""


def _valid_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and -2**53 < value < 2**53) \
        or (isinstance(value, str) and len(value) <= 1024)


class ChainruleProtocol(LanguageServerProtocol):
    """pygls' language server protocol with every message checked before it is handled."""

    _server: Any                       # the ChainruleServer: note, report_defect

    def __init__(self, server: Any, converter: Any):
        super().__init__(server, converter)
        self.initialized = False       # initialize was received
        self.stopped = False           # exit was received
        self.exit_code = 1
        self.method = ""               # the method of the message being handled
        self._methods: dict[Any, str] = {}

    # ---------------------------------------------------------------- receiving

    def receive(self, body: bytes) -> None:
        """Take one message body from the client (never raises but ``SystemExit``)."""
        try:
            data = json.loads(body)
        except RecursionError:
            return self._refuse_text(say("lsp-not-json-why-deep"))
        except UnicodeDecodeError:
            return self._refuse_text(say("lsp-not-json-why-utf8"))
        except json.JSONDecodeError as exc:
            why = say("lsp-not-json-why-empty") if not body.strip() else say("lsp-not-json-why-syntax", at=exc.pos)
            return self._refuse_text(why)
        except ValueError:              # an integer past Python's digit limit
            return self._refuse_text(say("lsp-not-json-why-number"))
        try:
            message = self._structure(data)
        except _Rejected as no:
            if no.msg_id is not None or no.code != INVALID_PARAMS:
                self._send_error(no.msg_id, no.code, no.message)
            if no.msg_id is None:
                self._server.note(say("lsp-bad-envelope-log", why=no.why) if no.why else no.message)
            return None
        if message is None:
            return None
        self.method = getattr(message, "method", "")
        msg_id = getattr(message, "id", None)
        if msg_id is not None and self.method:
            self._methods[msg_id] = self.method
        try:
            self.handle_message(message)
            self._methods.pop(msg_id, None)
        except Exception:  # noqa: BLE001  (a defect in handling: logged in words, the request answered)
            self._server.report_defect(self.method)
            if msg_id is not None and self.method and self._methods.pop(msg_id, None) is not None:
                self._send_error(msg_id, INTERNAL_ERROR, say("lsp-internal-error", method=shown(self.method)))
        return None

    def _refuse_text(self, why: str) -> None:
        text = say("lsp-not-json", why=why)
        self._send_error(None, PARSE_ERROR, text)
        self._server.note(text)

    def _send_error(self, msg_id: int | str | None, code: int, message: str) -> None:
        """An error response (``"id": null`` when the request's id could not be read, as JSON-RPC says)."""
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def _structure(self, data: Any) -> Any:
        """The message ``data`` is, as lsprotocol's type for its method; None for one to drop."""
        if not isinstance(data, dict):
            raise _envelope("lsp-envelope-not-object")
        has_id = "id" in data
        msg_id = data.get("id")
        if has_id and not _valid_id(msg_id):
            raise _envelope("lsp-envelope-id")
        if data.get("jsonrpc") != "2.0":
            raise _envelope("lsp-envelope-version", msg_id)
        if "method" not in data:
            if has_id and ("result" in data or "error" in data):
                try:                     # a response to a request of the server's
                    return super().structure_message(data)
                except Exception:  # noqa: BLE001  (a malformed response: nothing waits for it)
                    return None
            raise _envelope("lsp-envelope-neither", msg_id)
        method = data["method"]
        if not isinstance(method, str):
            raise _envelope("lsp-envelope-method", msg_id)
        if has_id:
            if not self.initialized and method != types.INITIALIZE:
                raise _Rejected(NOT_INITIALIZED, say("lsp-not-initialized"), msg_id)
            if self.initialized and method == types.INITIALIZE:
                raise _Rejected(INVALID_REQUEST, say("lsp-initialized-twice"), msg_id)
            if self._shutdown:
                raise _Rejected(INVALID_REQUEST, say("lsp-shutting-down"), msg_id)
        elif (not self.initialized or self._shutdown) and method != types.EXIT:
            return None                  # notifications before initialize and after shutdown are dropped
        handled = method in self.fm.features or method in self.fm.builtin_features or method == types.CANCEL_REQUEST
        kind = self.get_message_type(method) if handled else None
        if kind is None:                 # a method not handled here: pygls answers it (-32601), or drops it
            params = data.get("params")
            if has_id:
                return JsonRPCRequestMessage(id=cast("int | str", msg_id), method=method, jsonrpc="2.0", params=params)
            return JsonRPCNotification(method=method, jsonrpc="2.0", params=params)
        fields = {a.name for a in getattr(kind, "__attrs_attrs__", ())}
        if has_id != ("id" in fields):
            raise _envelope("lsp-envelope-notification" if has_id else "lsp-envelope-request", msg_id,
                            method=shown(method))
        try:
            message = self._converter.structure(data, kind)
        except Exception:  # noqa: BLE001  (cattrs' errors: the parameters do not fit the method's type)
            if has_id:
                raise _Rejected(INVALID_PARAMS, say("lsp-bad-params", method=shown(method)), msg_id) from None
            raise _Rejected(INVALID_PARAMS, say("lsp-bad-params-log", method=shown(method))) from None
        if method == types.INITIALIZE:
            self.initialized = True
        return message

    # ---------------------------------------------------------------- answering

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        """Answer a request: its result, or an error in words (never the exception's text)."""
        self._request_futures.pop(msg_id, None)
        method = self._methods.pop(msg_id, self.method)
        if future.cancelled():
            self._send_response(msg_id, error=types.ResponseError(code=CANCELLED, message=say("lsp-cancelled")))
            return
        exc = future.exception()
        if exc is None:
            self._send_response(msg_id, result=future.result())
            return
        if isinstance(exc, Refusal):
            error = types.ResponseError(code=INVALID_PARAMS, message=exc.message)
        elif isinstance(exc, JsonRpcException) and exc.code == INVALID_PARAMS:
            error = types.ResponseError(code=INVALID_PARAMS, message=say("lsp-bad-params", method=shown(method)))
        else:
            if not isinstance(exc, JsonRpcException):
                self._server.report_defect(method)
            error = types.ResponseError(code=INTERNAL_ERROR, message=say("lsp-internal-error", method=shown(method)))
        self._send_response(msg_id, error=error)

    def _check_handler_result(self, future: Future[Any]) -> None:
        """A notification's handler failed: logged in words."""
        if not future.cancelled() and future.exception() is not None:
            self._server.report_defect(self.method)

    # ---------------------------------------------------------------- built-in features replaced

    def _user(self, method: str, params: Any):
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)

    # notebooks are not synchronised (the capability is not offered): their notifications are dropped
    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def lsp_notebook_document__did_open(self, params: Any):
        yield from ()

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(self, params: Any):
        yield from ()

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def lsp_notebook_document__did_close(self, params: Any):
        yield from ()

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any):
        """The client says exit: the reading stops (exit code 0 after a shutdown, else 1)."""
        self.exit_code = 0 if self._shutdown else 1
        self.stopped = True
        yield from ()


# -------------------------------------------------------------------- framing

class PipeReader:
    """A blocking binary stream read in a worker thread, a line or a body at a time."""

    def __init__(self, stream: Any, executor: Any = None):
        self.stream, self.executor = stream, executor

    async def readline(self, limit: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.stream.readline, limit)

    async def read(self, n: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.stream.read, n)


async def serve(protocol: ChainruleProtocol, reader: Any, log: Callable[[str], None]) -> None:
    """Read and take messages until end of input or ``exit``."""
    length: int | None = None
    while not protocol.stopped:
        line = await reader.readline(MAX_HEADER)
        if not line:
            return
        if not line.endswith(b"\n") and len(line) >= MAX_HEADER:
            log(say("lsp-header-too-long", limit=MAX_HEADER))
            while line and not line.endswith(b"\n"):
                line = await reader.readline(MAX_HEADER)
            length = None
            continue
        if line.strip():
            found = _LENGTH.fullmatch(line.strip())
            if found is not None:
                length = int(found.group(1))
            continue
        if length is None:
            continue                     # a blank line without a length: nothing to read
        size, length = length, None
        if size > MAX_MESSAGE:
            log(say("lsp-message-too-large", size=mib(size), limit=mib(MAX_MESSAGE)))
            while size > 0:
                chunk = await reader.read(min(size, SKIP_CHUNK))
                if not chunk:
                    return
                size -= len(chunk)
            continue
        body = await reader.read(size)
        if len(body) < size:
            return                       # the input ended inside a message
        protocol.receive(body)
        await asyncio.sleep(0)           # the checks scheduled by it may start
