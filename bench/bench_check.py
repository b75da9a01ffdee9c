"""Row 1: ``check --no-verify`` throughput on a generated derivation.

Ours is ``driver.check_source(Source(...), verify=False)`` on the text of
``generate.derivation`` (20,000 lines; 2,000 with ``--quick``).  Baselines:
CPython's ``ast.parse`` on the same statements written as Python (goal: our
check at most 2x its time, i.e. at least half its speed), and SymPy
building the same expressions from ``MatrixSymbol`` (goal: ours 20x faster;
the row is skipped with the reason if SymPy is not installed).  Parse-only
(``syntax.parse``) and shapes-only (``shapes.check_program`` on the parsed
program) rows show how the time splits, and a row with the cyclic garbage
collector off on both sides shows how much of each is collection.  A floor
row times Lark's own lexer and LALR loop (``lark_cython`` where installed,
as ``syntax`` uses it) over the same statements with callbacks that build
nothing: the least a parse by Lark can cost before any AST exists (with
the collector on, and off on both sides).
"""
from __future__ import annotations

import ast
import gc
import importlib.util

import generate
from timing import Row, Settings, measure, measure_together, profile


def run(s: Settings) -> list[Row]:
    from dsl.core.span import Source
    from dsl.language import syntax
    from dsl.pipeline import check_source
    from dsl.shapes import checker as shapes

    lines = 2_000 if s.quick else 20_000
    d = generate.derivation(lines, seed=s.seed)
    source = Source("generated.deriv", d.text)
    s.say(f"check: generated derivation, seed {s.seed}: {d.lines} lines, {d.blocks} blocks, "
          f"{len(d.text):,} characters; Python twin {d.python.count(chr(10)) + 1} lines")

    report = check_source(source, verify=False)          # also warms the parser up
    ast.parse(d.python)
    if report.errors or report.warnings:
        codes = sorted({x.code for x in report.diagnostics})
        s.say(f"check: WARNING the generated derivation is not clean: {report.errors} errors, "
              f"{report.warnings} warnings ({', '.join(codes)}); the timing still stands")
    s.say(f"check: {len(report.program.statements)} statements, {len(report.claims)} claims")
    # Results are dropped before timing, and every run starts after a full
    # collection: a large live heap, or the garbage of the previous run, makes
    # the cyclic GC's passes slower, for ours and the baselines alike.
    del report

    reps = s.reps(5, 3)
    loop = _lark_loop(d.text)
    t = measure_together({
        "check": lambda: check_source(source, verify=False),
        "ast": lambda: ast.parse(d.python),
        "parse": lambda: syntax.parse(source),
        "lark loop": loop,
        "lark loop, no gc": _without_gc(loop),
        "check, no gc": _without_gc(lambda: check_source(source, verify=False)),
        "ast, no gc": _without_gc(lambda: ast.parse(d.python)),
    }, repeats=reps, setup=gc.collect)
    t_check, t_ast, t_parse = t["check"], t["ast"], t["parse"]
    program, _ = syntax.parse(source)
    t_shapes = measure(lambda: shapes.check_program(program), repeats=reps, setup=gc.collect)
    env = shapes.check_program(program)[0]
    s.say(f"check: throughput {d.lines / t_check.median:,.0f} lines/s (ast.parse "
          f"{d.lines / t_ast.median:,.0f} lines/s); parse {t_parse.median / t_check.median:.0%} "
          f"and shapes {t_shapes.median / t_check.median:.0%} of check; spreads: check {t_check.spread}, "
          f"ast.parse {t_ast.spread}")

    name = f"check --no-verify, {d.lines:,} lines"
    rows = [
        Row(name, t_check, t_ast, "ast.parse", goal=2.0),
        Row("  parse only (syntax.parse)", t_parse, t_ast, "ast.parse"),
        Row("  shapes only (shapes.check_program)", t_shapes, t_ast, "ast.parse"),
        Row("  floor: Lark's lexer and LALR loop, callbacks build nothing", t["lark loop"], t_ast, "ast.parse"),
        Row("  check, cyclic GC off (both sides)", t["check, no gc"], t["ast, no gc"], "ast.parse"),
        Row("  floor, cyclic GC off (both sides)", t["lark loop, no gc"], t["ast, no gc"], "ast.parse"),
    ]
    code = _sympy_code(program, env)
    program = env = None            # the AST is not kept alive while SymPy runs
    rows.append(_sympy_row(s, code, t_check, d.lines))
    if s.profile:
        profile(name, lambda: check_source(source, verify=False))
    return rows


def _lark_loop(text: str):
    """Every statement of ``text`` through a parser built as ``syntax``
    builds its own (same grammar, options, plugin and parse loop) whose
    callbacks all return one constant: Lark's lexing and parsing alone."""
    from lark import Lark

    from dsl.language import statements, syntax
    options = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": False,
               "start": ["statement", "expr"]}
    try:
        import lark_cython
        options["_plugins"] = lark_cython.plugins
    except ImportError:
        pass
    parser = Lark(syntax.grammar_text(), **options)
    nothing = (None, 0, 0, 0)
    for key in list(parser._callbacks):
        parser._callbacks[key] = lambda *children: nothing
    parse = syntax.direct_parse(parser)
    texts = [text[a:b] for a, b in statements.split_statements(text)]

    def run():
        for piece in texts:
            parse(piece, "statement")
    return run


def _without_gc(fn):
    """``fn`` run with the cyclic garbage collector off: how much of the time
    is collection (the ASTs built here hold no cycles)."""
    def run():
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()
    return run


def _sympy_code(program, env):
    """The SymPy instructions for the program, or None without SymPy."""
    if importlib.util.find_spec("sympy") is None:
        return None
    import sympy_build
    return sympy_build.compile_program(program, env)


def _sympy_row(s: Settings, code, t_check, lines: int) -> Row:
    name = "check --no-verify vs SymPy MatrixSymbol"
    if code is None:
        reason = "SymPy is not installed (pip install sympy to run this row)"
        s.say(f"check: SymPy row skipped: {reason}")
        return Row(name, skipped=reason, goal=20.0, compare="speedup")
    import sympy
    from sympy.core.cache import clear_cache

    from dsl.core.span import Source
    from dsl.language import syntax
    from dsl.shapes import checker as shapes

    import sympy_build

    warm = generate.derivation(300, seed=s.seed + 1)
    warm_program, _ = syntax.parse(Source("warm.deriv", warm.text))
    warm_env, _ = shapes.check_program(warm_program)
    sympy_build.build(sympy_build.compile_program(warm_program, warm_env))   # imports, first use
    # SymPy caches constructed expressions: clear before each run so that no
    # run reuses the work of the previous one.
    t_sympy = measure(lambda: sympy_build.build(code), repeats=s.reps(3, 1), warmup=0, setup=clear_cache)
    s.say(f"check: SymPy {sympy.__version__} builds the {lines:,} lines in {t_sympy.median:.2f} s "
          f"(spread {t_sympy.spread}); it validates shapes only for integer sizes, so the "
          "baseline compares the symbolic shapes itself")
    return Row(name, t_check, t_sympy, f"SymPy {sympy.__version__}", goal=20.0, compare="speedup")
