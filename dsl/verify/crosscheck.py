"""The cross-check of reverse mode: ``<u, J v>`` against central differences
along a random direction ``v``, so that a wrong differentiation rule is an
internal-consistency error (E502), never a verdict on the user's claim."""
from __future__ import annotations

import numpy as np

from dsl.compute import autodiff
from dsl.compute.budget import check_time
from dsl.core.wording import say
from dsl.verify.diagnose import TOL_ABS

FD_EPS = 1e-6
"""Central-difference step, relative to the largest entry of the variable."""
FD_TOL = 1e-5
"""Relative tolerance of the finite-difference cross-check."""


class Kink(Exception):
    """The draw sits on (or the step crosses) a kink of relu/abs."""


class Inconsistent(Exception):
    """Reverse mode and finite differences disagree."""


def symmetric_part(t: np.ndarray) -> np.ndarray:
    """``(t + t.T) / 2``, of each matrix of the last two axes for a tensor."""
    return (t + np.swapaxes(t, -1, -2)) / 2


def cross_check(tape: autodiff.Tape, y: str, jac: autodiff.Jacobian, rng: np.random.Generator,
                 symmetric: bool) -> bool:
    """``<u, J v>`` by reverse mode against central differences along ``v``.

    Returns whether the agreement was informative (``J v`` not zero).
    Raises :class:`Kink` if the step changes the sign of a relu/abs
    argument, :class:`Inconsistent` if the two disagree beyond the
    truncation and rounding errors of the difference quotient.
    """
    x0 = tape.leaf.value
    f0 = tape.node(y).value
    v = rng.uniform(-1.0, 1.0, x0.shape)      # any random direction will do; uniform is cheap
    if symmetric:
        v = symmetric_part(v)
    v /= max(float(np.linalg.norm(v)), 1e-300)
    u = rng.uniform(-1.0, 1.0, f0.shape)
    jv = jac.full @ v.reshape(-1)
    by_reverse = float(u.reshape(-1) @ jv)
    scale = float(np.linalg.norm(u) * np.linalg.norm(jv))
    base = tape.kink_arguments(y)
    h0 = FD_EPS * max(1.0, float(np.max(np.abs(x0))) if x0.size else 1.0)
    # A correct rule agrees at some step; trying a larger and a smaller one
    # keeps strong curvature or rounding from passing for an inconsistency.
    for h in (h0, h0 * 10, h0 / 10):
        check_time()
        plus, kinks_plus = tape.replay(y, x0 + h * v)
        minus, kinks_minus = tape.replay(y, x0 - h * v)
        for b, p, m in zip(base, kinks_plus, kinks_minus, strict=True):
            if np.any(np.sign(p) != np.sign(b)) or np.any(np.sign(m) != np.sign(b)):
                raise Kink
        by_differences = float(np.sum(u * (plus - minus)) / (2 * h))
        rounding = 100 * np.finfo(np.float64).eps * float(np.sum(np.abs(u * f0))) / h
        tol = FD_TOL * max(scale, abs(by_differences)) + rounding + TOL_ABS
        if np.isfinite(by_differences) and abs(by_reverse - by_differences) <= tol:
            return scale > 0.0
    raise Inconsistent(say("uJv", reverse=f"{by_reverse:.6g}", differences=f"{by_differences:.6g}"))
