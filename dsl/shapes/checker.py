r"""The shape checker: every statement and expression gets a shape or a diagnostic.

Contract:

- :func:`check_program` checks a whole program in order and returns the
  environment it built (sizes, names with shapes, claims) and the
  diagnostics; :func:`check_statement` checks one statement into an existing
  :class:`Env` (the REPL and notebooks grow one environment line by line).
- :func:`infer` gives the shape of an expression; every node it visits is
  remembered, so ``env.shape_of(node)`` answers for any sub-expression.
- After an error a node's shape is ``None`` (unknown) and nothing further is
  reported because of it: one mistake, one diagnostic.
- Sizes are ints or declared symbols (``dims``); symbols never match each
  other or integers.  A size symbol used in an expression is a scalar.
- The shape rules of operators live in ``broadcast`` (on shapes alone), the
  checking of function calls in ``calls`` (the rules are the rows of
  ``dsl.builtins``), the wording of hints and the fix search in ``hints``.
- ``symmetric`` and ``spd`` need a square (or scalar) declaration: E207.
- Declarations have at most 4 axes (E222); ``.T`` of a tensor is E221.  A
  W303 for a reduction stretched back over the value it reduced is not
  reported (``intent``); a claim whose right side is the literal ``0``
  takes the derivative's shape.
- ``NameInfo.ok`` / ``ClaimInfo.ok``: checked without error, and so was every
  name used; only those are worth evaluating or verifying.

    >>> from dsl.language.syntax import parse_text
    >>> program, _ = parse_text("dims n, k\nx : 1 x n\nW : n x k\na = x @ W\nb = W @ x")
    >>> env, diags = check_program(program)
    >>> str(env.names["a"].shape), [d.code for d in diags], diags[0].hint
    ('1 x k', ['E300'], 'swap the operands: `x @ W` (1 x n @ n x k gives 1 x k)')
"""
from __future__ import annotations

from dsl.core import messages
from dsl.core.ast import (
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Deriv,
    Dims,
    Expr,
    Layout,
    Name,
    Neg,
    Number,
    Program,
    ShapeSpec,
    SizeRef,
    Stmt,
    Transpose,
    walk,
)
from dsl.core.diagnostics import Label, Sink
from dsl.core.dims import MAX_RANK, MAX_SIZE, SCALAR, Shape, Size, Sym, big_int_text
from dsl.core.kinds import DerivativeKind, LayoutKind, NameKind
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.shapes import attributes, calls, compare, hints, indices, intent, wanted
from dsl.shapes.broadcast import binop
from dsl.shapes.env import ClaimInfo, Env, NameInfo

_HOW_SIZE, _HOW_DECLARED, _HOW_DEFINED = say("how-size"), say("how-declared"), say("how-defined")


# ----------------------------------------------------------------- programs

def check_program(program: Program, env: Env | None = None) -> tuple[Env, list]:
    """Check every statement in order; returns the environment and diagnostics."""
    env = Env() if env is None else env
    sink = Sink()
    env.ahead = ahead_of(program)
    for stmt in program.statements:
        check_statement(env, stmt, sink)
    env.ahead = {}
    return env, sink.items


def ahead_of(program: Program) -> dict[str, tuple[Span, str]]:
    """Where each name of ``program`` is first given (a size, a declaration, a
    definition): what the hints of a name used too early point to (``Env.ahead``)."""
    ahead: dict[str, tuple[Span, str]] = {}
    for stmt in program.statements:
        match stmt:
            case Dims(items=items):
                for item in items:
                    ahead.setdefault(item.name, (item.span, _HOW_SIZE))
            case Decl(name=name, name_span=span):
                ahead.setdefault(name, (span, _HOW_DECLARED))
            case Define(name=name, name_span=span):
                ahead.setdefault(name, (span, _HOW_DEFINED))
    return ahead


