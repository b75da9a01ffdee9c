"""A pytest plugin: the derivations in documentation, collected as tests.

Contract: with ``pytest --chainrule docs/`` (or ``chainrule = true`` under
``[tool.pytest.ini_options]``), every ``.md``, ``.tex``, ``.ipynb`` and
``.deriv`` file pytest walks is read by the same front ends and driver as
``chainrule lint``, and becomes

- one test per claim, with an id ``-k`` accepts: ``notes.md::line41``
  (``notebook.ipynb::cell5_line3``; ``line41_2`` for a second claim on the
  line), reported as ``dL/dx (line 41)``: it passes when the claim is verified and fails with the
  rendered diagnostics of its line otherwise;
- one test ``shapes`` per file: it fails on any other error (a shape error in
  a definition, an unreadable file), with the diagnostics as the report.

Suppressions (``chainrule: ignore[CODE]``) apply as in the linter.  Register
it with ``-p dsl.pytest_plugin`` or the ``pytest11`` entry point
``chainrule = "dsl.pytest_plugin"``.

Why a pytest plugin and not a Sybil integration: Sybil collects examples
that its parsers find in documentation and runs them as Python; chainrule
documents hold not Python but math, ``deriv`` blocks, LaTeX comments and
notebook cells, which only chainrule's own front ends read.  A plugin reuses
them unchanged (so a claim in prose math is a test just like a fenced
block), adds no dependency, reports each claim with its document line, and
is switched on with one flag in an existing test run.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dsl.apps.lint import FileResult, lint_file

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr
from dsl.frontends import kind_of
from dsl.render import text as render


def pytest_addoption(parser):
    group = parser.getgroup("chainrule")
    group.addoption("--chainrule", action="store_true", default=False,
                    help="collect the claims in .md, .tex, .ipynb and .deriv files as tests")
    group.addoption("--chainrule-no-verify", action="store_true", default=False,
                    help="check shapes only; claims are not verified numerically")
    parser.addini("chainrule", type="bool", default=False,
                  help="collect derivations in documents as tests (like --chainrule)")


def pytest_collect_file(file_path, parent):
    config = parent.config
    if not (config.getoption("chainrule") or config.getini("chainrule")):
        return None
    if kind_of(str(file_path)) is None:
        return None
    return DocumentFile.from_parent(parent, path=file_path)


class DocumentFile(pytest.File):
    """A document: linted once, then one item per claim and one for the rest."""

    def collect(self):
        verify = not self.config.getoption("chainrule_no_verify")
        result = lint_file(str(self.path), verify=verify)
        report = result.report
        claim_lines = set()
        seen: dict[str, int] = {}
        for verdict in report.claims:
            span = verdict.claim.span
            claim_lines.add((span.cell, span.line))
            name = f"cell{span.cell}_line{span.line}" if span.cell is not None else f"line{span.line}"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:                     # several claims on one line: line23_2, line23_3
                name += f"_{seen[name]}"
            yield ClaimItem.from_parent(self, name=name, result=result, verdict=verdict)
        yield ShapesItem.from_parent(self, name="shapes", result=result, claim_lines=claim_lines)


class DocumentFailure(Exception):
    """Raised by an item; its text is the rendered diagnostics."""


class _Item(pytest.Item):
    def __init__(self, *, result: FileResult, **kw):
        super().__init__(**kw)
        self.result = result

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str | TerminalRepr:
        if isinstance(excinfo.value, DocumentFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def _render(self, diagnostics) -> str:
        r = self.result.report
        return "\n\n".join(render.render_diagnostic(d, self.result.source_for(d.span.cell), r.env)
                           for d in diagnostics)


class ClaimItem(_Item):
    def __init__(self, *, verdict, **kw):
        super().__init__(**kw)
        self.verdict = verdict

    def runtest(self):
        span = self.verdict.claim.span
        if self.verdict.status == "verified":
            return
        on_line = [d for d in self.result.report.diagnostics
                   if (d.span.cell, d.span.line) == (span.cell, span.line)]
        text = self._render(on_line) or f"{self.verdict.status}: {self.verdict.detail}"
        raise DocumentFailure(text)

    def reportinfo(self):
        span = self.verdict.claim.span
        where = f"cell {span.cell}, line {span.line}" if span.cell is not None else f"line {span.line}"
        return self.path, span.line - 1, f"{self.verdict.claim.deriv.text} ({where})"


class ShapesItem(_Item):
    def __init__(self, *, claim_lines: set, **kw):
        super().__init__(**kw)
        self.claim_lines = claim_lines

    def runtest(self):
        errors = [d for d in self.result.report.diagnostics
                  if d.is_error and (d.span.cell, d.span.line) not in self.claim_lines]
        if errors:
            raise DocumentFailure(self._render(errors))

    def reportinfo(self):
        return self.path, 0, f"{self.path.name}: shapes"
