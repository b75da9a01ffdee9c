"""The rules for option values, one place for every caller.

A seed, a time budget, a memory budget and a number of processes each have
one rule here.  The command line reads the text of an option with
:func:`whole_text` / :func:`number_text` and applies the rule
(``apps.options`` turns the refusal into a usage error, exit code 2); the
Python API and the pipeline's ``Session`` apply the same rule to the
Python values they are given.  A rule returns the value, or raises
``TypeError`` (a value of the wrong type: a ``float`` seed, a ``str``
timeout) or ``ValueError`` (the right type out of range: a seed of -1),
with the registry's sentence, which ends with the value as given (the
``value`` words).

    >>> seed(7), seconds(0.5)
    (7, 0.5)
    >>> seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: a seed is a whole number from 0 to 4294967295, got -1
    >>> seed(1.5)
    Traceback (most recent call last):
    ...
    TypeError: a seed is a whole number from 0 to 4294967295, got 1.5
"""
from __future__ import annotations

import math
import numbers
import operator

# Not typing.TYPE_CHECKING: every command imports this module, and typing costs start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

SEED_MAX = 2**32 - 1        # the range NumPy's generators take a seed from, and the draws use
JOBS_MAX = 256
MIN_BUDGET_BYTES = 1        # a memory budget of less than a byte is no budget


def say(key: str, **values: object) -> str:
    """The registry's wording, loaded only when a value is refused (every
    command, ``--version`` included, builds its options on these rules)."""
    from dsl.core.wording import say as registry_say  # deferred: start-up
    return registry_say(key, **values)


# ------------------------------------------------------------ the rules

def seed(value: object, shown: str | None = None) -> int:
    """A seed for drawn test data: an ``int`` (NumPy's integers too, not a
    ``bool``) in ``0..2**32-1``.  ``shown``: how the refusal quotes the
    value (default :func:`words`)."""
    number = _integer(value)
    if number is None or not 0 <= number <= SEED_MAX:
        why = say("option-seed", top=SEED_MAX, value=words(value) if shown is None else shown)
        raise (TypeError if number is None else ValueError)(why)
    return number


def seconds(value: object, shown: str | None = None) -> float:
    """A time budget in seconds: a positive, finite real number (``0.5``, ``10``)."""
    number = _real(value)
    if number is None or not (math.isfinite(number) and number > 0):
        why = say("option-seconds", value=words(value) if shown is None else shown)
        raise (TypeError if number is None else ValueError)(why)
    return number


def gib(value: object, shown: str | None = None) -> float:
    """A memory budget in GiB: a positive, finite real number of at least one byte (``0.5``, ``4``)."""
    number = _real(value)
    if number is None or not (math.isfinite(number) and number > 0 and number * 2**30 >= MIN_BUDGET_BYTES):
        why = say("option-gib", value=words(value) if shown is None else shown)
        raise (TypeError if number is None else ValueError)(why)
    return number


def count(value: object, shown: str | None = None) -> int:
    """A number of worker processes: a whole number from 1 to :data:`JOBS_MAX`."""
    number = _integer(value)
    if number is None or not 1 <= number <= JOBS_MAX:
        why = say("option-count", top=JOBS_MAX, value=words(value) if shown is None else shown)
        raise (TypeError if number is None else ValueError)(why)
    return number


def flag(value: object) -> bool:
    """A switch: ``True`` or ``False`` (NumPy's booleans too); a truthy string
    such as ``"no"`` is refused rather than read as ``True``."""
    if _is_bool(value):
        return bool(value)
    raise TypeError(say("option-flag", value=words(value)))


