"""The documents a client opened, and every check of what it says of them.

Contract: the server reads only what the client sent.  :class:`Documents`
holds each opened document's text as the client last sent it (a URI is a
name, never a file to open) and applies the client's changes the way the
protocol says: a position past the end of its line is the line's end, a
line past the end of the text is the end of the text, an offset inside a
surrogate pair (or a UTF-8 sequence) is the next character boundary, a range
whose end comes before its start has its ends swapped.  A document larger
than :data:`MAX_DOCUMENT` (UTF-8 bytes) is held but not checked, and
:func:`refusal` says so as a diagnostic; one past :data:`MAX_HELD` is dropped
until the client sends its whole text again.  :func:`valid_uri` tells a
document URI from garbage and :func:`document_path` names a document for
the checker without touching the file system.  Nothing here raises for what
a client sends: each operation returns the sentences to log (the wording
registry's ``lsp-*``), and requests find a document through :meth:`Documents.get`.

    >>> docs = Documents()
    >>> docs.opened("file:///t.deriv", "a = 𝑥\\nb", 1)
    []
    >>> docs.changed("file:///t.deriv", 2, [((0, 6), (0, 6), "y")])    # after 𝑥 (two UTF-16 units)
    []
    >>> docs.get("file:///t.deriv").text
    'a = 𝑥y\\nb'
    >>> docs.changed("file:///t.deriv", 3, [((7, 0), (9, 9), "!")])[0][:40]
    'chainrule lsp: a change to file:///t.der'
    >>> docs.get("file:///t.deriv").text
    'a = 𝑥y\\nb!'
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import unquote

import numpy as np

from dsl.apps.lsp.positions import utf16_to_codepoints, utf16_units
from dsl.core import messages
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.pipeline.reading import MAX_SOURCE_BYTES, mib

MAX_DOCUMENT = MAX_SOURCE_BYTES
"""The largest text checked, in UTF-8 bytes: the limit of a file ``check`` reads (16 MiB)."""
MAX_HELD = 4 * MAX_DOCUMENT
"""The largest text held at all; past it the text is dropped (a client cannot grow the server without bound)."""
MAX_URI = 8192
"""The longest URI taken as a document's name."""

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

Point = tuple[int, int]                      # an LSP position: 0-based line, character in the negotiated units
Change = tuple[Point, Point, str] | str      # a range replaced by a text, or the whole text


def valid_uri(uri: object) -> TypeGuard[str]:
    """A URI that can name a document: a string of at most :data:`MAX_URI`
    characters that starts with a scheme (``file:``, ``untitled:``...) and
    holds no control character or lone surrogate."""
    return (isinstance(uri, str) and 0 < len(uri) <= MAX_URI and _SCHEME.match(uri) is not None
            and _UNSHOWN.search(uri) is None)


def shown(uri: object, width: int = 200) -> str:
    """A client's URI as a log line shows it: control characters escaped, long ones cut."""
    text = uri if isinstance(uri, str) else ""
    text = _UNSHOWN.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text if len(text) <= width else text[:width] + "…"


def document_path(uri: str) -> str:
    """The name a document is checked under: its file path for a ``file:``
    URI, else the URI itself (its extension tells the kind).  Only the
    string is read: nothing is opened or looked up."""
    if uri[:5].lower() == "file:":
        rest = uri[5:]
        if rest.startswith("//"):
            host, _, path = rest[2:].partition("/")
            path = "/" + path
            if host and host.lower() != "localhost":
                path = "//" + host + path
        else:
            path = rest
        path = unquote(path.partition("?")[0].partition("#")[0], errors="replace")
        if re.match(r"/[A-Za-z]:", path):        # file:///C:/notes.md
            path = path[1:]
        return path or uri
    return uri


def utf8_size(text: str) -> int:
    """The UTF-8 size of ``text`` (a lone surrogate counts its three bytes)."""
    if len(text) * 4 <= MAX_DOCUMENT:
        return len(text)                  # under the limit whatever it holds: the exact size is not needed
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass
class Document:
    """One opened document, as the client last sent it."""

    uri: str                 # as the client wrote it (diagnostics are published under it)
    path: str                # the name it is checked under
    text: str | None         # None: dropped, past MAX_HELD
    version: int | None
    size: int = 0            # UTF-8 bytes (exact past a quarter of the limit)
    starts: np.ndarray | None = None     # where each line starts, kept across changes (None: not yet counted)

    @property
    def checkable(self) -> bool:
        return self.text is not None and self.size <= MAX_DOCUMENT


