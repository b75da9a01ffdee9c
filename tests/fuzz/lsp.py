"""The language server in process: a session driver, and the ``lsp`` harness.

:func:`converse` builds a fresh server (``dsl.apps.lsp.server.build``),
feeds it a byte stream of framed messages through the same framing loop
``chainrule lsp`` reads standard input with (``transport.serve``), lets the
checks it scheduled finish, and returns a :class:`Conversation`: every
message the server wrote, and the defects it met (an exception a handler or
a check caught and logged; the harness raises the first, so that the oracle
names its class by where it was raised).

The strategy (:func:`sessions`) draws a message sequence: documents opened
with texts of the golden corpus and the lint fixtures, mutated (``mutate``),
under file, untitled and garbage URIs; incremental and whole-text changes
with ranges in, at the edge of and past the text, reversed, inside a
surrogate pair, versions that go back; requests of every method the server
offers and some it does not, for open, closed and never-opened documents,
with positions near the text and far past it; and hostile messages: params
of the wrong shape, negative or huge numbers, missing members, ids that are
not ids, ``jsonrpc`` missing, text that is not JSON (or not UTF-8), deep
nesting, unknown methods.  :func:`run` holds the answer to the property of
the fuzz suite and two of its own: every request with a readable id is
answered exactly once, and no internal defect was caught on the way.
"""
from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# numpy first: the server's verification thread imports it on first use, and hypothesis, which
# looks for it while drawing, must never meet it half imported
import numpy  # noqa: F401
from hypothesis import strategies as st

from . import mutate

ROOT = Path(__file__).resolve().parents[2]
SETTLE = 15.0      # seconds the checks may take after the last message
SUITE_EXAMPLES = 12    # sessions in the in-suite run (each is several messages): a few seconds


class Unanswered(Exception):
    """A request with a readable id got no answer, or more than one."""


@dataclass
class Conversation:
    sent: list[Any]                                  # the messages, as fed
    received: list[dict] = field(default_factory=list)
    defects: list[BaseException] = field(default_factory=list)
    exit_code: int | None = None

    def responses(self, msg_id: Any) -> list[dict]:
        return [m for m in self.received if "method" not in m and m.get("id") == msg_id]

    def response(self, msg_id: Any) -> dict:
        (found,) = self.responses(msg_id)
        return found

    def notifications(self, method: str) -> list[dict]:
        return [m["params"] for m in self.received if m.get("method") == method]

    def logs(self) -> list[str]:
        return [p["message"] for p in self.notifications("window/logMessage")
                + self.notifications("window/showMessage")]

    def diagnostics(self, uri: str) -> list[dict] | None:
        """The last diagnostics published for ``uri`` (None if none were)."""
        found = [p["diagnostics"] for p in self.notifications("textDocument/publishDiagnostics") if p["uri"] == uri]
        return found[-1] if found else None


