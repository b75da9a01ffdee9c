"""Reverse-mode differentiation of a program's definitions.

The true derivative of a claim ``dY/dX`` comes from here.  The definitions
that depend on ``X`` are traced into a graph while ``evaluate`` computes them
(its ``on_value`` hook sees every node after its operands), so forward values
come from the rules of ``numeric`` and nowhere else.  Each graph node keeps its
value, its parents and the key of its operation (``graph.Node``); one
backward sweep in reverse topological order (``graph.backward``) applies the vector-Jacobian products of
``vjp.VJPS`` (one rule per operator and per row of ``dsl.builtins``,
one function per argument, as in HIPS autograd's ``defvjp``), and
``vjp.unbroadcast`` undoes NumPy broadcasting for every rule at once.

``X`` is cut out of the graph: if it is a defined name, its value is a leaf
and its own definition is not traced, so ``dL/dh`` is the derivative through
every use of ``h`` with everything else held fixed.  Each occurrence of
``X`` in the source is its own ``use`` node, so the backward sweep also
yields the contribution of every occurrence (the verifier's "missing a
term" diagnosis).  Names that do not depend on ``X`` are constants.

The shape of the result follows SPEC section 5 (:func:`arrange`): a scalar
``Y`` gives the shape of ``X``, a scalar ``X`` the shape of ``Y``, two
vectors the ``m x n`` Jacobian (``n x m`` in the denominator layout).

>>> from dsl.language import syntax
>>> from dsl.shapes import checker as shapes
>>> program, _ = syntax.parse_text("x : 1 x 3\\nL = sum(x * x)", "t.deriv")
>>> env, _ = shapes.check_program(program)
>>> derivative(program, env, {"x": np.array([[1.0, 2.0, 3.0]])}, {}, "L", "x")
array([[2., 4., 6.]])
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from dsl.builtins import FUNCTIONS
from dsl.compute import budget, indices
from dsl.compute.budget import check_time
from dsl.compute.evaluate import eval_expr, expr_text
from dsl.compute.graph import Node, backward, topological
from dsl.compute.layout import DerivativeError, arrange, derivative_kind
from dsl.compute.numeric import as_value, call_axis
from dsl.compute.plan import Plan
from dsl.compute.vjp import KINKS, SECOND, VJPS, forward, kink_argument, unbroadcast  # noqa: F401  (the rule table, in vjp)
from dsl.core.ast import BinOp, Call, Deriv, Expr, Index, IndexForm, IndexSum, Name, Neg, Program, Transpose, deriv_text
from dsl.core.kinds import NameKind
from dsl.core.span import Span
from dsl.core.wording import say

COMPARE_COPIES = 4
"""Arrays of a Jacobian's size that verification makes besides the Jacobian
and its parts (the arranged truth, its comparable form, a difference, a
transpose), counted in the Jacobian's memory budget."""


# ---------------------------------------------------------------------- tape

@dataclass
class Jacobian:
    """``full`` is ``m x n`` (entries of Y by entries of X, row-major); ``parts``
    the same for each occurrence of X in the source, summing to ``full``."""

    full: np.ndarray
    parts: list[tuple[Span | None, np.ndarray]]
    out_shape: tuple[int, ...]
    in_shape: tuple[int, ...]


