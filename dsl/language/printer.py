"""The canonical ASCII form of an AST, and the ``explain`` view of an expression.

:func:`to_source` writes any expression or statement back as source text
that re-parses to the same AST (spans aside): ``.T`` for every transpose,
``sigma'(a)``, ``dL/dx``, ``sum(X, axis=0)``, names and numbers as parsed.
With ``parens="minimal"`` brackets appear only where precedence needs them;
with ``parens="all"`` every operation is bracketed, which shows how the
parser grouped the expression.  :func:`to_source_map` also says which source
span each printed piece comes from, so text printed from an AST built from
another notation (the LaTeX reader's) maps back to it.

:func:`explain` is what ``chainrule explain`` and the REPL print: the fully
bracketed form, then the tree, one node per line, with its shape when a
``shape_of`` callback is given.

Both work with explicit stacks, so no nesting depth can exhaust Python's
recursion limit.

    >>> from dsl.language.syntax import parse_expr
    >>> to_source(parse_expr("p @ q * r @ s")[0], parens="all")
    '(((p @ q) * r) @ s)'
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.core.ast import (
    NEG_PRECEDENCE,
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Delta,
    Deriv,
    Dims,
    Expr,
    Index,
    IndexForm,
    IndexSum,
    Keyword,
    Layout,
    Name,
    Neg,
    Number,
    Op,
    Program,
    ShapeSpec,
    Stmt,
    Transpose,
)
from dsl.core.dims import Shape, fmt

_ATOM = 5  # binding strength of names, numbers, calls, transposes, dA/dB


def _strength(node: Expr) -> int:
    match node:
        case BinOp(op=op):
            return op.precedence
        case Neg():
            return NEG_PRECEDENCE
        case _:
            return _ATOM


def needs_brackets(parent: Expr, child: Expr, side: str) -> bool:
    """Whether ``child`` needs brackets as the ``side`` ("left", "right" or
    "arg") operand of ``parent``, by Python's rules: left-associative levels,
    ``**`` takes a unary on its right, ``.T`` binds tightest.  E.g. ``b - c``
    as the right operand of ``a - ...`` does."""
    strength = _strength(child)
    match parent:
        case BinOp(op=Op.POW):
            return strength < _ATOM if side == "left" else strength < NEG_PRECEDENCE
        case BinOp(op=op) if op.is_comparison:   # not associative: a < b < c does not parse
            return strength <= op.precedence
        case BinOp(op=op) if side == "left":
            return strength < op.precedence
        case BinOp(op=op):
            return strength <= op.precedence
        case Neg():
            return strength < NEG_PRECEDENCE
        case Transpose() | Index():
            return strength < _ATOM or isinstance(child, Number)
        case _:
            return False




def index_text(found) -> str:
    """``[i, j]``: indices as written after a value or ``sum``."""
    return "[" + ", ".join(ix.name for ix in found) + "]"


def _number_text(node: Number) -> str:
    if node.text:
        return node.text
    return repr(node.value) if node.value >= 0 else f"({node.value!r})"


def to_source(node: Expr | Stmt | Keyword | ShapeSpec | Program, *, parens: str = "minimal") -> str:
    """Source text for an expression, statement or program, e.g.
    ``to_source(parse_expr("(a)ᵀ")[0])`` is ``'a.T'``."""
    if parens not in _MODES:
        raise ValueError(f"parens must be 'minimal', 'all' or 'products', not {parens!r}")
    match node:
        case Program(statements=statements):
            return "".join(to_source(s, parens=parens) + "\n" for s in statements)
        case Dims(items=items):
            return "dims " + ", ".join(i.name if i.value is None else f"{i.name} = {i.value}"
                                       for i in items)
        case Decl(name=name, shape=shape, attrs=attrs):
            return " ".join([f"{name} : {to_source(shape)}", *(a.name for a in attrs)])
        case ShapeSpec(sizes=sizes) if sizes:
            return " x ".join(str(s.value) for s in sizes)
        case ShapeSpec():  # no sizes
            return "scalar"
        case Define(name=name, expr=IndexForm(body=body), indices=found) if found:
            return f"{name}{index_text(found)} = {_expr_source(body, parens)}"
        case Define(name=name, expr=expr):
            return f"{name} = {_expr_source(expr, parens)}"
        case Claim(deriv=deriv, expr=expr):
            return f"{_expr_source(deriv, 'minimal')} = {_expr_source(expr, parens)}"
        case Layout(kind=kind):
            return f"layout {kind}"
        case Keyword(name=name, value=value):
            return f"{name}={_expr_source(value, parens)}"
        case _:
            return _expr_source(node, parens)


def to_source_map(node: Expr, *, parens: str = "minimal") -> tuple[str, list[tuple[int, int, int, int]]]:
    """``to_source(node)`` and where each printed piece comes from:
    ``(start, end)`` in the text with ``(start, end)`` offsets of the source
    the node spans point into.  A name, number or ``dA/dB`` maps to its span,
    an operator to its ``op_span``, ``f(`` to ``func_span``, ``.T`` to the
    end of the transpose past its operand, ``-`` to the first character of
    the negation; brackets added for precedence, and ``, ``, map to a point
    at the start or end of what they bracket or precede.  The first piece of
    a node starts where the node starts (a bracket the printer drops still
    belongs to the node written inside it).  ``parens`` also takes
    ``"products"``: a product that is the left operand of a product is
    bracketed too, which shows how a chain of ``@``, ``*`` and ``/`` groups.

        >>> from dsl.language.syntax import parse_expr
        >>> to_source_map(parse_expr("a+b")[0])
        ('a + b', [(0, 1, 0, 1), (1, 4, 1, 2), (4, 5, 2, 3)])
    """
    if parens not in _MODES:
        raise ValueError(f"parens must be 'minimal', 'all' or 'products', not {parens!r}")
    pieces: list[tuple[int, int, int, int]] = []
    return _expr_source(node, parens, pieces), pieces


_MODES = ("minimal", "all", "products")


def _expr_source(root: Expr, mode: str, pieces: list | None = None) -> str:
    out: list[str] = []
    size, lead = 0, None      # lead: where the node whose first piece comes next starts
    # Work items: (text, source start, source end) to emit, or [node, bracketed, own] to
    # expand; ``own`` is False for a node just inside brackets the printer added.
    stack: list = [[root, mode == "all" and isinstance(root, (BinOp, Neg)), True]]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            text = item[0]
            out.append(text)
            if pieces is not None:
                start = item[1] if lead is None else min(item[1], lead)
                pieces.append((size, size + len(text), start, item[2]))
                size, lead = size + len(text), None
            continue
        node, bracketed, own = item
        span = node.span
        if bracketed:
            stack += [(")", span.end, span.end), [node, False, False], ("(", span.start, span.start)]
            continue
        if own and pieces is not None:
            lead = span.start if lead is None else min(lead, span.start)
        match node:
            case Name(id=name):
                stack.append((name, span.start, span.end))
            case Number():
                stack.append((_number_text(node), span.start, span.end))
            case Deriv():
                stack.append((node.text, span.start, span.end))
            case Index(base=base, indices=found):
                stack += [(index_text(found), base.span.end, span.end),
                          [base, _needs(node, base, "left", mode), True]]
            case IndexSum(indices=found, body=body):
                stack += [(")", max(span.start, span.end - 1), span.end), [body, False, True],
                          (f"sum{index_text(found)}(", span.start, body.span.start)]
            case Delta(i=first, j=second):
                stack.append((f"delta({first.name}, {second.name})", span.start, span.end))
            case IndexForm(body=body):
                stack.append([body, False, True])
            case BinOp(op=op, left=left, right=right):
                stack += [[right, _needs(node, right, "right", mode), True],
                          (f" {op.value} ", node.op_span.start, node.op_span.end),
                          [left, _needs(node, left, "left", mode), True]]
            case Neg(operand=operand):
                stack += [[operand, _needs(node, operand, "right", mode), True],
                          ("-", span.start, span.start + 1)]
            case Transpose(operand=operand):
                stack += [(".T", min(operand.span.end, span.end), span.end),
                          [operand, _needs(node, operand, "left", mode), True]]
            case Call(func=func, args=args, keywords=keywords, prime=prime):
                fs = node.func_span
                seq: list = [(func + ("'" if prime else "") + "(", fs.start, fs.end)]
                for i, arg in enumerate(args):
                    at = arg.span.start
                    seq += [(", ", at, at)] * (i > 0) + [[arg, _needs(node, arg, "arg", mode), True]]
                for j, kw in enumerate(keywords):
                    at = kw.span.start
                    seq += [(", ", at, at)] * (j > 0 or bool(args)) + [
                        (f"{kw.name}=", at, kw.value.span.start),
                        [kw.value, _needs(node, kw.value, "arg", mode), True]]
                stack += reversed([*seq, (")", max(span.start, span.end - 1), span.end)])
            case _:
                raise TypeError(f"not an expression: {type(node).__name__}")
    return "".join(out)


def _needs(parent: Expr, child: Expr, side: str, mode: str) -> bool:
    if mode == "all" and isinstance(child, (BinOp, Neg)):
        return True
    if (mode == "products" and side == "left" and isinstance(parent, BinOp) and isinstance(child, BinOp)
            and parent.op.precedence == child.op.precedence == Op.MUL.precedence):
        return True
    return needs_brackets(parent, child, side)


# ------------------------------------------------------------------ explain

def explain(node: Expr | Define | Claim, shape_of: Callable[[Expr], Shape | None] | None = None) -> str:
    """The fully bracketed form, then one line per node of the tree, with its
    shape when ``shape_of`` is given::

        ((x @ W1) + b1)
          +        1 x k
            @      1 x k
              x    1 x n
              W1   n x k
            b1     1 x k
    """
    expr = node.expr if isinstance(node, (Define, Claim)) else node
    rows: list[tuple[str, Expr | None]] = []
    stack: list[tuple[Expr | Keyword, int]] = [(expr, 1)]
    while stack:
        item, depth = stack.pop()
        label, children = _label(item)
        rows.append(("  " * depth + label, None if isinstance(item, Keyword) else item))
        stack += [(child, depth + 1) for child in reversed(children)]
    lines = [to_source(node, parens="all")]
    if shape_of is None:
        lines += [text for text, _ in rows]
    else:
        width = max(len(text) for text, _ in rows)
        lines += [(f"{text.ljust(width)}   {fmt(shape_of(n))}" if n is not None else text)
                  for text, n in rows]
    return "\n".join(lines)


def _label(node: Expr | Keyword) -> tuple[str, tuple]:
    """A node's one-line label and its children, for the explain tree."""
    match node:
        case Name(id=name):
            return name, ()
        case Number():
            return _number_text(node), ()
        case Deriv():
            return node.text, ()
        case BinOp(op=op, left=left, right=right):
            return op.value, (left, right)
        case Index(base=base, indices=found):
            return index_text(found), (base,)
        case IndexSum(indices=found, body=body):
            return f"sum{index_text(found)}", (body,)
        case Delta(i=i, j=j):
            return f"delta({i.name}, {j.name})", ()
        case IndexForm(indices=found, body=body):
            return f"entry {index_text(found)}", (body,)
        case Neg(operand=operand):
            return "neg", (operand,)
        case Transpose(operand=operand):
            return ".T", (operand,)
        case Call(func=func, args=args, keywords=keywords, prime=prime):
            return func + ("'" if prime else "") + "()", (*args, *keywords)
        case Keyword(name=name, value=value):
            return f"{name}=", (value,)
        case _:
            raise TypeError(f"not an expression: {type(node).__name__}")
