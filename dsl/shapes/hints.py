"""Hints for shape diagnostics: the fix that works, written as source text.

:func:`operator_diagnostic` turns an operator's :class:`broadcast.Outcome`
into its diagnostic; the other functions word the hints.

Every suggested fix is tried first: the candidate (``*`` for ``@``, a
transposed operand, swapped operands) is run through :func:`broadcast.binop`
on the operands' shapes, and only a candidate that comes out clean (no error,
no warning) is named.  Candidates are tried in a fixed order and the first
that fits is the hint; when none fits the hint says so rather than invent one.

Operands and fixes are quoted as source text printed from the tree
(``printer.to_source``, brackets by Python precedence), or described in words
when too long to read in a hint.

    >>> from dsl.core.span import Span
    >>> at = Span("<doc>", 1, 1, 1, 3)
    >>> text(transposed(Transpose(Name("W1", at), at))), text(transposed(Name("W1", at)))
    ('W1', 'W1.T')
"""
from __future__ import annotations

import difflib

from dsl.core import messages
from dsl.core.ast import BinOp, Call, Expr, Name, Number, Op, Transpose
from dsl.shapes.broadcast import Outcome, binop
from dsl.core.diagnostics import Diagnostic, Label
from dsl.core.dims import Shape
from dsl.language.printer import to_source as text

QUOTE_LIMIT = 40  # longest operand text quoted in a hint


# ------------------------------------------------------------- source text

def transposed(expr: Expr) -> Expr:
    """``expr`` transposed, undoing a written transpose: ``W.T`` -> ``W``."""
    if isinstance(expr, Transpose):
        return expr.operand
    return Transpose(expr, expr.span)


def quote(expr: Expr, limit: int = QUOTE_LIMIT) -> str | None:
    """Backquoted source text, or None when too long for a hint."""
    s = text(expr)
    return f"`{s}`" if len(s) <= limit else None


def nearest(name: str, candidates) -> str | None:
    found = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


# ------------------------------------------------------- operator hints

def _transposes(node: BinOp, op: Op, l: Shape, r: Shape) -> list[tuple[str, Expr, Expr, str, Shape]]:
    """Transposing the right operand, then the left, each kept only if it
    fits cleanly: (side, operand, its transpose, the shapes as tried, result)."""
    found = []
    for side, operand, (a, b) in (("right", node.right, (l, r.T)), ("left", node.left, (l.T, r))):
        fit = binop(op, a, b)
        if (a, b) != (l, r) and fit.clean:
            found.append((side, operand, transposed(operand), f"{a} {op.value} {b}", fit.shape))
    return found


def _instead(old: Expr, new: Expr) -> str | None:
    old_q, new_q = quote(old), quote(new)
    return f"{new_q} instead of {old_q}" if old_q and new_q else None


def _transpose_fix(node: BinOp, op: Op, l: Shape, r: Shape) -> str | None:
    """The first transpose that fits, as 'transpose the right operand: ...'."""
    for side, old, new, tried, result in _transposes(node, op, l, r)[:1]:
        swap = _instead(old, new)
        how = f": write {swap}" if swap else " (append .T to it in brackets)"
        return f"transpose the {side} operand{how} ({tried} gives {result})"
    return None


def matmul_hint(node: BinOp, l: Shape, r: Shape) -> str:
    """E300/E305: '*', then B.T, then A.T, then swapped operands."""
    if binop(Op.MUL, l, r).clean:  # equal shapes, or a scalar (1 x 1) side
        why = f"both sides are {l}" if l == r else "one side is a scalar"
        return f"use '*' for the elementwise product: {why}"
    fix = _transpose_fix(node, Op.MATMUL, l, r)
    if fix:
        return fix
    swap = binop(Op.MATMUL, r, l)
    if swap.clean:
        candidate = BinOp(Op.MATMUL, node.right, node.left, node.span, node.op_span)
        q = quote(candidate)
        return f"swap the operands: {q or 'right @ left'} ({r} @ {l} gives {swap.shape})"
    return (f"no '*', transpose or swap makes {l} @ {r} fit ({l.cols} against {r.rows}); "
            "one operand is likely the wrong quantity")


