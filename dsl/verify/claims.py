"""Numerical verification of claimed derivatives (SPEC section 5).

For every claim ``dY/dX = expr`` whose shapes check, over :data:`DRAWS`
seeded draws:

1. sizes come from ``data.concrete_sizes`` (distinct, never 1, changing from
   draw to draw, so a stray ``2 / m`` cannot hide) and inputs from
   ``data.draw_input``, each when a claim first reads it (``draws``),
   honouring ``onehot``, ``prob``, ``positive``, ``symmetric``, ``spd``,
   ``nonzero``;
2. the true derivative is computed by ``autodiff`` (reverse mode) and
   cross-checked by central finite differences along a random direction:
   ``<u, J v>`` from reverse mode against ``<u, (f(x + h v) - f(x - h v)) / 2h>``,
   draw after draw until one agreement is informative (``J v`` not zero);
   the claims of one verification share their draws and these checks.  A
   disagreement is ``E502`` and the claim is left unchecked: a wrong rule
   can never verify a wrong claim;
3. the right side is evaluated with every ``dA/dB`` term inside it taking its
   true value, so each claim is judged alone;
4. claim and truth are compared with :data:`TOL_REL` and :data:`TOL_ABS`.

A draw where an argument of a function with a kink (``relu``/``abs``: the
rows of ``dsl.builtins`` marked ``kink``) sits at the kink (0), or where
the finite-difference step crosses it, is redrawn (at most
:data:`KINK_RETRIES` times).  For a symmetric (or ``spd``) variable the
perturbation is symmetric and the symmetric parts are compared: the gradient
with respect to a symmetric matrix is defined only up to an antisymmetric
part.  A claim written as the diagonal of a Jacobian (``W402``) is compared
with the diagonal.  A wrong claim is ``E500`` at its right side, with the
diagnosis of ``diagnose``; a claim that could not be checked is ``W501``
saying why.

The module's entry point is :func:`verify_claims`; ``pipeline.verify_claim_text``
verifies one claim given as text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from dsl.builtins import FUNCTIONS, kinked
from dsl.compute import autodiff
from dsl.compute.budget import DEFAULT_TIMEOUT, OverBudget, OverTime, check_time, time_limit
from dsl.compute.evaluate import eval_expr
from dsl.compute.indices import Layout
from dsl.compute.numeric import DomainError, EvalError, as_value, quiet
from dsl.compute.plan import Plan
from dsl.core import messages
from dsl.core.ast import Claim, Deriv, Program, deriv_text, walk
from dsl.core.diagnostics import Label
from dsl.core.dims import concrete, fmt
from dsl.core.kinds import Status
from dsl.core.verdicts import ClaimResult
from dsl.core.wording import say
from dsl.shapes import hints
from dsl.verify import paths, scale, terms as claim_terms, transposes
from dsl.verify.crosscheck import (  # noqa: F401
    FD_EPS,
    FD_TOL,
    Inconsistent as _Inconsistent,
    Kink as _Kink,
    cross_check as _cross_check,
    symmetric_part as _symmetric_part,
)
from dsl.verify.diagnose import TOL_ABS, TOL_REL, Sample, close, diagnose
from dsl.verify.draws import Draws, Lazy, Unchecked as _Unchecked, named, scalars, sizes_of
from dsl.verify.opaque import opaque_reason

DRAWS = 3
"""Draws per claim; sizes change between them."""
KINK_MARGIN = 1e-9
"""An argument of relu/abs this close to 0 is at the kink."""
KINK_RETRIES = 5
"""Redraws allowed per draw when a kink is met."""

__all__ = ["DEFAULT_TIMEOUT", "DRAWS", "TOL_ABS", "TOL_REL", "ClaimResult", "draws_for", "verify_claims"]


def _kinked() -> str:
    """The functions with a kink at 0, as messages name them: "relu/abs"."""
    return "/".join(name for name in FUNCTIONS if name in kinked())


class _OverBudget(_Unchecked):
    """An allocation of this draw would pass the memory budget (``plain``:
    the budget's own message)."""

    def __init__(self, why: str, plain: str):
        super().__init__(why)
        self.plain = plain


class _NotDiagonal(Exception):
    """A vector claimed for a Jacobian that is not diagonal."""


def _name(claim: Claim) -> str:
    return claim.deriv.text


# ------------------------------------------------------------------- API

def draws_for(program: Program, env, *, seed: int = 0, plan: Plan | None = None) -> Draws:
    """The draws of a verification, to be passed as ``shared`` to each
    :func:`verify_claims` of the same program (drawn inputs, no fixed sizes)."""
    return Draws(program, env, seed, None, None, plan)


def verify_claims(program: Program, env, *, seed: int = 0, draws: int = DRAWS,
                  inputs: Mapping | None = None, sizes: Mapping | None = None,
                  claims=None, plan: Plan | None = None,
                  timeout: float = DEFAULT_TIMEOUT, shared: Draws | None = None) -> list[ClaimResult]:
    """One :class:`ClaimResult` per claim (default: every claim in ``env``).

    ``inputs`` fixes the input values (then every draw uses them); ``sizes``
    fixes some or all size symbols.  ``plan`` is the program's dependency
    graph when the caller keeps one (a session), else it is built here.
    Each claim has ``timeout`` seconds; past them it is unchecked.
    ``shared`` is the :class:`Draws` of an earlier verification of the same
    program, environment and seed (the true derivatives it computed and
    cross-checked are reused; made by :func:`draws_for`), else new ones.
    """
    infos = env.claims if claims is None else claims
    shared = shared if shared is not None else Draws(program, env, seed, inputs, sizes, plan)
    smaller: dict[frozenset[str], Draws] = {}
    results = []
    for info in infos:
        use, note, refused = scale.choose(shared, info, inputs, sizes, timeout, smaller)
        if use is None:
            results.append(_unchecked(info.claim, seed, refused or ""))
            continue
        try:
            result = verify_one(program, env, info, seed=seed, draws=draws, inputs=inputs, sizes=sizes,
                                shared=use, timeout=timeout, note=note, retry=True)
        except _OverBudget as exc:       # past the memory budget at the declared sizes: drawn ones, if it may
            use, note, refused = scale.choose(shared, info, inputs, sizes, timeout, smaller, refused=exc.plain)
            result = _unchecked(info.claim, seed, refused or str(exc)) if use is None else verify_one(
                program, env, info, seed=seed, draws=draws, inputs=inputs, sizes=sizes, shared=use,
                timeout=timeout, note=note)
        results.append(result)
    return results


@quiet
def verify_one(program: Program, env, info, *, seed: int = 0, draws: int = DRAWS,
               inputs: Mapping | None = None, sizes: Mapping | None = None,
               shared: Draws | None = None, timeout: float = DEFAULT_TIMEOUT,
               note: str | None = None, retry: bool = False) -> ClaimResult:
    """Verify one ``shapes.ClaimInfo`` (``shared``: the draws of the other
    claims of the same verification, reused) within ``timeout`` seconds;
    ``note`` is added to the verdict's notes.  With ``retry``, an allocation
    past the memory budget raises ``_OverBudget`` (nothing allocated) for
    the caller to try drawn sizes."""
    try:
        with time_limit(timeout):
            return _verify(program, env, info, seed, draws, inputs, sizes, shared, note, retry)
    except OverTime as exc:
        return _unchecked(info.claim, seed, str(exc))


def _verify(program: Program, env, info, seed: int, draws: int, inputs: Mapping | None,
            sizes: Mapping | None, shared: Draws | None, note: str | None = None,
            retry: bool = False) -> ClaimResult:
    claim = info.claim
    if not info.ok:
        why, on_claim = _why_not_ok(env, info)
        if on_claim:  # the checker reported the error on this claim: no second diagnostic
            return ClaimResult(claim, Status.UNCHECKED, why, None, seed)
        return _unchecked(claim, seed, why)
    shared = shared or Draws(program, env, seed, inputs, sizes)
    opaque = opaque_reason(program, env, claim, shared.plan.defs)
    if opaque is not None:       # a function the document does not define: nothing to compare with
        return ClaimResult(claim, Status.UNCHECKED, opaque, None, seed)
    samples: list[Sample] = []
    notes: set[str] = {note} if note else set()
    try:
        for draw in range(draws if inputs is None else 1):
            for attempt in range(KINK_RETRIES):
                check_time()
                try:
                    last = inputs is not None or attempt == KINK_RETRIES - 1
                    samples.append(_sample(shared, info, draw, attempt, notes, last))
                    break
                except _Kink:
                    if inputs is not None:
                        raise _Unchecked(say("kink-given", kinked=_kinked())) from None
            else:
                raise _Unchecked(say("kink-every", count=KINK_RETRIES, kinked=_kinked()))
    except _OverBudget as exc:
        if note is None and retry:
            raise           # the caller tries drawn sizes
        return _unchecked(claim, seed, str(exc))
    except _Unchecked as exc:
        return _unchecked(claim, seed, str(exc))
    except _NotDiagonal as exc:
        diag = messages.make("E500", claim.expr.span, claim=_name(claim), detail=str(exc),
                             hint=say("whole-jacobian", seed=seed))
        return ClaimResult(claim, Status.WRONG, str(exc), diag, seed)
    except _Inconsistent as exc:
        detail = say("inconsistent", why=exc)
        diag = messages.make("E502", claim.expr.span, claim=_name(claim), detail=detail,
                             hint=say("inconsistent-hint", seed=seed))
        return ClaimResult(claim, Status.UNCHECKED, say("inconsistent-status", detail=detail), diag, seed)
    if all(close(s.claimed, s.true) for s in samples):
        return ClaimResult(claim, Status.VERIFIED, "; ".join(sorted(notes)), None, seed)
    return _wrong(claim, samples, seed, notes)


def _unchecked(claim: Claim, seed: int, why: str) -> ClaimResult:
    diag = messages.make("W501", claim.expr.span, claim=_name(claim), why=why)
    return ClaimResult(claim, Status.UNCHECKED, why, diag, seed)


def _why_not_ok(env, info) -> tuple[str, bool]:
    """Why a claim cannot be verified, and whether the checker's error that
    says so sits on the claim itself (rather than on a definition it uses)."""
    for name in (info.claim.deriv.num.id, info.claim.deriv.den.id):
        known = env.names.get(name)
        if known is None:
            return say("why-undefined", name=name), True
        if not known.ok:
            return say("why-name-errors", name=name), False
    if info.expected is None and (info.claim.deriv.num_indices or info.claim.deriv.den_indices):
        return say("why-entry-indices"), True
    if info.expected is None:
        return say("why-higher-order", claim=_name(info.claim)), True
    if info.got is None:
        return say("why-right-side-errors"), True
    if info.got != info.expected:
        return say("why-right-side-shape", got=fmt(info.got), claim=_name(info.claim),
                   expected=fmt(info.expected)), True
    return say("why-uses-errors"), False


def _wrong(claim: Claim, samples: list[Sample], seed: int, notes: set[str]) -> ClaimResult:
    found = diagnose(samples)
    detail = found.detail
    fix = found.fix
    if (claim.deriv.num_indices or claim.deriv.den_indices) and detail.startswith(say("transposed")):
        # an entry claim transposed: its indices are swapped (and a '.T' would not fit it)
        detail = say("indices-swapped") + detail[len(say("transposed")):]
        found = replace(found, hint=say("swap-indices-hint"))
        fix = None
    if notes:
        joined = "; ".join(sorted(notes)).replace(say("verified-against"), say("compared-with"))
        detail = say("with-notes", detail=detail, notes=joined)
    wrong = [i for i, s in enumerate(samples) if not close(s.claimed, s.true)]
    where = ", ".join(f"{k} = {v}" for k, v in sorted(samples[wrong[0]].sizes.items()))
    count = len(samples)
    checked = say("checked-draws" if count != 1 else "checked-draw", seed=seed, count=count)
    if where:
        which = (say("wrong-in-all", count=count) if len(wrong) == count
                 else say("wrong-in-some", wrong=len(wrong), count=count))
        hint = say("wrong-where", checked=checked, which=which, where=where)
    else:
        hint = checked
    if found.hint:
        hint = say("then", first=found.hint, then=hint)
    labels = [Label(*found.label)] if found.label else []
    diag = messages.make("E500", claim.expr.span, claim=_name(claim), detail=detail, hint=hint, labels=labels,
                         fix=transposes.fix(claim.expr, fix) if fix and fix[0] == "replace"
                         else hints.right_side_fix(claim.expr, fix))
    return ClaimResult(claim, Status.WRONG, detail, diag, seed)


# ------------------------------------------------------------------ a draw

def _sample(shared: Draws, info, draw: int, attempt: int, notes: set[str], last: bool = True) -> Sample:
    y, x = info.claim.deriv.num.id, info.claim.deriv.den.id
    env = shared.env
    reads = shared.reads(info)
    point, sizes = shared.point(draw, attempt, reads)
    try:
        tape = point.tape(x)
        jac = tape.jacobian(y)
        rule = point.kind(y, x)
        true = autodiff.arrange(jac.full, jac.out_shape, jac.in_shape, point.layout, _name(info.claim), rule)
        kinks = tape.kink_arguments(y)
        if any(np.any(np.abs(arg) <= KINK_MARGIN) for arg in kinks):
            raise _Kink
        if kinks and not last and not np.any(true):
            raise _Kink       # every relu is off on the path: the draw says nothing
        if not (np.all(np.isfinite(true)) and np.all(np.isfinite(tape.node(y).value))):
            raise _Unchecked(say("not-finite", name=y))
        symmetric = _symmetric(env, x, tape.leaf.value)
        # The claimed derivative and every dA/dB term inside the claim are
        # cross-checked until one informative agreement each: it validates
        # the rules on that graph, and each check costs two forward passes.
        terms = [(d.num.id, d.den.id) for d in walk(info.claim.expr) if isinstance(d, Deriv)]
        for num, den in dict.fromkeys([(y, x), *terms]):
            if (num, den) not in shared.checked:
                t = point.tape(den)
                try:
                    informative = _cross_check(t, num, t.jacobian(num), shared.directions(draw, attempt),
                                               _symmetric(env, den, t.leaf.value))
                except _Inconsistent as exc:
                    raise _Inconsistent(say("labelled", label=deriv_text(num, den), text=str(exc))) from None
                if informative:
                    shared.checked.add((num, den))
        claimed = _claimed(env, info, point, sizes, info.claim.expr)
    except autodiff.DerivativeError as exc:
        raise _Unchecked(str(exc)) from None
    except EvalError as exc:
        if exc.diagnostic.code == "E600":
            raise _OverBudget(say("not-evaluated", why=exc.diagnostic.message), exc.diagnostic.message) from None
        raise _Unchecked(say("not-evaluated", why=exc.diagnostic.message)) from None
    except OverBudget as exc:
        raise _OverBudget(str(exc), str(exc)) from None
    except DomainError as exc:
        raise _Unchecked(say("not-evaluated", why=exc)) from None
    except np.linalg.LinAlgError as exc:
        raise _Unchecked(say("singular", why=exc)) from None
    if not np.all(np.isfinite(claimed)):
        raise _Unchecked(say("right-side-not-finite"))
    if info.diagonal:
        _require_diagonal(true, info)
        notes.add(say("note-diagonal", shape=fmt(info.expected)))
    elif symmetric:
        notes.add(say("note-symmetric", name=x))
    form = _comparable(info, symmetric, claimed.shape)
    def arranged(p: np.ndarray) -> np.ndarray:     # a part of the full Jacobian, comparable with the claim
        return form(autodiff.arrange(p, jac.out_shape, jac.in_shape, point.layout, kind=rule))
    parts = [(paths.where(span, x), arranged(p)) for span, p in jac.parts]
    if claimed.size == 1 and (true.size == 1 or getattr(info, "zero", False)):
        claimed = np.broadcast_to(claimed.reshape(()), true.shape).copy()   # `= 0` is zero in every entry
    if symmetric and claimed.shape == true.shape:
        claimed = _symmetric_part(claimed)
    kind = "Jacobian" if len(jac.out_shape) == 2 and min(jac.full.shape) > 1 else "derivative"
    true = form(true)

    def claim_terms_now():      # the claim's top-level terms, evaluated only for a diagnosis
        return claim_terms.values(info.claim.expr, lambda e: eval_expr(e, point.values_for(e), sizes,
                                                                        point.deriv_callback),
                                  true.shape, symmetric)
    def variant(expr, values, arranged=True):  # the claim's right side (or a variant, or a part of it)
        if not arranged:
            return as_value(eval_expr(expr, values, sizes, point.deriv_callback))
        v = _claimed(env, info, point, sizes, expr, values)
        v = np.broadcast_to(v.reshape(()), true.shape).copy() if v.size == 1 and true.size == 1 else v
        return _symmetric_part(v) if symmetric and v.shape == true.shape else v
    entries = getattr(info, "form", None)
    return Sample(claimed, true, Lazy(lambda: sizes_of(env, sizes, reads)),
                  Lazy(lambda: scalars(point, sizes, reads)), parts, lambda: named(point, reads),
                  kind, fmt(info.expected), terms=claim_terms_now, symmetric=symmetric, variable=x,
                  through=lambda: paths.through_values(point, y, x, arranged),
                  variants=lambda: [] if info.diagonal else transposes.variants(
                      entries or info.claim.expr, point.values_for(entries or info.claim.expr),
                      entries is not None, variant))


def _claimed(env, info, point, sizes, expr, values=None) -> np.ndarray:
    """The right side's value (``expr``: the claim's, or a variant of it,
    with ``values`` for the names it reads): for an entry claim, the array
    its entries state."""
    form = getattr(info, "form", None)
    if form is None:
        values = point.values_for(expr) if values is None else values
        return as_value(eval_expr(expr, values, sizes, point.deriv_callback))
    values = point.values_for(form) if values is None else values
    known = env.index_ranges.get(id(form), (None, {}))[1]
    layout = Layout(form, values, sizes).seed({n: concrete(s, sizes) for n, s in known.items()})
    return as_value(eval_expr(form, values, sizes, point.deriv_callback, layout=layout))


def _symmetric(env, x: str, value: np.ndarray) -> bool:
    info = env.names.get(x)
    attrs = set(info.attrs) if info is not None else set()
    return bool(attrs & {"symmetric", "spd"}) and value.ndim >= 2 and value.shape[-1] == value.shape[-2]


def _require_diagonal(true: np.ndarray, info) -> None:
    """A vector can stand for a Jacobian only if the Jacobian is diagonal."""
    off = true - np.diagflat(np.diagonal(true))
    if np.all(np.abs(off) <= TOL_ABS + TOL_REL * np.max(np.abs(true))):
        return
    flat = int(np.argmax(np.abs(off)))
    i, j = np.unravel_index(flat, off.shape)
    raise _NotDiagonal(say("not-diagonal", shape=fmt(info.expected), i=i, j=j, value=f"{off.flat[flat]:.4g}"))


def _comparable(info, symmetric: bool, shape: tuple[int, ...]):
    """How to arrange a true derivative (or a part of it) to be compared
    entry by entry with a claimed value of ``shape``: its diagonal for the
    diagonal shorthand, its symmetric part for a symmetric variable."""
    def form(true: np.ndarray) -> np.ndarray:
        if info.diagonal and true.ndim == 2 and true.shape[0] == true.shape[1]:
            return np.diagonal(true).reshape(shape).copy()
        if symmetric and true.ndim >= 2 and true.shape[-1] == true.shape[-2]:
            return _symmetric_part(true)
        return true
    return form
