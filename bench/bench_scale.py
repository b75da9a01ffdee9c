"""Row 8: verification cost per claim as the program grows, in a file and
in a REPL session.

Ours (``--only scale``): the claims of generated derivations
(``generate.derivation``) of 200, 2,000 and 6,000 lines, a claim every few
lines, verified by ``pipeline.verify_claims`` after one unverified check
(parsing and shapes are not timed); the figure is the time per claim.  The
ratio row sets the 6,000-line cost per claim against the 200-line one
(goal: at most 1.5x).  The same ratio for a derivation whose blocks all
read one set of declared inputs (``generate.shared_derivation``: every
claim is about an input used in every block).  The session rows feed a
3,000-line derivation to a ``pipeline.Session`` block by block, each claim
as its own entry as in the REPL (and the same for the derivation of shared
inputs), and time every claim entry: the median of the entries in the
first tenth of the session against the last tenth (goal: at most 1.5x,
flat).

Run alone with another tree's ``dsl`` first on the path to compare two
versions side by side: ``PYTHONPATH=/path/to/tree python bench/bench_scale.py``.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

from generate import derivation, shared_derivation
from timing import Row, Settings, Timing, measure

CLAIM = re.compile(r"^[d∂]\w+/[d∂]\w+ =")


def _verify_row(lines: int, s: Settings, shared: bool = False) -> tuple[Timing, int]:
    from dsl.core.span import Source
    from dsl.pipeline import check_source, verify_claims, whole

    text = shared_derivation(lines, seed=s.seed) if shared else derivation(lines, seed=s.seed).text
    source = Source(f"scale{lines}.deriv", text)
    report = check_source(source, verify=False, seed=s.seed)

    def verify():
        found: list = []
        results = verify_claims(report.program, report.env, verify=True, seed=s.seed, draws=None,
                                diagnostics=found, whole=whole(source))
        bad = [r for r in results if r.status != "verified"]
        assert not bad, f"{len(bad)} claims not verified at {lines} lines"

    claims = len(report.env.claims)
    t = measure(verify, repeats=s.reps(3, 1), warmup=0)
    return Timing(tuple(x / claims for x in t.samples)), claims


def _session_latencies(lines: int, s: Settings, shared: bool = False) -> tuple[list[float], int]:
    """Seconds per claim entry, in the order fed, and the lines fed."""
    from dsl.pipeline import Session

    text = shared_derivation(lines, seed=s.seed) if shared else derivation(lines, seed=s.seed).text
    session = Session(seed=s.seed)
    latencies: list[float] = []
    for block in text.split("\n\n"):
        body = [line for line in block.split("\n") if not CLAIM.match(line)]
        session.feed("\n".join(body) + "\n")
        for line in block.split("\n"):
            if CLAIM.match(line):
                start = time.perf_counter()
                report = session.feed(line + "\n")
                latencies.append(time.perf_counter() - start)
                assert [c.status for c in report.claims] == ["verified"], line
    return latencies, text.count("\n")


def run(s: Settings) -> list[Row]:
    sizes = (200, 600, 1200) if s.quick else (200, 2000, 6000)
    rows, per_claim = [], {}
    _verify_row(sizes[0], s)      # warm-up: imports and first-call costs fall outside the rows
    for lines in sizes:
        t, claims = _verify_row(lines, s)
        per_claim[lines] = t
        s.say(f"scale: {lines} lines, {claims} claims, {t.median * 1e3:.2f} ms per claim (spread {t.spread})")
        rows.append(Row(f"  verify, {lines:,} lines (per claim)", t))
    small, large = sizes[0], sizes[-1]
    rows.insert(0, Row(f"verify per claim, {large:,} vs {small:,} lines", per_claim[large], per_claim[small],
                       f"{small:,} lines", goal=1.5))
    shared = {}
    for lines in (small, large):
        t, claims = _verify_row(lines, s, shared=True)
        shared[lines] = t
        s.say(f"scale: shared inputs, {lines} lines, {claims} claims, {t.median * 1e3:.2f} ms per claim")
    rows.append(Row(f"verify per claim, inputs shared by all, {large:,} vs {small:,} lines", shared[large],
                    shared[small], f"{small:,} lines", goal=1.5))
    session_lines = 600 if s.quick else 3000
    latencies, fed = _session_latencies(session_lines, s)
    tenth = max(1, len(latencies) // 10)
    first, last = Timing(tuple(latencies[:tenth])), Timing(tuple(latencies[-tenth:]))
    s.say(f"scale: session of {fed} lines, {len(latencies)} claim entries; first tenth "
          f"{statistics.median(first.samples) * 1e3:.2f} ms, last tenth {statistics.median(last.samples) * 1e3:.2f} ms")
    rows.append(Row(f"REPL claim entry, last vs first tenth of {fed:,} lines", last, first, "first tenth",
                    goal=1.5))
    latencies, fed = _session_latencies(session_lines, s, shared=True)
    tenth = max(1, len(latencies) // 10)
    first, last = Timing(tuple(latencies[:tenth])), Timing(tuple(latencies[-tenth:]))
    rows.append(Row(f"REPL claim entry, inputs shared by all, last vs first tenth of {fed:,} lines", last, first,
                    "first tenth", goal=1.5))
    return rows


if __name__ == "__main__":
    from timing import table
    quick = "--quick" in sys.argv
    import dsl
    print(f"dsl from {Path(dsl.__file__).resolve().parent.parent}")
    print(table(run(Settings(quick=quick))))
