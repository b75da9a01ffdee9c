"""How much of one document is read.

Reading an equation takes a millisecond or two in each of the two passes, so
a document of hundreds of thousands of generated formulas would take
minutes: at most :data:`MAX_FORMULAS` are read (about ten times a long
chapter of notes), and one ``N702`` note stands where reading stops.
"""
from __future__ import annotations

from typing import Any

from dsl.core import messages
from dsl.core.wording import say

MAX_FORMULAS = 5_000


class FormulaBudget:
    """The equations one document has read so far, against :data:`MAX_FORMULAS`."""

    def __init__(self) -> None:
        self.read = 0
        self.noted = False

    def spent(self, builder: Any, sl: Any) -> bool:
        """Whether the budget is spent; the first time, in the second pass,
        ``builder`` gets the note at the start of ``sl`` (a Slice)."""
        if self.read < MAX_FORMULAS:
            return False
        if not self.noted and not builder.scanning:
            self.noted = True
            builder.notes.append(messages.make("N702", builder.host.span(sl.at(0), sl.at(0) + 1),
                                               why=say("too-many-formulas", limit=f"{MAX_FORMULAS:,}")))
        return True
