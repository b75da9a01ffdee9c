"""Symbolic reverse mode over a program's definitions.

The twin of ``compute.autodiff`` on expressions: the definitions that
depend on ``X`` are swept in reverse program order, each with the adjoint
of its name (``dY/dname``), and the rule of every node passes an adjoint
expression to its operands: the operator rules here, a function's from its
row in ``dsl.builtins`` (``symbolic``; an elementwise row without one is
``g * f'(x)``).  :meth:`Sweep.unbroadcast` is the one place that undoes
broadcasting (a bias row gets ``sum(g, axis=0)``), as ``vjp.unbroadcast``.

Every expression refers to the file's own values: the operands of a rule
are the sub-expressions as written, and the value of a whole definition is
its name (``yhat``, ``h``), so ``sigma'(a)`` appears, not its expansion.

One compound rule is known, with its assumption: the adjoint of
``xent(y, p)`` with ``p = softmax(z)`` reaches ``z`` as ``g * (p - y)``
when the groups of ``y`` sum to one (``y`` declared ``onehot`` or
``prob``); the assumption is recorded ("y is onehot").

A Jacobian of vectors is the same sweep seeded with the identity: with row
vectors the adjoint of every node holds one row per entry of ``Y`` (so the
rules apply as they are), with column vectors one column per entry.

``steps`` keeps the adjoint of each intermediate as ``dY/dname`` instead of
expanding it, which gives the chain of ``--steps``, one claim per name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dsl.builtins import FUNCTIONS
from dsl.builtins.symbolic import NOSPAN, Algebra, number
from dsl.core.ast import BinOp, Call, Define, Deriv, Expr, Name, Neg, Number, Op, Program, Transpose, walk
from dsl.core.dims import Shape
from dsl.core.wording import say
from dsl.derive.indexed import matrix_form, uses_indices
from dsl.derive.scaled import COMPARISON
from dsl.derive.shapes import Shaper, axis_of, strip
from dsl.shapes.env import Env

SUMS_TO_ONE = ("onehot", "prob")
"""Attributes under which the groups of a label sum to one."""
SYMMETRIC = ("symmetric", "spd")
"""Attributes under which a matrix equals its transpose."""


class Underivable(Exception):
    """The derivative has no symbolic form here; the message says why."""


def reads(e: Expr) -> set[str]:
    return {n.id for n in walk(e) if isinstance(n, Name)}


@dataclass
class Sweep:
    """One symbolic backward sweep of ``dY/dX``."""

    program: Program
    env: Env
    y: str
    x: str
    steps: bool = False
    assumptions: list[str] = field(default_factory=list)
    stacked: str | None = None     # a Jacobian: "rows" (one adjoint row per entry of Y) or "cols"

    def __post_init__(self):
        self.shape = Shaper(self.env)
        labels = {name: next(a for a in SUMS_TO_ONE if a in info.attrs)
                  for name, info in self.env.names.items() if any(a in info.attrs for a in SUMS_TO_ONE)}
        symmetric = {name: next(a for a in SYMMETRIC if a in info.attrs)
                     for name, info in self.env.names.items() if any(a in info.attrs for a in SYMMETRIC)}
        attrs = {name: info.attrs for name, info in self.env.names.items() if info.attrs}
        self.alg = Algebra(self.shape, labels, symmetric, attrs)
        self.defs: dict[str, Expr] = {}
        self.order: list[str] = []
        self.index_defs: set[str] = set()
        self.twice: set[str] = set()     # names defined more than once (an error the checker reports)
        for stmt in self.program.statements:
            if isinstance(stmt, Define) and stmt.name in self.defs:
                self.twice.add(stmt.name)
            if isinstance(stmt, Define) and stmt.name not in self.defs:
                expr = strip(stmt.expr)
                if uses_indices(stmt.expr):        # swept through its matrix spelling, when it has one
                    found = matrix_form(self.alg, self.env, stmt.expr, self.shape.name(stmt.name))
                    if found is None:
                        self.index_defs.add(stmt.name)
                    else:
                        expr = found
                self.defs[stmt.name] = expr
                self.order.append(stmt.name)
        for name, expr in self.defs.items():      # a comparison is 0 or 1: where(mask, 1, 0) is mask
            if isinstance(expr, BinOp) and expr.op.is_comparison:
                self.alg.attrs[name] = (*self.alg.attrs.get(name, ()), COMPARISON)
        self.live = {self.x}
        for name in self.order:
            if name != self.x and reads(self.defs[name]) & self.live:
                self.live.add(name)
        self.adj: dict[str, Expr] = {}
        self._live_memo: dict[int, tuple[Expr, bool]] = {}
        self.extra: dict[int, Expr] = {}      # id of a node -> an adjoint passed to it directly
        self.pending: set[str] = set()        # names whose definitions hold such a node
        self.result: Expr | None = None
        self.chain: list[tuple[str, Expr]] = []   # (name, its adjoint) in sweep order, for steps

    # ---------------------------------------------------------------- run
    def run(self, seed: Expr) -> Expr | None:
        """The adjoint of ``X`` (None: ``Y`` does not depend on ``X``)."""
        if self.y == self.x:
            return seed
        if self.y not in self.live:
            return None
        needed = self.needed()
        self.adj[self.y] = seed
        for name in reversed(self.order):
            if name not in needed or name == self.x or (name not in self.adj and name not in self.pending):
                continue
            if name in self.index_defs:
                raise Underivable(say("derive-index", name=name))
            g: Expr | None = self.adj.get(name)
            if self.steps and name != self.y and g is not None:
                self.chain.append((name, g))
                g = Deriv(Name(self.y, NOSPAN), Name(name, NOSPAN), NOSPAN)
            self._back(self.defs[name], g, Name(name, NOSPAN))
        return self.result

    def needed(self) -> set[str]:
        needed, todo = set(), [self.y]
        while todo:
            name = todo.pop()
            if name in needed or name not in self.defs or name == self.x:
                continue
            needed.add(name)
            todo.extend(reads(self.defs[name]) & self.live)
        return needed

    def _deliver(self, name: str, g: Expr) -> None:
        if name == self.x:
            self.result = self.alg.add(self.result, g)
        elif name in self.live:
            self.adj[name] = self.alg.add(self.adj.get(name), g)  # type: ignore[assignment]

    def _is_live(self, e: Expr) -> bool:
        found = self._live_memo.get(id(e))     # the nodes of the definitions, alive for the whole sweep
        if found is None or found[0] is not e:
            found = self._live_memo[id(e)] = (e, bool(reads(e) & self.live))
        return found[1]

    # ---------------------------------------------------------- the rules
    def _back(self, e: Expr, g: Expr | None, out: Expr | None = None) -> None:
        """Pass the adjoint ``g`` of ``e`` to its operands (``out``: the
        expression naming the value of ``e``, else ``e`` itself)."""
        more = self.extra.pop(id(e), None)
        if more is not None:
            g = self.alg.add(g, more)
        if g is None:
            if isinstance(e, Call):      # an adjoint passed straight to an argument (the softmax rule)
                for arg in e.args:
                    if id(arg) in self.extra:
                        self._back(arg, None)
            return
        if not self._is_live(e):
            return
        out = e if out is None else out
        a = self.alg
        shape = self.shape(e)
        if self.stacked and shape is not None and not shape.is_one_by_one \
                and not (shape.is_row if self.stacked == "rows" else shape.is_col):
            raise Underivable(say("derive-mixed-vectors", y=self.y, x=self.x))
        match e:
            case Name(id=name):
                self._deliver(name, g)
            case Neg(operand=o):
                self._back(o, a.neg(g))
            case Transpose(operand=o):
                self._back(o, a.T(g))
            case BinOp(op=op, left=left, right=right):
                self._binop(op, left, right, g, out, e)
            case Call():
                self._call(e, g, out)
            case Deriv():
                raise Underivable(say("derive-deriv", deriv=e.text))
            case _:
                raise Underivable(say("derive-index", name=self.y))

    def _binop(self, op: Op, left: Expr, right: Expr, g: Expr, out: Expr, node: Expr) -> None:
        a = self.alg
        live_l, live_r = self._is_live(left), self._is_live(right)
        if op.is_comparison:
            return                       # a step: zero away from equality
        if op is Op.ADD and self._binary_xent(left, right, g, node):
            return
        if op in (Op.ADD, Op.SUB):
            self._back(left, self.unbroadcast(g, left, node))
            self._back(right, self.unbroadcast(a.neg(g) if op is Op.SUB else g, right, node))
        elif op is Op.MUL:
            if live_l:
                self._back(left, self.unbroadcast(a.mul(g, right), left, node))
            if live_r:
                self._back(right, self.unbroadcast(a.mul(left, g) if self._scalar(left) else a.mul(g, left),
                                                   right, node))
        elif op is Op.DIV:
            if live_l:
                self._back(left, self.unbroadcast(a.div(g, right), left, node))
            if live_r:
                term = a.div(a.mul(g, out), right)
                self._back(right, self.unbroadcast(a.neg(term), right, node))
        elif op is Op.MATMUL:
            self._matmul(left, right, g, node, live_l, live_r)
        elif op is Op.POW:
            if live_r:
                raise Underivable(say("derive-power", expr="**"))
            if isinstance(right, Number):
                k = right.value
                factor = a.mul(number(k), a.power(left, number(k - 1))) if k != 2 else a.mul(number(2), left)
            else:
                factor = a.mul(right, a.power(left, a.sub(right, number(1))))
            self._back(left, a.mul(factor, g) if k_is_num(right) else a.mul(g, factor))

    def _matmul(self, left: Expr, right: Expr, g: Expr, node: Expr, live_l: bool, live_r: bool) -> None:
        a = self.alg
        sl, sr = self.shape(left), self.shape(right)
        if sl is None or sr is None:
            raise Underivable(say("derive-unknown-shape"))
        if sl.is_scalar or sr.is_scalar:       # '@' with a scalar side scales
            self._binop(Op.MUL, left, right, g, node, node)
            return
        # a batched product (NumPy: the last two axes multiplied, the leading ones broadcast):
        # the same rules, a transposed operand a matrix, the batch axes summed away
        batched = sl.is_tensor or sr.is_tensor
        if live_l:
            if sr.is_tensor:
                raise Underivable(say("derive-tensor"))
            part = a.matmul(g, a.T(right))
            self._back(left, self.unbroadcast(part, left, None) if batched else part)
        if live_r:
            if sl.is_tensor:
                raise Underivable(say("derive-tensor"))
            part = a.matmul(a.T(left), g)
            self._back(right, self.unbroadcast(part, right, None) if batched else part)

    def _call(self, e: Call, g: Expr, out: Expr) -> None:
        a = self.alg
        row = FUNCTIONS.get(e.func)
        if row is None:
            raise Underivable(say("derive-no-rule", func=e.func))
        if e.prime:
            raise Underivable(say("derive-no-rule", func=e.func + "''"))
        if e.func == "xent" and self._softmax_label(e, g):
            return
        if any(self._is_live(kw.value) for kw in e.keywords):
            raise Underivable(say("derive-no-rule", func=e.func))
        for arg in e.args:
            s = self.shape(arg)
            if self._is_live(arg) and (s is None or (s.is_tensor and not (row.elementwise or e.func in TENSOR_RULES))):
                raise Underivable(say("derive-tensor" if s is not None else "derive-unknown-shape"))
        if row.symbolic is not None:
            parts = row.symbolic(a, g, out, list(e.args), axis_of(e))
        elif row.elementwise and row.has_prime:
            parts = (a.mul(g, a.prime(e.func, e.args[0])),)
        else:
            raise Underivable(say("derive-no-rule", func=e.func))
        for arg, part in zip(e.args, parts, strict=False):
            if part is not None and self._is_live(arg):
                self._back(arg, part)

    def _softmax_label(self, e: Call, g: Expr) -> bool:
        """``xent(y, softmax(z))``: pass ``g * (p - y)`` straight to ``z``."""
        label, p = e.args
        if self._is_live(label) or not isinstance(label, Name):
            return False
        attrs = getattr(self.env.names.get(label.id), "attrs", ())
        kind = next((k for k in SUMS_TO_ONE if k in attrs), None)
        if kind is None:
            return False
        inner = self._defined(p)
        value: Expr = Name(p.id, NOSPAN) if isinstance(p, Name) else p
        if not (isinstance(inner, Call) and inner.func == "softmax" and not inner.prime):
            return False
        shape = self.shape(inner)
        axis = axis_of(inner)
        if shape is None or (axis is not None and not (shape.rank == 2 and axis in (1, -1))):
            return False
        delta = self.alg.sub(value, label)
        part = delta if isinstance(g, Number) and g.value == 1 else self.alg.mul(g, delta)
        self.assumptions.append(say("derive-using", name=label.id, attr=kind))
        self._direct(p, inner, part)
        return True

    def _defined(self, p: Expr) -> Expr:
        """The definition of ``p`` when it is a live defined name, else ``p`` itself."""
        if isinstance(p, Name) and p.id in self.defs and p.id in self.live and p.id != self.x:
            return self.defs[p.id]
        return p

    def _direct(self, p: Expr, inner: Call, part: Expr) -> None:
        """Pass ``part`` straight to the argument of ``inner`` (the call ``p`` is or names)."""
        target = inner.args[0]
        if inner is p:
            self._back(target, part)
            return
        found = self.alg.add(self.extra.get(id(target)), part)
        assert found is not None and isinstance(p, Name)
        self.extra[id(target)] = found
        self.pending.add(p.id)

    def _binary_xent(self, left: Expr, right: Expr, g: Expr, node: Expr) -> bool:
        """``y * log(p) + (1 - y) * log(1 - p)`` with ``p = sigma(z)``: its
        derivative by ``z`` is ``y - p`` (for any ``y``), passed straight to ``z``."""
        match left, right:
            case (BinOp(op=Op.MUL, left=y, right=Call(func="log", prime=False, args=(p,))),
                  BinOp(op=Op.MUL, left=BinOp(op=Op.SUB, left=Number(value=1.0), right=y2),
                        right=Call(func="log", prime=False,
                                   args=(BinOp(op=Op.SUB, left=Number(value=1.0), right=p2),)))):
                pass
            case _:
                return False
        if y != y2 or p != p2 or self._is_live(y):
            return False
        inner = self._defined(p)
        if not (isinstance(inner, Call) and inner.func == "sigma" and not inner.prime):
            return False
        if self.shape(node) != self.shape(p):
            return False
        self._direct(p, inner, self.alg.mul(g, self.alg.sub(y, p)))
        return True

    # ------------------------------------------------------------ helpers
    def _scalar(self, e: Expr) -> bool:
        s = self.shape(e)
        return s is not None and s.is_scalar

    def unbroadcast(self, g: Expr, operand: Expr, node: Expr | None) -> Expr:
        """``g`` (shaped like ``node``, or as it is when None) summed over the axes ``operand``
        was broadcast along."""
        so, sn = self.shape(operand), self.shape(g if node is None else node)
        if so is None or sn is None:
            raise Underivable(say("derive-unknown-shape"))
        if so.dims == sn.dims:
            return g
        if so.is_tensor or sn.is_tensor:
            return self._unbroadcast_tensor(g, so, sn)
        if so.is_one_by_one and self.stacked:      # one row (column) of g per entry of Y
            return self.alg.call("sum", g, axis=1 if self.stacked == "rows" else 0)
        if so.is_one_by_one:
            return self.alg.call("sum", g)
        if so.rank == 2 and sn.rank == 2:
            if so.rows == 1 and sn.rows != 1 and so.cols == sn.cols:
                return self.alg.call("sum", g, axis=0)
            if so.cols == 1 and sn.cols != 1 and so.rows == sn.rows:
                return self.alg.call("sum", g, axis=1)
        raise Underivable(say("derive-broadcast", got=str(so), to=str(sn)))


    def _unbroadcast_tensor(self, g: Expr, so: Shape, sn: Shape) -> Expr:
        """A tensor's adjoint summed over its broadcast axes, each kept with size 1 (as
        ``sum(X, axis=k)`` keeps it); leading axes the operand lacks have no spelling."""
        if so.is_scalar:
            return self.alg.call("sum", g)
        if so.rank != sn.rank:
            raise Underivable(say("derive-broadcast", got=str(so), to=str(sn)))
        for k, (a, b) in enumerate(zip(so.dims, sn.dims, strict=True)):
            if a == 1 and b != 1:
                g = self.alg.call("sum", g, axis=k)
            elif a != b:
                raise Underivable(say("derive-broadcast", got=str(so), to=str(sn)))
        return g


TENSOR_RULES = ("sum", "mean", "softmax", "logsumexp", "xent", "mse", "max", "min", "where", "maximum", "minimum",
                "clip")
"""Functions whose symbolic rule holds at every rank (along the axis they are given)."""


def k_is_num(e: Expr) -> bool:
    return isinstance(e, Number)


def seed_for(shape: Shape | None, alg: Algebra) -> Expr:
    """The adjoint of ``Y`` itself: 1 for a scalar, the identity for a vector."""
    if shape is None or shape.is_one_by_one:
        return number(1)
    return alg.eye(shape.length())
