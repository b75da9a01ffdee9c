"""Reverse-mode differentiation of a program's definitions.

The true derivative of a claim ``dY/dX`` comes from here.  The definitions
that depend on ``X`` are traced into a graph while ``evaluate`` computes them
(its ``on_value`` hook sees every node after its operands), so forward values
come from ``evaluate``'s rules and nowhere else.  Each graph node keeps its
value, its parents and the key of its operation; one backward sweep in
reverse topological order applies the vector-Jacobian products of
:data:`VJPS` (one rule per operator and per function of ``functions.py``,
one function per argument, as in HIPS autograd's ``defvjp``), and
:func:`unbroadcast` undoes NumPy broadcasting for every rule at once.

``X`` is cut out of the graph: if it is a defined name, its value is a leaf
and its own definition is not traced, so ``dL/dh`` is the derivative through
every use of ``h`` with everything else held fixed.  Each occurrence of
``X`` in the source is its own ``use`` node, so the backward sweep also
yields the contribution of every occurrence (the verifier's "missing a
term" diagnosis).  Names that do not depend on ``X`` are constants.

The shape of the result follows SPEC section 5 (:func:`arrange`): a scalar
``Y`` gives the shape of ``X``, a scalar ``X`` the shape of ``Y``, two
vectors the ``m x n`` Jacobian (``n x m`` in the denominator layout).

>>> from dsl import syntax, shapes
>>> program, _ = syntax.parse_text("x : 1 x 3\\nL = sum(x * x)", "t.deriv")
>>> env, _ = shapes.check_program(program)
>>> derivative(program, env, {"x": np.array([[1.0, 2.0, 3.0]])}, {}, "L", "x")
array([[2., 4., 6.]])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .evaluate import eval_expr, expr_text, names_used
from .numeric import apply_binop, apply_call, as_value, call_axis
from .ast import BinOp, Call, Define, Deriv, Expr, Name, Neg, Number, Op, Program, Transpose
from .span import Span


class DerivativeError(ValueError):
    """The derivative asked for does not exist here or cannot be computed;
    the message says why, in words a claim's "unchecked" line can show."""


# --------------------------------------------------------------------- graph

