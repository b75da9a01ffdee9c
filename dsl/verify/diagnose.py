"""How a wrong claim is wrong: the diagnosis, in words.

:func:`diagnose` gets, for every draw, the claimed value and the true
derivative (already arranged for comparison: the diagonal for the diagonal
shorthand, symmetric parts for a symmetric variable) and returns the first
explanation that fits *every* draw, in this order:

1. identically zero (or the true derivative is zero and the claim is not);
2. a factor the same in every draw or following the sizes and scalars
   (:mod:`dsl.verify.factors`): the sign is flipped (``-1``), a constant
   (``2``, ``1/2``, ``sqrt(2)``), ``m``, ``1/m``, ``lam``, ``sqrt(d)``;
3. transposed (possibly with a factor);
4. only the diagonal of the true derivative;
5. a transpose missing or extra on one square matrix the claim names, or
   the claim right only for a symmetric one (:mod:`dsl.verify.transposes`);
6. one term of the claim (its top-level ``+``/``-`` terms) off by such a
   factor, the others right: ``the term `2 * A @ x` is off by a factor of 2``;
7. missing a term: a multiple of a named value (``2 * lam * W``), the
   contribution through some uses of the variable (the product rule) or of
   a definition between the variable and the result (:mod:`dsl.verify.paths`),
   or a rank-1 difference;
8. for a symmetric variable, the Matrix Cookbook's form ``G + G.T - G * I``
   of the gradient ``G`` where ``sym(G)`` is compared;
9. a factor that changes from draw to draw, for a derivative that is not a
   scalar (for a scalar one every claim is some factor of the truth, so the
   ratio says nothing: a missing term is what changes it, hence the order);
10. otherwise the largest error, where it is, claimed against true.

Each check compares with :func:`close`, the verifier's tolerance, so a
diagnosis is as exact as a verification; when two explanations of one kind
fit (two terms each off by a factor), none is given.  Of a scalar claim, a
factor is not made of a value that is the claim or the truth itself (claim
``t`` for the truth ``s`` is not "off by a factor of t/s").

>>> t = np.array([[1.0, 2.0]])
>>> diagnose([Sample(-t, t, {}, {})]).detail
'the sign is flipped'
"""
from __future__ import annotations

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.wording import say
from dsl.verify.factors import TOL_ABS, TOL_REL, close, factor_phrase, number, peak, ratio, zero
from dsl.verify.missing import check_missing, check_term_factor
from dsl.verify.samples import Diagnosis, Sample, Term, drawn, factor_of, index, shape_of, value
from dsl.verify.transposes import check_transposes

__all__ = ["TOL_ABS", "TOL_REL", "Diagnosis", "Sample", "Term", "close", "diagnose", "number"]


class _Changes(str):
    """The words for a factor that is not the same in every draw."""


def _scaled(samples: list[Sample], transform) -> str | None:
    """Words for ``claimed = factor * transform(true)`` on every draw, else None."""
    ratios, used, sides = [], [], []
    for s in samples:
        t = transform(s.true)
        if t is None or t.shape != s.claimed.shape:
            return None
        if zero(t) and zero(s.claimed):
            continue                  # both zero here: any factor fits this draw
        r = ratio(s.claimed, t)
        if r is None:
            return None
        ratios.append(r)
        used.append(s)
        sides.append((s.claimed, t))
    if not ratios:
        return None
    words = factor_of(ratios, used, sides)
    if words is None:
        return _Changes(say("factor-changes", values=", ".join(value(r) for r in ratios)))
    return words


# ------------------------------------------------------------ the checks

def _check_zero(samples):
    if all(zero(s.claimed, peak(s.true)) for s in samples) and not all(zero(s.true) for s in samples):
        return Diagnosis(say("is-zero"), say("is-zero-hint"))
    if all(zero(s.true, peak(s.claimed)) for s in samples):
        s = next(s for s in samples if not zero(s.claimed))
        flat = int(np.argmax(np.abs(s.claimed)))
        at = index(s.claimed, flat)
        claimed = value(s.claimed.flat[flat])
        detail = say("true-zero-at", value=claimed, at=at) if at else say("true-zero", value=claimed)
        return Diagnosis(detail, say("true-zero-hint"))
    return None


