"""The pipeline, once: read -> parse -> check shapes -> verify claims -> (evaluate).

Every front end (the command line, the REPL, the notebook magic, the linter,
the Python API) calls these functions; none of them strings the passes
together itself.  A failure inside a pass becomes an ``E901`` diagnostic, so
no input can end in a traceback and the other files are still checked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from dsl.core import messages
from dsl.core.ast import Claim, Program, gc_paused
from dsl.core.diagnostics import Diagnostic, Severity
from dsl.core.span import Source, Span

DEFAULT_SEED = 0


@dataclass(frozen=True)
class ClaimVerdict:
    """What the driver reports for one claim (``verify.ClaimResult`` or a
    stand-in when verification did not run)."""

    claim: Claim
    status: str          # "verified" | "wrong" | "unchecked"
    detail: str


@dataclass
class Report:
    """Everything known about one source after checking it."""

    source: Source
    program: Program
    env: object                        # shapes.Env
    diagnostics: list[Diagnostic]
    claims: list = field(default_factory=list)   # ClaimResult-like: .claim .status .detail
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


def internal_error(stage: str, exc: BaseException, span: Span) -> Diagnostic:
    return messages.make("E901", span, stage=stage, what=f"{type(exc).__name__}: {exc}")


def _whole(source: Source) -> Span:
    return source.span(0, 0)


# ------------------------------------------------------------------ reading

def read_source(path: str) -> tuple[Source | None, Diagnostic | None]:
    """Read a file as UTF-8 text; every way this can fail is a diagnostic."""
    where = Span(path, 1, 1, 1, 1)
    try:
        if os.path.isdir(path):
            return None, messages.make("E900", where, what=f"{path} is a directory, not a file")
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None, messages.make("E900", where, what=f"{path}: no such file")
    except OSError as exc:
        return None, messages.make("E900", where, what=f"{path}: cannot read ({exc.strerror or exc})")
    return decode_source(path, raw)


def decode_source(name: str, raw: bytes) -> tuple[Source | None, Diagnostic | None]:
    """Bytes to a Source: refuses binary data and text that is not UTF-8."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, messages.make("E900", Span(name, line, 1, line, 1),
                                   what=f"{name} looks like a binary file (NUL byte on line {line})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, messages.make(
            "E900", Span(name, line, col, line, col + 1),
            what=f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}, column {col})")
    return Source(name, text), None


def unreadable(name: str, diag: Diagnostic) -> Report:
    """The report for a file that could not be read."""
    return Report(Source(name, ""), Program((), name), None, [diag], [], input_error=True)


# ----------------------------------------------------------------- checking

def check_source(source: Source, *, verify: bool = True, seed: int = DEFAULT_SEED,
                 env=None, prior: tuple = (), draws: int | None = None) -> Report:
    """Parse, check shapes and (unless ``verify=False``) verify every claim.

    ``env`` and ``prior`` continue an earlier check (a REPL or notebook
    session): the new statements see the names already known, and only the
    claims they add are verified, against all definitions so far.

    >>> r = check_source(Source("t.deriv", "x : 1 x 3\\ny = x @ x"))
    >>> [d.code for d in r.diagnostics]
    ['E300']
    """
    from dsl.shapes import checker as shapes
    from dsl.language import syntax

    diagnostics: list[Diagnostic] = []
    try:
        program, parse_diags = syntax.parse(source)
    except Exception as exc:  # a defect, reported as data
        program, parse_diags = Program((), source.name), [internal_error("parsing", exc, _whole(source))]
    diagnostics += parse_diags
    known_claims = len(env.claims) if env is not None else 0
    try:
        with gc_paused():
            env, shape_diags = shapes.check_program(program, env)
    except Exception as exc:
        env, shape_diags = shapes.Env() if env is None else env, [internal_error("checking shapes", exc, _whole(source))]
    diagnostics += shape_diags
    whole_program = Program(tuple(prior) + program.statements, source.name) if prior else program
    claims = verify_claims(whole_program, env, verify=verify, seed=seed, draws=draws,
                           diagnostics=diagnostics, whole=_whole(source),
                           claims=env.claims[known_claims:])
    diagnostics.sort(key=lambda d: (d.span.line, d.span.column))
    return Report(source, program, env, diagnostics, claims, seed=seed)


def verify_claims(program: Program, env, *, verify: bool, seed: int, draws: int | None,
                  diagnostics: list[Diagnostic], whole: Span, claims=None) -> list:
    """Verify ``claims`` (default: every claim of ``env``), adding their
    diagnostics to ``diagnostics`` and returning one verdict per claim."""
    infos = list(env.claims if claims is None else claims)
    if not verify:
        return [ClaimVerdict(ci.claim, "unchecked", "not verified (--no-verify)") for ci in infos]
    if not infos:
        return []
    from dsl.verify import claims as verifier
    try:
        kwargs = {"seed": seed, "claims": infos}
        if draws is not None:
            kwargs["draws"] = draws
        results = verifier.verify_claims(program, env, **kwargs)
    except Exception as exc:
        diagnostics.append(internal_error("verifying claims", exc, whole))
        return [ClaimVerdict(ci.claim, "unchecked", "verification failed internally") for ci in infos]
    diagnostics.extend(r.diagnostic for r in results if r.diagnostic is not None)
    return results


