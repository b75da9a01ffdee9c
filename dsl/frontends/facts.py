"""Facts of one variable that notes state about the functions they use.

Notes define the functions they use and state their derivatives, of a
variable that is no value of the document (``z``, a stand-in for any entry;
a fact about a value the document declares or defines is not one of these):

- a definition of a built-in function: ``\\sigma(z) = \\frac{1}{1 + e^{-z}}``,
  ``\\mathrm{ReLU}(z) = \\max(0, z)``;
- a derivative of one: ``\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))``,
  ``\\frac{d\\sigma}{dz} = ...``, ``\\frac{d}{dz} \\log(1 + e^{z}) = \\sigma(z)``, and
  without the variable, ``\\sigma' = \\sigma (1 - \\sigma)``.

Both sides are functions of that one variable, and both are computed at a few
values of it, here, with the function table's own values and derivatives (a
derivative of an expression by central differences).  A definition that agrees
is the built-in the formulas read (``N722``); one that does not is the
document's own function, and its formulas' reading as the built-in is noted
(``N702``), as are the facts about it that follow.  A derivative that does not
agree is wrong (``E500``, with a value where the sides part).

Contract: :func:`values` computes an expression of one variable (None when it
is not one); :class:`Facts` is the part of the builder that reads such a fact.

    >>> import numpy as np
    >>> from dsl.language.syntax import parse_expr
    >>> values(parse_expr("1 / (1 + exp(-z))")[0], "z", np.array([0.0]))
    array([0.5])
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from dsl.builtins import FUNCTIONS, function_name
from dsl.core import messages
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Number, Op, Transpose
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.frontends.document import Slice
from dsl.frontends.entrywise import entrywise_in
from dsl.frontends.forms import names
from dsl.frontends.latex_math import Translation, Unreadable, translate
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr

_PRIMED = r"(?:\s*(?:'|\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![A-Za-z])))?"
_POINTFREE = re.compile(r"\s*(?P<f>\\[A-Za-z]+|\\(?:mathrm|operatorname)\s*\{\s*[A-Za-z]+\s*\})" + _PRIMED + r"\s*")
"""A left side that is a function alone, primed or not: ``\\sigma'``, ``\\tanh``."""

AT = np.array([-2.3, -1.1, -0.4, 0.3, 0.9, 1.7, 2.6])
"""The values of the variable where a fact is checked (none at 0, where kinks are)."""

_STEP = 1e-6
_OPS = {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply, Op.MATMUL: np.multiply,
        Op.DIV: np.divide, Op.POW: np.power}
_PAIRWISE = {"max": np.maximum, "min": np.minimum,      # \max(0, z): the larger of two
             "maximum": np.maximum, "minimum": np.minimum}


def values(node: Expr, var: str, at: np.ndarray) -> np.ndarray | None:
    """``node``, an expression of the one variable ``var``, at the values ``at`` (None
    when it is not one: another name, a function that is not entrywise, a matrix operation)."""
    match node:
        case Number(value=v):
            return np.full(at.shape, float(v))
        case Name(id=name):
            return at.astype(float) if name == var else None
        case Neg(operand=o):
            inner = values(o, var, at)
            return None if inner is None else np.negative(inner)
        case Transpose(operand=o):                     # of one number, the number
            return values(o, var, at)
        case BinOp(op=op, left=left, right=right) if op in _OPS:
            a, b = values(left, var, at), values(right, var, at)
            if a is None or b is None:
                return None
            with np.errstate(all="ignore"):
                return _OPS[op](a, b)
        case Call(func=func, args=args, keywords=()) if func in _PAIRWISE and len(args) == 2:
            a, b = values(args[0], var, at), values(args[1], var, at)
            if a is None or b is None:
                return None
            with np.errstate(all="ignore"):
                return _PAIRWISE[func](a, b)
        case Call(func=func, args=(arg,), keywords=(), prime=prime):
            row = FUNCTIONS.get(func)
            if row is None or not row.elementwise:
                return None
            inner = values(arg, var, at)
            if inner is None:
                return None
            fn = row.prime if prime else row.forward
            if fn is None:
                return None
            with np.errstate(all="ignore"):
                return np.asarray(fn(inner), dtype=float)
    return None


def derivative(node: Expr, var: str, at: np.ndarray) -> np.ndarray | None:
    """The derivative of ``node`` by ``var`` at ``at``, by central differences."""
    step = _STEP * np.maximum(1.0, np.abs(at))
    up, down = values(node, var, at + step), values(node, var, at - step)
    if up is None or down is None:
        return None
    with np.errstate(all="ignore"):
        return (up - down) / (2 * step)


def parting(left: np.ndarray, right: np.ndarray) -> int | None:
    """Where two sides computed at :data:`AT` part (an index of it), or None when they
    agree; -1 when too few values are finite on both sides to tell."""
    both = np.isfinite(left) & np.isfinite(right)
    if both.sum() < 3:
        return -1
    with np.errstate(all="ignore"):
        close = np.isclose(left, right, rtol=1e-4, atol=1e-6) | ~both
    return None if close.all() else int(np.argmin(close))


