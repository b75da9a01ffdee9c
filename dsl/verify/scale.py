"""Large declared sizes: what verifying a claim would cost, before anything
is allocated, and whether its sizes may be drawn small instead.

Verification computes, for the claim and every ``dA/dB`` term in it, the
Jacobian of ``A`` by ``B``: one backward sweep per entry of ``A`` over the
values the claim reads, and ``A`` x ``B`` entries held several times over.
:func:`estimate` counts both from the declared shapes at given sizes (no
value is drawn): the bytes, and the work in entries touched.  The work has
a budget of its own, :data:`ENTRIES_PER_SECOND` times the claim's time
budget, so a claim that could not finish in time is known before it starts.

When the cost at the declared sizes is past a budget, the claim is verified
on drawn sizes if it allows it (:func:`drawable`): the shape checker treats
every size symbol symbolically (a symbol never equals an integer or another
symbol), so a claim that checks holds at every size or at none, unless a
fixed size is also read as a number (``L = sum(x) / n``) by the claim or a
definition it needs.  Such a size keeps its value, and when the cost is
still past the budget the claim is refused with the estimate.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dsl.builtins import FUNCTIONS, canonical
from dsl.compute import inputs as data
from dsl.compute.autodiff import COMPARE_COPIES
from dsl.compute.budget import fmt_bytes, memory_budget, powers_of_ten
from dsl.compute.plan import Plan
from dsl.core.ast import Call, Deriv, Expr, Name, children, walk
from dsl.core.dims import Sym
from dsl.core.wording import say
from dsl.verify.draws import Draws

ENTRIES_PER_SECOND = 10**9
"""Entries of arrays that verification is assumed to touch per second, a
generous figure (NumPy on one core does less once Python's per-operation
cost is counted): only a claim that could not finish in its time budget at
this speed is refused or drawn small."""
SWEEP_OVERHEAD = 1000
"""Entries that the Python cost of one operation of one backward sweep is
counted as, so that many sweeps over small arrays are not free."""
DRAWN_SIZE = max(data.SMALL_SIZES)
"""The size a drawn symbol is estimated at (the largest it is drawn at while
there are few symbols)."""


@dataclass(frozen=True)
class Cost:
    """What verifying one claim needs at some sizes."""

    nbytes: int          # the values read plus the largest Jacobian, with its copies
    work: int            # entries touched by the backward sweeps

    def over(self, seconds: float) -> str | None:
        """Why this is past the memory budget or the work that fits in
        ``seconds``, or None when it fits."""
        if self.nbytes > memory_budget():
            return say("cost-memory", need=fmt_bytes(self.nbytes), budget=fmt_bytes(memory_budget()))
        allowed = int(seconds * ENTRIES_PER_SECOND)
        if self.work > allowed:
            return say("cost-work", work=_count(self.work), allowed=_count(allowed), seconds=f"{seconds:g}")
        return None


def _count(n: int) -> str:
    return powers_of_ten(n) if n >= 10**7 else str(n)


def _entries(env, name: str, sizes: Mapping[str, int]) -> int:
    info = env.names.get(name)
    shape = data.concrete_shape(getattr(info, "shape", None), sizes)
    return 1 if shape is None else math.prod(shape)


def estimate(env, plan: Plan, reads: Iterable[str], jacobians: Iterable[tuple[str, str]],
             sizes: Mapping[str, int]) -> Cost:
    """The cost of verifying a claim that reads ``reads`` and needs the
    Jacobians ``(num, den)`` of ``jacobians``, at ``sizes``."""
    reads = list(reads)
    held = data.memory_needed(env, sizes, reads)
    operations = sum(1 for n in reads if n in plan.defs) + 1
    sweep = sum(_entries(env, n, sizes) for n in reads) + SWEEP_OVERHEAD * operations
    largest = work = 0
    for num, den in dict.fromkeys(jacobians):
        m, n = _entries(env, num, sizes), _entries(env, den, sizes)
        largest = max(largest, 8 * m * n * (2 + COMPARE_COPIES))
        work += m * sweep
    return Cost(held + largest, work)


def jacobians_of(claim) -> list[tuple[str, str]]:
    """The Jacobians verifying ``claim`` computes: its own and one per ``dA/dB`` term."""
    terms = [(d.num.id, d.den.id) for d in walk(claim.expr) if isinstance(d, Deriv)]
    return [(claim.deriv.num.id, claim.deriv.den.id), *terms]


def drawable(env, plan: Plan, claim, reads: Iterable[str], fixed: Iterable[str]) -> set[str]:
    """The sizes among ``fixed`` that verifying ``claim`` may draw small:
    those it reads only as sizes (in shapes, or as the size arguments of
    ``ones``, ``eye``...), never as a number."""
    fixed = set(fixed)
    as_numbers: set[str] = set()
    for expr in [claim.expr, *(plan.defs[n] for n in plan.needs(reads))]:
        as_numbers |= _numbers_read(expr, fixed)
    return fixed - as_numbers


def _numbers_read(expr: Expr, symbols: set[str]) -> set[str]:
    """The symbols among ``symbols`` that ``expr`` reads as numbers."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name) and node.id in symbols:
            found.add(node.id)
            continue
        kids = list(children(node))
        if isinstance(node, Call):
            row = FUNCTIONS.get(canonical(node.func))
            if row is not None and row.sizes:      # a size argument is a size, not a number
                kids = [k for k in kids if not isinstance(k, Name)]
        stack.extend(kids)
    return found


