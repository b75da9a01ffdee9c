"""The REPL's engine: one entry of text in, the text to print out.

No terminal here (``repl`` owns prompt_toolkit and stdin); the notebook
magic and the tests drive :class:`Engine` directly.  Contract:

- Statements go to one ``pipeline.Session`` and persist.  A typed entry is kept
  whole or not at all: an entry with an error leaves the session as it was,
  so the corrected line can simply be typed again (``:load`` and the FILE
  given on the command line keep what they can, as ``check`` would).
- An expression typed alone prints its shape and a short summary of its
  value on the session's inputs (drawn with the session seed, or loaded from
  an ``.npz`` with ``:load``); a claim prints its verdict and diagnosis.
- Diagnostics are rendered exactly as ``chainrule check`` renders them, with
  carets under the typed line.
- :meth:`Engine.handle` never raises (``KeyboardInterrupt`` aside, which the
  terminal loop turns into "interrupted"): a defect becomes an ``E901``
  diagnostic.

>>> e = Engine(verify=False)
>>> _ = e.handle("dims n = 3")
>>> _ = e.handle("x : 1 x n")
>>> e.handle(":shape x.T @ x").text
'n x n'
"""
from __future__ import annotations

import difflib
import os
import re
from argparse import ArgumentTypeError
from dataclasses import dataclass

from dsl import pipeline as driver
from dsl.apps import derive_text, options
from dsl.core.ast import Claim, Define
from dsl.core.dims import fmt
from dsl.core.span import Source, Span
from dsl.core.wording import say
from dsl.render import text as render
from dsl.render.values import format_value, format_values

REPL_NAME = "<repl>"

COMMANDS: dict[str, tuple[str, str]] = {
    ":shape": ("EXPR", "the shape of an expression"),
    ":explain": ("EXPR", "the fully parenthesised parse, with the shape of every part"),
    ":dims": ("", "the size symbols and their values"),
    ":env": ("", "every name with its kind and shape"),
    ":eval": ("[EXPR]", "the full value of an expression (of every definition without one)"),
    ":seed": ("[N]", "show or set the seed for drawn inputs and verification"),
    ":timeout": ("[SECONDS]", "show or set the time budget per claim (default 10 s)"),
    ":load": ("FILE", "run a .deriv file (.md/.tex: its derivations; .npz: values for inputs)"),
    ":save": ("FILE", "write the session as a derivation file"),
    ":derive": ("Y X", "dY/dX derived from the definitions, verified (--steps, --to latex)"),
    ":reset": ("", "forget every name, size and claim"),
    ":help": ("", "this list"),
    ":quit": ("", "leave (Ctrl-D also leaves)"),
}
ALIASES = {":q": ":quit", ":exit": ":quit", ":h": ":help", ":?": ":help"}



@dataclass
class Outcome:
    """What one entry produced: the text to print, how many errors it had,
    and whether the session should end."""

    text: str = ""
    errors: int = 0
    quit: bool = False
    unreadable: bool = False     # :load could not read the file at all