class Facts:
    """Facts of one variable (a mixin of the ``Builder``)."""

    known: set[str]
    counts: dict
    notes: list
    own_functions: set[str]

    _read: Callable[..., Translation | Unreadable]         # a side read (``supply``)
    _skip: Callable[..., None]                            # a formula not checked, with a note (``builder``)

    def _fact(self, lhs: Translation, parts: list[Slice], whole: Span) -> bool:
        """Whether the equation is a fact of one variable, read here (and so done).
        Overflows and invalid values are values (inf, nan) here, never warnings."""
        with np.errstate(all="ignore"):
            return self._fact_read(lhs, parts, whole, lambda part: self._read(part, lhs))

    def _pointfree(self, parts: list[Slice], whole: Span) -> bool:
        """``\\sigma' = \\sigma (1 - \\sigma)``: a fact written without its variable, when
        the left side is a function alone (primed or not); read with every writing of that
        function applied to a variable (``\\sigma'(z) = \\sigma(z) (1 - \\sigma(z))``)."""
        m = _POINTFREE.fullmatch(parts[0].text)
        var = next((v for v in ("z", "t", "u", "s", "v") if v not in self.known), None)
        if m is None or var is None:
            return False
        token = re.compile(re.escape(m.group("f")) + r"(?![A-Za-z])" + _PRIMED)

        def read(part: Slice):
            return translate(token.sub(lambda t: f"{t.group(0)}({var})", part.text))
        lhs = read(parts[0])
        if not isinstance(lhs, Translation):
            return False
        with np.errstate(all="ignore"):
            return self._fact_read(lhs, parts, whole, read)

    def _fact_read(self, lhs: Translation, parts: list[Slice], whole: Span, read) -> bool:
        form = self._fact_form(lhs)
        if form is None:
            return False
        func, var, left, definition, claim = form
        rights: list[tuple[Expr, np.ndarray]] = []
        for part in parts[1:]:
            r = read(part)
            node = r.node if isinstance(r, Translation) else None
            if node is None or not names(node) <= {var} or any(c.func in self.own_functions for c in _calls(node)):
                return False
            if definition and var not in names(node):
                return False                  # sigma(z) = 1: no definition of a function of z
            computed = values(node, var, AT)
            if computed is None:
                return False
            rights.append((node, computed))
        self.counts["read"] += 1
        self.counts["facts"] += 1           # checked here, not by a program line
        for node, right in rights:
            at = parting(left, right)
            if at is None:
                continue
            if at < 0:
                self._skip(whole, "fact-undecided", var=var)
            elif definition:
                self.own_functions.add(func)
                self._skip(whole, "fact-own-function", func=func, doc=FUNCTIONS[func].doc.strip("`"))
            else:
                self.notes.append(messages.make(
                    "E500", whole, claim=f"{claim} = {to_source(_scalar(node))}",
                    detail=say("fact-parts", var=var, at=f"{AT[at]:g}", left=f"{left[at]:.4g}",
                               right=f"{right[at]:.4g}")))
            return True
        what = "fact-builtin" if definition else "fact-holds"
        self.notes.append(messages.make("N722", whole, what=say(what, func=func, var=var)))
        return True

    def _fact_form(self, lhs: Translation) -> tuple[str, str, np.ndarray, bool, str] | None:
        """The function, the variable, the left side at :data:`AT`, whether it is a
        definition and the left side as a message shows it, of a left side that states
        a fact of one variable."""
        node = lhs.node
        if node is None:
            return None
        if isinstance(node, Call) and len(node.args) == 1 and isinstance(node.args[0], Name) and not node.keywords:
            func, var = node.func, node.args[0].id
            row = FUNCTIONS.get(func)
            if row is None or not row.elementwise or func in self.own_functions or var in self.known:
                return None               # sigma(h) = 1 of the document's h: no fact of a variable
            left = values(node, var, AT)
            return None if left is None else (func, var, left, not node.prime, lhs.text)
        if lhs.deriv is None or lhs.deriv[1] in self.known:
            return None
        num, var = lhs.deriv
        named = function_name(num) if num not in self.known else None
        if named is not None and (row := FUNCTIONS.get(named)) is not None and row.elementwise:
            if named in self.own_functions:
                return None
            left = values(Call(named, (Name(var, node.span),), (), True, node.span, node.span), var, AT)
            return None if left is None else (named, var, left, False, lhs.text)
        definition = next((t for t, _, _ in lhs.aux if t.startswith(num + " = ")), None)
        expr = parse_expr(definition[len(num) + 3:])[0] if definition else None
        if expr is None or not entrywise_in(expr, var, frozenset()):
            return None
        if any(isinstance(c, Call) and c.func in self.own_functions for c in _calls(expr)):
            return None
        left = derivative(expr, var, AT)
        return None if left is None else ("", var, left, False, f"d/d{var} ({to_source(expr)})")


def _scalar(node: Expr) -> Expr:
    """``node`` with its products of numbers written ``*`` (a fact's values are numbers)."""
    match node:
        case BinOp(op=op, left=left, right=right):
            return replace(node, op=Op.MUL if op is Op.MATMUL else op, left=_scalar(left), right=_scalar(right))
        case Neg(operand=o) | Transpose(operand=o):
            return replace(node, operand=_scalar(o))
        case Call(args=args):
            return replace(node, args=tuple(_scalar(a) for a in args))
    return node


def _calls(node: Expr):
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, Call):
            yield x
            stack += list(x.args)
        elif isinstance(x, BinOp):
            stack += [x.left, x.right]
        elif isinstance(x, (Neg, Transpose)):
            stack.append(x.operand)
