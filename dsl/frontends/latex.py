"""LaTeX documents: ``% deriv:`` comments and the equations of the math.

Contract: :func:`extract_latex` feeds a :class:`~dsl.frontends.builder.Builder`, in
document order, with the chainrule statements written in comment lines
(``% deriv: W1 : n x k``, invisible in the PDF) and the equations found in
``$…$``, ``\\(…\\)``, ``\\[…\\]``, ``$$…$$`` and the environments equation,
align, gather, multline, eqnarray, flalign, alignat, displaymath and math
(starred too).  Math before ``\\begin{document}`` and inside verbatim-like
environments is not read.  :func:`read_math` is shared with the Markdown and
notebook front ends: it splits a piece of math into equations and each
equation into its sides.

Rows: in align-like environments (and ``aligned``, ``split``, ``\\eqalign``
nested in display math) rows end at ``\\\\`` or ``\\cr`` and ``&`` separates
columns; only the first equation of a row is read (the rest is usually a
comment such as ``&\\implies ...``).  A row whose left column is empty and
whose right column starts with ``=`` continues the previous left side, so
each step of ``\\frac{\\partial L}{\\partial w} &= … \\\\ &= …`` is a claim
about the same derivative, checked on its own line (its diagnostics start
at that row's ``=``).  A row with an empty left column that does not start
with a relation continues the previous row's expression.

Within a row, top-level ``,`` ``;`` ``\\quad`` ``\\text{…}`` ``\\implies``
(and similar) separate equations from commentary, and a final ``.`` is
dropped: ``a = xW_1, \\quad h = \\sigma(a).`` is two equations.  Text ends the
row's math unless it only joins equations (``\\qquad\\text{and}\\qquad``).
"""
from __future__ import annotations

import re

from dsl.builtins import function_name
from dsl.frontends.builder import Builder
from dsl.frontends.declarations import Stated, in_width, name_of, positive_scalar, prose, space, split_in
from dsl.frontends.document import Slice

_WORD = re.compile(r"\\([A-Za-z]+\*?|.)", re.S)
BEGIN = re.compile(r"\\begin\s*\{([A-Za-z]+\*?)\}")
MATH_ENVS = {"equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat",
             "displaymath", "math"}
VERBATIM_ENVS = {"verbatim", "lstlisting", "minted", "comment", "Verbatim", "filecontents"}
_ALIGNED = {"align", "aligned", "alignat", "alignedat", "eqnarray", "flalign", "split", "eqalign"}
_GATHERED = {"gather", "gathered", "displaylines"}
_INNER = re.compile(r"\\begin\s*\{(aligned|alignedat|split|gathered|align\*?|gather\*?|eqnarray\*?)\}"
                    r"|\\(eqalign|eqalignno|displaylines)\s*\{")
_COMMENTARY = {r"\quad", r"\qquad", r"\implies", r"\Rightarrow", r"\Longrightarrow", r"\iff",
               r"\Leftrightarrow", r"\forall", r"\text", r"\mbox", r"\textrm", r"\hbox",
               r"\intertext", r"\shortintertext"}
_ARG = re.compile(r"\s*\{[^{}]*\}")
_SECTION = re.compile(r"\\(?:chapter|section|subsection)\*?\s*[\[{]")


# ------------------------------------------------------------- top level

def split_top(sl: Slice, is_sep) -> list[tuple[Slice, str]]:
    """Split at separators outside any group; ``is_sep(text, i, word)``
    returns the separator's length at ``i`` (0 if none).  Returns each piece
    with the separator that ended it ('' for the last)."""
    text, out = sl.text, []
    depth = last = i = 0
    while i < len(text):
        c = text[i]
        m = _WORD.match(text, i) if c == "\\" and i + 1 < len(text) else None
        word = m.group(0) if m else c
        if depth == 0:
            k = is_sep(text, i, word)
            if k:
                out.append((sl.sub(last, i), text[i:i + k]))
                i = last = i + k
                continue
        if word in (r"\begin", r"\{", r"\lbrace") or c in "{([":     # \{y_i = k\}: an indicator's braces
            depth += 1
        elif word in (r"\end", r"\}", r"\rbrace") or c in "})]":
            depth = max(0, depth - 1)
        i += len(word)
    out.append((sl.sub(last), ""))
    return out


