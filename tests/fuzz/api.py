"""The Python API called with whatever a notebook user might pass.

An input is ``(function, text, pairs)``: one of ``dsl.check``, ``parse``,
``verify_claim``, ``derive``, ``evaluate_expr`` and ``shape_of``, or a
``pipeline.Session`` made with the options, fed the text and evaluated on
data (arrays as below, or a value that is not a mapping); a text
(a program, a claim or an expression, or a value that is not a str: bytes,
a path, a number, None); and keyword arguments, each drawn from values of
every kind (numbers of every type and range, NaN, booleans, text, bytes,
containers, NumPy scalars) or, for the two expression functions, arrays
bound by name: NumPy arrays of every dtype (text, complex, objects, dates,
records, float16 and long double) and shape (empty, up to 5 axes) with NaN,
infinities and huge entries, masked arrays, nested and ragged lists, Python
numbers past float64, None, dicts, sets, generators; under names that are
not identifiers, not str, or spelled in Unicode.

The property: the call returns, or raises ``TypeError`` / ``ValueError``
(``ShapeError``, ``EvaluationError``, ``DeriveError`` among them) whose
message is a sentence of the product (a refusal names the function and
the argument, the diagnostics say where); the oracle holds that text to
having no internals (no exception text, object repr or traceback), no
internal error (E901) and no raw warning.
"""
from __future__ import annotations

import decimal
import fractions
import pathlib
import re

import numpy as np
from hypothesis import strategies as st

PROGRAM = "dims n\nx : 1 x n\nW : n x n\nL = sum(tanh(x @ W))\n"
CLAIM = "dL/dx = tanh'(x @ W) @ W.T"
TEXTS = [PROGRAM, PROGRAM + CLAIM + "\n", PROGRAM + "dL/dW = x\n", "", "x : 1 x 3\ny = x @ x\n", "(((",
         "dims n = 0\nx : 1 x n\nL = max(x)\ndL/dx = x\n", "\udcff", "a\x00b", "x"]
EXPRS = ["x + 1", "x @ W", "softmax(x)", "logsumexp(x)", "max(x)", "min(x, axis=0)", "mean(x)",
         "mean(x, axis=1)", "sum(x)", "x.T @ x", "inv(W)", "det(W)", "logdet(W)", "norm(x)",
         "xent(y, softmax(x))", "mse(x, y)", "diag(x)", "trace(W)", "exp(x)", "log(x)", "x / y",
         "where(x > 0, x, y)", "clip(x, 0, 1)", "max(W, axis=1)", "softmax(W, axis=0)", "outer(x, y)",
         "x ** 2", "sqrt(x)", "sigma(x) * y", "x @ W @ y.T", "x[i] * y[i]", "sum[i](x[i])", "W.T", "ŷ + 1",
         "dL/dx", "x"]


class Opaque:
    """A value of a class the product has never heard of (with a stable repr,
    so that the same input prints the same text twice)."""

    def __repr__(self) -> str:
        return "Opaque()"


