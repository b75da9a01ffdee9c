"""The Python API's functions, the checks of their arguments, and its exceptions.

``dsl.parse``, ``dsl.check``, ``dsl.evaluate_expr``, ``dsl.shape_of``,
``dsl.verify_claim`` and ``dsl.derive`` (see ``dsl/__init__.py``) call
these; the stages themselves run in ``dsl.pipeline``.  This module checks
what a Python caller passes, with the rules the command line applies to its
options (``core.options``), and turns a result with errors into an exception:

- ``TypeError``: an argument of the wrong type (``dsl.check(5)``, a text
  given as ``bytes`` or a ``Path``, ``seed=1.5``, ``timeout="x"``,
  ``verify="no"``, arrays that are not a mapping, a name that is not a str);
- ``ValueError``: the right type, a value out of range (``seed=-1``,
  ``timeout=0``, an array name an expression cannot read, such as ``"a b"``);
- :class:`ShapeError` (a ``ValueError``): the expression has errors, an
  array given that is not a value (text, complex numbers, objects, a ragged
  list, more than 4 axes, a number too large for float64) included;
- :class:`EvaluationError` (a ``ValueError``): it checks but has no value
  (a singular matrix, a reduction of an empty array, the memory budget);
- :class:`DeriveError` (a ``ValueError``): there is no derived form.

Each message is a sentence of the wording registry naming the function and
the argument, never the text of another exception:

    >>> check_arguments("check", seed=-1)
    Traceback (most recent call last):
    ...
    ValueError: check() argument 'seed': a seed is a whole number from 0 to 4294967295, got -1
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dsl import pipeline
from dsl.builtins import EvalError
from dsl.core import options as rules
from dsl.core.ast import Name
from dsl.core.diagnostics import Diagnostic
from dsl.core.dims import Shape
from dsl.core.span import Source
from dsl.core.wording import say
from dsl.pipeline import Checked, check_expr, env_from_arrays

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.core.ast import Expr, Program
    from dsl.core.verdicts import ClaimResult
    from dsl.derive import Derivation, Step
    from dsl.pipeline.report import Report

__all__ = ["Checked", "DeriveError", "Derived", "EvaluationError", "ShapeError", "check", "check_arguments",
           "check_expr", "derive", "env_from_arrays", "evaluate_expr", "parse", "shape_of_expr", "verify_claim"]


# ------------------------------------------------------------ arguments

check_arguments = rules.arguments


def check_arrays(function: str, arrays: object) -> Mapping[str, object]:
    """``arrays`` as bindings: a mapping (``None``: none) whose keys are names
    an expression can read.  The values are checked where they are used (an
    ``E602`` diagnostic at the name, in :class:`ShapeError`).

    >>> check_arrays("evaluate_expr", {"a b": 1})
    Traceback (most recent call last):
    ...
    ValueError: evaluate_expr() argument 'arrays': 'a b' is not a name an expression can read
    """
    checked = check_arguments(function, arrays=arrays)["arrays"]
    if checked is None:
        return {}
    assert isinstance(checked, Mapping)
    for key in checked:
        why = _name_problem(key)
        if why is not None:
            raise ValueError(say("api-argument", function=function, name="arrays", why=why))
    return checked


def _name_problem(key: str) -> str | None:
    """Why ``key`` (a str) cannot name an array, by the language's own reading of it."""
    from dsl.language import syntax  # deferred: Lark loads on the first parse
    expr, diagnostics = syntax.parse_expr(key, "<name>")
    if not isinstance(expr, Name) or diagnostics:
        return say("api-name", value=rules.words(key))
    if expr.id != key:                  # a spelling the language reads as another name: 'ŷ' is yhat
        return say("api-name-reads", value=rules.words(key), read=rules.words(expr.id))
    return None


# ------------------------------------------------------------ programs

def parse(text: str, name: str = "<input>") -> tuple[Program, list[Diagnostic]]:
    """:func:`dsl.parse`: the program and the diagnostics of what does not parse."""
    args = check_arguments("parse", text=text, name=name)
    return pipeline.parse_source(Source(args["name"], args["text"]))  # type: ignore[arg-type]