def _row_sep(text: str, i: int, word: str) -> int:
    if word == r"\\":
        m = re.compile(r"\\\\\*?(\s*\[[^\]]*\])?").match(text, i)
        return len(m.group(0)) if m else len(word)
    return len(word) if word == r"\cr" else 0


def _column_sep(text: str, i: int, word: str) -> int:
    return 1 if word == "&" else 0


def _relation_sep(text: str, i: int, word: str) -> int:
    if word == "=" and not text.startswith("==", i) and not text.startswith("=", i + 1):
        return 1
    if text.startswith(":=", i):
        return 2
    return len(word) if word in (r"\coloneqq", r"\triangleq") else 0


_WORDS = frozenset({"where", "max", "min", "sign", "norm", "clip"})
"""Function names that are also words of commentary (``\\text{ where }``):
a function only when called."""


_CONNECTIVES = frozenset({"and", "and also", "also", "then", "so", "hence", "thus", "as well as", "or", ""})
"""Words in ``\\text{…}`` that join two equations of a row (``\\qquad\\text{and}\\qquad``): the
equation after them is read too; any other text ends the row's math (commentary)."""


def _chunk_sep(text: str, i: int, word: str) -> int:
    if word in (",", ";"):
        return 1
    if word not in _COMMENTARY:
        return 0
    m = re.compile(r"\s*\{([^{}]*)\}").match(text, i + len(word))
    if word in (r"\text", r"\mbox", r"\textrm", r"\hbox", r"\intertext", r"\shortintertext"):
        if m and function_name(m.group(1).strip()) and (
                m.group(1).strip() not in _WORDS or text[m.end():].lstrip().startswith(("(", r"\left"))):
            return 0
        if m and m.group(1).strip(" ,~").lower() in _CONNECTIVES:
            return m.end() - i      # "a = b \qquad\text{and}\qquad c = d": two equations
        return len(text) - i        # the rest of the row is commentary
    return len(word)


def sides(chunk: Slice) -> list[Slice]:
    """An equation's sides, split at its top-level relations."""
    return [piece for piece, _ in split_top(chunk, _relation_sep)]


def equations(row: Slice, builder: Builder | None = None) -> list[Slice]:
    """The equations of one row: commentary dropped, a final full stop
    removed, a statement ``… \\in \\mathbb{R}^{…}`` cut off (and given to
    ``builder``: the equation before it is still read)."""
    split = split_top(row, _chunk_sep)
    chunks = [(piece.strip(), sep) for piece, sep in split]
    pos = 0
    for piece, sep in split:
        pos += len(piece.text)
        words = _WORDY.match(sep)
        if words and builder is not None:   # "\text{ where } W \in \mathbb{R}^{h \times d}, d = 784"
            _commentary(row.sub(pos + words.end()), builder)
        pos += len(sep)
    out = []
    for i, (piece, _) in enumerate(chunks):
        scalar = positive_scalar(piece.text)
        if scalar and builder is not None:          # "\lambda > 0": a scalar
            builder.stated(Stated(scalar, (), None, piece.at(0), piece.host_end(len(piece.text)), piece.text,
                                  ("positive",)))
            continue
        at = split_in(piece.text)
        if at is not None:
            left = piece.sub(0, at).strip()
            if builder is not None:
                _membership(chunks, i, left, piece.sub(at + in_width(piece.text, at)).strip(), builder)
            piece = left
        if piece.text.endswith("."):
            piece = piece.sub(0, len(piece.text) - 1).strip()
        if piece.text:
            out.append(piece)
    return out


_WORDY = re.compile(r"\\(?:text|mbox|textrm|hbox|intertext|shortintertext)\s*\{[^{}]*\}")


