"""Row 7: linting a tree of Markdown notes with one process and with two.

A temporary tree of 2,000 Markdown files (200 with ``--quick``) is written,
100 per folder, each a page of lecture notes: prose, a ````deriv`` block
declaring and defining a small network (varied activation and sizes), a
declaration in an HTML comment, and display and inline math with a
definition and derivative claims in LaTeX (one page in ten has a sign
error).  ``dsl.apps.lint.run_lint([root], fmt="json", jobs=1)`` and ``jobs=2``
are timed (the report goes to a buffer, ``out=`` when it is accepted); the
row shows files/s for each and the speedup (goal: two processes at least
1.6x one).  Beside it, a pure-Python busy loop in one and in two processes
shows how much parallelism the shared machine gave at that moment, which is
the ceiling for the lint speedup.  Output is captured, and the two outputs are
compared (the order must be stable).  Until ``dsl/lint.py`` exists the row
is skipped with the reason.  A third row runs ``chainrule lint`` on 200
of the pages as a user does and times its first byte of output against the
whole run.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import Row, Settings, Timing, measure_together

_ACT = (("sigma", r"\sigma"), ("tanh", r"\tanh"), ("softplus", r"\operatorname{softplus}"))


def page(i: int, r: random.Random) -> str:
    """One Markdown page of notes."""
    act, latex_act = r.choice(_ACT)
    n, k = r.randint(3, 9), r.randint(2, 7)
    sign = "-" if r.random() < 0.1 else ""
    return f"""# Lecture {i}: one hidden layer

A row $x$ goes through an affine map, the {act} nonlinearity and a softmax;
the loss is the cross-entropy against the one-hot label $y$.

```deriv
dims n = {n}, k = {k}
x  : 1 x n
W1 : n x k
b1 : 1 x k
W2 : k x n
b2 : 1 x n
y  : 1 x n onehot
a = x @ W1 + b1
h = {act}(a)
theta = h @ W2 + b2
yhat = softmax(theta)
L = xent(y, yhat)
```

<!-- deriv: c : scalar positive -->

Scaling the hidden layer gives

$$g = c h$$

The gradient at the output is

$$\\frac{{\\partial L}}{{\\partial \\theta}} = {sign}(\\hat{{y}} - y)$$

and one layer down, by the chain rule,

$$\\frac{{\\partial L}}{{\\partial h}} = (\\hat{{y}} - y) W_2^T$$

