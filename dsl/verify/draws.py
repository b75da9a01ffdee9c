"""The draws of one verification, shared by its claims.

A draw is a set of concrete sizes and an :class:`autodiff.Point` over them.
The inputs of a point are drawn when a claim first reads them, each from a
generator seeded by the verification's seed, the draw, the attempt and the
input's name: an input has the same value whichever claims come before it,
and a claim costs what it reads, not what the program holds.  The memory
budget is counted the same way: the names a claim reads are added to the
draw's total before anything of theirs is allocated, and past the budget the
claim is unchecked with the budget's message.

What a diagnosis may build a wrong claim's explanation from (sizes, scalar
values, named values) is also taken from the names the claim reads, and
only when a diagnosis asks (:class:`Lazy`).
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping

import numpy as np

from dsl.compute import autodiff, inputs as data
from dsl.compute.budget import memory_budget
from dsl.compute.numeric import DomainError, EvalError
from dsl.compute.plan import Plan
from dsl.core.ast import Program
from dsl.core.dims import Sym
from dsl.core.wording import say


class Unchecked(Exception):
    """This claim cannot be checked; the message says why."""


class Lazy(Mapping):
    """A mapping computed by ``make`` the first time it is read."""

    def __init__(self, make: Callable[[], dict]):
        self._make = make
        self._made: dict | None = None

    def _get(self) -> dict:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return made

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self) -> Iterator:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


class _Drawn:
    """One draw: its point, its sizes and the names its budget has counted."""

    def __init__(self, point: autodiff.Point, sizes: dict[str, int]):
        self.point, self.sizes = point, sizes
        self.counted: set[str] = set()
        self.need = 0


class Draws:
    """The draws of one verification, made once per (draw, attempt) and
    shared by every claim, with the derivatives already cross-checked."""

    def __init__(self, program: Program, env, seed: int, inputs: Mapping | None, sizes: Mapping | None,
                 plan: Plan | None = None):
        self.program, self.env, self.seed, self.inputs = program, env, seed, inputs
        self.plan = plan.extend(program.statements) if plan is not None else Plan(program.statements)
        self.dims = {**env.dims, **(dict(sizes) if sizes else {})}
        self.size_rng = np.random.default_rng(seed)
        self.points: dict[tuple[int, int], _Drawn] = {}
        self.checked: set[tuple[str, str]] = set()

    def redrawn(self, free: set[str]) -> Draws:
        """The same verification with the sizes ``free`` drawn small rather
        than fixed (``scale``): its own draws and cross-checks."""
        other = copy.copy(self)
        other.dims = {k: None if k in free else v for k, v in self.dims.items()}
        other.size_rng = np.random.default_rng(self.seed)
        other.points, other.checked = {}, set()
        return other

    def reads(self, info) -> set[str]:
        """Every name verifying the claim of ``info`` evaluates."""
        claim = info.claim
        return self.plan.closure({claim.deriv.num.id, claim.deriv.den.id} | self.plan.reads_of(claim.expr))

    def point(self, draw: int, attempt: int, names: Iterable[str] = ()) -> tuple[autodiff.Point, dict[str, int]]:
        """The point of a draw, its budget now counting ``names``."""
        key = (draw, attempt)
        drawn = self.points.get(key)
        if drawn is None:
            sizes = data.concrete_sizes(self.dims, self.size_rng, draw)
            drawer = None if self.inputs is not None else self._drawer(sizes, draw, attempt)
            point = autodiff.Point(self.program, self.env, self.inputs or {}, sizes, self.plan, drawer)
            drawn = self.points[key] = _Drawn(point, sizes)
        new = [n for n in names if n not in drawn.counted]
        if new:
            drawn.need += data.memory_needed(self.env, drawn.sizes, new)
            drawn.counted.update(new)
        if drawn.need > memory_budget():
            over = data.check_budget(self.env, drawn.sizes, names=self.plan.in_order(drawn.counted))
            raise Unchecked(say("too-much-memory", why=over[0].message if over else ""))
        return drawn.point, drawn.sizes

    def _drawer(self, sizes: dict[str, int], draw: int, attempt: int) -> Callable[[str], np.ndarray | None]:
        def one(name: str) -> np.ndarray | None:
            key = int.from_bytes(name.encode("utf-8"), "big")
            rng = np.random.default_rng([self.seed, draw, attempt, 2, key])
            return data.draw_input(self.env, name, sizes, rng)
        return one

    def directions(self, draw: int, attempt: int) -> np.random.Generator:
        """The generator of the cross-check's random directions for a draw."""
        return np.random.default_rng([self.seed, draw, attempt, 1])


def sizes_of(env, sizes: Mapping[str, int], names: Iterable[str]) -> dict[str, int]:
    """The sizes of the symbols among ``names`` and in their shapes, by symbol."""
    names = list(names)
    symbols = {n for n in names if n in sizes}
    for name in names:
        info = env.names.get(name)
        symbols.update(d.name for d in getattr(getattr(info, "shape", None), "dims", ()) if isinstance(d, Sym))
    return {k: sizes[k] for k in sorted(symbols) if k in sizes}


def scalars(point: autodiff.Point, sizes: Mapping[str, int], names: Iterable[str]) -> dict[str, float]:
    """The size symbols and scalar values among (and in the shapes of)
    ``names``: what a factor may be made of."""
    names = list(names)
    out = {k: float(v) for k, v in sizes_of(point.env, sizes, names).items()}
    for name in point.plan.in_order(names):
        info = point.env.names.get(name)
        if info is not None and info.shape is not None and info.shape.is_one_by_one:
            try:
                out[name] = float(point.value(name).reshape(()))
            except (autodiff.DerivativeError, EvalError, DomainError, ValueError):
                continue
    return out


def named(point: autodiff.Point, names: Iterable[str]) -> dict[str, np.ndarray]:
    """The values among ``names`` that evaluate, in program order: candidate missing terms."""
    out = {}
    for name in point.plan.in_order(n for n in names if n in point.env.names):
        try:
            out[name] = point.value(name)
        except (autodiff.DerivativeError, EvalError, DomainError):
            continue
    return out
