"""The golden corpus: small .deriv files with their expected results inline.

Every file in ``tests/corpus/`` and ``examples/`` (with ``examples/mistakes/``)
is checked with ``driver.check_source(..., verify=True, seed=0)`` and compared,
line by line, with the expectations written in its comments::

    a = x @ W1                 # expect: error[E300]
    s = W2.T * h               # expect: warning[W303 hint="diag("]
    dL/dx = ...                # expect: error[E400] unchecked
    dJ/dtheta = yhat - y       # expect: wrong(sign)

An expectation is one of

* ``error[CODE]``, ``warning[CODE]``, ``note[CODE]``: a diagnostic with this
  severity and code whose span starts on this line; optional ``hint="text"``
  and ``msg="text"`` require the hint or the message to contain the text,
  and ``fix="text"`` requires a structured fix whose replacement is exactly
  the text (``fix=""`` requires that there is no fix);
* ``verified``, ``unchecked``, ``wrong`` or ``wrong(kind)``: the verdict of
  the claim that starts on this line; ``wrong(kind)`` requires the verdict's
  detail to name the kind (sign, factor, transpose, diagonal, zero, missing
  term, indices swapped) and implies ``error[E500]`` on the line.

A line without expectations gets no diagnostic, and a claim without a verdict
must be verified.  Diagnostics are compared as a multiset of (line, severity,
code): a duplicate is a failure too.

The coverage test asserts that every catalogue code a .deriv file can
trigger is expected somewhere in ``tests/corpus/``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dsl import pipeline as driver
from dsl.core import messages
from dsl.core.span import Source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
EXAMPLES = ROOT / "examples"
SEED = 0

# Catalogue codes no .deriv file can trigger in `check`; each is tested elsewhere.
NOT_FROM_DERIV_FILES = {
    "E105": "a statement of more than 100,000 characters: too large for the corpus (tests/test_hostile_names.py)",
    "E900": "input errors: unreadable, binary or non-UTF-8 files (driver and CLI tests)",
    "E901": "internal error: a defect in chainrule, no input should cause it",
    "E502": "internal cross-check of the reference derivative against finite differences",
    "E510": "`chainrule derive` of a derivative with no symbolic form (derive tests)",
    "E511": "a derived form that fails verification: a defect, no input should cause it (derive tests)",
    "E600": "evaluation memory budget (`chainrule eval`, evaluator tests)",
    "W601": "NaN or infinity during evaluation (`chainrule eval`, evaluator tests)",
    "E602": "arrays given with --data (`chainrule eval`, data tests)",
    "E603": "an operation outside its domain on evaluated values (evaluator tests)",
    "W604": "a derivative term met while evaluating without verification (evaluator tests)",
    "N700": "LaTeX front end: math it cannot read (front-end tests)",
    "N701": "LaTeX front end (front-end tests)",
    "N702": "LaTeX front end (front-end tests)",
    "N703": "LaTeX front end (front-end tests)",
    "N720": "document reader: a shape the document states (tests/test_reading_documents.py)",
    "W720": "document reader: two statements of one name disagree (tests/test_reading_documents.py)",
    "N721": "document reader: a name restated in a new section (tests/test_reading_documents.py)",
    "N722": "document reader: a convention read (tests/test_reading_documents.py)",
    "N723": "document reader: a hand-defined name defined again (tests/test_document_readings.py)",
    "N710": "LaTeX front end: document macros that do not finish expanding (macro tests)",
    "N740": "shapes inferred for documents (inference tests)",
    "N741": "equations inference refuses in documents (inference tests)",
    "W704": "LaTeX front end (front-end tests)",
    "W705": "a suppression comment that silences nothing, only with --warn-unused-ignores (CLI tests)",
}

VERDICTS = ("verified", "wrong", "unchecked")
# wrong(kind): the words the verdict's detail must contain for each kind
WRONG_KINDS = {
    "sign": re.compile(r"\bsign\b"),
    "factor": re.compile(r"\bfactor\b"),
    "transpose": re.compile(r"\btranspose"),
    "diagonal": re.compile(r"\bdiagonal\b"),
    "zero": re.compile(r"\bzero\b"),
    "missing term": re.compile(r"\bmissing (?:a )?term\b"),
    "indices swapped": re.compile(r"\bindices swapped\b"),
}

_EXPECT = re.compile(r"#\s*expect:(.*)$")
_ITEM = re.compile(
    r"""\s*(?:
        (?P<sev>error|warning|note)\[(?P<code>[A-Z]\d{3})(?P<opts>(?:\s+(?:hint|msg|fix)="[^"]*")*)\]
      | (?P<verdict>verified|unchecked|wrong)(?:\((?P<kind>[^)]*)\))?
    )(?=\s|$)""", re.VERBOSE)
_OPT = re.compile(r'(hint|msg|fix)="([^"]*)"')


@dataclass
class DiagExpect:
    line: int
    severity: str
    code: str
    hint: str | None = None
    msg: str | None = None
    fix: str | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.line, self.severity, self.code)

    def __str__(self) -> str:
        opts = "".join(f' {k}="{v}"' for k, v in (("hint", self.hint), ("msg", self.msg), ("fix", self.fix))
                       if v is not None)
        return f"{self.severity}[{self.code}{opts}]"


@dataclass
class FileExpect:
    diags: list[DiagExpect] = field(default_factory=list)
    verdicts: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    def codes(self) -> set[str]:
        return {d.code for d in self.diags}


def parse_expectations(text: str, name: str = "<text>") -> FileExpect:
    """Read the ``# expect:`` comments of a file.

    >>> parse_expectations("a = x @ W  # expect: error[E300]").diags[0].key
    (1, 'error', 'E300')
    """
    out = FileExpect()
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _EXPECT.search(line)
        if not m:
            continue
        rest = m.group(1)
        if not rest.strip():
            raise ValueError(f"{name}:{lineno}: empty expectation")
        pos = 0
        while rest[pos:].strip():
            item = _ITEM.match(rest, pos)
            if item is None:
                raise ValueError(f"{name}:{lineno}: cannot read expectation {rest[pos:].strip()!r}")
            pos = item.end()
            if item.group("sev"):
                opts = dict(_OPT.findall(item.group("opts") or ""))
                out.diags.append(DiagExpect(lineno, item.group("sev"), item.group("code"),
                                            opts.get("hint"), opts.get("msg"), opts.get("fix")))
                continue
            verdict, kind = item.group("verdict"), item.group("kind")
            if lineno in out.verdicts:
                raise ValueError(f"{name}:{lineno}: two verdicts on one line")
            if kind is not None and (verdict != "wrong" or kind not in WRONG_KINDS):
                raise ValueError(f"{name}:{lineno}: unknown verdict {verdict}({kind}); "
                                 f"kinds are {', '.join(WRONG_KINDS)}")
            out.verdicts[lineno] = (verdict, kind)
    # a wrong claim is an E500 on its line, unless the file already says so
    written = {d.key for d in out.diags}
    for lineno, (verdict, _) in out.verdicts.items():
        if verdict == "wrong" and (lineno, "error", "E500") not in written:
            out.diags.append(DiagExpect(lineno, "error", "E500"))
    return out


def compare(text: str, report, expect: FileExpect) -> list[str]:
    """Every difference between a report and the expectations, one line each."""
    lines = text.splitlines()
    problems: list[str] = []

    def where(line: int) -> str:
        src = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return f"line {line}: {src}"

    actual = Counter((d.span.line, d.severity.value, d.code) for d in report.diagnostics)
    wanted = Counter(d.key for d in expect.diags)
    for key in sorted((wanted - actual).elements()):
        problems.append(f"{where(key[0])}\n    missing   {key[1]}[{key[2]}]")
    for key in sorted((actual - wanted).elements()):
        found = [d for d in report.diagnostics if (d.span.line, d.severity.value, d.code) == key]
        detail = f": {found[0].message}" + (f" (hint: {found[0].hint})" if found[0].hint else "")
        problems.append(f"{where(key[0])}\n    unexpected {key[1]}[{key[2]}]{detail}")
    for e in expect.diags:
        if e.hint is None and e.msg is None and e.fix is None:
            continue
        found = [d for d in report.diagnostics if (d.span.line, d.severity.value, d.code) == e.key]
        if not found:
            continue  # already reported as missing
        if e.hint is not None and not any(e.hint in (d.hint or "") for d in found):
            problems.append(f"{where(e.line)}\n    {e}: hint is {found[0].hint!r}")
        if e.msg is not None and not any(e.msg in d.message for d in found):
            problems.append(f"{where(e.line)}\n    {e}: message is {found[0].message!r}")
        fixes = [d.fix.replacement if d.fix else "" for d in found]
        if e.fix is not None and e.fix not in fixes:
            problems.append(f"{where(e.line)}\n    {e}: fix is {fixes[0]!r}")

    claim_lines = set()
    for result in report.claims:
        line = result.claim.span.line
        claim_lines.add(line)
        status, kind = expect.verdicts.get(line, ("verified", None))
        got = f"{result.status}" + (f" ({result.detail})" if result.detail else "")
        if result.status != status:
            want = status + (f"({kind})" if kind else "")
            problems.append(f"{where(line)}\n    claim expected {want}, got {got}")
        elif kind is not None and not WRONG_KINDS[kind].search((result.detail or "").lower()):
            problems.append(f"{where(line)}\n    claim expected wrong({kind}), got {got}")
    for line in sorted(set(expect.verdicts) - claim_lines):
        problems.append(f"{where(line)}\n    expected a claim verdict, but no claim starts on this line")
    return problems


def deriv_files() -> list[Path]:
    return sorted(CORPUS.glob("*.deriv")) + sorted(EXAMPLES.glob("**/*.deriv"))


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", deriv_files(), ids=_id)
def test_file_matches_its_expectations(path: Path):
    text = path.read_text(encoding="utf-8")
    expect = parse_expectations(text, _id(path))
    report = driver.check_source(Source(_id(path), text), verify=True, seed=SEED)
    problems = compare(text, report, expect)
    assert not problems, f"{_id(path)} (seed {SEED}):\n" + "\n".join(problems)


def test_corpus_is_not_empty():
    assert len(list(CORPUS.glob("*.deriv"))) >= 30


def test_every_code_a_file_can_trigger_is_in_the_corpus():
    covered: set[str] = set()
    for path in CORPUS.glob("*.deriv"):
        covered |= parse_expectations(path.read_text(encoding="utf-8"), _id(path)).codes()
    stale = set(NOT_FROM_DERIV_FILES) - set(messages.CATALOGUE)
    assert not stale, f"excluded codes missing from the catalogue: {sorted(stale)}"
    missing = set(messages.CATALOGUE) - set(NOT_FROM_DERIV_FILES) - covered
    assert not missing, f"codes never expected in tests/corpus/: {sorted(missing)}"


def test_every_wrong_claim_kind_is_in_the_corpus():
    kinds = set()
    for path in CORPUS.glob("*.deriv"):
        kinds |= {k for _, k in parse_expectations(path.read_text(encoding="utf-8")).verdicts.values() if k}
    assert kinds == set(WRONG_KINDS)


# ------------------------------------------------- the expectation reader itself

def test_expectations_are_read_from_comments():
    text = ("a = x @ W1  # expect: error[E300 hint=\"W1.T\"] warning[W303]\n"
            "b = a\n"
            "dL/dx = g   # why # expect: wrong(sign)\n")
    e = parse_expectations(text)
    assert [d.key for d in e.diags] == [(1, "error", "E300"), (1, "warning", "W303"), (3, "error", "E500")]
    assert e.diags[0].hint == "W1.T"
    assert e.verdicts == {3: ("wrong", "sign")}


def test_explicit_e500_with_wrong_counts_once():
    e = parse_expectations("dL/dx = g  # expect: error[E500] wrong(factor)\n")
    assert [d.key for d in e.diags] == [(1, "error", "E500")]


@pytest.mark.parametrize("bad", ["# expect:", "# expect: eror[E300]", "# expect: wrong(sideways)",
                                 "# expect: verified verified", "# expect: error[E300",
                                 "# expect: verifiedx", "# expect: error[E300] because"])
def test_malformed_expectations_are_refused(bad):
    with pytest.raises(ValueError):
        parse_expectations("a = b  " + bad)


# ------------------------------------------------ the comparison can fail

def _problems(text: str) -> str:
    report = driver.check_source(Source("t.deriv", text), verify=True, seed=SEED)
    return "\n".join(compare(text, report, parse_expectations(text)))


def test_an_unexpected_diagnostic_is_a_failure():
    assert "unexpected error[E300]" in _problems("dims n\nx : 1 x n\ny = x @ x\n")


def test_a_missing_or_different_diagnostic_is_a_failure():
    out = _problems("dims n\nx : 1 x n\ny = x @ x   # expect: warning[W303]\n")
    assert "missing   warning[W303]" in out and "unexpected error[E300]" in out


def test_a_duplicate_diagnostic_is_a_failure():
    out = _problems("dims n\nx : 1 x n\ny = x @ x   # expect: error[E300] error[E300]\n")
    assert "missing   error[E300]" in out


def test_a_hint_that_does_not_say_the_fix_is_a_failure():
    out = _problems('dims n, k\nx : 1 x n\nW : k x n\ny = x @ W   # expect: error[E300 hint="W.T"]\n'
                    'z = x @ W   # expect: error[E300 hint="nonsense"]\n')
    assert "line 5" in out and "line 4" not in out


def test_a_wrong_claim_expected_verified_is_a_failure():
    out = _problems("dims n\nx : 1 x n\nL = sum(x * x)\ndL/dx = x\n")
    assert "claim expected verified, got wrong" in out and "unexpected error[E500]" in out


def test_a_wrong_diagnosis_kind_is_a_failure():
    out = _problems("dims n\nx : 1 x n\nL = sum(x * x)\ndL/dx = -2 * x   # expect: wrong(factor)\n")
    assert "claim expected wrong(factor)" in out


def test_a_verdict_on_a_line_without_a_claim_is_a_failure():
    assert "no claim starts on this line" in _problems("dims n\nx : 1 x n   # expect: verified\n")
