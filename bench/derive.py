"""The symbolic derivation benchmark: ``python bench/derive.py [--markdown] [--quick]``.

Over every claim that ``check`` verifies in ``examples/`` and
``tests/corpus/`` (entry claims ``dL/dW[i, j]`` aside):

- **re-derived**: the share whose ``dY/dX`` is derived, and of those the
  share whose derived form verifies again as a claim (another seed); the
  refusals are listed with their reason (goal: every one derived and verified);
- **readability**: tokens of the derived right side / tokens of the
  human-written one (``dsl.derive.tokens``: a name, a number, an operator,
  a bracket, a ``.T``): the median (goal <= 1.0), the share at most 1.25
  (goal >= 80%), and the ten worst side by side;
- **speed**: deriving and verifying ``dL/dW1`` of ``examples/mlp.deriv``
  in-process (goal < 50 ms), and ``check`` of ``examples/mistakes/`` with the
  derived fixes against the same check without them (goal <= 1.5x);
- **SymPy** (when installed): ``MatrixExpr.diff`` on the claims whose
  definitions use only ``@``, ``+``, ``-``, ``.T``, numbers and ``trace``,
  at concrete sizes: how many it gets right, and its size in tokens.

Nothing here asserts; goals not met are reported as ``no``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(HERE), str(ROOT)) if p not in sys.path]

from timing import Row, Settings, measure, measure_together, table  # noqa: E402

FILES = sorted((ROOT / "examples").glob("*.deriv")) + sorted((ROOT / "tests" / "corpus").glob("*.deriv"))


def verified_claims():
    """(path, text, claim AST) of every claim ``check`` verifies."""
    from dsl import pipeline
    from dsl.core.ast import Claim
    from dsl.core.kinds import Status
    from dsl.core.span import Source
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        report = pipeline.check_source(Source(str(path.relative_to(ROOT)), text))
        for r in report.claims:
            c = r.claim
            entry = isinstance(c, Claim) and bool(c.deriv.num_indices or c.deriv.den_indices)
            if r.status is Status.VERIFIED and isinstance(c, Claim) and not entry:
                yield path, text, c


def rederive(s: Settings):
    from dsl import pipeline
    from dsl.core.kinds import Status
    from dsl.core.span import Source
    from dsl.derive import tokens
    from dsl.language.printer import to_source
    from dsl.pipeline.deriving import derive_source
    done, refused, pairs = [], [], []
    for path, text, claim in verified_claims():
        y, x = claim.deriv.num.id, claim.deriv.den.id
        out = derive_source(Source(path.name, text), y, x)
        where = f"{path.relative_to(ROOT)}:{claim.span.line}"
        if out.derivation is None:
            refused.append((where, claim.deriv.text, out.diagnostics[0].message if out.diagnostics else "?"))
            continue
        again = pipeline.verify_claim_text(text, f"{claim.deriv.text} = {out.derivation.text}", seed=s.seed + 7)
        human = to_source(claim.expr)
        done.append(again.status is Status.VERIFIED)
        pairs.append((tokens(out.derivation.text) / max(1, tokens(human)), where, claim.deriv.text, human,
                      out.derivation.text))
    total = len(done) + len(refused)
    s.say(f"derive: {total} verified claims in {len(FILES)} files; {len(done)} derived, "
          f"{sum(done)} of them verify again (seed {s.seed + 7}); {len(refused)} refused")
    for where, name, why in refused:
        s.say(f"  refused {where} {name}: {why}")
    return total, done, pairs


def readability_lines(pairs, markdown: bool) -> list[str]:
    worst = sorted(pairs, key=lambda p: -p[0])[:10]
    if markdown:
        out = ["| ratio | claim | human-written | derived |", "|---|---|---|---|"]
        out += [f"| {r:.2f} | `{name}` ({where}) | `{h}` | `{d}` |" for r, where, name, h, d in worst]
    else:
        out = ["the ten worst (tokens derived / tokens human-written):"]
        out += [f"  {r:5.2f}  {where} {name}\n         human:   {h}\n         derived: {d}"
                for r, where, name, h, d in worst]
    return out


def speed(s: Settings) -> list[Row]:
    from dsl.core.span import Source
    from dsl.pipeline import check_source, derived as hook
    from dsl.pipeline.deriving import derive_source
    text = (ROOT / "examples" / "mlp.deriv").read_text(encoding="utf-8")
    report = check_source(Source("mlp.deriv", text), verify=False)

    def derive_w1():
        d, problem = hook.derive_in(report, "L", "W1", seed=s.seed)
        assert d is not None, problem

    t = measure(derive_w1, repeats=s.reps(30, 5), warmup=2)
    s.say(f"derive: dL/dW1 of mlp.deriv = {derive_source(Source('mlp.deriv', text), 'L', 'W1').derivation.text}"
          f" ({t.spread})")
    rows = [Row("derive + verify dL/dW1 (mlp.deriv)", t, Timing50, "goal: 50 ms", goal=1.0)]
    sources = [Source(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "examples" / "mistakes").glob("*.deriv"))]
    attach = hook.attach_fixes

    def check_all():
        for src in sources:
            check_source(src, seed=s.seed)

    def without():
        hook.attach_fixes = lambda *a, **k: None
        try:
            check_all()
        finally:
            hook.attach_fixes = attach

    both = measure_together({"with": check_all, "without": without}, repeats=s.reps(15, 3), warmup=1)
    s.say(f"derive: check of {len(sources)} files of examples/mistakes/: with fixes {both['with'].spread}, "
          f"without {both['without'].spread}")
    rows.append(Row("check examples/mistakes/ with derived fixes", both["with"], both["without"],
                    "without the fixes", goal=1.5))
    return rows


class _Fixed:
    """A constant time, for a goal given in seconds."""

    def __init__(self, seconds: float):
        self.median, self.samples = seconds, (seconds,)

    @property
    def spread(self) -> str:
        return "-"


Timing50 = _Fixed(0.050)


def sympy_rows(s: Settings, claims) -> list[str]:
    try:
        import sympy_derive
    except ImportError as exc:       # SymPy is not installed: the row says so
        return [f"SymPy MatrixExpr.diff: skipped ({exc})"]
    return sympy_derive.compare(claims, s)


def metric_table(rows: list[tuple[str, str, str, str]], markdown: bool) -> str:
    head = ("measure", "value", "goal", "met?")
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|---|---|---|---|"] +
                         ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/derive.py", description="symbolic derivation benchmark")
    p.add_argument("--quick", action="store_true", help="few timed repeats")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = p.parse_args(argv)
    s = Settings(quick=args.quick, seed=args.seed)
    began = time.perf_counter()
    total, done, pairs = rederive(s)
    ratios = [r for r, *_ in pairs]
    share = sum(r <= 1.25 for r in ratios) / len(ratios)
    median = statistics.median(ratios)
    derived_ok = sum(done)

    def yes(ok: bool) -> str:
        return "yes" if ok else "no"

    metrics = [
        ("verified claims re-derived and verified", f"{derived_ok}/{total} ({derived_ok / total:.0%})", "100%",
         yes(derived_ok == total)),
        ("readability: median tokens derived / human", f"{median:.2f}", "<= 1.0", yes(median <= 1.0)),
        ("readability: share at most 1.25", f"{share:.0%}", ">= 80%", yes(share >= 0.8)),
    ]
    timed = speed(s)
    sympy = sympy_rows(s, list(verified_claims()))
    print()
    print(metric_table(metrics, args.markdown))
    print()
    print(table(timed, markdown=args.markdown))
    print()
    print("\n".join(sympy))
    print()
    print("\n".join(readability_lines(pairs, args.markdown)))
    print(f"\ntotal {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
