"""Checking and evaluating a single expression against live arrays.

Used by the Python API (``dsl.evaluate``), the notebook's ``%deriv`` line
magic and the REPL: shapes come from the arrays themselves, so a quick check
needs no declarations.  It goes through the same parser, checker and
evaluator as a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from dsl.core.diagnostics import Diagnostic, Sink
from dsl.core.dims import SCALAR, Shape
from dsl.shapes.checker import Env, NameInfo
from dsl.core.span import Source, Span


class ShapeError(ValueError):
    """Raised by :func:`evaluate_expr` when the expression has errors; the
    message is the rendered diagnostics, ``.diagnostics`` the data."""

    def __init__(self, text: str, diagnostics: list[Diagnostic]):
        from dsl.render.text import render_diagnostic
        source = Source("<expr>", text)
        super().__init__("\n\n".join(render_diagnostic(d, source) for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass
class Checked:
    expr: object            # ast.Expr or None
    shape: object           # dims.Shape or None
    diagnostics: list[Diagnostic]
    env: object             # shapes.Env

    @property
    def ok(self) -> bool:
        return self.expr is not None and not any(d.is_error for d in self.diagnostics)


def env_from_arrays(arrays: dict) -> Env:
    """An environment whose names are the given arrays, with integer sizes.

    0-d arrays are scalars, 1-d arrays row vectors ``1 x n``, 2-d arrays
    ``r x c``; more dimensions are refused with ``ValueError``.

    >>> import numpy as np
    >>> str(env_from_arrays({"x": np.ones(3), "W": np.ones((3, 2))}).names["x"].shape)
    '1 x 3'
    """
    import numpy as np

    env = Env()
    where = Span("<arrays>", 1, 1, 1, 1)
    for name, value in arrays.items():
        dims = tuple(int(d) for d in np.shape(value))
        if len(dims) > 2:
            raise ValueError(f"'{name}' has {len(dims)} dimensions; chainrule values are "
                             "scalars, vectors or matrices")
        shape = SCALAR if not dims else Shape((1, dims[0])) if len(dims) == 1 else Shape(dims)
        env.names[name] = NameInfo(shape, "input", where)
    return env


def check_expr(text: str, arrays: Mapping, env=None, name: str = "<expr>") -> Checked:
    """Parse ``text`` and infer its shape with names bound to ``arrays``
    (or to ``env``, a checker environment from a session)."""
    from dsl.shapes import checker as shapes
    from dsl.language import syntax
    expr, diags = syntax.parse_expr(text, name)
    if env is None:
        env = env_from_arrays(dict(arrays))
    if expr is None:
        return Checked(None, None, list(diags), env)
    sink = Sink()
    shape = shapes.infer(env, expr, sink)
    return Checked(expr, shape, list(diags) + sink.items, env)


def evaluate_expr(text: str, arrays: Mapping):
    """Evaluate ``text`` with NumPy arrays as bindings.

    >>> import numpy as np
    >>> evaluate_expr("sum(x * x)", {"x": np.arange(3.0)[None, :]})
    array(5.)
    """
    import numpy as np

    from dsl.compute import evaluate
    values = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
    values = {k: (v[None, :] if v.ndim == 1 else v) for k, v in values.items()}
    checked = check_expr(text, values)
    if not checked.ok:
        raise ShapeError(text, [d for d in checked.diagnostics if d.is_error])
    return evaluate.eval_expr(checked.expr, values, {})


def shape_of_expr(text: str, arrays: Mapping):
    """The inferred :class:`dims.Shape` of ``text`` over ``arrays``."""
    import numpy as np
    values = {k: np.asarray(v) for k, v in arrays.items()}
    checked = check_expr(text, values)
    if not checked.ok:
        raise ShapeError(text, [d for d in checked.diagnostics if d.is_error])
    return checked.shape