@dataclass(eq=False)
class Node:
    """One value of the traced evaluation: ``op`` keys :data:`VJPS`."""

    value: np.ndarray
    op: str                                  # "const", "leaf", "use", "+", "sigma'", ...
    parents: tuple["Node", ...] = ()
    kw: dict = field(default_factory=dict)   # {"axis": 0} for sum/mean
    span: Span | None = None

    @property
    def live(self) -> bool:
        """Depends on the variable (constants are not differentiated)."""
        return self.op != "const"


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes NumPy broadcast to reach ``shape``.

    >>> unbroadcast(np.ones((4, 3)), (1, 3))
    array([[4., 4., 4.]])
    """
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == tuple(shape):
        return grad
    if len(shape) == 0:
        return np.asarray(grad.sum())
    if grad.ndim < len(shape):
        return np.broadcast_to(grad, shape).copy()
    axes = tuple(i for i, (g, s) in enumerate(zip(grad.shape, shape)) if s == 1 and g != 1)
    return grad.sum(axis=axes, keepdims=True)


def forward(op: str, kw: Mapping, args: list[np.ndarray]) -> np.ndarray:
    """The value of one node from its parents' values, by ``evaluate``'s rules."""
    match op:
        case "neg":
            return -args[0]
        case "T":
            return args[0].T
        case "use":
            return args[0]
        case _ if op in _BINOPS:
            return apply_binop(_BINOPS[op], *args)
        case _:
            func, prime = (op[:-1], True) if op.endswith("'") else (op, False)
            return apply_call(func, prime, args, kw.get("axis"))


_BINOPS = {op.value: op for op in Op}


# ------------------------------------------------------ vector-Jacobian rules
# Each entry: one function per argument, (g, out, *args, **kw) -> the
# gradient with respect to that argument (before unbroadcast).

def _prime(f: str, x):
    return apply_call(f, True, [x])


def _sig(x):
    return apply_call("sigma", False, [x])


# Second derivatives, needed only when a definition uses f'(x) itself.
SECOND: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigma": lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    "tanh": lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    "relu": lambda x: np.zeros_like(x),      # the step is flat away from 0
    "exp": np.exp,
    "log": lambda x: -1.0 / (x * x),
    "sqrt": lambda x: -0.25 / (x * np.sqrt(x)),
    "abs": lambda x: np.zeros_like(x),       # the sign is flat away from 0
    "softplus": lambda x: _sig(x) * (1 - _sig(x)),
}


def _groups(x) -> int | None:
    """The axis softmax normalises over, as ``evaluate`` does: every entry of
    a vector, each row of a matrix."""
    return None if 1 in x.shape else 1


def _softmax_vjp(g, out, x):
    if x.ndim == 0:
        return np.zeros_like(x)
    # J = diag(p) - p p^T within each group, so g J = p * (g - <g, p>).
    return out * (g - np.sum(g * out, axis=_groups(x), keepdims=True))


def _diag_vjp(g, out, x):
    if x.ndim == 0:
        return g.reshape(())
    if 1 in x.shape:                          # vector -> diagonal matrix
        return np.diagonal(g).reshape(x.shape).copy()
    return np.diagflat(g)                     # square matrix -> its diagonal


def _mse_vjp(sign: float):
    def rule(g, out, y, p):
        d = y - p
        return sign * g * 2 * d / d.size
    return rule


def _matmul(left: bool):
    def rule(g, out, a, b):
        if a.ndim == 0 or b.ndim == 0:        # evaluate scales by a scalar side
            return g * (b if left else a)
        return g @ b.T if left else a.T @ g
    return rule


def _no_derivative(g, out, *args):
    return np.zeros(())                       # sizes are constants


VJPS: dict[str, tuple[Callable, ...]] = {
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
    "softmax": (_softmax_vjp,),
    "logsumexp": (lambda g, out, x: g * apply_call("softmax", False, [x]),),
    "sum": (lambda g, out, x, axis=None: np.broadcast_to(g, x.shape),),
    "mean": (lambda g, out, x, axis=None: np.broadcast_to(g, x.shape) * (out.size / x.size),),
    "xent": (lambda g, out, y, p: -g * np.log(p), lambda g, out, y, p: -g * y / p),
    "mse": (_mse_vjp(1.0), _mse_vjp(-1.0)),
    "diag": (_diag_vjp,),
    "trace": (lambda g, out, x: g * np.eye(x.shape[0]) if x.ndim else g,),
    "det": (lambda g, out, x: g * out * np.linalg.inv(x).T if x.ndim else g,),
    "inv": (lambda g, out, x: -(out.T @ g @ out.T) if x.ndim else -g * out * out,),
    "outer": (lambda g, out, u, v: (g @ v.ravel()).reshape(u.shape),
              lambda g, out, u, v: (u.ravel() @ g).reshape(v.shape)),
    "eye": (_no_derivative,),
    "ones": (_no_derivative, _no_derivative),
    "zeros": (_no_derivative, _no_derivative),
}
for _f in SECOND:                                         # f(x) and f'(x)
    VJPS[_f] = ((lambda f: lambda g, out, x: g * _prime(f, x))(_f),)
    VJPS[_f + "'"] = ((lambda f: lambda g, out, x: g * SECOND[f](x))(_f),)
# Where f' is a function of f's output, use the output: the same values as
# PRIME without computing f again (the activations of a network are large).
VJPS["sigma"] = (lambda g, out, x: g * out * (1 - out),)
VJPS["tanh"] = (lambda g, out, x: g * (1 - out * out),)
VJPS["exp"] = (lambda g, out, x: g * out,)

KINKS = ("relu", "abs", "relu'", "abs'")
"""Operations not differentiable where their argument is 0."""


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
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.op in ("leaf", "use"):
                kept[id(node)] = g
            rules = VJPS[node.op] if node.parents else ()
            args = [p.value for p in node.parents]
            for rule, parent in zip(rules, node.parents):
                if not parent.live:
                    continue
                part = unbroadcast(rule(g, node.value, *args, **node.kw), parent.value.shape)
                prev = grads.get(id(parent))
                grads[id(parent)] = part if prev is None else prev + part
    return kept


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

    def __init__(self, point: "Point", wrt: str):
        self.point, self.wrt = point, wrt
        self.leaf = Node(point.value(wrt), "leaf")
        self.uses: list[Node] = []
        self.nodes: dict[str, Node] = {}
        self.live_names = point.dependents(wrt)

    def node(self, name: str) -> Node:
        """The graph node holding the value of ``name``."""
        if name == self.wrt:
            return self.leaf
        if name not in self.live_names:
            return Node(self.point.value(name), "const")
        if name not in self.nodes:
            for dep in self.point.order_of(name):
                if dep in self.live_names and dep not in self.nodes and dep != self.wrt:
                    self.nodes[dep] = self._trace(self.point.definition(dep))
                    # the traced value is the value at this point: evaluate it once
                    self.point.values.setdefault(dep, self.nodes[dep].value)
        return self.nodes[name]

    def _trace(self, expr: Expr) -> Node:
        stack: list[Node] = []

        def on_value(node, value, operands):
            parents = tuple(stack[len(stack) - len(operands):]) if operands else ()
            del stack[len(stack) - len(operands):]
            stack.append(self._make(node, value, parents))

        values = {}
        for name in names_used(expr):
            if name == self.wrt:
                values[name] = self.leaf.value
            elif name in self.nodes:
                values[name] = self.nodes[name].value
            elif self.point.known(name):
                values[name] = self.point.value(name)
        eval_expr(expr, values, self.point.sizes, self.point.deriv_callback, on_value)
        return stack[0]

    def _make(self, expr: Expr, value, parents: tuple[Node, ...]) -> Node:
        span = getattr(expr, "span", None)
        match expr:
            case Name(id=name) if name == self.wrt:
                use = Node(value, "use", (self.leaf,), span=span)
                self.uses.append(use)
                return use
            case Name(id=name) if name in self.nodes:
                return self.nodes[name]
            case Deriv(num=num, den=den) if num.id in self.live_names:
                raise DerivativeError(f"a definition uses d{num.id}/d{den.id}, and derivatives of "
                                      "derivatives are not computed")
            case _ if not any(p.live for p in parents):
                return Node(value, "const", span=span)
            case BinOp(op=op):
                return Node(value, op.value, parents, span=span)
            case Neg():
                return Node(value, "neg", parents, span=span)
            case Transpose():
                return Node(value, "T", parents, span=span)
            case Call(func=func, prime=prime, args=args):
                kw = {}
                if func in ("sum", "mean"):
                    kw["axis"] = call_axis(expr, [p.value for p in parents])[1]
                if prime and func not in SECOND:
                    raise DerivativeError(f"{func}' has no derivative here")
                return Node(value, func + "'" * prime, parents[: len(args)], kw, span)
        raise DerivativeError(f"cannot differentiate {expr_text(expr)}")

    # ------------------------------------------------------------ queries
    def jacobian(self, y: str) -> Jacobian:
        """The Jacobian of ``y`` by ``wrt``.  One backward sweep per entry of
        ``y``: claims are about scalars (one sweep) or vectors of modest size,
        and the sweeps share one traced forward pass."""
        out = self.node(y)
        m, n = out.value.size, self.leaf.value.size
        shapes = (out.value.shape, self.leaf.value.shape)
        if out is self.leaf:
            return Jacobian(np.eye(n), [], *shapes)
        full = np.zeros((m, n))
        parts = [np.zeros((m, n)) for _ in self.uses]
        if out.live:
            order = topological(out)
            for i in range(m):
                seed = np.zeros(out.value.shape)
                seed.flat[i] = 1.0
                kept = backward(order, seed)
                if id(self.leaf) in kept:
                    full[i] = kept[id(self.leaf)].ravel()
                for use, part in zip(self.uses, parts):
                    if id(use) in kept:
                        part[i] = kept[id(use)].ravel()
        return Jacobian(full, [(u.span, p) for u, p in zip(self.uses, parts)], *shapes)

    def vjp(self, y: str, seed: np.ndarray) -> np.ndarray:
        """``seed`` (shaped like ``y``) times the Jacobian, shaped like ``wrt``."""
        out = self.node(y)
        if out is self.leaf:
            return np.asarray(seed, dtype=np.float64).reshape(self.leaf.value.shape)
        if not out.live:
            return np.zeros_like(self.leaf.value)
        kept = backward(topological(out), seed)
        return kept.get(id(self.leaf), np.zeros_like(self.leaf.value))

    def replay(self, y: str, x_value: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The value of ``y`` with ``wrt`` set to ``x_value`` (the rest held),
        and the arguments of every kink operation on the way."""
        out = self.node(y)
        if not out.live:
            return out.value, []
        vals: dict[int, np.ndarray] = {id(self.leaf): np.asarray(x_value, dtype=np.float64)}
        kinks: list[np.ndarray] = []
        with np.errstate(all="ignore"):
            for node in topological(out):
                if node is self.leaf:
                    continue
                args = [vals.get(id(p), p.value) for p in node.parents]
                if node.op in KINKS:
                    kinks.append(args[0])
                vals[id(node)] = forward(node.op, node.kw, args)
        return vals[id(out)], kinks

    def kink_arguments(self, y: str) -> list[np.ndarray]:
        """Arguments of relu/abs (and their primes) that depend on ``wrt``."""
        out = self.node(y)
        if not out.live:
            return []
        return [n.parents[0].value for n in topological(out) if n.op in KINKS]


