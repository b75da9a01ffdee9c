"""chainrule: a dimension-checked tensor-notation language for the mathematics
of machine learning.

The stages, one package each, imported only downward::

    core       spans, the AST, sizes, diagnostics and their wording, kinds
    builtins   the table of built-in functions, one row per function
    language   text -> AST (grammar/chainrule.lark, Lark LALR), printing
    shapes     AST -> shapes and diagnostics (symbolic sizes)
    frontends  Markdown, LaTeX and notebooks -> derivation text
    compute    AST -> NumPy values; reverse-mode derivatives
    verify     claimed derivatives vs true ones, with a diagnosis
    derive     symbolic derivatives in the file's notation, verified
    render     diagnostics and verdicts as text / JSON / SARIF
    pipeline   strings the stages together for every application
    apps       cli, repl, magics, lint, fmt, explain, pytest plugin

The Python API (imports are lazy so the command starts fast)::

    >>> import numpy as np, dsl
    >>> dsl.evaluate_expr("x @ W", x=np.ones((1, 3)), W=np.ones((3, 2))).shape
    (1, 2)
"""
from __future__ import annotations

# Not typing.TYPE_CHECKING: importing typing costs `chainrule --version` about 5 ms,
# and type checkers read a module-level TYPE_CHECKING = False the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.api import Derived
    from dsl.core.ast import Program
    from dsl.core.diagnostics import Diagnostic
    from dsl.core.dims import Shape
    from dsl.core.verdicts import ClaimResult
    from dsl.pipeline.report import Report

__version__ = "0.1.0"

__all__ = ["__version__", "check", "derive", "evaluate_expr", "parse", "shape_of", "verify_claim"]


def parse(text: str, name: str = "<input>") -> tuple[Program, list[Diagnostic]]:
    """Parse derivation text; returns ``(Program, diagnostics)``.

    Arguments of the wrong type raise ``TypeError`` (a text given as
    ``bytes`` or a ``Path``), as in every function here; see ``dsl.api``."""
    from dsl import api  # deferred: the API loads on first use (fast start)
    return api.parse(text, name)


def check(text: str, name: str = "<input>", *, verify: bool = True, seed: int = 0,
          timeout: float | None = None) -> Report:
    """Check a derivation: shapes, then claims, each claim within ``timeout``
    seconds (default 10). Returns a ``pipeline.Report`` with ``.diagnostics``
    and ``.claims``.  ``seed`` is a whole number from 0 to 2**32-1 and
    ``timeout`` a positive number, as on the command line: ``TypeError`` for
    a value of the wrong type, ``ValueError`` for one out of range."""
    from dsl import api  # deferred: likewise
    return api.check(text, name, verify=verify, seed=seed, timeout=timeout)


def evaluate_expr(expr: str, **arrays: object) -> np.ndarray:
    """Evaluate one expression on NumPy arrays given as keywords; shapes are
    taken from the arrays, so no declarations are needed.  Shape errors,
    and arrays that are not values (text, complex numbers, objects, ragged
    lists), raise ``dsl.api.ShapeError`` carrying the diagnostics; an
    expression without a value (a reduction of an empty array) raises
    ``dsl.api.EvaluationError``; both are ``ValueError``."""
    from dsl import api  # deferred: likewise
    return api.evaluate_expr(expr, arrays)


def shape_of(expr: str, **arrays: object) -> Shape | None:
    """The inferred shape of an expression over the given arrays."""
    from dsl.api import shape_of_expr  # deferred: likewise
    return shape_of_expr(expr, arrays)


def verify_claim(program_text: str, claim_text: str, seed: int = 0) -> ClaimResult:
    """Verify one claim (``"dL/dx = ..."``) against a program's definitions."""
    from dsl import api  # deferred: likewise
    return api.verify_claim(program_text, claim_text, seed=seed)


def _derive_api(text: str, y: str, x: str | None = None, *, steps: bool = False, seed: int = 0) -> Derived:
    """``dY/dX`` derived from the definitions in ``text`` and verified: ``.expr``
    (an AST), ``.text``, ``.texts`` (the claim in ASCII, Unicode and LaTeX),
    ``.assumptions`` and ``.steps``; raises ``dsl.api.DeriveError`` when none.

    >>> dsl_text = "dims n\\nx : 1 x n\\nW : n x n\\nL = sum(tanh(x @ W))"
    >>> _derive_api(dsl_text, "dL/dW").texts["ascii"]
    "dL/dW = x.T @ tanh'(x @ W)"
    """
    from dsl import api  # deferred: likewise
    from dsl.apps.derive_text import claim_text  # deferred: likewise
    return api.derive(text, y, x, steps=steps, seed=seed, spell=claim_text)


# ``dsl.derive`` is also the name of the stage package: importing it binds the
# package here, and the package forwards a call to ``_derive_api`` (dsl/derive/__init__.py).
derive = _derive_api


def load_ipython_extension(ipython):  # pragma: no cover - exercised through IPython
    """``%load_ext dsl``: registers the ``%%deriv`` and ``%deriv`` magics."""
    from dsl.apps.magic import load_ipython_extension as _load  # deferred: IPython only in a notebook
    _load(ipython)