so that $\\partial L / \\partial W_2 = h^T (\\hat{{y}} - y)$ and the hidden
pre-activation gets $\\frac{{\\partial L}}{{\\partial a}} = (\\hat{{y}} - y) W_2^T \\circ {latex_act}'(a)$.
"""


def write_tree(root: Path, files: int, seed: int) -> list[Path]:
    r = random.Random(seed)
    paths = []
    for i in range(files):
        folder = root / f"week{i // 100:02d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"lecture{i:04d}.md"
        path.write_text(page(i, r), encoding="utf-8")
        paths.append(path)
    return paths


def run(s: Settings) -> list[Row]:
    name = "lint 2 processes vs 1"
    try:
        from dsl.apps import lint
    except ImportError as exc:
        reason = f"dsl.apps.lint cannot be imported yet ({exc})"
        s.say(f"lint: skipped: {reason}")
        return [Row(name, skipped=reason, goal=1.6, compare="speedup")]
    run_lint = getattr(lint, "run_lint", None)
    if run_lint is None:
        reason = "dsl.apps.lint has no run_lint(paths, fmt=..., jobs=...)"
        s.say(f"lint: skipped: {reason}")
        return [Row(name, skipped=reason, goal=1.6, compare="speedup")]

    files = 200 if s.quick else 2000
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-lint-") as tmp:
        root = Path(tmp)
        write_tree(root, files, s.seed)

        takes_out = "out" in inspect.signature(run_lint).parameters

        def lint_with(jobs: int):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                if takes_out:
                    result = run_lint([str(root)], fmt="json", jobs=jobs, out=out)
                else:
                    result = run_lint([str(root)], fmt="json", jobs=jobs)
            return result, out.getvalue()

        try:
            one, two = lint_with(1), lint_with(2)
        except TypeError as exc:
            reason = f"run_lint{inspect.signature(run_lint)} does not take (paths, fmt=, jobs=): {exc}"
            s.say(f"lint: skipped: {reason}")
            return [Row(name, skipped=reason, goal=1.6, compare="speedup")]
        same = _comparable(one) == _comparable(two)
        s.say(f"lint: {files} Markdown files in {files // 100 or 1} folders, seed {s.seed}; "
              f"result {_describe(one)}; jobs=1 and jobs=2 outputs "
              f"{'identical' if same else 'DIFFER (order or content)'}")
        reps = s.reps(3, 1)
        t = measure_together({1: lambda: lint_with(1), 2: lambda: lint_with(2),
                              "spin 1": lambda: _spin_in(1), "spin 2": lambda: _spin_in(2)},
                             repeats=reps, warmup=0)
        t1, t2 = t[1], t[2]
    s.say(f"lint: {files / t1.median:,.0f} files/s with 1 process, {files / t2.median:,.0f} files/s "
          f"with 2; spreads {t1.spread} and {t2.spread}")
    return [Row(f"lint {files:,} .md files: jobs=2 vs jobs=1", t2, t1, "jobs=1", goal=1.6, compare="speedup"),
            Row("  the machine now: 2 busy processes vs 1", t["spin 2"], t["spin 1"], "1 process",
                compare="speedup"),
            *first_output(s)]


def first_output(s: Settings, files: int = 200) -> list[Row]:
    """``chainrule lint DIR`` on 200 pages of notes, as a user runs it (text
    output into a pipe): the time until its first byte of output, against the
    whole run, and against linting one page alone (process start, imports,
    one file: the floor).  Results are written as files finish, so the first
    should come about as soon as one page's would (goal: within 2x of it)."""
    first, whole, single = [], [], []
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-first-") as tmp:
        root = Path(tmp)
        pages = write_tree(root, files, s.seed)
        for _ in range(s.reps(3, 1)):
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "dsl", "lint", str(root)],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert proc.stdout is not None
            proc.stdout.read(1)
            first.append(time.perf_counter() - start)
            proc.stdout.read()
            proc.wait()
            whole.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dsl", "lint", str(pages[0])],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            single.append(time.perf_counter() - start)
    t_first, t_whole, t_single = Timing(tuple(first)), Timing(tuple(whole)), Timing(tuple(single))
    s.say(f"lint: first output after {t_first.median:.2f} s of {t_whole.median:.2f} s "
          f"({files} files, text into a pipe); one page alone {t_single.median:.2f} s")
    return [Row(f"lint {files} .md files: first output vs whole run", t_first, t_whole, "whole run"),
            Row(f"lint {files} .md files: first output vs one page alone", t_first, t_single, "one page",
                goal=2.0)]


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _spin_in(processes: int, tasks: int = 16, n: int = 200_000) -> None:
    """Pure-Python work split over ``processes`` forked workers: how much
    parallelism the machine gives right now (2.0 on two idle cores), the
    ceiling for the lint speedup measured beside it."""
    if processes == 1:
        for _ in range(tasks):
            _spin(n)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        list(pool.map(_spin, [n] * tasks))


def _comparable(outcome):
    """What must agree between jobs=1 and jobs=2: the printed text, and the
    result when it is plain data."""
    result, text = outcome
    plain = result if isinstance(result, (str, bytes, int, float, tuple, list, dict)) else None
    return plain, text


def _describe(outcome) -> str:
    result, text = outcome
    shown = repr(result) if not isinstance(result, (str, bytes)) else f"{len(result)} characters"
    return f"{shown[:60]}, {len(text):,} characters printed"