def text(value: object) -> str:
    """A text given to the API: a ``str`` (``bytes`` and paths are refused,
    saying what to do with them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(say("api-text-bytes", kind=type(value).__name__))
    if hasattr(value, "__fspath__"):
        raise TypeError(say("api-text-path"))
    raise TypeError(say("api-text", value=words(value)))


def name_text(value: object) -> str:
    """A name given to the API (of a source, of a derivative's Y or X): a ``str``."""
    if isinstance(value, str):
        return value
    raise TypeError(say("api-name-text", value=words(value)))


def mapping(value: object) -> object:
    """Arrays by name: a mapping (a ``dict``) whose keys are ``str``; whether
    each key is a name an expression can read is the language's to say
    (``dsl.api.check_arrays``)."""
    from collections.abc import Mapping  # deferred: only a Python caller passes arrays
    if not isinstance(value, Mapping):
        raise TypeError(say("api-arrays", value=kind_words(value)))
    for key in value:
        if not isinstance(key, str):
            raise TypeError(say("api-name-type", value=words(key)))
    return value


# ------------------------------------------------------------ arguments of a Python call

RULES: dict[str, Callable[[object], object]] = {
    "seed": seed, "timeout": seconds, "memory": gib, "jobs": count, "verify": flag, "steps": flag,
    "keep_on_error": flag, "arrays": mapping, "data": mapping,
    "text": text, "expr": text, "program_text": text, "claim_text": text,
    "name": name_text, "y": name_text, "x": name_text,
}
"""The rule each argument of the Python API (and of ``pipeline.Session``) is
held to, by the argument's name."""

OPTIONAL = frozenset({"timeout", "x", "memory", "jobs", "arrays", "data"})
"""Arguments for which ``None`` stands for the default."""


def arguments(function: str, **given: object) -> dict[str, object]:
    """The arguments of ``function`` checked by :data:`RULES`; a refusal is
    the rule's ``TypeError`` or ``ValueError``, its sentence after
    ``function() argument 'name':``.

    >>> arguments("derive", seed=3, steps=False)
    {'seed': 3, 'steps': False}
    >>> arguments("check", seed=-1)
    Traceback (most recent call last):
    ...
    ValueError: check() argument 'seed': a seed is a whole number from 0 to 4294967295, got -1
    """
    checked: dict[str, object] = {}
    for name, value in given.items():
        if value is None and name in OPTIONAL:
            checked[name] = None
            continue
        try:
            checked[name] = RULES[name](value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(say("api-argument", function=function, name=name, why=exc)) from None
    return checked


# ------------------------------------------------------------ command-line text

def whole_text(text: str) -> int | None:
    """The whole number an option's text spells (``" 12 "``, ``"+3"``, ``"-1"``),
    or None (``"1.5"``, ``"x"``, Arabic-Indic digits, more than 30 digits)."""
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 30:
        return None
    return int(text)


def number_text(text: str) -> float:
    """The real number an option's text spells, NaN when it spells none (so
    that the rule refuses it with the text as given)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


# ------------------------------------------------------------ values in words

def words(value: object) -> str:
    """A value as a refusal quotes it: numbers and short text as Python
    writes them, anything else by its type (never an object's repr, which
    changes from run to run).

    >>> words(-1), words("x"), words(10**400), words(object()), words([1])
    ('-1', "'x'", 'a 401-digit number', 'an object', 'a list')
    >>> import fractions
    >>> words(fractions.Fraction(1, 3))
    '1/3 (a Fraction)'

    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return _number_words(value)
    if isinstance(value, (int, numbers.Number)) or _is_bool(value):     # NumPy's, Fraction, Decimal
        text = str(value)
        return say("value-typed", text=text, kind=kind_words(value)) if len(text) <= 40 else kind_words(value)
    if isinstance(value, str):          # NumPy's str_ too, quoted as the str it is (its repr names the type)
        return repr(str(value)) if len(value) <= 40 else say("value-long-text", count=len(value))
    if isinstance(value, bytes) and len(value) <= 40:
        return repr(bytes(value))
    return kind_words(value)


def _number_words(value: int | float) -> str:
    if isinstance(value, int):
        if abs(value) < 10**30:
            return str(value)
        if value.bit_length() < 13_000:      # str() of longer ones is refused by Python itself
            return say("value-long-number", digits=len(str(abs(value))))
        return say("value-huge-number")
    return repr(value)


def kind_words(value: object) -> str:
    """``a list``, ``an ndarray``, ``a Path``: the type of ``value`` with its article."""
    kind = type(value).__name__
    if kind == "object":
        return say("value-an-object")
    if kind.endswith("Path"):
        kind = "Path"
    return say("value-kind", article="an" if kind[:1].lower() in "aeiou" else "a", kind=kind)


def _is_bool(value: object) -> bool:
    """``bool``, or NumPy's (``numpy.bool``, once ``numpy.bool_``), which is no number here."""
    kind = type(value)
    return kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"))


def _integer(value: object) -> int | None:
    if _is_bool(value):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]  # int, and NumPy's integers
    except TypeError:
        return None


def _real(value: object) -> float | None:
    if isinstance(value, (bool, str, bytes)) or _is_bool(value) \
            or (isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)):
        return None
    if isinstance(value, int):
        return float(value) if value.bit_length() <= 1024 else math.inf
    try:
        return float(value)  # type: ignore[arg-type]  # float, NumPy's reals, Fraction, Decimal
    except OverflowError:                # a Fraction past float64: out of range, not of a wrong type
        return math.inf
    except (TypeError, ValueError):
        return None
