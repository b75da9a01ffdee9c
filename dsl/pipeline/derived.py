"""Derivation in the pipeline: the derived fixes of ``check`` and what
``deriving`` (``chainrule derive``) builds on.

:func:`derive_in` derives ``dY/dX`` from a checked report; every
failure is a diagnostic (``E510`` cannot be derived, ``E511`` a derived form
that did not verify, ``E901`` a defect), never a traceback.
:func:`attach_fixes` is the hook ``check_source`` runs after verification:
a wrong claim (``E500``) and a claim of the wrong shape (``E400``) get the
derived right side as their :class:`Fix`, and a claim whose right side has
another error gets it as a note (``N510``).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from dsl.core import messages
from dsl.core.ast import Claim
from dsl.core.diagnostics import Diagnostic, Fix
from dsl.core.kinds import Status
from dsl.core.span import Source, Span
from dsl.core.verdicts import ClaimResult
from dsl.core.wording import say
from dsl.pipeline.report import DEFAULT_SEED, Report, internal_error, whole

if TYPE_CHECKING:
    from dsl.derive import Derivation

_DERIV = re.compile(r"^\s*[d∂](?P<y>[^/\s]+)\s*/\s*[d∂](?P<x>\S+)\s*$")


def split_names(y: str, x: str | None) -> tuple[str, str] | None:
    """``("L", "x")`` from ``L x`` or from ``dL/dx`` (``∂L/∂x``) alone; None if neither.

    >>> split_names("dL/dW1", None), split_names("L", "x"), split_names("L", None)
    (('L', 'W1'), ('L', 'x'), None)
    """
    if x is not None:
        return (y.strip(), x.strip()) if y.strip() and x.strip() else None
    m = _DERIV.match(y)
    return (m["y"], m["x"]) if m else None


@dataclass
class Derived:
    """The outcome of :func:`derive_source`: the derivation, or why not."""

    report: Report
    derivation: Derivation | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def exit_code(self) -> int:
        if self.report.input_error:
            return 2
        return 0 if self.derivation is not None else 1


def derive_in(report: Report, y: str, x: str, *, steps: bool = False, seed: int = DEFAULT_SEED,
              span: Span | None = None, before: int | None = None,
              shared=None, index: bool = True) -> tuple[Derivation | None, Diagnostic | None]:
    """``dY/dX`` from a checked report, or the diagnostic saying why not
    (``shared``: the draws of the report's verification, see ``derive``)."""
    from dsl.derive import Inconsistent, Underivable, derive  # deferred: derivation only when a check has errors
    span = span or whole(report.source)
    name = f"d{y}/d{x}"
    try:
        return derive(report.program, report.env, y, x, steps=steps, seed=seed, before=before,
                      shared=shared, index=index), None
    except Underivable as exc:
        return None, messages.make("E510", span, deriv=name, why=str(exc))
    except Inconsistent as exc:
        return None, messages.make("E511", span, deriv=name, detail=str(exc), hint=say("derive-hint"))
    except Exception as exc:  # noqa: BLE001  (a defect in deriving, reported as an E901 diagnostic)
        return None, internal_error("deriving", exc, span)


def span_of(env, name: str, default: Span) -> Span:
    """Where ``name`` is declared or defined (``default`` when unknown)."""
    info = env.names.get(name)
    return info.span if info is not None and info.span is not None else default


# ------------------------------------------------------------- check's hook

FIXED = ("E500", "E400")
"""Codes whose fix becomes the derived right side."""


def attach_fixes(report_program, env, diagnostics: list[Diagnostic], results: Sequence[ClaimResult],
                 source: Source, seed: int, shared=None) -> None:
    """Give each wrong or mis-shaped claim the derived right side as its fix
    (in place); a claim left unchecked by another error in its right side
    gets an ``N510`` note with the fix.  Nothing is added where the
    derivative cannot be derived.  ``shared``: the draws the claims were
    verified over; each derived fix is verified over them, so the true
    derivatives already computed and cross-checked are not computed again."""
    report = Report(source, report_program, env, diagnostics, list(results), seed=seed)
    if shared is None:
        from dsl.verify.claims import draws_for  # deferred: NumPy loads only when claims are verified
        shared = draws_for(report_program, env, seed=seed)
    for result in results:
        claim = result.claim
        if not isinstance(claim, Claim) or claim.deriv.num_indices or claim.deriv.den_indices:
            continue
        inside = [i for i, d in enumerate(diagnostics) if d.is_error and _within(d.span, claim)]
        fixed = [i for i in inside if diagnostics[i].code in FIXED]
        if not inside or (result.status is Status.VERIFIED):
            continue
        derivation, _ = derive_in(report, claim.deriv.num.id, claim.deriv.den.id, seed=seed,
                                  before=claim.span.line, shared=shared, index=False)
        if derivation is None:
            continue
        fix = Fix(claim.expr.span, derivation.text, say("derive-fix-title"), derivation.expr,
                  claim=claim.deriv.text)
        if fixed:
            for i in fixed:
                diagnostics[i] = replace(diagnostics[i], fix=fix)
        else:
            diagnostics.append(messages.make("N510", claim.expr.span, deriv=claim.deriv.text,
                                             expr=derivation.text, fix=fix))


def _within(span: Span, claim: Claim) -> bool:
    c = claim.span
    return span.file == c.file and c.start <= span.start and span.end <= c.end