class Documents:
    """The documents the client opened, by URI (``%``-escapes read, as clients differ in them)."""

    def __init__(self, encoding: str = "utf-16"):
        self.encoding = encoding
        self.open_documents: dict[str, Document] = {}

    @staticmethod
    def key(uri: str) -> str:
        return unquote(uri, errors="replace")

    def get(self, uri: object) -> Document | None:
        """The opened document ``uri`` names, or None (not opened, closed, or not a URI)."""
        return self.open_documents.get(self.key(uri)) if valid_uri(uri) else None

    def text_of(self, uri: str) -> tuple[str, str, int | None] | None:
        """``(path, text, version)`` of a document that can be checked, else None."""
        doc = self.get(uri)
        if doc is None or not doc.checkable:
            return None
        assert doc.text is not None, "a checkable document holds its text"
        return doc.path, doc.text, doc.version

    def opened(self, uri: object, text: str, version: int | None) -> list[str]:
        """The client opened ``uri`` with ``text`` (opened again: the new text replaces the old)."""
        if not valid_uri(uri):
            return [say("lsp-bad-uri-log", method="textDocument/didOpen", uri=shown(uri))]
        doc = Document(uri, document_path(uri), "", version)
        notes = self._hold(doc, text)
        self.open_documents[self.key(uri)] = doc
        return notes

    def closed(self, uri: object) -> Document | None:
        """The client closed ``uri``: the document it was, or None if it was not open."""
        return self.open_documents.pop(self.key(uri), None) if valid_uri(uri) else None

    def changed(self, uri: object, version: int | None, changes: Iterable[Change]) -> list[str]:
        """Apply the client's changes, in order, to the document ``uri``."""
        doc = self.get(uri)
        if doc is None:
            method = "textDocument/didChange"
            if not valid_uri(uri):
                return [say("lsp-bad-uri-log", method=method, uri=shown(uri))]
            return [say("lsp-not-open", method=method, uri=shown(uri))]
        notes = []
        if version is not None and doc.version is not None and version <= doc.version:
            notes.append(say("lsp-version-back", version=version, uri=shown(doc.uri), last=doc.version))
        misfit = reversed_ = False
        for change in changes:
            if isinstance(change, str):
                notes += self._hold(doc, change)
                continue
            if doc.text is None:
                continue                        # dropped: only a whole text brings it back
            start, end, new = change
            if (start[0], start[1]) > (end[0], end[1]):
                start, end = end, start
                reversed_ = True
            if doc.starts is None:
                doc.starts = line_starts(doc.text)
            (a, fit_a), (b, fit_b) = (place(doc.text, doc.starts, *point, self.encoding) for point in (start, end))
            if not misfit and not (fit_a and fit_b):
                misfit = True
                line, character = start if not fit_a else end
                notes.append(say("lsp-change-misfit", uri=shown(doc.uri), line=line, character=character,
                                 lines=len(doc.starts)))
            starts = replaced(doc.starts, a, b, new)
            notes += self._hold(doc, doc.text[:a] + new + doc.text[b:])
            doc.starts = starts if doc.text is not None else None
        if reversed_:
            notes.append(say("lsp-change-reversed", uri=shown(doc.uri)))
        doc.version = version
        return notes

    def _hold(self, doc: Document, text: str) -> list[str]:
        """``text`` as the document's text, unless it is past :data:`MAX_HELD`."""
        size = utf8_size(text)
        if size > MAX_HELD:
            was = doc.text
            doc.text, doc.size = None, size
            return [] if was is None else [say("lsp-lost", uri=shown(doc.uri), limit=mib(MAX_HELD))]
        doc.text, doc.size, doc.starts = text, size, None
        return []


_CHUNK = 2**22


def line_starts(text: str) -> np.ndarray:
    """The offset at which each line of ``text`` starts (after each line feed), counted a few
    million characters at a time."""
    parts = [np.zeros(1, dtype=np.int64)]
    for at in range(0, len(text), _CHUNK):
        units = np.frombuffer(text[at:at + _CHUNK].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        parts.append(np.flatnonzero(units == 10).astype(np.int64) + (at + 1))
    return np.concatenate(parts)


def place(text: str, starts: np.ndarray, line: int, character: int, encoding: str) -> tuple[int, bool]:
    """The code point offset of an LSP position in ``text`` (clamped as the protocol says), and
    whether it lay in the text (a line's end counts, and so does the start of the line after
    the last line break)."""
    if line >= len(starts):
        return len(text), False
    first = int(starts[line])
    stop = int(starts[line + 1]) - 1 if line + 1 < len(starts) else len(text)
    chars = text[first:stop].removesuffix("\r")
    return first + utf16_to_codepoints(chars, character, encoding), character <= utf16_units(chars, encoding)


def replaced(starts: np.ndarray, a: int, b: int, new: str) -> np.ndarray:
    """The line starts after ``text[a:b]`` is replaced by ``new``: those before kept, those
    inside dropped, those of ``new`` added, those after moved."""
    keep = int(np.searchsorted(starts, a, side="right"))
    after = int(np.searchsorted(starts, b, side="right"))
    inserted = line_starts(new)[1:] + a if "\n" in new else np.zeros(0, dtype=np.int64)
    return np.concatenate([starts[:keep], inserted, starts[after:] + (len(new) - (b - a))])


def refusal(doc: Document) -> Diagnostic:
    """The diagnostic of a document too large to check."""
    what = say("lsp-too-large", path=doc.path, size=mib(doc.size), limit=mib(MAX_DOCUMENT))
    return messages.make("E900", Span(doc.path, 1, 1, 1, 1), what=what)


def ordered(start: Point, end: Point) -> tuple[Point, Point]:
    """A range's two ends, the earlier first."""
    return (start, end) if start <= end else (end, start)