def frame(message: Any) -> bytes:
    """A message as the wire carries it: a dict as JSON, bytes as the body itself."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8", "surrogatepass")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Raw(bytes):
    """Bytes put on the wire as they are (no header added)."""


class Breaking(Raw):
    """Raw bytes after which the stream is out of step: what follows is not read as the messages it was."""


class _Reader:
    def __init__(self, chunks: list[bytes | float]):
        self.chunks, self.buffer = list(chunks), b""

    async def _fill(self) -> bool:
        while self.chunks:
            chunk = self.chunks.pop(0)
            if isinstance(chunk, float):
                await asyncio.sleep(chunk)
                continue
            self.buffer += chunk
            return True
        return False

    async def readline(self, limit: int) -> bytes:
        while b"\n" not in self.buffer[:limit] and len(self.buffer) < limit and await self._fill():
            pass
        end = self.buffer.find(b"\n", 0, limit)
        cut = limit if end == -1 else end + 1
        line, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return line

    async def read(self, n: int) -> bytes:
        while len(self.buffer) < n and await self._fill():
            pass
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data


class _Writer:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


def _messages(data: bytes) -> list[dict]:
    out, at = [], 0
    while True:
        head = data.find(b"\r\n\r\n", at)
        if head == -1:
            return out
        length = int(data[at:head].split(b"Content-Length: ")[1].split(b"\r\n")[0])
        out.append(json.loads(data[head + 4:head + 4 + length]))
        at = head + 4 + length


def initialize(msg_id: Any = 0, options: dict | None = None, encodings: list[str] | None = None) -> dict:
    caps: dict = {"general": {"positionEncodings": encodings}} if encodings else {}
    return {"jsonrpc": "2.0", "id": msg_id, "method": "initialize",
            "params": {"capabilities": caps, "initializationOptions": options or {"debounce": 0, "verify": False}}}


def converse(messages: list[Any], settle: float = SETTLE) -> Conversation:
    """Feed ``messages`` (dicts and bytes are framed, :class:`Raw` is sent as it
    is, a float is a pause in seconds) to a fresh in-process server."""
    from dsl.apps.lsp import server as lsp_server, transport

    ls = lsp_server.build()
    talk = Conversation(list(messages))

    def recorded(report):
        @functools.wraps(report)
        def run(*args, **kwargs):
            exc = sys.exc_info()[1]
            if exc is not None:
                talk.defects.append(exc)
            return report(*args, **kwargs)
        return run

    ls.report_defect = recorded(ls.report_defect)                        # type: ignore[method-assign]
    ls.checker.report_defect = recorded(ls.checker.report_defect)        # type: ignore[method-assign]
    writer = _Writer()
    ls.protocol.set_writer(writer)
    chunks = [m if isinstance(m, float) else (bytes(m) if isinstance(m, Raw) else frame(m)) for m in messages]

    async def main() -> None:
        await transport.serve(ls.protocol, _Reader(chunks), ls.note)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settle
        while loop.time() < deadline:
            tasks = [s.task for s in ls.checker.states.values() if s.task is not None]
            if all(t.done() for t in tasks):
                break
            await asyncio.sleep(0.005)

    try:
        asyncio.run(main())
    finally:
        ls.checker.shutdown()
    talk.received = _messages(bytes(writer.data))
    talk.exit_code = ls.protocol.exit_code if ls.protocol.stopped else None
    return talk


# ------------------------------------------------------------ the harness

@functools.cache
def texts() -> dict[str, list[str]]:
    """Corpus texts by kind: ``.deriv`` (the golden corpus, the examples), Markdown, LaTeX."""
    lint = ROOT / "tests" / "fixtures" / "lint"
    deriv = sorted(ROOT.glob("tests/corpus/*.deriv")) + sorted(ROOT.glob("examples/**/*.deriv"))
    return {"deriv": [p.read_text(encoding="utf-8") for p in deriv],
            "md": [p.read_text(encoding="utf-8") for p in sorted(lint.glob("*.md"))],
            "tex": [p.read_text(encoding="utf-8") for p in sorted(lint.glob("*.tex"))]}


URIS = {"deriv": ["file:///tmp/chainrule-fuzz/a.deriv", "untitled:Untitled-1", "file:///tmp/chainrule-fuzz/b%20c.deriv"],
        "md": ["file:///tmp/chainrule-fuzz/notes.md"], "tex": ["file:///tmp/chainrule-fuzz/note.tex"]}
GARBAGE_URIS = ["", "not a uri", "file:///tmp/x%00y.deriv", "http://example.com/x.deriv", "file://%zz",
                ":::", "file:///" + "a" * 9000 + ".deriv", "file:///etc/passwd", "file:///dev/zero",
                "\x00", "\udcff:x", 7, None, ["file:///a.deriv"], {"uri": "x"}]
REQUESTS = ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references",
            "textDocument/inlayHint", "textDocument/codeAction", "textDocument/documentSymbol",
            "textDocument/formatting", "textDocument/rename", "textDocument/semanticTokens/full",
            "textDocument/signatureHelp", "workspace/symbol", "workspace/executeCommand", "no/such/method",
            "$/unknown", "initialize", "shutdown"]
NUMBERS = [0, 1, 2, 3, 5, 8, 13, 40, 2**31 - 1, 2**31, -1, -2**31, 10**20, 1.5, float("nan"), "3", None, True]
DEEP = ["[" * 100_000 + "]" * 100_000, "{" * 50_000, "(" * 100_000, "x" * 200_000,
        "sigma(" * 20_000 + "x" + ")" * 20_000, "\n" * 50_000, "𝑥" * 30_000, "\ud83d" * 100 + "\x00" * 100]


def _one_in(draw, n: int) -> bool:
    """True once in about ``n`` draws (False is the value hypothesis tends to: the common branch)."""
    return draw(st.integers(0, n - 1)) == n - 1


def _number(draw, edge: bool) -> Any:
    if edge:
        return draw(st.sampled_from(NUMBERS))
    return draw(st.integers(0, 60))


@st.composite
def _position(draw, hostile: bool, widths: tuple[int, ...]) -> Any:
    """A position: mostly in the opened text (``widths``: its lines' lengths), at or past a line's
    end, past the text, or (hostile) an edge number or no position at all."""
    if hostile and _one_in(draw, 10):
        return draw(st.sampled_from([None, [], {"line": 1}, {"character": 2}, "0:0", {"line": "a", "character": 0}]))
    edge = hostile and draw(st.booleans())
    if edge or not widths or _one_in(draw, 4):
        return {"line": _number(draw, edge), "character": _number(draw, edge)}
    line = draw(st.integers(0, len(widths) - 1))
    return {"line": line, "character": draw(st.integers(0, widths[line] + 1))}


@st.composite
def _range(draw, hostile: bool, widths: tuple[int, ...]) -> Any:
    return {"start": draw(_position(hostile, widths)), "end": draw(_position(hostile, widths))}


@st.composite
def _text(draw, kind: str) -> str:
    pool = texts()[kind] or texts()["deriv"]
    how = draw(st.integers(0, 9))
    if how == 9:
        return draw(st.sampled_from(DEEP))
    if how >= 7:
        return draw(st.sampled_from(pool))
    if how == 6:
        raw = draw(mutate.mutated_bytes(pool))
        return raw.decode("utf-8", "surrogateescape")       # bytes that are not UTF-8: lone surrogates
    return draw(mutate.mutated_text(pool))


@st.composite
def _uri(draw, kind: str, hostile: bool) -> Any:
    if hostile and _one_in(draw, 6):
        return draw(st.sampled_from(GARBAGE_URIS))
    return draw(st.sampled_from(URIS[kind]))


@st.composite
def _message(draw, ids: list[int], main: tuple[str, str], widths: tuple[int, ...]) -> Any:
    """One message, most of them about the session's ``main`` document (its kind and URI)."""
    hostile = _one_in(draw, 4)
    if not _one_in(draw, 5):
        kind, uri = main
    else:
        kind = draw(st.sampled_from(["deriv", "deriv", "md", "tex"]))
        uri = draw(_uri(kind, hostile))
    what = draw(st.sampled_from(["request", "change", "request", "open", "change", "request", "change", "close",
                                 "save", "open", "hostile", "pause"]))
    if what == "pause":
        return draw(st.sampled_from([0.0, 0.001, 0.01]))
    if what == "open":
        return _note("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": kind, "version": _number(draw, hostile), "text": draw(_text(kind))}})
    if what == "change":
        changes = []
        for _ in range(draw(st.integers(1, 4))):
            new = draw(st.sampled_from([*mutate.PAYLOADS, "", "", "x", "\n", "𝑥", "\r\n"]))
            if _one_in(draw, 8):
                changes.append({"text": draw(_text(kind))})
            else:
                changes.append({"range": draw(_range(hostile, widths)), "text": new})
        return _note("textDocument/didChange", {"textDocument": {"uri": uri, "version": _number(draw, hostile)},
                                                "contentChanges": changes})
    if what in ("close", "save"):
        return _note(f"textDocument/did{what.title()}", {"textDocument": {"uri": uri}})
    if what == "hostile":
        return draw(_hostile(ids))
    method = draw(st.sampled_from(REQUESTS))
    params: dict = {"textDocument": {"uri": uri}, "position": draw(_position(hostile, widths)),
                    "range": draw(_range(hostile, widths)), "options": {"tabSize": 4, "insertSpaces": True},
                    "newName": "z", "query": "x"}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": draw(st.booleans())}
    elif method == "textDocument/codeAction":
        params["context"] = {"diagnostics": []}
    elif method == "textDocument/completion" and draw(st.booleans()):
        params["context"] = {"triggerKind": draw(st.sampled_from([1, 2, 3])), "triggerCharacter": "("}
    if method == "workspace/executeCommand":
        params = {"command": draw(st.sampled_from(["chainrule.x", ""])), "arguments": [1]}
    if hostile and draw(st.booleans()):
        params.pop(draw(st.sampled_from(sorted(params))))
    ids.append(len(ids) + 1)
    return {"jsonrpc": "2.0", "id": ids[-1], "method": method, "params": params}


