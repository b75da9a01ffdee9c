"""One catalogue entry: a diagnostic code, its wording and what the
catalogue (``docs/diagnostics.md``, ``chainrule rule``) says about it."""
from __future__ import annotations

from dataclasses import dataclass

from dsl.core.diagnostics import Severity


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    template: str      # str.format template for the message
    checks: str        # what it checks
    why: str           # why it is wrong
    example: str       # a line that triggers it
    fix: str           # what to write instead

    @property
    def severity(self) -> Severity:
        return {"E": Severity.ERROR, "W": Severity.WARNING, "N": Severity.NOTE}[self.code[0]]
