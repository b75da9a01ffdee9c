"""``--watch``: check again whenever a watched file changes, clearing the
screen between runs as ``ruff check --watch`` does.  The file watching is
the ``watchfiles`` package, an optional extra (``pip install
"chainrule[watch]"``); without it, ``--watch`` says how to install it and
exits 2.  Interrupting (Ctrl-C) ends the watch with exit code 0.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable

CLEAR = "\x1b[2J\x1b[H"
WATCHED = (".deriv", ".md", ".markdown", ".tex", ".ipynb", ".toml")


def _relevant(change, path: str) -> bool:
    return path.endswith(WATCHED) or os.path.basename(path) == ".gitignore"


def run(once: Callable[[], int], paths: Iterable[str], *, out=None, watch=None) -> int:
    """Run ``once``, then again after each batch of changes under ``paths``.
    ``watch`` is ``watchfiles.watch`` unless given (tests pass their own)."""
    out = sys.stdout if out is None else out
    if watch is None:
        try:
            from watchfiles import watch as watch_changes  # deferred: start-up
        except ImportError:
            print('chainrule: --watch needs the watchfiles package: pip install "chainrule[watch]"',
                  file=sys.stderr)
            return 2
        watch = watch_changes
    roots = sorted({os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
                    for p in paths} or {os.getcwd()})
    tty = getattr(out, "isatty", lambda: False)()

    def again(first: bool) -> None:
        if tty and not first:
            out.write(CLEAR)
        out.write(f"[{time.strftime('%H:%M:%S')}] checking...\n" if tty else "")
        once()
        out.write("watching for changes (Ctrl-C to stop)\n")
        out.flush()

    again(True)
    try:
        for _changes in watch(*roots, watch_filter=_relevant):
            again(False)
    except KeyboardInterrupt:
        pass
    return 0
