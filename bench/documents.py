"""How much of a real-style derivation document the linter reads, checks and catches.

    python bench/documents.py               # one row per document and variant, then the totals
    python bench/documents.py --markdown    # the same table as Markdown
    python bench/documents.py --details     # also every catch, miss, false alarm and formula unread (why)

The corpus is ``tests/fixtures/documents/`` (``--corpus DIR`` for another, such as
``tests/fixtures/documents_more/``, written later to test the readings on new text): course notes, Q&A answers,
homework write-ups, blog posts and notebooks written in the styles of public
ones, each in two variants, ``NAME.EXT`` as published and
``NAME.declared.EXT`` with declarations added by hand in today's syntax
(``<!-- deriv: ... -->``, ``% deriv: ...``, a ```` ```deriv ```` block).
``expected.toml`` lists every planted mistake: its line (and notebook cell)
in each variant and the codes that count as catching it.

Each document is linted exactly as ``chainrule lint --format json --verbose``
does it (``dsl.apps.lint.run_lint`` in this process, seed 0), and the JSON is
counted:

| column | meaning |
|---|---|
| math | math spans in the document, found by their delimiters, without the reader |
| formulas | equations the reader met: read + unread |
| read | equations turned into checked definitions or claims, and facts of one variable checked |
| unread | distinct places of the ``N700`` (cannot read) and ``N702`` (skipped) notes |
| claims | claims verified or found wrong (not those left unchecked) |
| caught | planted mistakes with an error or warning on their line whose code is accepted |
| false alarms | errors and warnings on no planted line |

``measure`` and ``measure_all`` are what ``tests/test_documents.py`` asserts
on (no internal error, no false alarm outside its known table, recall
floors).  Nothing here is timed.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "documents"
VARIANTS = ("published", "declared")
SEED = 0
_UNREAD = ("N700", "N702")
_ALARMS = ("error", "warning")


@dataclass(frozen=True)
class Mistake:
    """One planted mistake of one document, placed in one variant."""

    document: str
    kind: str
    cell: int | None
    line: int
    codes: tuple[str, ...]
    what: str

    @property
    def where(self) -> str:
        return place(self.cell, self.line)

    def caught_by(self, code: str) -> bool:
        return any(code.startswith(c) for c in self.codes)


@dataclass(frozen=True)
class Alarm:
    """An error or warning of the linter: code, place, message."""

    code: str
    severity: str
    cell: int | None
    line: int
    message: str

    @property
    def where(self) -> str:
        return place(self.cell, self.line)


@dataclass
class Measure:
    """The counts of one variant of one document."""

    document: str
    variant: str
    path: str
    math: int = 0
    read: int = 0
    unread: int = 0
    claims: int = 0
    caught: list[Mistake] = field(default_factory=list)
    missed: list[Mistake] = field(default_factory=list)
    false_alarms: list[Alarm] = field(default_factory=list)
    off_target: list[Alarm] = field(default_factory=list)     # on a planted line, with a code not accepted
    internal: list[Alarm] = field(default_factory=list)       # E901: a defect of the linter
    unread_notes: list[Alarm] = field(default_factory=list)   # one N700 or N702 per formula left unread
    exit_code: int = 0

    @property
    def formulas(self) -> int:
        return self.read + self.unread

    @property
    def planted(self) -> int:
        return len(self.caught) + len(self.missed)


def place(cell: int | None, line: int) -> str:
    """``"12"`` in a text document, ``"cell 3, line 12"`` in a notebook."""
    return str(line) if cell is None else f"cell {cell}, line {line}"


def load_expected(corpus: Path = CORPUS) -> dict:
    """``expected.toml`` as data: ``{"documents": {name: {"format", "about", "mistakes": [...]}}}``."""
    with open(corpus / "expected.toml", "rb") as f:
        return tomllib.load(f)


def variant_path(name: str, fmt: str, variant: str, corpus: Path = CORPUS) -> Path:
    return corpus / (f"{name}.{fmt}" if variant == "published" else f"{name}.declared.{fmt}")


def mistakes_of(name: str, entry: dict, variant: str) -> list[Mistake]:
    return [Mistake(name, m["kind"], m.get("cell"), m[f"{variant}_line"], tuple(m["codes"]), m["what"])
            for m in entry.get("mistakes", [])]


def lint_json(path: Path) -> tuple[dict, int]:
    """The report ``chainrule lint --format json --verbose PATH`` prints, and its exit code."""
    from dsl.apps.lint import run_lint
    out = io.StringIO()
    code = run_lint([str(path)], fmt="json", verbose=True, seed=SEED, jobs=1, out=out)
    return json.loads(out.getvalue())["files"][0], code


# Where math is written, most specific first; each match is blanked before the next pattern runs.
_TEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_NOT_MATH = re.compile(r"```.*?```|`[^`\n]*`|<script.*?</script>|<!--.*?-->", re.S)
_MATH = [re.compile(p, re.S) for p in (
    r"\$\$.+?\$\$",
    r"\\begin\{(equation|align|gather|multline|eqnarray)(\*?)\}.*?\\end\{\1\2\}",
    r"\\\\\(.+?\\\\\)",                  # kramdown's escaped \\( ... \\)
    r"\\\(.+?\\\)",
    r"\\\[.+?\\\]",
    r"(?<![\\$])\$[^$\n]+?\$",
)]


def math_spans(path: Path) -> int:
    r"""Math spans written in the document, found by their delimiters alone
    (code, scripts, HTML comments and, in LaTeX, comments left out): what a reader of the
    rendered page sees as formulas, whatever the linter makes of them.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "a.md"
    ...     _ = p.write_text("$a$, $$b$$, \\(c\\), `$d$` <!-- $e$ -->", encoding="utf-8")
    ...     math_spans(p)
    3
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        text = "\n".join("".join(c.get("source", [])) for c in cells if c.get("cell_type") == "markdown")
    text = (_TEX_COMMENT if path.suffix == ".tex" else _NOT_MATH).sub(" ", text)
    count = 0
    for pattern in _MATH:
        count += len(pattern.findall(text))
        text = pattern.sub(" ", text)
    return count