class Engine:
    """A REPL session without a terminal."""

    def __init__(self, seed: int = driver.DEFAULT_SEED, color: bool = False, verify: bool = True,
                 timeout: float | None = None):
        self.session = driver.Session(seed=seed, verify=verify, timeout=timeout)
        self.color = color
        self.arrays: dict = {}          # values for inputs, from :load FILE.npz
        self._evaluation: driver.Evaluation | None = None   # of the session; None: stale

    @property
    def seed(self) -> int:
        return self.session.seed

    # ------------------------------------------------------------- entries

    def handle(self, text: str) -> Outcome:
        """Run one entry (a statement, an expression or a command)."""
        try:
            return self._dispatch(text)
        except Exception as exc:  # noqa: BLE001  (a defect, reported as an E901 diagnostic, never a traceback)
            diag = driver.internal_error("running this entry", exc, Span(REPL_NAME, 1, 1, 1, 1))
            return Outcome(render.render_diagnostic(diag, None, None, self.color), errors=1)

    def _dispatch(self, text: str) -> Outcome:
        from dsl.language import syntax  # deferred: start-up
        code = "\n".join(line for line in text.split("\n") if line.split("#", 1)[0].strip())
        if not code.strip():
            return Outcome()
        entry = text.strip()
        if entry.startswith(":"):
            return self._command(entry)
        if syntax.is_statement(entry):
            return self._statements(entry)
        return self._expression(entry, value="summary")

    def _statements(self, text: str) -> Outcome:
        report = self.session.feed(text, name=REPL_NAME, keep_on_error=False)
        self._evaluation = None
        parts = [self._rendered(report)]
        if report.has_errors:
            if any(not isinstance(s, Claim) for s in report.program.statements):
                parts.append(self._paint("dim", "(not kept: correct the entry and enter it again)"))
        else:
            env = report.env
            assert env is not None, "checked text always has an environment"
            for stmt in report.program.statements:
                if isinstance(stmt, Define) and (info := env.names.get(stmt.name)) is not None:
                    parts.append(self._paint("dim", f"{stmt.name} : {fmt(info.shape)}"))
        return Outcome(_join(parts), errors=report.errors)

    def _rendered(self, report) -> str:
        if not report.diagnostics and not report.claims:
            return ""
        return render.render_text([report], color=self.color, summary=False).strip("\n")

    def _expression(self, text: str, value: str | None) -> Outcome:
        """Check ``text`` against the session; ``value``: None, "summary" or "full"."""
        checked = driver.check_expr(text, env=self.session.env, name=REPL_NAME)
        source = Source(REPL_NAME, text)
        diags = list(checked.diagnostics)
        result: list[str] = []
        if checked.ok:
            ev = self._evaluate() if value else None
            result.append(fmt(checked.shape) + self._sizes_note(checked.shape, ev))
            if value:
                body, problem = self._value(checked, ev, full=value == "full")
                if problem is not None:
                    diags.append(problem)
                elif body:
                    result.append(body)
        shown = "\n\n".join(render.render_diagnostic(d, source, checked.env, self.color) for d in diags)
        return Outcome(_join([shown, "\n".join(result)], "\n\n"),
                       errors=sum(d.is_error for d in diags))

    # ------------------------------------------------------------- values

    def _evaluate(self):
        """The session evaluated on its inputs (cached until the session changes)."""
        if self._evaluation is None:
            self._evaluation = self.session.evaluate(data=self.arrays)
        return self._evaluation

    def _value(self, checked, ev, full: bool):
        """(text, None) with the value of ``checked`` or a note saying why there
        is none; (None, diagnostic) when evaluating it failed."""
        blocked = _evaluation_problem(ev) if checked.names else None
        if blocked is not None:
            return self._paint("dim", f"(no value: {blocked})"), None
        result = driver.value_of(checked, ev)
        if result.missing:
            why = f"{', '.join(result.missing)} has no value (its definition has an error)"
            return self._paint("dim", f"(no value: {why})"), None
        if result.error is not None:
            return None, result.error.diagnostic
        return format_value(result.value, full), None

    def _sizes_note(self, shape, ev) -> str:
        syms = [str(d) for d in getattr(shape, "dims", ()) if not isinstance(d, int)]
        if not syms or ev is None or not ev.sizes:
            return ""
        known = [f"{s} = {ev.sizes[s]}" for s in dict.fromkeys(syms) if s in ev.sizes]
        return self._paint("dim", f"   ({', '.join(known)})") if known else ""

    # ------------------------------------------------------------ commands

    def _command(self, entry: str) -> Outcome:
        match = re.match(r"(:[^\s]*)\s*(.*)", entry, re.S)
        assert match is not None, "a command starts with ':'"
        word, arg = match.group(1), match.group(2).strip()
        word = ALIASES.get(word, word)
        if word not in COMMANDS:
            near = difflib.get_close_matches(word, list(COMMANDS), n=1)
            guess = "; " + say("did-you-mean", name=near[0]) if near else ""
            return Outcome(f"unknown command {word}{guess} (:help lists the commands)", errors=1)
        needs = COMMANDS[word][0]
        if needs in ("EXPR", "FILE") and not arg:
            return Outcome(f"usage: {word} {needs}", errors=1)
        return getattr(self, "cmd_" + word[1:])(arg)

    def cmd_shape(self, arg: str) -> Outcome:
        return self._expression(arg, value=None)

    def cmd_explain(self, arg: str) -> Outcome:
        from dsl.apps.explain import with_ranges  # on first :explain, not at start-up
        from dsl.language.printer import explain  # deferred: start-up
        checked = driver.check_expr(arg, env=self.session.env, name=REPL_NAME)
        source = Source(REPL_NAME, arg)
        parts = [render.render_diagnostic(d, source, checked.env, self.color)
                 for d in checked.diagnostics]
        if checked.expr is not None:
            parts.append(with_ranges(explain(checked.expr, checked.env.shape_of), checked.env, [checked.expr]))
        return Outcome(_join(parts), errors=sum(d.is_error for d in checked.diagnostics))

    def cmd_eval(self, arg: str) -> Outcome:
        if arg:
            return self._expression(arg, value="full")
        ev = self._evaluate()
        problem = _evaluation_problem(ev)
        if problem:
            return Outcome(f"nothing evaluated: {problem}", errors=1)
        return Outcome(format_values(ev, None))

    def cmd_derive(self, arg: str) -> Outcome:
        return Outcome(*derive_text.in_session(self.session, arg, REPL_NAME, self.color)[:2])

    def cmd_dims(self, arg: str) -> Outcome:
        env = self.session.env
        if env is None or not env.dims:
            return Outcome("no size symbols (declare them with: dims n, k = 3)")
        ev = self._evaluate()
        drawn = ev.sizes if ev is not None else {}
        lines = []
        for name, value in env.dims.items():
            if value is not None:
                lines.append(f"{name} = {value}")
            elif name in drawn:
                lines.append(f"{name}   (no value; {drawn[name]} when evaluating with seed {self.seed})")
            else:
                lines.append(f"{name}   (no value)")
        return Outcome("\n".join(lines))

    def cmd_env(self, arg: str) -> Outcome:
        env = self.session.env
        if env is None or not env.names:
            return Outcome("no names yet (declare one with: x : 1 x n)")
        rows = [("name", "kind", "shape", "attributes")]
        rows += [(name, info.kind, fmt(info.shape), " ".join(info.attrs))
                 for name, info in env.names.items()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return Outcome("\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                                 for r in rows))

    def cmd_seed(self, arg: str) -> Outcome:
        if not arg:
            return Outcome(f"seed {self.seed}")
        try:
            seed = options.seed(arg)
        except ArgumentTypeError as exc:
            return Outcome(f"usage: :seed N ({exc})", errors=1)
        self.session.seed = seed
        self._evaluation = None
        return Outcome(f"seed {seed}: inputs are drawn afresh for values and new claims")

    def cmd_timeout(self, arg: str) -> Outcome:
        if arg:
            try:
                self.session.timeout = options.seconds(arg)
            except ArgumentTypeError as exc:
                return Outcome(f"usage: :timeout SECONDS ({exc})", errors=1)
        return Outcome(f"timeout {self.session.timeout:g} s per claim")

    def cmd_load(self, arg: str) -> Outcome:
        return self.load(_unquote(arg))

    def cmd_save(self, arg: str) -> Outcome:
        path = _unquote(arg)
        if not self.session.statements:
            return Outcome("nothing to save: the session is empty", errors=1)
        body = "\n".join(s.text.rstrip("\n") for s in self.session.sources)
        header = f"# chainrule session (seed {self.seed})\n"
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(header + body + "\n")
        except OSError as exc:
            return Outcome(f"cannot write {path}: {exc.strerror or exc}", errors=1)
        n = len(self.session.statements)
        return Outcome(f"saved {n} statement{'s' * (n != 1)} to {path}")

    def cmd_reset(self, arg: str) -> Outcome:
        self.session.reset()
        self.arrays = {}
        self._evaluation = None
        return Outcome("session cleared")

    def cmd_help(self, arg: str) -> Outcome:
        lines = ["Type a statement (dims, x : 1 x n, a = ..., dL/dx = ...) to add it to the session,",
                 "an expression to see its shape and value, or a command:", ""]
        for word, (args, doc) in COMMANDS.items():
            lines.append(f"  {(word + ' ' + args).ljust(16)} {doc}")
        lines += ["", "A line ending in an operator or an open bracket continues on the next.",
                  "Ctrl-C cancels the line, Ctrl-D leaves, the up arrow recalls earlier entries."]
        return Outcome("\n".join(lines))

    def cmd_quit(self, arg: str) -> Outcome:
        return Outcome(quit=True)

    # -------------------------------------------------------------- loading

    def load(self, path: str) -> Outcome:
        """Run a file into the session: ``.deriv`` (or any text), ``.md`` and
        ``.tex`` (their derivations), ``.npz`` (values for declared inputs)."""
        ext = os.path.splitext(path)[1].lower()
        if ext == ".npz":
            return self._load_npz(path)
        if ext in (".md", ".markdown", ".tex", ".ipynb"):
            return self._load_document(path)
        source, problem = driver.read_source(path)
        if source is None:
            assert problem is not None, "no source: read_source says why"
            return Outcome(render.render_diagnostic(problem, None, None, self.color), errors=1,
                           unreadable=True)
        return self._feed_file(source.text, path)

    def _feed_file(self, text: str, name: str) -> Outcome:
        report = self.session.feed(text, name=name)
        self._evaluation = None
        n = len(report.program.statements)
        summary = f"loaded {n} statement{'s' * (n != 1)} from {name}"
        if report.errors or report.warnings:
            summary += f" ({report.errors} error{'s' * (report.errors != 1)}, " \
                       f"{report.warnings} warning{'s' * (report.warnings != 1)})"
        return Outcome(_join([self._rendered(report), summary]), errors=report.errors)

    def _load_document(self, path: str) -> Outcome:
        """The derivations of a Markdown, LaTeX or notebook file, read by the
        front ends of ``lint``; diagnostics point into the document."""
        from dsl.core import messages  # deferred: start-up
        from dsl.frontends import extract  # deferred: start-up
        source, problem = driver.read_source(path)
        if source is None:
            assert problem is not None, "no source: read_source says why"
            return Outcome(render.render_diagnostic(problem, None, None, self.color), errors=1,
                           unreadable=True)
        try:
            ex = extract(path, source.text)
        except ValueError as exc:                 # a notebook that is not one
            diag = messages.make("E900", Span(path, 1, 1, 1, 1), what=f"{path}: {exc}")
            return Outcome(render.render_diagnostic(diag, None, None, self.color), errors=1,
                           unreadable=True)
        if not ex.source.text.strip():
            return Outcome(f"no derivations found in {path}")
        report = self.session.feed(ex.source.text, name=path)
        self._evaluation = None
        diags = [d for d in list(ex.notes) + [d.moved(ex.span_map) for d in report.diagnostics]
                 if not ex.suppressed(d)]
        diags.sort(key=lambda d: (d.span.cell or 0, d.span.line, d.span.column))
        parts = [render.render_diagnostic(d, ex.host.source(d.span.cell), report.env, self.color)
                 for d in diags]
        claims = [c.moved(ex.span_map) for c in report.claims]
        if claims:
            parts.append("\n".join(render.claim_line(c, path, self.color) for c in claims))
        errors = sum(d.is_error for d in diags)
        n = len(report.program.statements)
        summary = f"loaded {n} statement{'s' * (n != 1)} from {path}"
        if errors:
            summary += f" ({errors} error{'s' * (errors != 1)})"
        return Outcome(_join([*parts, summary], "\n\n"), errors=errors)

    def _load_npz(self, path: str) -> Outcome:
        arrays, problems = driver.load_npz(path)
        parts = [render.render_diagnostic(d, None, None, self.color) for d in problems]
        if arrays:
            self.arrays.update(arrays)
            self._evaluation = None
            listed = ", ".join(f"{k} ({' x '.join(map(str, v.shape)) or 'scalar'})"
                               for k, v in arrays.items())
            parts.append(f"values for inputs from {path}: {listed}")
        return Outcome(_join(parts), errors=sum(d.is_error for d in problems))

    def _paint(self, style: str, text: str) -> str:
        return render._Paint(self.color)(style, text)


# ------------------------------------------------------------------ helpers

def _evaluation_problem(ev) -> str | None:
    """Why the session has no values, or None."""
    if ev is None:
        return "the session has no inputs yet"
    blocking = [d for d in ev.report.diagnostics + ev.diagnostics if d.is_error]
    if blocking:
        return f"the session has errors ({blocking[0].code}: {blocking[0].message})"
    return None


def _unquote(arg: str) -> str:
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
        return arg[1:-1]
    return os.path.expanduser(arg)


def _join(parts, sep: str = "\n") -> str:
    return sep.join(p for p in parts if p)
