"""Timing and the result table, shared by every benchmark module.

Contract: :func:`measure` runs a function ``warmup`` times untimed, then
``repeats`` times under ``time.perf_counter`` (an optional ``setup`` runs
before each call, outside the clock) and returns a :class:`Timing` whose
``median`` is what the table shows.  A benchmark module returns a list of
:class:`Row`; :func:`table` prints them.  Nothing here asserts on a time:
a goal that is not met is reported as ``no``, never raised.

>>> t = measure(lambda: sum(range(100)), repeats=3, warmup=1)
>>> len(t.samples)
3
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples of one measured function, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> str:
        """``min-max`` of the samples, for judging noise."""
        return f"{fmt_time(min(self.samples))}-{fmt_time(max(self.samples))}"


def measure(fn: Callable[[], object], *, repeats: int, warmup: int = 1,
            setup: Callable[[], object] | None = None) -> Timing:
    """Median-ready samples of ``fn()``; ``setup()`` runs untimed before each call."""
    return measure_together({"fn": fn}, repeats=repeats, warmup=warmup, setup=setup)["fn"]


def measure_together(fns: dict[str, Callable[[], object]], *, repeats: int, warmup: int = 1,
                     setup: Callable[[], object] | None = None) -> dict[str, Timing]:
    """Samples of several functions taken in turn (a, b, a, b, ...), so that
    a change in the machine's load falls on all of them alike rather than on
    whichever ran during it."""
    for _ in range(warmup):
        for fn in fns.values():
            if setup is not None:
                setup()
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(max(1, repeats)):
        for name, fn in fns.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(got)) for name, got in samples.items()}


@dataclass
class Row:
    """One line of the table.

    ``compare`` says how ours is set against the baseline: ``"ratio"`` is
    ours / baseline in time (goal: at most ``goal``), ``"speedup"`` is
    baseline / ours (goal: at least ``goal``), ``"extra"`` is ours - baseline
    in seconds (goal: at most ``goal`` seconds).  A row without a baseline
    shows only our time; ``skipped`` holds the printed reason when the row
    could not run.
    """

    name: str
    ours: Timing | None = None
    baseline: Timing | None = None
    baseline_name: str = ""
    goal: float | None = None
    compare: str = "ratio"
    skipped: str | None = None

    @property
    def value(self) -> float | None:
        if self.ours is None or self.baseline is None:
            return None
        ours, base = self.ours.median, self.baseline.median
        if self.compare == "extra":
            return ours - base
        if self.compare == "speedup":
            return base / ours if ours > 0 else float("inf")
        return ours / base if base > 0 else float("inf")

    @property
    def met(self) -> bool | None:
        v = self.value
        if v is None or self.goal is None:
            return None
        return v >= self.goal if self.compare == "speedup" else v <= self.goal

    def value_text(self) -> str:
        v = self.value
        if v is None:
            return "-"
        if self.compare == "extra":
            return f"+{v * 1e3:.0f} ms" if v >= 0 else f"-{-v * 1e3:.0f} ms"
        if self.compare == "speedup":
            return f"{v:.3g}x faster"
        return f"{v:.3g}x"

    def goal_text(self) -> str:
        if self.goal is None:
            return "-"
        if self.compare == "extra":
            return f"<= +{self.goal * 1e3:g} ms"
        if self.compare == "speedup":
            return f">= {self.goal:g}x faster"
        return f"<= {self.goal:g}x"


@dataclass
class Settings:
    """What ``run.py`` was asked for; every benchmark module reads it."""

    quick: bool = False
    seed: int = 0
    repeats: int | None = None
    profile: bool = False

    def reps(self, full: int, quick: int) -> int:
        """Timed repeats: ``--repeats`` if given, else by mode."""
        return self.repeats or (quick if self.quick else full)

    @staticmethod
    def say(text: str) -> None:
        """An information line printed before the table (sizes, seeds, checks)."""
        print(text, flush=True)


def _where(path: str, line: int, func: str) -> str:
    path = path.replace("\\", "/")
    for marker in ("/dsl/", "/site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            path = "dsl/" + path if marker == "/dsl/" else path
            break
    return f"{func}" if path == "~" else f"{path}:{line}({func})"


def profile(label: str, fn: Callable[[], object], top: int = 15) -> None:
    """Run ``fn`` once under cProfile and print the functions that take the
    most time of their own (any module: lark and NumPy show where dsl/ calls
    them), then the dsl/ functions by cumulative time."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    rows = [(tottime, cumtime, calls, _where(*key))
            for key, (_, calls, tottime, cumtime, _) in stats.stats.items()]
    print(f"\nprofile: {label} (one run, {stats.total_tt:.3f} s under cProfile)")
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>8}  by own time")
    for tottime, cumtime, calls, where in sorted(rows, reverse=True)[:top]:
        print(f"  {tottime:7.3f} {cumtime:7.3f} {calls:8d}  {where}")
    ours = sorted((r for r in rows if r[3].startswith("dsl/")), key=lambda r: -r[1])
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>8}  dsl/ by cumulative time")
    for tottime, cumtime, calls, where in ours[:top]:
        print(f"  {tottime:7.3f} {cumtime:7.3f} {calls:8d}  {where}")


def fmt_time(seconds: float) -> str:
    """Seconds in a unit that keeps three significant digits."""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


_HEADER = ("benchmark", "ours (median)", "baseline (median)", "ratio", "goal", "met?")


def _cells(row: Row) -> tuple[str, ...]:
    if row.skipped is not None:
        return (row.name, "skipped", "-", "-", row.goal_text(), "-")
    ours = fmt_time(row.ours.median) if row.ours else "-"
    base = f"{fmt_time(row.baseline.median)} ({row.baseline_name})" if row.baseline else "-"
    met = {None: "-", True: "yes", False: "no"}[row.met]
    return (row.name, ours, base, row.value_text(), row.goal_text(), met)


def table(rows: list[Row], markdown: bool = False) -> str:
    """The rows as an aligned text table (or a Markdown table)."""
    cells = [_HEADER] + [_cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(c) + " |" for c in cells]
        lines.insert(1, "|" + "|".join("---" for _ in _HEADER) + "|")
        return "\n".join(lines)
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEADER))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(c))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
