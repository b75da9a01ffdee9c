"""The checks of a diagnosis about terms (:mod:`dsl.verify.diagnose`):
one term of the claim off by a factor, and a term missing (a multiple of a
named value, the contribution through some uses of the variable, a rank-1
difference)."""
from __future__ import annotations

import itertools

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.wording import say
from dsl.verify.factors import TOL_ABS, close, factor_phrase, factor_words, peak, ratio, zero
from dsl.verify.samples import Diagnosis, factor_of, index, shape_of, value
from dsl.verify.scaled import missing_scaled

MAX_USES = 6
"""Occurrences of the variable beyond which term subsets are not tried."""
MAX_TERMS = 8
"""Top-level terms of a claim beyond which no term is diagnosed alone."""


def check_term_factor(samples):
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
        ratios, used, sides = [], [], []
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
            sides.append((term, rest))
        else:
            words = factor_of(ratios, used, sides) if ratios else None
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


def check_missing(samples):
    return (_missing_named(samples) or _missing_use(samples) or _missing_through(samples)
            or missing_scaled(samples) or _missing_rank_one(samples))


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


def _missing_through(samples):
    """The claim is the truth less the contributions through some uses of a
    definition between X and Y (``s`` in ``f = s * log(s)``): the first such
    definition, in program order, for which one subset of its uses fits."""
    through = [s.through() for s in samples]
    names = [v for v, _ in through[0]]
    if any([v for v, _ in t] != names for t in through):
        return None
    for at in range(len(names)):
        uses = [t[at][1] for t in through]
        k = len(uses[0])
        if any(len(u) != k for u in uses):
            continue
        for size in range(1, k):
            for missing in itertools.combinations(range(k), size):
                check_time()
                gone = [sum(u[i][1] for i in missing) for u in uses]
                if any(zero(g, peak(s.true)) for g, s in zip(gone, samples, strict=True)):
                    continue
                if all(close(s.claimed, s.true - g) for g, s in zip(gone, samples, strict=True)):
                    what = " and ".join(uses[0][i][0] for i in missing)
                    key = "missing-uses" if size > 1 else "missing-use"
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
                words = factor_of(ratios, samples)
            else:
                # not the value's own name (``3*t * t``), nor, of a scalar
                # derivative, the variable (``1/t * s`` for ``s = t * f(t)``)
                drop = {name, samples[0].variable} if samples[0].true.size == 1 else {name}
                others = [{k: v for k, v in s.scalars.items() if k not in drop} for s in samples]
                words = factor_words(ratios, others, samples[0].sizes)
            if words is None:
                continue
            if words.startswith("-"):
                term = label if words == "-1" else f"{_spaced(words[1:])} * {label}"
                if _written(samples):
                    return Diagnosis(say("extra-term", term=term), say("remove-term", term=term),
                                     ("subtract", term))
                return Diagnosis(say("missing-term", term=f"-{term}"), say("subtract-missing", term=term),
                                 ("subtract", term))
            term = label if words == "1" else f"{_spaced(words)} * {label}"
            return Diagnosis(say("missing-term", term=term), say("add-term", term=term), ("add", term))
    return None


def _written(samples) -> bool:
    """Whether one of the claim's top-level terms is ``claimed - true`` in
    every draw: a term the claim has too many (else it lacks the negative)."""
    terms = [s.terms() for s in samples]
    count = len(terms[0])
    if count < 2 or any(len(t) != count for t in terms):
        return False
    return any(all(t[j].value.shape == s.claimed.shape and close(t[j].value, s.claimed - s.true)
                   for t, s in zip(terms, samples, strict=True)) for j in range(count))


def _named_ratios(samples):
    """``(name, label, ratios)``: the named values (or their transposes, as
    ``label`` says) of which true - claimed is a multiple in every draw."""
    named = [s.named() for s in samples]
    diffs = [s.true - s.claimed for s in samples]
    first = samples[0].variable       # a penalty's gradient is a multiple of the variable: tried first
    for name in sorted(named[0], key=lambda n: n != first):
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
        if d.ndim != 2 or min(d.shape) < 2 or _rank(d) != 1:      # matrices only (not tensors)
            return None
    if all(_rank(s.true) < 2 for s in samples):
        return None                   # a rank-1 derivative: any rank-1 claim would fit
    s = samples[0]
    d = s.true - s.claimed
    flat = int(np.argmax(np.abs(d)))
    return Diagnosis(say("missing-rank-one", shape=shape_of(s), value=value(d.flat[flat]), at=index(d, flat)),
                     say("missing-rank-one-hint"))
