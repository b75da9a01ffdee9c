"""The table of built-in functions (dsl.builtins): every row complete, the
docs' function table current, the package at its stage, and a new row
reaching every pass."""
import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dsl
from dsl import builtins
from dsl.apps import fmt, lint
from dsl.builtins import docs
from dsl.builtins.table import Builtin, elementwise
from dsl.compute import autodiff
from dsl.compute.numeric import apply_call
from dsl.core.span import Source
from dsl.frontends import extract
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_math import translate
from dsl.language.syntax import parse_expr, parse_text
from dsl.pipeline import check_source

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------- completeness

def _reads_back(latex: str) -> str | None:
    """The function the LaTeX reader takes ``latex`` (applied to x) for."""
    try:
        tr = translate(latex + "(x)", known=frozenset({"x"}), scalars=frozenset())
    except Exception as exc:  # noqa: BLE001  (any failure to read a spelling back is a missing spelling)
        return f"unreadable: {exc}"
    text = getattr(tr, "text", None)
    if text is None:
        return f"unreadable: {tr}"
    return text.split("(")[0] if text.endswith("(x)") else text


def missing(row: Builtin) -> list[str]:
    """What a row lacks for every pass to handle its function."""
    out = []
    for field in ("usage", "shape_doc", "doc"):
        if not getattr(row, field).strip():
            out.append(f"no {field} (its line in docs/language.md)")
    if not row.usage.startswith(row.name + "("):
        out.append(f"usage {row.usage!r} does not show a call of {row.name}")
    if not callable(row.shape) or not callable(row.forward):
        out.append("no shape rule or no NumPy rule")
    low, high = row.arity
    if not 0 < low <= high:
        out.append(f"arity {row.arity} is not (min, max)")
    if row.elementwise:
        if row.prime is None:
            out.append("elementwise without f'")
        if row.second is None:
            out.append("elementwise without f''")
        if row.vjp:
            out.append("elementwise with its own VJP (it is g * f'(x))")
    else:
        if row.prime is not None or row.second is not None:
            out.append("f' or f'' on a function that is not elementwise")
        if len(row.vjp) != high:
            out.append(f"{len(row.vjp)} VJP rules for {high} arguments")
    read = _reads_back(row.latex_out)
    if read != row.name:
        out.append(f"the LaTeX it prints, {row.latex_out}, reads back as {read!r}")
    for spelling in row.latex_names:
        found = builtins.latex_macro(spelling) or builtins.function_name(spelling)
        if found != row.name:
            out.append(f"the LaTeX spelling {spelling!r} names {found!r}")
    for alias in row.aliases:
        if builtins.lookup(alias) is not row:
            out.append(f"the alias {alias!r} does not reach the row")
    return out


@pytest.mark.parametrize("name", list(builtins.FUNCTIONS))
def test_every_row_is_complete(name):
    assert missing(builtins.FUNCTIONS[name]) == []


def test_an_incomplete_row_is_caught():
    row = builtins.FUNCTIONS["tanh"]
    from dataclasses import replace
    broken = replace(row, second=None, doc="", latex=r"\operatorname{tanhh}")
    problems = missing(broken)
    assert "elementwise without f''" in problems
    assert any("docs/language.md" in p for p in problems)
    assert any("reads back" in p for p in problems)
    assert any("VJP rules" in p for p in missing(replace(builtins.FUNCTIONS["outer"], vjp=())))


@pytest.mark.parametrize("name", [n for n, r in builtins.FUNCTIONS.items() if r.elementwise])
def test_elementwise_rows_derivatives_match_differences(name):
    row = builtins.FUNCTIONS[name]
    x = np.array([[0.3, 0.7, 1.5, 2.2]])      # inside every domain, away from kinks
    h = 1e-6
    np.testing.assert_allclose(row.prime(x), (row.forward(x + h) - row.forward(x - h)) / (2 * h), rtol=1e-5)
    np.testing.assert_allclose(row.second(x), (row.prime(x + h) - row.prime(x - h)) / (2 * h),
                               rtol=1e-4, atol=1e-7)
    if row.prime_of_output is not None:
        np.testing.assert_allclose(row.prime_of_output(row.forward(x)), row.prime(x), rtol=1e-12)


def test_register_refuses_a_spelling_already_taken():
    with pytest.raises(ValueError, match="sigmoid"):
        builtins.register(elementwise("sigmoid2", "x", abs, abs, abs, aliases=("sigmoid",)))
    assert "sigmoid2" not in builtins.FUNCTIONS


# ----------------------------------------------------------------- docs, stage

def test_docs_function_table_is_current():
    # regenerate with: python -m dsl.builtins.docs
    assert docs.committed_table() == docs.function_table()


def test_docs_table_has_a_line_per_row_in_order():
    lines = docs.function_table().splitlines()[2:]
    assert [line.split("`")[1].split("(")[0] for line in lines] == list(builtins.FUNCTIONS)


