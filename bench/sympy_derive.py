"""The SymPy row of ``bench/derive.py``: ``MatrixExpr.diff`` on the verified
claims whose definitions SymPy's matrix calculus covers (``@``, ``+``,
``-``, ``.T``, numbers, ``trace``), at concrete sizes (SymPy checks shapes
only then).  Each result is evaluated at random matrices and compared with
chainrule's reference derivative; its size is counted in the same tokens as
ours (``dsl.derive.tokens`` of SymPy's printed form)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from dsl.core.ast import BinOp, Call, Define, Name, Number, Op, Transpose, walk


class NotCovered(Exception):
    """The definitions use something outside SymPy's matrix calculus."""


def _build(expr, syms: dict, defs: dict, made: dict):
    match expr:
        case Name(id=name) if name in syms:
            return syms[name]
        case Name(id=name) if name in defs:
            if name not in made:
                made[name] = _build(defs[name], syms, defs, made)
            return made[name]
        case Number(value=v):
            return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v)
        case Transpose(operand=a):
            return _build(a, syms, defs, made).T
        case BinOp(op=Op.ADD, left=a, right=b):
            return _build(a, syms, defs, made) + _build(b, syms, defs, made)
        case BinOp(op=Op.SUB, left=a, right=b):
            return _build(a, syms, defs, made) - _build(b, syms, defs, made)
        case BinOp(op=Op.MATMUL, left=a, right=b):
            return _build(a, syms, defs, made) * _build(b, syms, defs, made)
        case BinOp(op=Op.MUL, left=Number() as a, right=b) | BinOp(op=Op.MUL, left=b, right=Number() as a):
            return _build(a, syms, defs, made) * _build(b, syms, defs, made)
        case Call(func="trace", args=(a,), prime=False):
            return sp.Trace(_build(a, syms, defs, made))
    raise NotCovered(type(expr).__name__)


def _needed(y: str, defs: dict) -> set[str]:
    out, todo = set(), [y]
    while todo:
        n = todo.pop()
        if n in defs and n not in out:
            out.add(n)
            todo += [m.id for m in walk(defs[n]) if isinstance(m, Name)]
    return out


def compare(claims, s) -> list[str]:
    from dsl.compute import autodiff
    from dsl.derive import tokens
    from dsl.language import syntax
    from dsl.shapes import checker as shapes
    rng = np.random.default_rng(s.seed)
    covered = right = 0
    ours_tokens: list[int] = []
    theirs_tokens: list[int] = []
    notes = []
    for path, text, claim in claims:
        program, _ = syntax.parse_text(text, path.name)
        env, _ = shapes.check_program(program)
        defs = {st.name: st.expr for st in program.statements if isinstance(st, Define) and not st.indices}
        y, x = claim.deriv.num.id, claim.deriv.den.id
        yshape = env.names[y].shape if y in env.names else None
        if yshape is None or not yshape.is_one_by_one or y not in defs:
            continue
        sizes = {name: int(v) for name, v in zip(env.dims, rng.permutation(np.arange(2, 2 + len(env.dims))),
                                                 strict=False)}
        syms, values = {}, {}
        for name, info in env.names.items():
            if name in defs or info.shape is None:
                continue
            dims = [d if isinstance(d, int) else sizes[d.name] for d in info.shape.dims] or [1, 1]
            if len(dims) != 2:
                break
            syms[name] = sp.MatrixSymbol(name, *dims)
            values[name] = rng.standard_normal(dims)
        try:
            if x not in syms:
                continue
            target = _build(Name(y, claim.span), syms, {k: defs[k] for k in _needed(y, defs)}, {})
        except NotCovered:
            continue
        covered += 1
        try:
            found = sp.diff(target, syms[x])
            subs = {syms[k]: sp.ImmutableMatrix(v) for k, v in values.items()}
            got = np.array(sp.N(found.subs(subs).doit()).tolist(), dtype=float).reshape(values[x].shape)
        except Exception as exc:  # noqa: BLE001  (SymPy's own failure is the measurement)
            notes.append(f"  {path.name}:{claim.span.line} {claim.deriv.text}: SymPy raises {type(exc).__name__}")
            continue
        true = autodiff.grad(program, env, values, sizes, y, x)
        ok = np.allclose(got, np.asarray(true).reshape(got.shape), rtol=1e-8, atol=1e-10)
        right += ok
        if not ok:
            notes.append(f"  {path.name}:{claim.span.line} {claim.deriv.text}: SymPy gives {found} (wrong)")
        theirs_tokens.append(tokens(str(found)))
        from dsl.core.span import Source
        from dsl.pipeline.deriving import derive_source
        mine = derive_source(Source(path.name, text), y, x).derivation
        ours_tokens.append(tokens(mine.text) if mine is not None else 0)
    if not covered:
        return ["SymPy MatrixExpr.diff: no claim uses only @, +, -, .T, numbers and trace"]
    size = (f"median tokens: SymPy {statistics_median(theirs_tokens)}, chainrule {statistics_median(ours_tokens)}"
            if theirs_tokens else "")
    return [f"SymPy {sp.__version__} MatrixExpr.diff on the {covered} matrix-only claims: {right} correct; {size}",
            *notes]


def statistics_median(values: list[int]) -> float:
    import statistics
    return statistics.median(values)
