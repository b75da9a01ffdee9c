"""Regression tests for hostile input to evaluation and verification: sizes
of 1 and of hundreds of digits, the memory budget (Jacobians and ``.npz``
conversion included), hostile ``.npz`` archives and NumPy's floating-point
warnings.  Each repro runs through the command and must end in a located
diagnostic with the documented exit code, the same on two runs, never E901.
"""
import json
import warnings
import zipfile

import numpy as np
import pytest

from dsl.apps.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_twice(capsys, *argv):
    """Run a command twice; both runs must print the same bytes."""
    first = run(capsys, *argv)
    assert run(capsys, *argv) == first
    return first


def write(tmp_path, text, name="t.deriv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def diagnostics(out):
    return [d for f in json.loads(out)["files"] for d in f["diagnostics"]]


# ------------------------------------------------------------- a size of 1

VECTOR_JACOBIAN = "dims n = 1, k\nx : 1 x n\nW : n x k\na = x @ W\nda/dx = {rhs}\n"


def test_a_size_of_one_keeps_the_jacobian_rule_and_verifies(tmp_path, capsys):
    path = write(tmp_path, VECTOR_JACOBIAN.format(rhs="W.T"))
    code, out, err = run_twice(capsys, "check", "--color", "never", path)
    assert code == 0 and "da/dx verified" in out and "E901" not in out and err == ""


def test_a_size_of_one_with_a_wrong_claim_is_diagnosed(tmp_path, capsys):
    path = write(tmp_path, VECTOR_JACOBIAN.format(rhs="2 * W.T"))
    code, out, _ = run_twice(capsys, "check", "--format", "json", path)
    [diag] = diagnostics(out)
    assert code == 1 and diag["code"] == "E500" and diag["line"] == 5
    assert diag["message"] == "da/dx is wrong: off by a factor of 2"


def test_a_size_of_one_in_denominator_layout(tmp_path, capsys):
    path = write(tmp_path, "layout denominator\n" + VECTOR_JACOBIAN.format(rhs="W"))
    code, out, _ = run(capsys, "check", "--color", "never", path)
    assert code == 0 and "da/dx verified" in out


def test_arrange_follows_the_declared_kind_not_the_drawn_sizes():
    from dsl.compute.autodiff import arrange, derivative_kind
    from dsl.core.dims import Shape, Sym
    row_n, row_k = Shape((1, Sym("n"))), Shape((1, Sym("k")))
    assert derivative_kind(row_k, row_n) == "jacobian"
    full = np.arange(3.0).reshape(3, 1)          # k = 3 outputs by n = 1 input
    assert arrange(full, (1, 3), (1, 1), "numerator", kind="jacobian").shape == (3, 1)
    assert arrange(full, (1, 3), (1, 1), "numerator").shape == (1, 3)   # the concrete guess
    assert arrange(full, (1, 3), (1, 1), "denominator", kind="jacobian").shape == (1, 3)


def test_diagnosis_of_values_of_different_shapes_says_so():
    from dsl.verify.diagnose import Sample, diagnose
    found = diagnose([Sample(np.ones((3, 1)), np.ones((1, 3)), {}, {})])
    assert found.detail == "its value is 3 x 1 at the drawn sizes, but the derivative is 1 x 3"


# ------------------------------------------------------------- huge sizes

HUGE = "9" * 400


@pytest.mark.parametrize("text,column", [
    (f"x : 1 x {HUGE}\nL = sum(x * x)\ndL/dx = 2 * x\n", 9),
    (f"dims n = {HUGE}\nx : 1 x n\nL = sum(x * x)\ndL/dx = 2 * x\n", 6),
    (f"x : 1 x 3\no = ones({HUGE}, 3)\nL = sum(o @ x.T)\ndL/dx = 2 * x\n", 10),
    (f"x : 1 x 3\nI = eye({HUGE})\nL = sum(x @ I)\ndL/dx = 2 * x\n", 9),
])
@pytest.mark.parametrize("command", ["check", "eval"])
def test_sizes_of_hundreds_of_digits_are_refused_where_they_are_written(tmp_path, capsys, text, column, command):
    path = write(tmp_path, text)
    code, out, err = run_twice(capsys, command, "--format", "json", path) if command == "check" else \
        run_twice(capsys, command, "--color", "never", path)
    assert code == 1 and "E901" not in out and err == ""
    if command == "check":
        first = diagnostics(out)[0]
        assert first["code"] == "E206" and first["column"] == column
        assert "must be less than 10^308" in first["message"] and len(first["message"]) < 120
    else:
        assert "error[E206]" in out and "10^308" in out


def test_a_size_just_under_the_limit_meets_the_memory_budget(tmp_path, capsys):
    path = write(tmp_path, f"dims n = {'9' * 307}\nA : n x n\nL = sum(A)\ndL/dA = ones(n, n)\n")
    code, out, _ = run_twice(capsys, "eval", "--color", "never", path)
    assert code == 1 and "error[E600]" in out and "about 8e+614 bytes" in out and "E901" not in out


def test_byte_counts_of_any_size_are_written_without_overflow():
    from dsl.compute.inputs import fmt_bytes
    assert fmt_bytes(8 * 10**40) == "about 8e+40 bytes"
    assert fmt_bytes(3 * 10**400) == "about 3e+400 bytes"
    assert fmt_bytes(10**400 - 1) == "about 1e+400 bytes"
