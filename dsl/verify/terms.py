"""The top-level terms of a claim, and their values in a draw.

A claim ``a + b - c`` has the terms ``a``, ``b`` and ``c`` with the signs
``+``, ``+``, ``-``: what :mod:`dsl.verify.diagnose` can name one by one
("the term `2 * A @ x` is off by a factor of 2").  Brackets keep a sum
together: ``(a + b) * c`` is one term.

>>> from dsl.language.syntax import parse_expr
>>> [(sign, quote(e)) for sign, e in split(parse_expr("2 * A @ x + b - c")[0])]
[(1, '`2 * A @ x`'), (1, '`b`'), (-1, '`c`')]
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dsl.compute.autodiff import DerivativeError
from dsl.compute.budget import OverBudget
from dsl.compute.numeric import DomainError, EvalError, as_value
from dsl.core.ast import BinOp, Expr, Op
from dsl.core.wording import say
from dsl.shapes.hints import quote
from dsl.verify.samples import Term


def split(expr: Expr) -> list[tuple[int, Expr]]:
    """The top-level ``+``/``-`` terms of ``expr`` with their signs, in source order."""
    out: list[tuple[int, Expr]] = []
    stack: list[tuple[int, Expr]] = [(1, expr)]
    while stack:
        sign, node = stack.pop()
        if isinstance(node, BinOp) and node.op in (Op.ADD, Op.SUB):
            stack.append((sign if node.op is Op.ADD else -sign, node.right))
            stack.append((sign, node.left))
        else:
            out.append((sign, node))
    return out


def values(expr: Expr, evaluate: Callable[[Expr], np.ndarray], shape: tuple[int, ...],
           symmetric: bool) -> list[Term]:
    """The terms of ``expr`` evaluated by ``evaluate``, each broadcast to
    ``shape`` and, for a symmetric variable, replaced by its symmetric part
    (as the claim is); no terms when one cannot be evaluated."""
    out = []
    for sign, node in split(expr):
        try:
            value = as_value(evaluate(node))
            v = np.array(np.broadcast_to(value.reshape(()) if value.size == 1 else value, shape), dtype=np.float64)
        except (EvalError, DomainError, DerivativeError, OverBudget, ValueError, ArithmeticError,
                np.linalg.LinAlgError):
            return []
        if symmetric and v.ndim == 2 and v.shape[0] == v.shape[1]:
            v = (v + v.T) / 2
        words = quote(node) or say("term-at", line=node.span.line, column=node.span.column)
        out.append(Term(words, node.span, sign * v))
    return out
