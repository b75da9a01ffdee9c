"""chainrule lint on real documents: the seeds as notes, a homework, a
notebook; output formats, suppression, walking, exit codes, processes."""
import io
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from dsl.apps import lint
from dsl.apps.lint import collect, run_lint
from dsl.render.sarif import ANNOTATIONS_PER_TYPE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "lint"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def lint_json(*paths, verify=True, **kw):
    out = io.StringIO()
    code = run_lint([str(p) for p in paths], fmt="json", verify=verify, out=out, **kw)
    return code, json.loads(out.getvalue())


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def by_line(report):
    found = {}
    for d in report["diagnostics"]:
        found.setdefault(d["line"], []).append(d["code"])
    return found


# ------------------------------------------------------------ the seed notes

@pytest.fixture(scope="module")
def notes_md():
    return lint_json(FIXTURES / "notes.md")


def test_seed_002_question_and_answer_flagged_on_their_own_lines_in_markdown(notes_md):
    code, data = notes_md
    (report,) = data["files"]
    path = FIXTURES / "notes.md"
    question = line_of(path, r"\circ\sigma'(a)\textbf{W}_{1}$$")
    answer = line_of(path, r"\Big(({\hat y}-y)W_2^T\Big)")
    corrected = line_of(path, r"\left((\hat y - y) W_2^\top \circ \sigma'(a)\right) W_1^\top")
    errors = {d["line"]: d["code"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert errors == {question: "E300", answer: "E301"}
    e300 = next(d for d in report["diagnostics"] if d["code"] == "E300")
    text = path.read_text(encoding="utf-8").splitlines()[question - 1]
    assert text[e300["column"] - 1:e300["end_column"] - 1] == r"\sigma'(a)\textbf{W}_{1}"
    assert "W_{1}^\\top" in e300["hint"]  # the fix is written in the notation of the document
    grouping = next(d for d in report["diagnostics"] if d["code"] == "N701")
    assert grouping["line"] == question and "(sigma'(a) @ W1)" in grouping["message"]
    claims = {c["line"]: c["status"] for c in report["claims"]}
    assert claims[corrected] == "verified"
    assert claims[line_of(path, r"=\frac{\partial L}{\partial \hat{y}}")] == "verified"
    assert code == 1


def test_prose_lines_of_the_notes_are_never_reported(notes_md):
    _, data = notes_md
    path = FIXTURES / "notes.md"
    flagged = {d["line"] for d in data["files"][0]["diagnostics"]}
    claim_lines = {c["line"] for c in data["files"][0]["claims"]}
    assert flagged <= claim_lines                 # every diagnostic is on a checked claim
    for prose in ("$x$ is", "In column vectors", "dL &= -p:Y^{-1}dy", "code blocks in other"):
        assert line_of(path, prose) not in flagged


def test_seed_notes_in_latex():
    code, data = lint_json(FIXTURES / "notes.tex")
    (report,) = data["files"]
    path = FIXTURES / "notes.tex"
    found = by_line(report)
    assert "E500" in found[line_of(path, r"\frac{\partial J}{\partial \boldsymbol{\theta}} =")]
    assert "E301" in found[line_of(path, r"\right) * W_2^T \cdot")]          # seed 001's * and \cdot
    assert "E300" in found[line_of(path, r"\circ\sigma'(a)\textbf{W}_{1}")]  # seed 002's question
    assert "E301" in found[line_of(path, r"\Big(({\hat y}-y)W_2^T\Big)")]   # its published answer
    wrong = next(d for d in report["diagnostics"] if d["code"] == "E500")
    assert "sign" in wrong["message"]
    claims = {(c["line"], c["claim"]): c["status"] for c in report["claims"]}
    assert claims[(line_of(path, r"\right) W_1^\top"), "dL/dx")] == "verified"
    assert claims[(line_of(path, r"\frac{\partial C}{\partial c}"), "dC/dc")] == "verified"
    assert line_of(path, r"Prose math is not checked") not in found
    assert code == 1


def test_homework_align_flags_only_the_wrong_step():
    code, data = lint_json(FIXTURES / "homework.tex")
    (report,) = data["files"]
    wrong_line = line_of(FIXTURES / "homework.tex", "the sign slipped here")
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("E500", wrong_line)]
    statuses = [(c["line"], c["status"]) for c in report["claims"]]
    assert statuses == [(wrong_line - 3, "verified"), (wrong_line - 2, "verified"),
                        (wrong_line - 1, "verified"), (wrong_line, "wrong"), (wrong_line + 1, "verified")]
    assert code == 1


def test_notebook_positions_carry_the_cell():
    code, data = lint_json(FIXTURES / "regression.ipynb")
    (report,) = data["files"]
    e300 = next(d for d in report["diagnostics"] if d["code"] == "E300")
    assert (e300["cell"], e300["line"], e300["column"]) == (5, 3, 35)
    assert [(c["cell"], c["line"], c["status"]) for c in report["claims"]] == [
        (5, 3, "unchecked"), (5, 7, "verified")]
    out = io.StringIO()
    run_lint([str(FIXTURES / "regression.ipynb")], out=out)
    assert "regression.ipynb:cell_5:3:35" in out.getvalue()
    assert "regression.ipynb:cell_5:7: dL/dw verified" in out.getvalue()
    assert "$$\\frac{\\partial L}{\\partial w} = \\frac{2}{m} X r$$" in out.getvalue()
    assert code == 1


# ----------------------------------------------------------------- formats

def test_sarif_validates_against_the_schema(tmp_path):
    out = io.StringIO()
    files = [FIXTURES / n for n in ("notes.md", "homework.tex", "regression.ipynb")]
    code = run_lint([str(f) for f in files] + [str(tmp_path / "missing.md")], fmt="sarif", out=out)
    log = json.loads(out.getvalue())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (run,) = log["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"E300", "E301", "E500", "E900", "N701"} <= set(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    nb = next(r for r in run["results"] if r["ruleId"] == "E300" and r.get("properties", {}).get("cell"))
    assert nb["properties"]["cell"] == 5 and nb["message"]["text"].startswith("cell 5, line 3, column 35:")
    raw = (FIXTURES / "regression.ipynb").read_text(encoding="utf-8").splitlines()
    assert "X r$$" in raw[nb["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
    assert code == 2


def test_sarif_schema_rejects_a_broken_log():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                           "results": [{"message": {"text": "m"}, "level": "fatal"}]}]})


