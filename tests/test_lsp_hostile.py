"""The language server under hostile client messages (SPEC section 7): every
one ends in a proper answer (a result, or an error with the right JSON-RPC
code and a sentence of the wording registry) or a line in the client's log
in words; never a crash, a hang, a traceback or Python's own text.

The server runs in process (``tests/fuzz/lsp.py``: the framing loop of
``chainrule lsp`` over an in-memory stream), and once over real pipes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from dsl.apps.lsp import checking, hover, protocol
from dsl.core.wording.lsp import LSP
from tests.fuzz import lsp as harness
from tests.fuzz.lsp import Breaking, Raw, converse, initialize
from tests.fuzz.oracle import _LEAKS

ROOT = Path(__file__).resolve().parent.parent
URI = "file:///tmp/chainrule-hostile/t.deriv"
TEXT = "dims n\nx : 1 x n\nW : n x n\ny = x @ W\nz = y @ y\n"        # E300 on line 5
OFFERED = ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references",
           "textDocument/inlayHint", "textDocument/codeAction", "textDocument/documentSymbol",
           "textDocument/formatting"]
EMPTY = {"textDocument/hover": None, "textDocument/completion": None, "textDocument/definition": None,
         "textDocument/references": [], "textDocument/inlayHint": [], "textDocument/codeAction": [],
         "textDocument/documentSymbol": [], "textDocument/formatting": None}


def note(method, params):
    return {"jsonrpc": "2.0", "method": method, "params": params}


def open_doc(text=TEXT, uri=URI, version=1, kind="deriv"):
    return note("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": kind, "version": version,
                                                          "text": text}})


def change(changes, uri=URI, version=2):
    return note("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                           "contentChanges": changes})


def edit(start, end, text):
    return {"range": {"start": {"line": start[0], "character": start[1]},
                      "end": {"line": end[0], "character": end[1]}}, "text": text}


def request(msg_id, method, uri=URI, line=0, character=0, end=(0, 0)):
    params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
              "range": {"start": {"line": line, "character": character},
                        "end": {"line": end[0], "character": end[1]}},
              "options": {"tabSize": 4, "insertSpaces": True}}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    if method == "textDocument/codeAction":
        params["context"] = {"diagnostics": []}
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


def clean(talk):
    """No defect caught, nothing of Python's own in anything the server wrote, and every
    message it logged or answered with is a sentence of the registry."""
    assert talk.defects == []
    shown = json.dumps(talk.received, ensure_ascii=False)
    assert _LEAKS.search(shown) is None, shown[:2000]
    for message in talk.logs() + [m["error"]["message"] for m in talk.received if "error" in m]:
        assert message.startswith("Method Not Found: ") or any(p.fullmatch(message) for p in SENTENCES), message
    return talk


SENTENCES = [re.compile(".*".join(re.escape(piece) for piece in re.split(r"\{\w+\}", text)), re.S)
             for text in LSP.values()]
"""The sentences of the wording registry, their slots filled by anything."""


def error_code(talk, msg_id):
    return talk.response(msg_id)["error"]["code"]


# ------------------------------------------------------------------ positions

@pytest.mark.parametrize("method", OFFERED)
def test_positions_past_every_end_are_answered(method):
    where = [(0, 10**6), (2**31 - 1, 0), (2**31 - 1, 2**31 - 1), (4, 999), (99, 3)]
    talk = clean(converse([initialize(), open_doc()]
                          + [request(i, method, line=ln, character=ch, end=(min(ln + 1, 2**31 - 1), ch))
                             for i, (ln, ch) in enumerate(where, 1)]))
    for i in range(1, len(where) + 1):
        assert "result" in talk.response(i)


@pytest.mark.parametrize("position", [{"line": -1, "character": 0}, {"line": 0, "character": -5},
                                      {"line": 2**31, "character": 0}, {"line": "a", "character": 0},
                                      {"line": [], "character": 0}, {"line": 1}, None])
def test_positions_that_are_not_positions_are_invalid_params(position):
    message = request(1, "textDocument/hover")
    message["params"]["position"] = position
    talk = clean(converse([initialize(), open_doc(), message]))
    assert error_code(talk, 1) == -32602
    assert "textDocument/hover" in talk.response(1)["error"]["message"]


@pytest.mark.parametrize("method", OFFERED)
def test_inside_a_surrogate_pair_is_the_next_character(method):
    """𝑥 is two UTF-16 units: a position between them answers as the one after it,
    and no range the server sends splits a pair."""
    uri = "file:///tmp/chainrule-hostile/note.tex"
    text = "% deriv: dims n\n% deriv: x : 1 x n\n𝑥 $y = x x$ 𝑥$z = x x$\n"
    line = text.split("\n")[2]
    units = [u for i, ch in enumerate(line) for u in ([len(line[:i].encode("utf-16-le")) // 2 + 1]
                                                      if ord(ch) > 0xFFFF else [])]
    inside = [request(u, method, uri, 2, u, end=(2, u)) for u in units]
    after = [request(100 + u, method, uri, 2, u + 1, end=(2, u + 1)) for u in units]
    talk = clean(converse([initialize(), open_doc(text, uri=uri, kind="latex"), *inside, *after]))
    for u in units:
        assert talk.response(u)["result"] == talk.response(100 + u)["result"]
    shown = json.dumps(talk.received)
    starts = {u - 1 for u in units}
    for found in re.finditer(r'"line": 2, "character": (\d+)', shown):
        assert int(found.group(1)) - 1 not in starts            # never between the two units of 𝑥
    assert [d["code"] for d in talk.diagnostics(uri)] == ["E300", "E300"]


# ------------------------------------------------------------------ documents

@pytest.mark.parametrize("method", OFFERED)
def test_documents_never_opened_or_closed_are_answered_empty(method):
    close = note("textDocument/didClose", {"textDocument": {"uri": URI}})
    talk = clean(converse([initialize(), request(1, method), open_doc(), close, request(2, method),
                           request(3, method, uri="untitled:never")]))
    for i in (1, 2, 3):
        assert talk.response(i)["result"] == EMPTY[method]


def test_no_file_is_ever_opened_from_a_uri(tmp_path, monkeypatch):
    """A request, a save and a change for files on disk that were never opened:
    answered empty, and none of them is read (not even stat'ed by the server)."""
    real = tmp_path / "real.deriv"
    real.write_text(TEXT, encoding="utf-8")
    fifo = tmp_path / "pipe.deriv"
    os.mkfifo(fifo)                   # opening it would block: a read of it would hang the test
    touched = []
    real_open, real_os_open, real_stat = open, os.open, os.stat

    def spy(fn):
        def run(path, *args, **kwargs):
            if str(tmp_path) in str(path):
                touched.append(str(path))
            return fn(path, *args, **kwargs)
        return run

    monkeypatch.setattr("builtins.open", spy(real_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    monkeypatch.setattr(os, "stat", spy(real_stat))
    messages = [initialize()]
    for i, path in enumerate((real, fifo)):
        uri = path.as_uri()
        messages += [request(10 * i + 1, "textDocument/hover", uri, 4, 5),
                     request(10 * i + 2, "textDocument/documentSymbol", uri),
                     note("textDocument/didSave", {"textDocument": {"uri": uri}}),
                     change([edit((0, 0), (0, 0), "x")], uri=uri)]
    talk = clean(converse(messages))
    assert touched == []
    assert talk.response(2)["result"] == [] and talk.response(11)["result"] is None
    assert talk.notifications("textDocument/publishDiagnostics") == []
    assert sum("has not opened" in line for line in talk.logs()) == 2        # the two changes


@pytest.mark.parametrize("uri", ["", "not a uri", "\x00", "\udcff:x", "file:///" + "a" * 9000])
def test_garbage_uris_are_refused_in_words(uri):
    talk = clean(converse([initialize(), open_doc(uri=uri), request(1, "textDocument/hover", uri=uri)]))
    assert error_code(talk, 1) == -32602
    assert "is not a document URI" in talk.response(1)["error"]["message"]
    assert any("is not a document URI" in line for line in talk.logs())
    assert talk.notifications("textDocument/publishDiagnostics") == []


@pytest.mark.parametrize("uri", ["untitled:Untitled-1", "http://example.com/t.deriv", "vscode-notebook-cell:/x#y",
                                 "file:///tmp/a%20b/t.deriv"])
def test_uris_that_are_not_files_name_documents(uri):
    talk = clean(converse([initialize(), open_doc(uri=uri), request(1, "textDocument/hover", uri=uri, line=4,
                                                                      character=6)]))
    assert [d["code"] for d in talk.diagnostics(uri)] == ["E300"]
    assert "shape" in talk.response(1)["result"]["contents"]["value"]


# ------------------------------------------------------------------ changes

def test_changes_that_do_not_fit_are_applied_at_the_nearest_place():
    docs = protocol.Documents()
    docs.opened(URI, "ab\ncd", 1)
    notes = docs.changed(URI, 2, [((0, 99), (0, 99), "X"),          # past the end of line 0: its end
                                 ((7, 0), (9, 9), "!"),            # past the end of the text: its end
                                 ((1, 1), (0, 1), "-")])           # reversed: the ends swapped
    assert docs.get(URI).text == "a-d!"
    assert len(notes) == 2 and "does not fit" in notes[0] and "ends before it starts" in notes[1]


def test_a_change_inside_a_surrogate_pair_moves_to_the_next_character():
    docs = protocol.Documents()
    docs.opened(URI, "a𝑥b", 1)
    assert docs.changed(URI, 2, [((0, 2), (0, 2), "|")]) == []       # inside 𝑥: after it
    assert docs.get(URI).text == "a𝑥|b"
    docs.encoding = "utf-8"
    docs.changed(URI, 3, [((0, 2), (0, 6), "")])                      # from inside 𝑥's four bytes: after it
    assert docs.get(URI).text == "a𝑥b"


def _reference(text: str, changes, encoding: str) -> str:
    """The protocol's reading of incremental changes, written plainly: lines split at line feeds,
    a position's units counted by encoding each character."""
    def offset(line, character):
        lines = text.split("\n")
        if line >= len(lines):
            return len(text)
        start = sum(len(x) + 1 for x in lines[:line])
        chars, seen = lines[line].removesuffix("\r"), 0
        for i, ch in enumerate(chars):
            if seen >= character:
                return start + i
            seen += len(ch.encode(encoding + ("-le" if encoding != "utf-8" else ""))) // (
                2 if encoding == "utf-16" else 4 if encoding == "utf-32" else 1)
        return start + len(chars)
    for start, end, new in changes:
        start, end = sorted((start, end))
        a, b = offset(*start), offset(*end)
        text = text[:a] + new + text[b:]
    return text


PIECES = ["a", "bc", "\n", "\r\n", "𝑥", "é", "", "\n\n"]


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
       st.lists(st.tuples(st.tuples(st.integers(0, 6), st.integers(0, 6)),
                          st.tuples(st.integers(0, 6), st.integers(0, 6)),
                          st.lists(st.sampled_from(PIECES), max_size=3).map("".join)), min_size=1, max_size=8),
       st.sampled_from(["utf-16", "utf-8", "utf-32"]))
def test_changes_are_applied_as_the_protocol_reads_them(text, changes, encoding):
    docs = protocol.Documents(encoding)
    docs.opened(URI, text, 1)
    for i, one in enumerate(changes):           # one at a time and all at once: the kept line starts agree
        docs.changed(URI, 2 + i, [one])
    assert docs.get(URI).text == _reference(text, changes, encoding)
    docs.opened(URI, text, 1)
    docs.changed(URI, 2, changes)
    assert docs.get(URI).text == _reference(text, changes, encoding)


def test_many_changes_to_a_large_document_are_quick():
    """Three hundred edits of a 16 MiB text (1.7 million lines) in one notification: the line
    starts are kept across the edits, not counted again for each (that took about 50 s)."""
    import time
    text = ("x = y @ z\n" * 1_700_000)[:protocol.MAX_DOCUMENT - 10]
    docs = protocol.Documents()
    docs.opened(URI, text, 1)
    began = time.process_time()
    docs.changed(URI, 2, [((i * 1000, 0), (i * 1000, 1), "q\n") for i in range(300)])
    assert time.process_time() - began < 30
    lines = docs.get(URI).text.split("\n")
    assert lines[:2] == ["q", " = y @ z"] and lines[1000:1002] == ["q", " = y @ z"]   # each edit adds a line


def test_changes_over_the_wire_keep_the_editors_text():
    """The server's text after hostile edits is the text of a reference
    applier that follows the protocol: checked by the diagnostics of a
    fresh check of the expected text."""
    talk = clean(converse([initialize(), open_doc("dims n\nx : 1 x n\n"),
                           change([edit((1, 999), (1, 999), "\ny = x @ x")], version=2),
                           change([edit((50, 0), (60, 0), "\nz = x")], version=3)]))
    diags = talk.diagnostics(URI)
    assert [(d["code"], d["range"]["start"]["line"]) for d in diags] == [("E300", 2)]
    assert any("does not fit" in line for line in talk.logs())


def test_a_version_going_backwards_is_applied_and_said():
    talk = clean(converse([initialize(), open_doc(version=5),
                           change([edit((4, 4), (4, 9), "y * y")], version=3)]))
    assert talk.diagnostics(URI) == []            # the change was applied: no E300 left
    assert any("does not follow version 5" in line for line in talk.logs())
    published = talk.notifications("textDocument/publishDiagnostics")
    assert published[-1]["version"] == 3


def test_a_document_past_the_limit_is_refused_in_words():
    assert protocol.MAX_DOCUMENT == 16 * 2**20
    docs = protocol.Documents()
    docs.opened(URI, "x" * (protocol.MAX_DOCUMENT + 1), 1)
    assert docs.text_of(URI) is None and not docs.get(URI).checkable
    assert "too large to check (16 MiB, limit 16 MiB)" in protocol.refusal(docs.get(URI)).message
    docs.changed(URI, 2, [((0, 0), (0, 10), "")])
    assert docs.text_of(URI) is not None               # back under the limit: checked again


def test_a_large_document_over_the_wire(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_DOCUMENT", 100)
    monkeypatch.setattr(protocol, "MAX_HELD", 400)
    big = TEXT + "# " + "x" * 200 + "\n"
    talk = clean(converse([initialize(), open_doc(big), request(1, "textDocument/hover", line=4, character=6),
                           change([edit((5, 0), (6, 0), "")], version=2),
                           request(2, "textDocument/hover", line=4, character=6),
                           change([{"text": "x" * 500}], version=3),
                           change([edit((0, 0), (0, 0), "y")], version=4),
                           request(3, "textDocument/hover")]))
    first, second, *_ = talk.notifications("textDocument/publishDiagnostics")
    assert [d["code"] for d in first["diagnostics"]] == ["E900"] and "too large to check" in \
        first["diagnostics"][0]["message"]
    assert talk.response(1)["result"] is None and talk.response(2)["result"] is not None
    assert [d["code"] for d in second["diagnostics"]] == ["E300"]
    assert any("its text is dropped" in line for line in talk.logs())
    assert talk.response(3)["result"] is None


@pytest.mark.parametrize("text", ["dims n\nx : 1 x n\ny = x\x00 @ x\n", "dims n\nx : 1 x n\ny = \ud800 @ x\udcff\n",
                                  "dims n\nx : 1 x n\ny = " + "(" * 100_000 + "x\n",
                                  "dims n\nx : 1 x n\ny = " + "[" * 100_000 + "]" * 100_000 + "\n",
                                  "dims n\nx : 1 x n\ny = " + "x + " * 250_000 + "x @ x\n"])
def test_hostile_text_gets_diagnostics(text):
    talk = clean(converse([initialize(), open_doc(text)] +
                          [request(i, m, line=2, character=10**5) for i, m in enumerate(OFFERED, 1)]))
    found = talk.diagnostics(URI)
    assert found and all(d["code"] != "E901" for d in found)
    assert all(d["severity"] == 1 for d in found)
    for i in range(1, len(OFFERED) + 1):
        assert "result" in talk.response(i)


@pytest.mark.parametrize("name,text", [("deep.md", "```deriv\ndims n\ny = " + "[" * 100_000 + "\n```\n"),
                                       ("deep.tex", "% deriv: dims n\n$y = " + "\\frac{" * 50_000 + "$\n")])
def test_deep_nesting_in_documents(name, text):
    uri = "file:///tmp/chainrule-hostile/" + name
    talk = clean(converse([initialize(), open_doc(text, uri=uri), request(1, "textDocument/hover", uri, 2, 9)]))
    assert talk.diagnostics(uri) is not None and "result" in talk.response(1)


# ------------------------------------------------------------------ JSON-RPC

@pytest.mark.parametrize("params", [[1, 2], "x", 7, {}, {"textDocument": None}, {"textDocument": {"uri": 7}},
                                    {"textDocument": {"uri": URI}}])
def test_params_of_the_wrong_shape_are_invalid_params(params):
    talk = clean(converse([initialize(), open_doc(),
                           {"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": params},
                           note("textDocument/didChange", params),
                           request(2, "textDocument/hover", line=4, character=6)]))
    assert error_code(talk, 1) == -32602
    assert talk.response(2)["result"] is not None         # the server goes on
    assert any("didChange notification do not have the shape" in line for line in talk.logs())


def test_unknown_methods_and_offered_ones_not_offered():
    talk = clean(converse([initialize(), open_doc(), request(1, "no/such"), request(2, "textDocument/rename"),
                           request(3, "textDocument/semanticTokens/full"), note("no/such/notification", {}),
                           note("$/unknown", None)]))
    assert [error_code(talk, i) for i in (1, 2, 3)] == [-32601] * 3
    assert talk.logs() == []


@pytest.mark.parametrize("body,code", [(b"{not json", -32700), (b"\xff\xfe\x00{", -32700), (b"", -32700),
                                       (b"[" * 100_000, -32700), (b'{"jsonrpc": "2.0", "id": 1, "x": ' + b"9" * 5000
                                                                  + b"}", -32700),
                                       (b"[1, 2]", -32600), (b"null", -32600),
                                       (b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "x"}', -32600),
                                       (b'{"jsonrpc": "2.0", "id": true, "method": "x"}', -32600)])
def test_messages_that_are_not_json_rpc_are_answered_with_a_null_id(body, code):
    talk = clean(converse([initialize(), body, request(1, "textDocument/hover")]))
    (answer,) = talk.responses(None)
    assert answer["error"]["code"] == code and "id" in answer
    assert "result" in talk.response(1)


def test_requests_before_initialize_twice_and_after_shutdown():
    talk = clean(converse([request(1, "textDocument/hover"), open_doc(), initialize(2), initialize(3),
                           {"jsonrpc": "1.0", "id": 4, "method": "textDocument/hover"},
                           {"jsonrpc": "2.0", "id": 5, "method": "initialized", "params": {}},
                           {"jsonrpc": "2.0", "id": 6},
                           {"jsonrpc": "2.0", "id": 7, "method": "shutdown"}, request(8, "textDocument/hover"),
                           note("exit", None), request(9, "textDocument/hover")]))
    assert error_code(talk, 1) == -32002
    assert "result" in talk.response(2)
    assert [error_code(talk, i) for i in (3, 4, 5, 6)] == [-32600] * 4
    assert talk.response(7)["result"] is None and error_code(talk, 8) == -32600
    assert talk.responses(9) == [] and talk.exit_code == 0                     # exit stops the reading
    assert talk.notifications("textDocument/publishDiagnostics") == []        # opened before initialize
    assert converse([initialize(), note("exit", None)]).exit_code == 1        # exit without shutdown


def test_framing_that_is_broken():
    talk = clean(converse([initialize(), Raw(b"X" * 5000 + b"\r\n"), request(1, "textDocument/hover"),
                           Raw(b"garbage\r\nContent-Length: -3\r\n\r\n"), request(2, "textDocument/hover"),
                           Breaking(b"Content-Length: 99999999999999999999\r\n\r\n"),
                           request(3, "textDocument/hover")]))
    assert "result" in talk.response(1) and "result" in talk.response(2)
    logs = talk.logs()
    assert any("header line longer than 4096 bytes" in line for line in logs)
    assert any("was skipped (limit 128 MiB)" in line for line in logs)


# ------------------------------------------------------------------ defects

def test_a_defect_while_checking_is_logged_once_and_the_diagnostics_stay(monkeypatch):
    real = checking.analyse
    calls = []

    def broken(path, text, previous=None, encoding="utf-16"):
        calls.append(text)
        if "z" in text:
            raise RuntimeError("secret internals")
        return real(path, text, previous, encoding)

    monkeypatch.setattr(checking, "analyse", broken)
    talk = converse([initialize(), open_doc(TEXT.replace("z = y @ y\n", "")), 0.05,
                     change([edit((4, 0), (4, 0), "z = 1\n")], version=2), 0.05,
                     change([edit((4, 0), (4, 0), "z = 2\n")], version=3), 0.05])
    assert len(talk.defects) >= 2 and len(calls) >= 3                  # each edit met the defect
    talk.defects.clear()
    clean(talk)
    published = talk.notifications("textDocument/publishDiagnostics")
    assert len(published) == 1 and published[0]["diagnostics"] == []    # the last good ones stay
    defects = [line for line in talk.logs() if "internal error" in line]
    assert defects == [f"chainrule lsp: an internal error while checking {URI}; the last diagnostics stay"]


def test_a_defect_while_answering_is_logged_and_answered_empty(monkeypatch):
    def broken(analysis, offset):
        raise KeyError("secret internals")

    monkeypatch.setattr(hover, "hover_text", broken)
    talk = converse([initialize(), open_doc(), request(1, "textDocument/hover"), request(2, "textDocument/hover")])
    assert [type(e) for e in talk.defects] == [KeyError, KeyError]
    talk.defects.clear()
    clean(talk)
    assert talk.response(1)["result"] is None and talk.response(2)["result"] is None
    assert [line for line in talk.logs() if "internal error" in line] == [
        f"chainrule lsp: an internal error while answering textDocument/hover for {URI}; the answer is empty"]


def test_the_fuzz_harness_fails_on_a_defect(monkeypatch):
    """The harness's own property can fail: a handler's defect is raised, an unanswered request named."""
    monkeypatch.setattr(hover, "hover_text", lambda a, o: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        harness.run(({"verify": False}, [initialize(), open_doc(), request(1, "textDocument/hover")]))
    assert harness._expected_ids([initialize(), request(1, "x"), Breaking(b""), request(2, "x")]) == {0: 1, 1: 1}


# ------------------------------------------------------------------ over pipes

@pytest.mark.slow
def test_over_pipes_nothing_reaches_standard_error():
    messages = [initialize(), open_doc(), b"{not json", {"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover",
                                                       "params": [1]},
                request(2, "textDocument/hover", uri="file:///etc/passwd"), request(3, "no/such"),
                change([edit((99, 99), (0, 0), "\x00")], uri="file:///never.deriv"),
                {"jsonrpc": "2.0", "id": 4, "method": "shutdown"}, note("exit", None)]
    data = b"".join(harness.frame(m) for m in messages)
    done = subprocess.run([sys.executable, "-m", "dsl", "lsp"], input=data, capture_output=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "default"})
    assert done.stderr == b"" and done.returncode == 0
    answers = [m for m in harness._messages(done.stdout) if "method" not in m]
    assert sorted(str(m.get("id")) for m in answers) == ["0", "1", "2", "3", "4", "None"]
    assert _LEAKS.search(done.stdout.decode("utf-8")) is None