def verify_claim_text(program_text: str, claim_text: str, seed: int = DEFAULT_SEED):
    """Verify one claim, given as text, against a program's definitions.

    >>> r = verify_claim_text("dims n\\nx : 1 x n\\nL = sum(x * x)", "dL/dx = -2 * x")
    >>> r.status, r.detail
    ('wrong', 'the sign is flipped')
    >>> verify_claim_text("dims n\\nx : 1 x n\\nL = sum(x * x)", "dL/dx = x").detail
    'off by a factor of 1/2'

    Raises ``ValueError`` (with the diagnostics' messages) if the claim does
    not parse as a claim.
    """
    from dsl.verify import claims as verifier

    program_text = program_text.rstrip("\n")
    claim_line = program_text.count("\n") + 2
    source = Source("<claim>", f"{program_text}\n{claim_text.strip()}\n")
    report = check_source(source, verify=False, seed=seed)
    infos = [ci for ci in report.env.claims if ci.claim.span.line == claim_line]
    if not infos:
        errors = [d.message for d in report.diagnostics if d.is_error and d.span.line == claim_line]
        raise ValueError("; ".join(errors) or f"not a claim 'dA/dB = expression': {claim_text!r}")
    return verifier.verify_claims(report.program, report.env, seed=seed, claims=infos[-1:])[0]


_HOST_DOCUMENTS = {".md": "a Markdown", ".markdown": "a Markdown", ".tex": "a LaTeX",
                   ".ipynb": "a notebook"}


def check_file(path: str, **options) -> Report:
    """``check_source`` on a file; unreadable files give an input-error report,
    and so do documents that hold derivations (those are for ``lint``)."""
    kind = _HOST_DOCUMENTS.get(os.path.splitext(path)[1].lower())
    if kind is not None:
        return unreadable(path, messages.make(
            "E900", Span(path, 1, 1, 1, 1), what=f"{path} is {kind} file, not a derivation",
            hint=f"check the derivations inside it with: chainrule lint {path}"))
    source, problem = read_source(path)
    if source is None:
        return unreadable(path, problem)
    return check_source(source, **options)


# --------------------------------------------------------------- evaluating

@dataclass
class Evaluation:
    report: Report
    values: dict
    sizes: dict
    diagnostics: list[Diagnostic]

    def exit_code(self) -> int:
        if self.report.input_error:
            return 2
        return 1 if any(d.is_error for d in self.report.diagnostics + self.diagnostics) else 0


def evaluate_source(source: Source, *, data: Mapping | None = None, seed: int = DEFAULT_SEED,
                    budget: int | None = None, allow_errors: bool = False) -> Evaluation:
    """Check, then evaluate every definition on given or drawn inputs.

    ``data`` maps input names to arrays (e.g. from ``load_npz``); missing
    inputs are drawn from their declarations with ``seed``.  Sizes come from
    the arrays, then from ``dims`` values, then are drawn.  With
    ``allow_errors`` the definitions that checked cleanly are evaluated even
    when others have errors (the REPL's view of a partly broken session).
    """
    import numpy as np

    from dsl.compute import inputs as datamod
    from dsl.compute import evaluate

    report = check_source(source, verify=False, seed=seed)
    diags: list[Diagnostic] = []
    env = report.env
    if report.has_errors and not allow_errors:
        return Evaluation(report, {}, {}, diags)
    try:
        arrays = dict(data or {})
        given_sizes, size_diags = datamod.sizes_from_arrays(env, arrays)
        diags += size_diags
        if any(d.is_error for d in size_diags):
            return Evaluation(report, {}, {}, diags)
        rng = np.random.default_rng(seed)
        dims = {name: given_sizes.get(name, value) for name, value in env.dims.items()}
        sizes = datamod.concrete_sizes(dims, rng)
        over = datamod.check_budget(env, sizes, budget or datamod.DEFAULT_MEMORY_BUDGET)
        diags += over
        if over:
            return Evaluation(report, {}, sizes, diags)
        inputs = datamod.draw_inputs(env, sizes, rng, given=arrays, budget=budget)
        inputs.update(arrays)
        values, eval_diags = evaluate.evaluate_program(report.program, env, inputs, sizes,
                                                      deriv=true_derivatives(report, inputs, sizes), budget=budget)
        diags += eval_diags
    except Exception as exc:
        diags.append(internal_error("evaluating", exc, _whole(source)))
        return Evaluation(report, {}, {}, diags)
    return Evaluation(report, values, sizes, diags)


def true_derivatives(report: Report, inputs, sizes):
    """The value of a ``dA/dB`` term met while evaluating: the true derivative."""
    def deriv(node):
        from dsl.compute import autodiff
        return autodiff.derivative(report.program, report.env, inputs, sizes,
                                   node.num.id, node.den.id)
    return deriv


class Session:
    """A growing derivation checked piece by piece (REPL lines, notebook
    cells): names, sizes and definitions persist between pieces."""

    def __init__(self, seed: int = DEFAULT_SEED, verify: bool = True):
        self.seed = seed
        self.verify = verify
        self.env = None
        self.statements: tuple = ()
        self.sources: list[Source] = []

    def feed(self, text: str, name: str = "<repl>", keep_on_error: bool = True) -> Report:
        """Check ``text`` as the next piece of the session.  With
        ``keep_on_error=False`` a piece with errors leaves the session as it
        was, so the corrected piece can be entered again."""
        source = Source(name, text)
        saved = self.env.copy() if self.env is not None and not keep_on_error else self.env
        report = check_source(source, verify=self.verify, seed=self.seed, env=self.env,
                              prior=self.statements)
        if report.has_errors and not keep_on_error:
            self.env = saved
            return report
        self.env = report.env
        self.statements = self.statements + report.program.statements
        self.sources.append(source)
        return report

    @property
    def program(self) -> Program:
        return Program(self.statements, "<session>")

    def reset(self) -> None:
        self.env = None
        self.statements = ()
        self.sources = []
