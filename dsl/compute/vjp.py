"""Vector-Jacobian products: one rule per operator and per built-in function.

The table :data:`VJPS` maps an operation key (``"+"``, ``"@"``, ``"T"``,
``"neg"``, ``"use"``, a canonical function name, or ``"f'"`` for a prime)
to one function per argument, ``(g, out, *args, **kw) -> gradient`` with
respect to that argument, as HIPS autograd's ``defvjp`` does.  The operator
rules are here; a function's come from its row in ``dsl.builtins``: the
row's ``vjp``, or for an elementwise ``f`` the product of ``g`` with the
row's ``f'`` (and, for ``f'``, with ``f''``).  Rules may return a
broadcast-shaped gradient: :func:`unbroadcast`, the one place that undoes
NumPy broadcasting, brings it back to the argument's shape.  Forward values
come from ``numeric`` (:func:`forward`), never from a copy here.
:data:`SECOND` (the rows' ``f''``) is needed when a definition uses
``f'(x)`` itself; :data:`KINKS` lists the operations with a kink at 0.

>>> g = np.ones((1, 3))
>>> VJPS["*"][0](g, None, np.ones((1, 3)), np.full((1, 3), 2.0))
array([[2., 2., 2.]])
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping, Set as AbstractSet

import numpy as np

from dsl.builtins import FUNCTIONS, Builtin, Column, kink_argument as builtin_kink_argument, kinked_view
from dsl.compute import indices
from dsl.compute.numeric import apply_binop, apply_call
from dsl.core.ast import Op


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes NumPy broadcast to reach ``shape``: the
    leading axes ``shape`` does not have, then its axes of size 1 (any rank).

    >>> unbroadcast(np.ones((4, 3)), (1, 3))
    array([[4., 4., 4.]])
    >>> unbroadcast(np.ones((2, 4, 3)), (4, 1)).tolist()
    [[6.0], [6.0], [6.0], [6.0]]
    """
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == tuple(shape):
        return grad
    if len(shape) == 0:
        return np.asarray(grad.sum())
    if grad.ndim < len(shape):
        return np.broadcast_to(grad, shape).copy()
    if grad.ndim > len(shape):
        grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    axes = tuple(i for i, (g, s) in enumerate(zip(grad.shape, shape, strict=True)) if s == 1 and g != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def forward(op: str, kw: Mapping, args: list[np.ndarray]) -> np.ndarray:
    """The value of one node from its parents' values, by ``evaluate``'s rules."""
    match op:
        case "neg":
            return -args[0]
        case "T":
            return args[0].T
        case "use":
            return args[0]
        case _ if indices.is_op(op):
            return indices.forward(op.split(":")[0], kw["spec"], args)
        case _ if op in _BINOPS:
            return apply_binop(_BINOPS[op], *args)
        case _:
            func, prime = (op[:-1], True) if op.endswith("'") else (op, False)
            return apply_call(func, prime, args, kw.get("axis"))


_BINOPS = {op.value: op for op in Op}


# ------------------------------------------------------ vector-Jacobian rules
# Each entry: one function per argument, (g, out, *args, **kw) -> the
# gradient with respect to that argument (before unbroadcast).

SECOND = Column(lambda row: row.second)
"""Second derivatives of the elementwise functions, for ``f'(x)`` in definitions."""


def _matmul(left: bool):
    def rule(g, out, a, b):
        if a.ndim == 0 or b.ndim == 0:        # evaluate scales by a scalar side
            return g * (b if left else a)
        # batched: the last two axes transposed; unbroadcast sums the batch axes an operand lacks
        return g @ np.swapaxes(b, -1, -2) if left else np.swapaxes(a, -1, -2) @ g
    return rule


_OPERATORS: dict[str, tuple[Callable, ...]] = {
    "use": (lambda g, out, a: g,),
    "neg": (lambda g, out, a: -g,),
    "T": (lambda g, out, a: g.T,),
    "+": (lambda g, out, a, b: g, lambda g, out, a, b: g),
    "-": (lambda g, out, a, b: g, lambda g, out, a, b: -g),
    "*": (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    "/": (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * out / b),
    "@": (_matmul(True), _matmul(False)),
    "**": (lambda g, out, a, b: g * b * np.power(a, b - 1),
           lambda g, out, a, b: g * out * np.log(a)),
}
# A comparison is a step: its derivative is zero away from where the sides are equal.
_OPERATORS.update(dict.fromkeys((op.value for op in Op if op.is_comparison),
                                (lambda g, out, a, b: np.zeros_like(g),) * 2))


def _function_rules(row: Builtin, prime: bool) -> tuple[Callable, ...]:
    """The VJP rules of ``f`` or ``f'`` from the function's row."""
    if not row.elementwise:
        return row.vjp
    second, of_output = row.second, row.prime_of_output
    if prime:
        if second is None:               # autodiff refuses f'(x) without f'' first
            raise KeyError(row.name + "'")
        return (lambda g, out, x: g * second(x),)
    if of_output is not None:
        # f' as a function of f's output: the same values as the row's prime
        # without computing f again (the activations of a network are large).
        return (lambda g, out, x: g * of_output(out),)
    return (lambda g, out, x: g * apply_call(row.name, True, [x]),)


class _Rules(MutableMapping):
    """The operator rules above, then every function and prime of the table.
    Setting a key overrides its rule (tests break a rule on purpose)."""

    def __init__(self):
        self._made: dict[str, tuple[Builtin, tuple[Callable, ...]]] = {}
        self._set: dict[str, tuple[Callable, ...]] = {}

    def __setitem__(self, op: str, rules: tuple[Callable, ...]) -> None:
        self._set[op] = rules

    def __delitem__(self, op: str) -> None:
        del self._set[op]

    def __getitem__(self, op: str) -> tuple[Callable, ...]:
        if op in self._set:
            return self._set[op]
        if op in _OPERATORS:
            return _OPERATORS[op]
        if indices.is_op(op):      # index notation: einsum and its VJPs
            return indices.rules(op)
        name, prime = (op[:-1], True) if op.endswith("'") else (op, False)
        row = FUNCTIONS.get(name)
        if row is None or (prime and not row.elementwise):
            raise KeyError(op)
        made = self._made.get(op)
        if made is None or made[0] is not row:
            made = self._made[op] = (row, _function_rules(row, prime))
        return made[1]

    def __iter__(self) -> Iterator[str]:
        yield from (op for op in self._set if op not in _OPERATORS and op.rstrip("'") not in FUNCTIONS)
        yield from _OPERATORS
        for name, row in FUNCTIONS.items():
            yield name
            if row.elementwise:
                yield name + "'"

    def __len__(self) -> int:
        return sum(1 for _ in self)


VJPS: MutableMapping[str, tuple[Callable, ...]] = _Rules()


class _Kinks(AbstractSet):
    """The kinked functions of the table (live) and the comparisons."""

    _COMPARE = frozenset(op.value for op in Op if op.is_comparison)

    def __contains__(self, op: object) -> bool:
        return op in self._COMPARE or op in kinked_view()

    def __iter__(self) -> Iterator[str]:
        yield from self._COMPARE
        yield from kinked_view()

    def __len__(self) -> int:
        return len(self._COMPARE) + len(kinked_view())


KINKS: AbstractSet[str] = _Kinks()
"""Operations not differentiable somewhere: relu at 0, a tie of max, a
comparison where its sides are equal; :func:`kink_argument` is 0 there."""


def kink_argument(op: str, kw: Mapping, args: list[np.ndarray]) -> np.ndarray:
    """What is 0 at the kinks of one operation and changes sign across them:
    ``a - b`` for a comparison, the row's ``kink_at`` for a function."""
    if op in _Kinks._COMPARE:
        return args[0] - args[1]
    return np.asarray(builtin_kink_argument(op, args, kw), dtype=np.float64)
