"""Mutations of existing inputs, as hypothesis strategies.

Text is mutated at two grains: tokens (a name, a number, a run of blanks,
one other character: so that a span of whole tokens is deleted, duplicated,
swapped or has an operator put into it) and bytes of its UTF-8 form (so that
what reaches the reader may be invalid UTF-8, a NUL, a lone BOM).  What is
inserted comes from :data:`PAYLOADS` (operators, brackets, Unicode the
language reads, numbers from 0 to 400 digits) or from the text itself.
"""
from __future__ import annotations

import re

from hypothesis import strategies as st

OPERATORS = ["+", "-", "*", "/", "@", "**", ".T", "^T", "ᵀ", "'", ".*", "./", "·", "∘", "⊙",
             "−", "×", "x", "=", ":", ",", "/d", "∂", "d", "#", "\n", " ", "\\", "^", "_", "&",
             "$", "$$", "\\\\", "{", "}", "(", ")", "[", "]", "<!--", "-->", "```", "```deriv\n",
             "%", "% deriv: ", "<!-- deriv: ", "\\begin{equation}", "\\end{equation}",
             "\\frac{", "\\mathbf{", "\\sum_i ", "\\in \\mathbb{R}^{", "\\left(", "\\right)",
             "\\top", "^{(l)}", "_{ij}", "where ", "shape: (", "dims ", "layout ", "scalar",
             "sum[i](", "delta(i, j)", "[i, j]", "axis=", "onehot", "spd", "sigma'(", "relu'("]
UNICODE = ["σ", "ŷ", "θ̂", "W₁", "ℓ", "∂", "×", "ᵀ", "\u0302", "\u00a0", "\u200b", "\ufeff",
           "\u202e", "😀", "\U0010ffff", "é", "ﬁ", "Ω", "\u2028", "\r", "\t", "\x0c", "\x1b[31m"]
SMALL_NUMBERS = ["0", "1", "2", "3", "0.5", "1e-3", "10", "-1", "07", "2.T", ".5", "1e3", "1.e2"]
HUGE_NUMBERS = ["99999", "1000000", "99999999999999999999", "9" * 400, "1e309", "1e-400",
                "nan", "inf", "2" + "0" * 30]
DEEP = ["(" * 300, "[" * 300, ")" * 300, "{" * 300, "-" * 300, "\\frac{" * 120, "\\sqrt{" * 120,
        "sigma(" * 120, ".T" * 300, "\\left(" * 120]

PAYLOADS = OPERATORS + UNICODE + SMALL_NUMBERS + HUGE_NUMBERS + DEEP

_TOKEN = re.compile(r"[A-Za-z_\u00c0-\u024f\u0370-\u03ff][\w\u0300-\u036f\u2080-\u2089']*"
                    r"|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\\[A-Za-z]+|[ \t]+|\n|.", re.S)


def tokens(text: str) -> list[str]:
    """``text`` cut into tokens that join back to it."""
    return _TOKEN.findall(text)


def _span(draw, length: int) -> tuple[int, int]:
    if length == 0:
        return 0, 0
    start = draw(st.integers(0, length - 1))
    return start, draw(st.integers(start, min(length, start + 8)))


def _mutate_list(draw, items: list, pool: list) -> list:
    """One edit of a list of tokens or bytes: delete, duplicate or move a span,
    swap two items, insert something from ``pool``, or replace an item by it."""
    kind = draw(st.sampled_from(["delete", "duplicate", "move", "swap", "insert", "replace"]))
    start, end = _span(draw, len(items))
    if kind == "delete":
        return items[:start] + items[end:]
    if kind == "duplicate":
        return items[:end] + items[start:end] + items[end:]
    if kind == "move":
        piece, rest = items[start:end], items[:start] + items[end:]
        at = draw(st.integers(0, len(rest)))
        return rest[:at] + piece + rest[at:]
    if kind == "swap" and len(items) >= 2:
        i, j = draw(st.integers(0, len(items) - 1)), draw(st.integers(0, len(items) - 1))
        items = list(items)
        items[i], items[j] = items[j], items[i]
        return items
    new = draw(st.sampled_from(pool)) if pool else []
    at = draw(st.integers(0, len(items)))
    if kind == "replace" and items:
        return [*items[:start], new, *items[start + 1:]]
    return [*items[:at], new, *items[at:]]


@st.composite
def mutated_text(draw, texts: list[str], payloads: list[str] = PAYLOADS, max_edits: int = 4) -> str:
    """One of ``texts`` with 1 to ``max_edits`` token edits."""
    text = draw(st.sampled_from(texts))
    parts = tokens(text)
    for _ in range(draw(st.integers(1, max_edits))):
        pool = payloads + (parts[:200] if parts else [])
        parts = _mutate_list(draw, parts, pool)
    return "".join(parts)


_BYTES = [b"\x00", b"\xff", b"\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\x80", b"\r\n",
          b"\n", b"\x1a", b"\xe2\x88", b"\xf4\x90\x80\x80"]


@st.composite
def mutated_bytes(draw, texts: list[str], payloads: list[str] = PAYLOADS, max_edits: int = 3) -> bytes:
    """A token-mutated text as UTF-8, then 1 to ``max_edits`` byte edits
    (whole bytes, so the result may not be UTF-8 at all)."""
    raw = list(draw(mutated_text(texts, payloads, max_edits=2)).encode("utf-8", "surrogatepass"))
    pool = [list(b) for b in _BYTES]
    for _ in range(draw(st.integers(1, max_edits))):
        kind = draw(st.sampled_from(["insert", "delete", "flip"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "insert":
            raw[at:at] = draw(st.sampled_from(pool))
        elif kind == "delete":
            raw[at:at + draw(st.integers(1, 4))] = []
        elif raw:
            i = min(at, len(raw) - 1)
            raw[i] = raw[i] ^ (1 << draw(st.integers(0, 7)))
    return bytes(raw)


def source_bytes(texts: list[str], payloads: list[str] = PAYLOADS) -> st.SearchStrategy[bytes]:
    """Token or byte mutations of ``texts``, as the bytes of a file."""
    return st.one_of(mutated_text(texts, payloads).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     mutated_bytes(texts, payloads))
