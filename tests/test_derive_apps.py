"""``chainrule derive``, the REPL's ``:derive``, the ``%derive`` magic and
``dsl.derive``: output, exit codes, notations, and bad input as diagnostics."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import dsl
from dsl.api import DeriveError
from dsl.apps.cli import main
from dsl.apps.magic import NotebookSession, derive_line, run_cell
from dsl.apps.repl_commands import Engine

ROOT = Path(__file__).resolve().parent.parent
MLP = str(ROOT / "examples" / "mlp.deriv")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["derive", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_derive_prints_one_line_and_its_assumption(capsys):
    code, out, _ = run(capsys, MLP, "L", "x")
    assert code == 0
    assert out == "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T\n# using: y is onehot\n"


def test_derive_takes_the_claims_spelling(capsys):
    assert run(capsys, MLP, "dL/dW2")[1].startswith("dL/dW2 = h.T @ (yhat - y)\n")
    assert run(capsys, MLP, "∂L/∂W2")[1].startswith("dL/dW2 = h.T @ (yhat - y)\n")


def test_steps_end_with_the_whole_form(capsys):
    code, out, _ = run(capsys, MLP, "L", "x", "--steps")
    assert code == 0
    assert out.splitlines()[:5] == ["dL/dtheta = yhat - y", "dL/dh = dL/dtheta @ W2.T",
                                    "dL/da = dL/dh * sigma'(a)", "dL/dx = dL/da @ W1.T",
                                    "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T"]


def test_steps_whose_last_line_is_the_whole_form_print_it_once(capsys):
    code, out, _ = run(capsys, str(Path(MLP).parent / "attention.deriv"), "L", "K", "--steps")
    assert code == 0
    assert out.splitlines() == ["dL/dO = G", "dL/dA = dL/dO @ V.T", "dL/dS = A * (dL/dA - sum(dL/dA * A, axis=1))",
                                "dL/dK = dL/dS.T @ Q / sqrt(d)"]


def test_the_steps_pasted_under_the_file_all_verify(capsys, tmp_path):
    _, out, _ = run(capsys, MLP, "L", "x", "--steps")
    path = tmp_path / "mlp_steps.deriv"
    path.write_text(Path(MLP).read_text(encoding="utf-8") + out, encoding="utf-8")
    assert main(["check", "--format", "json", str(path)]) == 0
    claims = json.loads(capsys.readouterr().out)["files"][0]["claims"]
    assert {c["status"] for c in claims} == {"verified"}


@pytest.mark.parametrize(("to", "expected"), [
    ("unicode", "∂L/∂W₂ = hᵀ @ (ŷ - y)"),
    ("latex", r"\frac{\partial L}{\partial W_{2}} = h^\top (\hat{y} - y)"),
])
def test_other_notations(capsys, to, expected):
    code, out, _ = run(capsys, MLP, "L", "W2", "--to", to)
    assert code == 0 and out.splitlines()[0] == expected


def test_json_carries_every_notation(capsys):
    code, out, _ = run(capsys, MLP, "L", "W1", "--format", "json", "--steps")
    data = json.loads(out)
    assert code == 0 and data["derivative"] == "dL/dW1" and data["verified"] is True
    assert data["expr"]["ascii"] == "x.T @ ((yhat - y) @ W2.T * sigma'(a))"
    assert set(data["expr"]) == {"ascii", "unicode", "latex"}
    assert data["assumptions"] == ["y is onehot"]
    assert data["steps"][0] == {"claim": "dL/dtheta", "expr": "yhat - y"}


def test_json_of_a_jacobian_carries_its_index_form(capsys):
    code, out, _ = run(capsys, str(ROOT / "examples" / "mlp_column.deriv"), "h", "a", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["expr"]["ascii"] == "diag(sigma'(a))"
    assert data["index"] == "dh[i]/da[j] = sigma'(a[i]) * delta(i, j)"


def test_bad_names_are_diagnostics_with_exit_1(capsys):
    code, out, _ = run(capsys, MLP, "L", "nothere")
    assert code == 1 and "error[E510]" in out and "'nothere' is not a declared or defined name" in out
    code, out, _ = run(capsys, MLP, "L", "nothere", "--format", "json")
    assert code == 1 and json.loads(out)["diagnostics"][0]["code"] == "E510"


def test_usage_and_input_errors_exit_2(capsys, tmp_path):
    assert run(capsys, MLP, "Lx")[0] == 2
    code, out, _ = run(capsys, str(tmp_path / "missing.deriv"), "L", "x")
    assert code == 2 and out.count("error[E900]") == 1
    binary = tmp_path / "b.deriv"
    binary.write_bytes(b"\x00\xff\xfe garbage")
    assert run(capsys, str(binary), "L", "x")[0] == 2


def test_a_file_with_errors_still_derives_what_it_can(capsys, tmp_path):
    path = tmp_path / "t.deriv"
    path.write_text("dims n\nx : 1 x n\nL = sum(x * x)\nbad = x @ x\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "L", "x")
    assert code == 0 and out == "dL/dx = 2 * x\n" and "error[E300]" in err


def test_nothing_from_the_input_crashes_the_command(capsys, tmp_path):
    path = tmp_path / "deep.deriv"
    path.write_text("dims n\nx : 1 x n\nL = sum(" + "sigma(" * 300 + "x" + ")" * 300 + ")\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "L", "x")
    assert code in (0, 1) and "Traceback" not in out


def test_repl_derive():
    e = Engine()
    assert e.handle(":load " + MLP).errors == 0
    out = e.handle(":derive L x --steps")
    assert out.errors == 0 and out.text.splitlines()[0] == "dL/dtheta = yhat - y"
    assert e.handle(":derive dL/dW2 --to latex").text.startswith(r"\frac{\partial L}{\partial W_{2}}")
    bad = e.handle(":derive L zz")
    assert bad.errors == 1 and "E510" in bad.text
    assert e.handle(":derive").text.startswith("usage: :derive")
    assert ":derive" in e.handle(":help").text


def test_repl_derive_before_any_definition():
    assert Engine().handle(":derive L x").errors == 1


def test_magic_derive(capsys):
    nb = NotebookSession()
    run_cell(nb, "", (ROOT / "examples" / "softmax_regression.deriv").read_text(encoding="utf-8"))
    d = derive_line(nb, "L W")
    assert d is not None and d.text == "X.T @ (P - Y) / m"
    assert capsys.readouterr().out.startswith("dL/dW = X.T @ (P - Y) / m")


def test_magic_is_registered():
    pytest.importorskip("IPython", reason="IPython is the optional 'notebook' extra")
    from IPython.core.interactiveshell import InteractiveShell
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "dsl")
    assert "derive" in sh.magics_manager.magics["line"]


def test_python_api():
    text = (ROOT / "examples" / "mlp.deriv").read_text(encoding="utf-8")
    d = dsl.derive(text, "L", "x", steps=True)
    assert d.text == "(yhat - y) @ W2.T * sigma'(a) @ W1.T"
    assert d.texts["ascii"] == "dL/dx = " + d.text
    assert d.texts["latex"].startswith(r"\frac{\partial L}{\partial x} = ")
    assert d.texts["unicode"].startswith("∂L/∂x = ")
    assert d.assumptions == ("y is onehot",)
    assert [s.name for s in d.steps][-1] == "dL/dx"
    from dsl.core.ast import BinOp
    assert isinstance(d.expr, BinOp)
    import importlib
    importlib.import_module("dsl.derive")   # the stage package shares the name; the call still works
    assert dsl.derive(text, "dL/dW2").text == "h.T @ (yhat - y)"


def test_python_api_refusal():
    with pytest.raises(DeriveError) as err:
        dsl.derive("dims n\nx : 1 x n\nL = sum(x)", "L", "q")
    assert err.value.diagnostics[0].code == "E510"


def test_lint_writes_the_derived_fix_in_latex(capsys, tmp_path):
    note = tmp_path / "hw.md"
    note.write_text(
        "# Homework 3, question 2\n\n"
        "<!-- deriv: dims m, d\nX : m x d\nw : d x 1\ny : m x 1 -->\n\n"
        "The residual is $r = X w - y$ and the loss is $L = \\operatorname{sum}(r \\odot r)$.\n\n"
        "My answer:\n\n$$\\frac{\\partial L}{\\partial w} = 2 X r$$\n", encoding="utf-8")
    main(["lint", "--format", "json", str(note)])
    data = json.loads(capsys.readouterr().out)
    fixes = [d["fix"] for f in data["files"] for d in f["diagnostics"] if d.get("fix", {}).get("claim")]
    assert fixes, data
    assert fixes[0]["claim"] == "dL/dw"
    latex = fixes[0]["replacement"]         # re-spelled by the front end: LaTeX, not chainrule source
    assert "X^\\top" in latex and "@" not in latex and ".T" not in latex
