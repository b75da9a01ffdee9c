"""The habits of ruff and mypy users: configuration in pyproject.toml,
``--select``/``--ignore``, suppression comments in every command, output
formats for CI and graders, ``--statistics``/``--quiet``/``--exit-zero``,
standard input, ``chainrule rule``, and ``.gitignore`` semantics."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dsl.apps import cli

ROOT = Path(__file__).resolve().parent.parent
WRONG = "x : 1 x 3\nW : 3 x 2\ny = x @ W.T\n"              # E300 on line 3
BROADCAST = "x : 1 x 3\nA : 3 x 3\ny = x @ A\nz = A * x\n"  # W303 on line 4
CLAIMS = "x : 1 x 3\nL = sum(x * x)\ndL/dx = 2 * x\ndL/dx = 3 * x\n"


def run(argv, capsys, cwd: Path | None = None, stdin: bytes | None = None, monkeypatch=None):
    if cwd is not None:
        assert monkeypatch is not None
        monkeypatch.chdir(cwd)
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project directory, the working directory of the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ----------------------------------------------------------------- configuration

def test_pyproject_table_is_read_and_the_command_line_overrides_it(project, capsys):
    (project / "w.deriv").write_text(WRONG)
    (project / "pyproject.toml").write_text('[tool.chainrule]\nignore = ["E3"]\n')
    code, out, _ = run(["check", "w.deriv", "--output-format", "concise"], capsys)
    assert (code, out) == (0, "")
    code, out, _ = run(["check", "w.deriv", "--output-format", "concise", "--isolated"], capsys)
    assert code == 1 and out.startswith("w.deriv:3:5: E300")
    code, out, _ = run(["check", "w.deriv", "--output-format", "concise", "--select", "E"], capsys)
    assert code == 0, "ignore from the file still applies under --select E: E3 is more specific"
    code, out, _ = run(["check", "w.deriv", "--output-format", "concise", "--extend-select", "E300"], capsys)
    assert code == 1 and "E300" in out, "E300 is more specific than the ignored E3"


def test_chainrule_toml_in_a_parent_directory_is_found(project, capsys, monkeypatch):
    (project / "chainrule.toml").write_text('output-format = "concise"\nstrict = true\n')
    sub = project / "notes" / "week1"
    sub.mkdir(parents=True)
    (sub / "b.deriv").write_text(BROADCAST)
    code, out, _ = run(["check", "b.deriv"], capsys, cwd=sub, monkeypatch=monkeypatch)
    assert code == 1, "strict = true makes the warning fail"
    assert out.startswith("b.deriv:4:") and "W303" in out and "checked" not in out


@pytest.mark.parametrize("body, named", [
    ("bogus = 1\n", "unknown key 'bogus'"),
    ('seed = -1\n', "'seed'"),
    ('timeout = "ten"\n', "'timeout' must be a number"),
    ('select = ["Q1"]\n', "'Q1' is not a code"),
    ('output-format = "xml"\n', "'output-format' must be one of"),
    ('per-file-ignores = ["E3"]\n', "'per-file-ignores' must be a table"),
    ("ignore = [\n", "not valid TOML"),
])
def test_a_bad_configuration_is_a_usage_error_naming_the_key(project, capsys, body, named):
    (project / "w.deriv").write_text(WRONG)
    (project / "pyproject.toml").write_text("[tool.chainrule]\n" + body)
    code, out, err = run(["check", "w.deriv"], capsys)
    assert code == 2 and out == ""
    assert "pyproject.toml" in err and named in err


def test_per_file_ignores_and_layout(project, capsys):
    (project / "hw").mkdir()
    (project / "hw" / "w.deriv").write_text(WRONG)
    (project / "w.deriv").write_text(WRONG)
    (project / "pyproject.toml").write_text('[tool.chainrule.per-file-ignores]\n"hw/*" = ["E300"]\n')
    code, out, _ = run(["check", "hw/w.deriv", "w.deriv", "--output-format", "concise"], capsys)
    assert code == 1 and out.count("E300") == 1 and out.startswith("w.deriv:")
    claim = "x : 1 x 3\nW : 3 x 2\ny = x @ W\ndy/dx = W\n"     # a 3 x 2 Jacobian: denominator layout
    (project / "c.deriv").write_text(claim)
    assert run(["check", "c.deriv", "--isolated"], capsys)[0] == 1
    (project / "pyproject.toml").write_text('[tool.chainrule]\nlayout = "denominator"\n')
    code, out, _ = run(["check", "c.deriv"], capsys)
    assert code == 0 and "verified" in out


# ----------------------------------------------------------------- selection and suppression

def test_selection_by_prefix_as_ruff_reads_it(project, capsys):
    (project / "b.deriv").write_text(WRONG + "z = x * W.T\n")
    code, out, _ = run(["check", "b.deriv", "--select", "W", "--output-format", "concise"], capsys)
    assert code == 0 and "E300" not in out
    code, out, _ = run(["check", "b.deriv", "--ignore", "E300,W", "--output-format", "concise"], capsys)
    assert (code, out) == (0, "")


def test_input_errors_are_never_silenced(project, capsys):
    code, out, _ = run(["check", "missing.deriv", "--ignore", "E", "--exit-zero"], capsys)
    assert code == 2 and "no such file" in out


def test_suppression_comments_in_check(project, capsys):
    (project / "s.deriv").write_text(
        "x : 1 x 3\nW : 3 x 2\n# chainrule: ignore[E300]\ny = x @ W.T\n"
        "z = x @ W  # chainrule: ignore[W303]\n")
    code, out, _ = run(["check", "s.deriv", "--output-format", "concise"], capsys)
    assert (code, out) == (0, "")
    code, out, _ = run(["check", "s.deriv", "--output-format", "concise", "--warn-unused-ignores"], capsys)
    assert code == 0 and out == "s.deriv:5:12: W705 this suppression comment silences nothing: W303\n"
    (project / "f.deriv").write_text("# chainrule: ignore-file\n" + CLAIMS)
    code, out, _ = run(["check", "f.deriv"], capsys)
    assert code == 0 and "wrong" not in out


def test_suppression_comments_in_lint_are_tracked_too(project, capsys):
    (project / "n.md").write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$ <!-- chainrule: ignore[E300] -->\n"
                                  "$$ z = x^T x $$ <!-- chainrule: ignore[E301] -->\n")
    code, out, _ = run(["lint", "n.md", "--output-format", "concise", "--warn-unused-ignores"], capsys)
    assert code == 0
    assert out == "n.md:3:17: W705 this suppression comment silences nothing: E301\n"


# ----------------------------------------------------------------- output

def test_statistics_quiet_and_exit_zero(project, capsys):
    (project / "a.deriv").write_text(WRONG + "u = x @ W.T\n")
    (project / "b.deriv").write_text(BROADCAST)
    code, out, _ = run(["check", "a.deriv", "b.deriv", "--statistics"], capsys)
    assert code == 1
    assert out.splitlines() == ["2\tE300\t[*] matmul-shape", "1\tW303\t[*] vector-broadcast"]
    code, out, _ = run(["check", "a.deriv", "b.deriv", "-q"], capsys)
    assert "checked" not in out and out.count("E300") == 2
    code, out, _ = run(["check", "b.deriv", "-q", "--no-verify"], capsys)
    assert code == 0 and "W303" in out
    assert run(["check", "a.deriv", "--exit-zero"], capsys)[0] == 0


def test_junit_has_a_case_per_file_and_per_claim(project, capsys):
    (project / "c.deriv").write_text(CLAIMS)
    (project / "w.deriv").write_text(WRONG)
    code, out, _ = run(["check", "c.deriv", "w.deriv", "--output-format", "junit"], capsys)
    assert code == 1
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert cases[("c.deriv", "dL/dx (line 3)")].find("failure") is None
    assert cases[("c.deriv", "dL/dx (line 4)")].find("failure") is not None
    assert cases[("w.deriv", "shapes")].find("failure").get("type") == "E300"


def test_gitlab_code_quality_report(project, capsys):
    (project / "w.deriv").write_text(WRONG + "u = x @ W.T\n")
    code, out, _ = run(["check", "w.deriv", "--output-format", "gitlab"], capsys)
    issues = json.loads(out)
    assert code == 1 and len(issues) == 2
    assert {i["location"]["path"] for i in issues} == {"w.deriv"}
    assert [i["location"]["positions"]["begin"]["line"] for i in issues] == [3, 4]
    assert len({i["fingerprint"] for i in issues}) == 2 and all(i["severity"] == "major" for i in issues)
    again = json.loads(run(["check", "w.deriv", "--output-format", "gitlab"], capsys)[1])
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_sarif_records_the_command_line(project, capsys):
    (project / "w.md").write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n")
    code, out, _ = run(["lint", "w.md", "--output-format", "sarif", "--no-verify"], capsys)
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert code == 1 and invocation["executionSuccessful"] is True
    assert "--output-format sarif" in invocation["commandLine"]


class _Metadata:
    def __init__(self, urls):
        self.urls = urls

    def get_all(self, key):
        return self.urls if key == "Project-URL" else None


@pytest.mark.parametrize("urls, expected", [
    (["Homepage, https://example.org", "Diagnostics, https://example.org/docs/diagnostics.md"],
     "https://example.org/docs/diagnostics.md#e300-matmul-shape"),
    (["Homepage, https://example.org"], None),           # no catalogue URL: no helpUri
    (["Diagnostics, docs/diagnostics.md"], None),         # SARIF wants an absolute URI
])
def test_sarif_rules_link_the_catalogue_entry_when_it_is_published(project, capsys, monkeypatch, urls, expected):
    import importlib.metadata

    from dsl.core import messages
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: _Metadata(urls))
    (project / "w.deriv").write_text(WRONG)
    log = json.loads(run(["check", "w.deriv", "--output-format", "sarif"], capsys)[1])
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    rule = next(r for r in rules if r["id"] == "E300")
    assert rule.get("helpUri") == expected
    heading = f"## E300 `{messages.CATALOGUE['E300'].name}`"
    assert heading in (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------- standard input

def test_check_and_lint_read_standard_input(project, capsys, monkeypatch):
    code, out, _ = run(["check", "-", "--output-format", "concise"], capsys, stdin=WRONG.encode(),
                       monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("-:3:5: E300")
    code, out, _ = run(["check", "-", "--stdin-filename", "hw/w.deriv", "--output-format", "concise"],
                       capsys, stdin=WRONG.encode(), monkeypatch=monkeypatch)
    assert out.startswith("hw/w.deriv:3:5: E300")
    doc = b"<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n"
    code, out, _ = run(["lint", "-", "--stdin-filename", "notes.md", "--output-format", "concise"], capsys,
                       stdin=doc, monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("notes.md:2:8: E300")
    code, out, _ = run(["check", "-"], capsys, stdin=b"\xff\xfe", monkeypatch=monkeypatch)
    assert code == 2 and "UTF-8" in out


@pytest.mark.parametrize("stream, expected", [
    (io.StringIO(WRONG), (1, "-:3:5: E300")),              # a text stream without .buffer (a notebook's)
    (io.StringIO("x : 1 x 3\n\udcff\n"), (2, "-:2:1: E900")),  # an undecodable byte, escaped: reported there
    (None, (2, "-:1:1: E900")),                             # no standard input at all
])
def test_standard_input_of_any_kind_is_read_or_reported(capsys, monkeypatch, stream, expected):
    monkeypatch.setattr(sys, "stdin", stream)
    code, out, err = run(["check", "-", "--output-format", "concise"], capsys)
    assert (code, out[:len(expected[1])]) == expected and "Traceback" not in err
    closed = io.StringIO(WRONG)
    closed.close()
    monkeypatch.setattr(sys, "stdin", closed)
    code, out, _ = run(["lint", "-", "--output-format", "concise"], capsys)
    assert code == 2 and "no standard input" in out


# ----------------------------------------------------------------- rule

def test_rule_prints_the_catalogue_entry(capsys):
    code, out, _ = run(["rule", "E300"], capsys)
    assert code == 0 and out.startswith("# E300 `matmul-shape`") and "**Instead:**" in out
    code, out, _ = run(["explain", "w303"], capsys)
    assert code == 0 and out.startswith("# W303")
    code, out, err = run(["rule", "E399"], capsys)
    assert code == 2 and "no code 'E399'" in err and "E300" in err
    code, out, _ = run(["rule", "--all", "--output-format", "json"], capsys)
    entries = json.loads(out)
    assert code == 0 and len(entries) > 40 and {"code", "checks", "why", "example", "instead"} <= set(entries[0])


# ----------------------------------------------------------------- discovery

def test_gitignore_negation_parent_files_and_info_exclude(project, capsys):
    (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("drafts/\n")
    (project / ".gitignore").write_text("*.md\n!keep.md\n")
    docs = project / "docs"
    for d in (docs, docs / "drafts"):
        d.mkdir(exist_ok=True)
        for name in ("a.md", "keep.md"):
            (d / name).write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n")
    code, out, _ = run(["lint", "docs", "--output-format", "concise", "--no-verify"], capsys)
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["docs/keep.md"]
    _, out, _ = run(["lint", "docs/a.md", "--output-format", "concise", "--no-verify"], capsys)
    assert out.startswith("docs/a.md:2:8: E300"), "a file named on the command line is always linted"


def test_exclude_patterns(project, capsys):
    for d in ("notes", "notes/old"):
        (project / d).mkdir(exist_ok=True)
        (project / d / "n.md").write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n")
    (project / "pyproject.toml").write_text('[tool.chainrule]\nextend-exclude = ["old/"]\n')
    code, out, _ = run(["lint", "notes", "--output-format", "concise", "--no-verify"], capsys)
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["notes/n.md"]
    _, out, _ = run(["lint", "notes", "--output-format", "concise", "--no-verify", "--isolated"], capsys)
    assert len(out.splitlines()) == 2


@pytest.mark.slow
def test_the_command_reads_piped_input_end_to_end(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dsl", "check", "-", "--output-format", "concise"],
                          input=WRONG, capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and proc.stdout.startswith("-:3:5: E300"), proc.stderr


def test_the_readme_configuration_example_is_valid(tmp_path):
    import re

    from dsl.apps import config
    block = re.search(r"```toml\n(\[tool\.chainrule\].*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None, "the README shows a [tool.chainrule] example"
    (tmp_path / "pyproject.toml").write_text(block.group(1))
    loaded = config.load(config.discover(str(tmp_path)))
    assert loaded.ignore == ("W303",) and loaded.layout == "numerator"
    assert loaded.per_file_ignores == (("homework/starter/*", ("E500",)),)


pytest_plugins = ["pytester"]


def test_pytest_plugin_ids_are_accepted_by_dash_k(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")       # loaded with -p only
    pytester.makefile(".md", notes="<!-- deriv\nx : 1 x 3\nL = sum(x * x)\n-->\n"
                                   "$$ \\frac{\\partial L}{\\partial x} = 2 x $$\n"
                                   "$$ \\frac{\\partial L}{\\partial x} = 3 x $$\n")
    args = ("-p", "dsl.apps.pytest_plugin", "--chainrule", "-p", "no:cacheprovider")
    listed = pytester.runpytest_subprocess(*args, "--collect-only", "-q")
    assert {"notes.md::line5", "notes.md::line6", "notes.md::shapes"} <= set(listed.outlines)
    picked = pytester.runpytest_subprocess(*args, "-k", "line5", "-q")
    picked.assert_outcomes(passed=1, deselected=2)
    failing = pytester.runpytest_subprocess(*args, "-k", "line6", "-q")
    failing.assert_outcomes(failed=1, deselected=2)


def test_carets_line_up_under_wide_characters(project, capsys):
    (project / "wide.md").write_text("<!-- deriv: x : 1 x 3 -->\n数据 😀: $$ y = x x $$\n")
    _, out, _ = run(["lint", "wide.md", "--no-verify"], capsys)
    lines = out.splitlines()
    shown = next(i for i, line in enumerate(lines) if line.startswith("2 | "))
    source, carets = lines[shown][4:], lines[shown + 1][4:]
    assert source == "数据 😀: $$ y = x x $$"
    columns = len("数据 😀: $$ y = ") + 3        # two CJK characters and an emoji are two columns each
    assert carets.index("^") == columns and carets.strip() == "^^^"


def test_watch_runs_again_on_each_change_and_stops_on_ctrl_c(project):
    from dsl.apps import watch
    (project / "w.deriv").write_text(WRONG)
    runs, seen = [], {}

    def fake_watch(*roots, watch_filter):
        seen["roots"] = roots
        seen["kept"] = (watch_filter(None, "a/notes.md"), watch_filter(None, "a/build.log"))
        yield {("modified", str(project / "w.deriv"))}
        yield {("modified", str(project / "w.deriv"))}
        raise KeyboardInterrupt

    out = io.StringIO()
    code = watch.run(lambda: runs.append(1) or 1, ["w.deriv"], out=out, watch=fake_watch)
    assert code == 0 and len(runs) == 3
    assert seen["roots"] == (str(project),) and seen["kept"] == (True, False)
    assert out.getvalue().count("watching for changes") == 3


def test_watch_without_the_extra_says_how_to_install_it(project, capsys, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_watchfiles(name, *a, **kw):
        if name == "watchfiles":
            raise ImportError(name)
        return real(name, *a, **kw)
    monkeypatch.setattr(builtins, "__import__", no_watchfiles)
    (project / "w.deriv").write_text(WRONG)
    code, _, err = run(["check", "w.deriv", "--watch"], capsys)
    assert code == 2 and 'pip install "chainrule[watch]"' in err


def test_the_readme_ci_recipes_use_real_options(project, capsys):
    """Every chainrule command in the README's CI recipes runs as written
    (on a document of its own), and writes the format the next step reads."""
    import re
    import shlex

    import yaml
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    recipes = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    commands = []
    for recipe in recipes:
        for job in (recipe.get("jobs") or {}).values():
            commands += [s["run"] for s in job["steps"] if "run" in s]
        for job in recipe.values():
            if isinstance(job, dict) and "script" in job:
                commands += job["script"]
    commands = [c for c in commands if c.startswith("chainrule ")]
    assert len(commands) >= 4, "the GitHub and GitLab recipes"
    (project / "docs").mkdir()
    (project / "docs" / "n.md").write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x $$\n")
    for command in commands:
        argv, _, target = command.partition(" > ")
        code, out, err = run(shlex.split(argv)[1:], capsys)
        assert err == "" and code in (0, 1), command
        if target.endswith(".sarif"):
            assert json.loads(out)["runs"][0]["results"][0]["ruleId"] == "E300" and code == 0
        elif target.endswith(".json"):
            assert json.loads(out)[0]["check_name"] == "E300"
        elif target.endswith(".xml"):
            assert ET.fromstring(out).get("failures") == "1" and code == 0
        else:
            assert out.startswith("::error ")


@pytest.mark.slow
def test_the_projects_own_readme_and_docs_lint_clean_with_its_configuration(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)                        # the [tool.chainrule] of this repository's pyproject.toml
    code, out, _ = run(["lint", "README.md", "docs/", "--output-format", "concise"], capsys)
    assert (code, out) == (0, "")
