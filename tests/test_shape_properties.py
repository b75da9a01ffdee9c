"""Property: the shape checker agrees with NumPy.

Random expressions over random declarations (scalar, row, column, square,
rectangular and 1 x 1 shapes over the symbols n, k, m, given distinct
concrete sizes, never 1) are checked and also evaluated by a small NumPy
oracle written here (independent of dsl/evaluate.py):

- accepted (no error): the oracle evaluates it, to exactly the inferred shape
  with the symbols replaced by their values, and the broadcast warnings
  (W303, W304) are exactly the stretches the oracle saw;
- rejected (an error): the oracle raises, either in NumPy itself or because
  the language refuses what NumPy would allow (``**`` by a non-scalar,
  ``trace`` of a non-square, ``outer`` of non-vectors, an axis on a scalar:
  SPEC section 3).
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import shapes
from dsl.ast import BinOp, Call, Keyword, Name, Neg, Number, Op, Transpose
from dsl.diagnostics import Sink
from dsl.dims import SCALAR, Shape, Sym, concrete
from dsl.span import Span

SPAN = Span("<prop>", 1, 1, 1, 2)
SYMS = ("n", "k", "m")


class Refused(Exception):
    """The language refuses this although NumPy might compute something."""


# ------------------------------------------------------------- the oracle

def _is_vector(a) -> bool:
    return np.ndim(a) == 2 and 1 in a.shape and a.size > 1


def _square(a) -> bool:
    return np.ndim(a) == 2 and a.shape[0] == a.shape[1]


def _call(name, args, axis):
    a = args[0]
    match name:
        case "sigma":
            return 1 / (1 + np.exp(-a))
        case "tanh" | "exp" | "abs":
            return getattr(np, name)(a)
        case "softmax" | "logsumexp":
            if np.size(a) == 1:
                raise Refused(name)
            if name == "softmax":
                return np.exp(a) / np.sum(np.exp(a), axis=None if _is_vector(a) else 1, keepdims=True)
            if _is_vector(a):
                return np.log(np.sum(np.exp(a)))
            return np.log(np.sum(np.exp(a), axis=1, keepdims=True))
        case "sum" | "mean":
            if axis is not None and np.ndim(a) == 0:
                raise Refused(name)  # NumPy quietly allows axis=0 on 0-d; a sign of confusion
            f = getattr(np, name)
            return f(a) if axis is None else f(a, axis=axis, keepdims=True)
        case "diag":
            if _is_vector(a):
                return np.diag(a.ravel())
            if _square(a):
                return np.diag(a).reshape(-1, 1)
            raise Refused("diag")
        case "trace":
            if not _square(a):
                raise Refused("trace")
            return np.trace(a)
        case "det":
            return np.linalg.det(a)
        case "xent":
            if np.shape(a) != np.shape(args[1]):
                raise Refused("xent")
            return -np.sum(a * np.log(np.abs(args[1])))
        case "outer":
            if not (_is_vector(a) and _is_vector(args[1])):
                raise Refused("outer")
            return np.outer(a.ravel(), args[1].ravel())
    raise AssertionError(name)


class Oracle:
    """Evaluates an expression with NumPy, noting every vector stretch."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.stretches: set[str] = set()

    def ev(self, e):
        match e:
            case Name(id=name):
                return self.arrays[name]
            case Number(value=v):
                return np.float64(v)
            case Neg(operand=o):
                return -self.ev(o)
            case Transpose(operand=o):
                return np.transpose(self.ev(o))
            case Call(func=f, args=args, keywords=kws):
                axis = int(kws[0].value.value) if kws else None
                return np.asarray(_call(f, [self.ev(a) for a in args], axis))[()]
            case BinOp(op=op, left=l, right=r):
                return self.binop(op, self.ev(l), self.ev(r))
        raise AssertionError(e)

    def binop(self, op, a, b):
        if op is Op.MATMUL:
            return np.matmul(a, b)
        if op is Op.POW:
            if np.size(b) != 1:
                raise Refused("**")
            return np.abs(a) ** b
        result = np.broadcast_shapes(np.shape(a), np.shape(b))
        if np.size(a) > 1 and np.size(b) > 1 and np.shape(a) != np.shape(b):
            if result not in (np.shape(a), np.shape(b)):
                self.stretches.add("W304")
            elif op in (Op.MUL, Op.DIV):
                self.stretches.add("W303")
        return {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply, Op.DIV: np.divide}[op](a, b)


