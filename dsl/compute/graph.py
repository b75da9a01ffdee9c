"""The traced computation graph and the one backward sweep over it.

A :class:`Node` holds a value, its parents and the key of its operation in
``vjp.VJPS``; :func:`topological` orders the live nodes an output depends
on, and :func:`backward` runs reverse mode from that output: each node's
rules give its parents' gradients, ``vjp.unbroadcast`` brings each back to
its parent's shape, and the gradients of leaves and uses are kept.  What
is traced, and why, is ``autodiff``'s business.

>>> x = Node(np.array([[1.0, 2.0]]), "leaf")
>>> y = Node(x.value * x.value, "*", (x, x))
>>> backward(topological(y), np.ones((1, 2)))[id(x)]
array([[2., 4.]])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dsl.compute.budget import check_time
from dsl.compute.vjp import VJPS, unbroadcast
from dsl.core.span import Span


@dataclass(eq=False)
class Node:
    """One value of the traced evaluation: ``op`` keys :data:`VJPS`."""

    value: np.ndarray
    op: str                                  # "const", "leaf", "use", "+", "sigma'", ...
    parents: tuple[Node, ...] = ()
    kw: dict = field(default_factory=dict)   # {"axis": 0} for sum/mean
    span: Span | None = None

    @property
    def live(self) -> bool:
        """Depends on the variable (constants are not differentiated)."""
        return self.op != "const"


def topological(out: Node) -> list[Node]:
    """The live nodes ``out`` depends on, parents before children (iterative,
    so deep graphs do not meet the recursion limit)."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(out, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen or not node.live:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if p.live and id(p) not in seen)
    return order


def backward(order: list[Node], seed: np.ndarray) -> dict[int, np.ndarray]:
    """One reverse sweep from ``order[-1]`` with output gradient ``seed``;
    returns the gradient of every leaf and use node, keyed by ``id``."""
    grads: dict[int, np.ndarray] = {id(order[-1]): np.asarray(seed, dtype=np.float64)}
    kept: dict[int, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for node in reversed(order):
            check_time()
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.op in ("leaf", "use"):
                kept[id(node)] = g
            rules = VJPS[node.op] if node.parents else ()
            args = [p.value for p in node.parents]
            for rule, parent in zip(rules, node.parents, strict=True):
                if not parent.live:
                    continue
                part = unbroadcast(rule(g, node.value, *args, **node.kw), parent.value.shape)
                prev = grads.get(id(parent))
                grads[id(parent)] = part if prev is None else prev + part
    return kept
