"""A progress bar for ``check`` and ``lint`` over many files.

Contract: :meth:`Progress.on_terminal` returns a bar only when it helps a
person watching: standard error is a terminal, the run covers at least
:data:`AT_LEAST` files, ``--quiet`` is off, and neither ``CI`` is set nor
``TERM=dumb``; otherwise ``None`` (nothing is ever drawn in CI or into a
pipe).  The bar is one line on standard error, redrawn in place at most
every :data:`EVERY` seconds; :meth:`Progress.clear` erases it before
anything is written to standard output, so results streamed to the same
terminal never mix with it, and :meth:`Progress.close` erases it at the end.

    >>> import io
    >>> Progress.on_terminal(200, quiet=False, stream=io.StringIO()) is None   # not a terminal
    True
"""
from __future__ import annotations

import os
import shutil
import sys
import time

AT_LEAST = 2        # files; one file needs no bar
EVERY = 0.1         # seconds between redraws
_ERASE = "\r\033[K"


class Progress:
    def __init__(self, total: int, stream, unit: str = "files") -> None:
        self.total, self.stream, self.unit = total, stream, unit
        self.done = 0
        self._shown = False
        self._drawn_at = 0.0

    @classmethod
    def on_terminal(cls, total: int, *, quiet: bool, stream=None) -> Progress | None:
        stream = sys.stderr if stream is None else stream
        if quiet or total < AT_LEAST or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
            return None
        if not getattr(stream, "isatty", lambda: False)():
            return None
        bar = cls(total, stream)
        bar.draw()
        return bar

    def line(self) -> str:
        """The bar's text, fitted to the terminal's width."""
        count = f" {self.done}/{self.total} {self.unit}"
        width = max(0, min(30, shutil.get_terminal_size((80, 24)).columns - len(count) - 3))
        filled = width * self.done // max(1, self.total)
        return f"[{'#' * filled}{'.' * (width - filled)}]{count}" if width else count.strip()

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if not self._shown or now - self._drawn_at >= EVERY or self.done == self.total:
            self.draw(now)

    def draw(self, now: float | None = None) -> None:
        self._drawn_at = time.monotonic() if now is None else now
        self.stream.write("\r" + self.line())
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self._shown = False

    def close(self) -> None:
        self.clear()
