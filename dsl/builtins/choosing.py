"""Rows of the functions that choose between values entry by entry:
``maximum``, ``minimum``, ``clip`` and ``where``.

Their arguments broadcast together as NumPy's do (:func:`broadcast_shapes`);
each VJP gives the gradient to the argument chosen, entry by entry, and
``unbroadcast`` (in ``compute.vjp``) sums it back to the argument's shape.
A tie of ``maximum``/``minimum`` and an entry of ``clip`` at a bound are
kinks (``kink_at``), redrawn as relu's are.  ``where``'s condition has no
derivative; a comparison in it (``x > 0``) carries its own kink.
"""
from __future__ import annotations

from dsl.builtins import symbolic as sym
from dsl.builtins.table import Builtin, broadcast_shapes, np, register


def _shapes(a, axis):
    return broadcast_shapes(a)


def _chosen(first: bool, larger: bool):
    """The VJP of maximum (``larger``) or minimum for one argument: ``g``
    where that argument is chosen, half of it at a tie."""
    def rule(g, out, a, b):
        wins = (a > b) if larger else (a < b)
        share = np.where(a == b, 0.5, np.where(wins, 1.0, 0.0))
        return g * (share if first else 1.0 - share)
    return rule


def _difference(a, b):
    return np.asarray(a, dtype=np.float64) - b


register(Builtin(
    "maximum", "maximum(a, b)", "the broadcast shape", "the larger of `a` and `b`, entry by entry",
    _shapes, lambda a, b: np.maximum(a, b), arity=(2, 2),
    vjp=(_chosen(True, True), _chosen(False, True)), symbolic=sym.chosen_rule(True), kink=True, kink_at=_difference))
register(Builtin(
    "minimum", "minimum(a, b)", "the broadcast shape", "the smaller of `a` and `b`, entry by entry",
    _shapes, lambda a, b: np.minimum(a, b), arity=(2, 2),
    vjp=(_chosen(True, False), _chosen(False, False)), symbolic=sym.chosen_rule(False), kink=True, kink_at=_difference))


# ---------------------------------------------------------------------- clip
# clip(x, lo, hi) is minimum(maximum(x, lo), hi), as NumPy computes it.

def _clip_parts(x, lo, hi):
    """Where the result is x, lo or hi (masks of the broadcast shape)."""
    raised = np.maximum(x, lo)
    top = raised >= hi
    at_lo = (x <= lo) & ~top
    return ~top & ~at_lo, at_lo, top


def _clip_rule(which: int):
    def rule(g, out, x, lo, hi):
        return g * _clip_parts(x, lo, hi)[which]
    return rule


register(Builtin(
    "clip", "clip(x, lo, hi)", "the broadcast shape", "`x` limited to `[lo, hi]` entry by entry",
    _shapes, lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), arity=(3, 3),
    vjp=(_clip_rule(0), _clip_rule(1), _clip_rule(2)), symbolic=sym.clip_rule, kink=True,
    kink_at=lambda x, lo, hi: (np.asarray(x, dtype=np.float64) - lo) * (x - hi)))


# --------------------------------------------------------------------- where

def _where_rule(which: int):
    def rule(g, out, c, a, b):
        if which == 0:
            return np.zeros_like(out)           # the condition has no derivative
        chosen = c != 0
        return g * (chosen if which == 1 else ~chosen)
    return rule


register(Builtin(
    "where", "where(c, a, b)", "the broadcast shape",
    "`a` where `c` is nonzero (a comparison such as `x > 0`, or a 0/1 mask), else `b`",
    _shapes, lambda c, a, b: np.where(c != 0, a, b), arity=(3, 3),
    vjp=(_where_rule(0), _where_rule(1), _where_rule(2)), symbolic=sym.where_rule))
