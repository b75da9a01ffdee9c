"""Notebook magics, registered by ``%load_ext dsl``.

``%%deriv [--reset] [--no-verify] [--no-raise] [--seed N] [--timeout SECONDS]``
    The cell is a derivation.  Cells share one ``pipeline.Session`` per kernel,
    like REPL entries: a later cell sees the names of earlier ones.  Running
    a cell again replaces its earlier run (as does any cell that declares or
    defines the same names), so re-running an edited cell never reports a
    redefinition.  The result shows the diagnostics, a table of the names the
    cell introduced with their shapes, and the claim verdicts: coloured HTML
    in Jupyter, text elsewhere.  ``--seed`` sets the session's seed from this
    cell on; ``--timeout`` is the time budget of each claim of this cell, as
    in ``chainrule check --timeout`` (default 10 s).  A cell with errors
    shows its report, then raises a one-line ``DerivationError`` (no
    traceback), so "run all" stops and a notebook run in CI fails;
    ``--no-raise`` shows the report only.

``%derive Y X [--steps] [--to NOTATION]``
    The symbolic derivative ``dY/dX`` from the definitions of the cells run
    so far, verified before it is shown (as ``chainrule derive``); returns
    the derivation (its ``expr``, ``text``, ``assumptions`` and ``steps``).

``%deriv [--no-raise] EXPR``
    Checks EXPR with the notebook's own NumPy arrays as bindings (shapes
    taken from the arrays; a 1-d array is a row vector) and, when it checks,
    returns its value.  This is where ``*`` written for ``@`` shows on real
    data.

Without IPython, the same as a cell ``%%deriv --no-verify``:

>>> run_cell(NotebookSession(), "--no-verify", "x : 1 x 3\\na = x @ x.T").names
[('x', 'input', '1 x 3'), ('a', 'defined', '1 x 1')]
"""
from __future__ import annotations

import html
import shlex
from argparse import ArgumentTypeError
from typing import cast

from dsl import pipeline as driver
from dsl.apps import options
from dsl.core.ast import Decl, Define, Dims, Layout
from dsl.core.span import Source
from dsl.core.wording import say
from dsl.render import text as render

CELL_NAME = "<cell>"
EXPR_NAME = "<deriv>"
_CELL_OPTIONS = "--reset, --no-verify, --no-raise, --seed N, --timeout SECONDS"
# options with a value: the function that validates it (apps.options) and what it is, for a missing value
_VALUED = {"--seed": (options.seed, lambda: say("what-seed", top=options.SEED_MAX)),
           "--timeout": (options.seconds, lambda: say("what-seconds"))}
_VERDICT_COLOURS = {"verified": "#1b7f3b", "wrong": "#c62828", "unchecked": "#a66300"}
_SEVERITY_COLOURS = {"error": "#c62828", "warning": "#a66300", "note": "#1565c0"}


# ----------------------------------------------------------------- cells

class NotebookSession:
    """The kernel's derivation: cells in the order they stand, one Session."""

    def __init__(self, seed: int = driver.DEFAULT_SEED):
        self.session = driver.Session(seed=seed)
        self.cells: list[tuple[str, frozenset]] = []   # (text, names it introduces)

    def run(self, text: str, *, verify: bool = True, name: str = CELL_NAME):
        """Check ``text`` as a cell; an earlier run of it (same text, or the
        same names introduced) is replaced in place."""
        program, _ = driver.parse_source(Source(name, text))
        introduced = _introduced(program.statements)
        stale = [i for i, (t, names) in enumerate(self.cells) if t == text or names & introduced]
        if not stale:
            self.cells.append((text, introduced))
            return self._feed(text, name, verify)
        at = stale[0]
        kept = [c for i, c in enumerate(self.cells) if i not in stale]
        self.cells = [*kept[:at], (text, introduced), *kept[at:]]
        self.session.reset()
        for t, _ in self.cells[:at]:
            self._feed(t, name, verify=False)
        report = self._feed(text, name, verify)
        for t, _ in self.cells[at + 1:]:
            self._feed(t, name, verify=False)
        return report

    def _feed(self, text: str, name: str, verify: bool):
        saved, self.session.verify = self.session.verify, verify
        try:
            return self.session.feed(text, name=name)
        finally:
            self.session.verify = saved

    def reset(self) -> None:
        self.session.reset()
        self.cells = []


def _introduced(statements) -> frozenset:
    names: set[str] = set()
    for stmt in statements:
        match stmt:
            case Dims(items=items):
                names.update(f"dims {i.name}" for i in items)
            case Decl(name=n) | Define(name=n):
                names.add(n)
            case Layout():
                names.add("layout")
    return frozenset(names)


