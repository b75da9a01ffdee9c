"""The first stage: a path or bytes to a :class:`Source`, every way this can
fail a diagnostic (``E900``) rather than an exception.

This is the one place sources are read.  Only regular files are read: a
directory, FIFO, device or socket is refused after an ``os.stat``, before it
is opened, and the file is opened non-blocking (and checked again on the
open descriptor), so a FIFO swapped in between cannot block.  A source is at
most :data:`MAX_SOURCE_BYTES`; the read itself is bounded
(``read(limit + 1)``), so a file that grows while it is read cannot exhaust
memory either.  :func:`check_regular` is the same test for inputs read by
other readers (``.npz`` archives).
"""
from __future__ import annotations

import os
import re
import stat

from dsl.core import messages
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span, shown_name
from dsl.core.wording import say

MAX_SOURCE_BYTES = 16 * 2**20      # 16 MiB: far above any derivation or document written by hand

# What a file that is not a regular one is, in words (``stat.S_IFMT`` -> key).
_KINDS = {stat.S_IFDIR: "kind-directory", stat.S_IFIFO: "kind-fifo", stat.S_IFCHR: "kind-char-device",
          stat.S_IFBLK: "kind-block-device", stat.S_IFSOCK: "kind-socket"}
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> tuple[Source | None, Diagnostic | None]:
    """Read a regular file of at most ``limit`` bytes as UTF-8 text:
    ``(source, None)`` or ``(None, problem)``.

    >>> read_source("no/such.deriv")[1].message
    'no/such.deriv: no such file'
    >>> read_source("docs")[1].message
    'docs is a directory, not a regular file'
    """
    shown = shown_name(path)
    problem = check_regular(path, limit)
    if problem is not None:
        return None, problem
    try:
        fd = os.open(path, _OPEN_FLAGS)
        with os.fdopen(fd, "rb") as fh:
            problem = _not_regular(shown, os.fstat(fh.fileno()), limit)
            if problem is not None:
                return None, problem
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        return None, _input(shown, "no-such-file", path=shown)
    except OSError as exc:
        return None, _input(shown, "cannot-read", path=shown, why=_why(exc))
    if len(raw) > limit:
        return None, _input(shown, "grew-too-large", path=shown, limit=mib(limit))
    source, problem = decode_source(shown, raw)
    if source is not None and shown != path:
        source = Source(shown, source.text, source.line_starts, path=path)
    return source, problem


def read_stream(name: str, stream, limit: int = MAX_SOURCE_BYTES) -> tuple[Source | None, Diagnostic | None]:
    """A stream (standard input) read as the source ``name``, under the same
    limit and decoding as a file: ``(source, None)`` or ``(None, problem)``.
    A binary stream is best; a text stream (standard input replaced by one,
    as in a notebook) is read as its characters; a closed stream or none
    (``sys.stdin`` is None without a console) is a problem, not an error."""
    name = shown_name(name)
    if stream is None or not callable(getattr(stream, "read", None)):
        return None, _input(name, "cannot-read", path=name, why=say("no-standard-input"))
    try:
        raw = stream.read(limit + 1)
    except OSError as exc:
        return None, _input(name, "cannot-read", path=name, why=_why(exc))
    except ValueError:      # a closed stream
        return None, _input(name, "cannot-read", path=name, why=say("no-standard-input"))
    if isinstance(raw, str):
        try:    # the bytes Python could not decode, as they were
            raw = raw.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = raw.encode("utf-8", "replace")
    if len(raw) > limit:
        return None, _input(name, "grew-too-large", path=name, limit=mib(limit))
    return decode_source(name, raw)


def check_regular(path: str, limit: int) -> Diagnostic | None:
    """``E900`` unless ``path`` names a regular file of at most ``limit``
    bytes (symbolic links followed); nothing is opened."""
    shown = shown_name(path)
    if "\x00" in path:                  # os.stat would raise ValueError
        return _input(shown, "cannot-read", path=shown, why=say("nul-in-name"))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _input(shown, "no-such-file", path=shown)
    except (OSError, ValueError) as exc:   # ValueError: a name the system cannot encode
        return _input(shown, "cannot-read", path=shown, why=_why(exc))
    return _not_regular(shown, info, limit)


def _why(exc: Exception) -> str:
    """What the system said, in its words (``Permission denied``), never Python's exception text."""
    return getattr(exc, "strerror", None) or say("system-refused")


def kind_of_mode(mode: int) -> str:
    """The wording key of what a file of ``st_mode`` ``mode`` is (not a regular file)."""
    return _KINDS.get(stat.S_IFMT(mode), "kind-special")


def _not_regular(path: str, info: os.stat_result, limit: int) -> Diagnostic | None:
    """``path`` is the name as shown."""
    if not stat.S_ISREG(info.st_mode):
        kind = say(kind_of_mode(info.st_mode))
        return _input(path, "not-regular", path=path, kind=kind)
    if info.st_size > limit:
        return _input(path, "too-large", path=path, size=mib(info.st_size), limit=mib(limit))
    return None


def mib(size: int) -> str:
    """A byte count in MiB as a message shows it: ``16``, ``16.5``, ``0.1``."""
    return f"{size / 2**20:.1f}".removesuffix(".0")


def _input(where: str, key: str, **values) -> Diagnostic:
    return messages.make("E900", Span(where, 1, 1, 1, 1), what=say(key, **values))


def decode_source(name: str, raw: bytes) -> tuple[Source | None, Diagnostic | None]:
    """Bytes to a Source: refuses binary data and text that is not UTF-8.
    A carriage return that ends a line by itself (old Mac line endings, as
    Python's universal newlines read it) becomes a line feed: one character
    for one, so every offset stays where it was."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, messages.make("E900", Span(name, line, 1, line, 1),
                                   what=say("binary-file", path=name, line=line))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, not_utf8(name, raw, exc)
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    return Source(name, text), None


_LONE_CR = re.compile("\r(?!\n)")


def decode_line(name: str, raw: bytes, line: int) -> tuple[str | None, Diagnostic | None]:
    """One line of a stream (``raw``, line ``line`` of ``name``) as text, or
    the ``E900`` that says it is not UTF-8 and which byte is not."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, not_utf8(name, raw, exc, first_line=line)


def too_long(name: str, line: int, limit: int) -> Diagnostic:
    """``E900``: line ``line`` of the stream ``name`` is longer than ``limit`` bytes."""
    return messages.make("E900", Span(name, line, 1, line, 1),
                         what=say("line-too-long", path=name, line=line, limit=mib(limit)))


def not_utf8(name: str, raw: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> Diagnostic:
    """``E900`` at the first byte of ``raw`` that is not UTF-8 (``raw``
    starting on line ``first_line``)."""
    line = raw[: exc.start].count(b"\n") + first_line
    col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    return messages.make("E900", Span(name, line, col, line, col + 1),
                         what=say("not-utf8", path=name, byte=f"0x{raw[exc.start]:02x}",
                                  line=line, column=col))
