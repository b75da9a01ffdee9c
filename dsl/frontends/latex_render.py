"""The chainrule side of a LaTeX translation: expression nodes and their text.

Contract: the nodes here (:class:`Name`, :class:`Num`, :class:`Deriv`,
:class:`Call`, :class:`Transpose`, :class:`Neg`, :class:`Bin`) are what
``latex_read`` builds from a formula; each carries the ``Range`` of the side
of the equation it came from.  :func:`render` spells a node as chainrule text
with a piece map back to those ranges; :func:`names` and :func:`scalar_like`
answer what the form alone says.  Nothing here reads LaTeX.

    >>> render(Bin("@", Name("x", (0, 1)), Name("W", (1, 2)), (0, 2), (1, 1)))[0]
    'x @ W'
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.builtins import FUNCTIONS, returns_scalar

Range = tuple[int, int]


@dataclass(frozen=True)
class Name:
    stem: str
    span: Range
    sub: str = ""

    @property
    def id(self) -> str:
        return self.stem + self.sub


@dataclass(frozen=True)
class Num:
    text: str
    span: Range


@dataclass(frozen=True)
class Deriv:
    num: str
    den: str
    span: Range


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple
    prime: bool
    span: Range
    fspan: Range


@dataclass(frozen=True)
class Transpose:
    x: object
    span: Range
    tspan: Range


@dataclass(frozen=True)
class Neg:
    x: object
    span: Range


@dataclass(frozen=True)
class Bin:
    op: str
    left: object
    right: object
    span: Range
    opspan: Range


def _prec(node) -> int:
    if isinstance(node, Bin):
        return {"+": 1, "-": 1, "**": 4}.get(node.op, 2)
    return 3 if isinstance(node, Neg) else 5


def render(node, explicit: bool = False) -> tuple[str, list]:
    """chainrule text and its pieces ``(start, end, side start, side end)``.
    ``explicit`` parenthesises every product inside a product (the grouping
    shown in a diagnostic)."""
    parts, pieces = [], []

    def add(s: str, span: Range):
        at = sum(map(len, parts))
        pieces.append((at, at + len(s), span[0], span[1]))
        parts.append(s)

    def wrap(x, yes: bool):
        if yes:
            add("(", (x.span[0], x.span[0]))
        emit(x, adjust=not yes)
        if yes:
            add(")", (x.span[1], x.span[1]))

    def emit(x, adjust: bool = True):
        first = len(pieces)
        emit_node(x)
        gs, ge, ss, se = pieces[first]
        if adjust and ss > x.span[0]:       # the node's first token starts the node
            pieces[first] = (gs, ge, x.span[0], se)

    def emit_node(x):
        if isinstance(x, Name):
            add(x.id, x.span)
        elif isinstance(x, Num):
            add(x.text, x.span)
        elif isinstance(x, Deriv):
            add(f"d{x.num}/d{x.den}", x.span)
        elif isinstance(x, Call):
            add(x.func + ("'" if x.prime else "") + "(", x.fspan)
            for i, a in enumerate(x.args):
                if i:
                    add(", ", (a.span[0], a.span[0]))
                emit(a)
            add(")", (x.span[1] - 1, x.span[1]))
        elif isinstance(x, Transpose):
            wrap(x.x, _prec(x.x) < 5)
            add(".T", x.tspan)
        elif isinstance(x, Neg):
            add("-", (x.span[0], x.span[0] + 1))
            wrap(x.x, _prec(x.x) < 3)
        else:
            p = _prec(x)
            if x.op == "**":
                left, right = _prec(x.left) < 5, _prec(x.right) < 3
            else:
                left = _prec(x.left) < p or (explicit and p == 2 and _prec(x.left) == 2)
                right = _prec(x.right) <= p
            wrap(x.left, left)
            add(f" {x.op} ", x.opspan)
            wrap(x.right, right)

    emit(node)
    return "".join(parts), pieces


def names(node) -> frozenset[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, Name):
            found.add(x.id)
        elif isinstance(x, Deriv):
            found |= {x.num, x.den}
        elif isinstance(x, Call):
            stack += x.args
        elif isinstance(x, (Transpose, Neg)):
            stack.append(x.x)
        elif isinstance(x, Bin):
            stack += [x.left, x.right]
    return frozenset(found)


def scalar_like(node, scalars: frozenset) -> bool:
    """Whether the expression is certainly a scalar, read from its form."""
    if isinstance(node, Num):
        return True
    if isinstance(node, Name):
        return node.id in scalars
    if isinstance(node, Call):
        if returns_scalar(node.func):
            return True
        sig = FUNCTIONS.get(node.func)
        return bool(sig and sig.elementwise and node.args and scalar_like(node.args[0], scalars))
    if isinstance(node, (Neg, Transpose)):
        return scalar_like(node.x, scalars)
    if isinstance(node, Bin):
        if node.op == "**":
            return scalar_like(node.left, scalars)
        return node.op != "@" and scalar_like(node.left, scalars) and scalar_like(node.right, scalars)
    return False
