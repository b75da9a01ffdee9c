"""The SymPy baseline of the ``check`` row: the same expressions as SymPy
``MatrixSymbol`` expressions, with the same shape checks.

:func:`compile_program` turns a parsed, checked program into a flat list of
instructions (untimed: it only reads our AST); :func:`build` replays them
with SymPy constructors (timed): a ``Symbol`` per size, a ``MatrixSymbol``
(or a scalar ``Symbol``) per declaration and per ``dA/dB`` term, and one
SymPy expression per definition and claim.  Elementwise functions are
``applyfunc`` of a SymPy function, softmax is ``exp`` over its sum, sums of
entries are traces against ``OneMatrix``, a bias row is broadcast with a
``OneMatrix`` column, as a SymPy user has to write them.

SymPy (1.14) validates matrix shapes only when the sizes are integers, so
:func:`build` compares the symbolic shapes itself wherever our checker does
(inner sizes of ``@``, equal shapes of elementwise operations, the shape of
each claim) and raises ``ShapeError`` on a mismatch: both sides do the same
work.
"""
from __future__ import annotations

from dsl.core.ast import BinOp, Call, Claim, Decl, Define, Deriv, Dims, Name, Neg, Number, Op, Transpose
from dsl.shapes.checker import derivative_shape


def compile_program(program, env) -> list[tuple]:
    """Postfix instructions for every statement of ``program``."""
    code: list[tuple] = []
    for stmt in program.statements:
        match stmt:
            case Dims(items=items):
                code += [("dim", item.name) for item in items]
            case Decl(name=name, shape=shape):
                if shape.rows is None:
                    code.append(("scalar", name))
                else:
                    code.append(("matrix", name, shape.rows.value, shape.cols.value))
            case Define(name=name, expr=expr):
                _expr(expr, env, code)
                code.append(("store", name))
            case Claim(deriv=deriv, expr=expr):
                _expr(expr, env, code)
                code.append(("claim", *_sizes(derivative_shape(env, deriv, None))))
    return code


def _sizes(shape) -> tuple:
    if shape is None or not shape.dims:
        return (None, None)
    return tuple(d if isinstance(d, int) else str(d) for d in shape.dims)


def _expr(root, env, code: list[tuple]) -> None:
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        match node:
            case Name(id=name):
                code.append(("size", name) if name in env.dims and name not in env.names else ("load", name))
            case Number(value=value):
                code.append(("number", value))
            case Deriv(num=num, den=den):
                code.append(("deriv", f"d{num.id}_d{den.id}",
                             *_sizes(derivative_shape(env, node, None))))
            case BinOp(op=op, left=left, right=right):
                if done:
                    code.append(("binop", op))
                else:
                    stack += [(node, True), (right, False), (left, False)]
            case Neg(operand=o) | Transpose(operand=o):
                if done:
                    code.append(("neg",) if isinstance(node, Neg) else ("T",))
                else:
                    stack += [(node, True), (o, False)]
            case Call(func=func, args=args, keywords=kws, prime=prime):
                if done:
                    axis = next((int(k.value.value) for k in kws if k.name == "axis"), None)
                    code.append(("call", func, prime, len(args), axis))
                else:
                    stack.append((node, True))
                    stack += [(a, False) for a in reversed(args)]


class ShapeError(ValueError):
    """Two symbolic shapes that the expression needs equal are not."""