def check_statement(env: Env, stmt: Stmt, sink: Sink) -> None:
    match stmt:
        case Dims(items=items):
            for item in items:
                if not _redefined(env, item.name, item.span, sink):
                    value = item.value
                    if value is not None and value <= 0:
                        what = say("size-not-positive", name=item.name, value=value)
                        sink.add(messages.make("E206", item.span, what=what))
                        value = None
                    elif value is not None and value > MAX_SIZE:
                        what = say("size-too-large", name=item.name, value=big_int_text(value))
                        sink.add(messages.make("E206", item.span, what=what))
                        value = None
                    env.dims[item.name] = value
                    env.dim_spans[item.name] = item.span
        case Decl():
            _declare(env, stmt, sink)
        case Define(name=name, expr=expr, name_span=span):
            before = _errors(sink)
            again = _redefined(env, name, span, sink)
            env.defining = name
            try:
                shape = infer(env, expr, sink)
            finally:
                env.defining = None
            if not again:
                ok = _errors(sink) == before and _uses_ok(env, expr)
                _bind(env, name, NameInfo(shape, NameKind.DEFINED, span, (), ok))
                intent.remember(env, name, expr)
        case Claim():
            _claim(env, stmt, sink)
        case Layout(kind=kind, span=span):
            if kind not in tuple(LayoutKind):
                what = say("layout-unknown", kind=kind)
            elif env.layout_span is not None:
                what = say("layout-again", line=env.layout_span.line)
            elif env.claims:
                what = say("layout-late", line=env.claims[0].claim.span.line)
            else:
                env.layout, env.layout_span = LayoutKind(kind), span
                return
            sink.add(messages.make("E403", span, what=what))


def _errors(sink: Sink) -> int:
    return sink.errors


def _bind(env: Env, name: str, info: NameInfo) -> None:
    env.names[name] = info
    if not info.ok:
        env.broken.add(name)


def _uses_ok(env: Env, expr: Expr) -> bool:
    """Every name the expression uses was itself checked without error."""
    if not env.broken:  # nothing so far has an error: no need to look
        return True
    for node in walk(expr):
        refs = (node,) if isinstance(node, Name) else (node.num, node.den) if isinstance(node, Deriv) else ()
        if any(r.id in env.names and not env.names[r.id].ok for r in refs):
            return False
    return True


def _redefined(env: Env, name: str, span: Span, sink: Sink) -> bool:
    """E201 when ``name`` is already a size symbol, an input or a definition."""
    if name in env.dims:
        first, what = env.dim_spans.get(name), say("what-size-symbol")
    elif name in env.names:
        info = env.names[name]
        first, what = info.span, say("how-declared" if info.kind is NameKind.INPUT else "how-defined")
    else:
        return False
    line = first.line if first is not None else "?"
    sink.add(messages.make("E201", span, name=name, what=what, line=line))
    return True


def _declare(env: Env, decl: Decl, sink: Sink) -> None:
    before = _errors(sink)
    again = _redefined(env, decl.name, decl.name_span, sink)
    shape = _declared_shape(env, decl.shape, sink, decl.name)
    attrs = attributes.check(decl, shape, sink)
    if not again:
        _bind(env, decl.name, NameInfo(shape, NameKind.INPUT, decl.name_span, tuple(attrs), _errors(sink) == before))


def _declared_shape(env: Env, spec: ShapeSpec, sink: Sink, name: str = "") -> Shape | None:
    if len(spec.sizes) > MAX_RANK:
        sink.add(messages.make("E222", spec.span, what=say("rank-too-high", name=name, rank=len(spec.sizes)),
                               hint=say("rank-too-high-hint")))
        return None
    sizes = [_size(env, ref, sink) for ref in spec.sizes]
    return None if None in sizes else Shape(tuple(s for s in sizes if s is not None))


def _size(env: Env, ref: SizeRef, sink: Sink) -> Size | None:
    value = ref.value
    if isinstance(value, int):
        if 0 < value <= MAX_SIZE:
            return value
        key = "size-literal-not-positive" if value <= 0 else "size-literal-too-large"
        sink.add(messages.make("E206", ref.span, what=say(key, value=big_int_text(value))))
        return None
    if value in env.dims:
        return Sym(value)
    hint, fix = hints.size_hint(value, ref.span, env.ahead, env.dims, env.names)
    sink.add(messages.make("E206", ref.span, what=say("size-undeclared", name=value),
                           hint=hint, fix=fix))
    return None


