"""The memory budget: the one place evaluation and verification ask before
they allocate.

The budget in force is :data:`DEFAULT_MEMORY_BUDGET` unless a caller runs
under :func:`memory_limit` (``chainrule eval --memory``).  Every allocation
whose size follows the sizes of the program asks :func:`require` first:
inputs and definitions (``inputs.check_budget``), the result of every
operator and built-in (``numeric``, from the rows' ``allocates``), the
Jacobians of verification (``autodiff``) and the arrays of an ``.npz`` file
(``npz``, from the headers, before any data is read).  Past the budget
:func:`require` raises :class:`OverBudget`, an ``E600`` that says, in
words, what needed how much; nothing has been allocated.

>>> with memory_limit(1000):
...     try:
...         require(2000, "a test array")
...     except OverBudget as exc:
...         print(exc)
evaluating a test array needs 2.0 KiB, more than the budget of 1000 bytes
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dsl.builtins import DomainError
from dsl.core import messages
from dsl.core.verdicts import DEFAULT_TIMEOUT  # noqa: F401  (the default of time_limit's callers)
from dsl.core.wording import say

DEFAULT_MEMORY_BUDGET = 4 * 2**30
"""Bytes that evaluation may allocate for inputs and definitions (``--memory``)."""

_LIMIT: ContextVar[int | None] = ContextVar("memory_budget", default=None)


def memory_budget() -> int:
    """The budget in force, in bytes."""
    limit = _LIMIT.get()
    return DEFAULT_MEMORY_BUDGET if limit is None else limit


@contextmanager
def memory_limit(budget: int | None) -> Iterator[None]:
    """Run the block with ``budget`` bytes as the budget (None: the default)."""
    token = _LIMIT.set(budget)
    try:
        yield
    finally:
        _LIMIT.reset(token)


class OverBudget(DomainError):
    """``E600``: an allocation past the budget, refused before it is made.
    Its text is the catalogue's message, so a reason can quote it."""

    def __init__(self, need: int, name: str | None = None):
        values = {"need": fmt_bytes(need), "budget": fmt_bytes(memory_budget())}
        if name is not None:
            values["name"] = name
        super().__init__("E600", **values)

    def __str__(self) -> str:
        return messages.CATALOGUE["E600"].template.format(**{"name": "an array", **self.values})


def require(nbytes: int, name: str | None = None) -> None:
    """Refuse (:class:`OverBudget`) to allocate ``nbytes`` past the budget;
    ``name`` says what the bytes are for (default: the expression being
    evaluated, filled in where it is located)."""
    if nbytes > memory_budget():
        raise OverBudget(nbytes, name)


def fmt_bytes(n: int) -> str:
    """``4.0 GiB``; astronomically large counts in powers of ten."""
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            if n >= 2**70:
                return say("bytes-about", count=powers_of_ten(n))
            return f"{n / size:.1f} {unit}"
    return say("bytes", count=n)


def powers_of_ten(n: int) -> str:
    """``8e+40``, also for integers too large for a float (no overflow).

    >>> powers_of_ten(10**400 * 3)
    '3e+400'
    """
    if n < 10**300:
        return f"{float(n):.3g}"
    exponent = int(math.log10(n))
    mantissa = float(f"{n // 10**(exponent - 16) / 10**16:.3g}")
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e+{exponent}"


# ---------------------------------------------------------------- time

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("deadline", default=None)


class OverTime(Exception):
    """The time budget of a claim ran out; the message says how long it was."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Run the block with a deadline ``seconds`` from now, which
    :func:`check_time` enforces.  Cooperative: no signal or thread, so it
    holds in worker processes, notebooks and the REPL alike.

    >>> with time_limit(1e-9):
    ...     try:
    ...         check_time()
    ...     except OverTime as exc:
    ...         print(exc)
    took longer than 1e-09 s
    """
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_time() -> None:
    """Raise :class:`OverTime` once the deadline in force has passed: called
    between draws, reverse-mode steps, Jacobian rows and diagnosis candidates."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise OverTime(say("took-longer", seconds=f"{deadline[1]:g}"))