def build(code: list[tuple]) -> dict:
    """Run the instructions with SymPy; returns the defined expressions."""
    import sympy as sp
    from sympy import HadamardPower, MatrixExpr, MatrixSymbol, OneMatrix, Symbol, Trace, hadamard_product

    sizes: dict[str, object] = {}
    names: dict[str, object] = {}
    funcs: dict[str, object] = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh}
    stack: list = []

    def size(ref):
        return ref if isinstance(ref, int) else sizes[ref]

    def is_matrix(v) -> bool:
        return isinstance(v, MatrixExpr)

    def func(name: str):
        if name not in funcs:
            funcs[name] = sp.Function(name)
        return funcs[name]

    def same(a, b) -> None:
        if a.shape != b.shape:
            raise ShapeError(f"{a.shape} vs {b.shape}")

    def broadcast(a, b):
        """Rows broadcast as NumPy does: an explicit ones column times the row."""
        if a.shape == b.shape:
            return a, b
        if b.rows == 1 and a.cols == b.cols:
            return a, OneMatrix(a.rows, 1) @ b
        if a.rows == 1 and a.cols == b.cols:
            return OneMatrix(b.rows, 1) @ a, b
        raise ShapeError(f"{a.shape} vs {b.shape}")

    def total(x):
        return Trace(OneMatrix(x.cols, x.rows) @ x)

    def elementwise(op: Op, a, b):
        if is_matrix(a) and is_matrix(b):
            a, b = broadcast(a, b)
            match op:
                case Op.ADD:
                    return a + b
                case Op.SUB:
                    return a - b
                case Op.MUL:
                    return hadamard_product(a, b)
                case Op.DIV:
                    return hadamard_product(a, HadamardPower(b, -1))
        if is_matrix(a) or is_matrix(b):
            m = a if is_matrix(a) else b
            s, t = (a, OneMatrix(*m.shape) * b) if is_matrix(a) else (OneMatrix(*m.shape) * a, b)
            match op:
                case Op.ADD:
                    return s + t
                case Op.SUB:
                    return s - t
                case Op.MUL:
                    return a * b
                case Op.DIV:
                    return a * (1 / b) if is_matrix(a) else hadamard_product(s, HadamardPower(t, -1))
                case Op.POW:
                    return HadamardPower(a, b)
        return {Op.ADD: a + b, Op.SUB: a - b, Op.MUL: a * b, Op.DIV: a / b, Op.POW: a ** b}[op]

    def call(name: str, prime: bool, args: list, axis):
        x = args[0]
        match name:
            case "softmax":
                e = x.applyfunc(sp.exp)
                if 1 in e.shape:
                    return e * (1 / total(e))
                row_sums = e @ OneMatrix(e.cols, 1)
                return hadamard_product(e, HadamardPower(row_sums, -1) @ OneMatrix(1, e.cols))
            case "sum" | "mean":
                if axis == 0:
                    out = OneMatrix(1, x.rows) @ x
                elif axis == 1:
                    out = x @ OneMatrix(x.cols, 1)
                else:
                    out = total(x)
                if name == "mean":
                    count = x.rows if axis == 0 else x.cols if axis == 1 else x.rows * x.cols
                    out = out * (1 / count)
                return out
            case "xent":
                y, p = args
                same(y, p)
                return -total(hadamard_product(y, p.applyfunc(sp.log)))
            case "mse":
                y, p = args
                same(y, p)
                d = y - p
                return total(hadamard_product(d, d)) * (1 / (d.rows * d.cols))
        f = func(name + "_prime" if prime else name)
        return x.applyfunc(f) if is_matrix(x) else f(x)

    for ins in code:
        match ins:
            case ("dim", name):
                sizes[name] = Symbol(name, integer=True, positive=True)
            case ("scalar", name):
                names[name] = Symbol(name)
            case ("matrix", name, rows, cols):
                names[name] = MatrixSymbol(name, size(rows), size(cols))
            case ("load", name):
                stack.append(names[name])
            case ("size", name):
                stack.append(sizes[name])
            case ("number", value):
                stack.append(sp.Integer(int(value)) if float(value).is_integer() else sp.Float(value))
            case ("deriv", name, rows, cols):
                stack.append(Symbol(name) if rows is None else MatrixSymbol(name, size(rows), size(cols)))
            case ("binop", op):
                b, a = stack.pop(), stack.pop()
                if op is Op.MATMUL and is_matrix(a) and is_matrix(b):
                    if a.cols != b.rows:
                        raise ShapeError(f"{a.shape} @ {b.shape}")
                    stack.append(a @ b)
                elif op is Op.MATMUL:
                    stack.append(a * b)
                else:
                    stack.append(elementwise(op, a, b))
            case ("neg",):
                stack.append(-stack.pop())
            case ("T",):
                stack.append(stack.pop().T)
            case ("call", name, prime, nargs, axis):
                args = stack[len(stack) - nargs:]
                del stack[len(stack) - nargs:]
                stack.append(call(name, prime, args, axis))
            case ("store", name):
                names[name] = stack.pop()
            case ("claim", rows, cols):
                got = stack.pop()
                want = None if rows is None else (size(rows), size(cols))
                shape = got.shape if is_matrix(got) else None
                if shape != want and not (shape == (1, 1) and want is None):
                    raise ShapeError(f"claim: {shape} vs {want}")
    return names