# ------------------------------------------------------------------- claims

def _entry_claim(env: Env, claim: Claim, sink: Sink) -> None:
    """``dL/dW[i, j] = ...``, ``dy[i]/dx[j] = ...``: shapes from the indices."""
    before, (num, den) = _errors(sink), (_variable(env, n, sink) for n in (claim.deriv.num, claim.deriv.den))
    form, expected, got = indices.entry_claim(env, claim, num, den, sink, infer, env.layout is LayoutKind.NUMERATOR)
    env.record(claim.deriv, expected)
    env.claims.append(ClaimInfo(claim, expected, got, _claim_ok(env, claim, sink, before, form is not None), form=form))


def _claim(env: Env, claim: Claim, sink: Sink) -> None:
    if claim.deriv.num_indices or claim.deriv.den_indices:
        _entry_claim(env, claim, sink)
        return
    before = _errors(sink)
    expected, kind, rule = _derivative(env, claim.deriv, sink)
    env.wanted = wanted.wanted_shapes(claim.expr, expected) if expected is not None else {}
    try:
        got = infer(env, claim.expr, sink)
    finally:
        env.wanted = {}
    ok = diagonal = False
    zero = isinstance(claim.expr, Number) and claim.expr.value == 0
    if expected is not None and got is not None and (
            got == expected or (got.is_one_by_one and expected.is_one_by_one) or zero):
        ok = True
    elif expected is not None and got is not None:
        name = hints.text(claim.deriv)
        labels = [Label(claim.deriv.span, str(expected)), Label(claim.expr.span, str(got))]
        if kind is DerivativeKind.JACOBIAN and expected.is_square and got.is_vector and got.length() == expected.rows:
            ok = diagonal = True
            hint, fix = hints.diagonal_hint(name, claim.expr)
            sink.add(messages.make("W402", claim.expr.span, hint=hint, fix=fix,
                                   labels=labels, deriv=name, shape=expected))
        else:
            hint, fix = hints.claim_hint(name, claim.expr, expected, got, rule, lambda e: _is_scalar(env, e))
            if kind is DerivativeKind.JACOBIAN and expected == got.T and not env.claims and env.layout_span is None:
                hint = say("claim-or-layout", hint=hint)
            sink.add(messages.make("E400", claim.expr.span, hint=hint, fix=fix, labels=labels,
                                   claim=name, expected=expected, got=got))
    env.claims.append(ClaimInfo(claim, expected, got, _claim_ok(env, claim, sink, before, ok), diagonal,
                                 zero=zero and got != expected))


def _is_scalar(env: Env, node) -> bool:
    shape = env.shape_of(node)
    return shape is not None and shape.is_one_by_one


def _claim_ok(env: Env, claim: Claim, sink: Sink, before: int, ok: bool) -> bool:
    ok = ok and _errors(sink) == before and _uses_ok(env, claim.expr)
    return ok and all(env.names[n.id].ok for n in (claim.deriv.num, claim.deriv.den) if n.id in env.names)


def derivative_shape(env: Env, deriv: Deriv, sink: Sink | None) -> Shape | None:
    """The shape of ``dY/dX`` (SPEC section 5): the shape of X for a scalar Y,
    of Y for a scalar X, the m x n Jacobian for vectors (n x m in denominator
    layout), else E401."""
    return _derivative(env, deriv, Sink() if sink is None else sink)[0]


