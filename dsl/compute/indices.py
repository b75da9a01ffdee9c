"""Index notation on NumPy: ``numpy.einsum`` and its vector-Jacobian products.

Inside one index expression (the right side of ``C[i, j] = ...``, an
outermost ``sum[...]``, an entry claim's right side) every index has an
axis: the :class:`Layout` numbers the indices of the root in order of first
appearance and gives each value ``D = max(G, 2)`` axes (``G`` indices; at
least two so that a ``1 x 1`` scalar broadcasts as a scalar), of size 1
where the value does not depend on the index.  Entries then combine
elementwise by plain NumPy broadcasting (``+``, ``*``, ``exp`` ...), and:

- ``W[i, j]`` places W's axes on the axes of i and j (``A[i, i]``, a
  repeated index, takes the diagonal): one ``einsum``;
- ``sum[k](A[i, k] * B[k, j])``, a sum of a product, is one ``einsum``
  over the factors (path optimised); any other ``sum[...]`` sums its axes;
- ``delta(i, j)`` is the identity on the axes of i and j;
- the index form ``C[i, j] = ...`` puts the axes of i, j in that order
  (one index: a ``1 x n`` row, or ``n x 1`` for a column's claim).

A sum with no free index left is a 0-d scalar, so it mixes with matrix
notation.  The VJP of each operation is in :data:`RULES` (keys ``index``,
``isum``, ``einsum``, ``iform``), used by ``vjp.VJPS``: the VJP of an einsum
with respect to each operand is another einsum.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from dsl.core.ast import BinOp, Delta, Expr, Index, IndexForm, IndexSum, Name, Op, children
from dsl.shapes.indices import free_sets


def factors(node: IndexSum) -> tuple[Expr, ...]:
    """The factors of a sum of a product (``sum[k](a * b * c)``), else the body."""
    if not (isinstance(node.body, BinOp) and node.body.op is Op.MUL):
        return (node.body,)
    out: list[Expr] = []
    stack: list[Expr] = [node.body]
    while stack:
        part = stack.pop()
        if isinstance(part, BinOp) and part.op is Op.MUL:
            stack.extend((part.right, part.left))
        else:
            out.append(part)
    return tuple(out)


def operands(node: Expr) -> tuple[Expr, ...]:
    """What evaluation computes before ``node``: a fused sum's factors, else its children."""
    return factors(node) if isinstance(node, IndexSum) else children(node)


def free_of(root: Expr) -> dict[int, frozenset[str]]:
    """The free indices of every node under ``root`` (the checker's rule)."""
    return free_sets(root)


@dataclass(frozen=True)
class Spec:
    """How one node of index notation is computed (the ``kw`` of its tape node)."""

    dims: int                              # D, the axes of every value
    axes: tuple[int, ...] = ()             # index: base axes -> layout axes; iform: the form's order
    labels: tuple[tuple[int, ...], ...] = ()   # einsum: each factor's layout axes
    out: tuple[int, ...] = ()              # einsum, isum: the result's layout axes
    vector: bool = False                   # index: the base is a vector (one index over its long side)
    shape: tuple[int, ...] = ()            # iform: the value's shape; delta: the sizes of i and j
    sizes: tuple[int, ...] = ()            # iform: the range of each index, in the form's order