def _commentary(rest: Slice, builder: Builder) -> None:
    """The statements in commentary (after ``\\text{where}``): shapes and sizes, no other equation."""
    for eq in equations(rest, builder):
        parts = sides(eq)
        if len(parts) == 2 and parts[1].text.strip().isdigit():
            builder.equation(parts)


def _membership(chunks: list, i: int, left: Slice, right: Slice, builder: Builder) -> None:
    """``x, y \\in \\mathbb{R}^d`` or ``o = W h \\in \\mathbb{R}^q`` (about ``o``)."""
    sizes = space(right.text)
    if sizes is None:
        return
    parts = sides(left)
    names = [parts[0].strip()]
    if len(parts) == 1:
        j = i - 1
        while j >= 0 and chunks[j][1] == "," and name_of(chunks[j][0].text) and split_in(chunks[j][0].text) is None:
            names.insert(0, chunks[j][0])
            j -= 1
    end = right.host_end(len(right.text))
    for n in names:
        name = name_of(n.text)
        if name:
            builder.stated(Stated(name, sizes, None, n.at(0), end, n.text))


# ------------------------------------------------------------------ math

def read_math(content: Slice, env: str | None, builder: Builder) -> None:
    """Feed the equations of one piece of math (the inside of ``$…$`` or of
    an environment named ``env``) to ``builder``."""
    if builder.formulas_left.spent(builder, content):
        return
    env = (env or "").rstrip("*")
    if env not in _ALIGNED and env not in _GATHERED and env != "multline":
        env, content = _inner(content)
    if env in _ALIGNED:
        rows = _align_rows(content, env)
    elif env in _GATHERED:
        rows = [r for r, _ in split_top(content, _row_sep)]
    elif not env and len(split_top(content, _row_sep)) > 1:       # $$ a = b \\ c = d $$
        rows = (_align_rows(content, "align") if split_top(content, _column_sep)[1:]
                else [r for r, _ in split_top(content, _row_sep)])
    else:
        rows = [content]
        if env == "multline":
            pieces = [r for r, _ in split_top(content, _row_sep)]
            rows = [sum(pieces[1:], pieces[0])]
    for row in rows:
        for eq in equations(row, builder):
            parts = sides(eq)
            if len(parts) >= 2:
                builder.equation(parts)


def _inner(content: Slice) -> tuple[str, Slice]:
    """Display math holding ``aligned``/``split``/``\\eqalign{…}``: that body."""
    m = _INNER.search(content.text)
    if not m:
        return "", content
    if m.group(1):
        name = m.group(1)
        end = content.text.find(r"\end{" + name + "}", m.end())
        end = len(content.text) if end < 0 else end
        return name.rstrip("*"), content.sub(m.end(), end)
    depth, i = 1, m.end()
    while i < len(content.text) and depth:
        c = content.text[i]
        if c == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        i += 1
    return {"displaylines": "gathered"}.get(m.group(2), "eqalign"), content.sub(m.end(), max(m.end(), i - 1))


def _align_rows(content: Slice, env: str) -> list[Slice]:
    out: list[Slice] = []
    prev_lhs: Slice | None = None
    for row, _ in split_top(content, _row_sep):
        if not row.text.strip() or re.match(r"\s*\\(short)?intertext", row.text):
            continue
        cols = [c for c, _ in split_top(row, _column_sep)]
        width = 3 if env == "eqnarray" else 2      # columns of one equation: rl rl ...
        groups = [cols[i:i + width] for i in range(0, len(cols), width)]
        eq = sum(groups[0][1:], groups[0][0])
        rest = eq.strip()
        if cols[0].text.strip() or len(cols) == 1:
            out.append(eq)
            first = equations(eq)
            parts = sides(first[0]) if first else []
            prev_lhs = parts[0] if len(parts) >= 2 else None
        elif _relation_sep(rest.text, 0, _first_word(rest.text)) and prev_lhs is not None:
            out.append(prev_lhs.pinned(rest.at(0)) + rest)
        elif out:
            blank = re.match(r"(\s|\\q?quad(?![A-Za-z])|\\[,;:!])*", eq.text)
            lead = blank.end() if blank else 0
            out[-1] = out[-1] + eq.sub(lead)          # an expression continued on this row
        out += [sum(g[1:], g[0]) for g in groups[1:] if g[0].text.strip() and env != "eqnarray"]
    return out


