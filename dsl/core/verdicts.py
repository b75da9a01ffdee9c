"""The verdict on one claimed derivative: the one type every stage and
output uses (verification produces it; the pipeline makes an ``unchecked``
one when verification does not run; renderers and the apps read it)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from dsl.core.ast import Deriv
from dsl.core.diagnostics import Diagnostic
from dsl.core.kinds import Status
from dsl.core.span import Span

DEFAULT_TIMEOUT = 10.0
"""Seconds that verifying one claim may take before it is unchecked (``--timeout``)."""


class ClaimSite(Protocol):
    """What a verdict needs of its claim: the derivative and where it stands
    (an ``ast.Claim``, or a claim placed in a host document by ``lint``)."""

    @property
    def deriv(self) -> Deriv: ...

    @property
    def span(self) -> Span: ...


@dataclass(frozen=True)
class PlacedClaim:
    """A claim placed in a host document: its derivative and the span there
    (the claim's whole AST stays in the process that checked it)."""

    deriv: Deriv
    span: Span


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim.

    >>> from dsl.core.ast import Claim, Name
    >>> s = Span("t.deriv", 3, 1, 3, 6)
    >>> claim = Claim(Deriv(Name("L", s), Name("x", s), s), Name("g", s), s)
    >>> r = ClaimResult(claim, Status.UNCHECKED, "not verified")
    >>> r.status == "unchecked", r.diagnostic
    (True, None)
    """

    claim: ClaimSite
    status: Status
    detail: str                              # the diagnosis or the reason, in words
    diagnostic: Diagnostic | None = None     # E500, W501 or E502 (None when verified)
    seed: int = 0

    def moved(self, span_map: Callable[[Span], Span]) -> ClaimResult:
        """The verdict with its claim placed at ``span_map(claim.span)`` (a
        front end pointing into the host document); its diagnostic, already
        reported and placed with the others, is dropped."""
        placed = PlacedClaim(self.claim.deriv, span_map(self.claim.span))
        return replace(self, claim=placed, diagnostic=None)