class Layout:
    """The axes of one evaluation's index notation, computed when first needed."""

    def __init__(self, root: Expr, values: Mapping[str, np.ndarray], sizes: Mapping[str, int]):
        self.root, self.values, self.sizes = root, values, sizes
        self.ranges: dict[str, int] = {}
        self.specs: dict[int, Spec] = {}
        self.evaluator: Callable = _no_evaluator   # evaluate.eval_expr, set when evaluating

    def seed(self, ranges: Mapping[str, int]) -> Layout:
        """Known ranges (an entry claim's, from its derivative's axes)."""
        self.ranges.update(ranges)
        return self

    def evaluate(self, node: Expr, operand_values: list[np.ndarray]) -> np.ndarray:
        """The value of an index-notation node (its spec kept for the tape)."""
        spec = self.specs[id(node)] = self.spec(node, operand_values)
        return forward(op_of(node, spec), spec, operand_values)

    @cached_property
    def position(self) -> dict[str, int]:
        order: dict[str, int] = {}
        stack = [self.root]
        while stack:
            node = stack.pop()
            names: tuple[str, ...] = ()
            match node:
                case Index(indices=found) | IndexSum(indices=found) | IndexForm(indices=found):
                    names = tuple(ix.name for ix in found)
                case Delta(i=i, j=j):
                    names = (i.name, j.name)
            for n in names:
                order.setdefault(n, len(order))
            stack.extend(reversed(children(node)))
        return order

    @cached_property
    def dims(self) -> int:
        return max(len(self.position), 2)

    @cached_property
    def free(self) -> dict[int, frozenset[str]]:
        return free_of(self.root)

    def axis(self, name: str) -> int:
        return self.dims - len(self.position) + self.position[name]

    def axes_of(self, names) -> tuple[int, ...]:
        return tuple(sorted(self.axis(n) for n in names))

    def spec(self, node: Expr, operand_values: list[np.ndarray]) -> Spec:
        d = self.dims
        match node:
            case Index(indices=found):
                base = operand_values[0]
                for ix, size in zip(found, _index_sizes(base, len(found)), strict=False):
                    self.ranges.setdefault(ix.name, size)
                return Spec(d, tuple(self.axis(ix.name) for ix in found), vector=len(found) == 1 and base.ndim == 2)
            case IndexSum():
                out = self.axes_of(self.free[id(node)])
                parts = factors(node)
                if len(parts) > 1:
                    return Spec(d, labels=tuple(self.axes_of(self.free[id(p)]) for p in parts), out=out)
                summed = tuple(self.axis(ix.name) for ix in node.indices)
                return Spec(d, axes=summed, out=out)
            case IndexForm(indices=found, column=column):
                body = operand_values[0]
                sizes = tuple(self.ranges[ix.name] if ix.name in self.ranges
                              else body.shape[self.axis(ix.name)] for ix in found)
                shape = ((sizes[0], 1) if column else (1, sizes[0])) if len(sizes) == 1 else sizes
                return Spec(d, tuple(self.axis(ix.name) for ix in found), shape=shape, sizes=sizes)
            case Delta(i=i, j=j):
                n = self.range_of(i.name, j.name)
                return Spec(d, (self.axis(i.name), self.axis(j.name)), shape=(n, n))
        raise TypeError(type(node).__name__)

    def range_of(self, *names: str) -> int:
        """The size of one of ``names``, from the values they index."""
        for n in names:
            if n in self.ranges:
                return self.ranges[n]
        for node in _walk(self.root):
            if isinstance(node, Index) and any(ix.name in names for ix in node.indices):
                base = node.base
                value = (self.values[base.id] if isinstance(base, Name) and base.id in self.values
                         else self.evaluator(base, self.values, self.sizes))
                for ix, size in zip(node.indices, _index_sizes(value, len(node.indices)), strict=False):
                    self.ranges.setdefault(ix.name, size)
                for n in names:
                    if n in self.ranges:
                        return self.ranges[n]
        raise ValueError("an index without a range")  # the checker refuses such statements (E216)


def _no_evaluator(*_args):
    raise ValueError("an index without a range")


def _walk(root: Expr):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


def _index_sizes(value: np.ndarray, count: int) -> tuple[int, ...]:
    if count == 1 and value.ndim == 2:
        return (value.size,)
    return tuple(value.shape)


def _placed(compact: np.ndarray, axes: tuple[int, ...], dims: int) -> np.ndarray:
    """A compact array (axes ``axes``, sorted) as a value of the layout."""
    if not axes:
        return np.asarray(compact, dtype=np.float64).reshape(())
    shape = [1] * dims
    for a, size in zip(axes, compact.shape, strict=True):
        shape[a] = size
    return np.asarray(compact, dtype=np.float64).reshape(shape)


def _compact(value: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """A value of the layout on its own axes ``axes`` (sorted) only."""
    value = np.asarray(value, dtype=np.float64)
    if not axes:
        return value.reshape(())
    full = np.broadcast_to(value, tuple(max(s, 1) for s in value.shape)) if value.ndim else value
    return full.reshape([full.shape[a] for a in axes])


def _scalar(value: np.ndarray) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).reshape(()) if np.size(value) == 1 else value


# ------------------------------------------------------------------ forward

