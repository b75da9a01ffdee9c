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
5. one term of the claim (its top-level ``+``/``-`` terms) off by such a
   factor, the others right: ``the term `2 * A @ x` is off by a factor of 2``;
6. missing a term: a multiple of a named value (``2 * lam * W``), the
   contribution through some uses of the variable (the product rule), or a
   rank-1 difference;
7. for a symmetric variable, the Matrix Cookbook's form ``G + G.T - G * I``
   of the gradient ``G`` where ``sym(G)`` is compared;
8. a factor that changes from draw to draw, for a derivative that is not a
   scalar (for a scalar one every claim is some factor of the truth, so the
   ratio says nothing: a missing term is what changes it, hence the order);
9. otherwise the largest error, where it is, claimed against true.

Each check compares with :func:`close`, the verifier's tolerance, so a
diagnosis is as exact as a verification; when two explanations of one kind
fit (two terms each off by a factor), none is given.

>>> t = np.array([[1.0, 2.0]])
>>> diagnose([Sample(-t, t, {}, {})]).detail
'the sign is flipped'
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.verify.factors import TOL_ABS, TOL_REL, close, factor_phrase, factor_words, number, peak, ratio, zero

__all__ = ["TOL_ABS", "TOL_REL", "Diagnosis", "Sample", "Term", "close", "diagnose", "number"]

MAX_USES = 6
"""Occurrences of the variable beyond which term subsets are not tried."""
MAX_TERMS = 8
"""Top-level terms of a claim beyond which no term is diagnosed alone."""


@dataclass(frozen=True)
class Term:
    """One top-level ``+``/``-`` term of a claim in one draw: its source
    text, its span, and its value with its sign, arranged like the claim's."""

    text: str
    span: Span
    value: np.ndarray


@dataclass
class Sample:
    """One draw: claimed and true values (same shape) and what can explain them."""

    claimed: np.ndarray
    true: np.ndarray
    sizes: Mapping[str, int]                      # the sizes of the symbols the claim involves
    scalars: Mapping[str, float]                  # size symbols and scalar names, by name
    parts: list[tuple[str, np.ndarray]] = field(default_factory=list)   # per use of X
    named: Callable[[], dict[str, np.ndarray]] = dict                   # values that may be a term
    kind: str = "derivative"                      # "Jacobian" for vector-by-vector
    shape: str = ""                               # symbolic shape of the derivative, "n x n"
    terms: Callable[[], list[Term]] = list        # the claim's top-level terms
    symmetric: bool = False                       # symmetric parts compared (a symmetric variable)


@dataclass(frozen=True)
class Diagnosis:
    detail: str                 # "the sign is flipped", "off by a factor of 2", ...
    hint: str | None = None     # what to try
    fix: tuple[str, str] | None = None   # a concrete right side: ("negate" | "transpose", "")
                                         # or ("add" | "subtract", the term's source text)
    label: tuple[Span, str] | None = None   # the part of the claim the detail is about, and a word on it


# -------------------------------------------------------------- words

def index(a: np.ndarray, flat: int) -> str:
    if a.ndim == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, a.shape)) + "]"


def _shape(s: Sample) -> str:
    """The derivative's shape as declared (``n x n``), else as drawn."""
    return s.shape or _drawn(s.true)


def _value(x: float) -> str:
    return f"{x:.4g}"


# ------------------------------------------------------------- factors

class _Changes(str):
    """The words for a factor that is not the same in every draw."""


def _scaled(samples: list[Sample], transform) -> str | None:
    """Words for ``claimed = factor * transform(true)`` on every draw, else None."""
    ratios, used = [], []
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
    if not ratios:
        return None
    words = _words(ratios, used)
    if words is None:
        return _Changes(say("factor-changes", values=", ".join(_value(r) for r in ratios)))
    return words


def _words(ratios: list[float], used: list[Sample]) -> str | None:
    """:func:`factors.factor_words` over the draws ``used``."""
    return factor_words(ratios, [s.scalars for s in used], used[0].sizes if used else ())


# ------------------------------------------------------------ the checks

def _check_zero(samples):
    if all(zero(s.claimed, peak(s.true)) for s in samples) and not all(zero(s.true) for s in samples):
        return Diagnosis(say("is-zero"), say("is-zero-hint"))
    if all(zero(s.true, peak(s.claimed)) for s in samples):
        s = next(s for s in samples if not zero(s.claimed))
        flat = int(np.argmax(np.abs(s.claimed)))
        at = index(s.claimed, flat)
        claimed = _value(s.claimed.flat[flat])
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
        return Diagnosis(say("only-diagonal", shape=_shape(samples[0]), kind=samples[0].kind),
                         say("only-diagonal-hint"))
    return None


def _check_term_factor(samples):
    """One top-level term of the claim off by a factor, the others right:
    ``term_j = factor * (true - the other terms)`` in every draw, for
    exactly one ``j``."""
    terms = [s.terms() for s in samples]
    count = len(terms[0])
    if not 2 <= count <= MAX_TERMS or any(len(t) != count for t in terms):
        return None
    found = []
    for j in range(count):
        check_time()
        ratios, used = [], []
        for s, ts in zip(samples, terms, strict=True):
            term = ts[j].value
            if term.shape != s.true.shape:
                return None
            rest = s.true - sum((t.value for i, t in enumerate(ts) if i != j), np.zeros_like(s.true))
            if zero(term, peak(s.true)) and zero(rest, peak(s.true)):
                continue
            r = ratio(term, rest)
            if r is None:
                break
            ratios.append(r)
            used.append(s)
        else:
            words = _words(ratios, used) if ratios else None
            if words is not None and words != "1":
                found.append((terms[0][j], words))
    if len(found) != 1:
        return None                   # none fits, or two do: not said
    term, words = found[0]
    if words == "-1":
        detail, hint = say("term-sign", term=term.text), say("term-sign-hint", term=term.text)
    elif words.startswith("-"):
        detail, hint = say("term-sign-and-factor", term=term.text, factor=words[1:]), say("term-sign-hint",
                                                                                            term=term.text)
    else:
        detail, hint = say("term-factor", term=term.text, factor=words), say("term-factor-hint", term=term.text)
    return Diagnosis(detail, hint, label=(term.span, factor_phrase(words)))


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


