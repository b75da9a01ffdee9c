"""Suppression comments, for every command: ``chainrule: ignore[E301, W303]``
after ``#``, ``%`` or ``<!--`` silences those codes (every code, without a
list) on its own line, and on the next line when the comment stands alone
on its line; ``chainrule: ignore-file`` silences the whole file.  A
:class:`Suppressions` remembers which comments silenced something, so an
unused one can be reported (``--warn-unused-ignores``, mypy's habit).

    >>> from dsl.core.diagnostics import Diagnostic, Severity
    >>> from dsl.core.span import Span
    >>> from dsl.frontends.document import Host
    >>> text = "a = x @ x  # chainrule: ignore[E300]\\nb = 1  # chainrule: ignore[W303]\\n"
    >>> s = Suppressions.scan(Host("t.deriv", text))
    >>> s.silences(Diagnostic("E300", Severity.ERROR, Span("t.deriv", 1, 5, 1, 10, 4, 9), "m"))
    True
    >>> [(u.span.line, sorted(u.codes)) for u in s.unused()]
    [(2, ['W303'])]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Span

PATTERN = re.compile(r"(?:%|<!--|#)\s*chainrule:\s*ignore(?![-\w])(?:\[([A-Za-z0-9_,\s]*)\])?")
FILE_PATTERN = re.compile(r"(?:%|<!--|#)\s*chainrule:\s*ignore-file\b")


@dataclass
class Comment:
    """One suppression comment: where it is, the lines it covers, its codes
    (None: every code), and the codes it has silenced so far."""

    span: Span
    keys: tuple[tuple[int | None, int], ...]
    codes: frozenset[str] | None
    used: set[str] = field(default_factory=set)

    def covers(self, d: Diagnostic) -> bool:
        return (d.span.cell, d.span.line) in self.keys and (self.codes is None or d.code in self.codes)

    @property
    def unused_codes(self) -> frozenset[str] | None:
        """The codes listed that silenced nothing (None: a bare comment that silenced nothing)."""
        if self.codes is None:
            return None if not self.used else frozenset()
        return self.codes - self.used


@dataclass
class Suppressions:
    comments: list[Comment]
    whole_file: Span | None = None
    by_key: dict = field(default_factory=dict, repr=False)

    @classmethod
    def scan(cls, host) -> Suppressions:
        """The suppression comments of a ``Host`` document."""
        text = host.text
        comments = []
        if "chainrule:" not in text:
            return cls([])
        for m in PATTERN.finditer(text):
            codes = None if m.group(1) is None else frozenset(
                c.strip().upper() for c in m.group(1).split(",") if c.strip())
            span = host.span(m.start(), m.end())
            keys = [(span.cell, span.line)]
            line_start = text.rfind("\n", 0, m.start()) + 1
            if not text[line_start:m.start()].strip():
                keys.append((span.cell, span.line + 1))
            comments.append(Comment(span, tuple(keys), codes))
        whole = FILE_PATTERN.search(text)
        found = cls(comments, host.span(whole.start(), whole.end()) if whole else None)
        for c in comments:
            for key in c.keys:
                found.by_key.setdefault(key, []).append(c)
        return found

    def table(self) -> dict:
        """``(cell, line) -> frozenset of codes, or None for every code``."""
        out: dict = {}
        for key, comments in self.by_key.items():
            codes: frozenset[str] | None = frozenset()
            for c in comments:
                codes = None if c.codes is None or codes is None else codes | c.codes
            out[key] = codes
        return out

    def silences(self, d: Diagnostic) -> bool:
        """Whether a comment silences ``d`` (and note that it did)."""
        if self.whole_file is not None:
            return True
        hit = False
        for c in self.by_key.get((d.span.cell, d.span.line), ()):
            if c.covers(d):
                c.used.add(d.code)
                hit = True
        return hit

    def unused(self) -> list[Comment]:
        """Comments (or codes in them) that silenced nothing, in document order."""
        if self.whole_file is not None:
            return []
        return [c for c in self.comments if c.unused_codes is None or c.unused_codes]
