"""``chainrule fmt``: a derivation as LaTeX, Unicode or canonical ASCII.

All three print the same tree with the same brackets: where precedence
needs them, decided by ``printer`` (Python's rules).  ASCII is
``printer.to_source``.  Unicode spells the tokens as notes do and stays
chainrule source (it parses back to the same AST)::

    dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T
    ∂L/∂x = (ŷ - y) @ W₂ᵀ ⊙ σ'(a) @ W₁ᵀ

LaTeX writes ``@`` as juxtaposition, ``*`` as ``\\odot`` (``hadamard=``) but a
scalar multiple as juxtaposition too (``2 * X.T @ r`` is ``2 X^\\top r``; a
number on the right is ``\\cdot 2``; the scalars are numbers, the file's sizes
and its names declared ``scalar``),
``/`` as ``\\frac``, ``.T`` as ``^\\top``, ``dL/dx`` as
``\\frac{\\partial L}{\\partial x}``, ``W2`` as ``W_{2}``, ``yhat`` as
``\\hat{y}``, Greek names as letters, ``sigma`` as ``\\sigma`` and other
functions with ``\\operatorname``; ``x ** 2`` as ``x^{2}`` but other powers
as the Hadamard power ``x^{\\circ k}`` (``X^{-1}`` reads as the inverse).
Brackets are added where a reader of mathematics would group otherwise:
juxtaposition binds tighter than ``\\odot`` (so a product left of a
juxtaposition is bracketed) and a minus next to a product is bracketed.
The LaTeX front end of ``lint`` reads this output back to the same tree
(keyword arguments such as ``axis=0`` included), except numbers in exponent
form and powers other than whole positive numbers, which it does not read.

A file keeps its comments and blank lines (LaTeX: ``%`` comments inside an
``align*``).  Formatting needs no declarations; only syntax errors stop it.

>>> from dsl.language.syntax import parse_expr
>>> format_expr(parse_expr("x @ W1 * sigma'(a)")[0], "latex")
"x W_{1} \\\\odot \\\\sigma'(a)"
"""
from __future__ import annotations

import sys
from collections.abc import Collection

from dsl.apps import fmt_index
from dsl.apps.fmt_names import latex_name, unicode_name
from dsl.builtins import lookup
from dsl.core.ast import (
    BinOp,
    Call,
    Claim,
    Decl,
    Define,
    Deriv,
    Dims,
    Expr,
    Layout,
    Name,
    Neg,
    Number,
    Op,
    ShapeSpec,
    Stmt,
    Transpose,
)
from dsl.language.printer import needs_brackets, to_source

TARGETS = ("latex", "unicode", "ascii")

# The capitals that do not look Latin (and have a LaTeX command).
class _Style:
    """How one target spells tokens; brackets come from ``printer``."""

    def __init__(self, target: str, hadamard: str = r"\odot", scalars: Collection[str] = ()):
        self.target = target
        self.hadamard = hadamard
        self.scalars = frozenset(scalars)     # names known to be scalars (sizes, scalar declarations)

    def is_scalar(self, e: Expr) -> bool:
        """A value that is a scalar whatever the declarations say: a number, a scalar
        name, or arithmetic and elementwise functions of those (``2``, ``1 / m``, ``sqrt(d)``)."""
        match e:
            case Number():
                return True
            case Name(id=name):
                return name in self.scalars
            case Neg(operand=a) | Transpose(operand=a):
                return self.is_scalar(a)
            case BinOp(op=op, left=a, right=b) if not op.is_comparison:
                return self.is_scalar(a) and self.is_scalar(b)
            case Call(args=args, keywords=()) if args and (row := lookup(e.func)) is not None and row.elementwise:
                return all(self.is_scalar(a) for a in args)
        return False

    def scaling(self, node: Expr) -> bool:
        """``node`` is ``s * A`` (or ``A * s``) with ``s`` a scalar: a scalar multiple, not a Hadamard product."""
        return isinstance(node, BinOp) and node.op is Op.MUL and (self.is_scalar(node.left)
                                                                  or self.is_scalar(node.right))

    def name(self, name: str) -> str:
        return {"latex": latex_name, "unicode": unicode_name}.get(self.target, str)(name)

    def bracket(self, text: str) -> str:
        return _latex_bracket(text) if self.target == "latex" else f"({text})"

    def wrap(self, parent: Expr, child: Expr, side: str) -> bool:
        if self.target == "latex":
            if isinstance(parent, BinOp) and parent.op is Op.MATMUL and side == "left" and self.scaling(child):
                return needs_brackets(parent, child, side)     # (2 X^T) r is 2 X^T r: scaling commutes with products
            if self.scaling(parent) and side == "left" and isinstance(child, Neg) and isinstance(child.operand, Number):
                return False                                   # -2 X: the sign of a number, not -(2 X)
            return _latex_wraps(parent, child, side) or fmt_index.wraps(parent, child, side)
        if isinstance(child, Deriv) and isinstance(parent, (Transpose, BinOp)):
            return isinstance(parent, Transpose) or (parent.op is Op.POW and side == "left")
        return needs_brackets(parent, child, side)


