"""Markdown documents: ``deriv`` fences, ``deriv`` comments and math.

Contract: :func:`extract_markdown` feeds a :class:`~dsl.frontends.builder.Builder`,
in document order, with

- fenced code blocks (```` ``` ```` or ``~~~``) whose info string is
  ``deriv``: the language itself, line for line;
- HTML comments, invisible when rendered: ``<!-- deriv: x : 1 x n -->`` (one
  statement) or a block ``<!-- deriv`` ... ``-->``;
- math: ``$$…$$``, ``\\[…\\]``, ``\\(…\\)``, inline ``$…$`` (pandoc's rule:
  no space after the opening or before the closing ``$``, no digit right
  after it, within one paragraph; with spaces, as MathJax reads
  ``$ a = b $``, when what is inside is math: a macro, ``=``, ``^`` or
  ``_``) and fenced blocks with info string ``math``; read by the LaTeX
  front end (:func:`~dsl.frontends.latex.read_math`).

Other code blocks, inline code spans and other comments are not read, and
``\\$`` is a dollar sign.  The same function reads a notebook's markdown
cells (the text is then a cell, with its offset in the notebook).
"""
from __future__ import annotations

import re
from dataclasses import replace

from dsl.frontends.builder import Builder
from dsl.frontends.declarations import prose
from dsl.frontends.document import Slice
from dsl.frontends.latex import BEGIN, MATH_ENVS, read_math

_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*\{?\.?([^\s`{}]*)")
_MATHLIKE = re.compile(r"^\s*[^\d\s].*(?:\\[A-Za-z]|[=^_])")   # spaced $ … $ that is math, not money
_HEADING = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]|$)")
_PLAIN = ("", "text", "txt", "iheartla", "output")     # fences whose prose states shapes


def extract_markdown(doc: Slice, builder: Builder) -> None:
    """Read ``doc`` (a whole file, or a notebook cell) into ``builder``."""
    text = doc.text
    lines = text.splitlines(keepends=True)
    pos = 0
    prose_start = 0
    fence = None                 # (marker, indent, info, body start)
    for line in lines:
        start, pos = pos, pos + len(line)
        if fence is None:
            m = _FENCE.match(line)
            if m and not (m.group(2)[0] == "`" and "`" in line[m.end(2):]):
                _prose(doc, prose_start, start, builder)
                fence = (m.group(2), len(m.group(1)), m.group(3).lower(), pos)
            elif _HEADING.match(line):
                _prose(doc, prose_start, start, builder)
                builder.new_section(doc.at(start))
                prose_start = start
        else:
            marker, indent, info, body = fence
            stripped = line.strip()
            if stripped.startswith(marker[0] * len(marker)) and set(stripped) == {marker[0]}:
                _fenced(doc, body, start, indent, info, builder)
                fence, prose_start = None, pos
    if fence is None:
        _prose(doc, prose_start, len(text), builder)
    else:
        _fenced(doc, fence[3], len(text), fence[1], fence[2], builder)


def _fenced(doc: Slice, start: int, end: int, indent: int, info: str, builder: Builder) -> None:
    if info in _PLAIN:
        _statements(doc, start, end, builder)
    if info not in ("deriv", "math"):
        return
    body = None
    pos = start
    for line in doc.text[start:end].splitlines(keepends=True):
        cut = len(line) - len(line.lstrip(" \t")) if line.strip() else len(line.rstrip("\n"))
        piece = doc.sub(pos + min(cut, indent), pos + len(line))
        body = piece if body is None else body + piece
        pos += len(line)
    if body is None:
        return
    if info == "deriv":
        builder.statements(body)
    else:
        read_math(body, None, builder)


def _statements(doc: Slice, start: int, end: int, builder: Builder) -> None:
    """Shapes stated in prose ("X has shape (n, d)", ``x ∈ ℝ^n`` lines), in the first pass."""
    if builder.scanning:
        builder.plan.said(doc.text[start:end], doc.at(start))
        for st in prose(doc.text[start:end], start):
            builder.stated(replace(st, start=doc.at(st.start), end=doc.host_end(st.end)))


def _prose(doc: Slice, start: int, end: int, builder: Builder) -> None:
    """Comments, code spans and math in text outside fenced blocks; kramdown's
    escaped ``\\\\( … \\\\)`` and ``\\\\[ … \\\\]``; a bare ``\\begin{equation}`` (or
    another math environment) as MathJax reads it in Markdown."""
    _statements(doc, start, end, builder)
    text = doc.text
    i = start
    while i < end:
        c = text[i]
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4, end)
            close = end if close < 0 else close
            _comment(doc, i + 4, close, builder)
            i = close + 3
        elif c == "`":
            run = len(text[i:end]) - len(text[i:end].lstrip("`"))
            code_end = _code_span_end(text, i + run, end, run)
            i = code_end if code_end is not None else i + run
        elif c == "\\" and i + 1 < end:
            env = BEGIN.match(text, i)
            if env and env.group(1).rstrip("*") in MATH_ENVS:
                close = text.find(r"\end{" + env.group(1) + "}", env.end(), end)
                if close >= 0:
                    read_math(doc.sub(env.end(), close), env.group(1), builder)
                    i = close + len(env.group(1)) + 6
                    continue
            kramdown = text.startswith("\\\\", i) and text[i + 2:i + 3] in ("(", "[")
            if kramdown:
                close = text.find("\\\\" + {"(": ")", "[": "]"}[text[i + 2]], i + 3, end)
                if close >= 0:
                    read_math(doc.sub(i + 3, close), None, builder)
                    i = close + 3
                    continue
            closing = {"[": r"\]", "(": r"\)"}.get(text[i + 1])
            if closing:
                close = text.find(closing, i + 2, end)
                if close >= 0:
                    read_math(doc.sub(i + 2, close), None, builder)
                    i = close + 2
                    continue
            i += 2
        elif c == "$":
            i = _dollar(doc, i, end, builder)
        else:
            i += 1


def _code_span_end(text: str, i: int, end: int, run: int) -> int | None:
    """The offset after the closing backtick run of a code span, if any."""
    for m in re.finditer(r"`+", text[i:end]):
        if len(m.group(0)) == run:
            return i + m.end()
    return None


def _dollar(doc: Slice, i: int, end: int, builder: Builder) -> int:
    text = doc.text
    if text.startswith("$$", i):
        close = text.find("$$", i + 2, end)
        if close < 0:
            return i + 2
        read_math(doc.sub(i + 2, close), None, builder)
        return close + 2
    if i + 1 >= end:
        return i + 1
    spaced = text[i + 1].isspace()          # "$ a = b $", as MathJax reads it: only for math
    j = i + 1
    while j < end:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n" and text[j + 1:j + 2] in ("\n", ""):
            return i + 1                    # a paragraph ended: not math
        if ch == "$":
            inner = text[i + 1:j]
            if text[j + 1:j + 2].isdigit() or (
                    (spaced or text[j - 1].isspace()) and not _MATHLIKE.search(inner)):
                return i + 1
            read_math(doc.sub(i + 1, j), None, builder)
            return j + 1
        j += 1
    return i + 1


def _comment(doc: Slice, start: int, end: int, builder: Builder) -> None:
    body = doc.text[start:end]
    m = re.match(r"\s*deriv(:|[ \t]*\n)", body)
    if m:
        piece = doc.sub(start + m.end(), end)
        if m.group(1) == ":":
            piece = piece.strip()
        builder.statements(piece)
