"""The Python API's exceptions and its array-level functions.

``dsl.evaluate_expr`` and ``dsl.shape_of`` (see ``dsl/__init__.py``) call
these; the stages themselves run in ``dsl.pipeline``: an expression is
checked and evaluated there, and this module only turns a result with
errors into :class:`ShapeError`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dsl import pipeline
from dsl.core.diagnostics import Diagnostic
from dsl.core.dims import Shape
from dsl.core.span import Source
from dsl.pipeline import Checked, check_expr, env_from_arrays

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

__all__ = ["Checked", "ShapeError", "check_expr", "env_from_arrays", "evaluate_expr", "shape_of_expr"]


class ShapeError(ValueError):
    """Raised by :func:`evaluate_expr` when the expression has errors; the
    message is the rendered diagnostics, ``.diagnostics`` the data."""

    def __init__(self, text: str, diagnostics: list[Diagnostic]):
        from dsl.render.text import render_diagnostic
        source = Source("<expr>", text)
        super().__init__("\n\n".join(render_diagnostic(d, source) for d in diagnostics))
        self.diagnostics = diagnostics


def evaluate_expr(text: str, arrays: Mapping[str, object]) -> np.ndarray:
    """Evaluate ``text`` with NumPy arrays as bindings.

    Raises :class:`ShapeError` when it does not check (an array that is not
    a value, e.g. 3-d, included) and ``EvalError`` when it cannot be
    evaluated.

    >>> import numpy as np
    >>> evaluate_expr("sum(x * x)", {"x": np.arange(3.0)[None, :]})
    array(5.)
    """
    result = pipeline.evaluate_expr(text, arrays)
    if not result.checked.ok:
        raise ShapeError(text, result.checked.errors)
    if result.error is not None:
        raise result.error
    assert result.value is not None
    return result.value


def shape_of_expr(text: str, arrays: Mapping[str, object]) -> Shape | None:
    """The inferred :class:`dims.Shape` of ``text`` over ``arrays``.

    >>> import numpy as np
    >>> str(shape_of_expr("x.T @ x", {"x": np.ones(3)}))
    '3 x 3'
    """
    checked = check_expr(text, arrays)
    if not checked.ok:
        raise ShapeError(text, checked.errors)
    return checked.shape
