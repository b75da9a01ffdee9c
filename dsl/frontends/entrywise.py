"""The derivative of an entrywise expression written as a vector.

Notes state one-variable facts about a vector's entries:
``\\frac{d}{dz} \\log(1 + e^{-z}) = -\\sigma(-z)`` holds for each entry
``z_i``, and the right side is the vector of those derivatives.  Read
literally, the derivative of the whole vector expression by the vector is
the diagonal Jacobian, and the vector on the right would be the W402
mistake (a diagonal Jacobian written as a vector).  Only the derivative of
an *expression* (``\\frac{d}{dz} f(z)``, not of a named quantity such as
``\\frac{\\partial h}{\\partial a}``) made of entrywise functions and
operators of the variable and of scalars is taken as such a fact: its
right side, when it has the variable's shape, is the diagonal, and the claim
is checked as ``diag(...)`` with a note.

Contract: :func:`entrywise_in` says whether an expression is entrywise in
a name; :func:`as_diagonal` wraps a translated side in ``diag``.

    >>> from dsl.language.syntax import parse_expr
    >>> [entrywise_in(parse_expr(e)[0], "z", frozenset()) for e in ("log(1 + exp(-z))", "W @ z")]
    [True, False]
"""
from __future__ import annotations

from dataclasses import replace

from dsl.builtins import FUNCTIONS
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Number, Op
from dsl.frontends.forms import names
from dsl.language.printer import to_source, to_source_map
from dsl.language.syntax import parse_expr


def entrywise_in(node: Expr, var: str, scalars: frozenset) -> bool:
    """Whether ``node`` is built from ``var``, numbers and the names in
    ``scalars`` by entrywise functions and operators only (and uses ``var``)."""
    stack, seen = [node], False
    while stack:
        x = stack.pop()
        match x:
            case Number():
                continue
            case Name(id=name):
                if name == var:
                    seen = True
                elif name not in scalars:
                    return False
            case Call(func=func, args=args, keywords=()) if (sig := FUNCTIONS.get(func)) and sig.elementwise:
                stack += list(args)
            case Neg(operand=o):
                stack.append(o)
            case BinOp(op=op, left=left, right=right) if op is not Op.MATMUL:
                stack += [left, right]
            case _:
                return False
    return seen


def as_diagonal(t):
    """The translation ``t`` of a right side as ``diag(...)`` of it (spans kept)."""
    node = Call("diag", (t.node,), (), False, t.node.span, t.node.span)
    text, pieces = to_source_map(node)
    return replace(t, text=text, pieces=tuple(pieces), node=node, names=names(node), scalar=False,
                   name=None, deriv=None, alt=None,
                   grouping=to_source(node, parens="products") if t.grouping else None)


def diagonal_claim(lhs, r, after, scalars: frozenset) -> bool:
    """Whether the claim ``lhs = r`` (translations) is the derivative of an
    entrywise expression of a vector, written as the vector of its diagonal:
    ``lhs`` is ``d_e/dz`` of an intermediate ``_e`` defined by an entrywise
    expression of ``z``, ``z`` is a vector, and ``r`` has ``z``'s shape
    (``after(text)`` checks statements after those read so far, as the
    builder's ``_after``)."""
    if lhs.deriv is None or not lhs.deriv[0].startswith("_"):
        return False
    num, den = lhs.deriv
    definition = next((text for text, _, _ in lhs.aux if text.startswith(num + " = ")), None)
    if definition is None:
        return False
    expr, problems = parse_expr(definition[len(num) + 3:])
    if problems or expr is None or not entrywise_in(expr, den, scalars):
        return False
    lines = "".join(text + "\n" for text, _, _ in (*lhs.aux, *r.aux))
    checked = after(lines + f"_entrywise_probe = {r.text}\n")
    if checked is None:
        return False
    var, right = (checked[0].names.get(n) for n in (den, "_entrywise_probe"))
    return (var is not None and right is not None and var.shape is not None
            and var.shape == right.shape and var.shape.is_vector)