def test_builtins_import_only_core_and_themselves():
    for path in sorted((ROOT / "dsl" / "builtins").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dsl"):
                assert node.module.split(".")[1] in ("core", "builtins"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name in ("numpy", "lark") or a.name.startswith("dsl") for a in node.names)


def test_the_table_and_a_shape_check_do_not_import_numpy():
    code = ("import sys, dsl.builtins\nfrom dsl.core.span import Source\nfrom dsl.pipeline import check_source\n"
            "r = check_source(Source('t.deriv', 'dims n\\nx : 1 x n\\ny = softplus(x)\\nL = sum(y)'), verify=False)\n"
            "assert not r.diagnostics\nprint('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------- a new row reaches every pass

@pytest.fixture
def cube():
    row = builtins.register(elementwise(
        "cube", "`x ** 3`", lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x, aliases=("cubed",)))
    try:
        yield row
    finally:
        builtins.unregister("cube")


PROGRAM = "dims n\na : 1 x n\nh = cube(a)\nL = sum(h)\n"


def _check(text, verify=True):
    return check_source(Source("cube.deriv", text), verify=verify)


def test_a_registered_row_is_parsed_checked_and_evaluated(cube):
    program, diags = parse_text("y = cubed(a)")
    assert not diags and program.statements[0].expr.func == "cube"
    report = _check(PROGRAM, verify=False)
    assert report.diagnostics == []
    assert str(report.env.names["h"].shape) == "1 x n"
    assert [d.code for d in _check(PROGRAM + "z = cube(a, a)\n", verify=False).diagnostics] == ["E203"]
    assert [d.code for d in _check(PROGRAM + "z = cub(a)\n", verify=False).diagnostics] == ["E202"]
    a = np.array([[1.0, -2.0, 3.0]])
    np.testing.assert_allclose(dsl.evaluate_expr("cube(a)", a=a), a ** 3)
    np.testing.assert_allclose(apply_call("cube", True, [a]), 3 * a ** 2)


def test_a_registered_row_is_differentiated(cube):
    report = _check(PROGRAM + "dL/da = cube'(a)\ndL/da = 3 * a ** 2\ndL/da = 6 * a\n"
                    "g = cube'(a)\nM = sum(g)\ndM/da = 6 * a\n")
    assert [c.status for c in report.claims] == ["verified", "verified", "wrong", "verified"]
    assert [d.code for d in report.diagnostics] == ["E500"]
    assert "cube" in autodiff.VJPS and "cube'" in autodiff.VJPS


def test_a_registered_row_is_printed_and_read_as_latex_and_documented(cube, tmp_path):
    program, _ = parse_text("h = cube(a)")
    (stmt,) = program.statements
    assert fmt.format_statement(stmt, to="latex").endswith(r"\operatorname{cube}(a)")
    tex = tmp_path / "cube.tex"
    tex.write_text("\\documentclass{article}\n% deriv: dims n\n% deriv: a : 1 x n\n\\begin{document}\n"
                   "\\begin{align}\n  h &= \\operatorname{cube}(a) \\\\\n  L &= \\operatorname{sum}(h) \\\\\n"
                   "  \\frac{\\partial L}{\\partial a} &= 3 a^2 \\\\\n"
                   "  \\frac{\\partial L}{\\partial a} &= 6 a\n\\end{align}\n\\end{document}\n", encoding="utf-8")
    assert "h = cube(a)" in extract(str(tex), tex.read_text(encoding="utf-8")).source.text.splitlines()
    out = io.StringIO()
    assert lint.run_lint([str(tex)], fmt="json", out=out) == 1
    (report,) = json.loads(out.getvalue())["files"]
    assert [c["status"] for c in report["claims"]] == ["verified", "wrong"]
    assert [d["code"] for d in report["diagnostics"]] == ["E500"]
    assert "| `cube(x)` (also `cubed`) | same | `x ** 3` | `\\operatorname{cube}` |" in docs.function_table()


def test_unregistering_leaves_no_trace(cube):
    builtins.unregister("cube")
    try:
        assert builtins.lookup("cubed") is None and builtins.function_name("cube") is None
        assert "cube" not in autodiff.VJPS and "cube" not in docs.function_table()
        assert [d.code for d in _check(PROGRAM, verify=False).diagnostics] == ["E202"]
    finally:
        builtins.register(cube)


TRACE_TEX = ("\\documentclass{article}\n% deriv: dims n\n% deriv: M : n x n\n% deriv: W : n x n\n"
             "\\begin{document}\n\\begin{align}\n  c &= \\operatorname{tr}(M) \\\\\n  D &= c W\n"
             "\\end{align}\n\\end{document}\n")


def test_the_latex_reader_takes_scalar_valued_from_the_row():
    from dataclasses import replace
    assert extract("a.tex", TRACE_TEX).source.text.splitlines()[-1] == "D = c * W"   # c is a scalar
    row = builtins.FUNCTIONS["trace"]
    builtins.register(replace(row, scalar=False), replace=True)
    try:
        # the form alone no longer says c is a scalar; the document reader still
        # learns it from c's checked shape, 1 x 1, so D = c * W either way
        assert not scalar_like(parse_expr("trace(M)")[0], frozenset())
        assert extract("a.tex", TRACE_TEX).source.text.splitlines()[-1] == "D = c * W"
    finally:
        builtins.register(row, replace=True)
    assert builtins.lookup("tr") is row and docs.committed_table() == docs.function_table()


def test_replace_needs_a_row_to_replace():
    with pytest.raises(ValueError, match="nothing to replace"):
        builtins.register(elementwise("nosuch", "x", abs, abs, abs), replace=True)