class FailingArray:
    """An object that says it is an array and fails when asked for one."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __repr__(self) -> str:
        return "FailingArray()"


SCALARS = [0, 1, 7, -1, -2, 2**32 - 1, 2**32, 2**63, 10**400, -(10**400), 1.5, 0.0, -0.0, 1e-300, 1e300,
           float("nan"), float("inf"), -float("inf"), True, False, None, 1j, "3", "x", "", "\udcff", b"1",
           np.int64(-1), np.int64(5), np.uint64(2**64 - 1), np.float64("nan"), np.float32(0.5), np.bool_(True),
           np.complex128(1j), np.str_("7"), fractions.Fraction(1, 3), fractions.Fraction(10**400),
           decimal.Decimal("2"), decimal.Decimal("1e400"), decimal.Decimal("NaN"), [1], (2,), {"a": 1}, {1},
           pathlib.Path("x.deriv"), Opaque()]
OPTIONS = {"check": ["name", "verify", "seed", "timeout"], "parse": ["name"], "verify_claim": ["seed"],
           "derive": ["steps", "seed"], "evaluate_expr": [], "shape_of": [], "Session": ["seed", "verify", "timeout"]}
NAMES = ["x", "W", "y", "x", "W", "y", "ŷ", "yhat", "a b", "", "1x", "sum", "_", "W₁", "x'", " x", "σ", 3, None,
         ("x",)]
DTYPES = ["f8", "f4", "f2", "i8", "u8", "u1", "b1", "c16", "U3", "S2", "O", "M8[D]", "m8[s]", "V8",
          [("a", "f8")], "g"]
SHAPES = [(), (0,), (3,), (1, 0), (0, 3), (1, 3), (3, 3), (3, 1), (2, 3), (2, 2, 2), (1, 1, 1, 1, 1), (0, 0)]
FILLS = [0.0, 1.0, -2.5, 0.5, float("nan"), float("inf"), 1e308, -1e308]


@st.composite
def arrays(draw) -> object:
    """A NumPy array of any dtype, shape and fill."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(st.sampled_from(SHAPES))
    fill = draw(st.sampled_from(FILLS))
    if dtype.kind == "O":
        entries = draw(st.sampled_from([[1.0], [1, None], ["a"], [10**400], [fractions.Fraction(1, 2)],
                                        [decimal.Decimal("1e400")], [1j], [{}], [np.ones(2)], [Opaque()]]))
        out = np.empty(shape, dtype=object)
        flat = out.reshape(-1)
        for i in range(flat.size):
            flat[i] = entries[i % len(entries)]
        return out
    if dtype.kind in "fc":
        with np.errstate(all="ignore"):
            return np.full(shape, fill, dtype=dtype)
    if dtype.kind in "USVMm" or dtype.fields:
        return np.zeros(shape, dtype=dtype)
    with np.errstate(all="ignore"):
        return np.full(shape, 0 if not np.isfinite(fill) else fill, dtype=np.float64).astype(dtype)


def _generator():
    return (i for i in range(3))


PYTHON_VALUES = st.sampled_from([
    [1, 2, 3], [[1, 2], [3, 4]], [[1, 2], [3]], [[[[[[1]]]]]], [], [[]], [1, None], [1, "a"], ["1", "2"],
    [10**400], [1e308, 10**309], [1j, 2], [{}], [np.ones(2), np.ones(3)], None, 3, 2.5, 10**400, -(10**400),
    1j, fractions.Fraction(10**400), decimal.Decimal("1e400"), decimal.Decimal("1.5"), {"a": 1}, {1, 2},
    range(3), b"abc", "abc", Opaque(), FailingArray(), True,
])


@st.composite
def bound_values(draw) -> object:
    how = draw(st.sampled_from(["array", "array", "python", "masked", "generator"]))
    if how == "array":
        return draw(arrays())
    if how == "masked":
        return np.ma.masked_array([1.0, 2.0, 3.0], mask=[True, False, False])
    if how == "generator":
        return _generator()
    return draw(PYTHON_VALUES)


GOOD_OPTIONS = {"name": ["t.deriv", "<input>"], "verify": [True, False], "seed": [0, 3, 2**32 - 1, np.int64(2)],
                "timeout": [None, 5, 0.5, 1e9], "steps": [True, False]}
GOOD_ARRAYS = {"x": [np.linspace(-1, 1, 3), np.ones((1, 3)), np.arange(3)], "y": [np.full((1, 3), 0.25)],
               "W": [np.eye(3) + 0.5, np.ones((3, 3), dtype=np.float32)]}


def _option(name: str) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(GOOD_OPTIONS[name]), st.sampled_from(SCALARS))


@st.composite
def calls(draw) -> tuple[str, object, list]:
    function = draw(st.sampled_from(sorted(OPTIONS)))
    odd = draw(st.integers(0, 9)) == 0
    if function in ("evaluate_expr", "shape_of"):
        text = draw(st.sampled_from(SCALARS)) if odd else draw(st.sampled_from(EXPRS))
        pairs = [(name, draw(st.one_of(st.sampled_from(GOOD_ARRAYS[name]), bound_values())))
                 for name in ("x", "W", "y") if draw(st.integers(0, 5))]
        pairs += draw(st.lists(st.tuples(st.sampled_from(NAMES), bound_values()), max_size=2))
        return function, text, pairs
    text = draw(st.sampled_from(SCALARS)) if odd else draw(st.sampled_from(TEXTS))
    names = draw(st.lists(st.sampled_from(OPTIONS[function]), max_size=3, unique=True))
    pairs = [(name, draw(_option(name))) for name in names]
    if function == "derive":
        y, x = draw(st.one_of(st.sampled_from([("L", "x"), ("L", "W"), ("dL/dx", None), ("dL/dW", None)]),
                              st.tuples(st.sampled_from(["L", "dL/dx", "x", "", "dL", 5, None, b"L"]),
                                        st.sampled_from([None, "x", "W", "n", "zz", 3]))))
        pairs = [("y", y), ("x", x), *pairs]
    if function == "Session":           # then fed the text and evaluated on data
        data = [(name, draw(st.one_of(st.sampled_from(GOOD_ARRAYS[name]), bound_values())))
                for name in ("x", "W") if draw(st.booleans())]
        pairs = [*pairs, ("data", dict(data) if draw(st.integers(0, 9)) else draw(st.sampled_from(SCALARS)))]
    if function == "verify_claim":
        claim = draw(st.sampled_from([CLAIM, CLAIM, "dL/dx = x", "L = x", "", None, b"x", 4]))
        pairs = [("claim_text", claim), *pairs]
    return function, text, pairs


