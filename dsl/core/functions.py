"""The built-in functions: names, aliases, and how they are called.

This is the one list of what exists; each pass keeps its own rule table keyed
by these canonical names (shape rules in ``shapes``, NumPy forward rules in
``evaluate``, vector-Jacobian products in ``autodiff``), and a test checks
that every table covers every function here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signature:
    name: str
    arity: tuple[int, int]            # (min, max) positional arguments
    keywords: tuple[str, ...] = ()    # accepted keyword arguments
    elementwise: bool = False         # applies entry by entry
    has_prime: bool = False           # f'(x) is defined
    sizes: bool = False               # arguments are sizes (eye, ones, zeros)
    doc: str = ""


_SIGS = [
    Signature("sigma", (1, 1), elementwise=True, has_prime=True, doc="logistic sigmoid 1/(1+exp(-x))"),
    Signature("tanh", (1, 1), elementwise=True, has_prime=True, doc="hyperbolic tangent"),
    Signature("relu", (1, 1), elementwise=True, has_prime=True, doc="max(x, 0); relu' is the step, 0 at 0"),
    Signature("exp", (1, 1), elementwise=True, has_prime=True, doc="exponential"),
    Signature("log", (1, 1), elementwise=True, has_prime=True, doc="natural logarithm"),
    Signature("sqrt", (1, 1), elementwise=True, has_prime=True, doc="square root"),
    Signature("abs", (1, 1), elementwise=True, has_prime=True, doc="absolute value; abs' is the sign, 0 at 0"),
    Signature("softplus", (1, 1), elementwise=True, has_prime=True, doc="log(1 + exp(x))"),
    Signature("softmax", (1, 1), doc="softmax over a vector, row by row on a matrix"),
    Signature("logsumexp", (1, 1), doc="log(sum(exp(x))) over a vector (scalar), row by row on a matrix (r x 1)"),
    Signature("sum", (1, 1), ("axis",), doc="sum of all entries; axis=0 -> 1 x c, axis=1 -> r x 1"),
    Signature("mean", (1, 1), ("axis",), doc="mean of all entries; axis=0 -> 1 x c, axis=1 -> r x 1"),
    Signature("xent", (2, 2), doc="cross-entropy -sum(y * log(p))"),
    Signature("mse", (2, 2), doc="mean squared error mean((y - p) ** 2)"),
    Signature("diag", (1, 1), doc="vector -> square diagonal matrix; square matrix -> column of its diagonal"),
    Signature("trace", (1, 1), doc="sum of the diagonal of a square matrix"),
    Signature("eye", (1, 1), sizes=True, doc="n x n identity"),
    Signature("ones", (2, 2), sizes=True, doc="r x c of ones"),
    Signature("zeros", (2, 2), sizes=True, doc="r x c of zeros"),
    Signature("inv", (1, 1), doc="inverse of a square matrix"),
    Signature("det", (1, 1), doc="determinant of a square matrix"),
    Signature("outer", (2, 2), doc="outer product of two vectors: m x n"),
]

FUNCTIONS: dict[str, Signature] = {s.name: s for s in _SIGS}

# Other spellings accepted in source, mapped to the canonical name.
ALIASES: dict[str, str] = {"sigmoid": "sigma", "σ": "sigma", "tr": "trace"}


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


# Functions whose value is a scalar whatever the shape of their arguments
# (when called without ``axis=``).
_SCALAR_VALUED = frozenset({"sum", "mean", "trace", "det", "xent", "mse"})


def returns_scalar(name: str) -> bool:
    """Whether ``name(...)`` is a scalar for any argument: ``returns_scalar("trace")``."""
    return canonical(name) in _SCALAR_VALUED


ATTRIBUTES = ("onehot", "prob", "positive", "symmetric", "spd", "nonzero")