def elementwise_hint(node: BinOp, l: Shape, r: Shape) -> str:
    """E301: '@' (for '*' only), then a transposed operand."""
    if node.op is Op.MUL:
        fit = binop(Op.MATMUL, l, r)
        if fit.clean:
            return f"use '@' for the matrix product: {l} @ {r} gives {fit.shape}"
    fix = _transpose_fix(node, node.op, l, r)
    if fix:
        return fix
    ops = "neither '@' nor a transpose" if node.op is Op.MUL else "no transpose"
    return f"{ops} makes {l} and {r} fit; one operand is likely the wrong quantity"


def _size_node(size, span) -> Expr:
    return Number(float(size), str(size), span) if isinstance(size, int) else Name(str(size), span)


def _stretch_form(op: Op, vec: Expr, mat: Expr, vec_side: str, column: bool, mshape: Shape) -> Expr:
    """The broadcast written out: ``M @ diag(v)``, ``diag(1 / v) @ M``, or the
    vector repeated with ``ones`` when it is the numerator of a division."""
    sp = vec.span

    def call(name, *args):
        return Call(name, args, (), False, sp, sp)

    if op is Op.DIV and vec_side == "left":
        one = Number(1.0, "1", sp)
        spread = (BinOp(Op.MATMUL, vec, call("ones", one, _size_node(mshape.cols, sp)), sp, sp) if column
                  else BinOp(Op.MATMUL, call("ones", _size_node(mshape.rows, sp), one), vec, sp, sp))
        return BinOp(Op.DIV, spread, mat, sp, sp)
    d = call("diag", vec if op is Op.MUL else BinOp(Op.DIV, Number(1.0, "1", sp), vec, sp, sp))
    return BinOp(Op.MATMUL, d, mat, sp, sp) if column else BinOp(Op.MATMUL, mat, d, sp, sp)


def stretch_hint(node: BinOp, l: Shape, r: Shape, vec_side: str, column: bool) -> str:
    """W303: the explicit form of the broadcast."""
    vec, mat = (node.right, node.left) if vec_side == "right" else (node.left, node.right)
    vshape, mshape = (r, l) if vec_side == "right" else (l, r)
    form, named = quote(_stretch_form(node.op, vec, mat, vec_side, column, mshape), 2 * QUOTE_LIMIT), ""
    if form is None:
        short = (Name("v", vec.span), Name("M", mat.span))
        form = quote(_stretch_form(node.op, *short, vec_side, column, mshape))
        named = f" (M the {mshape} matrix, v the {vshape} vector)"
    if node.op is Op.DIV and vec_side == "left":
        return (f"each entry divides the vector's entry by the matrix's; if that is meant, "
                f"repeat the vector explicitly: {form}{named}")
    scales = "each row of the matrix" if column else "each column of the matrix"
    return (f"this equals {form}{named}, which scales {scales}; write that if it is meant, "
            "or '@' for a matrix product")


def new_shape_hint(node: BinOp, l: Shape, r: Shape, result: Shape) -> str:
    """W304: each transpose that keeps a vector (which one is meant depends on
    the intended result), and the explicit form of the matrix."""
    fixes = [f"{_instead(old, new) or f'the {side} operand transposed'} (gives {shape})"
             for side, old, new, _, shape in _transposes(node, node.op, l, r)]
    if node.op is Op.MUL:
        tail = f"write outer(...) if the {result} matrix is intended"
    else:
        tail = f"if the {result} matrix is intended, repeat the vectors explicitly with ones(...) and '@'"
    return f"transpose one side: write {' or '.join(fixes)}; or {tail}" if fixes else tail


