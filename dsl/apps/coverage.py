"""What ``chainrule lint --verbose`` says a document's reading covered.

Contract: :func:`coverage_lines` turns the counts a front end keeps while
reading a document (``Extracted.coverage`` and ``Extracted.skipped``) and
the shape inferences among its notes (codes N740 to N749) into a few lines:
formulas found, read and checked (definitions and claims), shapes read from
the document and used as declarations, shapes inferred, and the formulas
not checked with a count per reason, so a lecturer sees at a glance how much
of a document was checked.

    >>> print("\\n".join(coverage_lines("a.md", {"found": 3, "read": 2, "definitions": 1,
    ...                                           "claims": 1, "checked": 2}, {"names-unknown": 1}, 0)))
    a.md: 3 formulas found, 2 read, 2 checked (1 definition, 1 claim about derivatives)
      not checked: 1 (1 names not declared)
"""
from __future__ import annotations

from dsl.core.diagnostics import Diagnostic
from dsl.core.wording import say
from dsl.core.wording.reading import REASONS

INFERRED = tuple(f"N7{n}" for n in range(40, 50))
"""The codes of the notes that say a shape was inferred from the document's equations."""


def inferred(diagnostics: list[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.code in INFERRED)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def coverage_lines(path: str, counts: dict, skipped: dict, inferences: int) -> list[str]:
    found, defs, claims = counts.get("found", 0), counts.get("definitions", 0), counts.get("claims", 0)
    out = [say("coverage-head", path=path, found=found, s=_s(found), read=counts.get("read", 0),
               checked=counts.get("checked", defs + claims), definitions=defs, ds=_s(defs),
               claims=claims, cs=_s(claims))]
    stated, sizes = counts.get("stated", 0), counts.get("sizes", 0)
    if stated or sizes or counts.get("declarations"):
        out.append(say("coverage-declared", stated=stated, s=_s(stated),
                       used=counts.get("declarations", 0), sizes=sizes))
    if inferences:
        out.append(say("coverage-inferred", inferred=inferences))
    total = sum(skipped.values())
    if total:
        reasons = ", ".join(say("coverage-reason", count=n, reason=REASONS.get(key, key))
                            for key, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(say("coverage-skipped", count=total, reasons=reasons))
    return out
