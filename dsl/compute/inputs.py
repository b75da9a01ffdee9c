"""Test data: concrete sizes, random inputs, the memory budget, ``.npz`` files.

Verification and ``chainrule eval`` need numbers for every size symbol and
every declared input.  Symbols without a value get distinct small sizes,
never 1, that change from draw to draw, so that neither a confused ``n`` and
``k`` nor a wrong factor ``2 / m`` can pass by coincidence.  Inputs are drawn
to respect their attributes (``onehot``, ``prob``, ``positive``,
``symmetric``, ``spd``, ``nonzero``, ``pm1``, ``binary``, ``orthogonal``,
``invertible``).  Nothing is allocated before
:func:`check_budget` has compared the bytes needed with the budget (the one
of ``budget``, re-exported here), and ``.npz`` files are read without
pickle, each member's header checked and budgeted before its data is read
(``npz``); every failure is a diagnostic.

>>> import numpy as np
>>> concrete_sizes({"n": 5, "k": None}, np.random.default_rng(0))["n"]
5
"""
from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Callable, Container, Iterable, Mapping

import numpy as np

from dsl.compute import npz
from dsl.compute.budget import (  # noqa: F401
    DEFAULT_MEMORY_BUDGET,
    OverBudget,
    fmt_bytes,
    memory_budget,
    memory_limit,
    powers_of_ten,
    require,
)
from dsl.compute.drawing import draw_value
from dsl.core import messages
from dsl.core.arrays import as_value, value_dims
from dsl.core.diagnostics import Diagnostic
from dsl.core.dims import MAX_RANK, Shape, Sym, big_int_text
from dsl.core.kinds import NameKind
from dsl.core.span import Span
from dsl.core.wording import say

SMALL_SIZES = range(2, 8)
"""Where undeclared sizes are drawn from: small, and never 1 (a 1 would turn
a vector into a scalar-like shape and hide transposes)."""


# -------------------------------------------------------------------- sizes

def _offsets(rng: np.random.Generator, count: int) -> np.ndarray:
    """A permutation of ``range(count)`` fixed by the generator's seed but not
    by how much of it has been used, so every draw of one verification starts
    from the same assignment and moves on by one step per draw."""
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if isinstance(seq, np.random.SeedSequence):
        return np.random.default_rng(seq.generate_state(4)).permutation(count)
    return np.arange(count)


def concrete_sizes(dims: Mapping[str, int | None], rng: np.random.Generator, draw: int = 0) -> dict[str, int]:
    """Integer sizes for every symbol: declared values kept, the others
    distinct (from each other and from the declared values where possible),
    in ``[2, 7]`` while there are few of them, and each one different in
    draw ``d + 1`` from draw ``d``.  Pass the same seeded generator for every
    draw of one verification.

    >>> rng = np.random.default_rng(1)
    >>> [concrete_sizes({"m": None}, rng, d)["m"] != concrete_sizes({"m": None}, rng, d + 1)["m"] for d in range(3)]
    [True, True, True]
    """
    fixed = {name: int(v) for name, v in dims.items() if v is not None}
    free = [name for name, v in dims.items() if v is None]
    taken = set(fixed.values())
    pool = [s for s in SMALL_SIZES if s not in taken]
    s = SMALL_SIZES.stop
    while len(pool) < max(len(free), 2):
        if s not in taken:
            pool.append(s)
        s += 1
    offsets = _offsets(rng, len(pool))
    # one offset per size in the pool, of which the free symbols take the first
    chosen = {name: pool[(int(off) + draw) % len(pool)] for name, off in zip(free, offsets, strict=False)}
    return {**fixed, **chosen}


def concrete_shape(shape: Shape | None, sizes: Mapping[str, int]) -> tuple[int, ...] | None:
    """``(rows, cols)`` or ``()`` for a shape, or None if a size is unknown."""
    if shape is None:
        return None
    out = []
    for d in shape.dims:
        if isinstance(d, Sym):
            if d.name not in sizes:
                return None
            d = sizes[d.name]
        if not isinstance(d, (int, np.integer)):
            return None
        out.append(int(d))
    return tuple(out)


# ------------------------------------------------------------------- budget

def _count(n: int) -> str:
    return str(n) if n < 10**7 else powers_of_ten(n)


def _arrays(env, sizes, names: Iterable[str] | None = None) -> list[tuple[str, tuple[int, ...]]]:
    found = []
    chosen = env.names.items() if names is None else ((n, env.names[n]) for n in names if n in env.names)
    for name, info in chosen:
        shape = concrete_shape(info.shape, sizes)
        if shape is not None:
            found.append((name, shape))
    return found