NUMPY_REPR = re.compile(r"\bnp\.\w+\(|\bdtype\(|\barray\(\[")
"""NumPy's own reprs (``np.str_('7')``, ``dtype('<U3')``), which the oracle's
leak check does not know: the API quotes values in words."""


def run(value: tuple[str, object, list]) -> tuple[int, str]:
    """Call the API; a documented refusal is exit 1 with its message, a
    result exit 0 with its text.  Anything else escapes (and fails), and
    so does a message quoting a NumPy repr."""
    code, text = _call(value)
    found = NUMPY_REPR.search(text)
    if found:
        raise AssertionError(f"a NumPy repr in a message: {found.group(0)}")
    return code, text


def _call(value: tuple[str, object, list]) -> tuple[int, str]:
    import dsl
    from dsl import api
    from dsl.pipeline import Session

    function, text, pairs = value
    try:
        if function in ("evaluate_expr", "shape_of"):
            arrays = {}
            for name, bound in pairs:
                arrays[name] = bound
            call = api.evaluate_expr if function == "evaluate_expr" else api.shape_of_expr
            return 0, _shown(call(text, arrays))   # type: ignore[arg-type]
        kwargs = dict(pairs)
        if function == "Session":
            data = kwargs.pop("data")
            session = Session(**kwargs)
            report = session.feed(text)
            evaluation = session.evaluate(data)
            return 0, _shown(report) + "\n" + _shown(evaluation)
        if function == "derive":
            return 0, _shown(dsl.derive(text, kwargs.pop("y"), kwargs.pop("x"), **kwargs))
        if function == "verify_claim":
            return 0, _shown(dsl.verify_claim(text, kwargs.pop("claim_text"), **kwargs))
        return 0, _shown(getattr(dsl, function)(text, **kwargs))
    except (api.ShapeError, api.EvaluationError, api.DeriveError) as exc:
        return 1, str(exc)
    except (TypeError, ValueError) as exc:
        callee = ("Session", "feed", "evaluate") if function == "Session" else (function,)
        refusal = any(str(exc).startswith(f"{name}() argument ") for name in callee)
        not_a_claim = function == "verify_claim" and type(exc) is ValueError     # documented: the claim's errors
        if type(exc) in (TypeError, ValueError) and (refusal or not_a_claim):
            return 1, str(exc)
        raise


PARTS = (calls, run)
"""The strategy and the run, as ``harnesses.Harness`` takes them."""


def _shown(result: object) -> str:
    """The text a user reads of a result: diagnostics, verdicts, a value."""
    if isinstance(result, tuple):                       # parse: (program, diagnostics)
        result = result[1]
    diagnostics = getattr(result, "diagnostics", result)
    lines = []
    if isinstance(diagnostics, list):
        lines += [f"[{d.code}] {d.message} {d.hint or ''}" for d in diagnostics]
    for claim in getattr(result, "claims", None) or []:
        lines.append(f"{claim.status} {claim.detail}")
    if hasattr(result, "status"):
        lines.append(f"{result.status} {result.detail}")
    if hasattr(result, "texts"):
        lines.append(" ".join(result.texts.values()))
    if isinstance(result, np.ndarray):
        lines.append(np.array2string(result, threshold=20))
    if result is not None and type(result).__name__ == "Shape":
        lines.append(str(result))
    return "\n".join(lines)
