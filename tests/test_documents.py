"""The document corpus: real-style notes, answers, homework and notebooks, linted as a user would.

``tests/fixtures/documents/`` holds each document as published and with
declarations added by hand; ``expected.toml`` lists the planted mistakes.
The counting is ``bench/documents.py`` (``python bench/documents.py`` prints
the table); here it is asserted on: never an internal error, no false alarm
beyond the known ones below, and at least as many mistakes caught as today.

The floors ratchet: when the reader catches more, raise them to the new
count.  A known false alarm that is fixed may be taken out of its table.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Planted mistakes caught, per variant, by today's reader (of 24).
RECALL_FLOORS = {"published": 22, "declared": 24}

# False alarms of today's reader: (document, variant, place, code) -> why it is a false alarm.
KNOWN_FALSE_ALARMS: dict[tuple[str, str, str, str], str] = {
    # (document, variant, place, code) -> why it is a false alarm; none today.  A new
    # reader gap that cannot be closed at once is listed here with its reason.
}


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_documents", ROOT / "bench" / "documents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


docs = _load_bench()
EXPECTED = docs.load_expected()["documents"]


@pytest.fixture(scope="module")
def measures():
    return docs.measure_all()


# ------------------------------------------------------------------ the corpus itself

def test_corpus_has_the_planned_size_and_spread():
    assert 14 <= len(EXPECTED) <= 18
    counts = [len(e.get("mistakes", [])) for e in EXPECTED.values()]
    assert 16 <= sum(counts) <= 24
    assert max(counts) <= 3
    assert 0 in counts, "some documents are correct throughout"
    assert {e["format"] for e in EXPECTED.values()} == {"md", "tex", "ipynb"}
    for entry in EXPECTED.values():
        for m in entry.get("mistakes", []):
            assert m["codes"] and m["kind"] and m["what"]
            assert (m.get("cell") is not None) == (entry["format"] == "ipynb")


def _lines(path: Path, cell: int | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return "".join(cells[cell - 1]["source"]).splitlines() if cell else [str(len(cells))]
    return text.splitlines()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_planted_line_holds_its_text_in_both_variants(name):
    entry = EXPECTED[name]
    for m in entry.get("mistakes", []):
        for variant in docs.VARIANTS:
            path = docs.variant_path(name, entry["format"], variant)
            line = _lines(path, m.get("cell"))[m[f"{variant}_line"] - 1]
            assert m["text"] in line, (path.name, m[f"{variant}_line"], line)


def _cells(path: Path) -> list[list[str]]:
    if path.suffix == ".ipynb":
        return ["".join(c["source"]).splitlines() for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    return [path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_variant_is_the_document_with_lines_added(name):
    """Every line of the published document is in the declared one, in
    order and unchanged; the added lines declare (they mention deriv, or sit
    inside a deriv block or comment)."""
    fmt = EXPECTED[name]["format"]
    published = _cells(docs.variant_path(name, fmt, "published"))
    declared = _cells(docs.variant_path(name, fmt, "declared"))
    assert len(published) == len(declared)
    added = 0
    for before, after in zip(published, declared, strict=True):
        ops = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
        assert all(op in ("equal", "insert") for op, *_ in ops), name
        for op, _, _, j1, j2 in ops:
            if op == "insert":
                block = after[j1:j2]
                added += len(block)
                assert any("deriv" in line for line in block), (name, block)
    assert added > 0


# ------------------------------------------------------------------ the measure

def test_measure_counts_catches_misses_and_false_alarms(tmp_path):
    """The counting on a corpus of one small document, every outcome once."""
    (tmp_path / "tiny.md").write_text("$$y = x x$$\n$$z = x x^T$$\n$$w = x^T x^T$$\n$$v = \\foo$$\n$$u = x x$$\n",
                                      encoding="utf-8")
    (tmp_path / "tiny.declared.md").write_text(
        "<!-- deriv: x : 1 x 3 -->\n$$y = x x$$\n$$z = x x^T$$\n$$w = x^T x^T$$\n$$v = \\foo$$\n$$u = x x$$\n",
        encoding="utf-8")
    (tmp_path / "expected.toml").write_text(
        "[documents.tiny]\nformat = 'md'\nabout = 'a row vector'\n"
        "[[documents.tiny.mistakes]]\nkind = 'k'\npublished_line = 1\ndeclared_line = 2\ncodes = ['E3']\n"
        "text = 'x x$'\nwhat = 'a row times a row'\n"
        "[[documents.tiny.mistakes]]\nkind = 'k'\npublished_line = 2\ndeclared_line = 3\ncodes = ['E500']\n"
        "text = 'x x^T'\nwhat = 'nothing wrong here'\n"
        "[[documents.tiny.mistakes]]\nkind = 'k'\npublished_line = 5\ndeclared_line = 6\ncodes = ['E500']\n"
        "text = 'u = x x'\nwhat = 'flagged, but not by a claim check'\n", encoding="utf-8")
    entry = docs.load_expected(tmp_path)["documents"]["tiny"]
    declared = docs.measure("tiny", entry, "declared", tmp_path)
    assert [m.line for m in declared.caught] == [2]
    assert [m.line for m in declared.missed] == [3, 6]
    assert [(a.line, a.code[:2]) for a in declared.off_target] == [(6, "E3")]
    assert [(a.line, a.code[:2]) for a in declared.false_alarms] == [(4, "E3")]
    assert declared.read == 4 and declared.unread == 1 and declared.formulas == 5 and declared.math == 5
    published = docs.measure("tiny", entry, "published", tmp_path)
    assert published.caught == [] and published.false_alarms == []
    assert published.read == 0 and published.unread == 5


def test_declarations_add_no_math(measures):
    """The declarations are invisible when rendered: both variants show the same math."""
    by = {(m.document, m.variant): m.math for m in measures}
    for name in EXPECTED:
        assert by[(name, "published")] == by[(name, "declared")] > 0, name


def test_no_internal_error_on_any_document(measures):
    for m in measures:
        assert m.internal == [], (m.path, m.internal)
        assert m.exit_code in (0, 1), m.path


def test_no_false_alarm_beyond_the_known_ones(measures):
    new = [(m.document, m.variant, a.where, a.code, a.message) for m in measures for a in m.false_alarms
           if (m.document, m.variant, a.where, a.code) not in KNOWN_FALSE_ALARMS]
    assert new == []


def test_known_false_alarms_are_on_unplanted_lines_of_known_documents():
    for name, variant, where, _ in KNOWN_FALSE_ALARMS:
        assert name in EXPECTED and variant in docs.VARIANTS
        planted = {docs.place(m.get("cell"), m[f"{variant}_line"]) for m in EXPECTED[name].get("mistakes", [])}
        assert where not in planted


@pytest.mark.parametrize("variant", docs.VARIANTS)
def test_recall_is_at_least_todays(measures, variant):
    caught = sum(len(m.caught) for m in measures if m.variant == variant)
    assert caught >= RECALL_FLOORS[variant]


def test_declarations_never_lose_a_catch(measures):
    """What the published variant catches, the declared one catches too."""
    by = {(m.document, m.variant): m for m in measures}
    for name in EXPECTED:
        kinds = {(p.kind, p.what) for p in by[(name, "published")].caught}
        assert kinds <= {(p.kind, p.what) for p in by[(name, "declared")].caught}, name


# ------------------------------------------------------------------ documents written later

MORE = ROOT / "tests" / "fixtures" / "documents_more"


@pytest.fixture(scope="module")
def more():
    return docs.measure_all(MORE)


def test_later_documents_are_read_without_an_alarm_or_an_internal_error(more):
    assert {m.document for m in more} == set(docs.load_expected(MORE)["documents"])
    assert [(m.path, a.where, a.code) for m in more for a in m.false_alarms + m.internal] == []


@pytest.mark.parametrize("variant", docs.VARIANTS)
def test_later_documents_have_every_planted_mistake_caught(more, variant):
    missed = [(m.path, p.where, p.kind) for m in more if m.variant == variant for p in m.missed]
    assert missed == []
    planted = sum(len(e.get("mistakes", [])) for e in docs.load_expected(MORE)["documents"].values())
    assert sum(m.planted for m in more if m.variant == variant) == planted >= 13