DRAWING_COPIES = {"spd": 4, "symmetric": 4, "nonzero": 3, "prob": 2, "orthogonal": 4, "invertible": 8}
"""Arrays of an input's size alive at once while :func:`draw_value` draws an
input with this attribute (``A @ A.T + n I``: A, the product, I, the sum)."""


def memory_needed(env, sizes: Mapping[str, int], names: Iterable[str] | None = None) -> int:
    """Bytes for every input and definition (or those among ``names``) as
    float64, at these sizes, and for the temporaries of drawing inputs with
    attributes.

    Names whose shape is unknown (after an error) count nothing."""
    total = 0
    for name, shape in _arrays(env, sizes, names):
        info = env.names[name]
        copies = max((DRAWING_COPIES.get(a, 1) for a in _attr_names(info.attrs)), default=1) \
            if info.kind == NameKind.INPUT else 1
        total += 8 * copies * math.prod(shape)
    return total


def check_budget(env, sizes: Mapping[str, int], budget: int | None = None,
                 span_of: Callable[[str], Span] | None = None,
                 names: Iterable[str] | None = None) -> list[Diagnostic]:
    """``E600`` when the inputs and definitions (those among ``names``, in
    that order, if given) need more than ``budget`` bytes (default: the
    budget in force, ``budget.memory_budget``); nothing is allocated.  The
    diagnostic sits at ``span_of(name)`` of the largest array (default: where
    it is declared or defined)."""
    budget = memory_budget() if budget is None else budget
    arrays = _arrays(env, sizes, names)
    need = memory_needed(env, sizes, names)
    if need <= budget or not arrays:
        return []
    name, shape = max(arrays, key=lambda item: int(np.prod(item[1], dtype=object)))
    own = 8 * int(np.prod(shape, dtype=object))
    info = env.names[name]
    span = span_of(name) if span_of is not None else info.span
    size_text = " x ".join(_count(d) for d in shape)
    declared = " x ".join(big_int_text(d) if isinstance(d, int) else str(d) for d in info.shape.dims)
    what = (say("array-here", name=name, shape=declared, here=size_text) if own > budget
            else say("inputs-and-definitions"))
    symbols = [d.name for d in getattr(info.shape, "dims", ()) if isinstance(d, Sym)]
    settings = ", ".join(say("size-setting", name=s, value=_count(sizes[s])) for s in dict.fromkeys(symbols))
    hint = say("smaller-sizes-at", settings=settings) if settings else say("smaller-sizes")
    return [messages.make("E600", span, hint=hint, name=what, need=fmt_bytes(need if own <= budget else own),
                          budget=fmt_bytes(budget))]


# ------------------------------------------------------------------- inputs

def _attr_names(attrs) -> set[str]:
    return {a if isinstance(a, str) else a.name for a in attrs or ()}


def draw_inputs(env, sizes: Mapping[str, int], rng: np.random.Generator,
                given: Container[str] = (), budget: int | None = None) -> dict[str, np.ndarray]:
    """A value for every declared input whose declaration is sound, drawn
    with its attributes; uniform on [-2, 2) when it has none.  Call
    :func:`check_budget` first: past the budget this raises ValueError
    rather than allocate (``budget``: bytes, default the budget in force).
    Names in ``given`` (inputs the caller has values for) are not drawn."""
    if memory_needed(env, sizes) > (memory_budget() if budget is None else budget):
        raise ValueError(say("inputs-over-budget"))
    values = {}
    for name in env.names:
        if name not in given:
            value = draw_input(env, name, sizes, rng)
            if value is not None:
                values[name] = value
    return values


def draw_input(env, name: str, sizes: Mapping[str, int], rng: np.random.Generator) -> np.ndarray | None:
    """The drawn value of one declared input (None for a name that is not an
    input, whose declaration has errors, or whose size is unknown)."""
    info = env.names.get(name)
    if info is None or info.kind != NameKind.INPUT or not info.ok:
        return None
    shape = concrete_shape(info.shape, sizes)
    return None if shape is None else draw_value(shape, _attr_names(info.attrs), rng)


# -------------------------------------------------------------- .npz files

def _where(path: str) -> Span:
    return Span(path, 1, 1, 1, 1)


def load_npz(path: str, budget: int | None = None) -> tuple[dict[str, np.ndarray], list[Diagnostic]]:
    """Named float64 arrays from an ``.npz`` archive, read without pickle.

    1-d arrays become ``1 x n`` rows, 0-d arrays scalars.  A missing or
    unreadable file is ``E900``; an archive that is not one, a member that is
    not a ``.npy`` array, a name used twice, or an array of objects, text,
    complex numbers or more than two dimensions is ``E602``; an archive or a
    member (with its float64 copy) past the memory budget is ``E600``, from
    the sizes it declares, before its data is read (see ``npz``).  ``budget``
    is in bytes (default: the budget in force).
    """
    with memory_limit(memory_budget() if budget is None else budget):
        return _load_npz(path)


