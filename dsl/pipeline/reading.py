"""The first stage: a path or bytes to a :class:`Source`, every way this can
fail a diagnostic (``E900``) rather than an exception."""
from __future__ import annotations

import os

from dsl.core import messages
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span


def read_source(path: str) -> tuple[Source | None, Diagnostic | None]:
    """Read a file as UTF-8 text: ``(source, None)`` or ``(None, problem)``.

    >>> read_source("no/such.deriv")[1].message
    'no/such.deriv: no such file'
    """
    where = Span(path, 1, 1, 1, 1)
    try:
        if os.path.isdir(path):
            return None, messages.make("E900", where, what=f"{path} is a directory, not a file")
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None, messages.make("E900", where, what=f"{path}: no such file")
    except OSError as exc:
        return None, messages.make("E900", where, what=f"{path}: cannot read ({exc.strerror or exc})")
    return decode_source(path, raw)


def decode_source(name: str, raw: bytes) -> tuple[Source | None, Diagnostic | None]:
    """Bytes to a Source: refuses binary data and text that is not UTF-8."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, messages.make("E900", Span(name, line, 1, line, 1),
                                   what=f"{name} looks like a binary file (NUL byte on line {line})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, messages.make(
            "E900", Span(name, line, col, line, col + 1),
            what=f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}, column {col})")
    return Source(name, text), None
