"""What ``check`` and ``lint`` do with their results, the same for both:
suppression comments and the selection applied, unused suppressions
reported (``--warn-unused-ignores``), the output format written, and the
exit code computed.

Contract: :func:`finish` takes the results (objects with a pipeline
``report`` and, for documents, a ``host``), an :class:`Output` and a stream;
it writes the report and returns the exit code: 0 clean, 1 errors (or
warnings with ``strict``), 2 an input error.  ``exit_zero`` turns 1 into 0
(an input error stays 2, as in ruff).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from dsl.apps.selection import Selection
from dsl.core import messages
from dsl.core.diagnostics import Severity
from dsl.frontends.document import Host
from dsl.frontends.suppress import Suppressions

FORMATS = ("full", "text", "concise", "json", "sarif", "github", "gitlab", "junit")


@dataclass(frozen=True)
class Output:
    fmt: str = "full"
    strict: bool = False
    quiet: bool = False
    statistics: bool = False
    exit_zero: bool = False
    warn_unused_ignores: bool = False
    color: bool = False
    selection: Selection = field(default_factory=Selection)
    command_line: tuple[str, ...] = ()


def suppress(report, host: Host | None = None) -> list:
    """Drop the diagnostics of ``report`` that its file's suppression comments
    silence (every one, and its claims too, under ``ignore-file``); the
    comments that silenced nothing are returned."""
    text = host.text if host is not None else report.source.text
    if "chainrule:" not in text:
        return []
    found = Suppressions.scan(host if host is not None else Host(report.source.name, text))
    report.diagnostics = [d for d in report.diagnostics if d.code.startswith("E9") or not found.silences(d)]
    if found.whole_file is not None:
        report.claims = []
    return found.unused()


def unused_warnings(comments) -> list:
    """``W705`` for each comment (or code in it) that silenced nothing."""
    out = []
    for c in comments:
        codes = c.unused_codes
        what = "anything" if codes is None else ", ".join(sorted(codes))
        out.append(messages.make("W705", c.span, codes=what))
    return out


def finish(results: list, opts: Output, out=None, *, text: Callable[[list], str] | None = None) -> int:
    """Apply the selection, write ``results`` as ``opts`` says, return the exit code.
    ``text`` renders the full text format (each command has its own)."""
    out = sys.stdout if out is None else out
    for r in results:
        if opts.warn_unused_ignores:
            r.report.diagnostics = r.report.diagnostics + unused_warnings(getattr(r, "unused", ()))
        opts.selection.apply(r.report)
    out.write(render(results, opts, text))
    reports = [r.report for r in results]
    code = max((r.exit_code(opts.strict) for r in reports), default=0)
    if opts.exit_zero and code == 1:
        return 0
    return code


def render(results: list, opts: Output, text: Callable[[list], str] | None = None) -> str:
    from dsl.render import formats, text as plain  # deferred: start-up
    if opts.statistics:
        return formats.render_statistics(results)
    fmt = opts.fmt
    if fmt == "json":
        return plain.render_json([r.report for r in results])
    if fmt == "sarif":
        from dsl.render.sarif import render_sarif  # deferred: start-up
        return render_sarif(results, command_line=opts.command_line)
    if fmt == "github":
        from dsl.render.sarif import render_github  # deferred: start-up
        return render_github(results)
    if fmt == "concise":
        return formats.render_concise(results)
    if fmt == "gitlab":
        return formats.render_gitlab(results)
    if fmt == "junit":
        return formats.render_junit(results)
    if opts.quiet:
        return quiet_text(results, opts.color)
    if text is not None:
        return text(results)
    return plain.render_text([r.report for r in results], color=opts.color)


def quiet_text(results: list, color: bool) -> str:
    """Problems only: the errors and warnings, no notes, claim lines or summary."""
    from dsl.render import text as plain  # deferred: start-up
    blocks = []
    for r in results:
        source_for = getattr(r, "source_for", None)
        for d in r.report.diagnostics:
            if d.severity is Severity.NOTE:
                continue
            source = source_for(d.span.cell) if source_for is not None else r.report.source
            blocks.append(plain.render_diagnostic(d, source, r.report.env, color))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
