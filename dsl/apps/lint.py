"""``chainrule lint``: check derivations where people write them.

Contract: :func:`run_lint` walks the given paths, reads every ``.deriv``,
``.md``, ``.tex`` and ``.ipynb`` file through its front end
(``dsl.frontends``), checks the resulting program with the same driver as
``chainrule check`` (shapes, then claim verification), puts every diagnostic
back on the line and column (and notebook cell) of the document, applies
``chainrule: ignore[CODE]`` suppressions, and writes one report in the chosen
format.  It returns the exit code of SPEC §6/§7: 0 clean, 1 errors (or
warnings with ``strict``), 2 a path that does not exist or a file that cannot
be read (the other files are still checked).  It never writes to the files
it reads.

    >>> import io
    >>> run_lint(["examples/mlp.deriv"], fmt="json", verify=False, out=io.StringIO())
    0

Which files are read is ``discovery``'s part (``.gitignore`` semantics, links, FIFOs); what
is shown and the exit code, ``output``'s (selection, formats).  With many
files (:data:`PARALLEL_THRESHOLD`) the files are checked in worker
processes, one per core by default; results come back in the walk order, so
the output does not depend on scheduling, and the text formats are written
as files finish (with a progress bar on a terminal's standard error).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from dsl import pipeline as driver
from dsl.apps.coverage import coverage_lines, inferred
from dsl.apps.discovery import collect
from dsl.apps.hosted import in_host
from dsl.apps.output import FORMATS as OUTPUT_FORMATS, STREAMED, Output, TextReport, finish
from dsl.apps.progress import Progress
from dsl.apps.results import FileResult
from dsl.apps.selection import matches
from dsl.core import messages
from dsl.core.ast import Program
from dsl.core.diagnostics import Diagnostic, Severity
from dsl.core.span import Source, Span
from dsl.frontends import Extracted, extract, kind_of
from dsl.frontends.suppress import Suppressions
from dsl.render import text as render

FORMATS = OUTPUT_FORMATS
PARALLEL_THRESHOLD = 16          # files; below this, processes cost more than they save


# ------------------------------------------------------------------ checking

def lint_file(path: str, *, verify: bool = True, seed: int = driver.DEFAULT_SEED,
              timeout: float | None = None) -> FileResult:
    """Read, extract, check and map back one document; never raises."""
    source, problem = driver.read_source(path)
    if source is None:
        assert problem is not None, "no source: read_source says why"
        return FileResult(driver.unreadable(path, problem))
    return lint_source(source, verify=verify, seed=seed, timeout=timeout)


def lint_source(source: Source, *, verify: bool = True, seed: int = driver.DEFAULT_SEED,
                timeout: float | None = None) -> FileResult:
    """Extract, check and map back one document already read (its name
    picks the front end); never raises."""
    path = source.name
    where = Span(path, 1, 1, 1, 1)
    try:
        ex = extract(path, source.text)
    except ValueError as exc:                     # a notebook that is not one (and where, when known)
        line, column = getattr(exc, "line", 1), getattr(exc, "column", 1)
        at = Span(path, line, column, line, column + 1)
        return FileResult(driver.unreadable(path, messages.make("E900", at, what=f"{path}: {exc}")))
    except Exception as exc:  # noqa: BLE001  (a defect in reading, reported as an E901 diagnostic)
        return FileResult(driver.Report(source, Program((), path), None,
                                        [driver.internal_error("reading the document", exc, where)], []))
    try:
        return _check(ex, verify=verify, seed=seed, timeout=timeout)
    except Exception as exc:  # noqa: BLE001  (a defect in linting, reported as an E901 diagnostic)
        return FileResult(driver.Report(source, Program((), path), None,
                                        [driver.internal_error("linting", exc, where)], []))


def _check(ex: Extracted, *, verify: bool, seed: int, timeout: float | None = None) -> FileResult:
    path = ex.host.path
    diagnostics, claims, dims = list(ex.notes), [], {}
    if ex.source.text.strip():
        report = driver.check_source(ex.source, verify=verify, seed=seed, timeout=timeout)
        dims = dict(getattr(report.env, "dims", None) or {})
        diagnostics += [in_host(ex, d) for d in report.diagnostics]
        diagnostics += grouping_notes(ex, report, seed)
        claims = [c.moved(ex.span_map) for c in report.claims]
    found = Suppressions.scan(ex.host)
    kept = [d for d in diagnostics if not found.silences(d)]
    kept.sort(key=_order)
    host_source = Source(path, ex.host.text)
    if found.whole_file is not None:
        claims = []
    result = driver.Report(host_source, Program((), path), driver.Env(dims=dims), kept, claims, seed=seed)
    skipped = [d for d in ex.verbose if not ex.suppressed(d)]
    summary = (coverage_lines(path, ex.coverage, ex.skipped, inferred(kept + skipped))
               if kind_of(path) != "deriv" else [])
    return FileResult(result, ex.host, skipped, found.unused(), summary)


def _order(d: Diagnostic) -> tuple:
    """Document order; the grouping notes of a formula after its other diagnostics."""
    return (d.span.cell or 0, d.span.line, d.code in ("N701", "N703"), d.span.column)


def grouping_notes(ex: Extracted, report, seed: int) -> list[Diagnostic]:
    """For a formula with a problem whose juxtaposition grouping mattered:
    the grouping used (N701) and, if the other grouping is shape-correct, that (N703)."""
    out, done = [], set()
    for d in report.diagnostics:
        if d.severity is Severity.NOTE:
            continue
        f = ex.formula_at(d.span.start)
        if f is None or f.grouping is None or f.gen_start in done:
            continue
        done.add(f.gen_start)
        where = ex.host.span(f.host_start, f.host_end)
        out.append(messages.make("N701", where, grouping=f.grouping))
        if f.alt_line and _shape_correct(ex, f):
            out.append(messages.make("N703", where, alt=f.alt_line.split(" = ", 1)[1]))
    return out


def _shape_correct(ex: Extracted, f) -> bool:
    trial = ex.source.text[:f.gen_start] + f.alt_line + "\n"      # what follows cannot matter
    end = f.gen_start + len(f.alt_line) + 1
    report = driver.check_source(Source(ex.source.name, trial), verify=False)
    return not any(d.is_error and f.gen_start <= d.span.start < end for d in report.diagnostics)


def lint_files(files: list[str], *, verify: bool = True, seed: int = driver.DEFAULT_SEED,
               jobs: int | None = None, timeout: float | None = None) -> list[FileResult]:
    """``lint_file`` over many files, in worker processes above the threshold."""
    return list(iter_lint(files, verify=verify, seed=seed, jobs=jobs, timeout=timeout))


def iter_lint(files: list[str], *, verify: bool = True, seed: int = driver.DEFAULT_SEED,
              jobs: int | None = None, timeout: float | None = None) -> Iterator[FileResult]:
    """The results of ``lint_files``, yielded in the order of ``files`` as
    each is ready (so a report can be written while the rest are checked)."""
    work = partial(lint_file, verify=verify, seed=seed, timeout=timeout)
    jobs = min(jobs or os.cpu_count() or 1, len(files))     # no idle workers
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        yield from map(work, files)
        return
    from dsl.frontends import latex_math  # deferred: start-up
    latex_math.parser()                           # built once, inherited by forked workers
    driver.check_source(Source("<warm-up>", "x : 1 x 1\n"), verify=False)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for result in pool.map(work, files, chunksize=_chunk(len(files), jobs)):
                yield result
                done += 1
    except (OSError, RuntimeError):               # no processes here: check the rest in this one
        yield from map(work, files[done:])


def _chunk(files: int, jobs: int) -> int:
    """Files per task: few enough that the first results come early, enough
    that sending them costs little."""
    return max(1, min(4, files // (jobs * 8)))


# ------------------------------------------------------------------ output

def run_lint(paths: list[str], *, fmt: str = "text", strict: bool = False, verify: bool = True,
             jobs: int | None = None, verbose: bool = False, out=None,
             seed: int = driver.DEFAULT_SEED, color: bool = False, timeout: float | None = None,
             output: Output | None = None, exclude: tuple[str, ...] = (), root: str = ".",
             stdin: Source | None = None) -> int:
    """Lint ``paths`` and write the report to ``out`` (default: the current
    ``sys.stdout``); returns the exit code.  ``output`` carries the output
    options (format, selection, ``--quiet``...; by default ``fmt``, ``strict``
    and ``color``); files met walking a directory that match ``exclude``
    (patterns relative to ``root``) are left out, a file named is always
    linted; ``stdin`` is a document read from standard input (for ``-``)."""
    out = sys.stdout if out is None else out
    if output is None:
        if fmt not in FORMATS:
            out.write(f"chainrule lint: unknown format '{fmt}' (choose from {', '.join(FORMATS)})\n")
            return 2
        output = Output(fmt=fmt, strict=strict, color=color)
    if not paths and stdin is None:
        out.write("chainrule lint: no paths given\n")
        return 2
    files, problems = collect(paths)
    if exclude:
        named = {os.path.normpath(p) for p in paths}
        files = [f for f in files if os.path.normpath(f) in named or not excluded(f, exclude, root)]
    def results() -> Iterator[FileResult]:
        yield from problems
        yield from iter_lint(files, verify=verify, seed=seed, jobs=jobs, timeout=timeout)
        if stdin is not None:
            yield lint_source(stdin, verify=verify, seed=seed, timeout=timeout)

    def listed(r: FileResult) -> FileResult:
        if verbose:
            r.report.diagnostics = sorted(r.report.diagnostics + r.skipped, key=_order)
        return r
    # the bar only where results stream; a document format shows nothing until the end anyway
    bar = Progress.on_terminal(len(problems) + len(files) + (stdin is not None),
                               quiet=output.quiet or output.fmt not in STREAMED)
    return finish(map(listed, results()), output, out, text=text_report(output.color, verbose), progress=bar)


def excluded(path: str, patterns: tuple[str, ...], root: str) -> bool:
    """Whether ``path`` matches one of the ``exclude`` patterns (relative to ``root``)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    return any(matches(p, rel) for p in patterns)