def _note(method: str, params: Any) -> dict:
    return {"jsonrpc": "2.0", "method": method, "params": params}


@st.composite
def _hostile(draw, ids: list[int]) -> Any:
    how = draw(st.integers(0, 11))
    if how == 0:
        return draw(st.sampled_from([b"", b"{", b"not json", b"\xff\xfe{}", b"[1, 2]", b"null", b"7",
                                     b'{"jsonrpc": "2.0", "id": 1e999}', b"[" * 100_000,
                                     b'{"jsonrpc": "2.0", "id": 5, "method": "x", "params": ' + b"9" * 5000 + b"}"]))
    if how == 1:
        if _one_in(draw, 4):
            return Breaking(draw(st.sampled_from([b"Content-Length: 99999999999999999999\r\n\r\n",
                                                  b"Content-Length: 5\r\n\r\n{}"])))
        return Raw(draw(st.sampled_from([b"Content-Length: -3\r\n\r\n", b"garbage line\r\n",
                                         b"X" * 5000 + b"\r\n", b"content-length:2\r\n\r\n{}"])))
    if how == 2:
        return {"id": draw(st.sampled_from([{"a": 1}, [1], 1.5, True, None])), "jsonrpc": "2.0", "method": "x"}
    if how == 3:
        return {"jsonrpc": draw(st.sampled_from(["1.0", None, 2])), "id": 999_999, "method": "textDocument/hover"}
    if how == 4:
        return {"jsonrpc": "2.0", "method": draw(st.sampled_from([7, None, ["x"]])), "params": {}}
    if how == 5:
        return {"jsonrpc": "2.0", "id": 999_998}
    if how == 6:
        return {"jsonrpc": "2.0", "id": 999_997, "result": {"x": 1}}
    method = draw(st.sampled_from([*REQUESTS, "textDocument/didOpen", "textDocument/didChange", "$/cancelRequest",
                                   "$/setTrace", "workspace/didChangeWorkspaceFolders",
                                   "notebookDocument/didChange", "initialized", "exit"]))
    params = draw(st.sampled_from([None, [], [1, 2], "x", 7, {}, {"textDocument": None},
                                   {"textDocument": {"uri": 7}, "position": {"line": -1, "character": 0}},
                                   {"id": 1}, {"value": "verbose"}, {"event": {"added": [], "removed": [{}]}},
                                   {"notebookDocument": {"uri": "x", "version": 1}, "change": {}}]))
    message: dict = {"jsonrpc": "2.0", "method": method, "params": params}
    if draw(st.booleans()) and method != "exit":
        ids.append(len(ids) + 1)
        message["id"] = ids[-1]
    return message


