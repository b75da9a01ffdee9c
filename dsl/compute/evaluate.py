"""Evaluation: the value of expressions and definitions on NumPy arrays.

Values are float64: a scalar is a 0-d array, every matrix (vectors too) a
2-D array, so ``1 x n`` is ``(1, n)`` and ``n x 1`` is ``(n, 1)``, exactly the
NumPy a reader would write.  The rules for operators and functions are in
``numeric`` (re-exported here), shared with ``autodiff``.

:func:`eval_expr` walks the tree with an explicit stack, so nesting depth is
bounded by memory, not by Python's recursion limit.  Failures are data: an
:class:`EvalError` carries a located :class:`Diagnostic`, and
:func:`evaluate_program` turns NaN or infinity into a ``W601`` warning that
names the definition and the sub-expression that first produced it.

>>> import numpy as np
>>> from dsl.language.syntax import parse_expr
>>> eval_expr(parse_expr("x @ x.T")[0], {"x": np.ones((1, 3))})
array([[3.]])
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from dsl.builtins import lookup
from dsl.compute import inputs as data
from dsl.compute.budget import current_tally, fmt_bytes, memory_budget, memory_limit, require, tally
from dsl.compute.indices import Layout, factors
from dsl.compute.numeric import (  # noqa: F401  (re-exported: the public rule API)
    FORWARD,
    PRIME,
    DomainError,
    EvalError,
    apply_binop,
    apply_call,
    as_value,
    call_axis,
    ignoring_fp,
    quiet,
    shape_text,
)
from dsl.core import messages
from dsl.core.arrays import as_value as given_value
from dsl.core.ast import (
    BinOp,
    Call,
    Define,
    Delta,
    Deriv,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    Name,
    Neg,
    Number,
    Op,
    Program,
    Transpose,
    children,
)
from dsl.core.diagnostics import Diagnostic, Label
from dsl.core.dims import MAX_SIZE, big_int_text
from dsl.core.kinds import NameKind
from dsl.core.wording import say

# --------------------------------------------------------------- expressions

_INDEX_NODES = (Index, IndexSum, IndexForm, Delta)

# References to an operand that only the evaluation holds, as
# ``sys.getrefcount(operand)`` counts them inside :func:`_spare`: the operands
# list, the loop variable and the call's own argument.
_UNSHARED = sys.getrefcount(object()) + 2


def _spare(operands: list) -> np.ndarray | None:
    """An operand the result may be written into: a float64 array that owns
    its memory and that nothing but this evaluation refers to (not a name's
    value, not an input, not a cached derivative, not the base of a view, not
    on a tape), as NumPy judges its own temporaries by their reference count."""
    for o in operands:
        if (type(o) is np.ndarray and o.base is None and o.ndim and o.dtype == np.float64
                and o.flags.writeable and sys.getrefcount(o) <= _UNSHARED):
            return o
    return None


def _apply(node: Expr, operands: list, values, sizes, deriv, reuse: bool = False) -> np.ndarray:
    match node:
        case Name(id=name):
            if name in values:
                return values[name]
            if name in sizes:
                if sizes[name] > MAX_SIZE:     # given through the API: no float64 holds it
                    raise DomainError("E603", what=say("size-too-large", name=name, value=big_int_text(sizes[name])))
                return np.asarray(float(sizes[name]))
            raise EvalError(messages.make("E200", node.span, name=name))
        case Number(value=v):
            return np.asarray(v, dtype=np.float64)
        case BinOp(op=op):
            into = _spare(operands) if reuse else None     # before the call packs the operands
            return apply_binop(op, *operands, into=into)
        case Neg():
            if reuse and _spare(operands) is not None:
                return np.negative(operands[0], out=operands[0])
            require(int(operands[0].nbytes))
            return -operands[0]
        case Transpose():
            return operands[0].T
        case Call(func=func, prime=prime):
            args, axis = call_axis(node, operands)
            return apply_call(func, prime, args, axis)
        case Deriv():
            if deriv is None:
                raise EvalError(messages.make("W604", node.span, deriv=node.text))
            return as_value(deriv(node))
    raise EvalError(messages.make("E901", node.span, stage="evaluating",
                                  what=say("unknown-node", node=type(node).__name__)))


def eval_expr(expr: Expr, values: Mapping[str, np.ndarray], sizes: Mapping[str, int] = MappingProxyType({}),
              deriv: Callable[[Deriv], np.ndarray] | None = None,
              on_value: Callable[[Expr, np.ndarray, list], None] | None = None,
              layout: Layout | None = None) -> np.ndarray:
    """The value of ``expr`` with names bound to ``values`` and size symbols to
    ``sizes`` (a size symbol is a scalar).  ``deriv`` gives the value of each
    ``dA/dB`` term; ``on_value(node, value, operands)`` sees every node after
    its operands (a tape for reverse mode); ``layout`` (made when needed)
    gives the axes of index notation (``compute.indices``).

    >>> from dsl.core.span import Span
    >>> s = Span("<expr>", 1, 1, 1, 2)
    >>> eval_expr(BinOp(Op.MUL, Name("x", s), Name("n", s), s, s), {"x": np.ones((1, 2))}, {"n": 3})
    array([[3., 3.]])
    """
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    results: list[np.ndarray] = []
    held = current_tally()
    counts: list[int] = []      # under a running total: the bytes each pending result holds
    with ignoring_fp():
        while stack:
            node, expanded = stack.pop()
            kids = factors(node) if isinstance(node, IndexSum) else children(node)
            if kids and not expanded:
                stack.append((node, True))
                stack.extend((k, False) for k in reversed(kids))
                continue
            operands = results[len(results) - len(kids):] if kids else []
            del results[len(results) - len(kids):]
            if held is not None:
                before, drop = held.live, sum(counts[len(counts) - len(kids):]) if kids else 0
                del counts[len(counts) - len(kids):]
            try:
                if isinstance(node, _INDEX_NODES):
                    if layout is None:
                        layout = Layout(expr, values, sizes)
                    layout.evaluator = eval_expr
                    value = layout.evaluate(node, operands)
                else:
                    # without a tape, a temporary operand may take the result
                    value = _apply(node, operands, values, sizes, deriv, on_value is None)
            except DomainError as exc:
                raise exc.located(node.span, expr_text(node)) from None
            except MemoryError:
                raise DomainError("E600", need=say("more-than-free"), budget=fmt_bytes(memory_budget())
                                  ).located(node.span, expr_text(node)) from None
            if on_value is not None:
                on_value(node, value, operands)
            results.append(value)
            if held is not None:
                own = _holds(node, value, operands, drop)
                # without a tape the operands are garbage now; a tape keeps them
                held.live = before + own - (drop if on_value is None else 0)
                counts.append(own)
            del value, operands     # so that the next node may take this result (see _spare)
    return results[0]


def _holds(node: Expr, value: np.ndarray, operands: list, shared: int) -> int:
    """Bytes a node's value adds to what the evaluation holds: none for a
    name (its value is held already), its operands' (``shared``) for a view
    of them (``.T``), else its own size."""
    if isinstance(node, Name):
        return 0
    if value.base is None and not any(value is o for o in operands):    # a new array (most results)
        return value.nbytes
    if any(np.may_share_memory(value, o) for o in operands):
        return shared
    return int(value.nbytes)


def names_used(expr: Expr) -> set[str]:
    """Every name an expression reads, derivative terms included (no recursion)."""
    found, stack = set(), [expr]
    while stack:
        node = stack.pop()
        match node:
            case Name(id=name):
                found.add(name)
            case Deriv(num=num, den=den):
                found.update((num.id, den.id))
            case _:
                stack.extend(children(node))
    return found


def expr_text(expr: Expr, limit: int = 40) -> str:
    """Short source text of an expression for messages (the printer's
    canonical form, cut with '…' past ``limit`` characters)."""
    from dsl.language.printer import to_source  # deferred: the printer only for a message
    text = to_source(expr)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ------------------------------------------------------------------ programs

def _all_finite(v) -> bool:
    """Whether every entry is finite.  A finite sum of squares says so in
    one pass without a temporary (a NaN or an infinity makes it NaN or
    infinite; BLAS computes it fastest); only a sum that is not finite,
    which finite entries can also give by overflowing, is checked entry by
    entry.  (Callers run under ``quiet``: an overflowing sum warns nobody.)"""
    v = np.asarray(v)
    if v.dtype == np.float64 and v.flags.c_contiguous:
        flat = v.reshape(-1)
        if np.isfinite(np.dot(flat, flat)):
            return True
    elif v.dtype.kind == "f" and np.isfinite(np.add.reduce(v, axis=None)):
        return True
    return bool(np.isfinite(v).all())


_HINTS = {"domain": "hint-domain", "zero": "hint-zero"}


def _reason(node: Expr, value, operands: list) -> tuple[str, str | None]:
    """Why ``node`` made a non-finite value from finite operands, and a hint."""
    match node:
        case Call(func=func, prime=prime) if (row := lookup(func)) and row.nonfinite and (
                why := row.nonfinite(prime, operands)):
            reason, hint = why
            return reason, say(_HINTS[hint]) if hint in _HINTS else None
        case BinOp(op=Op.DIV):
            return say("division-by-zero"), say("hint-zero")
        case BinOp(op=Op.POW):
            base, power = operands
            if np.any((base < 0) & (np.round(power) != power)):
                return say("negative-base"), say("hint-domain")
            if np.any((base == 0) & (power < 0)):
                return say("zero-negative-power"), say("hint-zero")
        case Number():
            return say("literal-too-large"), None
        case Deriv():
            return say("derivative-not-finite"), None
    if np.isinf(value).any():
        return say("overflow"), None
    return say("undefined-operation"), None


def _non_finite_warning(define: Define, node: Expr, value, operands) -> Diagnostic:
    v = np.asarray(value)
    nan, inf = int(np.isnan(v).sum()), int(np.isinf(v).sum())
    kind = say("nan-and-infinite" if nan and inf else "nan" if nan else "infinite")
    reason, hint = _reason(node, v, operands)
    where = "" if node is define.expr else say("in-definition-of", name=define.name)
    text = expr_text(node)
    if node is define.expr and define.name != text:
        where = say("defining", name=define.name)
    label = Label(node.span, say("entries-not-finite", count=nan + inf, size=v.size))
    return messages.make("W601", node.span, hint=hint, labels=(label,),
                         name=text, what=say("non-finite-entries", kind=kind, where=where, reason=reason))


def evaluate_program(program: Program, env, inputs: Mapping[str, np.ndarray], sizes: Mapping[str, int],
                     deriv: Callable[[Deriv], np.ndarray] | None = None,
                     budget: int | None = None) -> tuple[dict[str, np.ndarray], list[Diagnostic]]:
    """Evaluate the definitions of a checked program in order.

    Declared inputs come from ``inputs`` (see ``data.draw_inputs``).  A
    definition the checker marked not ok is skipped, and so is everything
    that reads it, without further messages.  Returns every value computed
    (inputs included) and the diagnostics: ``E602`` for a missing or
    misshapen input, ``W601`` where NaN or infinity first appears, and the
    errors of definitions that could not be evaluated.  Run
    ``data.check_budget`` first: this function allocates, each array within
    ``budget`` bytes (default: the budget in force, see ``compute.budget``).
    """
    with memory_limit(budget if budget is not None else memory_budget()), tally():
        return _evaluate_program(program, env, inputs, sizes, deriv)


@quiet
def _evaluate_program(program: Program, env, inputs, sizes, deriv) -> tuple[dict[str, np.ndarray], list[Diagnostic]]:
    values: dict[str, np.ndarray] = {}
    blocked: set[str] = set()
    diags: list[Diagnostic] = []

    def settle(name: str, value, problem) -> None:
        if problem is not None:
            diags.append(problem)
        if value is None:
            blocked.add(name)
        else:
            values[name] = value

    for name, info in env.names.items():
        if info.kind == NameKind.INPUT:
            settle(name, *_input_value(name, info, inputs, sizes))
    held = current_tally()
    if held is not None:    # the inputs are held for the whole evaluation
        held.live += sum(int(v.nbytes) for v in values.values())
    for stmt in program.statements:
        match stmt:
            case Define(name=name, expr=expr):
                info = env.names.get(name)
                if name in values or name in blocked:
                    continue  # a redefinition: the checker reported it; the first one stands
                if info is None or not info.ok or (blocked and names_used(expr) & blocked):
                    blocked.add(name)
                    continue
                settle(name, *_define(stmt, values, sizes, deriv))
    return values, diags


def _define(stmt: Define, values, sizes, deriv) -> tuple[np.ndarray | None, Diagnostic | None]:
    held = current_tally()
    mark = held.live if held is not None else 0
    try:
        value = eval_expr(stmt.expr, values, sizes, deriv)
    except EvalError as exc:
        if held is not None:    # what the failed definition allocated is dropped
            held.live = mark
        return None, exc.diagnostic
    if _all_finite(value):
        return value, None
    if held is None:
        return _locate_non_finite(stmt, values, sizes, deriv)
    held.live = mark            # evaluated again, watched (which keeps every value)
    watched, problem = _locate_non_finite(stmt, values, sizes, deriv)
    stored = watched is None or any(np.may_share_memory(watched, v) for v in values.values())
    held.live = mark + (0 if watched is None or stored else int(watched.nbytes))
    return watched, problem


def _locate_non_finite(stmt: Define, values, sizes, deriv) -> tuple[np.ndarray | None, Diagnostic | None]:
    """Evaluate again, watching every node, to name the sub-expression that
    first produced NaN or infinity (only when the value is not finite)."""
    origin: list = []

    def watch(node, value, operands):
        if origin or isinstance(node, Name) or _all_finite(value):
            return
        if all(_all_finite(o) for o in operands):
            origin.append((node, value, operands))

    try:
        value = eval_expr(stmt.expr, values, sizes, deriv, on_value=watch)
    except EvalError as exc:
        return None, exc.diagnostic
    if origin:
        return value, _non_finite_warning(stmt, *origin[0])
    return value, None


def _input_value(name, info, inputs, sizes) -> tuple[np.ndarray | None, Diagnostic | None]:
    if not info.ok:
        return None, None
    if name not in inputs:
        return None, messages.make("E602", info.span, what=say("no-value-given", name=name))
    value, why = given_value(inputs[name], memory_budget())     # the rule of every array given to chainrule
    if value is None:
        return None, messages.make("E602", info.span, what=say("value-refused", name=name, why=why))
    expected = data.concrete_shape(info.shape, sizes)
    if expected is not None and value.shape != expected and not (value.size == 1 and expected in ((), (1, 1))):
        return None, messages.make("E602", info.span, what=say("value-shape", name=name, got=shape_text(value),
                                   declared=info.shape, here=data.shape_words(expected)))
    if value.size == 1 and expected in ((), (1, 1)):
        value = value.reshape(expected)
    if not _all_finite(value):
        return value, messages.make("W601", info.span, name=name, what=say("given-not-finite"))
    return value, None
