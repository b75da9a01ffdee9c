"""Diagnostics as data.

Passes collect :class:`Diagnostic` values and never print; ``render`` turns
them into text, JSON, SARIF or GitHub annotations.  Codes and their wording
live in ``messages``.

A diagnostic that proposes one concrete change carries it as a :class:`Fix`:
the span to replace, the replacement (chainrule source) and a short title.
Applying it (:meth:`Fix.apply`) gives the text the hint proposes; the hint is
worded from the fix, so the two cannot disagree.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from dsl.core.span import Span

if TYPE_CHECKING:  # annotations only: the AST is not needed at run time here
    from dsl.core.ast import Expr


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Label:
    """A sub-span with a short text: the shape written beside an operand."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    """Replace the text at ``span`` with ``replacement``.

    ``expr`` is the replacement as a tree when it is an expression (front ends
    re-spell it in their own notation, e.g. LaTeX); it takes no part in
    equality.  ``claim`` names the derivative (``dL/dK``) when the
    replacement is a claim's whole right side derived from the definitions
    (rendered "= fix: dL/dK = ...").

        >>> from dsl.core.span import Span
        >>> Fix(Span("f", 1, 5, 1, 6, 4, 5), "W.T", "transpose").apply("g = W @ x")
        'g = W.T @ x'
    """

    span: Span
    replacement: str
    title: str
    expr: Expr | None = field(default=None, compare=False, repr=False)
    claim: str | None = None

    def apply(self, text: str) -> str:
        """``text`` (the source the span points into) with the fix made."""
        return text[:self.span.start] + self.replacement + text[self.span.end:]


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    span: Span
    message: str
    hint: str | None = None
    labels: tuple[Label, ...] = ()
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def moved(self, span_map) -> Diagnostic:
        """The same diagnostic with every span passed through ``span_map``
        (used by front ends to point into the host document)."""
        return replace(
            self,
            span=span_map(self.span),
            labels=tuple(replace(label, span=span_map(label.span)) for label in self.labels),
            fix=None if self.fix is None else replace(self.fix, span=span_map(self.fix.span)),
        )


@dataclass
class Sink:
    """Collects diagnostics in order; passes append and keep going."""

    items: list[Diagnostic] = field(default_factory=list)
    errors: int = 0   # how many of the items are errors, kept as they come

    def __post_init__(self) -> None:
        self.errors = sum(d.is_error for d in self.items)

    def add(self, d: Diagnostic) -> None:
        self.items.append(d)
        self.errors += d.is_error

    def extend(self, ds) -> None:
        for d in ds:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return self.errors > 0
