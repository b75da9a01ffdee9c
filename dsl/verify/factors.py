"""Comparing drawn values, and factors in words: what the diagnosis of a
wrong claim (:mod:`dsl.verify.diagnose`) says ``claimed = factor * true``
with.

A factor is named when it is the same in every draw (``2``, ``1/2``,
``sqrt(2)``) or when it follows the sizes and scalar inputs of the draws:
a size or a scalar (``m``, ``1/m``, ``lam``), a product or quotient of two
(``m*k``, ``n/m``), or the square root of a size and its reciprocal
(``sqrt(d)``, ``1/sqrt(d)``: attention's scale), or one minus or plus a
scalar and its reciprocal (``1/(1 - p)``: dropout's rescaling), each times
a simple fraction.  A fit must hold in every draw within :func:`close`'s tolerance,
so a factor is never guessed.

>>> factor_words([2.0, 3.0], [{"d": 4.0}, {"d": 9.0}], sizes=("d",))
'sqrt(d)'
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from math import sqrt

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.wording import say

TOL_REL = 1e-6
"""Relative tolerance: the error may be this fraction of the largest entry."""
TOL_ABS = 1e-9
"""Absolute tolerance, for derivatives that are zero or nearly so."""
SAME = 1e-6
"""Relative spread below which the factors of the draws are one factor."""
MAX_DENOMINATOR = 12
"""The largest denominator of a fraction said as a fraction (``1/12``)."""


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal within :data:`TOL_REL` of the larger magnitude plus :data:`TOL_ABS`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    return bool(np.max(np.abs(a - b)) <= TOL_ABS + TOL_REL * scale)


def zero(a: np.ndarray, scale: float = 0.0) -> bool:
    """Zero within the tolerances, relative to ``scale``."""
    return bool(a.size == 0 or np.max(np.abs(a)) <= TOL_ABS + TOL_REL * scale)


def peak(a: np.ndarray) -> float:
    return float(np.max(np.abs(a))) if a.size else 0.0


def ratio(c: np.ndarray, t: np.ndarray) -> float | None:
    """The ``r`` with ``c = r * t``, if there is one (``t`` not zero)."""
    tt = float(np.sum(t * t))
    if tt == 0.0:
        return None
    r = float(np.sum(c * t)) / tt
    return r if r != 0.0 and close(c, r * t) else None


# -------------------------------------------------------------- words

def _fraction(x: float) -> Fraction | None:
    f = Fraction(x).limit_denominator(MAX_DENOMINATOR)
    return f if abs(float(f) - x) <= 1e-9 * max(1.0, abs(x)) else None


def number(x: float) -> str:
    """``2``, ``1/2``, ``-3``, or ``0.3471`` when no simple fraction fits."""
    f = _fraction(x)
    if f is None:
        return f"{x:.4g}"
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


Monomial = tuple[tuple[str, ...], tuple[str, ...]]
"""A factor made of sizes and scalars: the names above and below the line
(``sqrt(d)`` for the square root of ``d``)."""


def _monomials(names: Iterable[str], sizes: Iterable[str], shifted: bool = True) -> Iterator[Monomial]:
    """Candidate factors: s, 1/s, s*t, 1/(s*t), s/t, then sqrt(d), 1/sqrt(d) for sizes d,
    then (1 - s), 1/(1 - s), (1 + s) and 1/(1 + s) for scalars s that are not sizes."""
    names = sorted(names)
    for s in names:
        yield (s,), ()
        yield (), (s,)
    for s, t in itertools.combinations(names, 2):
        yield (s, t), ()
        yield (), (s, t)
        yield (s,), (t,)
        yield (t,), (s,)
    for d in sorted(set(sizes) & set(names)):
        yield (f"sqrt({d})",), ()
        yield (), (f"sqrt({d})",)
    for s in sorted(set(names) - set(sizes)) if shifted else ():   # dropout's keep rate, label smoothing
        for moved in (f"(1 - {s})", f"(1 + {s})"):
            yield (moved,), ()
            yield (), (moved,)


def _value(monomial: Monomial, values: Mapping[str, float]) -> float:
    """The monomial's value in a draw (KeyError for a name the draw lacks)."""
    def one(name: str) -> float:
        if name.startswith("sqrt("):
            return sqrt(values[name[5:-1]])
        if name.startswith("(1 - "):
            return 1.0 - float(values[name[5:-1]])
        if name.startswith("(1 + "):
            return 1.0 + float(values[name[5:-1]])
        return float(values[name])
    above, below = monomial
    out = 1.0
    for name in above:
        out *= one(name)
    for name in below:
        out /= one(name)
    return out