def formulas_read(path: Path) -> int:
    """Equations the document reader turned into program lines (definitions and claim sides),
    and the facts of one variable it checked itself (``dsl/frontends/facts.py``)."""
    from dsl.frontends import extract
    text = path.read_text(encoding="utf-8")
    ex = extract(str(path), text)
    return len(getattr(ex, "formulas", ())) + getattr(ex, "coverage", {}).get("facts", 0)


def measure(name: str, entry: dict, variant: str, corpus: Path = CORPUS) -> Measure:
    """Lint one variant of one document and count what was read, checked and caught."""
    path = variant_path(name, entry["format"], variant, corpus)
    report, code = lint_json(path)
    m = Measure(name, variant, str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                exit_code=code)
    m.read = formulas_read(path)
    m.math = math_spans(path)
    diagnostics = report.get("diagnostics", [])
    places: dict = {}
    for d in diagnostics:
        if d["code"] in _UNREAD:
            places.setdefault((d.get("cell"), d["line"], d["column"]),
                              Alarm(d["code"], d["severity"], d.get("cell"), d["line"], d["message"]))
    m.unread = len(places)
    m.unread_notes = list(places.values())
    m.claims = sum(1 for c in report.get("claims", []) if c["status"] in ("verified", "wrong"))
    alarms = [Alarm(d["code"], d["severity"], d.get("cell"), d["line"], d["message"])
              for d in diagnostics if d["severity"] in _ALARMS]
    m.internal = [a for a in alarms if a.code == "E901"]
    planted = mistakes_of(name, entry, variant)
    at = {(p.cell, p.line) for p in planted}
    for p in planted:
        there = [a for a in alarms if (a.cell, a.line) == (p.cell, p.line)]
        hit = any(p.caught_by(a.code) for a in there)
        (m.caught if hit else m.missed).append(p)
        m.off_target += [a for a in there if not hit]
    m.false_alarms = [a for a in alarms if (a.cell, a.line) not in at]
    return m


def measure_all(corpus: Path = CORPUS) -> list[Measure]:
    """Every document, both variants, in the order of ``expected.toml``."""
    docs = load_expected(corpus)["documents"]
    return [measure(name, entry, variant, corpus) for name, entry in docs.items() for variant in VARIANTS]


# ------------------------------------------------------------------ the table

_COLUMNS = ("document", "variant", "math", "formulas", "read", "unread", "claims", "caught", "false alarms")


def _row(m: Measure) -> tuple[str, ...]:
    return (m.document, m.variant, str(m.math), str(m.formulas), str(m.read), str(m.unread), str(m.claims),
            f"{len(m.caught)}/{m.planted}", str(len(m.false_alarms)))


def totals(measures: list[Measure]) -> list[tuple[str, ...]]:
    rows = []
    for variant in VARIANTS:
        ms = [m for m in measures if m.variant == variant]
        rows.append(("total", variant, *(str(sum(getattr(m, k) for m in ms))
                                         for k in ("math", "formulas", "read", "unread", "claims")),
                     f"{sum(len(m.caught) for m in ms)}/{sum(m.planted for m in ms)}",
                     str(sum(len(m.false_alarms) for m in ms))))
    return rows


def table(measures: list[Measure], markdown: bool = False) -> str:
    rows = [_row(m) for m in measures] + totals(measures)
    if markdown:
        lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(_COLUMNS)]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*_COLUMNS), *(fmt.format(*r) for r in rows)])


def details(measures: list[Measure]) -> str:
    out = []
    for m in measures:
        for p in m.caught:
            out.append(f"caught  {m.path}:{p.where}  {p.kind}")
        for p in m.missed:
            out.append(f"missed  {m.path}:{p.where}  {p.kind}: {p.what}")
        for a in m.off_target:
            out.append(f"other   {m.path}:{a.where}  {a.code} (not an accepted code) {a.message}")
        for a in m.false_alarms + m.internal:
            out.append(f"ALARM   {m.path}:{a.where}  {a.code} {a.message}")
        for a in m.unread_notes:
            out.append(f"unread  {m.path}:{a.where}  {a.code} {a.message}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/documents.py", description=__doc__.splitlines()[0])
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--details", action="store_true", help="also list every catch, miss, false alarm and unread formula")
    p.add_argument("--corpus", type=Path, default=CORPUS,
                   help="a directory of documents with its expected.toml (default: tests/fixtures/documents)")
    args = p.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))               # this tree's dsl, before any installed copy
    measures = measure_all(args.corpus.resolve())
    print(table(measures, markdown=args.markdown))
    if args.details:
        print()
        print(details(measures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
