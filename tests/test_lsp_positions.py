"""The one conversion between LSP positions (0-based lines, UTF-16 code
units) and chainrule spans (1-based lines and code point columns), with
characters outside the Basic Multilingual Plane (𝑥, two units) and the
BMP letters notes use (ŷ, ∂, ᵀ, one unit each)."""
from __future__ import annotations

import pytest

from dsl.apps.lsp.positions import LineIndex, utf16_to_codepoints, utf16_units
from dsl.core.span import Source

TEXT = "dims n\n∂ŷ/∂𝑥 = 𝑥ᵀ @ ŷ\r\nlast 𝑥𝑥 line"


def test_units_per_character():
    assert [utf16_units(c) for c in "𝑥ŷ∂ᵀa"] == [2, 1, 1, 1, 1]
    assert utf16_units("∂ŷ/∂𝑥 = 𝑥ᵀ") == 12


@pytest.mark.parametrize(("column", "units"), [
    (1, 0),      # before ∂
    (2, 1),      # before ŷ
    (5, 4),      # before 𝑥
    (6, 6),      # after 𝑥: two units
    (9, 9),      # before the second 𝑥
    (10, 11),    # before ᵀ
    (11, 12),    # after ᵀ
    (15, 16),    # the line's end (before \r\n)
])
def test_chainrule_column_to_lsp_character(column, units):
    assert LineIndex(TEXT).lsp_position(2, column) == (1, units)


@pytest.mark.parametrize(("units", "column"), [(0, 1), (4, 5), (6, 6), (9, 9), (11, 10), (12, 11)])
def test_lsp_character_to_chainrule_column(units, column):
    assert LineIndex(TEXT).span_point(1, units) == (2, column)


def test_inside_a_surrogate_pair_moves_to_the_next_character():
    # character 5 falls between the two halves of 𝑥 (units 4 and 5)
    assert utf16_to_codepoints("∂ŷ/∂𝑥 =", 5) == 5
    assert LineIndex(TEXT).span_point(1, 5) == (2, 6)


def test_round_trip_over_every_boundary():
    ix = LineIndex(TEXT)
    for line in (1, 2, 3):
        text = Source("t", TEXT).line_text(line)
        for column in range(1, len(text) + 2):
            l0, ch = ix.lsp_position(line, column)
            assert ix.span_point(l0, ch) == (line, column)


def test_offsets_agree_with_source_spans():
    src, ix = Source("t", TEXT), LineIndex(TEXT)
    for offset in range(len(TEXT) + 1):
        line, column = src.position(offset)
        l0, ch = ix.lsp_position(line, column)
        if TEXT[offset - 1:offset] != "\r":               # the \r of \r\n belongs to no column
            assert ix.offset(l0, ch) == offset
            assert ix.lsp_position_of(offset) == (l0, ch)


def test_past_the_end_is_clamped():
    ix = LineIndex(TEXT)
    assert ix.offset(99, 0) == len(TEXT)
    assert ix.offset(0, 99) == len("dims n")
    assert ix.lsp_position(99, 1) == (2, 0)
    assert ix.span_point(2, 99) == (3, len("last 𝑥𝑥 line") + 1)


def test_a_span_of_a_real_diagnostic():
    """A check of a LaTeX note whose prose has 𝑥 before the product: the
    diagnostic's columns (code points) become UTF-16 characters one further on."""
    from dsl.apps.lsp.analysis import analyse
    text = "% deriv: dims n\n% deriv: x : 1 x n\nFor the row 𝑥 we get $y = x x$ here.\n"
    (d,) = [d for d in analyse("note.tex", text).diagnostics if d.code == "E300"]
    assert (d.span.line, d.span.column, d.span.end_column) == (3, 27, 30)
    start, end = LineIndex(text).lsp_range(d.span)
    assert (start, end) == ((2, 27), (2, 30))
    line = text.split("\n")[2].encode("utf-16-le")
    assert line[2 * start[1]:2 * end[1]].decode("utf-16-le") == "x x"


@pytest.mark.parametrize(("encoding", "column", "units"), [
    ("utf-8", 5, 9),       # ∂ ŷ / ∂: 3 + 2 + 1 + 3 bytes
    ("utf-8", 6, 13),      # after 𝑥: four bytes
    ("utf-8", 11, 23),     # after " = 𝑥ᵀ": 3 + 4 + 3 bytes
    ("utf-32", 6, 5),      # code points
    ("utf-16", 6, 6),
])
def test_the_negotiated_encodings(encoding, column, units):
    ix = LineIndex(TEXT, encoding)
    assert ix.lsp_position(2, column) == (1, units)
    assert ix.span_point(1, units) == (2, column)


def test_inside_a_utf8_sequence_moves_to_the_next_character():
    assert LineIndex(TEXT, "utf-8").span_point(1, 10) == (2, 6)     # inside the bytes of 𝑥


def test_an_unknown_encoding_is_utf16():
    assert LineIndex(TEXT, "utf-7").encoding == "utf-16"
