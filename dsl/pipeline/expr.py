"""The expression-level pipeline: one expression parsed, shape-checked and
evaluated, with NumPy arrays as bindings or against a session's environment.

Used by the Python API (``dsl.evaluate_expr``, ``dsl.shape_of``), the
notebook's ``%deriv`` line magic, the REPL and ``explain -e``.  Arrays become
values by the one rule of ``core.arrays`` (0-d scalar, 1-d row ``1 x n``, 2-d
``r x c``); an array that is not a value is ``E602`` where its name is used.
Nothing here raises: problems are diagnostics.

>>> import numpy as np
>>> r = evaluate_expr("x @ W", {"x": np.ones(3), "W": np.ones((3, 2))})
>>> str(r.shape), r.value.tolist(), r.checked.notes
('1 x 2', [[3.0, 3.0]], ['x is 1-d: taken as a row vector 1 x 3'])
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dsl.core import messages
from dsl.core.arrays import as_value, shape_of_value, was_vector
from dsl.core.ast import Deriv, Expr, Name, walk
from dsl.core.diagnostics import Diagnostic, Sink
from dsl.core.dims import Shape
from dsl.core.kinds import NameKind
from dsl.core.span import Source, Span
from dsl.language import syntax
from dsl.pipeline.program import true_derivatives
from dsl.pipeline.report import Evaluation, internal_error, whole
from dsl.shapes import checker as shapes, hints
from dsl.shapes.checker import Env, NameInfo

if TYPE_CHECKING:  # NumPy and the evaluator load when a value is computed
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.compute.numeric import EvalError

EXPR_NAME = "<expr>"
ARRAYS_NAME = "<arrays>"


@dataclass
class Checked:
    """One expression after parsing and shape checking."""

    text: str
    expr: Expr | None                    # None: it did not parse
    shape: Shape | None                  # None: unknown (an error)
    diagnostics: list[Diagnostic]
    env: Env                             # the names it was checked against
    values: dict[str, np.ndarray] = field(default_factory=dict)   # arrays bound, by the rule
    notes: list[str] = field(default_factory=list)                # how arrays were read

    @property
    def ok(self) -> bool:
        return self.expr is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def names(self) -> set[str]:
        """Every name the expression reads (derivative terms included)."""
        from dsl.compute import evaluate  # deferred: NumPy loads only when a value is computed
        return evaluate.names_used(self.expr) if self.expr is not None else set()


@dataclass
class ExprEvaluation:
    """One expression checked and, if it checked, evaluated."""

    checked: Checked
    value: np.ndarray | None = None
    error: EvalError | None = None       # evaluation failed: ``error.diagnostic`` says why
    missing: list[str] = field(default_factory=list)   # names read that have no value

    @property
    def ok(self) -> bool:
        return self.checked.ok and self.error is None and not self.missing

    @property
    def shape(self) -> Shape | None:
        """The shape, when the expression checked without error."""
        return self.checked.shape if self.checked.ok else None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        extra = [self.error.diagnostic] if self.error is not None else []
        return list(self.checked.diagnostics) + extra


def env_from_arrays(arrays: Mapping[str, object]) -> Env:
    """An environment whose names are the given arrays, with integer sizes.

    Shapes follow the rule of ``core.arrays``; an array that is not a value
    is refused with ``ValueError``.

    >>> import numpy as np
    >>> str(env_from_arrays({"x": np.ones(3), "W": np.ones((3, 2))}).names["x"].shape)
    '1 x 3'
    """
    env = Env()
    where = Span(ARRAYS_NAME, 1, 1, 1, 1)
    for name, raw in arrays.items():
        value, why = as_value(raw, _budget())
        if value is None:
            raise ValueError(f"'{name}' {why}")
        env.names[name] = NameInfo(shape_of_value(value), NameKind.INPUT, where)
    return env


def check_expr(text: str, arrays: Mapping[str, object] | None = None, *, env: Env | None = None,
               name: str = EXPR_NAME) -> Checked:
    """Parse ``text`` and infer its shape, its names bound to ``arrays`` (only
    the names it uses are read) or, given ``env``, to a session's environment.

    >>> import numpy as np
    >>> c = check_expr("W @ x", {"x": np.ones((1, 3)), "W": np.ones((3, 2))})
    >>> c.ok, [d.code for d in c.diagnostics]
    (False, ['E300'])
    """
    try:
        expr, parsed = syntax.parse_expr(text, name)
    except Exception as exc:  # noqa: BLE001  (a defect in parsing, reported as an E901 diagnostic)
        expr, parsed = None, [internal_error("parsing", exc, whole(Source(name, text)))]
    diagnostics = list(parsed)
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    if env is None:
        env = Env()
        if expr is not None and arrays:
            values, notes, problems = _bind(env, expr, arrays)
            if problems:
                return Checked(text, expr, None, diagnostics + problems, env, values, notes)
    if expr is None:
        return Checked(text, None, None, diagnostics, env, values, notes)
    sink = Sink()
    try:
        shape = shapes.infer(env, expr, sink)
    except Exception as exc:  # noqa: BLE001  (a defect in shape checking, reported as an E901 diagnostic)
        return Checked(text, expr, None, diagnostics + sink.items +
                       [internal_error("checking shapes", exc, expr.span)], env, values, notes)
    return Checked(text, expr, shape, diagnostics + sink.items, env, values, notes)


def _bind(env: Env, expr: Expr, arrays: Mapping[str, object]
          ) -> tuple[dict[str, np.ndarray], list[str], list[Diagnostic]]:
    """Bind the names ``expr`` uses that ``arrays`` holds, by the array rule.
    Names it does not hold are left for the checker to report; the array
    spelled nearest to each of them is bound too, so the hint can name it."""
    where = Span(ARRAYS_NAME, 1, 1, 1, 1)
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    for node in _name_nodes(expr):
        if node.id in seen or node.id not in arrays:
            continue
        seen.add(node.id)
        raw = arrays[node.id]
        value, why = as_value(raw, _budget())
        if value is None:
            problems.append(messages.make("E602", node.span, what=f"'{node.id}' {why}"))
            continue
        if was_vector(raw):
            notes.append(f"{node.id} is 1-d: taken as a row vector 1 x {value.shape[1]}")
        values[node.id] = value
        env.names[node.id] = NameInfo(shape_of_value(value), NameKind.INPUT, where)
    unknown = {node.id for node in _name_nodes(expr)} - set(arrays)
    others = [k for k in arrays if isinstance(k, str) and k not in seen]
    for name in sorted(unknown):
        near = hints.nearest(name, others, indexed=True) if others else None
        value, _ = as_value(arrays[near]) if near is not None else (None, None)
        if near is not None and value is not None:
            env.names[near] = NameInfo(shape_of_value(value), NameKind.INPUT, where)
    return values, notes, problems


def _budget() -> int:
    """The memory budget in force, past which a given array is not copied."""
    from dsl.compute.budget import memory_budget  # deferred: NumPy loads only when arrays are bound
    return memory_budget()


def _name_nodes(expr: Expr) -> Iterator[Name]:
    for node in walk(expr):
        match node:
            case Name():
                yield node
            case Deriv(num=num, den=den):
                yield num
                yield den


def evaluate_expr(text: str, arrays: Mapping[str, object] | None = None, *,
                  name: str = EXPR_NAME) -> ExprEvaluation:
    """Check ``text`` with ``arrays`` as bindings and, if it checks, evaluate it."""
    checked = check_expr(text, arrays, name=name)
    if not checked.ok:
        return ExprEvaluation(checked)
    return _evaluate(checked, checked.values, {}, None)


def value_of(checked: Checked, evaluation: Evaluation | None) -> ExprEvaluation:
    """The value of an expression checked against a session, on the session's
    evaluation (its inputs, sizes and definitions; a ``dA/dB`` term takes the
    true derivative).  Names without a value are listed in ``missing``."""
    if not checked.ok:
        return ExprEvaluation(checked)
    values = evaluation.values if evaluation is not None else {}
    sizes = evaluation.sizes if evaluation is not None else {}
    missing = sorted(n for n in checked.names if n not in values and n not in sizes)
    if missing:
        return ExprEvaluation(checked, missing=missing)
    deriv = None
    if evaluation is not None and evaluation.report.env is not None:
        names = evaluation.report.env.names
        inputs = {k: v for k, v in values.items() if k in names and names[k].kind is NameKind.INPUT}
        deriv = true_derivatives(evaluation.report, inputs, sizes)
    return _evaluate(checked, values, sizes, deriv)


def _evaluate(checked: Checked, values: Mapping[str, np.ndarray], sizes: Mapping[str, int],
              deriv: Callable[[Deriv], np.ndarray] | None) -> ExprEvaluation:
    from dsl.compute import evaluate  # deferred: likewise
    from dsl.compute.numeric import EvalError  # deferred: likewise
    assert checked.expr is not None
    try:
        value = evaluate.eval_expr(checked.expr, values, sizes, deriv=deriv)
    except EvalError as exc:
        return ExprEvaluation(checked, error=exc)
    except Exception as exc:  # noqa: BLE001  (a defect in evaluating, reported as an E901 diagnostic)
        return ExprEvaluation(checked, error=EvalError(internal_error("evaluating", exc, checked.expr.span)))
    return ExprEvaluation(checked, value)