# ------------------------------------------------------------- strategies

@st.composite
def declarations(draw):
    values = draw(st.lists(st.integers(2, 6), min_size=3, max_size=3, unique=True))
    decls = {}
    for i in range(draw(st.integers(2, 5))):
        s, t = draw(st.permutations(SYMS))[:2]
        kind = draw(st.sampled_from(["scalar", "row", "col", "square", "rect", "one"]))
        decls[f"v{i}"] = {"scalar": SCALAR, "row": Shape((1, Sym(s))), "col": Shape((Sym(s), 1)),
                          "square": Shape((Sym(s), Sym(s))), "rect": Shape((Sym(s), Sym(t))),
                          "one": Shape((1, 1))}[kind]
    return dict(zip(SYMS, values)), decls


UNARY = ["sigma", "tanh", "exp", "abs", "softmax", "logsumexp", "diag", "trace", "det"]


KINDS = ["binop"] * 6 + ["transpose", "neg", "unary", "reduce", "binary"]


@st.composite
def expressions(draw, names, depth=3):
    """An expression tree of at most ``depth`` levels, mostly operators."""
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        if draw(st.integers(0, 4)) == 0:
            text = draw(st.sampled_from(["2", "0.5"]))
            return Number(float(text), text, SPAN)
        return Name(draw(st.sampled_from(names)), SPAN)
    sub = expressions(names, depth - 1)
    match draw(st.sampled_from(KINDS)):
        case "binop":
            return BinOp(draw(st.sampled_from(list(Op))), draw(sub), draw(sub), SPAN, SPAN)
        case "transpose":
            return Transpose(draw(sub), SPAN)
        case "neg":
            return Neg(draw(sub), SPAN)
        case "unary":
            return Call(draw(st.sampled_from(UNARY)), (draw(sub),), (), False, SPAN, SPAN)
        case "reduce":
            ax = draw(st.sampled_from([None, 0, 1]))
            kws = () if ax is None else (Keyword("axis", Number(ax, str(ax), SPAN), SPAN),)
            return Call(draw(st.sampled_from(["sum", "mean"])), (draw(sub),), kws, False, SPAN, SPAN)
    return Call(draw(st.sampled_from(["xent", "outer"])), (draw(sub), draw(sub)), (), False, SPAN, SPAN)


@st.composite
def cases(draw):
    values, decls = draw(declarations())
    expr = draw(expressions(sorted(decls)))
    return values, decls, expr


def _run(values, decls, expr):
    env = shapes.Env(dims=dict(values))
    for name, shape in decls.items():
        env.names[name] = shapes.NameInfo(shape, "input", SPAN)
    sink = Sink()
    inferred = shapes.infer(env, expr, sink)
    rng = np.random.default_rng(0)
    arrays = {name: (rng.standard_normal(tuple(concrete(d, values) for d in shape.dims))
                     if shape.dims else np.float64(rng.standard_normal()))
              for name, shape in decls.items()}
    return inferred, sink.items, Oracle(arrays)


# ---------------------------------------------------------------- property

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_checker_agrees_with_numpy(case):
    values, decls, expr = case
    inferred, diags, oracle = _run(values, decls, expr)
    errors = [d for d in diags if d.is_error]
    with np.errstate(all="ignore"):
        try:
            result = oracle.ev(expr)
            raised = None
        except (ValueError, np.linalg.LinAlgError, Refused) as exc:
            raised = exc
    if errors:
        assert raised is not None, f"checker rejected ({[d.message for d in errors]}) but NumPy computed it"
        assert inferred is None
    else:
        assert raised is None, f"checker accepted {inferred} but evaluation raised {raised!r}"
        assert np.shape(result) == tuple(concrete(d, values) for d in inferred.dims)
        assert {d.code for d in diags} == oracle.stretches


def test_generator_reaches_both_verdicts():
    """The property above is only meaningful if both branches are exercised."""
    verdicts = set()

    @settings(max_examples=150, deadline=None, database=None)
    @given(cases())
    def collect(case):
        _, diags, _ = _run(*case)
        verdicts.add(any(d.is_error for d in diags))
        verdicts.add("warned" if any(not d.is_error for d in diags) else "quiet")

    collect()
    assert verdicts == {True, False, "warned", "quiet"}
