"""The program-level pipeline: parse -> check shapes -> verify claims, and
evaluate.  A failure inside a stage becomes an ``E901`` diagnostic, so no
input can end in a traceback and the other files are still checked."""
from __future__ import annotations

import gc
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from dsl.core import messages
from dsl.core.ast import Deriv, Program, Stmt, gc_paused
from dsl.core.diagnostics import Diagnostic
from dsl.core.kinds import LayoutKind, Status
from dsl.core.span import Source, Span
from dsl.core.verdicts import ClaimResult
from dsl.core.wording import say
from dsl.pipeline.reading import check_regular, read_source
from dsl.pipeline.report import DEFAULT_SEED, Evaluation, Report, internal_error, unreadable, whole
from dsl.shapes import checker as shapes
from dsl.shapes.checker import ClaimInfo, Env

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.compute.plan import Plan
    from dsl.verify.draws import Draws


def parse_source(source: Source) -> tuple[Program, list[Diagnostic]]:
    """The language stage alone: the statements of ``source`` and the
    diagnostics of those that do not parse (a defect is ``E901``)."""
    from dsl.language import syntax  # deferred: Lark loads on the first parse
    try:
        program, diagnostics = syntax.parse(source)
    except Exception as exc:  # noqa: BLE001  (a defect in parsing, reported as an E901 diagnostic)
        return Program((), source.name), [internal_error("parsing", exc, whole(source))]
    return program, list(diagnostics)


def check_source(source: Source, *, verify: bool = True, seed: int = DEFAULT_SEED,
                 env: Env | None = None, prior: Sequence[Stmt] = (),
                 draws: int | None = None, plan: Plan | None = None,
                 timeout: float | None = None,
                 parsed: tuple[Program, list[Diagnostic]] | None = None,
                 check_shapes: Callable[[Program, Env | None], tuple[Env, list[Diagnostic]]] | None = None,
                 ) -> Report:
    """Parse, check shapes and (unless ``verify=False``) verify every claim.

    ``env`` and ``prior`` continue an earlier check (a REPL or notebook
    session): the new statements see the names already known, and only the
    claims they add are verified, against all definitions so far; ``plan``,
    the dependency graph of ``prior`` kept by the session, is extended with
    the new statements rather than rebuilt.  Each claim has ``timeout``
    seconds (default 10); past them it is unchecked (``W501``).  ``parsed``
    is the source already parsed (``reparse``: an editor's text after an
    edit), its program and syntax diagnostics, used instead of parsing it;
    ``check_shapes`` replaces the shape checker's ``check_program`` (the
    same result, reached by checking again only what an edit changed).

    >>> r = check_source(Source("t.deriv", "x : 1 x 3\\ny = x @ x"))
    >>> [d.code for d in r.diagnostics]
    ['E300']
    """
    with collector_paused():
        program, diagnostics = parse_source(source) if parsed is None else (parsed[0], list(parsed[1]))
        known_claims = len(env.claims) if env is not None else 0
        try:
            env, shape_diags = (check_shapes or shapes.check_program)(program, env)
        except Exception as exc:  # noqa: BLE001  (a defect in shape checking, reported as an E901 diagnostic)
            env = Env() if env is None else env
            shape_diags = [internal_error("checking shapes", exc, whole(source))]
    diagnostics += shape_diags
    whole_program = Program(tuple(prior) + program.statements, source.name) if prior else program
    infos = env.claims[known_claims:]
    shared = _shared_draws(whole_program, env, seed, plan) if verify and infos else None
    claims = verify_claims(whole_program, env, verify=verify, seed=seed, draws=draws,
                           diagnostics=diagnostics, whole=whole(source),
                           claims=infos, plan=plan, timeout=timeout, shared=shared)
    if verify and any(d.is_error for d in diagnostics):
        from dsl.pipeline.derived import attach_fixes  # deferred: derivation only when a check has errors
        attach_fixes(whole_program, env, diagnostics, claims, source, seed, shared=shared)
    diagnostics.sort(key=lambda d: (d.span.line, d.span.column))
    return Report(source, program, env, diagnostics, claims, seed=seed)


FREEZE_AFTER = 50_000
"""Objects allocated while the collector was paused past which they are
frozen (``gc.freeze``) rather than left for its next pass."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parse and check with Python's cyclic garbage collector paused, as one
    block (``gc_paused`` around the parse and the check alone let a
    collection pass walk the whole new tree between them).  The tree holds no
    reference cycles; when the block allocated many objects they are moved
    to the collector's permanent generation on the way out, since its first
    pass after the pause would walk every one of them (a tenth of a
    20,000-line check) to find nothing.  Objects frozen by an earlier check
    are given back to the collector when the next one starts, so that
    nothing stays out of its reach for long."""
    collecting = gc.isenabled()
    if collecting and gc.get_freeze_count():
        gc.unfreeze()
    with gc_paused():
        try:
            yield
        finally:
            if collecting and gc.get_count()[0] > FREEZE_AFTER:
                gc.freeze()


