"""Property: the shape checker agrees with NumPy.

Random expressions over random declarations (always a row, a column and a
matrix, then scalar, row, column, square, rectangular or 1 x 1 shapes, over
the symbols n, k, m given distinct concrete sizes, never 1) are checked and
also evaluated by a small NumPy oracle written here (independent of
dsl/evaluate.py):

- accepted (no error): the oracle evaluates it, to exactly the inferred shape
  with the symbols replaced by their values, and the broadcast warnings
  (W303, W304) are exactly the stretches the oracle saw;
- rejected (an error): the oracle raises, either in NumPy itself or because
  the language refuses what NumPy would allow (``**`` by a non-scalar,
  ``trace`` of a non-square, ``outer`` of non-vectors, an axis on a scalar:
  SPEC section 3);
- an operator error's hint names a fix that NumPy then computes without a
  stretch, or, when it says no simple fix fits, none of the candidates does.
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from dsl.core.ast import BinOp, Call, Keyword, Name, Neg, Number, Op, Transpose, walk
from dsl.core.diagnostics import Sink
from dsl.core.dims import SCALAR, Shape, Sym, concrete
from dsl.core.span import Span
from dsl.language import syntax
from dsl.shapes import checker as shapes

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
        case "ones":
            return np.ones((int(args[0]), int(args[1])))
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
            case Neg(operand=o) | Transpose(operand=o) if _compares(o):
                raise Refused("a comparison negated or transposed")
            case Neg(operand=o):
                return -(self.ev(o) * 1.0)       # a product of comparisons is boolean in numpy
            case Transpose(operand=o):
                return np.transpose(self.ev(o))
            case Call(args=args) if any(_compares(a) for a in args):
                raise Refused("a comparison as an argument")
            case BinOp(op=op, left=l, right=r) if (op not in (Op.MUL, Op.MATMUL)
                                                  and not (op is Op.DIV and not _compares(r))
                                                  and (_compares(l) or _compares(r))):
                raise Refused("a comparison as an operand")   # it may be a factor of * or @, or a numerator
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
        return {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply, Op.DIV: np.divide,
                Op.GT: np.greater, Op.GE: np.greater_equal, Op.LT: np.less, Op.LE: np.less_equal}[op](a, b)


def _names(e) -> set[str]:
    return {n.id for n in walk(e) if isinstance(n, Name)}


def _reduction_beside(e) -> bool:
    """A reduction along an axis stretched by ``*`` or ``/`` over a value
    that reads what it reduced (``v * sum(v, axis=0)``): the checker takes
    that for intent and does not warn (``shapes.intent``, pinned by
    tests/corpus/reduction_broadcast.deriv); the oracle does not model it."""
    for node in walk(e):
        if isinstance(node, BinOp) and node.op in (Op.MUL, Op.DIV):
            for vec, other in ((node.left, node.right), (node.right, node.left)):
                if any(isinstance(c, Call) and c.keywords and c.args and _names(c.args[0]) & _names(other)
                       for c in walk(vec)):
                    return True
    return False


def _compares(e) -> bool:
    """A comparison: 0/1 values, only a factor of '*' (or a whole right side)."""
    return isinstance(e, BinOp) and e.op in (Op.GT, Op.GE, Op.LT, Op.LE)


# ------------------------------------------------------------- strategies

KIND_NAMES = ["scalar", "row", "col", "square", "rect", "one"]


@st.composite
def shape_of_kind(draw, kind=None):
    s, t = draw(st.permutations(SYMS))[:2]
    kind = kind or draw(st.sampled_from(KIND_NAMES))
    return {"scalar": SCALAR, "row": Shape((1, Sym(s))), "col": Shape((Sym(s), 1)),
            "square": Shape((Sym(s), Sym(s))), "rect": Shape((Sym(s), Sym(t))),
            "one": Shape((1, 1))}[kind]


def sizes():
    """Distinct concrete values for n, k, m; never 1."""
    values = st.lists(st.integers(2, 6), min_size=3, max_size=3, unique=True)
    return values.map(lambda v: dict(zip(SYMS, v, strict=True)))


@st.composite
def declarations(draw):
    """A row, a column and a matrix (so that broadcasts happen), then 0-3 of any kind."""
    kinds = ["row", "col", "rect", *draw(st.lists(st.sampled_from(KIND_NAMES), max_size=3))]
    return draw(sizes()), {f"v{i}": draw(shape_of_kind(kind)) for i, kind in enumerate(kinds)}


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
    assume(not _reduction_beside(expr))
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

    @settings(max_examples=200, deadline=None, database=None, derandomize=True)
    @given(cases())
    def collect(case):
        _, diags, _ = _run(*case)
        verdicts.add(any(d.is_error for d in diags))
        verdicts.add("warned" if any(not d.is_error for d in diags) else "quiet")

    collect()
    assert verdicts == {True, False, "warned", "quiet"}


# ------------------------------------------- hints name a fix that works

def _fixes(op, a, b):
    """Every fix the hints may name for ``a <op> b``, keyed by its wording."""
    def t(e):
        return Transpose(e, SPAN)

    fixes = {"`B.T` instead of `B`": BinOp(op, a, t(b), SPAN, SPAN),
             "`A.T` instead of `A`": BinOp(op, t(a), b, SPAN, SPAN)}
    if op is Op.MATMUL:
        fixes["use '*'"] = BinOp(Op.MUL, a, b, SPAN, SPAN)
        fixes["`B @ A`"] = BinOp(Op.MATMUL, b, a, SPAN, SPAN)
    if op is Op.MUL:
        fixes["use '@'"] = BinOp(Op.MATMUL, a, b, SPAN, SPAN)
    return fixes


def _works(expr, arrays) -> bool:
    """NumPy computes it, with no vector stretched."""
    oracle = Oracle(arrays)
    try:
        with np.errstate(all="ignore"):
            oracle.ev(expr)
    except (ValueError, Refused):
        return False
    return not oracle.stretches


@settings(max_examples=200, deadline=None)
@given(sizes(), shape_of_kind(), shape_of_kind(), st.sampled_from([Op.MATMUL, Op.MUL, Op.DIV, Op.ADD, Op.SUB]))
def test_operator_hints_name_a_fix_that_works(values, left, right, op):
    decls = {"A": left, "B": right}
    a, b = Name("A", SPAN), Name("B", SPAN)
    _, diags, oracle = _run(values, decls, BinOp(op, a, b, SPAN, SPAN))
    errors = [d for d in diags if d.is_error]
    if not errors:
        return
    hint = errors[0].hint
    fixes = _fixes(op, a, b)
    named = [words for words in fixes if words in hint]
    if named:
        assert _works(fixes[named[0]], oracle.arrays), hint
    else:  # the hint says no simple fix fits: none of them may work
        assert not any(_works(fix, oracle.arrays) for fix in fixes.values()), hint


@settings(max_examples=60, deadline=None)
@given(sizes(), st.booleans(), st.sampled_from([Op.MUL, Op.DIV]), st.booleans())
def test_stretch_warning_form_equals_the_broadcast(values, column, op, vector_left):
    """W303's hint writes the broadcast out (``M @ diag(v)``, ``diag(1 / v) @ M``,
    ``ones(n, 1) @ v / M``...); NumPy gives the same numbers for both."""
    n, k = Sym("n"), Sym("k")
    decls = {"M": Shape((n, k)), "v": Shape((n, 1)) if column else Shape((1, k))}
    v, M = Name("v", SPAN), Name("M", SPAN)
    expr = BinOp(op, v, M, SPAN, SPAN) if vector_left else BinOp(op, M, v, SPAN, SPAN)
    _, diags, oracle = _run(values, decls, expr)
    (d,) = diags
    assert d.code == "W303"
    form, _ = syntax.parse_expr(d.hint.split("`")[1])
    rng = np.random.default_rng(1)
    oracle.arrays = {name: rng.uniform(0.5, 2.0, a.shape) for name, a in oracle.arrays.items()}
    oracle.arrays.update({s: np.float64(values[s]) for s in ("n", "k")})
    np.testing.assert_allclose(oracle.ev(form), oracle.ev(expr))