def _check_missing(samples):
    return _missing_named(samples) or _missing_use(samples) or _missing_rank_one(samples)


def _missing_use(samples):
    """The claim is the sum of the contributions of some uses of X, not all."""
    counts = {len(s.parts) for s in samples}
    if len(counts) != 1:
        return None
    k = counts.pop()
    if not 2 <= k <= MAX_USES:
        return None
    live = [i for i in range(k) if not all(zero(s.parts[i][1], peak(s.true)) for s in samples)]
    for size in range(1, len(live)):
        for kept in itertools.combinations(live, size):
            check_time()
            if all(close(s.claimed, sum(s.parts[i][1] for i in kept)) for s in samples):
                missing = [samples[0].parts[i][0] for i in live if i not in kept]
                what = " and ".join(missing)
                key = "missing-uses" if len(missing) > 1 else "missing-use"
                return Diagnosis(say(key, what=what), say("missing-use-hint"))
    return None


def _missing_named(samples):
    """The difference true - claimed is a multiple of a named value: a
    constant one first (``missing a term: h``), then one that follows the
    sizes and the other scalars (``2 * lam * W``)."""
    fits = list(_named_ratios(samples))
    for constant in (True, False):
        for name, label, ratios in fits:
            check_time()
            if constant:
                if not all(abs(r - ratios[0]) <= 1e-6 * abs(ratios[0]) for r in ratios):
                    continue
                words = _words(ratios, samples)
            else:
                others = [{k: v for k, v in s.scalars.items() if k != name} for s in samples]
                words = factor_words(ratios, others, samples[0].sizes)
            if words is None:
                continue
            if words.startswith("-"):
                term = label if words == "-1" else f"{_spaced(words[1:])} * {label}"
                return Diagnosis(say("extra-term", term=term), say("remove-term", term=term), ("subtract", term))
            term = label if words == "1" else f"{_spaced(words)} * {label}"
            return Diagnosis(say("missing-term", term=term), say("add-term", term=term), ("add", term))
    return None


def _named_ratios(samples):
    """``(name, label, ratios)``: the named values (or their transposes, as
    ``label`` says) of which true - claimed is a multiple in every draw."""
    named = [s.named() for s in samples]
    diffs = [s.true - s.claimed for s in samples]
    for name in named[0]:
        check_time()
        for label, form in ((name, lambda v: v), (f"{name}.T", lambda v: v.T)):
            ratios = []
            for diff, values in zip(diffs, named, strict=True):
                v = values.get(name)
                if v is None:
                    break
                v = form(v)
                if v.size == 1 and diff.size > 1:
                    v = np.full(diff.shape, float(v.reshape(-1)[0]))
                if v.shape != diff.shape:
                    break
                r = ratio(diff, v)
                if r is None:
                    break
                ratios.append(r)
            else:
                yield name, label, ratios


def _spaced(words: str) -> str:
    return words.replace("*", " * ")


def _rank(a: np.ndarray) -> int:
    if a.ndim < 2 or min(a.shape) < 2:
        return min(1, int(not zero(a)))
    sv = np.linalg.svd(a, compute_uv=False)
    return int(np.sum(sv > 1e-8 * max(sv[0], TOL_ABS)))


def _missing_rank_one(samples):
    """The difference is a rank-1 matrix while the derivative is not."""
    for s in samples:
        d = s.true - s.claimed
        if d.ndim < 2 or min(d.shape) < 2 or _rank(d) != 1:
            return None
    if all(_rank(s.true) < 2 for s in samples):
        return None                   # a rank-1 derivative: any rank-1 claim would fit
    s = samples[0]
    d = s.true - s.claimed
    flat = int(np.argmax(np.abs(d)))
    return Diagnosis(say("missing-rank-one", shape=_shape(s), value=_value(d.flat[flat]), at=index(d, flat)),
                     say("missing-rank-one-hint"))


def _largest_error(samples):
    def rel(s):
        return peak(s.claimed - s.true) / max(peak(s.true), TOL_ABS)
    s = max((s for s in samples if not close(s.claimed, s.true)), key=rel, default=samples[0])
    flat = int(np.argmax(np.abs(s.claimed - s.true)))
    at = index(s.true, flat)
    claimed, true = _value(s.claimed.flat[flat]), _value(s.true.flat[flat])
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


CHECKS = (_check_zero, _check_factor, _check_transposed, _check_diagonal, _check_term_factor, _check_missing,
          _check_cookbook, _check_changing)


def _check_shapes(samples):
    """Claimed and true values of different shapes (a defect upstream, never
    guessed about): said so, before any check that compares entries."""
    for s in samples:
        if s.claimed.shape != s.true.shape:
            return Diagnosis(say("shape-differs", claimed=_drawn(s.claimed), true=_drawn(s.true)))
    return None


def _drawn(a: np.ndarray) -> str:
    return " x ".join(map(str, a.shape)) if a.ndim else "scalar"


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