def _load_npz(path: str) -> tuple[dict[str, np.ndarray], list[Diagnostic]]:
    where = _where(path)
    if not os.path.exists(path):
        return {}, [messages.make("E900", where, what=say("no-such-file", path=path))]
    if os.path.isdir(path):
        return {}, [messages.make("E900", where, what=say("npz-directory", path=path))]
    try:
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as fh:
                magic = fh.read(6)
            single = say("npz-single") if magic == npz.MAGIC else ""
            return {}, [messages.make("E602", where, what=say("npz-not-archive", path=path, single=single))]
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
            if unpacked > memory_budget():
                return {}, [messages.make("E600", where, name=path, need=fmt_bytes(unpacked),
                                          budget=fmt_bytes(memory_budget()))]
            arrays, problems = npz.read_members(archive, path)
        return arrays, [messages.make("E602", where, what=problem) for problem in problems]
    except OverBudget as exc:
        return {}, [exc.located(where, path).diagnostic]
    except OSError as exc:
        why = exc.strerror or say("npz-io")
        return {}, [messages.make("E900", where, what=say("cannot-read", path=path, why=why))]
    except Exception:  # noqa: BLE001 (a corrupt archive fails in many library-specific ways)
        return {}, [messages.make("E602", where, what=say("npz-damaged", path=path))]


# ------------------------------------------------------- sizes from arrays

def shape_words(shape: tuple[int, ...]) -> str:
    """``3 x 5`` for a concrete shape, ``scalar`` for ``()``."""
    return " x ".join(map(str, shape)) if shape else say("scalar")


def sizes_from_arrays(env, arrays: Mapping[str, np.ndarray]) -> tuple[dict[str, int], list[Diagnostic]]:
    """The size symbols that the given arrays fix, from their shapes.

    ``x : 1 x n`` given a ``1 x 7`` array binds ``n = 7``.  A shape that
    contradicts its declaration, a symbol bound to two values by two arrays,
    or a value different from the one in ``dims`` is ``E602`` naming both
    sides.  Symbols no array fixes are left out (their ``dims`` value or a
    drawn size applies).  Arrays for names that are not inputs are ignored.
    """
    bound: dict[str, tuple[int, str, tuple[int, ...]]] = {}
    diags: list[Diagnostic] = []
    for name, info in env.names.items():
        if info.kind != NameKind.INPUT or name not in arrays or info.shape is None:
            continue
        raw = arrays[name]
        if isinstance(raw, np.ndarray):
            got = value_dims(raw.shape)
        else:
            value, _ = as_value(raw, memory_budget())   # one that is not a value is E602 where it is evaluated
            if value is None:
                continue
            got = value.shape
        problem = _bind(name, info.shape, got, env.dims, bound)
        if problem is not None:
            diags.append(messages.make("E602", info.span, what=problem))
    return {sym: value for sym, (value, _, _) in bound.items()}, diags


def _bind(name: str, declared: Shape, got: tuple[int, ...], dims, bound) -> str | None:
    """Bind the symbols of one array's declaration; the problem, if any."""
    if len(got) > MAX_RANK:
        return say("array-ndim", name=name, ndim=len(got))
    if declared.is_scalar or not got:
        if int(np.prod(got)) == 1 and (declared.is_scalar or declared.is_one_by_one):
            return None
        return say("array-declared", name=name, got=shape_words(got), declared=declared)
    pending: dict[str, tuple[int, str, tuple[int, ...]]] = {}
    for size, n in zip(declared.dims, got, strict=False):
        if n < 1:
            return say("array-size-zero", name=name, got=shape_words(got))
        if not isinstance(size, Sym):
            if size != n:
                return say("array-declared", name=name, got=shape_words(got), declared=declared)
            continue
        sym = size.name
        if dims.get(sym) is not None and dims[sym] != n:
            return say("array-against-dims", name=name, got=shape_words(got), sym=sym, n=n, value=dims[sym])
        earlier = pending.get(sym) or bound.get(sym)
        if earlier is not None and earlier[0] != n:
            source = (say("other-side") if earlier[1] == name
                      else say("array-and-shape", name=earlier[1], shape=shape_words(earlier[2])))
            return say("size-two-ways", sym=sym, first=earlier[0], source=source, n=n, name=name,
                       got=shape_words(got), declared=declared)
        pending[sym] = (n, name, got)
    for sym, entry in pending.items():
        bound.setdefault(sym, entry)
    return None
