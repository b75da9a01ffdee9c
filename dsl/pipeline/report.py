"""What the pipeline hands back: a :class:`Report` per source checked, an
:class:`Evaluation` per source evaluated, and ``E901`` for a defect inside a
stage (so a failure is data, never a traceback)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dsl.core import messages
from dsl.core.ast import Program
from dsl.core.diagnostics import Diagnostic, Severity
from dsl.core.span import Source, Span
from dsl.core.verdicts import ClaimResult

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.shapes.checker import Env

DEFAULT_SEED = 0


@dataclass
class Report:
    """Everything known about one source after checking it."""

    source: Source
    program: Program
    env: Env | None                    # None: the source could not be read
    diagnostics: list[Diagnostic]
    claims: list[ClaimResult] = field(default_factory=list)
    input_error: bool = False          # the file could not be read at all (exit code 2)
    seed: int = DEFAULT_SEED

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    def exit_code(self, strict: bool = False) -> int:
        if self.input_error:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0


@dataclass
class Evaluation:
    """A checked source evaluated: every value computed (inputs included)
    and the sizes used, with the evaluation's own diagnostics."""

    report: Report
    values: dict[str, np.ndarray]
    sizes: dict[str, int]
    diagnostics: list[Diagnostic]

    def exit_code(self) -> int:
        if self.report.input_error:
            return 2
        return 1 if any(d.is_error for d in self.report.diagnostics + self.diagnostics) else 0


def internal_error(stage: str, exc: BaseException, span: Span) -> Diagnostic:
    """``E901``: a defect met while ``stage`` ran, reported at ``span``."""
    return messages.make("E901", span, stage=stage, what=f"{type(exc).__name__}: {exc}")


def whole(source: Source) -> Span:
    """The span a diagnostic about a whole source stands at: its start."""
    return source.span(0, 0)


def unreadable(name: str, diag: Diagnostic) -> Report:
    """The report for a file that could not be read."""
    return Report(Source(name, ""), Program((), name), None, [diag], [], input_error=True)