class CellResult:
    """What a ``%%deriv`` cell shows: text (``repr``) and HTML."""

    def __init__(self, report, names: list[tuple[str, str, str]]):
        self.report = report
        self.names = names          # (name, kind, shape) for what the cell introduced
        self.no_raise = False       # --no-raise: shown, never raised

    @property
    def ok(self) -> bool:
        return not self.report.has_errors

    def __repr__(self) -> str:
        parts = []
        if self.report.diagnostics or self.report.claims:
            parts.append(render.render_text([self.report], summary=False).strip("\n"))
        parts += [f"{n} : {shape}" for n, kind, shape in self.names]
        return "\n".join(parts) if parts else "(nothing to check)"

    def _repr_html_(self) -> str:
        out = ['<div class="chainrule">']
        if self.report.diagnostics:
            out.append(_diagnostics_html(self.report.diagnostics, self.report.source, self.report.env))
        if self.names:
            out.append('<table><thead><tr><th style="text-align:left">name</th>'
                       '<th style="text-align:left">kind</th><th style="text-align:left">shape</th>'
                       '</tr></thead><tbody>')
            out += [f"<tr><td><code>{_e(n)}</code></td><td>{_e(k)}</td><td><code>{_e(s)}</code></td></tr>"
                    for n, k, s in self.names]
            out.append("</tbody></table>")
        if self.report.claims:
            out.append('<table><thead><tr><th style="text-align:left">claim</th>'
                       '<th style="text-align:left">verdict</th></tr></thead><tbody>')
            for c in self.report.claims:
                claim = c.claim.deriv.text
                colour = _VERDICT_COLOURS.get(c.status, "inherit")
                detail = f" ({_e(c.detail)})" if c.detail else ""
                out.append(f'<tr><td><code>{_e(claim)}</code></td><td><span class="verdict-{_e(c.status)}" '
                           f'style="color:{colour};font-weight:bold">{_e(c.status)}</span>{detail}</td></tr>')
            out.append("</tbody></table>")
        if len(out) == 1:
            out.append("<em>nothing to check</em>")
        out.append("</div>")
        return "\n".join(out)


def _diagnostics_html(diags, source, env) -> str:
    blocks = []
    for d in diags:
        text = render.render_diagnostic(d, source, env, color=False)
        head, _, rest = text.partition("\n")
        colour = _SEVERITY_COLOURS.get(d.severity.value, "inherit")
        blocks.append(f'<span style="color:{colour};font-weight:bold">{_e(head)}</span>\n{_e(rest)}')
    return "<pre>" + "\n\n".join(blocks) + "</pre>"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def run_cell(nb: NotebookSession, line: str, cell: str) -> CellResult:
    """``%%deriv`` with options ``line`` on ``cell``."""
    try:
        args = shlex.split(line)
    except ValueError as exc:
        raise UsageError("%%deriv: " + say("option-unreadable", why=exc)) from None
    verify, reset, no_raise = True, False, False
    values: dict[str, object] = {}
    while args:
        opt = args.pop(0)
        name = opt.partition("=")[0]
        if opt == "--reset":
            reset = True
        elif opt == "--no-raise":
            no_raise = True
        elif opt == "--no-verify":
            verify = False
        elif name in _VALUED:
            check, what = _VALUED[name]
            value = opt.partition("=")[2] if "=" in opt else (args.pop(0) if args else None)
            if not value:
                raise UsageError("%%deriv: " + say("option-needs-value", option=name, what=what()))
            try:
                values[name] = check(value)
            except ArgumentTypeError as exc:
                raise UsageError("%%deriv: " + say("option-bad-value", option=name, why=exc)) from None
        else:
            raise UsageError("%%deriv: " + say("option-unknown", option=opt, options=_CELL_OPTIONS))
    if reset:                   # only once every option is known good
        nb.reset()
    if "--seed" in values:
        nb.session.seed = cast(int, values["--seed"])
    saved = nb.session.timeout
    if "--timeout" in values:
        nb.session.timeout = cast(float, values["--timeout"])
    try:
        report = nb.run(cell, verify=verify)
    finally:
        nb.session.timeout = saved
    env = report.env
    names = []
    for stmt in report.program.statements:
        if isinstance(stmt, (Decl, Define)) and env is not None and stmt.name in env.names:
            info = env.names[stmt.name]
            names.append((stmt.name, info.kind.value, _shape(info.shape)))
    result = CellResult(report, names)
    result.no_raise = no_raise
    return result


def _shape(shape) -> str:
    from dsl.core.dims import fmt  # deferred: start-up
    return fmt(shape)


class UsageError(ValueError):
    """A bad option on the magic line (shown by IPython as a one-line error)."""


