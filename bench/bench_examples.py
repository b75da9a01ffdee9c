"""Row 6: checking and verifying every ``.deriv`` file under ``examples/``.

Ours is ``driver.check_file`` (shapes and claim verification, seed as given)
on each file in turn, ``examples/mistakes/`` included; the row has no
baseline and no goal.  The slowest files are printed, from one extra run.
"""
from __future__ import annotations

import time
from pathlib import Path

from timing import Row, Settings, measure

ROOT = Path(__file__).resolve().parent.parent


def run(s: Settings) -> list[Row]:
    from dsl.pipeline import check_file

    files = sorted(str(p) for p in (ROOT / "examples").rglob("*.deriv"))
    if not files:
        return [Row("verify examples/", skipped="no .deriv files under examples/")]

    def all_files():
        return [check_file(f, seed=s.seed) for f in files]

    reports = all_files()
    claims = sum(len(r.claims) for r in reports)
    statuses: dict[str, int] = {}
    for r in reports:
        for c in r.claims:
            statuses[c.status] = statuses.get(c.status, 0) + 1
    per_file = []
    for f in files:
        start = time.perf_counter()
        check_file(f, seed=s.seed)
        per_file.append((time.perf_counter() - start, Path(f).relative_to(ROOT)))
    slowest = ", ".join(f"{p} {t * 1e3:.0f} ms" for t, p in sorted(per_file, reverse=True)[:3])
    s.say(f"examples: {len(files)} files, {claims} claims "
          f"({', '.join(f'{n} {k}' for k, n in sorted(statuses.items()))}), seed {s.seed}; "
          f"slowest: {slowest}")
    t = measure(all_files, repeats=s.reps(5, 1), warmup=0)
    return [Row(f"verify examples/ ({len(files)} files, {claims} claims)", t)]