class _AtScale(Mapping):
    """Sizes as verification would meet them: the declared values (or
    ``override``), and :data:`DRAWN_SIZE` for a symbol without one; read
    one symbol at a time, never copied whole."""

    def __init__(self, dims: Mapping[str, int | None], override: Mapping[str, int]):
        self.dims, self.override = dims, override

    def __getitem__(self, name: str) -> int:
        if name in self.override:
            return self.override[name]
        value = self.dims[name]
        return DRAWN_SIZE if value is None else value

    def __iter__(self):
        return iter(self.dims)

    def __len__(self) -> int:
        return len(self.dims)

    def __contains__(self, name: object) -> bool:
        return name in self.dims


def _symbols(env, names: Iterable[str]) -> set[str]:
    """The size symbols among ``names`` and in their declared shapes."""
    found: set[str] = set()
    for name in names:
        if name in env.dims:
            found.add(name)
        info = env.names.get(name)
        found.update(d.name for d in getattr(getattr(info, "shape", None), "dims", ()) if isinstance(d, Sym))
    return found


def settings(sizes: Mapping[str, int], names: Iterable[str]) -> str:
    """``n = 1000000, k = 3`` for the symbols ``names``."""
    return ", ".join(f"{k} = {_count(sizes[k])}" for k in sorted(names) if k in sizes)


def choose(shared: Draws, info, inputs: Mapping | None, sizes: Mapping | None, timeout: float,
           smaller: dict[frozenset[str], Draws], refused: str | None = None,
           ) -> tuple[Draws | None, str | None, str | None]:
    """The draws to verify a claim on and a note, or ``(None, None, why)``
    when its cost at the declared sizes is past a budget and they must stay
    (``why`` is None when that is ``refused``).
    The cost is estimated from the shapes, before anything is drawn, or is
    known: ``refused`` is the budget's message for an allocation at the
    declared sizes.  ``smaller`` keeps the redrawn verifications by the
    sizes they draw, for the next claims."""
    if inputs is not None or not info.ok:
        return (shared, None, None) if refused is None else (None, None, None)
    # only the claim's own names and sizes are looked at: linear in the claim, not the program
    reads = shared.reads(info)
    touched = {k for k in _symbols(shared.env, reads) if k not in (sizes or {})
               and (v := shared.env.dims.get(k)) is not None and v > DRAWN_SIZE}
    if not touched:
        return (shared, None, None) if refused is None else (None, None, None)
    at = _AtScale(shared.dims, {})
    jacobians = jacobians_of(info.claim)
    why = refused or estimate(shared.env, shared.plan, reads, jacobians, at).over(timeout)
    if why is None:
        return shared, None, None
    free = drawable(shared.env, shared.plan, info.claim, reads, touched)
    small = _AtScale(shared.dims, dict.fromkeys(free, DRAWN_SIZE))
    if free and estimate(shared.env, shared.plan, reads, jacobians, small).over(timeout) is None:
        key = frozenset(free)
        if key not in smaller:
            smaller[key] = shared.redrawn(free)
        note = "note-drawn-sizes" if refused is None else "note-drawn-refused"
        return smaller[key], say(note, declared=settings(at, free), why=why), None
    if refused is not None:     # the caller keeps its own message
        return None, None, None
    kept = touched - free
    if kept:
        why = say("cost-numbers", why=why, numbers=", ".join(sorted(kept)))
    return None, None, say("cost-refused", declared=settings(at, touched), why=why)