# --------------------------------------------------------------------- point

class Point:
    """A program at given input values: lazily evaluated definitions and one
    tape per variable, shared by every derivative taken here."""

    def __init__(self, program: Program, env, inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int]):
        self.program, self.env, self.sizes = program, env, dict(sizes)
        self.defs: dict[str, Expr] = {}
        self.order: list[str] = []
        for stmt in program.statements:
            if isinstance(stmt, Define) and stmt.name not in self.defs:
                self.defs[stmt.name] = stmt.expr
                self.order.append(stmt.name)
        self.values: dict[str, np.ndarray] = {
            k: as_value(v) for k, v in inputs.items()
            if k not in self.defs or self._info_ok(k)}
        for name, info in env.names.items():
            if info.kind == "input" and name in self.values and len(info.shape.dims) == 0:
                self.values[name] = self.values[name].reshape(())
        self.tapes: dict[str, Tape] = {}

    def _info_ok(self, name: str) -> bool:
        info = self.env.names.get(name)
        return info is not None and info.ok

    def known(self, name: str) -> bool:
        return name in self.defs or name in self.values

    def definition(self, name: str) -> Expr:
        return self.defs[name]

    def order_of(self, name: str) -> list[str]:
        """The definitions ``name`` needs (itself included), in program order."""
        needed, stack = set(), [name]
        while stack:
            n = stack.pop()
            if n in needed or n not in self.defs:
                continue
            needed.add(n)
            stack.extend(names_used(self.defs[n]))
        return [n for n in self.order if n in needed]

    def dependents(self, wrt: str) -> set[str]:
        """Every definition whose value changes with ``wrt``, and ``wrt``."""
        live = {wrt}
        for name in self.order:
            if name != wrt and names_used(self.defs[name]) & live:
                live.add(name)
        return live

    def value(self, name: str) -> np.ndarray:
        """The value of an input or definition, evaluating what it needs."""
        if name in self.values:
            return self.values[name]
        if name not in self.defs:
            raise DerivativeError(f"'{name}' has no value (not an input or a definition)")
        for dep in self.order_of(name):
            if dep in self.values:
                continue
            if not self._info_ok(dep):
                raise DerivativeError(f"the definition of {dep} has errors")
            expr = self.defs[dep]
            self.values[dep] = eval_expr(expr, self.values_for(expr), self.sizes,
                                                  self.deriv_callback)
        return self.values[name]

    def values_for(self, expr: Expr) -> dict[str, np.ndarray]:
        """Values of the names ``expr`` reads (size symbols excluded)."""
        out = {}
        for name in names_used(expr):
            if name in self.values or name in self.defs:
                out[name] = self.value(name)
        return out

    def deriv_callback(self, node: Deriv) -> np.ndarray:
        """The value of a ``dA/dB`` term: the true derivative."""
        return self.derivative(node.num.id, node.den.id)

    def tape(self, wrt: str) -> Tape:
        if wrt not in self.tapes:
            if not self.known(wrt):
                raise DerivativeError(f"'{wrt}' is not an input or a definition")
            self.tapes[wrt] = Tape(self, wrt)
        return self.tapes[wrt]

    def jacobian(self, y: str, x: str) -> Jacobian:
        if not self.known(y):
            raise DerivativeError(f"'{y}' is not an input or a definition")
        return self.tape(x).jacobian(y)

    def derivative(self, y: str, x: str) -> np.ndarray:
        """``dy/dx`` shaped as SPEC section 5 says (see :func:`arrange`)."""
        jac = self.jacobian(y, x)
        return arrange(jac.full, jac.out_shape, jac.in_shape, self.layout, f"d{y}/d{x}")

    @property
    def layout(self) -> str:
        return getattr(self.env, "layout", "numerator") or "numerator"


def _is_vector(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and 1 in shape


def arrange(full: np.ndarray, out_shape, in_shape, layout: str, name: str = "the derivative") -> np.ndarray:
    """An ``m x n`` Jacobian in the shape of SPEC section 5: scalar Y -> the
    shape of X; scalar X -> the shape of Y; vectors -> ``m x n`` (numerator
    layout) or ``n x m`` (denominator); anything else is higher-order."""
    m, n = full.shape
    if m == 1:
        return full.reshape(in_shape)
    if n == 1:
        return full.reshape(out_shape)
    if _is_vector(out_shape) and _is_vector(in_shape):
        return full.T.copy() if layout == "denominator" else full
    raise DerivativeError(f"{name} is a higher-order tensor")


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
        raise DerivativeError(f"{y} is not a scalar; use derivative() for a Jacobian")
    return tape.vjp(y, np.ones_like(out))


def derivative(program: Program, env, inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int],
               y: str, x: str) -> np.ndarray:
    """``dy/dx`` at ``inputs``, shaped per SPEC section 5 with ``env.layout``."""
    return Point(program, env, inputs, sizes).derivative(y, x)