def times(k: Fraction | float, above: Sequence[str] = (), below: Sequence[str] = ()) -> str:
    """``k`` times a monomial in words: ``2*m``, ``m/2``, ``2/m``,
    ``-1/(2*m)``, ``1/sqrt(d)``; ``k`` a decimal when it is no simple fraction."""
    f = k if isinstance(k, Fraction) else _fraction(float(k))
    if f is None:
        words = times(Fraction(1), above, below)
        return f"{number(float(k))}*{words}" if above or below else number(float(k))
    sign = "-" if f < 0 else ""
    p, q = abs(f.numerator), f.denominator
    top = ([str(p)] if p != 1 or not above else []) + list(above)
    bottom = ([str(q)] if q != 1 else []) + list(below)
    text = "*".join(top)
    if bottom:
        den = "*".join(bottom)
        text += "/" + (f"({den})" if len(bottom) > 1 else den)
    return sign + text


def factor_words(ratios: Sequence[float], scalars: Sequence[Mapping[str, float]],
                 sizes: Iterable[str] = (), shifted: bool = True) -> str | None:
    """The factor ``ratios`` (one per draw, with that draw's ``scalars``) in
    words: ``2``, ``1/m``, ``2*lam``, ``sqrt(d)``; None when none fits.
    ``sizes`` names the size symbols among the scalars; ``shifted``: try
    ``(1 - s)`` and ``(1 + s)`` too (not for a scalar derivative, which any
    such factor of a scalar input fits as well as a missing term does)."""
    r0 = ratios[0]
    names = list(scalars[0]) if scalars else []
    if all(abs(r - r0) <= SAME * abs(r0) for r in ratios):
        return _constant(r0, names, scalars[0] if scalars else {}, sizes)
    for above, below in _monomials(names, sizes, shifted):
        check_time()
        try:
            ks = [r / _value((above, below), v) for r, v in zip(ratios, scalars, strict=True)]
        except (KeyError, ZeroDivisionError, ValueError):
            continue
        if all(np.isfinite(k) and abs(k - ks[0]) <= SAME * abs(ks[0]) for k in ks):
            return times(ks[0], above, below)
    return None


def _constant(r: float, names: list[str], values: Mapping[str, float], sizes: Iterable[str]) -> str:
    """A factor the same in every draw: a simple fraction; else the square
    root of a fixed size (``sqrt(d)`` with ``dims d = 8``) or of an integer
    (``sqrt(2)``) times one; else a decimal."""
    if _fraction(r) is not None:
        return number(r)
    roots = [(f"sqrt({d})", float(values[d])) for d in sorted(set(sizes) & set(names))]
    roots += [(f"sqrt({n})", float(n)) for n in range(2, MAX_DENOMINATOR + 1) if int(sqrt(n)) ** 2 != n]
    for words, value in roots:
        if value <= 0:
            continue
        fits = [(f, above, below) for f, above, below in ((_fraction(r / sqrt(value)), (words,), ()),
                                                          (_fraction(r * sqrt(value)), (), (words,)))
                if f is not None]
        if fits:           # the simpler fraction: 1/sqrt(2) rather than sqrt(2)/2
            f, above, below = min(fits, key=lambda fit: fit[0].denominator)
            return times(f, above, below)
    return number(r)


def factor_phrase(words: str) -> str:
    """``off by a factor of 2``, ``the sign is flipped``, ... (the wording keys)."""
    if words == "-1":
        return say("sign-flipped")
    if words.startswith("-"):
        return say("sign-and-factor", factor=words[1:])
    return say("factor", factor=words)
