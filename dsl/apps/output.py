"""What ``check`` and ``lint`` do with their results, the same for both:
suppression comments and the selection applied, unused suppressions
reported (``--warn-unused-ignores``), the output format written, and the
exit code computed.

Contract: :func:`finish` takes the results (objects with a pipeline
``report`` and, for documents, a ``host``; a generator is consumed as it
yields), an :class:`Output` and a stream; it writes the report and returns
the exit code.  The line formats (full text, ``--quiet``, concise) are
written file by file as results arrive, in their order, and flushed; the
others are one document written at the end.  Exit codes: 0 clean, 1 errors (or
warnings with ``strict``), 2 an input error.  ``exit_zero`` turns 1 into 0
(an input error stays 2, as in ruff).
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dsl.apps.progress import Progress
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


@dataclass(frozen=True)
class TextReport:
    """How a command writes the full text format: the blocks of one result
    (streamed as each file finishes), then the closing blocks (the summary)."""

    blocks: Callable[[Any], list[str]]
    closing: Callable[[list], list[str]]


STREAMED = ("full", "text", "concise")     # formats written file by file; the others are one document


def finish(results: Iterable, opts: Output, out=None, *, text: TextReport | None = None,
           progress: Progress | None = None) -> int:
    """Apply the selection, write ``results`` as ``opts`` says, return the exit code.
    ``text`` renders the full text format (each command has its own).  The
    line formats are written as each result arrives (``results`` may be a
    generator), in its order; ``progress`` is advanced once per result."""
    out = sys.stdout if out is None else out
    streamed = opts.fmt in STREAMED and not opts.statistics
    writer = _Blocks(out, progress)
    kept = []
    for r in results:
        if opts.warn_unused_ignores:
            r.report.diagnostics = r.report.diagnostics + unused_warnings(getattr(r, "unused", ()))
        opts.selection.apply(r.report)
        kept.append(r)
        if streamed:
            writer.write(_parts(r, opts, text), sep="\n" if opts.fmt == "concise" else "\n\n")
        if progress is not None:
            progress.advance()
    if streamed:
        if opts.fmt != "concise" and not opts.quiet:
            writer.write(text.closing(kept) if text is not None else [summary(kept)])
        writer.end()
    else:
        writer.whole(render(kept, opts))
    if progress is not None:
        progress.close()
    code = max((r.report.exit_code(opts.strict) for r in kept), default=0)
    if opts.exit_zero and code == 1:
        return 0
    return code


class _Blocks:
    """Text blocks written as they come, a blank line between two, the bar
    erased before each write; the same bytes as joining them at the end."""

    def __init__(self, out, progress: Progress | None) -> None:
        self.out, self.progress, self.any = out, progress, False

    def write(self, blocks: list[str], sep: str = "\n\n") -> None:
        pieces = []
        for b in blocks:
            if not b:
                continue
            pieces.append((sep if self.any else "") + b)
            self.any = True
        self.whole("".join(pieces))

    def whole(self, text: str) -> None:
        if not text:
            return
        if self.progress is not None:
            self.progress.clear()
        self.out.write(text)
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()

    def end(self) -> None:
        if self.any:
            self.whole("\n")


def _parts(r, opts: Output, text: TextReport | None) -> list[str]:
    from dsl.render import formats, text as plain  # deferred: start-up
    if opts.fmt == "concise":
        return [line for line in formats.render_concise([r]).split("\n") if line]
    if opts.quiet:
        return quiet_blocks(r, opts.color)
    if text is not None:
        return text.blocks(r)
    return plain.report_blocks(r.report, opts.color)


def summary(results: list) -> str:
    """The closing line of the text formats: files, errors, warnings, claim verdicts."""
    from dsl.render import text as plain  # deferred: start-up
    reports = [r.report for r in results]
    return plain.summary_line(reports, *plain.severity_counts(reports))


def render(results: list, opts: Output) -> str:
    """The formats written as one document: JSON, SARIF, GitHub, GitLab, JUnit, statistics."""
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
    if fmt == "gitlab":
        return formats.render_gitlab(results)
    if fmt == "junit":
        return formats.render_junit(results)
    raise ValueError(f"not a document format: {fmt}")


def quiet_blocks(r, color: bool) -> list[str]:
    """Problems only: the errors and warnings, no notes, claim lines or summary."""
    from dsl.render import text as plain  # deferred: start-up
    source_for = getattr(r, "source_for", None)
    blocks = []
    for d in r.report.diagnostics:
        if d.severity is Severity.NOTE:
            continue
        source = source_for(d.span.cell) if source_for is not None else r.report.source
        blocks.append(plain.render_diagnostic(d, source, r.report.env, color))
    return blocks