def forward(op: str, spec: Spec, args: list[np.ndarray]) -> np.ndarray:
    """The value of one index-notation node from its operands' values."""
    if op == "index":
        base = args[0].reshape(-1) if spec.vector else args[0]
        out = tuple(sorted(set(spec.axes)))
        return _placed(np.einsum(base, list(spec.axes), list(out)), out, spec.dims)
    if op == "isum":
        total = np.sum(args[0], axis=spec.axes, keepdims=True)
        return total.reshape(()) if not spec.out else total
    if op == "einsum":
        pieces: list = []
        for value, labels in zip(args, spec.labels, strict=True):
            pieces += [_compact(_scalar(value) if not labels else value, labels), list(labels)]
        return _placed(np.asarray(np.einsum(*pieces, list(spec.out), optimize=True)), spec.out, spec.dims)
    if op == "iform":
        order = spec.axes
        full = [1] * spec.dims
        for a, size in zip(order, spec.sizes, strict=True):
            full[a] = size
        body = np.broadcast_to(np.asarray(args[0], dtype=np.float64), full)
        compact = np.einsum(_compact(body, tuple(sorted(order))), sorted(order), list(order))
        return np.asarray(compact, dtype=np.float64).reshape(spec.shape)
    if op == "delta":
        if spec.axes[0] == spec.axes[1]:       # delta(i, i) is 1 for every i
            return _placed(np.ones(spec.shape[0]), spec.axes[:1], spec.dims)
        return _placed(np.eye(spec.shape[0]), tuple(sorted(spec.axes)), spec.dims)
    raise KeyError(op)


# --------------------------------------------------------------------- VJPs

def _index_vjp(g, out, base, spec: Spec):
    uniq = tuple(sorted(set(spec.axes)))
    g_c = _compact(g, uniq)
    shape = base.reshape(-1).shape if spec.vector else base.shape
    fresh = [spec.dims + k for k in range(len(spec.axes))]
    first: dict[int, int] = {}
    pieces: list = []
    for k, a in enumerate(spec.axes):
        if a in first:       # a repeated index: the gradient sits on the diagonal
            pieces += [np.eye(shape[k]), [first[a], fresh[k]]]
        else:
            first[a] = fresh[k]
    pieces = [g_c, [first[a] for a in uniq], *pieces]
    return np.einsum(*pieces, fresh).reshape(base.shape)


def _isum_vjp(g, out, body, spec: Spec):
    keep = np.asarray(g, dtype=np.float64)
    if not spec.out:
        keep = keep.reshape((1,) * body.ndim)
    return np.broadcast_to(keep, body.shape)


def _einsum_vjp(k: int):
    def rule(g, out, *args, spec: Spec):
        target = spec.labels[k]
        own = _compact(_scalar(args[k]) if not target else args[k], target)
        others = {a for m, labels in enumerate(spec.labels) if m != k for a in labels} | set(spec.out)
        present = [a for a in target if a in others]
        pieces: list = [_compact(g, spec.out), list(spec.out)]
        for m, (value, labels) in enumerate(zip(args, spec.labels, strict=True)):
            if m != k:
                pieces += [_compact(_scalar(value) if not labels else value, labels), list(labels)]
        part = np.asarray(np.einsum(*pieces, present, optimize=True))
        shape = [own.shape[target.index(a)] if a in present else 1 for a in target]
        grad_c = np.broadcast_to(part.reshape(shape), own.shape)
        if not target:
            return grad_c.reshape(np.shape(args[k]))
        return _placed(grad_c, target, spec.dims)
    return rule


def _iform_vjp(g, out, body, spec: Spec):
    order, sizes = spec.axes, list(spec.sizes)
    pieces: list = [np.asarray(g, dtype=np.float64).reshape(sizes), list(order), sorted(order)]
    back = np.einsum(*pieces)
    return _placed(back, tuple(sorted(order)), spec.dims)


def rules(op: str):
    """The VJP rules of an index-notation operation (``einsum:3``: three operands)."""
    if op.startswith("einsum:"):
        return tuple(_einsum_vjp(k) for k in range(int(op[7:])))
    return {"index": (_index_vjp,), "isum": (_isum_vjp,), "iform": (_iform_vjp,)}[op]


OPS = ("index", "isum", "iform", "delta")


def is_op(op: str) -> bool:
    """Whether a tape key is an index-notation operation."""
    return op in OPS or op.startswith("einsum:")


def tape_key(node: Expr, spec: Spec, parents: int) -> str:
    op = op_of(node, spec)
    return f"einsum:{parents}" if op == "einsum" else op


def op_of(node: Expr, spec: Spec) -> str:
    """The tape key of an index-notation node."""
    match node:
        case Index():
            return "index"
        case IndexSum():
            return "einsum" if spec.labels else "isum"
        case IndexForm():
            return "iform"
    return "delta"
