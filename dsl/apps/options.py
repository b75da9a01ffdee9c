"""Option values, validated in one place.

Each function takes the text given for an option and returns its value, or
raises ``argparse.ArgumentTypeError`` with the reason (worded in
``core.wording``).  They are the ``type=`` of the command line's options, so
a bad value is a usage error (exit code 2) naming the option, and the
notebook magics parse their options with the same functions.

    >>> seed("7")
    7
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: a seed is a whole number from 0 to 4294967295, got '-1'
"""
from __future__ import annotations

import argparse
import math


def say(key: str, **values: object) -> str:
    """The registry's wording, loaded only when a value is refused (every
    command, ``--version`` included, builds its options from this module)."""
    from dsl.core.wording import say as registry_say  # deferred: start-up
    return registry_say(key, **values)


SEED_MAX = 2**32 - 1        # the range NumPy's generators take a seed from, and the draws use
JOBS_MAX = 256


def seed(text: str) -> int:
    """A seed for drawn test data: a whole number in ``0..2**32-1``."""
    value = _whole(text)
    if value is None or not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(say("option-seed", top=SEED_MAX, value=text))
    return value


def memory_gib(text: str) -> float:
    """A memory budget in GiB: a positive, finite number (``0.5``, ``4``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0 and value * 2**30 >= 1):
        raise argparse.ArgumentTypeError(say("option-gib", value=text))
    return value


def seconds(text: str) -> float:
    """A time budget in seconds: a positive, finite number (``0.5``, ``10``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(say("option-seconds", value=text))
    return value


def jobs(text: str) -> int:
    """A number of worker processes: a whole number from 1 to :data:`JOBS_MAX`
    (each is a forked process, started up front)."""
    value = _whole(text)
    if value is None or not 1 <= value <= JOBS_MAX:
        raise argparse.ArgumentTypeError(say("option-count", top=JOBS_MAX, value=text))
    return value


def _whole(text: str) -> int | None:
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 30:
        return None
    return int(text)


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