def test_github_annotations_are_capped_per_type(tmp_path):
    doc = "<!-- deriv\ndims n, k\nx : 1 x n\nW : n x k\n-->\n" + "".join(
        f"$a_{{{i}}} = x W^T$\n" for i in range(14))
    (tmp_path / "many.md").write_text(doc, encoding="utf-8")
    out = io.StringIO()
    code = run_lint([str(tmp_path / "many.md")], fmt="github", out=out, verify=False)
    lines = out.getvalue().splitlines()
    annotations = [line for line in lines if line.startswith("::error ")]
    assert len(annotations) == ANNOTATIONS_PER_TYPE
    assert annotations[0].startswith(f"::error file={tmp_path / 'many.md'},line=6,col=")
    assert "title=chainrule E300::" in annotations[0]
    assert sum(1 for line in lines if "error[E300]" in line) == 14 - ANNOTATIONS_PER_TYPE
    assert lines[-1].startswith("chainrule: 14 error(s)") and "4 beyond GitHub's 10" in lines[-1]
    assert code == 1


def test_github_escapes_newlines_and_property_separators(tmp_path):
    path = tmp_path / "a,b:c.md"
    path.write_text("<!-- deriv\ndims n\nx : 1 x n\n-->\n$y = x x$\n", encoding="utf-8")
    out = io.StringIO()
    run_lint([str(path)], fmt="github", out=out, verify=False)
    first = out.getvalue().splitlines()[0]
    assert "a%2Cb%3Ac.md" in first and "%0Ahint:" in first


# ------------------------------------------------------------- suppression

