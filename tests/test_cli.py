"""The command line end to end: outputs, exit codes, hostile input."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsl.apps.cli import main

ROOT = Path(__file__).resolve().parent.parent
MLP = str(ROOT / "examples" / "mlp.deriv")
QUESTION = str(ROOT / "examples" / "mistakes" / "seed002_question.deriv")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_clean_file_verifies_every_claim(capsys):
    code, out, _ = run(capsys, "check", "--color", "never", MLP)
    assert code == 0
    assert "7 verified" in out and "error" not in out.split("checked:")[0]


def test_check_flags_the_seed_question_on_its_line_with_the_fix(capsys):
    code, out, _ = run(capsys, "check", "--color", "never", QUESTION)
    assert code == 1
    assert "error[E300]" in out and "seed002_question.deriv:20:9" in out
    assert "`W1.T`" in out and "sizes: n = 5, k = 3" in out


def test_json_follows_the_spec_schema(capsys):
    code, out, _ = run(capsys, "check", "--format", "json", QUESTION, MLP)
    data = json.loads(out)
    assert code == 1 and len(data["files"]) == 2
    bad, good = data["files"]
    d = bad["diagnostics"][0]
    assert {"severity", "code", "message", "hint", "line", "column", "end_line", "end_column",
            "labels"} <= set(d)
    assert (d["severity"], d["code"], d["line"], d["column"]) == ("error", "E300", 20, 9)
    assert d["labels"][1]["text"] == "n x k"
    assert {c["status"] for c in good["claims"]} == {"verified"}
    assert good["claims"][0] == {"line": 20, "claim": "dL/dtheta", "status": "verified",
                                 "detail": good["claims"][0]["detail"]}


def test_no_verify_leaves_claims_unchecked(capsys):
    code, out, _ = run(capsys, "check", "--no-verify", "--format", "json", MLP)
    assert code == 0
    assert {c["status"] for c in json.loads(out)["files"][0]["claims"]} == {"unchecked"}


def test_strict_turns_warnings_into_failure(tmp_path, capsys):
    f = tmp_path / "w.deriv"
    f.write_text("dims n, k\nW : n x k\nh : 1 x k\ns = W * h\n")
    assert run(capsys, "check", str(f))[0] == 0
    code, out, _ = run(capsys, "check", "--strict", str(f))
    assert code == 1 and "W303" in out


@pytest.mark.parametrize("content, words", [
    (None, "no such file"),
    ("dir", "is a directory"),
    (b"\x7fELF\x00\x01binary", "binary file"),
    (b"x : 1 x 3\n\xff\xfe = 2\n", "not UTF-8"),
])
def test_unreadable_inputs_are_exit_2_and_other_files_still_checked(tmp_path, capsys, content, words):
    path = tmp_path / "bad.deriv"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "check", str(path), QUESTION)
    assert code == 2
    assert words in out and "E900" in out
    assert "E300" in out  # the good file after it was still checked
    assert "Traceback" not in out + err


def test_hostile_text_never_raises(tmp_path, capsys):
    deep = "a = " + "(" * 5000 + "x" + ")" * 5000 + "\n"
    long_sum = "x : 1 x 3\na = " + " + ".join(["x"] * 10000) + "\n"
    huge = "dims n = 100000000000000000000\nx : n x n\ny = x @ x\n"
    for i, text in enumerate([deep, long_sum, huge, "\u202e\u0000"[:1] + "@@@", ""]):
        f = tmp_path / f"h{i}.deriv"
        f.write_text(text)
        code, out, err = run(capsys, "check", str(f))
        assert code in (0, 1) and "Traceback" not in out + err


def test_eval_agrees_with_handwritten_numpy(tmp_path, capsys):
    rng = np.random.default_rng(3)
    arrays = {"x": rng.normal(size=(1, 5)), "W1": rng.normal(size=(5, 3)), "b1": rng.normal(size=(1, 3)),
              "W2": rng.normal(size=(3, 5)), "b2": rng.normal(size=(1, 5)), "y": np.eye(5)[[2]]}
    np.savez(tmp_path / "v.npz", **arrays)
    code, out, _ = run(capsys, "eval", MLP, "--data", str(tmp_path / "v.npz"), "--print", "L")
    assert code == 0
    a = arrays["x"] @ arrays["W1"] + arrays["b1"]
    h = 1 / (1 + np.exp(-a))
    t = h @ arrays["W2"] + arrays["b2"]
    p = np.exp(t - t.max()) / np.exp(t - t.max()).sum()
    expected = -np.sum(arrays["y"] * np.log(p))
    printed = float(out.split("L = ")[1].split()[0])
    assert abs(printed - expected) < 1e-6
    from dsl import pipeline as driver
    from dsl.core.span import Source
    ev = driver.evaluate_source(Source("mlp", Path(MLP).read_text()), data=arrays)
    assert abs(float(ev.values["L"]) - expected) < 1e-12


def test_eval_refuses_huge_sizes_before_allocating(tmp_path, capsys):
    f = tmp_path / "huge.deriv"
    f.write_text("dims n = 100000000000000000000\nx : n x n\ny = x @ x\n")
    code, out, _ = run(capsys, "eval", str(f))
    assert code == 1 and "E600" in out


def test_eval_warns_on_nan_naming_the_expression(tmp_path, capsys):
    f = tmp_path / "nan.deriv"
    f.write_text("x : 1 x 3\nz = -(x * x) - 1\nl = log(z)\n")
    _code, out, _ = run(capsys, "eval", str(f))
    assert "W601" in out and "log(z)" in out


def test_eval_refuses_pickled_npz(tmp_path, capsys):
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}], dtype=object))
    code, out, _ = run(capsys, "eval", MLP, "--data", str(tmp_path / "o.npz"))
    assert code == 2 and "Traceback" not in out


def test_explain_output_reparses_to_the_same_tree(capsys):
    from dsl.language.printer import to_source
    from dsl.language.syntax import parse_expr
    _code, out, _ = run(capsys, "explain", "-e", "p @ q * r @ s")
    first = out.splitlines()[0]
    assert first == "(((p @ q) * r) @ s)"
    again, diags = parse_expr(first)
    assert not diags and to_source(again) == to_source(parse_expr("p @ q * r @ s")[0])


def test_explain_file_shows_shapes(capsys):
    code, out, _ = run(capsys, "explain", MLP)
    assert code == 0 and "theta =" in out and "1 x n" in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2
    assert main([]) == 2


def test_version_starts_without_heavy_imports():
    code = ("import sys; from dsl.apps.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('numpy' in sys.modules, 'lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().endswith("False False"), out.stdout + out.stderr


def test_python_m_dsl_is_the_command():
    out = subprocess.run([sys.executable, "-m", "dsl", "check", "--no-verify", MLP],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "7 unchecked" in out.stdout


def test_check_explain_shows_the_parse_with_shapes(capsys):
    code, out, _ = run(capsys, "check", "--no-verify", "--explain", "--color", "never", MLP)
    assert code == 0
    assert "((((yhat - y) @ W2.T) * sigma'(a)) @ W1.T)" in out


def test_check_points_documents_to_lint(capsys):
    notes = str(ROOT / "tests" / "fixtures" / "lint" / "notes.md")
    code, out, _ = run(capsys, "check", "--color", "never", notes)
    assert code == 2 and "is a Markdown file" in out and "chainrule lint" in out
