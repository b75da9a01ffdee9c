"""The property every harness checks, and the name of each way it fails.

:func:`observe` runs one input through the product with standard output and
error captured, Python warnings recorded and a wall-clock alarm set, and
returns an :class:`Outcome`: the exit code, the text the user would see,
and ``failure``, a short class name when a promise of SPEC section 7 is
broken, else ``None``:

- ``exception``  an exception escaped (``SystemExit`` is an exit code, not one);
- ``E901``       an internal-error diagnostic (a defect reported as data);
- ``exit``       an exit code outside {0, 1, 2};
- ``timeout``    the input took longer than the time limit;
- ``warning``    a raw Python warning (NumPy's ``RuntimeWarning``) reached the user;
- ``leak``       a message shows Python internals (a traceback, an object
                 repr, an exception's own text);
- ``nondeterministic``  two runs of the same input printed different text
                 (:func:`check_twice`).

The class name is followed by where or what (the exception's type and the
innermost ``dsl`` frame, the E901 message with digits folded), so that one
class stands for one defect, whatever the input that shows it.
"""
from __future__ import annotations

import contextlib
import io
import re
import signal
import threading
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass

TIME_LIMIT = 20.0        # seconds per input before it counts as a hang

# Python internals that must never reach a user's screen
_LEAKS = re.compile(r"Traceback \(most recent call last\)|object at 0x[0-9a-fA-F]+"
                    r"|\b(?:Attribute|Type|Value|Key|Index|Overflow|Memory|Recursion|ZeroDivision"
                    r"|Runtime|Unicode(?:De|En)code|Lookup|Assertion|Name)Error\b"
                    r"|\bBadZipFile\b|\bStopIteration\b")
_E901 = re.compile(r'\[E901\][^\n]*|"code": "E901"[^\n]*')


class Timeout(BaseException):
    """Raised by the alarm; a BaseException, so that the product's own
    ``except Exception`` (which turns defects into E901) does not swallow it."""


@dataclass(frozen=True)
class Outcome:
    code: int | None
    output: str
    failure: str | None = None

    @property
    def kind(self) -> str | None:
        return None if self.failure is None else self.failure.split(" ", 1)[0]


def _fold(text: str) -> str:
    """A message with its numbers, paths and quoted values folded, so that one
    defect met by many inputs is one class."""
    text = re.sub(r"0x[0-9a-fA-F]+", "0x_", text)
    text = re.sub(r"'[^']*'", "'_'", text)
    text = re.sub(r"(?:/[^\s/:()]+)+/?", "PATH", text)
    text = re.sub(r"\b([EWN]\d{3})\b|\d+", lambda m: m.group(1) or "N", text)
    return text[:120]


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/dsl/" in f.filename.replace("\\", "/")]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    path = frame.filename.replace("\\", "/")
    path = path[path.rfind("/dsl/") + 1:] if "/dsl/" in path else path.rsplit("/", 1)[-1]
    return f"{path}:{frame.lineno}"


@contextlib.contextmanager
def _alarm(seconds: float):
    if seconds <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():   # alarms ring only there
        yield
        return

    def ring(signum, frame):
        raise Timeout()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def observe(run: Callable[[], tuple[int, str]], *, time_limit: float = TIME_LIMIT,
            check_leaks: bool = True, check_warnings: bool = True) -> Outcome:
    """Run ``run`` (which returns an exit code and the text it produced) and
    judge it.  Anything written to stdout/stderr counts as produced text."""
    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    text = ""
    failure: str | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    _alarm(time_limit):
                code, text = run()
        except SystemExit as exc:        # argparse: a usage error is exit 2
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except Timeout:
            failure = f"timeout over {time_limit:g} s"
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 (the property: nothing escapes)
            failure = f"exception {type(exc).__name__} at {_where(exc)}: {_fold(str(exc))[:60]}"
    shown = text + out.getvalue() + err.getvalue()
    if failure is None:
        internal = _E901.search(shown)
        if internal:
            failure = "E901 " + _fold(internal.group(0))
        elif code not in (0, 1, 2):
            failure = f"exit code {code}"
        elif check_warnings and caught:
            w = caught[0]
            failure = f"warning {w.category.__name__}: {_fold(str(w.message))[:60]}"
        elif check_leaks and (leak := _LEAKS.search(shown)):
            before = shown[:leak.start()]
            codes = re.findall(r"\[([EWN]\d{3})\]", before)
            failure = f"leak {_fold(leak.group(0))} in {codes[-1] if codes else 'output'}"
    return Outcome(code, shown, failure)


def check_twice(run: Callable[[], tuple[int, str]], first: Outcome, **options) -> Outcome:
    """Run again; a different exit code or text is the ``nondeterministic`` class."""
    second = observe(run, **options)
    if second.failure is not None:
        return second
    if (first.code, first.output) != (second.code, second.output):
        a, b = first.output.splitlines(), second.output.splitlines()
        diff = next((f"{x!r} vs {y!r}" for x, y in zip(a, b, strict=False) if x != y),
                    f"{len(a)} vs {len(b)} lines")
        return Outcome(first.code, first.output, "nondeterministic " + _fold(diff)[:100])
    return first


def sampled(value: object, every: int = 4) -> bool:
    """A stable choice of one input in ``every`` (for the two-run check)."""
    import zlib
    return zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % every == 0


__all__ = ["TIME_LIMIT", "Outcome", "Timeout", "check_twice", "observe", "sampled"]
