"""The row type of the built-in function table, the registry and its lookups.

Every fact about a built-in function is one field of its :class:`Builtin`
row: spellings (ASCII aliases, Unicode, the LaTeX the reader accepts and the
LaTeX ``fmt`` prints), arity and keywords, the shape rule, the NumPy rule,
the derivative rules, kinks and domain, whether the result is a scalar, and
its line in ``docs/language.md``.  The passes read the rows through the
lookups here; none keeps a list of function names of its own.

NumPy is not imported by this package: rule bodies use :data:`np`, a proxy
that imports NumPy on first use, so checking shapes never loads it.

>>> FUNCTIONS["sigma"].elementwise, canonical("σ"), function_name("Tr")
(True, 'sigma', 'trace')
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Set as AbstractSet
from dataclasses import dataclass

from dsl.core import messages
from dsl.core.dims import Shape, broadcast_dims
from dsl.core.span import Span
from dsl.core.wording import say


class _LazyNumpy:
    """``numpy``, imported when an attribute is first read (then cached)."""

    def __getattr__(self, name: str):
        value = getattr(importlib.import_module("numpy"), name)
        setattr(self, name, value)
        return value


np = _LazyNumpy()


@dataclass(frozen=True)
class Problem:
    """Why a function refuses its arguments: completes "{name}() {what}"."""

    arg: int     # index of the culprit argument
    what: str


class EvalError(Exception):
    """Evaluation could not go on; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class DomainError(ValueError):
    """A rule cannot be applied to these values (a singular matrix, a size
    that is not a positive integer, an allocation past the budget).  It has no
    location; the evaluator raises it again as a located :class:`EvalError`."""

    def __init__(self, code: str, **values):
        super().__init__(values.get("what") or code)
        self.code = code
        self.values = values

    def located(self, span: Span, text: str) -> EvalError:
        values = dict(self.values)
        if self.code == "E600":
            values.setdefault("name", text)
        return EvalError(messages.make(self.code, span, **values))


ShapeRule = Callable[[list, "int | None"], "Shape | Problem"]


@dataclass(frozen=True)
class Builtin:
    """One built-in function.  Rules take and return float64 arrays (0-d for
    a scalar, 2-D otherwise); a VJP rule is ``(g, out, *args, **kw)`` -> the
    gradient with respect to one argument, before unbroadcasting."""

    name: str
    usage: str                                # docs: "sigma(x)"; several separated by ";"
    shape_doc: str                            # docs: "same", "scalar", ...
    doc: str                                  # docs: the meaning, one line
    shape: ShapeRule                          # (argument shapes or sizes, axis) -> Shape | Problem
    forward: Callable                         # NumPy rule
    arity: tuple[int, int] = (1, 1)           # (min, max) positional arguments
    keywords: tuple[str, ...] = ()
    elementwise: bool = False                 # entry by entry; f'(x) is defined
    prime: Callable | None = None             # f' (elementwise)
    second: Callable | None = None            # f'' (elementwise), for f'(x) in definitions
    prime_of_output: Callable | None = None   # f' from f(x): the activations are not recomputed
    vjp: tuple[Callable, ...] = ()            # one per argument (not elementwise)
    symbolic: Callable | None = None          # the same rule on expressions (``builtins.symbolic``)
    kink: bool = False                        # not differentiable where the argument is 0
    kink_at: Callable | None = None           # (*args, **kw) -> 0 at the kinks, changing sign across them
                                              # (default: the first argument)
    domain: str = ""                          # docs: where the rule is finite
    nonfinite: Callable | None = None         # (prime, operands) -> (reason, "domain"|"zero"|None) | None
    allocates: Callable | None = None         # (*args) -> entries of the result, checked before allocating
    scalar: bool = False                      # the result is a scalar
    sizes: bool = False                       # the arguments are sizes (eye, ones, zeros)
    aliases: tuple[str, ...] = ()             # other source spellings: "sigmoid", "σ"
    unicode: str = ""                         # fmt --to unicode (default: the name)
    latex: str = ""                           # fmt --to latex (default: \operatorname{name})
    latex_names: tuple[str, ...] = ()         # more LaTeX the reader takes: r"\ln", "ln"

    @property
    def has_prime(self) -> bool:
        return self.prime is not None

    @property
    def latex_out(self) -> str:
        return self.latex or rf"\operatorname{{{self.name}}}"

    @property
    def unicode_out(self) -> str:
        return self.unicode or self.name


# ------------------------------------------------------------------ registry

FUNCTIONS: dict[str, Builtin] = {}
"""Canonical name -> row, in registration order (the docs' order)."""

ALIASES: dict[str, str] = {}
"""Other spellings accepted in source -> canonical name."""

_LATEX: dict[str, str] = {}     # r"\log", "ln", ... -> canonical name
_KINKED: set[str] = set()       # "relu", "relu'", ...


