"""Option values, validated in one place.

Each function takes the text given for an option and returns its value, or
raises ``argparse.ArgumentTypeError`` with the reason.  The rules
themselves (the range of a seed, what a time or memory budget is) are those
of ``core.options``, which the Python API applies to its arguments too; this
module reads the text and words the refusal for argparse.  They are the
``type=`` of the command line's options, so a bad value is a usage error
(exit code 2) naming the option, and the notebook magics parse their options
with the same functions.

    >>> seed("7")
    7
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: a seed is a whole number from 0 to 4294967295, got '-1'
"""
from __future__ import annotations

import argparse

from dsl.core import options as rules
from dsl.core.options import JOBS_MAX, SEED_MAX, number_text, whole_text

# Not typing.TYPE_CHECKING: every command imports this module, and typing costs start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

__all__ = ["FORMATS", "JOBS_MAX", "SEED_MAX", "jobs", "memory_gib", "patterns", "seconds", "seed", "selectors"]

def _applied(rule: Callable[[object, str], T], value: object, text: str) -> T:
    """``rule`` (of ``core.options``, shared with the Python API) on the value
    the text spells; a refusal is argparse's, quoting the text as given."""
    try:
        return rule(value, repr(text))
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seed(text: str) -> int:
    """A seed for drawn test data: a whole number in ``0..2**32-1``."""
    return _applied(rules.seed, whole_text(text), text)


def memory_gib(text: str) -> float:
    """A memory budget in GiB: a positive, finite number (``0.5``, ``4``)."""
    return _applied(rules.gib, number_text(text), text)


def seconds(text: str) -> float:
    """A time budget in seconds: a positive, finite number (``0.5``, ``10``)."""
    return _applied(rules.seconds, number_text(text), text)


def jobs(text: str) -> int:
    """A number of worker processes: a whole number from 1 to :data:`JOBS_MAX`
    (each is a forked process, started up front)."""
    return _applied(rules.count, whole_text(text), text)


FORMATS = ("full", "text", "concise", "json", "sarif", "github", "gitlab", "junit")


def selectors(text: str) -> tuple[str, ...]:
    """Codes or prefixes, comma-separated: ``E3,W303``; each names at least one code."""
    from dsl.apps.selection import SelectorError, check_selectors  # deferred: start-up
    try:
        return check_selectors(s for s in text.split(",") if s.strip())
    except SelectorError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def patterns(text: str) -> tuple[str, ...]:
    """Path patterns, comma-separated, as in ``.gitignore``."""
    return tuple(p.strip() for p in text.split(",") if p.strip())
