"""Markdown documents: ``deriv`` fences, ``deriv`` comments and math.

Contract: :func:`extract_markdown` feeds a :class:`~dsl.frontends.builder.Builder`,
in document order, with

- fenced code blocks (```` ``` ```` or ``~~~``) whose info string is
  ``deriv``: the language itself, line for line, also inside a block quote
  or a list item (the block structure is CommonMark's, from markdown-it-py;
  an indented code block is code and never read as math);
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

import functools
import re
from dataclasses import replace

from markdown_it import MarkdownIt

from dsl.frontends.builder import Builder
from dsl.frontends.declarations import prose
from dsl.frontends.document import Slice
from dsl.frontends.latex import BEGIN, MATH_ENVS, read_math

_MATHLIKE = re.compile(r"^\s*[^\d\s].*(?:\\[A-Za-z]|[=^_])")   # spaced $ … $ that is math, not money
_PLAIN = ("", "text", "txt", "iheartla", "output")     # fences whose prose states shapes
# Only the block structure is read (headings, fences, code blocks): inline
# parsing, most of markdown-it's time, is left out.
_MARKDOWN = MarkdownIt("commonmark").disable("inline")


def extract_markdown(doc: Slice, builder: Builder) -> None:
    """Read ``doc`` (a whole file, or a notebook cell) into ``builder``.

    The block structure is CommonMark's, from markdown-it-py: an indented
    code block is code, not math; a fence inside a block quote or a list item
    is read like any other; a heading starts a section.  Everything between
    code blocks is prose, where math, comments and code spans are found."""
    text = doc.text
    starts = _line_starts(text)
    prose_start = 0
    for kind, first, last, info, content in _blocks(text):
        at = starts[first]
        if kind == "heading":
            _prose(doc, prose_start, at, builder)
            builder.new_section(doc.at(at))
            prose_start = at
            continue
        _prose(doc, prose_start, at, builder)
        if kind == "fence":
            _fenced(doc, starts[first + 1], starts[last], content, info, builder)
        prose_start = starts[last]
    _prose(doc, prose_start, len(text), builder)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


@functools.lru_cache(maxsize=4)     # both passes over a document read its blocks once
def _blocks(text: str) -> tuple[tuple[str, int, int, str, str], ...]:
    """Headings, fences and indented code blocks: (kind, first line, line
    after the last, fence info, fence body), in document order."""
    out = []
    lines = len(text.splitlines())
    for tok in _MARKDOWN.parse(text):
        if tok.map is None:
            continue
        first, last = tok.map[0], min(tok.map[1], lines)
        if tok.type == "heading_open":
            out.append(("heading", first, last, "", ""))
        elif tok.type == "fence":
            info = tok.info.strip().lstrip("{").lstrip(".").split()
            out.append(("fence", first, max(last, first + 1), (info[0].rstrip("}") if info else "").lower(),
                        tok.content))
        elif tok.type == "code_block":
            out.append(("code", first, last, "", ""))
    return tuple(out)


def _fenced(doc: Slice, start: int, end: int, content: str, info: str, builder: Builder) -> None:
    """A fence's body: the host lines from ``start`` (after the opening line)
    to ``end``, each cut to the line markdown-it-py reads there (``content``,
    less a block quote's ``>`` or a list item's indent), so every position
    stays the document's own."""
    if info in _PLAIN:
        _statements(doc, start, end, builder)
    if info not in ("deriv", "math"):
        return
    body = None
    pos = start
    for line, inner in zip(doc.text[start:end].splitlines(keepends=True), content.splitlines(), strict=False):
        bare = line.rstrip("\r\n")
        cut = len(bare) - len(inner) if bare.endswith(inner) else len(bare) - len(bare.lstrip(" \t>"))
        piece = doc.sub(pos + cut, pos + len(line))
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
