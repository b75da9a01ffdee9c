"""The ``chainrule`` command: argument parsing and exit codes only.

Each subcommand calls ``driver`` (or a front end built on it) and a renderer.
Heavy modules (NumPy, Lark) are imported inside the subcommands so that
``chainrule --version`` starts fast.  Exit codes: 0 no errors, 1 errors
found (or warnings with ``--strict``), 2 usage or input error.
"""
from __future__ import annotations

import argparse
import contextlib
import sys

from dsl import __version__
from dsl.apps import options


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="chainrule",
        description="Dimension-checked tensor notation: check shapes and claimed derivatives.")
    p.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def timeout(sp):
        sp.add_argument("--timeout", type=options.seconds, default=None, metavar="SECONDS",
                        help="time budget per claim in seconds, a positive number (default 10)")

    def common(sp):
        sp.add_argument("--output-format", "--format", dest="output_format", choices=options.FORMATS,
                        default=None, help="output format (default full; --format is the same option)")
        sp.add_argument("--strict", action="store_true", default=None, help="warnings also give exit code 1")
        sp.add_argument("--no-verify", dest="verify", action="store_false",
                        help="check shapes only; do not verify claims numerically")
        sp.add_argument("--seed", type=options.seed, default=None,
                        help="seed for drawn test data, 0 to 2**32-1 (default 0)")
        timeout(sp)
        sp.add_argument("--color", choices=("auto", "always", "never"), default="auto")
        sp.add_argument("--select", type=options.selectors, default=None, metavar="CODES",
                        help="show only these codes or prefixes, comma-separated (E3,W303; default ALL)")
        sp.add_argument("--extend-select", type=options.selectors, default=None, metavar="CODES",
                        help="show these codes too")
        sp.add_argument("--ignore", type=options.selectors, default=None, metavar="CODES",
                        help="do not show these codes or prefixes")
        sp.add_argument("--statistics", action="store_true", help="print a count per code instead")
        sp.add_argument("-q", "--quiet", action="store_true", help="print problems only")
        sp.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when errors are found (an input error is still 2)")
        sp.add_argument("--warn-unused-ignores", action="store_true",
                        help="report suppression comments that silence nothing (W705)")
        sp.add_argument("--stdin-filename", metavar="NAME",
                        help="the name of the file read from standard input ('-'), which picks its front end")
        sp.add_argument("--config", metavar="PATH", help="the configuration file (default: the nearest "
                        "chainrule.toml or pyproject.toml with [tool.chainrule])")
        sp.add_argument("--isolated", action="store_true", help="ignore every configuration file")
        sp.add_argument("--watch", action="store_true",
                        help="check again on every change (needs the watchfiles extra)")

    c = sub.add_parser("check", help="check shapes and verify claims in .deriv files")
    c.add_argument("files", nargs="+", metavar="FILE")
    common(c)
    c.add_argument("--explain", action="store_true",
                   help="also show each expression fully parenthesised, with shapes")

    e = sub.add_parser("eval", help="evaluate a derivation on given or drawn arrays")
    e.add_argument("file", metavar="FILE")
    e.add_argument("--data", metavar="NPZ", help="arrays for inputs (.npz, loaded without pickle)")
    e.add_argument("--seed", type=options.seed, default=0)
    e.add_argument("--print", dest="names", nargs="+", metavar="NAME", help="names to print")
    e.add_argument("--memory", type=options.memory_gib, metavar="GIB",
                   help="memory budget in GiB, a positive number (default 4)")
    e.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    x = sub.add_parser("explain", help="show the fully parenthesised parse with shapes")
    x.add_argument("file", nargs="?", metavar="FILE")
    x.add_argument("-e", "--expr", metavar="EXPR", help="explain one expression (names from FILE)")
    x.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    r = sub.add_parser("repl", help="interactive checking and evaluation")
    r.add_argument("file", nargs="?", metavar="FILE")
    r.add_argument("--seed", type=options.seed, default=0)
    timeout(r)

    lint = sub.add_parser("lint", help="check derivations inside .deriv, .md, .tex and .ipynb files")
    lint.add_argument("paths", nargs="+", metavar="PATH")
    common(lint)
    lint.add_argument("--exclude", type=options.patterns, default=None, metavar="PATTERNS",
                      help="paths not to walk into, comma-separated gitignore patterns (replaces the configured ones)")
    lint.add_argument("--extend-exclude", type=options.patterns, default=None, metavar="PATTERNS",
                      help="paths not to walk into, besides the configured ones")
    lint.add_argument("--jobs", type=options.jobs, default=None, help="processes, 1 to 256 (default: all cores)")
    lint.add_argument("--verbose", action="store_true", help="also list math that was skipped")

    ru = sub.add_parser("rule", help="explain a diagnostic code: what it checks, why, an example, the fix")
    ru.add_argument("codes", nargs="*", metavar="CODE")
    ru.add_argument("--all", action="store_true", help="every code")
    ru.add_argument("--output-format", "--format", dest="output_format", choices=("text", "json"),
                    default="text")

    d = sub.add_parser("derive", help="derive dY/dX symbolically from the definitions, verified")
    d.add_argument("file", metavar="FILE")
    d.add_argument("y", metavar="Y", help="the value differentiated (L), or the claim's left side (dL/dx)")
    d.add_argument("x", nargs="?", metavar="X", help="the variable (x)")
    d.add_argument("--to", choices=("ascii", "unicode", "latex"), default="ascii")
    d.add_argument("--steps", action="store_true", help="also the chain of intermediates, one claim each")
    d.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    d.add_argument("--seed", type=options.seed, default=0)
    d.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    f = sub.add_parser("fmt", help="print a derivation as LaTeX, Unicode or canonical ASCII")
    f.add_argument("file", nargs="?", metavar="FILE")
    f.add_argument("-e", "--expr", metavar="EXPR")
    f.add_argument("--to", choices=("latex", "unicode", "ascii"), default="ascii")
    f.add_argument("--hadamard", default="\\odot", help="LaTeX for '*' (default \\odot)")
    sub.add_parser("lsp", help="language server over standard input and output (editors)")
    return p


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    args = _parser().parse_args(argv)
    args.argv = tuple(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _tolerant_streams() -> None:
    """Text the terminal's encoding cannot show (a byte of a file name or
    argument that is not UTF-8, on any stream) is written as an escape
    rather than ending the run with an encoding error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):    # a stream already closed or detached
                reconfigure(errors="backslashreplace")


def _settings(args):
    """The run's settings, or (None, exit code) after a configuration problem."""
    from dsl.apps import config, invocation  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up
    try:
        return invocation.resolve(args, color=render.use_color(args.color)), 0
    except config.ConfigError as exc:
        print(f"chainrule {args.command}: {exc}", file=sys.stderr)
        return None, 2


def _stdin(args):
    from dsl import pipeline as driver  # deferred: start-up
    name = args.stdin_filename or "-"
    return driver.read_stream(name, getattr(sys.stdin, "buffer", sys.stdin))


def _watched(args, once, paths) -> int:
    if not getattr(args, "watch", False):
        return once()
    if "-" in paths:
        print(f"chainrule {args.command}: --watch cannot watch standard input", file=sys.stderr)
        return 2
    from dsl.apps import watch  # deferred: start-up
    return watch.run(once, paths)


def _check(args) -> int:
    return _watched(args, lambda: _check_once(args), args.files)


def _check_once(args) -> int:
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.apps import output  # deferred: start-up
    from dsl.apps.progress import Progress  # deferred: start-up
    from dsl.apps.results import FileResult  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up

    run, code = _settings(args)
    if run is None:
        return code
    layout = driver.LayoutKind(run.layout) if run.layout else None

    def results():
        for path in args.files:
            source = None
            if path == "-":
                source, problem = _stdin(args)
                path = args.stdin_filename or "-"
                if source is None:
                    yield FileResult(driver.unreadable(path, problem))
                    continue
            r = driver.check_file(path, verify=args.verify, seed=run.seed, timeout=run.timeout,
                                  layout=layout, source=source)
            yield FileResult(r, unused=output.suppress(r) if not r.input_error else [])

    def closing(rs) -> list[str]:
        blocks = [output.summary(rs)]
        if args.explain:
            from dsl.apps.explain import explain_report  # deferred: start-up
            blocks += [explain_report(r.report) for r in rs if not r.report.input_error]
        return blocks
    text = output.TextReport(lambda r: render.report_blocks(r.report, run.output.color), closing)
    bar = Progress.on_terminal(len(args.files), quiet=run.output.quiet or run.output.fmt not in output.STREAMED)
    return output.finish(results(), run.output, sys.stdout, text=text, progress=bar)


def _eval(args) -> int:
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.render import text as render, values  # deferred: start-up

    source, problem = driver.read_source(args.file)
    if source is None:
        assert problem is not None, "no source: read_source says why"
        sys.stdout.write(render.render_text([driver.unreadable(args.file, problem)], claims=False))
        return 2
    budget = int(args.memory * 2**30) if args.memory is not None else None
    data = None
    if args.data:
        data, diags = driver.load_npz(args.data, budget=budget)
        if diags:
            rep = driver.unreadable(args.data, diags[0])
            rep.diagnostics = diags
            sys.stdout.write(render.render_text([rep], claims=False))
            return 2
    ev = driver.evaluate_source(source, data=data, seed=args.seed, budget=budget)
    color = render.use_color(args.color)
    shown = [render.render_diagnostic(d, source, ev.report.env, color)
             for d in ev.report.diagnostics + ev.diagnostics]
    if shown:
        sys.stdout.write("\n\n".join(shown) + "\n\n")
    if ev.values:
        sys.stdout.write(values.format_values(ev, args.names) + "\n")
    return ev.exit_code()


def _explain(args) -> int:
    import os  # deferred: start-up
    import re  # deferred: start-up
    if args.file and args.expr is None and re.fullmatch(r"[ENWenw]\d{3}", args.file) and not os.path.exists(args.file):
        from dsl.apps import rule  # `chainrule explain E300`: the code's entry
        return rule.run([args.file])
    from dsl.apps import explain  # deferred: start-up
    return explain.main(args.file, args.expr, color=args.color)


def _repl(args) -> int:
    from dsl.apps import repl  # deferred: start-up
    return repl.main(args.file, seed=args.seed, timeout=args.timeout)


def _lint(args) -> int:
    return _watched(args, lambda: _lint_once(args), args.paths)


def _lint_once(args) -> int:
    from dsl.apps import lint  # deferred: start-up
    run, code = _settings(args)
    if run is None:
        return code
    paths, stdin = list(args.paths), None
    if "-" in paths:
        paths.remove("-")
        source, problem = _stdin(args)
        if source is None:
            from dsl import pipeline as driver  # deferred: start-up
            from dsl.apps.results import FileResult  # deferred: start-up
            return lint.finish([FileResult(driver.unreadable(args.stdin_filename or "-", problem))], run.output)
        stdin = source if args.stdin_filename else type(source)("-.deriv", source.text)
    return lint.run_lint(paths, verify=args.verify, jobs=args.jobs, verbose=args.verbose, seed=run.seed,
                         timeout=run.timeout, output=run.output, exclude=run.exclude, root=run.root,
                         stdin=stdin)


def _rule(args) -> int:
    from dsl.apps import rule  # deferred: start-up
    return rule.run(args.codes, every=args.all, fmt=args.output_format)


def _derive(args) -> int:
    from dsl.apps import derive_cmd  # deferred: start-up
    return derive_cmd.main(args.file, args.y, args.x, to=args.to, steps=args.steps, fmt=args.format,
                           seed=args.seed, color=args.color)


def _fmt(args) -> int:
    from dsl.apps import fmt  # deferred: start-up
    return fmt.main(args.file, args.expr, to=args.to, hadamard=args.hadamard)


def _lsp(args) -> int:
    import importlib.util  # deferred: start-up
    missing = [m for m in ("pygls", "lsprotocol") if importlib.util.find_spec(m) is None]
    if missing:                       # the optional packages of the ``lsp`` extra
        from dsl.core.wording import say  # deferred: start-up
        print(say("lsp-needs-extra", what=", ".join(missing) + " not installed"), file=sys.stderr)
        return 2
    from dsl.apps.lsp.server import main as serve  # deferred: start-up
    return serve()


_COMMANDS = {"check": _check, "eval": _eval, "explain": _explain, "repl": _repl,
             "lint": _lint, "rule": _rule, "fmt": _fmt, "derive": _derive, "lsp": _lsp}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