def text_report(color: bool = False, verbose: bool = False) -> TextReport:
    """Lint's text: each file's diagnostics with their document lines and one
    line per claim (and with ``verbose`` what reading covered), then a summary."""
    return TextReport(partial(lint_blocks, color=color, verbose=verbose),
                      partial(lint_closing, verbose=verbose))


def render_lint_text(results: list[FileResult], *, color: bool = False, verbose: bool = False) -> str:
    """The whole text report at once (what ``run_lint`` streams)."""
    blocks = [b for fr in results for b in lint_blocks(fr, color=color, verbose=verbose)]
    blocks += lint_closing(results, verbose=verbose)
    return "\n\n".join(b for b in blocks if b) + "\n"


def lint_blocks(fr: FileResult, *, color: bool = False, verbose: bool = False) -> list[str]:
    r = fr.report
    blocks = [render.render_diagnostic(d, fr.source_for(d.span.cell), r.env, color) for d in r.diagnostics]
    if r.claims:
        blocks.append("\n".join(render.claim_line(c, _where(r.source.name, c.claim.span.cell), color)
                                for c in r.claims))
    if verbose and fr.coverage:
        blocks.append("\n".join(fr.coverage))
    return blocks


def lint_closing(results: list[FileResult], *, verbose: bool = False) -> list[str]:
    reports = [fr.report for fr in results]
    errors, warnings = render.severity_counts(reports)
    summary = render.summary_line(reports, errors, warnings)
    skipped = sum(1 for fr in results for d in fr.skipped if d.code in ("N700", "N702", "N741"))
    if skipped and not verbose:
        summary += f"; {skipped} formula{'s' if skipped != 1 else ''} not checked (--verbose lists them)"
    return [summary]


def _where(name: str, cell: int | None) -> str:
    return f"{name}:cell_{cell}" if cell is not None else name
