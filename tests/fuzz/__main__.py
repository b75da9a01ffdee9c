"""``python -m tests.fuzz --minutes N [--harness NAME ...] [--seed S]``: the
long fuzz run (see the package docstring and README.md)."""
from __future__ import annotations

import argparse
import os
import sys

# one BLAS thread: the machine is shared, and the inputs are small
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def main(argv: list[str] | None = None) -> int:
    from .harnesses import HARNESSES
    from .runner import run

    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    p.add_argument("--minutes", type=float, default=1.0, help="total time, shared by the harnesses")
    p.add_argument("--harness", action="append", choices=sorted(HARNESSES),
                   help="run only this harness (repeatable)")
    p.add_argument("--seed", type=int, default=None, help="seed of the seeds (default: random)")
    p.add_argument("--no-shrink", action="store_true", help="show the smallest input found, unshrunk")
    p.add_argument("--address-space-gib", type=float, default=8.0,
                   help="cap on this process's address space, so that an input allocating past "
                        "the product's budget fails here instead of exhausting the machine (0: none)")
    args = p.parse_args(argv)
    if args.address_space_gib > 0:
        import resource
        cap = int(args.address_space_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    stats = run(args.minutes, args.harness or sorted(HARNESSES), args.seed,
                do_shrink=not args.no_shrink)
    return 1 if any(s.failing for s in stats) else 0


if __name__ == "__main__":
    sys.exit(main())