def _check_factor(samples):
    words = _scaled(samples, lambda t: t)
    if words is None or words == "1":
        return None
    if isinstance(words, _Changes):
        return None                   # said last (_check_changing), if nothing else fits
    hint = say("negate-hint") if words == "-1" else say("factor-hint")
    return Diagnosis(factor_phrase(words), hint, ("negate", "") if words == "-1" else None)


def _square_not_symmetric(t):
    return t.ndim == 2 and t.shape[0] == t.shape[1] and t.shape[0] > 1 and not close(t, t.T)


def _check_transposed(samples):
    if not all(_square_not_symmetric(s.true) for s in samples):
        return None
    words = _scaled(samples, lambda t: t.T)
    if words is None or isinstance(words, _Changes):
        return None
    if words == "1":
        return Diagnosis(say("transposed"), say("transpose-hint"), ("transpose", ""))
    return Diagnosis(say("transposed-and", factor=factor_phrase(words)), say("transpose-hint"))


def _check_diagonal(samples):
    def diagonal(t):
        return np.diagflat(np.diagonal(t)) if t.ndim == 2 and t.shape[0] == t.shape[1] else None
    if not all(diagonal(s.true) is not None and not close(diagonal(s.true), s.true) for s in samples):
        return None
    if all(close(s.claimed, diagonal(s.true)) for s in samples):
        return Diagnosis(say("only-diagonal", shape=shape_of(samples[0]), kind=samples[0].kind),
                         say("only-diagonal-hint"))
    return None


def _cookbook(t: np.ndarray) -> np.ndarray:
    return 2 * t - np.diagflat(np.diagonal(t))


def _check_cookbook(samples):
    """For a symmetric variable: the claim is ``G + G.T - G * I`` where the
    symmetric part ``S = (G + G.T) / 2`` of the gradient is compared, that
    is ``2 S - diag(S)`` (the Matrix Cookbook's eq. 138)."""
    if not all(s.symmetric and s.true.ndim == 2 and s.true.shape[0] == s.true.shape[1] for s in samples):
        return None
    if all(close(s.claimed, _cookbook(s.true)) for s in samples):
        return Diagnosis(say("cookbook-symmetric"), say("cookbook-symmetric-hint"))
    return None


def _largest_error(samples):
    def rel(s):
        return peak(s.claimed - s.true) / max(peak(s.true), TOL_ABS)
    s = max((s for s in samples if not close(s.claimed, s.true)), key=rel, default=samples[0])
    flat = int(np.argmax(np.abs(s.claimed - s.true)))
    at = index(s.true, flat)
    claimed, true = value(s.claimed.flat[flat]), value(s.true.flat[flat])
    return Diagnosis(say("largest-error-at", at=at, claimed=claimed, true=true) if at
                     else say("largest-error", claimed=claimed, true=true))


def _check_changing(samples):
    """A factor that changes from draw to draw, of a derivative that is not a scalar."""
    if all(s.true.size == 1 for s in samples):
        return None
    words = _scaled(samples, lambda t: t)
    if isinstance(words, _Changes):
        return Diagnosis(words, say("factor-changes-hint"))
    return None


CHECKS = (_check_zero, _check_factor, _check_transposed, _check_diagonal, check_transposes, check_term_factor,
          check_missing, _check_cookbook, _check_changing)


def _check_shapes(samples):
    """Claimed and true values of different shapes (a defect upstream, never
    guessed about): said so, before any check that compares entries."""
    for s in samples:
        if s.claimed.shape != s.true.shape:
            return Diagnosis(say("shape-differs", claimed=drawn(s.claimed), true=drawn(s.true)))
    return None


def diagnose(samples: list[Sample]) -> Diagnosis:
    """The first explanation that fits every draw (see the module docstring)."""
    mismatch = _check_shapes(samples)
    if mismatch is not None:
        return mismatch
    for check in CHECKS:
        check_time()
        found = check(samples)
        if found is not None:
            return found
    return _largest_error(samples)