class Tape:
    """The definitions traced for derivatives with respect to ``wrt``."""

    def __init__(self, point: Point, wrt: str):
        self.point, self.wrt = point, wrt
        self.leaf = Node(point.value(wrt), "leaf")
        self.uses: list[Node] = []
        self._use_numbers: dict[int, int] = {}     # id of a use -> its place in ``uses``
        self.nodes: dict[str, Node] = {}
        self.live_names = point.plan.changes_with(wrt)
        self._jacobians: dict[str, Jacobian] = {}
        self._orders: dict[str, list[Node]] = {}

    def node(self, name: str) -> Node:
        """The graph node holding the value of ``name``."""
        if name == self.wrt:
            return self.leaf
        if name not in self.live_names:
            return Node(self.point.value(name), "const")
        if name not in self.nodes:
            for dep in self.point.order_of(name):
                if dep in self.live_names and dep not in self.nodes and dep != self.wrt:
                    check_time()
                    if not self.point.ok(dep):
                        raise DerivativeError(say("definition-has-errors", name=dep))
                    self.nodes[dep] = self._trace(self.point.definition(dep))
                    # the traced value is the value at this point: evaluate it once
                    self.point.values.setdefault(dep, self.nodes[dep].value)
        return self.nodes[name]

    def _trace(self, expr: Expr) -> Node:
        stack: list[Node] = []

        def on_value(node, value, operands):
            parents = tuple(stack[len(stack) - len(operands):]) if operands else ()
            del stack[len(stack) - len(operands):]
            stack.append(self._make(node, value, parents, layout))

        values = {}
        for name in self.point.plan.reads_of(expr):
            if name == self.wrt:
                values[name] = self.leaf.value
            elif name in self.nodes:
                values[name] = self.nodes[name].value
            elif self.point.known(name):
                values[name] = self.point.value(name)
        layout = indices.Layout(expr, values, self.point.sizes)
        eval_expr(expr, values, self.point.sizes, self.point.deriv_callback, on_value, layout)
        return stack[0]

    def _make(self, expr: Expr, value, parents: tuple[Node, ...], layout: indices.Layout) -> Node:
        span = getattr(expr, "span", None)
        match expr:
            case Name(id=name) if name == self.wrt:
                use = Node(value, "use", (self.leaf,), span=span)
                self._use_numbers[id(use)] = len(self.uses)
                self.uses.append(use)
                return use
            case Name(id=name) if name in self.nodes:
                return self.nodes[name]
            case Deriv(num=num, den=den) if num.id in self.live_names:
                raise DerivativeError(say("derivative-of-derivative", deriv=deriv_text(num.id, den.id)))
            case _ if not any(p.live for p in parents):
                return Node(value, "const", span=span)
            case BinOp(op=op):
                return Node(value, op.value, parents, span=span)
            case Neg():
                return Node(value, "neg", parents, span=span)
            case Transpose():
                return Node(value, "T", parents, span=span)
            case Index() | IndexSum() | IndexForm():
                spec = layout.specs[id(expr)]
                return Node(value, indices.tape_key(expr, spec, len(parents)), parents, {"spec": spec}, span)
            case Call(func=func, prime=prime, args=args):
                kw = {}
                if "axis" in FUNCTIONS[func].keywords:
                    kw["axis"] = call_axis(expr, [p.value for p in parents])[1]
                if prime and func not in SECOND:
                    raise DerivativeError(say("prime-no-derivative", name=func))
                return Node(value, func + "'" * prime, parents[: len(args)], kw, span)
        raise DerivativeError(say("cannot-differentiate", expr=expr_text(expr)))

    # ------------------------------------------------------------ queries
    def order(self, y: str) -> list[Node]:
        """The live nodes of ``y``, parents first: sorted once per output."""
        if y not in self._orders:
            self._orders[y] = topological(self.node(y))
        return self._orders[y]

    def jacobian(self, y: str) -> Jacobian:
        """The Jacobian of ``y`` by ``wrt``.  One backward sweep per entry of
        ``y``: claims are about scalars (one sweep) or vectors of modest size,
        and the sweeps share one traced forward pass."""
        if y not in self._jacobians:
            self._jacobians[y] = self._jacobian(y)
        return self._jacobians[y]

    def _jacobian(self, y: str) -> Jacobian:
        out = self.node(y)
        m, n = out.value.size, self.leaf.value.size
        shapes = (out.value.shape, self.leaf.value.shape)
        if out is self.leaf:
            budget.require(8 * m * n * (2 + COMPARE_COPIES), say("jacobian-of", m=m, n=n,
                                                                 deriv=deriv_text(y, self.wrt)))
            return Jacobian(np.eye(n), [], *shapes)
        order = self.order(y) if out.live else []
        # Only the uses of X that ``y`` is computed from: the tape is shared
        # by every claim about X, and holds the uses of all their definitions.
        numbers = self._use_numbers
        uses = sorted((node for node in order if id(node) in numbers), key=lambda node: numbers[id(node)])
        # the rows of the whole Jacobian and of each use, stacked, and the
        # copies comparison and diagnosis make: refused before the first sweep
        copies = 2 * (len(uses) + 1) + COMPARE_COPIES
        budget.require(8 * m * n * copies, say("jacobian-of", m=m, n=n, deriv=deriv_text(y, self.wrt)))
        if not out.live:
            return Jacobian(np.zeros((m, n)), [], *shapes)
        zero = np.zeros(n)
        rows: list[list[np.ndarray]] = [[] for _ in range(len(uses) + 1)]
        for i in range(m):
            check_time()
            seed = np.zeros(out.value.shape)
            seed.flat[i] = 1.0
            kept = backward(order, seed)
            for row, node in zip(rows, [self.leaf, *uses], strict=True):
                row.append(kept[id(node)].reshape(-1) if id(node) in kept else zero)
        full, *parts = (np.stack(row) if m > 1 else row[0].reshape(1, n) for row in rows)
        return Jacobian(full, [(u.span, p) for u, p in zip(uses, parts, strict=True)], *shapes)

    def vjp(self, y: str, seed: np.ndarray) -> np.ndarray:
        """``seed`` (shaped like ``y``) times the Jacobian, shaped like ``wrt``."""
        out = self.node(y)
        if out is self.leaf:
            return np.asarray(seed, dtype=np.float64).reshape(self.leaf.value.shape)
        if not out.live:
            return np.zeros_like(self.leaf.value)
        kept = backward(self.order(y), seed)
        found = kept.get(id(self.leaf))
        return np.zeros_like(self.leaf.value) if found is None else found

    def replay(self, y: str, x_value: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The value of ``y`` with ``wrt`` set to ``x_value`` (the rest held),
        and the arguments of every kink operation on the way."""
        out = self.node(y)
        if not out.live:
            return out.value, []
        vals: dict[int, np.ndarray] = {id(self.leaf): np.asarray(x_value, dtype=np.float64)}
        kinks: list[np.ndarray] = []
        with np.errstate(all="ignore"):
            for node in self.order(y):
                if node is self.leaf:
                    continue
                args = [vals.get(id(p), p.value) for p in node.parents]
                if node.op in KINKS:
                    kinks.append(kink_argument(node.op, node.kw, args))
                vals[id(node)] = forward(node.op, node.kw, args)
        return vals[id(out)], kinks

    def kink_arguments(self, y: str) -> list[np.ndarray]:
        """Arguments of the kinked functions (relu, abs and their primes) that depend on ``wrt``."""
        out = self.node(y)
        if not out.live:
            return []
        return [kink_argument(n.op, n.kw, [p.value for p in n.parents]) for n in self.order(y) if n.op in KINKS]


# --------------------------------------------------------------------- point

class Point:
    """A program at given input values: lazily evaluated definitions and one
    tape per variable, shared by every derivative taken here."""

    def __init__(self, program: Program, env, inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int],
                 plan: Plan | None = None, draw: Callable[[str], np.ndarray | None] | None = None):
        self.program, self.env, self.sizes = program, env, dict(sizes)
        self.plan = plan.extend(program.statements) if plan is not None else Plan(program.statements)
        self.defs = self.plan.defs
        self.draw = draw
        self.values: dict[str, np.ndarray] = {}
        for k, v in inputs.items():
            if k not in self.defs or self.ok(k):
                self._store(k, as_value(v))
        self.tapes: dict[str, Tape] = {}

    def _store(self, name: str, value: np.ndarray) -> np.ndarray:
        info = self.env.names.get(name)
        if info is not None and info.kind == NameKind.INPUT and info.shape is not None and info.shape.is_scalar:
            value = value.reshape(())
        self.values[name] = value
        return value

    def _input(self, name: str) -> np.ndarray | None:
        """The value of an input, drawn (by ``draw``) the first time it is read."""
        if name in self.values:
            return self.values[name]
        if self.draw is None or name in self.defs:
            return None
        value = self.draw(name)
        return None if value is None else self._store(name, value)

    def ok(self, name: str) -> bool:
        info = self.env.names.get(name)
        return info is not None and info.ok

    def known(self, name: str) -> bool:
        return name in self.defs or self._input(name) is not None

    def definition(self, name: str) -> Expr:
        return self.defs[name]

    def order_of(self, name: str) -> list[str]:
        """The definitions ``name`` needs (itself included), in program order."""
        return self.plan.order_of(name)

    def dependents(self, wrt: str) -> set[str]:
        """Every definition whose value changes with ``wrt``, and ``wrt``."""
        return self.plan.dependents(wrt)

    def value(self, name: str) -> np.ndarray:
        """The value of an input or definition, evaluating what it needs."""
        if name not in self.defs:
            found = self._input(name)
            if found is None:
                raise DerivativeError(say("has-no-value", name=name))
            return found
        if name in self.values:
            return self.values[name]
        for dep in self.order_of(name):
            if dep in self.values:
                continue
            check_time()
            if not self.ok(dep):
                raise DerivativeError(say("definition-has-errors", name=dep))
            expr = self.defs[dep]
            self.values[dep] = eval_expr(expr, self.values_for(expr), self.sizes, self.deriv_callback)
        return self.values[name]

    def values_for(self, expr: Expr) -> dict[str, np.ndarray]:
        """Values of the names ``expr`` reads (size symbols excluded)."""
        out = {}
        for name in self.plan.reads_of(expr):
            if self.known(name):
                out[name] = self.value(name)
        return out

    def deriv_callback(self, node: Deriv) -> np.ndarray:
        """The value of a ``dA/dB`` term: the true derivative."""
        return self.derivative(node.num.id, node.den.id)

    def tape(self, wrt: str) -> Tape:
        if wrt not in self.tapes:
            if not self.known(wrt):
                raise DerivativeError(say("not-a-value", name=wrt))
            self.tapes[wrt] = Tape(self, wrt)
        return self.tapes[wrt]

    def jacobian(self, y: str, x: str) -> Jacobian:
        if not self.known(y):
            raise DerivativeError(say("not-a-value", name=y))
        return self.tape(x).jacobian(y)

    def derivative(self, y: str, x: str) -> np.ndarray:
        """``dy/dx`` shaped as SPEC section 5 says (see :func:`arrange`)."""
        jac = self.jacobian(y, x)
        return arrange(jac.full, jac.out_shape, jac.in_shape, self.layout, deriv_text(y, x), self.kind(y, x))

    def kind(self, y: str, x: str) -> str | None:
        """Which rule of SPEC section 5 ``dy/dx`` follows, read from the
        declared shapes (see :func:`derivative_kind`); None if unknown."""
        ys, xs = (getattr(self.env.names.get(name), "shape", None) for name in (y, x))
        return derivative_kind(ys, xs)

    @property
    def layout(self) -> str:
        return getattr(self.env, "layout", "numerator") or "numerator"


# ------------------------------------------------------------------- the API

def grad(program: Program, env, values_or_inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int],
         y: str, x: str) -> np.ndarray:
    """The gradient of the scalar ``y`` with respect to ``x``, shaped like ``x``.

    ``values_or_inputs`` holds the inputs, and may hold defined values too
    (they are then used as given).
    """
    tape = Point(program, env, values_or_inputs, sizes).tape(x)
    out = tape.node(y).value
    if out.size != 1:
        raise DerivativeError(say("not-a-scalar", name=y))
    return tape.vjp(y, np.ones_like(out))


def derivative(program: Program, env, inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int],
               y: str, x: str) -> np.ndarray:
    """``dy/dx`` at ``inputs``, shaped per SPEC section 5 with ``env.layout``."""
    return Point(program, env, inputs, sizes).derivative(y, x)
