"""Which diagnostics are shown: ``--select``, ``--extend-select``, ``--ignore``
and ``per-file-ignores``, read as ruff reads them.

A selector is a code (``E301``), a prefix of codes (``E3``, ``W``) or
``ALL``.  By default everything is selected.  ``select`` replaces the
selection, ``extend-select`` adds to it, ``ignore`` takes away; for each
code the most specific selector that matches it decides, and ``ignore``
wins a tie.  ``E9`` (input errors and defects) is always shown: a file that
could not be read is never silenced.

    >>> s = Selection(select=("E3", "W"), ignore=("W303",))
    >>> [s.keeps(c) for c in ("E300", "E500", "W303", "W304")]
    [True, False, False, True]
    >>> Selection(ignore=("E3",), extend_select=("E301",)).keeps("E301")
    True
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

_SELECTOR = re.compile(r"^(ALL|[ENW]\d{0,3})$")
ALWAYS = "E9"


class SelectorError(ValueError):
    """A selector that names no code."""


def check_selectors(selectors) -> tuple[str, ...]:
    """The selectors, upper-cased, each checked to name at least one code of
    the catalogue; a ``SelectorError`` names the first that does not."""
    from dsl.core.messages import CATALOGUE  # deferred: start-up
    out = []
    for raw in selectors:
        sel = raw.strip().upper()
        if not _SELECTOR.match(sel) or (sel != "ALL" and not any(c.startswith(sel) for c in CATALOGUE)):
            raise SelectorError(f"'{raw}' is not a code or a prefix of codes (such as E301, E3 or W)")
        out.append(sel)
    return tuple(out)


def _specificity(selector: str, code: str) -> int:
    """How closely ``selector`` matches ``code``: -1 for no match."""
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else -1


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] | None = None          # None: everything
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: str = "."

    @property
    def is_default(self) -> bool:
        return self.select is None and not (self.extend_select or self.ignore or self.per_file_ignores)

    def keeps(self, code: str, path: str | None = None) -> bool:
        if code.startswith(ALWAYS):
            return True
        chosen = ("ALL",) if self.select is None else self.select
        best_in = max((_specificity(s, code) for s in chosen + self.extend_select), default=-1)
        ignored = self.ignore + (self.ignored_for(path) if path else ())
        best_out = max((_specificity(s, code) for s in ignored), default=-1)
        return best_in >= 0 and best_in > best_out

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """The codes ``per-file-ignores`` silences in ``path``: a pattern
        matches the path relative to the configuration's directory, or the
        file's name."""
        if not self.per_file_ignores:
            return ()
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root)).replace(os.sep, "/")
        name = os.path.basename(path)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if matches(pattern, rel) or matches(pattern, name):
                out += codes
        return tuple(out)

    def apply(self, report) -> None:
        """Drop the diagnostics of ``report`` (a pipeline ``Report``) this selection does not keep."""
        if self.is_default:
            return
        path = report.source.name
        report.diagnostics = [d for d in report.diagnostics if self.keeps(d.code, d.span.file or path)]


def matches(pattern: str, rel: str) -> bool:
    """A pattern as in ``.gitignore`` (``pathspec``'s git semantics: ``*`` within
    a part, ``**`` across parts, a pattern without ``/`` against any part, a
    directory covering what is below it) against a relative path."""
    return _spec((pattern,)).match_file(rel)


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):
    import pathspec  # deferred: start-up
    return pathspec.GitIgnoreSpec.from_lines(patterns)
