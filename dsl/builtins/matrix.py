"""Rows of the matrix functions: diag, trace, the constant matrices, inv, det, outer."""
from __future__ import annotations

from dsl.builtins import symbolic as sym
from dsl.builtins.table import Builtin, DomainError, Problem, got, is_square, is_vector, np, register, shape_text
from dsl.core.dims import SCALAR, Shape
from dsl.core.wording import say


def _need_square(name: str, x) -> None:
    if not is_square(x):
        raise DomainError("E204", name=name, what=say("square-needed", got=shape_text(x)))


def _square(result):
    """The shape rule of a function of a square matrix."""
    def rule(a, axis):
        if not a[0].is_square:
            return Problem(0, say("square-needed", got=got(a[0])))
        return result(a[0])
    return rule


# ---------------------------------------------------------------------- diag

def _diag(x):
    if x.ndim == 0:
        return x.reshape(1, 1)
    if is_vector(x):
        return np.diagflat(x)
    if is_square(x):
        return np.diagonal(x).reshape(-1, 1).copy()
    raise DomainError("E204", name="diag", what=say("vector-or-square-needed", got=shape_text(x)))


def _diag_shape(a, axis):
    s = a[0]
    if s.is_vector:
        return Shape((s.length(), s.length()))
    if s.is_square:
        return Shape((s.rows, 1))
    return Problem(0, say("vector-or-square-needed", got=got(s)))


def _diag_vjp(g, out, x):
    if x.ndim == 0:
        return g.reshape(())
    if 1 in x.shape:                          # vector -> diagonal matrix
        return np.diagonal(g).reshape(x.shape).copy()
    return np.diagflat(g)                     # square matrix -> its diagonal


register(Builtin(
    "diag", "diag(v); diag(M)", "vector of `n` -> `n x n`; `n x n` -> `n x 1`",
    "the diagonal matrix of a vector; the diagonal of a square matrix",
    _diag_shape, _diag, allocates=lambda x: x.size * x.size if is_vector(x) else 0, vjp=(_diag_vjp,),
    symbolic=sym.diag_rule))


# ------------------------------------------------------------- trace (and eye)

def _trace(x):
    if x.ndim == 0:
        return x.copy()
    _need_square("trace", x)
    return np.asarray(np.trace(x))


register(Builtin(
    "trace", "trace(M)", "scalar", "the sum of the diagonal; `M` square",
    _square(lambda s: SCALAR), _trace, scalar=True,
    vjp=(lambda g, out, x: g * np.eye(x.shape[0]) if x.ndim else g,), symbolic=sym.trace_rule,
    aliases=("tr",), latex_names=(r"\tr", r"\Tr")))


def _size(name: str, a) -> int:
    v = np.asarray(a, dtype=np.float64)
    if v.size != 1 or not np.isfinite(v).all() or v.reshape(()) != np.round(v.reshape(())) or v.reshape(()) < 1:
        raise DomainError("E204", name=name, what=say("sizes-needed", values=v.reshape(-1)[:3]))
    return int(v.reshape(()))


def _constant(g, out, *args):
    return np.zeros(())                       # sizes are constants


def _filled(name: str, fill: float) -> Builtin:
    return Builtin(
        name, f"{name}(r, c)", "`r x c`",
        f"the matrix of {name}; sizes as for `eye`; three or four sizes give a tensor (`{name}(b, r, c)`)",
        lambda sizes, axis: Shape(tuple(sizes)),
        lambda *sizes: np.full(tuple(_size(name, s) for s in sizes), fill),
        arity=(2, 4), sizes=True, allocates=lambda *sizes: int(np.prod([_size(name, s) for s in sizes])),
        vjp=(_constant,) * 4)


register(Builtin(
    "eye", "eye(n)", "`n x n`", "the identity; `n` a size symbol or a positive integer",
    lambda sizes, axis: Shape((sizes[0], sizes[0])), lambda n: np.eye(_size("eye", n)),
    sizes=True, allocates=lambda n: _size("eye", n) ** 2, vjp=(_constant,)))
register(_filled("ones", 1.0))
register(_filled("zeros", 0.0))


# ------------------------------------------------------------------ inv, det

def _inv(x):
    if x.ndim == 0:
        if x == 0:
            raise DomainError("E603", what=say("inv-zero"))
        return 1.0 / x
    _need_square("inv", x)
    if not np.all(np.isfinite(x)):
        return np.full_like(x, np.nan)
    try:
        if np.linalg.cond(x) > 1.0 / np.finfo(np.float64).eps:
            raise np.linalg.LinAlgError("ill-conditioned")
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise DomainError("E603", what=say("inv-singular", shape=shape_text(x))) from None


def _det(x):
    if x.ndim == 0:
        return x.copy()
    _need_square("det", x)
    return np.asarray(np.linalg.det(x))


register(Builtin(
    "inv", "inv(M)", "`n x n`", "the inverse; `M` square",
    _square(lambda s: s), _inv, domain="det(M) != 0",
    vjp=(lambda g, out, x: -(out.T @ g @ out.T) if x.ndim else -g * out * out,), symbolic=sym.inv_rule))
register(Builtin(
    "det", "det(M)", "scalar", "the determinant; `M` square",
    _square(lambda s: SCALAR), _det, scalar=True, latex=r"\det",
    vjp=(lambda g, out, x: g * out * np.linalg.inv(x).T if x.ndim else g,), symbolic=sym.det_rule))


def _logdet(x):
    if x.ndim == 0:
        return np.log(x)
    _need_square("logdet", x)
    if not np.all(np.isfinite(x)):
        return np.asarray(np.nan)
    sign, value = np.linalg.slogdet(x)
    return np.asarray(value if sign > 0 else np.nan)


def _logdet_nonfinite(prime: bool, operands):
    return say("logdet-not-positive"), "domain"


register(Builtin(
    "logdet", "logdet(M)", "scalar", "`log(det(M))`, computed without overflow; `M` square",
    _square(lambda s: SCALAR), _logdet, scalar=True, domain="det(M) > 0", nonfinite=_logdet_nonfinite,
    vjp=(lambda g, out, x: g * np.linalg.inv(x).T if x.ndim else g / x,), symbolic=sym.logdet_rule))


# --------------------------------------------------------------------- outer

def _outer_shape(a, axis):
    for i, s in enumerate(a):
        if not s.is_vector:
            return Problem(i, say("two-vectors-needed", got=got(s)))
    return Shape((a[0].length(), a[1].length()))


register(Builtin(
    "outer", "outer(u, v)", "`m x n`", "the outer product of a vector of `m` and a vector of `n`",
    _outer_shape, lambda u, v: np.outer(u.ravel(), v.ravel()), arity=(2, 2),
    allocates=lambda u, v: u.size * v.size,
    vjp=(lambda g, out, u, v: (g @ v.ravel()).reshape(u.shape),
         lambda g, out, u, v: (u.ravel() @ g).reshape(v.shape)), symbolic=sym.outer_rule))
