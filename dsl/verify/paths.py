"""The contributions to a true derivative through each use of a value: what
"missing a term" can name (:mod:`dsl.verify.missing`).

``dY/dX`` is the sum of the contributions through each use of ``X`` in the
definitions (the product rule), which reverse mode gives as the parts of
the Jacobian.  The same holds one step further along the chain: for a
definition ``v`` on the way from ``X`` to ``Y`` (``s = sigma(t)`` in
``f = s * log(s)``), the contribution through one use of ``v`` is that
use's part of ``dY/dv`` times ``dv/dX``.  A claim equal to the truth less
the contributions through some uses of ``v`` misses those uses' terms.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dsl.compute import autodiff
from dsl.compute.budget import OverBudget, check_time
from dsl.compute.numeric import DomainError, EvalError
from dsl.core.wording import say

MAX_USES = 6
"""Occurrences of a value beyond which its uses are not told apart."""
MAX_VALUES = 12
"""Definitions on the way from X to Y whose uses are looked at, at most."""

Uses = list[tuple[str, np.ndarray]]
"""Each use of a value in words ("the use of s at line 3, column 5") with
its contribution to the true derivative."""


def where(span, name: str) -> str:
    """A use of ``name`` in words, at its line and column when known."""
    if span is None:
        return say("use-of", name=name)
    return say("use-of-at", name=name, line=span.line, column=span.column)


def through_values(point: autodiff.Point, y: str, x: str,
                   arrange: Callable[[np.ndarray], np.ndarray]) -> list[tuple[str, Uses]]:
    """For each definition ``v`` between ``x`` and ``y`` used more than once,
    the contribution of each use of ``v`` to ``dy/dx`` (``arrange``\\ d as
    the true derivative is: a full Jacobian in, a comparable value out)."""
    live = point.dependents(x)
    values = [v for v in point.order_of(y) if v in live and v not in (x, y)][:MAX_VALUES]
    out = []
    for v in values:
        check_time()
        try:
            parts = point.tape(v).jacobian(y).parts
            if not 2 <= len(parts) <= MAX_USES:
                continue
            dv = point.tape(x).jacobian(v).full
            out.append((v, [(where(span, v), arrange(p @ dv)) for span, p in parts]))
        except (autodiff.DerivativeError, EvalError, DomainError, OverBudget, ValueError, np.linalg.LinAlgError):
            continue
    return out