def _derivative(env: Env, deriv: Deriv, sink: Sink) -> tuple[Shape | None, DerivativeKind | None, str]:
    """(shape, kind, rule in words); kind is None when there is no shape."""
    ys, xs = _variable(env, deriv.num, sink), _variable(env, deriv.den, sink)
    y, x = deriv.num.id, deriv.den.id
    shape: Shape | None = None
    kind: DerivativeKind | None = None
    rule = ""
    if ys is None or xs is None:
        pass
    elif ys.is_one_by_one:
        shape, kind, rule = xs, DerivativeKind.GRADIENT, say("rule-gradient", y=y, x=x)
    elif xs.is_one_by_one:
        shape, kind, rule = ys, DerivativeKind.BY_SCALAR, say("rule-by-scalar", x=x, y=y)
    elif ys.is_vector and xs.is_vector:
        m, n = ys.length(), xs.length()
        shape = Shape((m, n)) if env.layout is LayoutKind.NUMERATOR else Shape((n, m))
        kind = DerivativeKind.JACOBIAN
        rule = say("rule-jacobian", y=y, m=m, x=x, n=n, shape=shape, layout=env.layout)
    else:
        what = say("higher-order-shapes", y=y, ys=ys, x=x, xs=xs)
        scalars = [n for n, i in env.names.items() if i.shape is not None and i.shape.is_one_by_one]
        loss = scalars[-1] if scalars else "L"
        sink.add(messages.make(
            "E401", deriv.span, deriv=hints.text(deriv), what=what,
            labels=[Label(deriv.num.span, str(ys)), Label(deriv.den.span, str(xs))],
            hint=say("higher-order-tensor-hint" if ys.is_tensor or xs.is_tensor else "higher-order",
                     loss=loss, x=x)))
    env.record(deriv, shape)
    return shape, kind, rule


def _variable(env: Env, node: Name, sink: Sink) -> Shape | None:
    """The shape of a declared or defined name used in ``dY/dX``."""
    if node.id in env.names:
        return env.record(node, env.names[node.id].shape)
    _undefined(env, node, sink)
    return env.record(node, None)


def _undefined(env: Env, node: Name, sink: Sink) -> None:
    hint, fix = hints.undefined_hint(node, env.ahead, env.defining, env.dims, env.names)
    sink.add(messages.make("E200", node.span, hint=hint, fix=fix, name=node.id))


# -------------------------------------------------------------- expressions

def infer(env: Env, expr: Expr, sink: Sink) -> Shape | None:
    """The shape of ``expr``, reporting problems to ``sink``; None if unknown."""
    match expr:
        case Name(id=name):
            if name in env.names:
                shape = env.names[name].shape
            elif name in env.dims:
                shape = SCALAR
            else:
                _undefined(env, expr, sink)
                shape = None
        case Number():
            shape = SCALAR
        case Neg(operand=o):
            shape = infer(env, o, sink)
            shape = None if compare.check(expr, sink) else shape
        case Transpose(operand=o):
            inner = infer(env, o, sink)
            shape = None if inner is None else inner.T
            if inner is not None and inner.is_tensor:  # E221: say which axes to swap
                sink.add(hints.transpose_tensor(expr, inner, env.names))
                shape = None
            shape = None if compare.check(expr, sink) else shape
        case BinOp():
            shape = _binop(env, expr, sink)
            shape = None if compare.check(expr, sink) else shape
        case Call():
            shape = calls.check_call(env, expr, sink, infer)
            shape = None if compare.check(expr, sink) else shape
        case Deriv():
            shape = _derivative(env, expr, sink)[0]
        case _ if isinstance(expr, indices.NODES):
            shape = indices.infer_node(env, expr, sink, infer)
        case _:
            shape = None
    return env.record(expr, shape)


def _binop(env: Env, node: BinOp, sink: Sink) -> Shape | None:
    lhs, rhs = infer(env, node.left, sink), infer(env, node.right, sink)
    if lhs is None or rhs is None:
        return None
    out = binop(node.op, lhs, rhs)
    if out.code is None:
        hints.inverse_power(node, lhs, sink)
    if out.code is None or (out.code == "W303" and intent.intended(env, node, out)):
        return out.shape
    want = env.wanted.get(id(node))
    fixable = want is not None and out.code in ("E300", "E301", "E305")
    fixed = wanted.operator_fix(node, lhs, rhs, want) if fixable and want is not None else None
    sink.add(hints.operator_diagnostic(node, lhs, rhs, out, fixed))
    return out.shape