def _is_div(node: Expr) -> bool:
    return isinstance(node, BinOp) and node.op is Op.DIV


def _latex_wraps(parent: Expr, child: Expr, side: str) -> bool:
    """Python's brackets, adjusted to how LaTeX reads: ``\\frac`` and
    ``\\frac{\\partial}{}`` are atoms; a product left of a juxtaposition and a
    minus right of one are bracketed; no double superscripts."""
    superscripted = isinstance(parent, Transpose) or (isinstance(parent, BinOp)
                                                      and parent.op is Op.POW and side == "left")
    if (superscripted and isinstance(child, (Transpose, Deriv))) or \
            (superscripted and isinstance(child, BinOp) and child.op in (Op.POW, Op.DIV)):
        return True
    if _is_div(parent) or _is_div(child):
        return False
    if isinstance(child, Number) and "e" in child.text.lower():   # 10^{-3}, 2.5 \times 10^{4}
        product = isinstance(parent, BinOp) and parent.op in (Op.MATMUL, Op.MUL)
        return superscripted or (product and "times" in _latex_number(child.text))
    if isinstance(parent, BinOp) and parent.op in (Op.MATMUL, Op.MUL):
        if parent.op is Op.MATMUL and side == "left" and isinstance(child, BinOp) and child.op is Op.MUL:
            return True
        if isinstance(child, Neg):   # -a b and -a \odot b read as -(a b); a -b as a subtraction
            return True
    return needs_brackets(parent, child, side)


def format_expr(expr: Expr, to: str = "ascii", hadamard: str = r"\odot", scalars: Collection[str] = ()) -> str:
    """One expression in the target notation (``to`` in :data:`TARGETS`); ``scalars``:
    names known to be scalars, whose products LaTeX writes without ``\\odot``."""
    if to == "ascii":
        return to_source(expr)
    return _expr(expr, _Style(to, hadamard, scalars))


def _operand(parent: Expr, child: Expr, side: str, style: _Style) -> str:
    text = _expr(child, style)
    return style.bracket(text) if style.wrap(parent, child, side) else text


def _expr(node: Expr, style: _Style) -> str:
    latex = style.target == "latex"
    match node:
        case Name(id=name):
            return style.name(name)
        case Number(text=text, value=value):
            return _latex_number(text or repr(value)) if latex else text or repr(value)
        case Deriv() if node.num_indices or node.den_indices:
            return fmt_index.deriv_text(node, latex, style.name)
        case _ if isinstance(node, fmt_index.NODES):
            return fmt_index.node_text(node, latex, lambda n: _expr(n, style),
                                       lambda p, c, side: _operand(p, c, side, style), style.bracket, style.name)
        case BinOp(op=Op.MUL, left=left, right=right) if latex and fmt_index.entry_product(node):
            return _operand(node, left, "left", style) + " " + _operand(node, right, "right", style)
        case BinOp(op=Op.MUL, left=left, right=right) if latex and style.scaling(node):
            # a scalar multiple: 2 X^T r (juxtaposition), A \cdot 2 with the number on the right
            number = isinstance(right, Number) or (isinstance(right, Neg) and isinstance(right.operand, Number))
            joint = r" \cdot " if number and not isinstance(left, Number) else " "
            return _operand(node, left, "left", style) + joint + _operand(node, right, "right", style)
        case Deriv(num=num, den=den):
            if latex:
                return rf"\frac{{\partial {style.name(num.id)}}}{{\partial {style.name(den.id)}}}"
            return f"∂{style.name(num.id)}/∂{style.name(den.id)}"
        case Neg(operand=operand):
            return "-" + _operand(node, operand, "right", style)
        case Transpose(operand=operand):
            return _operand(node, operand, "left", style) + (r"^\top" if latex else "ᵀ")
        case BinOp(op=Op.DIV, left=left, right=right) if latex:
            return rf"\frac{{{_expr(left, style)}}}{{{_expr(right, style)}}}"
        case BinOp(op=Op.POW, left=left, right=right) if latex:
            # x^{2} for a whole positive power; otherwise the Hadamard power
            # x^{\circ k}, since X^{-1} would read as the inverse
            hadamard = "" if _whole_positive(right) else r"\circ "
            return f"{_operand(node, left, 'left', style)}^{{{hadamard}{_expr(right, style)}}}"
        case BinOp(op=op, left=left, right=right):
            return (_operand(node, left, "left", style) + _op(op, style)
                    + _operand(node, right, "right", style))
        case Call(func=func, args=args, keywords=keywords, prime=prime):
            items = [_expr(a, style) for a in args]
            items += [f"{_keyword(k.name, latex)}={_expr(k.value, style)}" for k in keywords]
            head = _function(func, style) + ("'" if prime else "")
            inner = ", ".join(items)
            return head + (_latex_bracket(inner) if latex else f"({inner})")
    raise TypeError(f"not an expression: {type(node).__name__}")


