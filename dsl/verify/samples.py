"""What the diagnosis of a wrong claim works on and returns: a
:class:`Sample` per draw (claimed and true values and what may explain
them), a :class:`Diagnosis`; and the words shared by its checks."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from dsl.core.span import Span
from dsl.verify.factors import factor_words


@dataclass(frozen=True)
class Term:
    """One top-level ``+``/``-`` term of a claim in one draw: its source
    text, its span, and its value with its sign, arranged like the claim's."""

    text: str
    span: Span
    value: np.ndarray


@dataclass
class Sample:
    """One draw: claimed and true values (same shape) and what can explain them."""

    claimed: np.ndarray
    true: np.ndarray
    sizes: Mapping[str, int]                      # the sizes of the symbols the claim involves
    scalars: Mapping[str, float]                  # size symbols and scalar names, by name
    parts: list[tuple[str, np.ndarray]] = field(default_factory=list)   # per use of X
    named: Callable[[], dict[str, np.ndarray]] = dict                   # values that may be a term
    kind: str = "derivative"                      # "Jacobian" for vector-by-vector
    shape: str = ""                               # symbolic shape of the derivative, "n x n"
    terms: Callable[[], list[Term]] = list        # the claim's top-level terms
    symmetric: bool = False                       # symmetric parts compared (a symmetric variable)
    variable: str = ""                            # the X of dY/dX
    through: Callable[[], list[tuple[str, list[tuple[str, np.ndarray]]]]] = list
    """Per definition between X and Y used more than once: each use in words
    and its contribution to the truth (``paths.through_values``)."""
    variants: Callable[[], list] = list
    """The claim with a square matrix transposed or made symmetric, evaluated
    (``transposes.variants``)."""


@dataclass(frozen=True)
class Diagnosis:
    detail: str                 # "the sign is flipped", "off by a factor of 2", ...
    hint: str | None = None     # what to try
    fix: tuple[str, str] | None = None   # a concrete right side: ("negate" | "transpose", ""),
                                         # ("add" | "subtract", the term's source text)
                                         # or ("replace", the whole right side's source text)
    label: tuple[Span, str] | None = None   # the part of the claim the detail is about, and a word on it


def index(a: np.ndarray, flat: int) -> str:
    if a.ndim == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, a.shape)) + "]"


def shape_of(s: Sample) -> str:
    """The derivative's shape as declared (``n x n``), else as drawn."""
    return s.shape or drawn(s.true)


def value(x: float) -> str:
    return f"{x:.4g}"


def drawn(a: np.ndarray) -> str:
    return " x ".join(map(str, a.shape)) if a.ndim else "scalar"


def factor_of(ratios: list[float], used: list[Sample], sides=()) -> str | None:
    """:func:`factors.factor_words` over the draws ``used``, for the factor
    between the two scalar ``sides`` of each draw (the claim and the truth,
    say): a factor made of a value that is either side itself (claim ``t``,
    truth ``s``: "a factor of t/s") says nothing, so such values are left out."""
    values = [s.scalars for s in used]
    scalar = bool(sides) and all(a.size == 1 and b.size == 1 for a, b in sides)
    if scalar:
        drop = {name for name in values[0] for k in (0, 1)
                if proportional([float(side[k].reshape(-1)[0]) for side in sides], [v.get(name) for v in values])}
        values = [{k: x for k, x in v.items() if k not in drop} for v in values]
    return factor_words(ratios, values, used[0].sizes if used else (), shifted=not scalar)


def proportional(a: list[float], b: list[float | None]) -> bool:
    """``a = c * b`` in every draw, for one ``c``."""
    if any(y is None or y == 0.0 for y in b):
        return False
    ks = [x / y for x, y in zip(a, b, strict=True) if y]
    return all(abs(k - ks[0]) <= 1e-6 * abs(ks[0]) for k in ks)
