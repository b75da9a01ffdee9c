"""One open document checked: what every request of the server reads.

Contract: :func:`analyse` checks a ``.deriv``, Markdown or LaTeX text as
``check`` and ``lint`` do (the same pipeline, shapes and syntax only) and
returns an :class:`Analysis`: the report in the coordinates of the checked
chainrule text, the diagnostics and claim verdicts in the coordinates of the
document, and the maps between the two.  :func:`verify_claims` then
verifies a run of its claims (the server runs them a few at a time in the
background, so a newer edit can stop the sequence between two steps).
Nothing here knows about the protocol.

    >>> a = analyse("t.deriv", "dims n\\nx : 1 x n\\ny = x @ x\\n")
    >>> [d.code for d in a.diagnostics], a.kind
    (['E300'], 'deriv')
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from dsl import pipeline as driver
from dsl.apps.hosted import in_host
from dsl.apps.lsp.positions import LineIndex
from dsl.core.diagnostics import Diagnostic
from dsl.core.kinds import Status
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.frontends import Extracted, extract, kind_of

SEED = driver.DEFAULT_SEED
KINDS = ("deriv", "markdown", "latex")


@dataclass
class Analysis:
    """A document and what checking it found."""

    path: str
    text: str
    kind: str                                  # "deriv", "markdown", "latex" or "other" (not checked)
    report: driver.Report                      # in the checked text's coordinates
    extracted: Extracted | None                # None for a .deriv file (the text is checked as it is)
    diagnostics: list[Diagnostic]              # in the document's coordinates
    claims: list[driver.ClaimResult]           # in the document's coordinates, one per claim
    index: LineIndex = field(repr=False)
    verified: bool = False                     # every claim's verification has run
    version: int | None = None                 # the editor's version of the text checked
    parsed: driver.Parsed | None = field(default=None, repr=False)   # a .deriv text's statements, for reparse
    shapes: driver.Shapes | None = field(default=None, repr=False)   # its shape check, to resume
    host_order: list | None = field(default=None, repr=False)   # the segments by document offset

    @property
    def source(self) -> Source:
        """The checked chainrule text."""
        return self.report.source

    def to_document(self, span: Span) -> Span:
        """A span of the checked text -> the same place in the document."""
        return span if self.extracted is None else self.extracted.span_map(span)

    def to_checked(self, offset: int) -> int | None:
        """A document offset -> the offset of the same character in the
        checked text, or None where the document holds nothing checked (prose,
        or math translated as a whole rather than character by character)."""
        ex = self.extracted
        if ex is None:
            return offset
        if self.host_order is None:
            self.host_order = sorted(ex.segments, key=lambda seg: seg[2])
        i = bisect.bisect_right(self.host_order, offset, key=lambda seg: seg[2]) - 1
        if i < 0:
            return None
        gs, ge, hs, he, exact = self.host_order[i]
        if not exact or not hs <= offset <= he:
            return None
        return min(ge, gs + offset - hs)


def document_kind(path: str) -> str:
    """How a document is read: by its extension; ``other`` for a kind the
    server does not check (a notebook's JSON: editors show its cells instead),
    ``deriv`` for any other name (an editor decides which files it sends; an
    unnamed buffer is chainrule)."""
    kind = kind_of(path)
    if kind is None:
        return "deriv"
    return kind if kind in KINDS else "other"


def analyse(path: str, text: str, previous: Analysis | None = None, encoding: str = "utf-16") -> Analysis:
    """Check ``text`` (the document at ``path``) for syntax and shapes;
    ``previous``, the analysis of an earlier text of the same document, lends
    the statements the edit did not touch (``driver.reparse``) and the shape
    check of those before it (``driver.Shapes``).  ``encoding`` is the
    position encoding the client negotiated (``positions.ENCODINGS``).

    Never raises for any input: a defect inside a stage is the pipeline's
    ``E901`` diagnostic.  Claims are ``unchecked`` until verified."""
    kind = document_kind(path)
    index = LineIndex(text, encoding)
    if kind == "other":
        report = driver.check_source(Source(path, ""), verify=False, seed=SEED)
        return Analysis(path, text, kind, report, None, [], [], index)
    if kind == "deriv":
        source = Source(path, text)
        try:
            parsed = driver.reparse(source, previous.parsed if previous is not None else None)
        except Exception:  # noqa: BLE001  (a defect in reparsing: the pipeline parses it whole and reports it)
            parsed = None
        shapes = driver.Shapes()
        report = driver.check_source(source, verify=False, seed=SEED,
                                     parsed=None if parsed is None else (parsed.program, parsed.diagnostics),
                                     check_shapes=shapes.checker(previous.shapes if previous is not None else None))
        claims = [_pending(c) for c in report.claims]
        return Analysis(path, text, kind, report, None, list(report.diagnostics), claims, index,
                        parsed=parsed, shapes=shapes)
    from dsl.apps import lint  # deferred: start-up
    ex = extract(path, text)
    report = driver.check_source(ex.source, verify=False, seed=SEED)
    found = list(ex.notes)
    if ex.source.text.strip():
        found += [in_host(ex, d) for d in report.diagnostics]
        found += lint.grouping_notes(ex, report, SEED)
    kept = sorted((d for d in found if not ex.suppressed(d)), key=lambda d: (d.span.line, d.span.column))
    claims = [_pending(c).moved(ex.span_map) for c in report.claims]
    return Analysis(path, text, kind, report, ex, kept, claims, index)


def _pending(result: driver.ClaimResult) -> driver.ClaimResult:
    """A claim whose verification has not run yet, said so."""
    return replace(result, status=Status.UNCHECKED, detail=say("lsp-not-verified-yet"))


def claim_count(analysis: Analysis) -> int:
    env = analysis.report.env
    return 0 if env is None else len(env.claims)


def verify_claims(analysis: Analysis, first: int, stop: int,
                  plan: object | None = None) -> tuple[list[driver.ClaimResult], list[Diagnostic]]:
    """Verify claims ``first`` to ``stop - 1`` of ``analysis``: their verdicts
    and diagnostics (``E500`` wrong, ``W501`` timed out...), in document
    coordinates.  ``plan`` (``driver.plan_of`` the program) is shared by the
    calls for one analysis."""
    report = analysis.report
    assert report.env is not None, "check_source always returns an environment"
    found: list[Diagnostic] = []
    results = driver.verify_claims(report.program, report.env, verify=True, seed=SEED, draws=None,
                                   diagnostics=found, whole=driver.whole(report.source),
                                   claims=report.env.claims[first:stop], plan=plan)  # type: ignore[arg-type]
    ex = analysis.extracted
    if ex is None:
        return results, found
    moved = [in_host(ex, d) for d in found]
    return [r.moved(ex.span_map) for r in results], [d for d in moved if not ex.suppressed(d)]