def register(row: Builtin, *, replace: bool = False) -> Builtin:
    """Add a row; its name and spellings must be new.  With ``replace`` the
    row takes the place (and the docs position) of the row of its name."""
    old = FUNCTIONS.get(row.name) if replace else None
    if replace and old is None:
        raise ValueError(f"built-in {row.name!r}: nothing to replace")
    if old is not None:
        _forget(row.name)
    spellings = [row.name, *row.aliases] if old is None else list(row.aliases)
    taken = [s for s in spellings if s in FUNCTIONS or s in ALIASES]
    taken += [s for s in row.latex_names if s in _LATEX]
    if taken:
        if old is not None:
            _remember(old)
        raise ValueError(f"built-in {row.name!r}: {', '.join(taken)} already taken")
    _remember(row)
    return row


def _remember(row: Builtin) -> None:
    FUNCTIONS[row.name] = row
    ALIASES.update(dict.fromkeys(row.aliases, row.name))
    _LATEX.update(dict.fromkeys(row.latex_names, row.name))
    if row.latex:
        _LATEX.setdefault(row.latex, row.name)
    if row.kink:
        _KINKED.update((row.name, row.name + "'"))


def _forget(name: str) -> None:
    """Drop a row's spellings and kinks, keeping its place in FUNCTIONS."""
    _KINKED.difference_update((name, name + "'"))
    for table in (ALIASES, _LATEX):
        for key in [k for k, v in table.items() if v == name]:
            del table[key]


def unregister(name: str) -> None:
    """Remove a row and its spellings (tests register throwaway rows)."""
    _forget(name)
    FUNCTIONS.pop(name)


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def lookup(name: str) -> Builtin | None:
    """The row a source spelling names, or None."""
    return FUNCTIONS.get(canonical(name))


def returns_scalar(name: str) -> bool:
    """Whether a call of ``name`` is a scalar whatever its arguments (for
    ``sum``/``mean``: without ``axis``)."""
    row = lookup(name)
    return bool(row and row.scalar)


def scalar_valued() -> tuple[str, ...]:
    return tuple(name for name, row in FUNCTIONS.items() if row.scalar)


def kinked() -> frozenset[str]:
    """Operation keys not differentiable where their argument is 0: ``f``
    and ``f'`` of every row with a kink."""
    return frozenset(_KINKED)


def kink_argument(op: str, args: list, kw: Mapping | None = None):
    """What is 0 at the kinks of ``op`` applied to ``args`` and changes sign
    across them: the row's ``kink_at``, else the first argument (relu, abs)."""
    row = FUNCTIONS.get(op[:-1] if op.endswith("'") else op)
    if row is None or row.kink_at is None:
        return args[0]
    return row.kink_at(*args, **(kw or {}))


def kinked_view() -> AbstractSet[str]:
    """The operations of :func:`kinked`, live (rows registered later are in it);
    read it, never change it."""
    return _KINKED


def function_name(word: str) -> str | None:
    """The function a LaTeX word names (``Diag`` -> diag, ``ln`` -> log), if any."""
    if len(word) < 2:
        return None
    w = word.lower()
    if w in _LATEX:
        return _LATEX[w]
    w = canonical(w)
    return w if w in FUNCTIONS else None


def latex_macro(macro: str) -> str | None:
    r"""The function a LaTeX macro names (``\tanh``, ``\sigma``, ``\Tr``), if any."""
    return _LATEX.get(macro) if macro.startswith("\\") else None


class Column(Mapping):
    """One field of every row as a live mapping, name -> value, leaving out
    the rows where it is None (``Column(lambda r: r.prime)`` is the table of
    first derivatives); rows registered later are seen at once."""

    def __init__(self, field: Callable[[Builtin], object]):
        self._field = field

    def __getitem__(self, name: str):
        row = FUNCTIONS.get(name)
        value = None if row is None else self._field(row)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name, row in FUNCTIONS.items() if self._field(row) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# ------------------------------------------------------ helpers for the rows

def got(s: Shape) -> str:
    """A shape as an argument problem names it."""
    return "a scalar" if s.is_scalar else f"{s}, a scalar" if s.is_one_by_one else str(s)


def keep(shapes, axis):
    """The shape rule of an elementwise function."""
    return shapes[0]


def shape_text(a) -> str:
    return "scalar" if np.ndim(a) == 0 else " x ".join(str(d) for d in np.shape(a))


def is_vector(x) -> bool:
    return x.ndim == 2 and 1 in x.shape


def is_square(x) -> bool:
    return x.ndim == 2 and x.shape[0] == x.shape[1]


def broadcast_shapes(shapes) -> Shape | Problem:
    """NumPy's broadcast of several argument shapes (sizes aligned from the
    right; a size broadcasts only if it is the literal 1), or the
    :class:`Problem` naming the first argument that does not fit."""
    out: tuple = ()
    for i, s in enumerate(shapes):
        if s.is_scalar:
            continue
        dims = broadcast_dims(out, s.dims)
        if dims is None:
            return Problem(i, say("broadcast-needed", left=Shape(tuple(out)), right=s))
        out = dims
    return Shape(out)


def elementwise(name: str, doc: str, forward: Callable, prime: Callable, second: Callable, **more) -> Builtin:
    """A row for an elementwise function: same shape, f' and f''."""
    more.setdefault("usage", f"{name}(x)")
    return Builtin(name, shape_doc="same", doc=doc, shape=keep, forward=forward, elementwise=True,
                   prime=prime, second=second, **more)
