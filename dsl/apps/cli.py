"""The ``chainrule`` command: argument parsing and exit codes only.

Each subcommand calls ``driver`` (or a front end built on it) and a renderer.
Heavy modules (NumPy, Lark) are imported inside the subcommands so that
``chainrule --version`` starts fast.  Exit codes: 0 no errors, 1 errors
found (or warnings with ``--strict``), 2 usage or input error.
"""
from __future__ import annotations

import argparse
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

    def common(sp, fmt=("text", "json")):
        sp.add_argument("--format", choices=fmt, default="text", help="output format")
        sp.add_argument("--strict", action="store_true", help="warnings also give exit code 1")
        sp.add_argument("--no-verify", dest="verify", action="store_false",
                        help="check shapes only; do not verify claims numerically")
        sp.add_argument("--seed", type=options.seed, default=0,
                        help="seed for drawn test data, 0 to 2**32-1 (default 0)")
        timeout(sp)
        sp.add_argument("--color", choices=("auto", "always", "never"), default="auto")

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
    common(lint, fmt=("text", "json", "sarif", "github"))
    lint.add_argument("--jobs", type=options.jobs, default=None, help="processes, 1 to 256 (default: all cores)")
    lint.add_argument("--verbose", action="store_true", help="also list math that was skipped")

    f = sub.add_parser("fmt", help="print a derivation as LaTeX, Unicode or canonical ASCII")
    f.add_argument("file", nargs="?", metavar="FILE")
    f.add_argument("-e", "--expr", metavar="EXPR")
    f.add_argument("--to", choices=("latex", "unicode", "ascii"), default="ascii")
    f.add_argument("--hadamard", default="\\odot", help="LaTeX for '*' (default \\odot)")
    sub.add_parser("lsp", help="language server over standard input and output (editors)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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


def _check(args) -> int:
    from dsl import pipeline as driver
    from dsl.render import text as render

    reports = [driver.check_file(path, verify=args.verify, seed=args.seed, timeout=args.timeout)
               for path in args.files]
    if args.format == "json":
        sys.stdout.write(render.render_json(reports))
    else:
        sys.stdout.write(render.render_text(reports, color=render.use_color(args.color)))
        if args.explain:
            from dsl.apps.explain import explain_report
            sys.stdout.write("".join("\n" + explain_report(r) + "\n" for r in reports
                                     if not r.input_error))
    return max(r.exit_code(args.strict) for r in reports)


def _eval(args) -> int:
    from dsl import pipeline as driver
    from dsl.render import text as render, values

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
    from dsl.apps import explain
    return explain.main(args.file, args.expr, color=args.color)


def _repl(args) -> int:
    from dsl.apps import repl
    return repl.main(args.file, seed=args.seed, timeout=args.timeout)


def _lint(args) -> int:
    from dsl.apps import lint
    from dsl.render import text as render
    return lint.run_lint(args.paths, fmt=args.format, strict=args.strict, verify=args.verify,
                         jobs=args.jobs, verbose=args.verbose, seed=args.seed, timeout=args.timeout,
                         color=render.use_color(args.color))


def _fmt(args) -> int:
    from dsl.apps import fmt
    return fmt.main(args.file, args.expr, to=args.to, hadamard=args.hadamard)


def _lsp(args) -> int:
    import importlib.util
    missing = [m for m in ("pygls", "lsprotocol") if importlib.util.find_spec(m) is None]
    if missing:                       # the optional packages of the ``lsp`` extra
        from dsl.core.wording import say
        print(say("lsp-needs-extra", what=", ".join(missing) + " not installed"), file=sys.stderr)
        return 2
    from dsl.apps.lsp.server import main as serve
    return serve()


_COMMANDS = {"check": _check, "eval": _eval, "explain": _explain, "repl": _repl,
             "lint": _lint, "fmt": _fmt, "lsp": _lsp}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
