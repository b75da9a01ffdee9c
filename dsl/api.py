"""The Python API's exceptions and its array-level functions.

``dsl.evaluate_expr`` and ``dsl.shape_of`` (see ``dsl/__init__.py``) call
these; the stages themselves run in ``dsl.pipeline``: an expression is
checked and evaluated there, and this module only turns a result with
errors into :class:`ShapeError`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dsl import pipeline
from dsl.core.diagnostics import Diagnostic
from dsl.core.dims import Shape
from dsl.core.span import Source
from dsl.pipeline import Checked, check_expr, env_from_arrays

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.core.ast import Expr
    from dsl.derive import Derivation, Step

__all__ = ["Checked", "DeriveError", "Derived", "ShapeError", "check_expr", "derive", "env_from_arrays",
           "evaluate_expr", "shape_of_expr"]


class ShapeError(ValueError):
    """Raised by :func:`evaluate_expr` when the expression has errors; the
    message is the rendered diagnostics, ``.diagnostics`` the data."""

    def __init__(self, text: str, diagnostics: list[Diagnostic]):
        from dsl.render.text import render_diagnostic  # deferred: rendering only when a diagnostic is printed
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


class DeriveError(ValueError):
    """Raised by :func:`derive` when there is no derived form; the message
    says why, ``.diagnostics`` holds the diagnostics (``E510``, ``E511``...)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]):
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Derived:
    """A derived and verified ``dY/dX``: ``expr`` (the AST), ``text`` (ASCII),
    ``texts`` (``"dY/dX = ..."`` in each notation), ``assumptions`` and ``steps``."""

    derivation: Derivation
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def expr(self) -> Expr:
        return self.derivation.expr

    @property
    def text(self) -> str:
        return self.derivation.text

    @property
    def assumptions(self) -> tuple[str, ...]:
        return self.derivation.assumptions

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.derivation.steps

    @property
    def index(self) -> str | None:
        """A Jacobian entry by entry (``dy[i]/dx[j] = ...``), verified; None otherwise."""
        return self.derivation.index_line


def derive(text: str, y: str, x: str | None = None, *, steps: bool = False, seed: int = 0,
           name: str = "<input>", spell: Callable[[str, str, Expr, str], str] | None = None) -> Derived:
    """``dY/dX`` derived from the definitions of ``text`` (``x`` may be left
    out when ``y`` is ``"dL/dx"``); ``spell(y, x, expr, notation)`` writes
    the claim in a notation (``dsl.derive`` passes ``fmt``'s).  Raises
    :class:`DeriveError` when there is none.

    >>> derive("dims n\\nx : 1 x n\\nL = sum(x * x)", "L", "x").text
    '2 * x'
    """
    from dsl.pipeline.derived import split_names  # deferred: derivation only when asked for
    from dsl.pipeline.deriving import derive_source  # deferred: likewise
    names = split_names(y, x)
    if names is None:
        raise DeriveError(f"give Y and X ('L', 'x') or a derivative ('dL/dx'), not {y!r}", [])
    out = derive_source(Source(name, text), *names, steps=steps, seed=seed)
    if out.derivation is None:
        raise DeriveError("; ".join(d.message for d in out.diagnostics), out.diagnostics)
    d = out.derivation
    texts = {"ascii": d.line}
    if spell is not None:
        texts.update({to: spell(d.y, d.x, d.expr, to) for to in ("unicode", "latex")})
    return Derived(d, texts)