def _whole_positive(node: Expr) -> bool:
    return isinstance(node, Number) and node.value >= 1 and node.value == int(node.value) \
        and "e" not in node.text.lower()


def _latex_number(text: str) -> str:
    """``1e-3`` -> ``10^{-3}``, ``2.5e4`` -> ``2.5 \\times 10^{4}``; others as written."""
    mantissa, e, exponent = text.lower().partition("e")
    if not e:
        return text
    power = f"10^{{{int(exponent)}}}"
    return power if float(mantissa) == 1 else rf"{mantissa} \times {power}"


_LATEX_COMPARE = {Op.GE: r" \geq ", Op.LE: r" \leq "}
_UNICODE_COMPARE = {Op.GE: " ≥ ", Op.LE: " ≤ "}


def _op(op: Op, style: _Style) -> str:
    if style.target == "latex":
        return {Op.MATMUL: " ", Op.MUL: f" {style.hadamard} ", **_LATEX_COMPARE}.get(op, f" {op.value} ")
    return {Op.MUL: " ⊙ ", **_UNICODE_COMPARE}.get(op, f" {op.value} ")


def _function(func: str, style: _Style) -> str:
    """A function's name as its row prints it (``\\sigma``, ``σ``)."""
    row = lookup(func)
    if style.target == "latex":
        return row.latex_out if row else rf"\operatorname{{{func}}}"
    return row.unicode_out if row else func


def _keyword(name: str, latex: bool) -> str:
    return rf"\mathrm{{{name}}}" if latex else name


def _latex_bracket(text: str) -> str:
    """Brackets that grow around a fraction."""
    return rf"\left({text}\right)" if r"\frac" in text else f"({text})"


# ------------------------------------------------------------- statements

def format_statement(stmt: Stmt, to: str = "ascii", hadamard: str = r"\odot", scalars: Collection[str] = ()) -> str:
    """One statement; in LaTeX an ``align*`` row without its ``\\\\``."""
    if to == "ascii":
        return to_source(stmt)
    style = _Style(to, hadamard, scalars)
    latex = to == "latex"
    match stmt:
        case Define(name=name, expr=expr, indices=found):
            lhs = fmt_index.left_side(style.name(name), found, latex) if found else style.name(name)
        case Claim(deriv=deriv, expr=expr):
            lhs = _expr(deriv, style)
        case Decl(name=name, shape=shape, attrs=attrs):
            words = " ".join(a.name for a in attrs)
            if latex:
                extra = rf" \quad \text{{{words}}}" if words else ""
                return f"{style.name(name)} &\\in {_latex_space(shape)}{extra}"
            return " ".join([f"{style.name(name)} : {_unicode_shape(shape)}", *(a.name for a in attrs)])
        case Dims() | Layout():
            return "% " + to_source(stmt) if latex else to_source(stmt)
        case _:
            raise TypeError(f"not a statement: {type(stmt).__name__}")
    return f"{lhs} &= {_expr(expr, style)}" if latex else f"{lhs} = {_expr(expr, style)}"


_LATEX_TIMES = r" \times "


def _latex_space(shape: ShapeSpec) -> str:
    r"""``\mathbb{R}^{n \times k}``, ``\mathbb{R}^{b \times n \times d}``; ``\mathbb{R}`` for a scalar."""
    if not shape.sizes:
        return r"\mathbb{R}"
    sizes = (latex_name(s.value) if isinstance(s.value, str) else str(s.value) for s in shape.sizes)
    return rf"\mathbb{{R}}^{{{_LATEX_TIMES.join(sizes)}}}"


