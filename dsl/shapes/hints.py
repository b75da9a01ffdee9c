"""Hints for shape diagnostics: the fix that works, as data and as words.

:func:`operator_diagnostic` turns an operator's :class:`broadcast.Outcome`
into its diagnostic; the other functions return ``(hint, fix)``: the
:class:`~dsl.core.diagnostics.Fix` (span, replacement source, title, and the
replacement's tree) when one concrete change is proposed, and the hint worded
from it by ``wording.say``.

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

import re

from dsl.core import messages
from dsl.core.ast import BinOp, Call, Expr, Name, Neg, Number, Op, Transpose
from dsl.core.diagnostics import Diagnostic, Fix, Label
from dsl.core.dims import Shape
from dsl.core.span import Span
from dsl.core.wording import say, title
from dsl.language.printer import needs_brackets, to_source as text
from dsl.language.syntax import parse_expr
from dsl.shapes.broadcast import Outcome, binop
from dsl.shapes.nearest import nearest as nearest_name
from dsl.shapes.transposing import transpose_through

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


def nearest(name: str, candidates, indexed: bool = False) -> str | None:
    """The candidate ``name`` is a slip of, or None (see ``shapes.nearest``)."""
    return nearest_name(name, candidates, indexed)


def fix(span: Span, expr: Expr, key: str, **values) -> Fix:
    """Replace ``span`` by ``expr`` (printed as source), titled ``TITLES[key]``."""
    return Fix(span, text(expr), title(key, **values), expr)


def _operand_fix(parent: BinOp, side: str, new: Expr) -> Fix:
    """Replace one operand of ``parent`` by ``new``, bracketed when the
    operator needs it (``(a - b).T`` transposed back is ``(a - b)``)."""
    old = parent.left if side == "left" else parent.right
    if side == "left":
        in_place = BinOp(parent.op, new, parent.right, parent.span, parent.op_span)
    else:
        in_place = BinOp(parent.op, parent.left, new, parent.span, parent.op_span)
    f = fix(old.span, new, f"transpose-{side}")
    if needs_brackets(in_place, new, side):
        f = Fix(f.span, f"({f.replacement})", f.title, new)
    return f


def did_you_mean(span: Span, near: str | None) -> tuple[str | None, Fix | None]:
    """E200/E202/E205/E206: the nearest known name, as a hint and a rename."""
    if near is None:
        return None, None
    return say("did-you-mean", name=say("quoted", text=near)), fix(span, Name(near, span), "rename", name=near)


# Functions of NumPy and of typeset mathematics that the table has under
# another spelling, or not at all (None): x and y stand for the arguments.
ELSEWHERE: dict[str, str | None] = {
    "Sigma": "sum(x)", "sinh": "(exp(x) - exp(-x)) / 2", "cosh": "(exp(x) + exp(-x)) / 2",
    "tan": "sin(x) / cos(x)", "log2": "log(x) / log(2)", "log10": "log(x) / log(10)", "expm1": "exp(x) - 1",
    "square": "x ** 2", "reciprocal": "1 / x", "var": "mean((x - mean(x)) ** 2)",
    "std": "sqrt(mean((x - mean(x)) ** 2))", "dot": "x @ y", "matmul": "x @ y", "transpose": "x.T",
    "amax": "max(x)", "amin": "min(x)", "fmax": "maximum(x, y)", "fmin": "minimum(x, y)",
    "logistic": "sigma(x)", "sgn": "sign(x)",
    **dict.fromkeys(("argmax", "argmin", "arctan", "arcsin", "arccos", "atan", "asin", "acos", "floor", "ceil",
                     "round", "kron", "einsum", "cumsum", "prod", "sort", "eig", "svd", "qr", "cholesky", "solve",
                     "pinv", "reshape", "concatenate", "stack")),
}


PAIRWISE = {"max": "maximum", "min": "minimum"}
"""Reductions that print writes with two arguments (``\\max(0, x)``), and their entrywise forms."""


def unknown_function_hint(node: Call, functions) -> tuple[str | None, Fix | None]:
    """E202: the spelling that works for a function known elsewhere
    (``Σ(x)`` is ``sum(x)``, ``sinh``, ``argmax``), else the nearest
    function (``functions``: name -> row) that takes as many arguments."""
    name = node.func
    if name in ELSEWHERE:
        form = ELSEWHERE[name]
        if form is None or len(node.args) > 2 or node.keywords:
            return say("prefix-unknown", name=name), None
        slots = [s for s in ("x", "y") if re.search(rf"\b{s}\b", form)]
        if len(slots) != len(node.args):
            return say("no-function-write", name=name, form=f"`{form}`"), None
        args = {slot: f"({text(arg)})" for slot, arg in zip(slots, node.args, strict=True)}
        tree, problems = parse_expr(re.sub(r"\b[xy]\b", lambda m: args[m.group()], form))
        if tree is None or problems:
            return say("no-function-write", name=name, form=f"`{form}`"), None
        return (say("no-function-write", name=name, form=quote(tree) or f"`{form}`"),
                fix(node.span, tree, "rename", name=text(tree)))
    fits = [f for f, row in functions.items() if row.arity[0] <= len(node.args) <= row.arity[1]
            and all(k.name in row.keywords for k in node.keywords)]
    return did_you_mean(node.func_span, nearest(name, fits))


# ------------------------------------------------------- operator hints

Hint = tuple[str, Fix | None]


def _transposes(node: BinOp, op: Op, lhs: Shape, rhs: Shape) -> list[tuple[str, Expr, Expr, str, Shape]]:
    """Transposing the right operand, then the left, each kept only if it
    fits cleanly: (side, operand, its transpose, the shapes as tried, result)."""
    found = []
    for side, operand, (a, b) in (("right", node.right, (lhs, rhs.T)), ("left", node.left, (lhs.T, rhs))):
        if (rhs if side == "right" else lhs).is_tensor:
            continue                          # '.T' is for matrices (E221)
        fit = binop(op, a, b)
        if (a, b) != (lhs, rhs) and fit.clean and fit.shape is not None:  # clean: it has a shape
            found.append((side, operand, transposed(operand), f"{a} {op.value} {b}", fit.shape))
    return found


def _transpose_fix(node: BinOp, op: Op, lhs: Shape, rhs: Shape) -> Hint | None:
    """The first transpose that fits, as 'transpose the right operand: ...'."""
    for side, old, new, tried, result in _transposes(node, op, lhs, rhs)[:1]:
        old_q, new_q = quote(old), quote(new)
        if old_q and new_q:
            hint = say("transpose-operand", side=side, new=new_q, old=old_q, tried=tried, result=result)
        else:
            hint = say("transpose-operand-long", side=side, tried=tried, result=result)
        return hint, _operand_fix(node, side, new)
    return None


def _rebuilt(node: BinOp, op: Op, left: Expr, right: Expr) -> Expr:
    return BinOp(op, left, right, node.span, node.op_span)


def matmul_hint(node: BinOp, lhs: Shape, rhs: Shape) -> Hint:
    """E300/E305: '*', then B.T, then A.T, then swapped operands."""
    if (lhs == rhs or lhs.is_one_by_one or rhs.is_one_by_one) and binop(Op.MUL, lhs, rhs).clean:
        hint = say("star-equal", shape=lhs) if lhs == rhs else say("star-scalar")
        return hint, fix(node.span, _rebuilt(node, Op.MUL, node.left, node.right), "star")
    found = _transpose_fix(node, Op.MATMUL, lhs, rhs)
    if found:
        return found
    swap = binop(Op.MATMUL, rhs, lhs)
    if swap.clean:
        candidate = _rebuilt(node, Op.MATMUL, node.right, node.left)
        swapped = quote(candidate) or say("swap-words")
        return (say("swap", swapped=swapped, right=rhs, left=lhs, result=swap.shape),
                fix(node.span, candidate, "swap"))
    return say("matmul-no-fix", left=lhs, right=rhs, inner_l=lhs.cols, inner_r=rhs.rows), None


def elementwise_hint(node: BinOp, lhs: Shape, rhs: Shape) -> Hint:
    """E301: '@' (for '*' only), then a transposed operand."""
    if node.op is Op.MUL:
        fit = binop(Op.MATMUL, lhs, rhs)
        if fit.clean:
            return (say("matmul-instead", left=lhs, right=rhs, result=fit.shape),
                    fix(node.span, _rebuilt(node, Op.MATMUL, node.left, node.right), "matmul"))
    found = _transpose_fix(node, node.op, lhs, rhs)
    if found:
        return found
    return say("star-no-fix" if node.op is Op.MUL else "elementwise-no-fix", left=lhs, right=rhs), None


def power_hint(node: BinOp, lhs: Shape, rhs: Shape) -> Hint:
    """E302: a ** b = exp(b * log(a)) for positive a, when b * log(a) fits."""
    if not binop(Op.MUL, rhs, lhs).clean:
        return say("scalar-power"), None
    log = Call("log", (node.left,), (), False, node.span, node.op_span)
    form = Call("exp", (BinOp(Op.MUL, node.right, log, node.span, node.op_span),), (), False,
                node.span, node.op_span)
    return say("scalar-power-exp", form=f"`{text(form)}`"), fix(node.span, form, "power")


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


def stretch_hint(node: BinOp, lhs: Shape, rhs: Shape, vec_side: str, column: bool) -> Hint:
    """W303: the explicit form of the broadcast."""
    vec, mat = (node.right, node.left) if vec_side == "right" else (node.left, node.right)
    vshape, mshape = (rhs, lhs) if vec_side == "right" else (lhs, rhs)
    full = _stretch_form(node.op, vec, mat, vec_side, column, mshape)
    form = quote(full, 2 * QUOTE_LIMIT)
    if form is None:
        short = (Name("v", vec.span), Name("M", mat.span))
        form = say("stretch-named", form=quote(_stretch_form(node.op, *short, vec_side, column, mshape)),
                   mat=mshape, vec=vshape)
    if node.op is Op.DIV and vec_side == "left":
        key = "stretch-divide"
    else:
        key = "stretch-rows" if column else "stretch-columns"
    return say(key, form=form), fix(node.span, full, "stretch")


def new_shape_hint(node: BinOp, lhs: Shape, rhs: Shape, result: Shape) -> Hint:
    """W304: each transpose that keeps a vector (which one is meant depends on
    the intended result), and the explicit form of the matrix."""
    found = _transposes(node, node.op, lhs, rhs)
    fixes = []
    for side, old, new, _, shape in found:
        old_q, new_q = quote(old), quote(new)
        fixes.append(say("new-shape-instead", new=new_q, old=old_q, result=shape) if old_q and new_q
                     else say("new-shape-operand", side=side, result=shape))
    tail = say("new-shape-outer" if node.op is Op.MUL else "new-shape-ones", result=result)
    if not fixes:
        return tail, None
    either = fixes[0] if len(fixes) == 1 else say("new-shape-or", first=fixes[0], second=fixes[1])
    side, _, new, _, _ = found[0]
    return say("new-shape-transpose", fixes=either, tail=tail), _operand_fix(node, side, new)


def operator_diagnostic(node: BinOp, lhs: Shape, rhs: Shape, out: Outcome, wanted: Hint | None = None) -> Diagnostic:
    """The diagnostic for an operator whose outcome has a code, with each
    operand labelled with its shape and the hint (and fix) that fits:
    ``wanted``, the fix that gives the shape a claim needs, if there is one."""
    labels = [Label(node.left.span, str(lhs)), Label(node.right.span, str(rhs))]
    op = node.op.value
    match out.code:
        case "E300" | "E305" | "E301" if wanted is not None:
            hint, f = wanted
            return messages.make(out.code, node.span, hint=hint, fix=f, labels=labels, left=lhs, right=rhs,
                                 inner_l=lhs.cols, inner_r=rhs.rows, op=op)
        case "E300":
            hint, f = matmul_hint(node, lhs, rhs)
            return messages.make("E300", node.span, hint=hint, fix=f, labels=labels,
                                 left=lhs, right=rhs, inner_l=lhs.cols, inner_r=rhs.rows)
        case "E305":
            hint, f = matmul_hint(node, lhs, rhs)
            return messages.make("E305", node.span, hint=hint, fix=f, labels=labels, left=lhs, right=rhs)
        case "E301":
            hint, f = elementwise_hint(node, lhs, rhs)
            return messages.make("E301", node.span, hint=hint, fix=f, labels=labels,
                                 op=op, left=lhs, right=rhs)
        case "E302":
            hint, f = power_hint(node, lhs, rhs)
            return messages.make("E302", node.span, hint=hint, fix=f, labels=labels, right=rhs)
        case "E220":
            hint = say("matmul-batch-hint", left=Shape(lhs.dims[:-2]), right=Shape(rhs.dims[:-2]))
            return messages.make("E220", node.span, hint=hint, labels=labels, left=lhs, right=rhs)
        case "W303":
            vec, mat = (rhs, lhs) if out.vec_side == "right" else (lhs, rhs)
            hint, f = stretch_hint(node, lhs, rhs, out.vec_side, out.column)
            return messages.make("W303", node.span, hint=hint, fix=f, labels=labels, op=op, vec=vec, mat=mat)
    assert out.shape is not None, "W304 broadcasts to a shape"
    hint, f = new_shape_hint(node, lhs, rhs, out.shape)
    return messages.make("W304", node.span, hint=hint, fix=f, labels=labels, op=op, left=lhs, right=rhs,
                         result=out.shape)


def _minus_one(node: Expr) -> bool:
    match node:
        case Neg(operand=Number(value=1.0)):
            return True
        case Number(value=-1.0):
            return True
    return False


def inverse_power(node: BinOp, lhs: Shape, sink) -> None:
    """W230: ``X ** -1`` of a square matrix is the entrywise reciprocal;
    ``inv(X)`` is the inverse."""
    if node.op is not Op.POW or not lhs.is_square or lhs.is_one_by_one or not _minus_one(node.right):
        return
    inverse = Call("inv", (node.left,), (), False, node.span, node.span)
    sink.add(messages.make("W230", node.span, text=text(node), labels=[Label(node.left.span, str(lhs))],
                           hint=say("inverse", replacement=quote(inverse) or "inv(...)"),
                           fix=fix(node.span, inverse, "rename", name=text(inverse))))


def transpose_tensor(node: Transpose, shape: Shape, taken=()) -> Diagnostic:
    """E221: ``.T`` of a tensor, with the swap of its last two axes in index
    notation; the indices are letters that are not names of the program (``taken``)."""
    operand = node.operand
    name = operand.id if isinstance(operand, Name) else "X"
    lead = ([c for c in "bcaefgh" if c not in taken] + ["b", "c"])[: shape.rank - 2]
    i, j = ([c for c in "ijklmnpq" if c not in taken] + ["i", "j"])[:2]
    form = f"`{name}T[{', '.join([*lead, j, i])}] = {name}[{', '.join([*lead, i, j])}]`"
    return messages.make("E221", node.span, labels=[Label(operand.span, str(shape))],
                         hint=say("transpose-tensor-hint", form=form),
                         operand=quote(operand) or say("the-operand"), shape=shape)


def undefined_hint(node: Name, ahead: dict, defining: str | None, dims, names) -> tuple[str | None, Fix | None]:
    """E200: a definition further down, a size symbol, or the nearest name."""
    name = node.id
    if name in dims:
        return say("size-symbol-not-variable", name=name), None
    if name in ahead:
        span, how = ahead[name]
        if name == defining:
            return say("own-definition", name=name), None
        return say("used-before", name=name, how=how, line=span.line), None
    return did_you_mean(node.span, nearest(name, list(names) + list(dims), indexed=True))


def size_hint(name: str, span: Span, ahead: dict, dims, names) -> Hint:
    """E206 for an undeclared size symbol."""
    if name in names:
        return say("variable-not-size", name=name), None
    if name in ahead:
        at, how = ahead[name]
        return say("used-before", name=name, how=how, line=at.line), None
    hint, f = did_you_mean(span, nearest(name, dims, indexed=True))
    return (hint, f) if hint else (say("declare-size", name=name), None)


# ---------------------------------------------------------- claim hints

def claim_hint(deriv: str, expr: Expr, expected: Shape, got: Shape, rule: str, scalar=None) -> Hint:
    """E400: the transpose that fixes the right side (``scalar`` tells the
    parts that are scalars), or what the shape should be."""
    if expected == got.T and not got.is_tensor:
        # the shortest of: the transpose carried inside ((A @ B).T = B.T @ A.T,
        # (2 * u.T).T = 2 * u), one swap of a product, the whole transposed
        forms = [transpose_through(expr, scalar) if scalar else transpose_through(expr)]
        if isinstance(expr, BinOp) and expr.op is Op.MATMUL:
            forms.append(BinOp(Op.MATMUL, transposed(expr.right), transposed(expr.left),
                               expr.span, expr.op_span))
        forms.append(transposed(expr))
        best = min(forms, key=lambda f: len(text(f)))
        q = quote(best, 2 * QUOTE_LIMIT)
        hint = say("claim-transposed", deriv=deriv, form=q) if q else say("claim-transposed-long", deriv=deriv)
        return hint, fix(expr.span, best, "transpose-claim")
    return say("claim-shape-rule", deriv=deriv, expected=expected, rule=rule), None


def diagonal_hint(deriv: str, expr: Expr) -> Hint:
    """W402: the Jacobian written with ``diag``."""
    q = quote(expr)
    inner = q.strip("`") if q else "..."
    full = Call("diag", (expr,), (), False, expr.span, expr.span)
    return say("diagonal", inner=inner, deriv=deriv), fix(expr.span, full, "diag")


def right_side_fix(expr: Expr, how: tuple[str, str] | None) -> Fix | None:
    """E500: the right side a wrong claim's diagnosis names (negated,
    transposed, a term added or removed), replacing the claim's right side."""
    if how is None:
        return None
    kind, term = how
    if kind == "negate":
        return fix(expr.span, Neg(expr, expr.span), "negate-claim")
    if kind == "transpose":
        return fix(expr.span, transposed(expr), "transpose-claim")
    extra, problems = parse_expr(term)
    if extra is None or problems:
        return None
    op = Op.ADD if kind == "add" else Op.SUB
    return fix(expr.span, BinOp(op, expr, extra, expr.span, expr.span), f"{kind}-term", term=term)
