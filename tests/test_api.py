"""The Python API and the packaging of the grammar."""
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import dsl
from dsl.api import ShapeError
from dsl.pipeline import Session

ROOT = Path(__file__).resolve().parent.parent


def test_evaluate_expr_takes_shapes_from_arrays():
    x, W = np.arange(3.0)[None, :], np.arange(6.0).reshape(3, 2)
    assert np.allclose(dsl.evaluate_expr("x @ W", x=x, W=W), x @ W)
    assert np.allclose(dsl.evaluate_expr("sigma(x) * x", x=x), x / (1 + np.exp(-x)))


def test_evaluate_expr_refuses_a_shape_error_with_the_diagnostic():
    with pytest.raises(ShapeError) as e:
        dsl.evaluate_expr("x @ W", x=np.ones((1, 3)), W=np.ones((2, 3)))
    assert e.value.diagnostics[0].code == "E300"
    assert "W.T" in str(e.value)


def test_shape_of():
    assert str(dsl.shape_of("x @ W.T", x=np.ones((1, 3)), W=np.ones((2, 3)))) == "1 x 2"


def test_check_and_parse():
    report = dsl.check("x : 1 x 3\ny = x @ x\n", verify=False)
    assert [d.code for d in report.diagnostics] == ["E300"]
    program, diags = dsl.parse("a = x @ W\n")
    assert not diags and program.statements[0].name == "a"


def test_verify_claim_text():
    text = (ROOT / "examples" / "mlp.deriv").read_text()
    ok = dsl.verify_claim(text, "dL/dtheta = yhat - y")
    bad = dsl.verify_claim(text, "dL/dtheta = y - yhat")
    assert ok.status == "verified"
    assert bad.status == "wrong" and "sign" in bad.detail


def test_session_keeps_names_and_verifies_only_new_claims():
    s = Session()
    s.feed("dims n\nx : 1 x n\nw : 1 x n\n")
    s.feed("L = sum(x * w)")
    r1 = s.feed("dL/dw = x")
    r2 = s.feed("dL/dx = 2 * w")
    assert [c.status for c in r1.claims] == ["verified"]
    assert [c.status for c in r2.claims] == ["wrong"]
    r3 = s.feed("L = x")
    assert [d.code for d in r3.diagnostics] == ["E201"]


@pytest.mark.slow
def test_wheel_contains_the_grammar(tmp_path):
    """A non-editable install must find grammar/chainrule.lark inside the wheel."""
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("chainrule-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "dsl/grammar/chainrule.lark" in names
    source = {str(f.relative_to(ROOT)) for f in (ROOT / "dsl").rglob("*.py")}
    assert source - set(names) == set(), "modules missing from the wheel (pyproject's package list)"