def _unicode_shape(shape: ShapeSpec) -> str:
    if not shape.sizes:
        return "scalar"
    return " × ".join(str(s.value) for s in shape.sizes)


def format_source(source, to: str = "ascii", hadamard: str = r"\odot"):
    """A whole derivation, keeping its comments and blank lines.

    Returns ``(text, diagnostics)``; the text is None when the source has
    syntax errors (formatting never drops a line silently)."""
    from dsl.language.syntax import parse  # deferred: start-up
    program, diagnostics = parse(source)
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    starts = {s.span.line: s for s in program.statements}
    scalars = scalar_names(program)
    latex = to == "latex"
    out: list[str | tuple[str, str | None]] = []   # a statement: (its text, its comment)
    rows: list[int] = []       # LaTeX: the lines that are align* rows
    preamble: list[str] = []   # LaTeX: the declarations as ``% deriv:`` lines, which lint reads
    line, last = 1, len(source.line_starts)
    while line <= last:
        text = source.line_text(line)
        stmt = starts.get(line)
        if stmt is None:
            code, comment = _split_comment(text)
            if comment is not None and not code.strip():
                out.append(("% " + comment[1:].strip()).rstrip() if latex else text.rstrip())
            elif not latex and not text.strip():
                out.append("")
            line += 1
            continue
        _, comment = _split_comment(source.line_text(stmt.span.end_line))
        if latex and isinstance(stmt, Dims | Layout | Decl):    # for lint to read back, before the math
            preamble.append(f"% deriv: {to_source(stmt)}" + (f"  {comment}" if comment else ""))
            if not isinstance(stmt, Decl):
                line = stmt.span.end_line + 1
                continue
        body = format_statement(stmt, to, hadamard, scalars)
        if latex and not body.startswith("%"):
            rows.append(len(out))
        out.append((body, comment))
        line = stmt.span.end_line + 1
    lines: list[str] = []
    for i, item in enumerate(out):
        if isinstance(item, tuple):
            body, comment = item
            if rows and i != rows[-1] and i in rows:
                body += r" \\"
            if comment:
                body += ("  % " + comment[1:].strip()) if latex else "  " + comment
            item = body
        lines.append(item)
    while lines and not lines[-1]:
        lines.pop()
    if latex:
        lines = [*preamble, r"\begin{align*}", *lines, r"\end{align*}"]
    return "\n".join(lines) + "\n", diagnostics


def scalar_names(program) -> frozenset[str]:
    """The sizes and the names declared ``scalar``: a product with one of them is a scalar multiple."""
    names: set[str] = set()
    for stmt in program.statements:
        if isinstance(stmt, Dims):
            names.update(item.name for item in stmt.items)
        elif isinstance(stmt, Decl) and not stmt.shape.sizes:
            names.add(stmt.name)
    return frozenset(names)


def _split_comment(line: str) -> tuple[str, str | None]:
    at = line.find("#")
    return (line, None) if at < 0 else (line[:at], line[at:].rstrip())


# ----------------------------------------------------------------- command

def main(file: str | None, expr: str | None, to: str = "ascii", hadamard: str = r"\odot") -> int:
    """``chainrule fmt [FILE] [-e EXPR] --to latex|unicode|ascii``."""
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.core.span import Source  # deferred: start-up
    from dsl.language.syntax import parse_expr  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up

    if to not in TARGETS:
        print(f"chainrule fmt: --to must be one of {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    if (file is None) == (expr is None):
        print("chainrule fmt: give a FILE or -e EXPR (one of them)", file=sys.stderr)
        return 2
    if expr is not None:
        node, diagnostics = parse_expr(expr, "<expr>")
        if node is None:
            source = Source("<expr>", expr)
            sys.stdout.write("\n\n".join(render.render_diagnostic(d, source) for d in diagnostics) + "\n")
            return 1
        sys.stdout.write(format_expr(node, to, hadamard) + "\n")
        return 0
    assert file is not None, "exactly one of FILE and -e EXPR (checked above)"
    read, problem = driver.read_source(file)
    if read is None:
        assert problem is not None, "no source: read_source says why"
        sys.stdout.write(render.render_diagnostic(problem) + "\n")
        return 2
    source = read
    text, diagnostics = format_source(source, to, hadamard)
    if text is None:
        sys.stdout.write("\n\n".join(render.render_diagnostic(d, source) for d in diagnostics
                                     if d.is_error) + "\n")
        return 1
    sys.stdout.write(text)
    return 0
