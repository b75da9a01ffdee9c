"""Row 3: process start-up, ``chainrule --version`` against ``python -c pass``,
and a whole ``chainrule check examples/mlp.deriv`` against ``python -c "import numpy"``.

Each command runs as a subprocess; the wall time from start to exit is
measured with ``perf_counter`` (median of many runs).  ``python -m dsl
--version`` runs from the repository root; the installed console script
``chainrule`` is timed too when it is on ``PATH`` (skipped, with the
reason, when it is not).  Goal: at most 150 ms more than ``python -c pass``.
The whole check (parse, shapes, verification of the eight claims, the
report) of ``examples/mlp.deriv`` runs the same way (by ``python -m dsl``,
which is what the console script runs); goal: at most 1.5x the time of
importing NumPy alone.  Parsers come from the cache of built parsers
(``syntax.cached_lark``), which the first run fills.

A floor row under it shows what the kept dependencies and the work cost
before any of ``dsl`` is imported: a subprocess that imports NumPy,
``numpy.random`` (the draws of verification) and Lark, plus the same check
run again in this (warm) process, where nothing is imported or compiled any
more.  Their sum, against ``import numpy``, is the least the whole-process
row can be with these dependencies.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import Row, Settings, Timing, measure_together

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.150


def _environment() -> dict[str, str]:
    """The subprocesses' environment: bytecode kept, in a directory of its
    own, as for an installed package (pip compiles it at install; NumPy's
    is).  Where ``PYTHONDONTWRITEBYTECODE`` is set, every run would compile
    this tree's ``dsl`` from source again, which no installed copy does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    return env


_PYCACHE = tempfile.mkdtemp(prefix="chainrule-bench-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, True)


def _runner(argv: list[str]):
    env = _environment()

    def run():
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return run


def run(s: Settings) -> list[Row]:
    reps = s.reps(20, 5)
    module = [sys.executable, "-m", "dsl", "--version"]
    done = subprocess.run(module, cwd=ROOT, capture_output=True, text=True, env=_environment())
    s.say(f"startup: {sys.executable} -m dsl --version -> {done.stdout.strip() or done.stderr.strip()[:80]!r} "
          f"(exit {done.returncode}); {reps} runs each, bytecode kept in {_PYCACHE} (as installed)")
    fns = {"pass": _runner([sys.executable, "-c", "pass"]), "module": _runner(module)}
    script = shutil.which("chainrule")
    if script is not None:
        s.say(f"startup: console script {script}")
        fns["script"] = _runner([script, "--version"])
    t = measure_together(fns, repeats=reps, warmup=2)
    t_pass, t_module = t["pass"], t["module"]
    rows = [Row("startup: python -m dsl --version", t_module, t_pass, "python -c pass",
                goal=GOAL, compare="extra")]
    if script is None:
        reason = "no chainrule console script on PATH (pip install . adds it)"
        s.say(f"startup: console-script row skipped: {reason}")
        rows.append(Row("startup: chainrule --version", skipped=reason, goal=GOAL, compare="extra"))
    else:
        rows.append(Row("startup: chainrule --version", t["script"], t_pass, "python -c pass",
                        goal=GOAL, compare="extra"))
    s.say(f"startup: spreads: python -c pass {t_pass.spread}, python -m dsl {t_module.spread}")
    rows.extend(_whole_check(s, reps))
    return rows


def _whole_check(s: Settings, reps: int) -> Row:
    check = [sys.executable, "-m", "dsl", "check", "examples/mlp.deriv"]
    done = subprocess.run(check, cwd=ROOT, capture_output=True, text=True, env=_environment())
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[:80]
    s.say(f"startup: {' '.join(check[1:])} -> {last!r} (exit {done.returncode})")
    t = measure_together({"numpy": _runner([sys.executable, "-c", "import numpy"]), "check": _runner(check),
                          "floor": _runner([sys.executable, "-c", "import numpy, numpy.random, lark"]),
                          "warm": _warm_check()},
                         repeats=reps, warmup=2)
    s.say(f"startup: spreads: import numpy {t['numpy'].spread}, check examples/mlp.deriv {t['check'].spread}; "
          f"import numpy, numpy.random, lark {t['floor'].median * 1e3:.1f} ms, the check in a warm process "
          f"{t['warm'].median * 1e3:.1f} ms")
    floor = Timing(tuple(a + b for a, b in zip(t["floor"].samples, t["warm"].samples, strict=True)))
    return [Row("check examples/mlp.deriv, whole process", t["check"], t["numpy"], "import numpy", goal=1.5),
            Row("  floor: numpy.random + lark imports + warm check", floor, t["numpy"], "import numpy")]


def _warm_check():
    """The whole check of ``examples/mlp.deriv`` by the command line's own
    ``main``, in this process, output dropped: after the first call nothing
    is imported, compiled or built any more, so its time is the work alone."""
    import contextlib
    import io

    from dsl.apps import cli
    path = str(ROOT / "examples" / "mlp.deriv")

    def run():
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["check", path])
    return run
