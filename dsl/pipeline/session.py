"""A growing derivation checked piece by piece (REPL entries, notebook
cells): names, sizes and definitions persist between pieces.  Its seed,
timeout and switches are held to the rules of the command line's options
(``core.options``): a wrong one is a ``TypeError`` or ``ValueError``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dsl.core import options
from dsl.core.ast import Program, Stmt
from dsl.core.span import Source
from dsl.core.verdicts import DEFAULT_TIMEOUT
from dsl.pipeline.program import check_source, evaluate_source
from dsl.pipeline.report import DEFAULT_SEED, Evaluation, Report
from dsl.shapes.checker import Env

if TYPE_CHECKING:
    import numpy as np  # annotations only: NumPy loads when a value is computed

    from dsl.compute.plan import Plan


class Session:
    """The statements fed so far, their environment and sources.

    >>> s = Session(verify=False)
    >>> _ = s.feed("dims n\\nx : 1 x n")
    >>> [d.code for d in s.feed("a = x @ x").diagnostics], list(s.env.names)
    (['E300'], ['x', 'a'])
    """

    def __init__(self, seed: int = DEFAULT_SEED, verify: bool = True, timeout: float | None = None):
        args = options.arguments("Session", seed=seed, verify=verify, timeout=timeout)   # the API's rules
        self.seed: int = args["seed"]  # type: ignore[assignment]
        self.verify: bool = args["verify"]  # type: ignore[assignment]
        self.timeout: float = DEFAULT_TIMEOUT if timeout is None else args["timeout"]  # type: ignore[assignment]
        self.env: Env | None = None
        self.statements: tuple[Stmt, ...] = ()
        self.sources: list[Source] = []
        self.plan: Plan | None = None   # who reads whom, grown with the statements

    def feed(self, text: str, name: str = "<repl>", keep_on_error: bool = True) -> Report:
        """Check ``text`` as the next piece of the session.  With
        ``keep_on_error=False`` a piece with errors leaves the session as it
        was, so the corrected piece can be entered again."""
        from dsl.compute.plan import Plan  # deferred: NumPy loads only when claims are verified
        options.arguments("feed", text=text, name=name, keep_on_error=keep_on_error)
        source = Source(name, text)
        if self.plan is None:
            self.plan = Plan(self.statements)
        saved = self.env.copy() if self.env is not None and not keep_on_error else self.env
        report = check_source(source, verify=self.verify, seed=self.seed, env=self.env,
                              prior=self.statements, plan=self.plan, timeout=self.timeout)
        if report.has_errors and not keep_on_error:
            self.env = saved
            if self.plan.seen > len(self.statements):    # it took in the rejected piece
                self.plan = None
            return report
        self.env = report.env
        self.statements = self.statements + report.program.statements
        self.sources.append(source)
        return report

    def evaluate(self, data: Mapping[str, np.ndarray] | None = None) -> Evaluation | None:
        """Every definition so far evaluated on ``data`` (the inputs it does
        not give drawn with the session's seed), those with errors skipped;
        None while the session is empty."""
        options.arguments("evaluate", data=data)
        if not self.sources:
            return None
        text = "\n".join(s.text.rstrip("\n") for s in self.sources)
        return evaluate_source(Source("<session>", text), data=data, seed=self.seed,
                               allow_errors=True)

    @property
    def program(self) -> Program:
        return Program(self.statements, "<session>")

    def reset(self) -> None:
        self.env = None
        self.statements = ()
        self.sources = []
        self.plan = None
