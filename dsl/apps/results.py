"""One linted or checked file's result, as every output format takes it."""
from __future__ import annotations

from dataclasses import dataclass, field

from dsl import pipeline as driver
from dsl.core import messages
from dsl.core.ast import Program
from dsl.core.diagnostics import Diagnostic
from dsl.core.span import Source, Span, shown_name
from dsl.frontends import Host


@dataclass
class FileResult:
    """One linted file: a report in host coordinates and the host to show lines from."""

    report: driver.Report
    host: Host | None = None
    skipped: list[Diagnostic] = field(default_factory=list)   # N702/N700 listed with --verbose
    unused: list = field(default_factory=list)                  # suppression comments that silenced nothing
    coverage: list[str] = field(default_factory=list)           # what reading covered (lint --verbose)

    def source_for(self, cell: int | None) -> Source:
        return self.host.source(cell) if self.host is not None else self.report.source


def input_problem(where: str, code: str, **values) -> FileResult:
    """A result for a path that could not be linted (an error) or was skipped
    (a warning); the path, and a ``path`` among the values, as names are shown."""
    where = shown_name(where)
    if "path" in values:
        values["path"] = shown_name(values["path"])
    diag = messages.make(code, Span(where, 1, 1, 1, 1), **values)
    if diag.is_error:
        return FileResult(driver.unreadable(where, diag))
    return FileResult(driver.Report(Source(where, ""), Program((), where), None, [diag], []))