def check(text: str, name: str = "<input>", *, verify: bool = True, seed: int = 0,
          timeout: float | None = None) -> Report:
    """:func:`dsl.check`: shapes, then claims, each within ``timeout`` seconds."""
    args = check_arguments("check", text=text, name=name, verify=verify, seed=seed, timeout=timeout)
    return pipeline.check_source(Source(args["name"], args["text"]),  # type: ignore[arg-type]
                                 verify=args["verify"], seed=args["seed"],  # type: ignore[arg-type]
                                 timeout=args["timeout"])  # type: ignore[arg-type]


def verify_claim(program_text: str, claim_text: str, seed: int = 0) -> ClaimResult:
    """:func:`dsl.verify_claim`: one claim against a program's definitions."""
    args = check_arguments("verify_claim", program_text=program_text, claim_text=claim_text, seed=seed)
    return pipeline.verify_claim_text(args["program_text"], args["claim_text"],  # type: ignore[arg-type]
                                      seed=args["seed"])  # type: ignore[arg-type]


# ------------------------------------------------------------ expressions

class ShapeError(ValueError):
    """Raised by :func:`evaluate_expr` when the expression has errors; the
    message is the rendered diagnostics, ``.diagnostics`` the data."""

    def __init__(self, text: str, diagnostics: list[Diagnostic]):
        from dsl.render.text import render_diagnostic  # deferred: rendering only when a diagnostic is printed
        source = Source("<expr>", text)
        super().__init__("\n\n".join(render_diagnostic(d, source) for d in diagnostics))
        self.diagnostics = diagnostics


class EvaluationError(EvalError, ValueError):
    """Raised by :func:`evaluate_expr` when the expression checks but has no
    value (``E603``: a singular matrix, a reduction of an empty array;
    ``E600``: past the memory budget); the message is the rendered
    diagnostic, ``.diagnostic`` the data (also an ``EvalError``)."""

    def __init__(self, text: str, diagnostic: Diagnostic):
        from dsl.render.text import render_diagnostic  # deferred: rendering only when a diagnostic is printed
        super().__init__(diagnostic)
        self.args = (render_diagnostic(diagnostic, Source("<expr>", text)),)
        self.diagnostics = [diagnostic]

    def __str__(self) -> str:
        return str(self.args[0])


def evaluate_expr(text: str, arrays: Mapping[str, object] | None) -> np.ndarray:
    """Evaluate ``text`` with NumPy arrays as bindings.

    Raises ``TypeError`` / ``ValueError`` for arguments of the wrong kind
    (:func:`check_arguments`, :func:`check_arrays`), :class:`ShapeError`
    when it does not check (an array that is not a value, e.g. 5-d or text,
    included) and :class:`EvaluationError` when it cannot be evaluated.

    >>> import numpy as np
    >>> evaluate_expr("sum(x * x)", {"x": np.arange(3.0)[None, :]})
    array(5.)
    """
    check_arguments("evaluate_expr", expr=text)
    result = pipeline.evaluate_expr(text, check_arrays("evaluate_expr", arrays))
    if not result.checked.ok:
        raise ShapeError(text, result.checked.errors)
    if result.error is not None:
        raise EvaluationError(text, result.error.diagnostic) from None
    assert result.value is not None
    return result.value


def shape_of_expr(text: str, arrays: Mapping[str, object] | None) -> Shape | None:
    """The inferred :class:`dims.Shape` of ``text`` over ``arrays`` (the
    arguments checked as by :func:`evaluate_expr`).

    >>> import numpy as np
    >>> str(shape_of_expr("x.T @ x", {"x": np.ones(3)}))
    '3 x 3'
    """
    check_arguments("shape_of", expr=text)
    checked = check_expr(text, check_arrays("shape_of", arrays))
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
    check_arguments("derive", text=text, y=y, x=x, steps=steps, seed=seed, name=name)
    if spell is not None and not callable(spell):
        raise TypeError(say("api-argument", function="derive", name="spell",
                            why=say("api-callable", value=rules.kind_words(spell))))
    names = split_names(y, x)
    if names is None:
        raise DeriveError(say("api-derive-names", value=rules.words(y)), [])
    out = derive_source(Source(name, text), *names, steps=steps, seed=seed)
    if out.derivation is None:
        raise DeriveError("; ".join(d.message for d in out.diagnostics), out.diagnostics)
    d = out.derivation
    texts = {"ascii": d.line}
    if spell is not None:
        texts.update({to: spell(d.y, d.x, d.expr, to) for to in ("unicode", "latex")})
    return Derived(d, texts)
