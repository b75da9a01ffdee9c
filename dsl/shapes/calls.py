"""Checking a call of a built-in function: its name, arity, keywords,
sizes and argument shapes, against the function's row in ``dsl.builtins``.

The checker (``checker.infer``) calls :func:`check_call` for every ``Call``
node and passes itself as ``infer`` for the arguments.
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.builtins import ALIASES, FUNCTIONS, Builtin, canonical
from dsl.builtins.axes import AXIS_ARG
from dsl.core import messages
from dsl.core.ast import Call, Expr, Name, Neg, Number
from dsl.core.attributes import OPAQUE
from dsl.core.diagnostics import Label, Sink
from dsl.core.dims import MAX_SIZE, SCALAR, Shape, Size, Sym
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.shapes import hints
from dsl.shapes.broadcast import RULES, Problem, call_problem

Infer = Callable[..., "Shape | None"]


def check_call(env, node: Call, sink: Sink, infer: Infer) -> Shape | None:
    """The shape of a call, reporting problems to ``sink``; ``infer`` gives
    the shapes of the arguments."""
    name = canonical(node.func)
    sig = FUNCTIONS.get(name)
    if sig is None or not sig.sizes:
        shapes = [infer(env, a, sink) for a in node.args]
        for kw in node.keywords:
            infer(env, kw.value, sink)
    if sig is None and (opaque := env.names.get(node.func)) is not None and OPAQUE in opaque.attrs:
        return opaque.shape          # a function the document does not define: its declared shape
    if sig is None:
        rows = {**FUNCTIONS, **{a: FUNCTIONS[f] for a, f in ALIASES.items()}}
        hint, fix = hints.unknown_function_hint(node, rows)
        at = node.span if fix is not None and fix.span == node.span else node.func_span   # sinh(x): the call
        sink.add(messages.make("E202", at, name=name, hint=hint, fix=fix))
        return None
    if not _arity_ok(node, sig, sink):
        return None
    if node.prime and not sig.has_prime:
        primed = ", ".join(f.name for f in FUNCTIONS.values() if f.has_prime)
        sink.add(messages.make("E204", node.func_span, name=name, hint=say("primed-functions", names=primed),
                               what=say("no-prime", name=name)))
        return None
    if sig.sizes:
        sizes = [_size_arg(env, name, a, sink, infer) for a in node.args]
        return None if None in sizes else RULES[name](sizes, None)
    axis = _axis(node, sink)
    if axis is False or None in shapes:
        return None
    result = RULES[name](shapes, axis)
    if isinstance(result, Problem):
        arg = (_axis_value(node) or node) if result.arg == AXIS_ARG else node.args[result.arg]
        labels = [Label(a.span, str(s)) for a, s in zip(node.args, shapes, strict=True)]
        sink.add(messages.make("E204", arg.span, labels=labels, name=name, what=result.what))
        return None
    return result


def _arity_ok(node: Call, sig: Builtin, sink: Sink) -> bool:
    problem = call_problem(sig, len(node.args), [k.name for k in node.keywords])
    if problem is None:
        return True
    where, i, what, hint = problem
    if sig.name in hints.PAIRWISE and len(node.args) == 2:
        hint = say("pairwise", name=sig.name, pairwise=hints.PAIRWISE[sig.name])    # max(0, x) as in print
    span = (node.span if where == "call" else node.keywords[i].span if where == "keyword"
            else _join(node.args[i].span, node.args[-1].span))
    sink.add(messages.make("E203", span, name=sig.name, what=what, hint=hint))
    return False


def _join(first: Span, last: Span) -> Span:
    return Span(first.file, first.line, first.column, last.end_line, last.end_column,
                first.start, last.end, first.cell)


def _axis(node: Call, sink: Sink) -> int | bool | None:
    """The axis keyword: an integer literal (``-1`` counts from the end; the
    shape rule says whether the argument has that axis), None when absent,
    False after an error."""
    value = _axis_value(node)
    if value is None:
        return None
    literal = value.operand if isinstance(value, Neg) else value
    if isinstance(literal, Number) and literal.text.isdigit():
        return -int(literal.text) if isinstance(value, Neg) else int(literal.text)
    sink.add(messages.make("E204", value.span, name=node.func,
                           what=say("bad-axis", axis=hints.text(value))))
    return False


def _axis_value(node: Call) -> Expr | None:
    """The expression given as ``axis=``, if any."""
    return next((kw.value for kw in node.keywords if kw.name == "axis"), None)


def _size_arg(env, func: str, arg: Expr, sink: Sink, infer: Infer) -> Size | None:
    """An argument of eye/ones/zeros: a size symbol or a positive integer literal."""
    match arg:
        case Number(value=v) if v > MAX_SIZE:
            text = hints.text(arg)
            sink.add(messages.make("E206", arg.span, what=say(
                "size-literal-too-large", value=text if len(text) <= 20 else text[:12] + "…")))
            return None
        case Number(value=v) if float(v).is_integer() and v > 0:
            env.record(arg, SCALAR)
            return int(v)
        case Name(id=name) if name in env.dims:
            env.record(arg, SCALAR)
            return Sym(name)
        case Name(id=name) if name not in env.names:
            infer(env, arg, sink)             # reports the undefined name
            return None
    sink.add(messages.make("E204", arg.span, name=func, hint=say("size-arguments"),
                           what=say("size-argument", got=hints.text(arg))))
    return None
