"""Derived forms verified as claims, by the verifier ``check`` uses.

A derived ``dY/dX = expr`` is shape-checked and verified exactly as if it
were written in the file (``verify.claims``: seeded draws, reverse mode
cross-checked by finite differences).  A form that does not verify is a
defect of a symbolic rule (:class:`Inconsistent`), never an answer.
"""
from __future__ import annotations

from dsl.builtins.symbolic import NOSPAN
from dsl.core.ast import Claim, Deriv, Expr, Name, Program
from dsl.core.diagnostics import Sink
from dsl.core.kinds import Status
from dsl.core.wording import say
from dsl.derive.backward import Underivable
from dsl.language.printer import to_source
from dsl.shapes import checker as shapes
from dsl.verify import claims as verifier

DERIVED_DRAWS = 2
"""Draws per derived form (a claim gets ``verify.claims.DRAWS``): sizes
still change between them, and the reference derivative is cross-checked."""


def shared_draws(program: Program, env, seed: int):
    """Draws for every derived form of one derivation, made once."""
    return verifier.draws_for(program, env, seed=seed)


class Inconsistent(Exception):
    """A derived form failed verification: a defect, reported as ``E511``."""


def claim_of(y: str, x: str, expr: Expr, indices: tuple = ((), ())) -> Claim:
    """The claim ``dY/dX = expr`` (``dY[i]/dX[j] = expr`` with ``indices``)."""
    return Claim(Deriv(Name(y, NOSPAN), Name(x, NOSPAN), NOSPAN, *indices), expr, NOSPAN)


def verify_form(program: Program, env, y: str, x: str, expr: Expr, *, seed: int = 0,
                draws: int = DERIVED_DRAWS, indices: tuple = ((), ()), shared=None) -> None:
    """Raise :class:`Inconsistent` unless ``dY/dX = expr`` verifies; raise
    ``Underivable`` when it cannot be checked at all (say why).  ``shared``:
    the draws of an earlier verification of ``program`` with ``seed``
    (:func:`shared_draws`), whose true derivatives are reused: only the
    derived form is evaluated anew at each draw."""
    claim = claim_of(y, x, expr, indices)
    kept = len(env.claims)
    sink = Sink()
    try:
        shapes.check_statement(env, claim, sink)
        infos = env.claims[kept:]
    finally:
        del env.claims[kept:]
    if sink.has_errors or not infos or not infos[-1].ok:
        detail = "; ".join(d.message for d in sink.items if d.is_error) or "its shape does not fit"
        raise Inconsistent(say("derive-failed", expr=to_source(expr), detail=detail))
    result = verifier.verify_claims(program, env, seed=seed, draws=draws, claims=infos[-1:], shared=shared)[0]
    if result.status == Status.VERIFIED:
        return
    if result.status == Status.WRONG:
        raise Inconsistent(say("derive-failed", expr=to_source(expr), detail=result.detail))
    raise Underivable(say("derive-unchecked", why=result.detail))
