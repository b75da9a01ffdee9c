"""A missing term that is a named matrix scaled row by row (or column by
column): ``r * V`` for a column ``r`` (a row ``c``), as the normalisation
term ``A * sum(dA * A, axis=1)`` of the backward pass of a row-wise softmax
(:mod:`dsl.verify.missing`).

The difference ``true - claimed`` is such a term when, in every draw, each
of its rows is the same multiple of the row of one named value ``V``, the
multiple changing from row to row (a constant one is a multiple of ``V``,
found before).  The scaling vector is then named when it is, in every draw,
a sum along that axis of a named value or of the product of two, so the
term can be written out; otherwise the term is described by ``V`` alone.
"""
from __future__ import annotations

import itertools

import numpy as np

from dsl.compute.budget import check_time
from dsl.core.wording import say
from dsl.verify.factors import close, peak, zero
from dsl.verify.samples import Diagnosis

MAX_NAMED = 12
"""Named values tried as the scaled matrix or in the scaling vector, at most."""


def _scaling(diff: np.ndarray, v: np.ndarray, axis: int) -> np.ndarray | None:
    """``r`` with ``diff == r * v`` (``r`` a column for ``axis=1``, a row
    for ``axis=0``), by least squares along ``axis``; None if none fits."""
    den = np.sum(v * v, axis=axis, keepdims=True)
    if np.any(den <= 0):
        return None
    r = np.sum(diff * v, axis=axis, keepdims=True) / den
    return r if close(r * v, diff) else None


def _constant(r: np.ndarray) -> bool:
    return bool(np.allclose(r, r.reshape(-1)[0], rtol=1e-6, atol=1e-12))


def _candidates(named: dict[str, np.ndarray], shape: tuple[int, ...], axis: int):
    """``(text, value)`` of the sums along ``axis`` of a named value and of
    the elementwise product of two, for values of ``shape``."""
    names = [n for n, v in named.items() if v.shape == shape][:MAX_NAMED]
    for a in names:
        yield f"sum({a}, axis={axis})", lambda vals, a=a: np.sum(vals[a], axis=axis, keepdims=True)
    for a, b in itertools.combinations_with_replacement(names, 2):
        text = f"sum({a} ** 2, axis={axis})" if a == b else f"sum({b} * {a}, axis={axis})"
        yield text, lambda vals, a=a, b=b: np.sum(vals[a] * vals[b], axis=axis, keepdims=True)


def _name_scaling(named: list[dict[str, np.ndarray]], scalings: list[np.ndarray], axis: int):
    """The text of the scaling vector and its sign (``1`` or ``-1``), when it
    is the same named sum in every draw."""
    shape = named[0][next(iter(named[0]))].shape if named[0] else ()
    for text, form in _candidates(named[0], shape, axis):
        check_time()
        for sign in (1, -1):
            try:
                if all(close(sign * form(vals), r) for vals, r in zip(named, scalings, strict=True)):
                    return text, sign
            except KeyError:
                break
    return None


def missing_scaled(samples):
    """A term ``r * V`` missing, ``V`` a named matrix and ``r`` a column (or
    row) that is not constant: the claim misses a row-wise (column-wise)
    scaling of ``V``."""
    diffs = [s.true - s.claimed for s in samples]
    if any(d.ndim != 2 or min(d.shape) < 2 or zero(d, peak(s.true)) for d, s in zip(diffs, samples, strict=True)):
        return None
    named = [s.named() for s in samples]
    for name in list(named[0])[:MAX_NAMED]:
        for axis in (1, 0):
            check_time()
            scalings = []
            for diff, vals in zip(diffs, named, strict=True):
                v = vals.get(name)
                if v is None or v.shape != diff.shape:
                    break
                r = _scaling(diff, v, axis)
                if r is None or _constant(r):
                    break
                scalings.append(r)
            else:
                return _diagnosis(name, axis, named, scalings)
    return None


def _diagnosis(name: str, axis: int, named, scalings) -> Diagnosis:
    same = [{k: v for k, v in vals.items() if v.shape == vals[name].shape} for vals in named]
    found = _name_scaling(same, scalings, axis)
    if found is None:
        key = "missing-row-scaled" if axis == 1 else "missing-column-scaled"
        return Diagnosis(say(key, name=name), say("missing-scaled-hint", name=name))
    text, sign = found
    term = f"{name} * {text}"
    if sign > 0:
        return Diagnosis(say("missing-term", term=term), say("add-term", term=term), ("add", term))
    return Diagnosis(say("missing-term", term=f"-{term}"), say("subtract-missing", term=term), ("subtract", term))