def operator_diagnostic(node: BinOp, l: Shape, r: Shape, out: Outcome) -> Diagnostic:
    """The diagnostic for an operator whose outcome has a code, with each
    operand labelled with its shape and the hint that fits."""
    labels = [Label(node.left.span, str(l)), Label(node.right.span, str(r))]
    op = node.op.value
    match out.code:
        case "E300":
            return messages.make("E300", node.span, hint=matmul_hint(node, l, r), labels=labels,
                                 left=l, right=r, inner_l=l.cols, inner_r=r.rows)
        case "E305":
            return messages.make("E305", node.span, hint=matmul_hint(node, l, r), labels=labels,
                                 left=l, right=r)
        case "E301":
            return messages.make("E301", node.span, hint=elementwise_hint(node, l, r), labels=labels,
                                 op=op, left=l, right=r)
        case "E302":
            hint = "raise to a scalar power"
            if binop(Op.MUL, r, l).clean:  # a ** b = exp(b * log(a)) for positive a
                log = Call("log", (node.left,), (), False, node.span, node.op_span)
                power = BinOp(Op.MUL, node.right, log, node.span, node.op_span)
                fix = Call("exp", (power,), (), False, node.span, node.op_span)
                hint += f"; for entry-by-entry powers of positive entries write `{text(fix)}`"
            return messages.make("E302", node.span, hint=hint, labels=labels, right=r)
        case "W303":
            vec, mat = (r, l) if out.vec_side == "right" else (l, r)
            return messages.make("W303", node.span, labels=labels, op=op, vec=vec, mat=mat,
                                 hint=stretch_hint(node, l, r, out.vec_side, out.column))
    return messages.make("W304", node.span, labels=labels, op=op, left=l, right=r, result=out.shape,
                         hint=new_shape_hint(node, l, r, out.shape))


def undefined_hint(name: str, ahead: dict, defining: str | None, dims, names) -> str | None:
    """E200: a definition further down, a size symbol, or the nearest name."""
    if name in dims:
        return f"'{name}' is a size symbol, not a variable"
    if name in ahead:
        span, how = ahead[name]
        if name == defining:
            return f"'{name}' cannot be used in its own definition"
        return f"'{name}' is {how} on line {span.line}, after this use; move that line up"
    near = nearest(name, list(names) + list(dims))
    return f"did you mean '{near}'?" if near else None


def size_hint(name: str, ahead: dict, dims, names) -> str:
    """E206 for an undeclared size symbol."""
    if name in names:
        return f"'{name}' is a variable; sizes are integers or symbols declared with 'dims'"
    if name in ahead:
        span, how = ahead[name]
        return f"'{name}' is {how} on line {span.line}, after this use; move that line up"
    near = nearest(name, dims)
    return f"did you mean '{near}'?" if near else f"declare it first: dims {name}"


# ---------------------------------------------------------- claim hints

def claim_hint(deriv: str, expr: Expr, expected: Shape, got: Shape, rule: str) -> str:
    """E400: the transpose that fixes the right side, or what the shape should be."""
    if got.T == expected:
        if isinstance(expr, BinOp) and expr.op is Op.MATMUL:
            # (A @ B).T = B.T @ A.T, written without a trailing transpose
            swapped = BinOp(Op.MATMUL, transposed(expr.right), transposed(expr.left),
                            expr.span, expr.op_span)
            q = quote(swapped, 2 * QUOTE_LIMIT)
            if q:
                return f"the right side is the transpose of {deriv}: write {q}"
        q = quote(transposed(expr))
        return f"the right side is the transpose of {deriv}: write {q or '(...).T'}"
    return f"{deriv} is {expected}: {rule}"


def diagonal_hint(deriv: str, expr: Expr) -> str:
    q = quote(expr)
    inner = q.strip("`") if q else "..."
    return (f"write `diag({inner})` for the Jacobian {deriv}, or keep the vector "
            "and multiply by it with '*' in the gradient")
