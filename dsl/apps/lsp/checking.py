"""When documents are checked: debounced, in two phases, cancellable.

Contract: :class:`Checker` keeps the last good :class:`Analysis` of every
open document and publishes its diagnostics.  An edit schedules a check
after ``debounce`` seconds of quiet (an open or a save checks at once); a
newer edit cancels the scheduled one.  The check itself is syntax and
shapes, published as soon as it is done; then the claims are verified one
by few in a worker thread (:data:`CHUNK`), and the diagnostics are published
again with their verdicts.  A newer edit stops that sequence between two
steps and drops what it found.  A failure while checking is logged in
words (never its exception's text or traceback), once until a check of the
document succeeds again, and the last good diagnostics stay.  Only the
documents ``text_of`` knows are checked: it answers None for any other.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from dsl import pipeline as driver
from dsl.apps.lsp.analysis import Analysis, analyse, claim_count, verify_claims
from dsl.core.diagnostics import Diagnostic
from dsl.core.wording import say

DEBOUNCE = 0.15
"""Seconds of quiet after an edit before the document is checked."""
CHUNK = 32
"""Claims verified at most in one step (1, 2, 4, ... up to this): a newer
edit waits for at most one step, and a large file is verified at nearly the
speed of one whole ``check``."""


@dataclass
class Options:
    debounce: float = DEBOUNCE
    verify: bool = True
    encoding: str = "utf-16"      # the position encoding negotiated with the client


@dataclass
class _State:
    generation: int = 0
    task: asyncio.Task | None = None
    analysis: Analysis | None = None
    claim_diagnostics: list[Diagnostic] = field(default_factory=list)


Publish = Callable[[str, Analysis, list[Diagnostic]], None]
Log = Callable[[str], None]
TextOf = Callable[[str], tuple[str, str, int | None] | None]     # uri -> (path, text, version), None if not open


class Checker:
    """The open documents' analyses and the checks scheduled for them."""

    def __init__(self, text_of: TextOf, publish: Publish, log: Log, options: Options | None = None):
        self.text_of = text_of
        self.publish = publish
        self.log = log
        self.options = options or Options()
        self.states: dict[str, _State] = {}
        self.reported: set[tuple[str, str]] = set()       # (uri, stage) of the defects logged
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainrule-verify")

    def analysis(self, uri: str) -> Analysis | None:
        """The last good analysis of ``uri`` (None before the first)."""
        state = self.states.get(uri)
        return None if state is None else state.analysis

    def current(self, uri: str) -> Analysis | None:
        """The analysis of ``uri`` as its text is now: the last one if the
        text has not changed since, else a fresh check of syntax and shapes
        (a request that arrives inside the debounce sees the text it is about)."""
        state = self.states.get(uri)
        last = None if state is None else state.analysis
        known = self.text_of(uri)
        if known is None:
            return None                  # not open (or too large to check): nothing to answer from
        path, text, _version = known
        if last is not None and last.text == text:
            return last
        try:
            return analyse(path, text, last, self.options.encoding)
        except Exception:  # noqa: BLE001  (a defect while checking is logged; the last analysis stays)
            self.report_defect(uri)
            return last

    def changed(self, uri: str, at_once: bool = False) -> None:
        """The document changed (or was opened or saved): check it again."""
        state = self.states.setdefault(uri, _State())
        state.generation += 1
        if state.task is not None:
            state.task.cancel()
        delay = 0.0 if at_once else self.options.debounce
        state.task = asyncio.get_running_loop().create_task(self._run(uri, state, state.generation, delay))

    def closed(self, uri: str) -> None:
        """The document was closed: its checks stop and publish nothing more."""
        state = self.states.pop(uri, None)
        self._forget_reports(uri)
        if state is not None:
            state.generation += 1
            if state.task is not None:
                state.task.cancel()

    def shutdown(self) -> None:
        for state in self.states.values():
            if state.task is not None:
                state.task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, uri: str, state: _State, generation: int, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        known = self.text_of(uri)
        if known is None:
            return                       # closed, or too large to check, since it was scheduled
        path, text, version = known
        try:
            analysis = analyse(path, text, state.analysis, self.options.encoding)
            analysis.version = version
        except Exception:  # noqa: BLE001  (a defect while checking is logged; the last diagnostics stay)
            self.report_defect(uri)
            return
        if generation != state.generation:
            return
        self._forget_reports(uri)
        state.analysis = analysis
        state.claim_diagnostics = []
        self.publish(uri, analysis, analysis.diagnostics)
        if self.options.verify and claim_count(analysis):
            await self._verify(uri, state, generation, analysis)

    async def _verify(self, uri: str, state: _State, generation: int, analysis: Analysis) -> None:
        loop = asyncio.get_running_loop()
        claims, found = list(analysis.claims), []
        total, first, size = claim_count(analysis), 0, 1
        try:
            plan = await loop.run_in_executor(self.pool, driver.plan_of, analysis.report.program)
            while first < total:
                if generation != state.generation:
                    return                       # a newer edit: its own check runs
                stop = min(total, first + size)
                results, diags = await loop.run_in_executor(self.pool, verify_claims, analysis, first, stop, plan)
                claims[first:stop] = results
                found += diags
                first, size = stop, min(size * 2, CHUNK)
        except Exception:  # noqa: BLE001  (a defect while verifying is logged; the shape diagnostics stay)
            self.report_defect(uri, "lsp-stage-verify")
            return
        if generation != state.generation:
            return
        analysis.claims = claims
        analysis.verified = True
        everything = sorted(analysis.diagnostics + found, key=lambda d: (d.span.line, d.span.column))
        analysis.diagnostics = everything
        self.publish(uri, analysis, everything)

    def _forget_reports(self, uri: str) -> None:
        self.reported = {(u, stage) for u, stage in self.reported if u != uri}

    def report_defect(self, uri: str, stage: str = "lsp-stage-check", method: str | None = None) -> None:
        """Log, in words and once until the document is checked again, a
        failure met while checking ``uri`` (``stage``: a wording key) or
        answering ``method`` for it."""
        key = (uri, method or stage)
        if key in self.reported:
            return
        self.reported.add(key)
        if method is not None:
            self.log(say("lsp-request-defect", method=method, uri=uri))
        else:
            self.log(say("lsp-defect", stage=say(stage), uri=uri))
