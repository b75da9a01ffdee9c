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

Walking: directories are walked in name order (hidden directories,
``node_modules`` and ``__pycache__`` skipped, ``.gitignore`` patterns of the
walked tree respected in their simple forms), files of other types ignored;
a symlink loop, a directory that cannot be listed, a symlink that leaves
the tree being walked (to a file or a directory; links inside it are
followed) and a document that is not a regular file (a FIFO, a device) are
each a ``W704`` warning naming the path, and the walk goes on.  With many
files (:data:`PARALLEL_THRESHOLD`) the files are checked in worker
processes, one per core by default; results come back in the walk order, so
the output does not depend on scheduling.
"""
from __future__ import annotations

import fnmatch
import multiprocessing
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

from dsl import pipeline as driver
from dsl.apps.fmt import format_expr
from dsl.core import messages
from dsl.core.ast import Program
from dsl.core.diagnostics import Diagnostic, Severity
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.frontends import Extracted, Host, extract, kind_of
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr
from dsl.pipeline import reading
from dsl.render import text as render

FORMATS = ("text", "json", "sarif", "github")
PARALLEL_THRESHOLD = 16          # files; below this, processes cost more than they save
_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages"}


@dataclass
class FileResult:
    """One linted file: a report in host coordinates and the host to show lines from."""

    report: driver.Report
    host: Host | None = None
    skipped: list[Diagnostic] = field(default_factory=list)   # N702/N700 listed with --verbose

    def source_for(self, cell: int | None) -> Source:
        return self.host.source(cell) if self.host is not None else self.report.source


# ------------------------------------------------------------------ walking

def collect(paths: list[str]) -> tuple[list[str], list[FileResult]]:
    """The files to lint, in a stable order, and reports for paths that are
    missing, of an unknown type, or could not be walked."""
    files: list[str] = []
    problems: list[FileResult] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            _walk(path, files, problems)
        elif not os.path.exists(path):
            what = say("no-such-path", path=path)
            problems.append(_input_problem(path, "E900", what=what))
        elif kind_of(path) is None:
            what = say("not-a-document", path=path)
            problems.append(_input_problem(path, "E900", what=what))
        else:
            files.append(path)
    unique = []
    for f in files:
        key = os.path.normpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems


def _input_problem(where: str, code: str, **values) -> FileResult:
    diag = messages.make(code, Span(where, 1, 1, 1, 1), **values)
    if diag.is_error:
        return FileResult(driver.unreadable(where, diag))
    return FileResult(driver.Report(Source(where, ""), Program((), where), None, [diag], []))


def _walk(root: str, files: list[str], problems: list[FileResult]) -> None:
    # (directory, ignore rules, real paths of ancestors)
    stack: list[tuple[str, tuple, tuple[str, ...]]] = [(root, (), ())]
    visited: set[str] = set()
    tree = os.path.realpath(root)
    while stack:
        directory, rules, ancestors = stack.pop()
        real = os.path.realpath(directory)
        if real in ancestors:
            problems.append(_input_problem(directory, "W704", path=directory,
                                           why=say("symlink-loop-up")))
            continue
        if real in visited:
            continue                    # the same directory reached through a link
        visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(_input_problem(directory, "W704", path=directory,
                                           why=say("cannot-list", why=exc.strerror or exc)))
            continue
        rules = rules + _gitignore(directory)
        subdirs = []
        for entry in entries:
            path = os.path.join(directory, entry.name) if directory != "." else entry.name
            is_dir = _is_dir(entry)
            if _ignored(path, is_dir, rules):
                continue
            if is_dir:
                if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                    continue
            elif kind_of(entry.name) is None:
                continue
            why = _not_followed(entry, path, tree)
            if why is not None:
                problems.append(_input_problem(path, "W704", path=path, why=why))
            elif is_dir:
                subdirs.append(path)
            else:
                files.append(path)
        stack += [(d, rules, (*ancestors, real)) for d in reversed(subdirs)]


def _not_followed(entry: os.DirEntry, path: str, tree: str) -> str | None:
    """Why a directory or document met in the walk is skipped, or None: a
    symlink that is broken or leaves the tree being walked (``tree``, a real
    path), or a file that is not a regular one (a FIFO would block the read,
    a device never end)."""
    if entry.is_symlink():
        if not os.path.exists(path):
            return say("broken-symlink")
        if not _inside(os.path.realpath(path), tree):
            return say("link-out-of-tree")
    if _is_dir(entry):
        return None
    try:
        if entry.is_file():
            return None
        mode = entry.stat().st_mode
    except OSError:
        return say("broken-symlink")
    return say("skipped-special", kind=say(reading.kind_of_mode(mode)))


def _inside(path: str, tree: str) -> bool:
    try:
        return os.path.commonpath([tree, path]) == tree
    except ValueError:                            # another drive
        return False


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _gitignore(directory: str) -> tuple:
    """Simple ``.gitignore`` rules: globs, ``dir/``, ``/anchored``; no ``!``."""
    source, _ = reading.read_source(os.path.join(directory, ".gitignore"))
    if source is None:                            # none, or not a readable text file
        return ()
    rules = []
    for line in source.text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        dir_only = line.endswith("/")
        line = line.strip("/")
        anchored = "/" in line
        rules.append((directory, line.removeprefix("**/"), dir_only, anchored))
    return tuple(rules)


def _ignored(path: str, is_dir: bool, rules) -> bool:
    for base, pattern, dir_only, anchored in rules:
        if dir_only and not is_dir:
            continue
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        if fnmatch.fnmatch(rel if anchored else os.path.basename(path), pattern):
            return True
    return False


# ------------------------------------------------------------------ checking

def lint_file(path: str, *, verify: bool = True, seed: int = driver.DEFAULT_SEED,
              timeout: float | None = None) -> FileResult:
    """Read, extract, check and map back one document; never raises."""
    source, problem = driver.read_source(path)
    if source is None:
        assert problem is not None, "no source: read_source says why"
        return FileResult(driver.unreadable(path, problem))
    where = Span(path, 1, 1, 1, 1)
    try:
        ex = extract(path, source.text)
    except ValueError as exc:                     # a notebook that is not one
        return FileResult(driver.unreadable(path, messages.make("E900", where, what=f"{path}: {exc}")))
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
        diagnostics += [_in_host(ex, d) for d in report.diagnostics]
        diagnostics += _grouping_notes(ex, report, seed)
        claims = [c.moved(ex.span_map) for c in report.claims]
    kept = [d for d in diagnostics if not ex.suppressed(d)]
    kept.sort(key=_order)
    host_source = Source(path, ex.host.text)
    result = driver.Report(host_source, Program((), path), driver.Env(dims=dims), kept, claims, seed=seed)
    return FileResult(result, ex.host, [d for d in ex.verbose if not ex.suppressed(d)])


_CODE = re.compile(r"`([^`]+)`")


def _in_host(ex: Extracted, d: Diagnostic) -> Diagnostic:
    """A diagnostic of the generated text, placed in the host document (its
    fix's span too).  When it came from math, its fix's replacement is written
    in LaTeX from the fix's expression, and so is that expression where the
    hint quotes it; other quoted source in the hint is re-spelled likewise."""
    moved = d.moved(ex.span_map)
    if ex.formula_at(d.span.start) is None:
        return moved
    fix, quoted = moved.fix, {}
    if fix is not None and fix.expr is not None:
        latex = format_expr(fix.expr, "latex")
        quoted[to_source(fix.expr)] = latex
        bracketed = fix.replacement.startswith("(") and not to_source(fix.expr).startswith("(")
        fix = replace(fix, replacement=rf"\left({latex}\right)" if bracketed else latex)
    hint = moved.hint and _CODE.sub(partial(_latex_code, quoted), moved.hint)
    return replace(moved, hint=hint, fix=fix)


def _latex_code(quoted: dict, match: re.Match) -> str:
    ascii_ = match.group(1)
    if ascii_ in quoted:
        return f"`{quoted[ascii_]}`"
    expr, problems = parse_expr(ascii_)
    if expr is None or problems:
        return match.group(0)
    return f"`{format_expr(expr, 'latex')}`"


def _order(d: Diagnostic) -> tuple:
    """Document order; the grouping notes of a formula after its other diagnostics."""
    return (d.span.cell or 0, d.span.line, d.code in ("N701", "N703"), d.span.column)


def _grouping_notes(ex: Extracted, report, seed: int) -> list[Diagnostic]:
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
    work = partial(lint_file, verify=verify, seed=seed, timeout=timeout)
    jobs = min(jobs or os.cpu_count() or 1, len(files))     # no idle workers
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        return [work(f) for f in files]
    from dsl.frontends import latex_math
    latex_math.parser()                           # built once, inherited by forked workers
    driver.check_source(Source("<warm-up>", "x : 1 x 1\n"), verify=False)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(work, files, chunksize=max(1, len(files) // (jobs * 8))))
    except (OSError, RuntimeError):               # no processes here: check in this one
        return [work(f) for f in files]


# ------------------------------------------------------------------ output

def run_lint(paths: list[str], *, fmt: str = "text", strict: bool = False, verify: bool = True,
             jobs: int | None = None, verbose: bool = False, out=None,
             seed: int = driver.DEFAULT_SEED, color: bool = False, timeout: float | None = None) -> int:
    """Lint ``paths`` and write the report to ``out`` (default: the current
    ``sys.stdout``); returns the exit code."""
    out = sys.stdout if out is None else out
    if fmt not in FORMATS:
        out.write(f"chainrule lint: unknown format '{fmt}' (choose from {', '.join(FORMATS)})\n")
        return 2
    if not paths:
        out.write("chainrule lint: no paths given\n")
        return 2
    files, problems = collect(paths)
    results = problems + lint_files(files, verify=verify, seed=seed, jobs=jobs, timeout=timeout)
    if verbose:
        for r in results:
            r.report.diagnostics = sorted(r.report.diagnostics + r.skipped, key=_order)
    reports = [r.report for r in results]
    if fmt == "json":
        out.write(render.render_json(reports))
    elif fmt == "sarif":
        from dsl.render.sarif import render_sarif
        out.write(render_sarif(results))
    elif fmt == "github":
        from dsl.render.sarif import render_github
        out.write(render_github(results))
    else:
        out.write(render_lint_text(results, color=color, verbose=verbose))
    return exit_code(reports, strict)


def exit_code(reports, strict: bool) -> int:
    codes = [r.exit_code(strict) for r in reports]
    return max(codes, default=0)


def render_lint_text(results: list[FileResult], *, color: bool = False, verbose: bool = False) -> str:
    """Diagnostics with their document lines, one line per claim, a summary."""
    blocks = []
    for fr in results:
        r = fr.report
        for d in r.diagnostics:
            blocks.append(render.render_diagnostic(d, fr.source_for(d.span.cell), r.env, color))
        if r.claims:
            blocks.append("\n".join(render.claim_line(c, _where(r.source.name, c.claim.span.cell), color)
                                    for c in r.claims))
    reports = [fr.report for fr in results]
    errors, warnings = render.severity_counts(reports)
    summary = render.summary_line(reports, errors, warnings)
    skipped = sum(1 for fr in results for d in fr.skipped if d.code != "N740")   # N740: a shape inferred
    if skipped and not verbose:
        summary += f"; {skipped} formula{'s' if skipped != 1 else ''} not checked (--verbose lists them)"
    blocks.append(summary)
    return "\n\n".join(b for b in blocks if b) + "\n"


def _where(name: str, cell: int | None) -> str:
    return f"{name}:cell_{cell}" if cell is not None else name
