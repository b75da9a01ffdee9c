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

One evaluation also keeps a running total (:func:`tally`): what it holds
(its inputs, the definitions computed so far, the temporaries of the
expression being computed) plus the next allocation must fit the budget,
not only each allocation on its own.

>>> with memory_limit(1000):
...     try:
...         require(2000, "a test array")
...     except OverBudget as exc:
...         print(exc)
evaluating a test array needs 2.0 KiB, more than the budget of 1000 bytes
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dsl.builtins import DomainError
from dsl.core import messages
from dsl.core.quantities import fmt_bytes, powers_of_ten  # noqa: F401  (re-exported: the budget's words)
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
    Its text is the catalogue's message, so a reason can quote it; ``held``
    is what the evaluation already holds, when that is what tips it over."""

    def __init__(self, need: int, name: str | None = None, held: int = 0):
        need_text = fmt_bytes(need)
        if held:
            need_text = say("need-with-held", need=need_text, total=fmt_bytes(need + held), held=fmt_bytes(held))
        values = {"need": need_text, "budget": fmt_bytes(memory_budget())}
        if name is not None:
            values["name"] = name
        super().__init__("E600", **values)

    def __str__(self) -> str:
        return messages.CATALOGUE["E600"].template.format(**{"name": "an array", **self.values})


def require(nbytes: int, name: str | None = None) -> None:
    """Refuse (:class:`OverBudget`) to allocate ``nbytes`` past the budget;
    ``name`` says what the bytes are for (default: the expression being
    evaluated, filled in where it is located).  Under :func:`tally` the bytes
    are added to the evaluation's running total, which must stay within the
    budget too."""
    limit = memory_budget()
    if nbytes > limit:
        raise OverBudget(nbytes, name)
    held = _TALLY.get()
    if held is not None:
        if held.live + nbytes > limit:
            raise OverBudget(nbytes, name, held=held.live)
        held.live += nbytes


class Tally:
    """The bytes one evaluation holds now (:func:`tally`).  ``require`` adds
    to ``live``; the evaluator sets it back when temporaries are dropped."""

    __slots__ = ("live",)

    def __init__(self, live: int = 0):
        self.live = live


_TALLY: ContextVar[Tally | None] = ContextVar("tally", default=None)


@contextmanager
def tally(live: int = 0) -> Iterator[Tally]:
    """Keep a running total of what the block allocates, starting from
    ``live`` bytes already held (an evaluation's inputs).

    >>> with memory_limit(1000), tally(600):
    ...     require(300)
    ...     try:
    ...         require(200, "y")
    ...     except OverBudget as exc:
    ...         print(exc)
    evaluating y needs 200 bytes (1.1 KiB with the 900 bytes already held), more than the budget of 1000 bytes
    """
    held = Tally(live)
    token = _TALLY.set(held)
    try:
        yield held
    finally:
        _TALLY.reset(token)


def current_tally() -> Tally | None:
    """The running total in force, if any."""
    return _TALLY.get()


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
