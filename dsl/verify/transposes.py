"""A claim wrong only by the transpose of one square matrix it names, or
right only when that matrix is symmetric: the diagnosis's check of them.

Shapes cannot tell ``A`` from ``A.T`` when ``A`` is square, so the slip
survives the shape check: ``dt/dX = A @ B.T`` for ``t = trace(A @ X @ B)``,
where ``A.T @ B.T`` is right.  For every square, non-symmetric value the
claim holds (a name, a derivative term such as ``dL/dS``, an operand of
``@``), the claim is evaluated again in each draw

* with one use of the matrix transposed, or its ``.T`` taken away (and
  with every use at once): when exactly one of these agrees with the true
  derivative in every draw, the claim is "missing a transpose on A" (or
  has an extra one), and the corrected right side is the fix;
* with the matrix replaced by its symmetric part ``(A + A.T) / 2``: when
  that agrees in every draw, the claim holds for every symmetric ``A`` (it
  equals the truth there) and for no other tried: "it holds only for a
  symmetric A" (``2 * A @ x`` for the gradient of ``x.T @ A @ x``).

Each variant is a value of the claim's own right side, so a diagnosis is
only said when it is exactly right (within the verifier's tolerance), as
every other diagnosis.

>>> from dsl.language.syntax import parse_expr
>>> def square(node): return to_source(node) == "A"
>>> [t.text for t in toggled(parse_expr("A @ x + A.T @ y")[0], square)]
['A.T @ x + A.T @ y', 'A @ x + A @ y', 'A.T @ x + A @ y']
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from dsl.compute.autodiff import DerivativeError
from dsl.compute.budget import OverBudget, check_time
from dsl.compute.numeric import DomainError, EvalError
from dsl.core.ast import (
    BinOp,
    Call,
    Deriv,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    Keyword,
    Name,
    Neg,
    Number,
    Op,
    Transpose,
    walk,
)
from dsl.core.diagnostics import Fix
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr
from dsl.shapes.hints import quote
from dsl.verify.factors import close
from dsl.verify.samples import Diagnosis

MAX_USES = 8
"""Uses of square matrices in a claim beyond which no use is tried alone."""

MISSING, EXTRA, SWAPPED, ENTRIES, SYMMETRIC = "missing", "extra", "swapped", "entries", "symmetric"


@dataclass(frozen=True)
class Variant:
    """The claim changed in one way, and its value in one draw (arranged
    like the claim's: broadcast, symmetric part for a symmetric variable)."""

    kind: str                 # MISSING, EXTRA, SWAPPED (uses of the name), ENTRIES (an entry claim's
                              # indices of the name swapped) or SYMMETRIC
    name: str                 # the matrix
    text: str | None          # the changed right side, when it is written out
    value: np.ndarray
    expr: Expr | None = None  # the changed right side as a tree
    leaf: bool = True         # the value is a name or a derivative term (not an expression)
    span: Span | None = None  # the one use changed, when it is one


class Toggle(NamedTuple):
    """One way to transpose the uses of a value in a claim."""

    kind: str                 # MISSING, EXTRA or SWAPPED
    what: str                 # the value's name, or its text in backquotes
    text: str                 # the claim's right side so changed
    expr: Expr
    leaf: bool                # the value is a name or a derivative term
    span: Span | None = None  # the one use changed, when it is one


def square_names(expr: Expr, values: dict[str, np.ndarray]) -> set[str]:
    """The names ``expr`` reads whose value is a square matrix (bigger than
    ``1 x 1``) that is not symmetric: those a transpose changes."""
    used = {n.id for n in walk(expr) if isinstance(n, Name)}
    return {name for name in used if name in values and _square(values[name])}


def _square(v: np.ndarray) -> bool:
    return v.ndim == 2 and v.shape[0] == v.shape[1] > 1 and not close(v, v.T)


def toggled(expr: Expr, square: Callable[[Expr], bool]) -> list[Toggle]:
    """The claim with one use of a square value transposed (a bare ``A``
    becomes ``A.T``, an ``A.T`` becomes ``A``), then, for a value used more
    than once, with every use of it toggled.  The
    uses are of names, derivative terms and operands of ``@`` for which
    ``square`` holds."""
    uses = _uses(expr, square)
    if len(uses) > MAX_USES:
        return []
    out = []
    for node, what in uses:
        new = _swap(expr, {id(node)})
        out.append(Toggle(EXTRA if isinstance(node, Transpose) else MISSING, what, to_source(new), new,
                          _leaf(node), node.span))
    for what in dict.fromkeys(w for _, w in uses):
        mine = [node for node, w in uses if w == what]
        if len(mine) > 1:
            new = _swap(expr, {id(node) for node in mine})
            kinds = {isinstance(node, Transpose) for node in mine}
            kind = SWAPPED if len(kinds) == 2 else (EXTRA if True in kinds else MISSING)
            out.append(Toggle(kind, what, to_source(new), new, _leaf(mine[0])))
    return out


def _leaf(node: Expr) -> bool:
    base = node.operand if isinstance(node, Transpose) else node
    return isinstance(base, Name | Deriv)


def _what(node: Expr) -> str:
    """How the diagnosis names a value: a name as itself, anything else as its text."""
    if isinstance(node, Name):
        return node.id
    return quote(node) or to_source(node)


def _uses(expr: Expr, square: Callable[[Expr], bool]) -> list[tuple[Expr, str]]:
    """Each use of a square value: the ``A.T`` node for a transposed use, the
    ``A`` node otherwise (a name, a derivative term, or an operand of ``@``
    that is neither a number nor a transpose); in source order."""
    operands = {id(side) for n in walk(expr) if isinstance(n, BinOp) and n.op is Op.MATMUL
                for side in (n.left, n.right)}
    inside: set[int] = set()
    out: list[tuple[Expr, str]] = []
    for node in walk(expr):
        if id(node) in inside:
            continue
        if isinstance(node, Transpose) and not isinstance(node.operand, Transpose | Number) and square(node.operand):
            out.append((node, _what(node.operand)))
            inside.add(id(node.operand))
        elif (isinstance(node, Name | Deriv) or (id(node) in operands and not isinstance(node, Transpose | Number))) \
                and square(node):
            out.append((node, _what(node)))
    return out


def _swap(node: Expr, targets: set[int]) -> Expr:
    """``node`` with each use in ``targets`` transposed, or untransposed."""
    if id(node) in targets:
        return node.operand if isinstance(node, Transpose) else Transpose(node, node.span)
    match node:
        case BinOp():
            return replace(node, left=_swap(node.left, targets), right=_swap(node.right, targets))
        case Neg() | Transpose():
            return replace(node, operand=_swap(node.operand, targets))
        case Call():
            return replace(node, args=tuple(_swap(a, targets) for a in node.args),
                           keywords=tuple(Keyword(k.name, _swap(k.value, targets), k.span) for k in node.keywords))
        case Index():
            return replace(node, base=_swap(node.base, targets))
        case IndexSum() | IndexForm():
            return replace(node, body=_swap(node.body, targets))
        case _:
            return node


def variants(expr: Expr, values: dict[str, np.ndarray], entries: bool,
             evaluate: Callable[..., np.ndarray]) -> list[Variant]:
    """The variants of a claim in one draw.  ``evaluate(expr, values)`` is
    the claim's right side (or ``expr``) evaluated with these values and
    arranged for comparison (``arranged=False``: as it is); ``entries``: a
    claim in index form, whose uses are not rewritten (the matrix's value
    is transposed instead)."""
    names = square_names(expr, values)
    out = []
    try:
        if entries:
            for name in sorted(names):
                check_time()
                out.append(Variant(ENTRIES, name, None, evaluate(expr, {**values, name: values[name].T})))
        else:
            def square(node: Expr) -> bool:
                if isinstance(node, Name):
                    return node.id in names
                return _square(np.asarray(evaluate(node, values, arranged=False)))
            for t in toggled(expr, square):
                check_time()
                out.append(Variant(t.kind, t.what, t.text, evaluate(t.expr, values), t.expr, t.leaf, t.span))
        for name in sorted(names):
            check_time()
            v = values[name]
            out.append(Variant(SYMMETRIC, name, None, evaluate(expr, {**values, name: (v + v.T) / 2})))
    except (EvalError, DomainError, DerivativeError, OverBudget, ValueError, ArithmeticError,
            np.linalg.LinAlgError):
        return []
    return out


def check_transposes(samples) -> Diagnosis | None:
    """A transpose missing (or extra) on one square value, else the claim
    right only for a symmetric matrix: the variant that agrees with the
    truth in every draw, when exactly one value's does (a name or a
    derivative term before an expression that holds it: ``(X.T @ D @ X).T``
    fits whenever ``D.T`` does); see the module docstring."""
    if not all(s.claimed.ndim >= 1 for s in samples):
        return None
    per_draw = [s.variants() for s in samples]
    if not per_draw or not per_draw[0]:
        return None
    fitting = []
    for j, first in enumerate(per_draw[0]):
        if any(len(vs) <= j or (vs[j].kind, vs[j].name, vs[j].text) != (first.kind, first.name, first.text)
               for vs in per_draw):
            return None                        # the draws did not try the same variants
        draws = [vs[j] for vs in per_draw]
        if all(v.value.shape == s.true.shape and close(v.value, s.true)
               for v, s in zip(draws, samples, strict=True)):
            fitting.append(first)
    for kinds in ((MISSING, EXTRA, SWAPPED, ENTRIES), (SYMMETRIC,)):
        found = [v for v in fitting if v.kind in kinds]
        named = [v for v in found if v.leaf] or found     # a name before an expression holding it
        if len({v.name for v in named}) == 1:
            return _said(named[0])
        if found:
            return None                        # two values would do: not said
    return None


def _said(v: Variant) -> Diagnosis:
    if v.kind == SYMMETRIC:
        return Diagnosis(say("holds-if-symmetric", name=v.name), say("holds-if-symmetric-hint", name=v.name))
    detail = say(f"transpose-{v.kind}", name=v.name)
    words = quote(v.expr) if v.expr is not None and v.text is not None else None
    if words is None or v.text is None:
        return Diagnosis(detail, say("swap-indices-of-hint" if v.kind == ENTRIES else "transpose-name-hint",
                                     name=v.name))
    label = None if v.span is None else (v.span, say("transpose-here" if v.kind == MISSING else "untranspose-here"))
    return Diagnosis(detail, say("write-instead", text=words), ("replace", v.text), label)


def fix(expr: Expr, how: tuple[str, str]) -> Fix | None:
    """The fix of a ``("replace", text)`` diagnosis: ``text`` for the claim's right side."""
    new, problems = parse_expr(how[1])
    if new is None or problems:
        return None
    return Fix(expr.span, how[1], say("write-instead", text=how[1]), new)