def test_suppression_comment_silences_a_code_on_its_line(tmp_path):
    text = (FIXTURES / "homework.tex").read_text(encoding="utf-8")
    quiet = text.replace("% the sign slipped here", "% chainrule: ignore[E500]")
    (tmp_path / "hw.tex").write_text(quiet, encoding="utf-8")
    code, data = lint_json(tmp_path / "hw.tex")
    assert data["files"][0]["diagnostics"] == [] and code == 0
    other = text.replace("% the sign slipped here", "% chainrule: ignore[E300]")
    (tmp_path / "hw2.tex").write_text(other, encoding="utf-8")
    assert lint_json(tmp_path / "hw2.tex")[0] == 1


def test_markdown_suppression_on_the_line_before(tmp_path):
    doc = "<!-- deriv\ndims n\nx : 1 x n\n-->\n<!-- chainrule: ignore[E300] -->\n$y = x x$\n$z = x x$\n"
    (tmp_path / "s.md").write_text(doc, encoding="utf-8")
    _, data = lint_json(tmp_path / "s.md", verify=False)
    assert [d["line"] for d in data["files"][0]["diagnostics"]] == [7]


# --------------------------------------------------- walking and exit codes

def make_tree(root: Path):
    (root / "docs" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "build").mkdir()
    good = "<!-- deriv\ndims n\nx : 1 x n\n-->\n$y = x x^T$\n"
    bad = "<!-- deriv\ndims n\nx : 1 x n\n-->\n$y = x x$\n"
    (root / "docs" / "a.md").write_text(good, encoding="utf-8")
    (root / "docs" / "deep" / "b.md").write_text(bad, encoding="utf-8")
    (root / "docs" / "notes.txt").write_text(bad, encoding="utf-8")
    (root / ".git" / "c.md").write_text(bad, encoding="utf-8")
    (root / "build" / "d.md").write_text(bad, encoding="utf-8")
    (root / "skip.md").write_text(bad, encoding="utf-8")
    (root / ".gitignore").write_text("build/\n/skip.md\n", encoding="utf-8")
    return good, bad


def test_walk_order_ignores_and_symlink_loops(tmp_path):
    make_tree(tmp_path)
    os.symlink(tmp_path / "docs", tmp_path / "docs" / "deep" / "loop")
    files, problems = collect([str(tmp_path)])
    assert files == [str(tmp_path / "docs" / "a.md"), str(tmp_path / "docs" / "deep" / "b.md")]
    (loop,) = problems
    assert loop.report.diagnostics[0].code == "W704" and "symlink loop" in loop.report.diagnostics[0].message


def test_missing_paths_and_unreadable_files_are_input_errors_but_not_fatal(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "latin1.md").write_bytes("$a = é$\n".encode("latin-1"))
    code, data = lint_json(tmp_path / "docs", tmp_path / "nope.md", tmp_path / "latin1.md", verify=False)
    names = [f["file"] for f in data["files"]]
    assert str(tmp_path / "nope.md") in names and str(tmp_path / "docs" / "deep" / "b.md") in names
    latin = next(f for f in data["files"] if f["file"].endswith("latin1.md"))
    assert latin["diagnostics"][0]["code"] == "E900" and "UTF-8" in latin["diagnostics"][0]["message"]
    assert code == 2


def test_exit_codes_and_strict(tmp_path):
    _good, _ = make_tree(tmp_path)
    assert lint_json(tmp_path / "docs" / "a.md", verify=False)[0] == 0
    assert lint_json(tmp_path / "docs", verify=False)[0] == 1
    warn = "<!-- deriv\ndims n, k\nh : 1 x k\nW : n x k\n-->\n$s = W \\circ h$\n"
    (tmp_path / "w.md").write_text(warn, encoding="utf-8")
    assert lint_json(tmp_path / "w.md", verify=False)[0] == 0
    assert lint_json(tmp_path / "w.md", verify=False, strict=True)[0] == 1
    assert run_lint([str(tmp_path / "w.md")], fmt="yaml", out=io.StringIO()) == 2
    assert run_lint([str(tmp_path / "docs" / "notes.txt")], out=io.StringIO()) == 2