@st.composite
def sessions(draw) -> tuple[dict, list[Any]]:
    """An initialize request (the options drawn, or its params hostile), mostly the opening of
    the session's main document, 1 to 12 messages, and sometimes shutdown and exit."""
    ids: list[int] = []
    options = {"debounce": draw(st.sampled_from([0, 0, 0.001])), "verify": _one_in(draw, 5)}
    encodings = draw(st.sampled_from([None, ["utf-8"], ["utf-32"], ["utf-16"], ["utf-8", "utf-16"]]))
    kind = draw(st.sampled_from(["deriv", "deriv", "md", "tex"]))
    main = (kind, draw(st.sampled_from(URIS[kind])))
    first = draw(_text(kind))
    widths = tuple(len(line) for line in first.split("\n")[:300])
    body = draw(st.lists(_message(ids, main, widths), min_size=1, max_size=12))
    if not _one_in(draw, 10):
        body = [_note("textDocument/didOpen", {"textDocument": {"uri": main[1], "languageId": kind, "version": 1,
                                                                "text": first}}), *body]
    before = [draw(_hostile(ids))] if _one_in(draw, 4) else []        # something before initialize
    tail = draw(st.sampled_from([[], [], [{"jsonrpc": "2.0", "id": "end", "method": "shutdown"}],
                                 [{"jsonrpc": "2.0", "id": "end", "method": "shutdown"}, _note("exit", None)]]))
    head = [initialize(0, options, encodings)]
    if _one_in(draw, 6):
        head[0]["params"] = draw(st.sampled_from(HOSTILE_INITIALIZE))
    return {"verify": options["verify"]}, before + head + body + tail


