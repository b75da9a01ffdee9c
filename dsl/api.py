"""Checking and evaluating a single expression against live arrays.

Used by the Python API (``dsl.evaluate``), the notebook's ``%deriv`` line
magic and the REPL: shapes come from the arrays themselves, so a quick check
needs no declarations.  It goes through the same parser, checker and
evaluator as a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .diagnostics import Diagnostic, Sink
from .span import Source


class ShapeError(ValueError):
    """Raised by :func:`evaluate_expr` when the expression has errors; the
    message is the rendered diagnostics, ``.diagnostics`` the data."""

    def __init__(self, text: str, diagnostics: list[Diagnostic]):
        from .render import render_diagnostic
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


def check_expr(text: str, arrays: Mapping, env=None, name: str = "<expr>") -> Checked:
    """Parse ``text`` and infer its shape with names bound to ``arrays``
    (or to ``env``, a checker environment from a session)."""
    from . import shapes, syntax
    expr, diags = syntax.parse_expr(text, name)
    if env is None:
        env = shapes.env_from_arrays(dict(arrays))
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

    from . import evaluate
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