def verify_claims(program: Program, env: Env, *, verify: bool, seed: int, draws: int | None,
                  diagnostics: list[Diagnostic], whole: Span,
                  claims: Sequence[ClaimInfo] | None = None, plan: Plan | None = None,
                  timeout: float | None = None, shared: Draws | None = None) -> list[ClaimResult]:
    """Verify ``claims`` (default: every claim of ``env``), adding their
    diagnostics to ``diagnostics`` and returning one verdict per claim
    (each within ``timeout`` seconds, default ``DEFAULT_TIMEOUT``);
    ``shared``: the draws to verify them over (:func:`_shared_draws`)."""
    infos = list(env.claims if claims is None else claims)
    if not verify:
        return [ClaimResult(ci.claim, Status.UNCHECKED, "not verified (--no-verify)", seed=seed)
                for ci in infos]
    if not infos:
        return []
    from dsl.verify import claims as verifier  # deferred: NumPy loads only when claims are verified
    try:
        results = verifier.verify_claims(program, env, seed=seed, claims=infos, plan=plan,
                                         draws=verifier.DRAWS if draws is None else draws,
                                         timeout=verifier.DEFAULT_TIMEOUT if timeout is None else timeout,
                                         shared=shared)
    except Exception as exc:  # noqa: BLE001  (a defect in verifying, reported as an E901 diagnostic)
        diagnostics.append(internal_error("verifying claims", exc, whole))
        return [ClaimResult(ci.claim, Status.UNCHECKED, "verification failed internally", seed=seed)
                for ci in infos]
    diagnostics.extend(r.diagnostic for r in results if r.diagnostic is not None)
    return results


def _shared_draws(program: Program, env: Env, seed: int, plan: Plan | None) -> Draws | None:
    """The draws of a check's verification, kept for the derived fixes: their
    true derivatives, computed and cross-checked once, verify the derived
    right sides too (None when they cannot be made: the verification then
    makes its own and reports why)."""
    from dsl.verify import claims as verifier  # deferred: NumPy loads only when claims are verified
    try:
        return verifier.draws_for(program, env, seed=seed, plan=plan)
    except Exception:  # noqa: BLE001  (the verification itself reports the defect, as E901)
        return None


def plan_of(program: Program) -> Plan:
    """The dependency graph of ``program``'s definitions, built once for
    ``verify_claims(plan=...)`` when the claims are verified a few at a time
    (a language server between two edits); without it each call builds its own."""
    from dsl.compute.plan import Plan  # deferred: NumPy loads only when claims are verified
    return Plan(program.statements)


def verify_claim_text(program_text: str, claim_text: str, seed: int = DEFAULT_SEED) -> ClaimResult:
    """Verify one claim, given as text, against a program's definitions.

    >>> r = verify_claim_text("dims n\\nx : 1 x n\\nL = sum(x * x)", "dL/dx = -2 * x")
    >>> r.status, r.detail
    (<Status.WRONG: 'wrong'>, 'the sign is flipped')
    >>> verify_claim_text("dims n\\nx : 1 x n\\nL = sum(x * x)", "dL/dx = x").detail
    'off by a factor of 1/2'

    Raises ``ValueError`` (with the diagnostics' messages) if the claim does
    not parse as a claim.
    """
    program_text = program_text.rstrip("\n")
    claim_line = program_text.count("\n") + 2
    source = Source("<claim>", f"{program_text}\n{claim_text.strip()}\n")
    report = check_source(source, verify=False, seed=seed)
    assert report.env is not None      # check_source always returns an environment
    infos = [ci for ci in report.env.claims if ci.claim.span.line == claim_line]
    if not infos:
        errors = [d.message for d in report.diagnostics if d.is_error and d.span.line == claim_line]
        raise ValueError("; ".join(errors) or f"not a claim 'dA/dB = expression': {claim_text!r}")
    found: list[Diagnostic] = []
    results = verify_claims(report.program, report.env, verify=True, seed=seed, draws=None,
                            diagnostics=found, whole=whole(source), claims=infos[-1:])
    return results[0]


_HOST_DOCUMENTS = {".md": "a Markdown", ".markdown": "a Markdown", ".tex": "a LaTeX",
                   ".ipynb": "a notebook"}


