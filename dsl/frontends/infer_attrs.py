"""What the uses of a name say beyond its shape, for the shape inference of documents (``infer``).

Contract: :func:`attributes` gives the inputs an equation uses the attributes
their test data is drawn with (the targets of a cross-entropy are one-hot, the
argument of a logarithm positive); :func:`placeholders_of` names the inputs
used only as arguments of functions the document does not define.

    >>> from dsl.language.syntax import parse_expr
    >>> attrs = {}
    >>> attributes(parse_expr("xent(y, p) + log(s)")[0], attrs)
    >>> sorted(attrs.items())
    [('s', ('positive',)), ('y', ('onehot',))]
"""
from __future__ import annotations

from dsl.builtins import FUNCTIONS
from dsl.core.ast import BinOp, Call, Deriv, Expr, Index, Name, Op, Transpose, walk


def _opaque(func: str, fixed: dict) -> bool:
    """A function the document calls without defining it, declared a scalar (``ell : scalar opaque``)."""
    shape = fixed.get(func)
    return func not in FUNCTIONS and shape is not None and all(d == 1 for d in shape)


def placeholders_of(equations: list, fixed: dict) -> set[str]:
    """Names used only as arguments of functions the document does not define
    (``y`` of ``\\ell(o, y)``): nothing constrains them, and no shape given them can
    make an error anywhere, so they get fresh sizes of their own."""
    inside: set[str] = set()
    elsewhere: set[str] = set()
    for eq in equations:
        elsewhere |= set(eq.deriv or ()) | ({eq.lhs} if eq.lhs else set())
        args = {id(a) for x in walk(eq.node) if isinstance(x, Call) and _opaque(x.func, fixed)
                for a in x.args if isinstance(a, Name)}
        for x in walk(eq.node):
            if isinstance(x, Name):
                (inside if id(x) in args and x.id not in fixed else elsewhere).add(x.id)
            elif isinstance(x, Deriv):
                elsewhere |= {x.num.id, x.den.id}
    return inside - elsewhere


_DOMAINS = {"x > 0": "positive", "x >= 0": "positive", "det(M) != 0": "invertible", "det(M) > 0": "spd"}
"""The attribute that draws an argument inside a function's domain (``Builtin.domain``)."""


def attributes(node: Expr, attrs: dict) -> None:
    """How the inputs an equation uses are drawn when verifying.  The targets
    of a cross-entropy (``xent(y, p)``, ``y * log(p)``, ``y^T log(p)``,
    ``y_i log p_i``) are one-hot: the identities written for it assume its
    entries sum to 1.  An input a function takes only inside its domain
    (``log(x)``, ``\\sqrt{x}``, ``inv(A)``) is drawn there."""
    def base(x):
        while isinstance(x, (Transpose, Index)):
            x = x.operand if isinstance(x, Transpose) else x.base
        return x.id if isinstance(x, Name) else None

    for x in walk(node):
        if isinstance(x, Call) and x.args and not x.prime and (row := FUNCTIONS.get(x.func)) is not None:
            kind = _DOMAINS.get(row.domain)
            name = base(x.args[0]) if isinstance(x.args[0], Name) else None
            if kind is not None and name is not None and "onehot" not in attrs.get(name, ()):
                attrs[name] = (kind,)
        if isinstance(x, Call) and x.func == "xent" and x.args:
            found = [base(x.args[0])]
        elif isinstance(x, BinOp) and x.op in (Op.MUL, Op.MATMUL):
            found = [base(side) for side, other in ((x.left, x.right), (x.right, x.left))
                     if isinstance(other, Call) and other.func == "log"]
        else:
            continue
        for name in found:
            if name is not None:
                attrs[name] = ("onehot",)
