"""The benchmark suite, one command: ``python bench/run.py``.

Prints information lines (seeds, sizes, sanity checks) while it runs, then
one table: benchmark, our time (median of N runs), baseline time (median),
ratio, goal, whether the goal is met.  Timings are never asserted on.

    python bench/run.py                  # every benchmark, full sizes
    python bench/run.py --quick          # smaller inputs, fewer repeats
    python bench/run.py --only check     # one benchmark (repeatable, or comma-separated)
    python bench/run.py --profile        # also print cProfile hotspots (check, eval, verify)
    python bench/run.py --markdown       # the table as Markdown

Benchmarks (names for ``--only``): check, eval, startup, grad, verify,
examples, lint, scale.  See bench/README.md for what each row means.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# the bench modules, and the dsl package of this tree (before any installed copy)
sys.path[:0] = [p for p in (str(HERE), str(ROOT)) if p not in sys.path]

from timing import Settings, table  # noqa: E402


def _benchmarks():
    import bench_check
    import bench_eval
    import bench_examples
    import bench_grad
    import bench_lint
    import bench_scale
    import bench_startup
    return {
        "check": bench_check.run,
        "eval": bench_eval.run,
        "startup": bench_startup.run,
        "grad": bench_grad.run_grad,
        "verify": bench_grad.run_verify,
        "examples": bench_examples.run,
        "lint": bench_lint.run,
        "scale": bench_scale.run,
    }


NAMES = ("check", "eval", "startup", "grad", "verify", "examples", "lint", "scale")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description="chainrule benchmark suite")
    p.add_argument("--quick", action="store_true", help="small inputs and few repeats (a smoke run)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help=f"run only these benchmarks ({', '.join(NAMES)}); repeatable or comma-separated")
    p.add_argument("--seed", type=int, default=0, help="seed of every generated input (default 0)")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per measurement (overrides the mode)")
    p.add_argument("--profile", action="store_true", help="print cProfile hotspots of check, eval and verify")
    p.add_argument("--blas-threads", type=int, default=1, metavar="N",
                   help="threads for NumPy's BLAS, set before NumPy loads (default 1)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = p.parse_args(argv)
    chosen = [n.strip() for group in (args.only or []) for n in group.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in NAMES]
    if unknown:
        p.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    args.chosen = chosen or list(NAMES)
    return args


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    settings = Settings(quick=args.quick, seed=args.seed, repeats=args.repeats, profile=args.profile)
    # Before NumPy is imported (and inherited by every subprocess): BLAS
    # threads.  On a shared machine two BLAS threads wait for each other and
    # a 784 x 512 product varies tenfold; one thread is steady.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.blas_threads)
    import numpy as np
    print(f"chainrule benchmarks: {'quick' if args.quick else 'full'} run, seed {args.seed}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, BLAS threads {args.blas_threads}, "
          f"{os.cpu_count()} CPUs, load average {_load()}, {platform.platform()}", flush=True)
    benchmarks = _benchmarks()
    rows = []
    start = time.perf_counter()
    for name in args.chosen:
        began = time.perf_counter()
        rows += benchmarks[name](settings)
        print(f"[{name} done in {time.perf_counter() - began:.1f} s]", flush=True)
    print()
    print(table(rows, markdown=args.markdown))
    print(f"\nratio: ours / baseline in time, unless marked 'faster' (baseline / ours) or '+ms' "
          f"(ours - baseline); times are medians; total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