def check_file(path: str, *, verify: bool = True, seed: int = DEFAULT_SEED,
               draws: int | None = None, timeout: float | None = None,
               layout: LayoutKind | None = None, source: Source | None = None) -> Report:
    """``check_source`` on a file; unreadable files give an input-error report,
    and so do documents that hold derivations (those are for ``lint``).
    ``layout`` is the derivative layout unless the file says otherwise (a
    project's configured default); ``source`` is the file's text when it has
    already been read (standard input)."""
    kind = _HOST_DOCUMENTS.get(os.path.splitext(path)[1].lower())
    if kind is not None:
        return unreadable(path, messages.make(
            "E900", Span(path, 1, 1, 1, 1), what=say("host-document", path=path, kind=kind),
            hint=say("host-document-hint", path=path)))
    if source is None:
        source, problem = read_source(path)
        if source is None:
            assert problem is not None
            return unreadable(path, problem)
    env = Env(layout=layout) if layout is not None else None
    return check_source(source, verify=verify, seed=seed, draws=draws, timeout=timeout, env=env)


# --------------------------------------------------------------- evaluating

def evaluate_source(source: Source, *, data: Mapping[str, np.ndarray] | None = None,
                    seed: int = DEFAULT_SEED, budget: int | None = None,
                    allow_errors: bool = False) -> Evaluation:
    """Check, then evaluate every definition on given or drawn inputs.

    ``data`` maps input names to arrays (e.g. from ``load_npz``); missing
    inputs are drawn from their declarations with ``seed``.  Sizes come from
    the arrays, then from ``dims`` values, then are drawn.  With
    ``allow_errors`` the definitions that checked cleanly are evaluated even
    when others have errors (the REPL's view of a partly broken session).
    """
    import numpy as np  # here, not at the top: checking without evaluating never loads NumPy

    from dsl.compute import evaluate, inputs as datamod  # deferred: NumPy loads only when a program is evaluated

    report = _checked(source, seed)
    diags: list[Diagnostic] = []
    env = report.env
    if env is None or (report.has_errors and not allow_errors):
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
    except Exception as exc:  # noqa: BLE001  (a defect in evaluating, reported as an E901 diagnostic)
        diags.append(internal_error("evaluating", exc, whole(source)))
        return Evaluation(report, {}, {}, diags)
    return Evaluation(report, values, sizes, diags)


_CHECKED: OrderedDict[tuple[str, str, int], Report] = OrderedDict()
CHECKED_KEPT = 16
"""Checked sources :func:`evaluate_source` keeps, so that evaluating the same
text again (a notebook cell run again, the REPL's ``:eval``, a loop over
data sets) does not parse and check it again."""
CHECKED_MAX_TEXT = 200_000
"""Characters past which a source is not kept (its tree would outweigh the saving)."""


def _checked(source: Source, seed: int) -> Report:
    """``check_source(source, verify=False)``, from the cache when the same
    text (and name, and seed) was checked before.  The report handed out is
    a copy: its lists may be changed without changing the cache; the
    program and environment are shared, and nothing downstream changes them."""
    key = (source.name, source.text, seed)
    report = _CHECKED.get(key)
    if report is None:
        report = check_source(source, verify=False, seed=seed)
        if len(source.text) <= CHECKED_MAX_TEXT:
            _CHECKED[key] = report
            while len(_CHECKED) > CHECKED_KEPT:
                _CHECKED.popitem(last=False)
    else:
        _CHECKED.move_to_end(key)
    return replace(report, diagnostics=list(report.diagnostics), claims=list(report.claims))


def true_derivatives(report: Report, inputs: Mapping[str, np.ndarray],
                     sizes: Mapping[str, int]) -> Callable[[Deriv], np.ndarray]:
    """The value of a ``dA/dB`` term met while evaluating: the true derivative."""
    def deriv(node: Deriv) -> np.ndarray:
        from dsl.compute import autodiff  # deferred: NumPy loads only for gradients
        return autodiff.derivative(report.program, report.env, inputs, sizes,
                                   node.num.id, node.den.id)
    return deriv


def load_npz(path: str, *, budget: int | None = None) -> tuple[dict[str, np.ndarray], list[Diagnostic]]:
    """Named float64 arrays from an ``.npz`` archive, read without pickle,
    for ``evaluate_source(data=...)``; every failure is a diagnostic.  Like
    a source, the archive must be a regular file (a FIFO would block the
    reader), and no larger than the memory budget (default 4 GiB)."""
    from dsl.compute import inputs as datamod  # deferred: NumPy loads only when data are read
    problem = check_regular(path, budget or datamod.DEFAULT_MEMORY_BUDGET)
    if problem is not None:
        return {}, [problem]
    return datamod.load_npz(path, budget=budget)
