"""How a wrong claim is wrong: the diagnosis, in words.

:func:`diagnose` gets, for every draw, the claimed value and the true
derivative (already arranged for comparison: the diagonal for the diagonal
shorthand, symmetric parts for a symmetric variable) and returns the first
explanation that fits *every* draw, in this order:

1. identically zero (or the true derivative is zero and the claim is not);
2. a factor: the sign is flipped (``-1``), a constant (``2``, ``1/2``), or a
   factor that follows a size or a scalar input (``m``, ``1/m``, ``lam``);
3. transposed (possibly with a factor);
4. only the diagonal of the true derivative;
5. missing a term: the contribution through one use of the variable, a
   multiple of a named value (``2 * lam * W``), or a rank-1 difference;
6. otherwise the largest error, where it is, claimed against true.

Each check compares with :func:`close`, the verifier's tolerance, so a
diagnosis is as exact as a verification.

>>> t = np.array([[1.0, 2.0]])
>>> diagnose([Sample(-t, t, {}, {})]).detail
'the sign is flipped'
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.wording import say

TOL_REL = 1e-6
"""Relative tolerance: the error may be this fraction of the largest entry."""
TOL_ABS = 1e-9
"""Absolute tolerance, for derivatives that are zero or nearly so."""

MAX_USES = 6
"""Occurrences of the variable beyond which term subsets are not tried."""


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


@dataclass(frozen=True)
class Diagnosis:
    detail: str                 # "the sign is flipped", "off by a factor of 2", ...
    hint: str | None = None     # what to try
    fix: tuple[str, str] | None = None   # a concrete right side: ("negate" | "transpose", "")
                                         # or ("add" | "subtract", the term's source text)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal within :data:`TOL_REL` of the larger magnitude plus :data:`TOL_ABS`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    return bool(np.max(np.abs(a - b)) <= TOL_ABS + TOL_REL * scale)


def _zero(a: np.ndarray, scale: float = 0.0) -> bool:
    return bool(a.size == 0 or np.max(np.abs(a)) <= TOL_ABS + TOL_REL * scale)


def _peak(a: np.ndarray) -> float:
    return float(np.max(np.abs(a))) if a.size else 0.0


# -------------------------------------------------------------- words

def number(x: float) -> str:
    """``2``, ``1/2``, ``-3``, or ``0.3471`` when no simple fraction fits."""
    f = Fraction(x).limit_denominator(12)
    if abs(float(f) - x) <= 1e-9 * max(1.0, abs(x)):
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    return f"{x:.4g}"


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

def _ratio(c: np.ndarray, t: np.ndarray) -> float | None:
    """The ``r`` with ``c = r * t``, if there is one (``t`` not zero)."""
    tt = float(np.sum(t * t))
    if tt == 0.0:
        return None
    r = float(np.sum(c * t)) / tt
    return r if r != 0.0 and close(c, r * t) else None


def _monomials(scalars: Mapping[str, float]):
    """Candidate factors built from sizes and scalars: s, 1/s, s*t, s/t, 1/(s*t)."""
    names = sorted(scalars)
    for s in names:
        yield s, lambda v, s=s: v[s]
        yield f"1/{s}", lambda v, s=s: 1.0 / v[s]
    for s, t in itertools.combinations(names, 2):
        yield f"{s}*{t}", lambda v, s=s, t=t: v[s] * v[t]
        yield f"1/({s}*{t})", lambda v, s=s, t=t: 1.0 / (v[s] * v[t])
        yield f"{s}/{t}", lambda v, s=s, t=t: v[s] / v[t]
        yield f"{t}/{s}", lambda v, s=s, t=t: v[t] / v[s]


def factor_words(ratios: list[float], samples: list[Sample]) -> str | None:
    """The factor ``ratios`` (one per draw) in words: ``2``, ``1/m``, ``2*lam``."""
    r0 = ratios[0]
    if all(abs(r - r0) <= 1e-6 * abs(r0) for r in ratios):
        return number(r0)
    for words, value in _monomials(samples[0].scalars):
        check_time()
        try:
            ks = [r / value(s.scalars) for r, s in zip(ratios, samples, strict=True)]
        except (KeyError, ZeroDivisionError):
            continue
        if all(np.isfinite(k) and abs(k - ks[0]) <= 1e-6 * abs(ks[0]) for k in ks):
            return _times(ks[0], words)
    return None


def _times(k: float, words: str) -> str:
    """``k`` times a monomial in words: ``2*m``, ``m/2``, ``2/m``, ``-1/(2*m)``."""
    sign, text = ("-" if k < 0 else ""), number(abs(k))
    if not all(ch.isdigit() or ch == "/" for ch in text):     # no simple fraction
        return f"{number(k)}*{words}"
    f = Fraction(text)
    p, q = f.numerator, f.denominator
    if words.startswith("1/"):
        den = words[2:]
        den = den if q == 1 else f"({q}*{den.strip('()')})"
        return f"{sign}{p}/{den}"
    num = words if p == 1 else f"{p}*{words}"
    return f"{sign}{num}" if q == 1 else f"{sign}{num}/{q}"


def _factor_phrase(words: str) -> str:
    if words == "-1":
        return say("sign-flipped")
    if words.startswith("-"):
        return say("sign-and-factor", factor=words[1:])
    return say("factor", factor=words)


class _Changes(str):
    """The words for a factor that is not the same in every draw."""


def _scaled(samples: list[Sample], transform) -> str | None:
    """Words for ``claimed = factor * transform(true)`` on every draw, else None."""
    ratios, used = [], []
    for s in samples:
        t = transform(s.true)
        if t is None or t.shape != s.claimed.shape:
            return None
        if _zero(t) and _zero(s.claimed):
            continue                  # both zero here: any factor fits this draw
        r = _ratio(s.claimed, t)
        if r is None:
            return None
        ratios.append(r)
        used.append(s)
    if not ratios:
        return None
    words = factor_words(ratios, used)
    if words is None:
        return _Changes(say("factor-changes", values=", ".join(_value(r) for r in ratios)))
    return words


# ------------------------------------------------------------ the checks

def _check_zero(samples):
    if all(_zero(s.claimed, _peak(s.true)) for s in samples) and not all(_zero(s.true) for s in samples):
        return Diagnosis(say("is-zero"), say("is-zero-hint"))
    if all(_zero(s.true, _peak(s.claimed)) for s in samples):
        s = next(s for s in samples if not _zero(s.claimed))
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
        return Diagnosis(words, say("factor-changes-hint"))
    hint = say("negate-hint") if words == "-1" else say("factor-hint")
    return Diagnosis(_factor_phrase(words), hint, ("negate", "") if words == "-1" else None)


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
    return Diagnosis(say("transposed-and", factor=_factor_phrase(words)), say("transpose-hint"))


def _check_diagonal(samples):
    def diagonal(t):
        return np.diagflat(np.diagonal(t)) if t.ndim == 2 and t.shape[0] == t.shape[1] else None
    if not all(diagonal(s.true) is not None and not close(diagonal(s.true), s.true) for s in samples):
        return None
    if all(close(s.claimed, diagonal(s.true)) for s in samples):
        return Diagnosis(say("only-diagonal", shape=_shape(samples[0]), kind=samples[0].kind),
                         say("only-diagonal-hint"))
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
    live = [i for i in range(k) if not all(_zero(s.parts[i][1], _peak(s.true)) for s in samples)]
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
    """The difference true - claimed is a multiple of a named value."""
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
                r = _ratio(diff, v)
                if r is None:
                    break
                ratios.append(r)
            else:
                words = factor_words(ratios, samples)
                if words is None:
                    continue
                if words.startswith("-"):
                    term = label if words == "-1" else f"{_spaced(words[1:])} * {label}"
                    return Diagnosis(say("extra-term", term=term), say("remove-term", term=term),
                                     ("subtract", term))
                term = label if words == "1" else f"{_spaced(words)} * {label}"
                return Diagnosis(say("missing-term", term=term), say("add-term", term=term), ("add", term))
    return None


def _spaced(words: str) -> str:
    return words.replace("*", " * ")


def _rank(a: np.ndarray) -> int:
    if a.ndim < 2 or min(a.shape) < 2:
        return min(1, int(not _zero(a)))
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
    return Diagnosis(say("missing-rank-one", shape=_shape(s), value=_value(d.flat[flat]), at=index(d, flat)),
                     say("missing-rank-one-hint"))


def _largest_error(samples):
    def rel(s):
        return _peak(s.claimed - s.true) / max(_peak(s.true), TOL_ABS)
    s = max((s for s in samples if not close(s.claimed, s.true)), key=rel, default=samples[0])
    flat = int(np.argmax(np.abs(s.claimed - s.true)))
    at = index(s.true, flat)
    claimed, true = _value(s.claimed.flat[flat]), _value(s.true.flat[flat])
    return Diagnosis(say("largest-error-at", at=at, claimed=claimed, true=true) if at
                     else say("largest-error", claimed=claimed, true=true))


CHECKS = (_check_zero, _check_factor, _check_transposed, _check_diagonal, _check_missing)


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