def test_lint_never_writes_to_what_it_reads(tmp_path):
    for name in ("notes.md", "homework.tex", "regression.ipynb"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    run_lint([str(tmp_path)], out=io.StringIO(), verify=False)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert before == after


def test_verbose_lists_skipped_formulas():
    out = io.StringIO()
    run_lint([str(FIXTURES / "notes.md")], out=out, verify=False)
    assert "not checked (--verbose lists them)" in out.getvalue() and "N702" not in out.getvalue()
    out = io.StringIO()
    run_lint([str(FIXTURES / "notes.md")], out=out, verify=False, verbose=True)
    assert "note[N702]: formula not checked: not declared or defined: p" in out.getvalue()


def test_many_files_in_processes_give_the_same_output_in_the_same_order(tmp_path, monkeypatch):
    good, bad = make_tree(tmp_path)
    for i in range(lint.PARALLEL_THRESHOLD + 4):
        (tmp_path / "docs" / f"f{i:02d}.md").write_text(bad if i % 3 else good, encoding="utf-8")
    serial, parallel = io.StringIO(), io.StringIO()
    code1 = run_lint([str(tmp_path)], fmt="json", out=serial, jobs=1)
    code2 = run_lint([str(tmp_path)], fmt="json", out=parallel, jobs=2)
    assert serial.getvalue() == parallel.getvalue() and code1 == code2 == 1
    names = [os.path.relpath(f["file"], tmp_path) for f in json.loads(parallel.getvalue())["files"]]
    docs = os.path.join("docs", "")
    expected = ([docs + "a.md"] + [f"{docs}f{i:02d}.md" for i in range(lint.PARALLEL_THRESHOLD + 4)]
                + [os.path.join("docs", "deep", "b.md")])   # files of a directory, then its subdirectories
    assert names == expected


def test_deriv_files_are_linted_too():
    code, data = lint_json(ROOT / "examples" / "mlp.deriv")
    assert code == 0 and all(c["status"] == "verified" for c in data["files"][0]["claims"])


# ------------------------------------------------ pre-commit and pytest plugin

def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "chainrule-lint" and hook["entry"] == "chainrule lint --quiet"   # problems only
    assert hook["language"] == "python"
    import re
    pattern = re.compile(hook["files"])
    for name in ("notes.md", "homework.tex", "regression.ipynb", "mlp.deriv"):
        assert pattern.search(name)
    assert not pattern.search("setup.py")


pytest_plugins = ["pytester"]


def test_pytest_plugin_collects_claims_as_tests(pytester, monkeypatch):
    # loaded with -p only, whether or not the pytest11 entry point is installed
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    shutil.copy(FIXTURES / "homework.tex", pytester.path / "homework.tex")
    result = pytester.runpytest("-p", "dsl.apps.pytest_plugin", "--chainrule", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*dL/dW (line 23)*", "*error?E500?: dL/dW is wrong: the sign is flipped*"])
    quiet = pytester.runpytest("-p", "dsl.apps.pytest_plugin", "-q", "-p", "no:cacheprovider")
    quiet.assert_outcomes()                       # without --chainrule nothing is collected


def test_other_grouping_is_named_when_it_is_shape_correct(tmp_path):
    doc = "<!-- deriv\ndims n, k\nx : 1 x n\nh : 1 x n\nW : n x k\n-->\n$$g = x \\circ h W$$\n"
    (tmp_path / "g.md").write_text(doc, encoding="utf-8")
    _, data = lint_json(tmp_path / "g.md", verify=False)
    found = [(d["code"], d["line"], d["message"]) for d in data["files"][0]["diagnostics"]]
    assert [c for c, _, _ in found] == ["E301", "N701", "N703"]
    assert found[1][2] == "the formula was read as x * (h @ W)"
    assert "x * h @ W" in found[2][2] and all(line == 7 for _, line, _ in found)


def test_the_readme_pre_commit_snippet_pins_a_commit_with_the_hook():
    import re
    import subprocess
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:\n.*?)```", text, re.S)
    assert block is not None, "the README shows a .pre-commit-config.yaml"
    (repo,) = yaml.safe_load(block.group(1))["repos"]
    assert repo["hooks"] == [{"id": "chainrule-lint"}]
    assert re.fullmatch(r"[0-9a-f]{40}", repo["rev"]), "pre-commit needs a full hash (or a tag)"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip(reason="not a git checkout: the pinned commit cannot be looked up")
    shown = subprocess.run(["git", "show", f"{repo['rev']}:.pre-commit-hooks.yaml"], cwd=ROOT,
                           capture_output=True, text=True)
    if shown.returncode != 0 and "bad object" in shown.stderr + shown.stdout:
        pytest.skip(reason="a shallow checkout without the pinned commit's history")
    assert shown.returncode == 0, shown.stderr
    (hook,) = yaml.safe_load(shown.stdout)
    assert hook["id"] == "chainrule-lint" and "--quiet" in hook["entry"]


def test_a_definition_restated_by_a_hand_statement_is_not_defined_twice(tmp_path):
    """``L = \\ell(o, y)`` in the prose, then ``<!-- deriv: L = ... -->`` below it:
    the hand statement wins, with no E201 and no claim left on the opaque ``ell``."""
    doc = tmp_path / "hand.md"
    doc.write_text("<!-- deriv\ndims q\no : q x 1\ny : q x 1 onehot\n-->\n"
                   "Write $\\ell$ for the loss, so that $L = \\ell(\\mathbf{o}, y)$.\n"
                   "<!-- deriv: L = xent(y, softmax(o)) -->\n"
                   "$$\\frac{\\partial L}{\\partial \\mathbf{o}} = \\operatorname{softmax}(\\mathbf{o}) - y$$\n",
                   encoding="utf-8")
    code, data = lint_json(doc)
    (report,) = data["files"]
    assert [d["code"] for d in report["diagnostics"]] == []
    assert [c["status"] for c in report["claims"]] == ["verified"]
    assert code == 0


def test_entry_claims_on_the_diagonal_or_under_a_condition_are_skipped_with_the_reason(tmp_path):
    """``ds_i/dz_i`` (one entry of a diagonal) and "for $i \\ne j$, $ds_i/dz_j = ...$"
    cannot be checked over every entry: a note says why, and no E212 or E500."""
    doc = tmp_path / "jac.md"
    doc.write_text("<!-- deriv\ndims K\nz : K x 1\n-->\n"
                   "The softmax is $s = \\operatorname{softmax}(z)$, and\n"
                   "$\\partial s_i / \\partial z_i = s_i (1 - s_i)$ on its own input.\n\n"
                   "For $i \\ne j$, $\\partial s_i / \\partial z_j = -s_i s_j$, and so\n\n"
                   "$$\\frac{\\partial s}{\\partial z} = s \\odot (1 - s)$$\n", encoding="utf-8")
    _, data = lint_json(doc)
    (report,) = data["files"]
    assert sorted({d["code"] for d in report["diagnostics"]}) == ["E500", "W402"]
    assert {d["line"] for d in report["diagnostics"]} == {10}
    _, data = lint_json(doc, verbose=True)
    why = [d["message"] for d in data["files"][0]["diagnostics"] if d["code"] == "N702"]
    assert any("one entry of a diagonal" in w for w in why)
    assert any("holds only where i \\ne j" in w for w in why)


def test_a_formula_per_entry_about_vectors_is_skipped_with_the_reason(tmp_path):
    """``z_i = y_i \\mathbf{x}_i^\\top \\mathbf{w}``: the entry y_i beside the i-th
    example and the whole w; not index notation the checker can hold (no E214)."""
    doc = tmp_path / "margins.tex"
    doc.write_text("% deriv: dims m, n\n% deriv: y : m x 1\n% deriv: w : n x 1\n"
                   "With the margins $z_i = y_i \\mathbf{x}_i^\\top \\mathbf{w}$ the objective is\n",
                   encoding="utf-8")
    code, data = lint_json(doc)
    assert data["files"][0]["diagnostics"] == [] and code == 0
    _, data = lint_json(doc, verbose=True)
    why = [d["message"] for d in data["files"][0]["diagnostics"] if d["code"] == "N702"]
    assert any("entries beside whole vectors" in w for w in why)