class DerivationError(Exception):
    """Raised after the report of a cell or expression with errors is shown,
    so that "run all" stops there and a notebook run in CI (nbclient, nbval)
    fails.  IPython shows it as one line, without a traceback
    (``_render_traceback_``); ``--no-raise`` keeps the cell from raising."""

    def _render_traceback_(self) -> list[str]:
        return [f"DerivationError: {self}"]


def failure(result) -> DerivationError | None:
    """The error to raise after showing ``result`` (a cell's or an expression's), or None."""
    diagnostics = list(getattr(getattr(result, "report", None), "diagnostics", None) or [])
    diagnostics += list(getattr(result, "diagnostics", None) or [])
    errors = [d for d in diagnostics if d.is_error]
    if not errors and getattr(result, "ok", True):
        return None
    if not errors:
        return DerivationError("the expression could not be checked")
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return DerivationError(f"{first.code} on line {first.span.line}: {first.message}{more}")


# -------------------------------------------------------------- %deriv EXPR

class ExprResult:
    """What ``%derive Y X [--steps] [--to NOTATION]``
    The symbolic derivative ``dY/dX`` from the definitions of the cells run
    so far, verified before it is shown (as ``chainrule derive``); returns
    the derivation (its ``expr``, ``text``, ``assumptions`` and ``steps``).

``%deriv EXPR`` shows: diagnostics, the shape, notes."""

    def __init__(self, text: str, diagnostics, shape, notes: list[str], value=None):
        self.text = text
        self.diagnostics = diagnostics
        self.shape = shape
        self.notes = notes
        self.value = value

    @property
    def ok(self) -> bool:
        return self.shape is not None and not any(d.is_error for d in self.diagnostics)

    def __repr__(self) -> str:
        source = Source(EXPR_NAME, self.text)
        blocks = [render.render_diagnostic(d, source) for d in self.diagnostics]
        lines = [f"{self.text} : {_shape(self.shape)}"] if self.shape is not None else []
        blocks.append("\n".join(lines + self.notes))
        return "\n\n".join(b for b in blocks if b)

    def _repr_html_(self) -> str:
        out = ['<div class="chainrule">']
        if self.diagnostics:
            out.append(_diagnostics_html(self.diagnostics, Source(EXPR_NAME, self.text), None))
        if self.shape is not None:
            out.append(f"<code>{_e(self.text)}</code> : <code>{_e(_shape(self.shape))}</code>")
        out += [f"<br><em>{_e(n)}</em>" for n in self.notes]
        out.append("</div>")
        return "\n".join(out)


def check_with_arrays(text: str, namespace) -> ExprResult:
    """Check and evaluate ``text`` with arrays from ``namespace`` (a dict)."""
    text = text.strip()
    result = driver.evaluate_expr(text, namespace, name=EXPR_NAME)
    return ExprResult(text, result.diagnostics, result.shape, result.checked.notes, result.value)


def derive_line(notebook: NotebookSession, line: str):
    """``%derive``: print the derived ``dY/dX`` (or why there is none); return the derivation."""
    from dsl.apps import derive_text  # deferred: start-up
    text, _, derivation = derive_text.in_session(notebook.session, line, CELL_NAME, command="%derive")
    print(text)
    return derivation


# ---------------------------------------------------------------- IPython

def load_ipython_extension(ipython) -> None:
    """Register ``%deriv``/``%%deriv`` on ``ipython`` with one session per kernel."""
    # deferred: IPython is an optional extra, present when it calls this
    from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class, no_var_expand

    @magics_class
    class DerivMagics(Magics):
        def __init__(self, shell):
            super().__init__(shell)
            self.notebook = NotebookSession()

        @no_var_expand
        @line_cell_magic
        def deriv(self, line, cell=None):
            from IPython.display import display  # deferred: start-up
            if cell is not None:
                try:
                    cell_result = run_cell(self.notebook, line, cell)
                except UsageError as exc:
                    from IPython.core.error import UsageError as IPythonUsageError  # deferred: start-up
                    raise IPythonUsageError(str(exc)) from None
                problem = None if cell_result.no_raise else failure(cell_result)
                if problem is None:
                    return cell_result
                display(cell_result)          # the report first, then the cell fails
                raise problem
            no_raise = line.lstrip().startswith("--no-raise")
            line = line.lstrip().removeprefix("--no-raise") if no_raise else line
            if not line.strip():
                print("usage: %deriv [--no-raise] EXPR   (names are the notebook's NumPy arrays)")
                return None
            assert self.shell is not None, "magics are registered on a shell"
            result = check_with_arrays(line, self.shell.user_ns)
            display(result)
            problem = None if no_raise else failure(result)
            if problem is not None:
                raise problem
            return result.value

        @no_var_expand
        @line_magic
        def derive(self, line):
            return derive_line(self.notebook, line)

    ipython.register_magics(DerivMagics)