HOSTILE_INITIALIZE = [{"capabilities": {}, "processId": -5, "locale": "\udcff"}, {}, [], None, {"capabilities": []},
                      {"capabilities": {}, "rootUri": "file://%zz"},
                      {"capabilities": {}, "rootUri": ":::", "rootPath": "\x00"}, {"capabilities": {}, "trace": "loud"},
                      {"capabilities": {}, "workspaceFolders": [{"uri": "", "name": ""}, {"uri": 7, "name": "x"}]},
                      {"capabilities": {}, "initializationOptions": {"debounce": "x", "verify": "yes"}},
                      {"capabilities": {}, "initializationOptions": {"debounce": 1e308, "verify": None}},
                      {"capabilities": {}, "initializationOptions": [1, {"debounce": -1}]},
                      {"capabilities": {"general": {"positionEncodings": ["utf-7", "", 7]}}}]


def _expected_ids(messages: list[Any]) -> Counter:
    """The requests a server must answer: well-formed ids, before an exit."""
    ids: Counter = Counter()
    for m in messages:
        if isinstance(m, Breaking) or (isinstance(m, dict) and m.get("method") == "exit"):
            break
        if not isinstance(m, dict):
            continue
        if m.get("jsonrpc") == "2.0" and isinstance(m.get("method"), str) and "id" in m \
                and isinstance(m["id"], (int, str)) and not isinstance(m["id"], bool):
            ids[m["id"]] += 1
    return ids


def run(value: tuple[dict, list[Any]]) -> tuple[int, str]:
    """Hold one session to the property; the text is what the server said (for the oracle)."""
    info, messages = value
    talk = converse(messages)
    if talk.defects:
        raise talk.defects[0]
    answered = Counter(m.get("id") for m in talk.received if "method" not in m)
    for msg_id, count in _expected_ids(messages).items():
        if answered[msg_id] != count:
            raise Unanswered(f"request {msg_id} answered {answered[msg_id]} times, sent {count}")
    shown = []
    for m in talk.received:
        if "method" not in m and info["verify"]:     # answers during verification depend on its timing
            m = {"id": m.get("id"), "error": m.get("error", {}).get("code") if "error" in m else None}
        elif m.get("method") == "textDocument/publishDiagnostics" and info["verify"]:
            continue
        shown.append(json.dumps(m, ensure_ascii=False, sort_keys=True))
    return 0, "\n".join(shown)