def _first_word(text: str) -> str:
    m = _WORD.match(text) if text.startswith("\\") else None
    return m.group(0) if m else text[:1]


# -------------------------------------------------------------- document

def _mask_comments(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with comments blanked (offsets kept) and the ranges of the
    ``deriv:`` statements found in them."""
    chars, statements = list(text), []
    for m in re.finditer(r"(?<!\\)(?:\\\\)*%[^\n]*", text):
        start = m.start() + m.group(0).index("%")
        body = text[start + 1:m.end()]
        d = re.match(r"\s*deriv:", body)
        if d:
            statements.append((start + 1 + d.end(), m.end()))
        chars[start:m.end()] = " " * (m.end() - start)
    return "".join(chars), statements


def extract_latex(text: str, builder: Builder) -> None:
    masked, statements = _mask_comments(text)
    begin = masked.find(r"\begin{document}")
    stop = masked.find(r"\end{document}")
    if builder.scanning:                  # shapes stated in the prose ("of shape $(n, d)$")
        body = (begin + len(r"\begin{document}") if begin >= 0 else 0, stop if stop >= 0 else len(masked))
        builder.plan.said(masked[body[0]:body[1]], body[0])
        for st in prose(masked[body[0]:body[1]], body[0]):
            builder.stated(st)
    events = [(s, "deriv", e, None) for s, e in statements]
    events += [(m.start(), "section", m.end(), None) for m in _SECTION.finditer(masked)]
    events += _math_regions(masked, begin + len(r"\begin{document}") if begin >= 0 else 0,
                            stop if stop >= 0 else len(masked))
    for start, kind, end, env in sorted(events):
        if kind == "deriv":
            builder.statements(Slice.of(text, start, end))
        elif kind == "section":
            builder.new_section(start)
        else:
            read_math(Slice.of(masked, start, end), env, builder)


def _math_regions(text: str, start: int, end: int) -> list:
    """``(start, 'math', end, env)`` for each piece of math between the offsets."""
    out, i = [], start
    while i < end:
        c = text[i]
        if c == "\\":
            m = BEGIN.match(text, i)
            if m:
                name = m.group(1)
                close = text.find(r"\end{" + name + "}", m.end())
                close = end if close < 0 else close
                if name.rstrip("*") in MATH_ENVS:
                    arg = _ARG.match(text, m.end()) if name.startswith("alignat") else None
                    out.append((arg.end() if arg else m.end(), "math", close, name))
                if name.rstrip("*") in MATH_ENVS or name in VERBATIM_ENVS:
                    i = close + len(name) + 6
                    continue
                i = m.end()
                continue
            if text.startswith(r"\verb", i) and i + 5 < end and not text[i + 5].isalpha():
                delim = text[i + 5]
                close = text.find(delim, i + 6)
                i = end if close < 0 else close + 1
                continue
            for opening, closing in ((r"\[", r"\]"), (r"\(", r"\)")):
                if text.startswith(opening, i):
                    close = text.find(closing, i + 2)
                    close = end if close < 0 else close
                    out.append((i + 2, "math", close, None))
                    i = close + 2
                    break
            else:
                i += 2
            continue
        if c == "$":
            width = 2 if text.startswith("$$", i) else 1
            close = _closing_dollar(text, i + width, end, width)
            out.append((i + width, "math", close, None))
            i = close + width
            continue
        i += 1
    return out


def _closing_dollar(text: str, i: int, end: int, width: int) -> int:
    while i < end:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("$" * width, i):
            return i
        i += 1
    return end
