"""The long run: each harness with random seeds for its share of the time,
failures grouped by class, one shrunk input per class.

Inputs are drawn by hypothesis in chunks of :data:`CHUNK`, each chunk with
a fresh seed, generation only (no shrinking inside hypothesis, so that one
failure does not end the run); the property never raises, it records.  At
the end each failure class's smallest input is shrunk by :func:`shrink`
(delta debugging over the bytes or list inside the input, keeping only
candidates that fail in the same class).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from .harnesses import HARNESSES, Harness
from .oracle import check_twice, observe

CHUNK = 200              # inputs per hypothesis run (one seed)
SHRINK_SECONDS = 15.0    # per failure class


@dataclass
class Stats:
    harness: str
    tried: int = 0
    failing: int = 0
    seconds: float = 0.0
    classes: dict[str, list] = field(default_factory=dict)     # class -> [count, smallest input]

    def record(self, failure: str, value: Any) -> None:
        self.failing += 1
        entry = self.classes.setdefault(failure, [0, value])
        entry[0] += 1
        if _size(value) < _size(entry[1]):
            entry[1] = value


def _size(value: Any) -> int:
    return len(repr(value))


def explore(harness: Harness, seconds: float, rng: random.Random, stats: Stats) -> None:
    """Draw and judge inputs until ``seconds`` have passed."""
    started = time.monotonic()
    deadline = started + seconds
    strategy = harness.strategy()
    while time.monotonic() < deadline:
        @settings(max_examples=CHUNK, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @seed(rng.getrandbits(64))
        @given(strategy)
        def prop(value):
            if time.monotonic() >= deadline:
                return
            stats.tried += 1
            outcome = harness.judge(value, full=True)
            if outcome.failure is not None:
                stats.record(outcome.failure, value)

        try:
            prop()
        except Exception as exc:  # noqa: BLE001 (a strategy problem, not the product's)
            stats.record(f"harness {type(exc).__name__}: {str(exc)[:80]}", None)
            break
    stats.seconds += time.monotonic() - started


# ------------------------------------------------------------ shrinking

def _fails(harness: Harness, value: Any, failure: str) -> bool:
    run = lambda: harness.run(value)  # noqa: E731
    outcome = observe(run)
    if outcome.failure is None and failure.startswith("nondeterministic"):
        outcome = check_twice(run, outcome)
    return outcome.failure == failure


def _pieces(data: Any) -> list:
    if isinstance(data, bytes):
        lines = data.splitlines(keepends=True)
        return lines if len(lines) > 1 else [data[i:i + 1] for i in range(len(data))]
    return list(data)


def _join(template: Any, pieces: list) -> Any:
    return b"".join(pieces) if isinstance(template, bytes) else pieces


def _ddmin(data: Any, keeps: Callable[[Any], bool], deadline: float) -> Any:
    """Remove chunks of ``data`` (halving their size) while ``keeps`` holds."""
    pieces = _pieces(data)
    chunk = max(1, len(pieces) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, changed = 0, False
        while i < len(pieces) and time.monotonic() < deadline:
            candidate = pieces[:i] + pieces[i + chunk:]
            if keeps(_join(data, candidate)):
                pieces, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    result = _join(data, pieces)
    if isinstance(data, bytes) and len(_pieces(result)) > 1 and time.monotonic() < deadline:
        chars = [result[i:i + 1] for i in range(len(result))]      # then byte by byte
        return _ddmin_list_of(result, chars, keeps, deadline)
    return result


def _ddmin_list_of(data: bytes, pieces: list, keeps, deadline: float) -> bytes:
    chunk = max(1, len(pieces) // 4)
    while chunk >= 1 and time.monotonic() < deadline:
        i, changed = 0, False
        while i < len(pieces) and time.monotonic() < deadline:
            candidate = pieces[:i] + pieces[i + chunk:]
            if keeps(b"".join(candidate)):
                pieces, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return b"".join(pieces)


def shrink(harness: Harness, value: Any, failure: str, seconds: float = SHRINK_SECONDS) -> Any:
    """A smaller input that fails in the same class: the first bytes or list
    inside ``value`` is cut down (the rest of the input kept)."""
    deadline = time.monotonic() + seconds
    if isinstance(value, list):
        return _ddmin(value, lambda v: _fails(harness, v, failure), deadline)
    if not isinstance(value, tuple):
        return value
    for i, part in enumerate(value):
        if isinstance(part, (bytes, list)):
            def keeps(new, i=i):
                return _fails(harness, (*value[:i], new, *value[i + 1:]), failure)
            return (*value[:i], _ddmin(part, keeps, deadline), *value[i + 1:])
    return value


# ------------------------------------------------------------ the report

def show(value: Any, width: int = 600) -> str:
    """An input as a reader wants it: the text of a file, else its repr."""
    if isinstance(value, tuple) and len(value) >= 2 and isinstance(value[1], bytes):
        text = value[1].decode("utf-8", "backslashreplace")
        head = " ".join(repr(v) for v in (value[:1] + value[2:]))
        return f"[{head}]\n" + "\n".join("    | " + line for line in text[:width].splitlines())
    return repr(value)[:width]


def table(all_stats: list[Stats]) -> str:
    rows = [f"{'harness':<15}{'inputs':>9}{'failing':>9}{'classes':>9}{'seconds':>9}"]
    for s in all_stats:
        rows.append(f"{s.harness:<15}{s.tried:>9}{s.failing:>9}{len(s.classes):>9}{s.seconds:>9.0f}")
    rows.append(f"{'total':<15}{sum(s.tried for s in all_stats):>9}"
                f"{sum(s.failing for s in all_stats):>9}{sum(len(s.classes) for s in all_stats):>9}"
                f"{sum(s.seconds for s in all_stats):>9.0f}")
    return "\n".join(rows)


def run(minutes: float, names: list[str], base_seed: int | None, do_shrink: bool = True,
        echo: Callable[[str], None] = print) -> list[Stats]:
    rng = random.Random(base_seed)
    share = minutes * 60 / len(names)
    all_stats = []
    for name in names:
        stats = Stats(name)
        explore(HARNESSES[name], share, rng, stats)
        echo(f"{name}: {stats.tried} inputs, {stats.failing} failing, {len(stats.classes)} classes")
        all_stats.append(stats)
    echo("\n" + table(all_stats))
    for stats in all_stats:
        for failure, (count, value) in sorted(stats.classes.items()):
            small = shrink(HARNESSES[stats.harness], value, failure) if do_shrink and value is not None \
                else value
            echo(f"\n[{stats.harness}] {failure}  ({count} inputs)\n{show(small)}")
    return all_stats
