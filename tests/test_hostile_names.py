"""Regression tests for hostile file names and configuration files.

A file name is bytes the user does not control (a downloaded homework, a
generated file): bytes that are not UTF-8, control characters, a line feed,
GitHub's ``::``.  Every output format must still print, parse (JUnit XML,
SARIF, JSON) and keep one diagnostic per line; SARIF URIs carry the name's
own bytes.  A configuration file of the wrong shape, nested without end or
not TOML is a usage error (exit 2) in the project's words.
"""
import json
import os
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

import pytest

from dsl.apps.cli import main
from dsl.core.span import shown_name
from dsl.pipeline.reading import read_source

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")

BAD = "x : 1 x n\ny = x @ x\n"          # one error: n is not declared
NAMES = [os.fsdecode(b"\xff\xfe.deriv"), "a\x01\nb::x,y.deriv", "esc\x1b[2J.deriv", "tab\there.deriv",
         "rtl\u202eevil.deriv"]
FORMATS = ["full", "text", "concise", "json", "sarif", "github", "gitlab", "junit"]


def _file(tmp_path: Path, name: str, text: str = BAD) -> str:
    path = os.path.join(os.fsencode(tmp_path), os.fsencode(name))
    with open(path, "wb") as fh:
        fh.write(text.encode())
    return name


def _chainrule(cwd: Path, *argv: str, encoding: str = "utf-8") -> subprocess.CompletedProcess:
    """The command in a process of its own, with output strictly in ``encoding``."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "dsl", *argv], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


def test_shown_names_escape_what_cannot_be_printed_and_keep_the_rest():
    assert shown_name("notes/week 3/ünïcode.md") == "notes/week 3/ünïcode.md"
    assert shown_name(os.fsdecode(b"\xff.md")) == "\\xff.md"
    assert shown_name("a\nb\x01\x7f\u2028") == "a\\nb\\x01\\x7f\\u2028"
    for name in NAMES:
        shown = shown_name(name)
        assert shown.isprintable() and shown.encode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_prints_hostile_names_and_stays_well_formed(tmp_path, fmt):
    names = [_file(tmp_path, n) for n in NAMES]
    done = _chainrule(tmp_path, "check", "--output-format", fmt, "--no-verify", *names, encoding="utf-8")
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err and done.returncode == 1, err
    out = done.stdout.decode("utf-8")           # strict: no lone surrogate, no byte that is not UTF-8
    assert "\x1b" not in out and "\u202e" not in out and "\x01" not in out
    if fmt == "junit":
        xml.dom.minidom.parseString(done.stdout)
    elif fmt in ("json", "sarif", "gitlab"):
        json.loads(out)
    else:     # one diagnostic per line: a line feed in a name never starts a line of its own
        lines = [line for line in out.splitlines() if "b::x" in line or line.startswith("b::x")]
        assert not any(line.startswith("b::x") for line in lines)
        if fmt == "github":
            assert all(line.startswith("::error ") for line in out.splitlines() if "b::x" in line)
    assert "\\xff\\xfe.deriv" in out.replace("\\\\", "\\") or fmt == "sarif"


def test_sarif_uris_carry_the_names_own_bytes(tmp_path):
    names = [_file(tmp_path, n) for n in NAMES[:2]]
    done = _chainrule(tmp_path, "check", "--output-format", "sarif", "--no-verify", *names)
    log = json.loads(done.stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in log["runs"][0]["results"] for loc in res["locations"]}
    assert uris == {"%FF%FE.deriv", "a%01%0Ab%3A%3Ax%2Cy.deriv"}
    assert "\\xff\\xfe.deriv" in log["runs"][0]["invocations"][0]["commandLine"]


def test_an_ascii_terminal_gets_escapes_not_an_encoding_error(tmp_path):
    name = _file(tmp_path, NAMES[0])
    done = _chainrule(tmp_path, "check", "--output-format", "concise", name, encoding="ascii")
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stdout.startswith(b"\\xff\\xfe.deriv:1:9: E206")


def test_a_name_given_for_standard_input_is_shown_the_same_way(tmp_path, capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BAD.encode())))
    code = main(["check", "--output-format", "concise", "--stdin-filename", "in\nput.deriv", "-"])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("in\\nput.deriv:1:9: E206")


def test_a_source_read_under_an_escaped_name_keeps_its_path(tmp_path):
    name = _file(tmp_path, NAMES[1], "x : 1 x 2\n")
    path = os.path.join(str(tmp_path), name)
    source, problem = read_source(path)
    assert problem is None and source.path == path and source.name == shown_name(path)
    missing, problem = read_source(str(tmp_path / "no\x1bthere.deriv"))
    assert missing is None and "\x1b" not in problem.message and "no\\x1bthere.deriv" in problem.message


def test_lint_reports_unlistable_or_missing_paths_under_shown_names(tmp_path, capsys):
    code = main(["lint", "--output-format", "concise", str(tmp_path / "gone\x1b.md")])
    out = capsys.readouterr().out
    assert code == 2 and "\x1b" not in out and "gone\\x1b.md" in out


def test_an_argument_that_is_not_utf8_is_named_as_a_byte(tmp_path):
    done = _chainrule(tmp_path, "fmt", "-e", os.fsdecode(b"x\xff"))
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert b"the byte 0xff, which is not UTF-8" in done.stdout


# ------------------------------------------------------------------ configuration files

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("text, words", [
    ("tool = 3\n", "pyproject.toml: 'tool' is not a table"),
    ("[tool]\nchainrule = 5\n", "pyproject.toml: [tool.chainrule] is not a table"),
    (f"[tool.chainrule]\nseed = {DEEP}\n", "pyproject.toml: not valid TOML: nested too deeply"),
    ("[tool.chainrule\n", "pyproject.toml: not valid TOML at line 1, column 16"),
    ("[tool.chainrule]\nseed = [1,\n", "pyproject.toml: not valid TOML at the end of the file"),
    ('[tool.chainrule]\n"bad\\u001bkey" = 1\n', "unknown key 'bad\\x1bkey'"),
    ("[tool.chainrule]\nseed = -1\n", "[tool.chainrule]: 'seed'"),
    ("[tool.chainrule]\ntimeout = nan\n", "[tool.chainrule]: 'timeout'"),
    ("[tool.chainrule]\nselect = [[[[1]]]]\n", "'select' must be a list of strings"),
])
def test_a_configuration_file_of_the_wrong_shape_is_a_usage_error(tmp_path, capsys, monkeypatch, text, words):
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "ok.deriv").write_text("x : 1 x 2\n")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--config", "pyproject.toml", "ok.deriv"])
    err = capsys.readouterr().err
    assert code == 2 and words in err, err
    assert "\x1b" not in err and "Error" not in err and "line 1, column 1)" not in err


# ------------------------------------------------------------------ sizes of a file's text

def test_a_statement_past_the_length_limit_is_e105_and_the_next_is_checked(tmp_path, capsys):
    from dsl.language import syntax
    call = "y = f(" + "x, " * (syntax.MAX_STATEMENT_CHARS // 3) + "x)"
    path = tmp_path / "long.deriv"
    path.write_text(f"x : 1 x 3\n{call}\nz = x @ x\n")
    code = main(["check", "--output-format", "concise", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].endswith(f":2:1: E105 statement too long ({len(call):,} characters, at most 100,000)")
    assert ":3:5: E300" in out[1]          # the statement after it is still checked


def test_statements_past_the_limit_are_one_located_e900(tmp_path, capsys, monkeypatch):
    from dsl.language import syntax
    from dsl.pipeline import incremental
    monkeypatch.setattr(syntax, "MAX_STATEMENTS", 5)
    text = "x : 1 x 3\n" + "".join(f"a{i} = x @ x\n" for i in range(8))
    program, diags = syntax.parse_text(text, "t.deriv")
    assert len(program.statements) == 5          # the declaration and a0..a3
    last = diags[-1]
    assert last.code == "E900" and (last.span.line, last.span.column) == (6, 1)
    assert "has 9 statements; the first 5 are checked" in last.message
    parsed = incremental.reparse(syntax.Source("t.deriv", text))
    assert [d.code for d in parsed.diagnostics] == [d.code for d in diags]
    again = incremental.reparse(syntax.Source("t.deriv", text + "b = x\n"), parsed)
    assert "has 10 statements" in again.diagnostics[-1].message


def test_a_document_past_the_formula_limit_says_where_reading_stops(tmp_path, capsys, monkeypatch):
    from dsl.frontends import limits
    monkeypatch.setattr(limits, "MAX_FORMULAS", 4)
    body = "".join(f"Then $$a_{i} = x W$$ and $h_{i} = \\sigma(a_{i})$.\n\n" for i in range(5))
    path = tmp_path / "notes.md"
    path.write_text("Let $W \\in \\mathbb{R}^{n \\times k}$ and $x \\in \\mathbb{R}^{1 \\times n}$.\n\n" + body)
    code = main(["lint", "--output-format", "concise", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("N702") == 1
    assert out.endswith(":7:8: N702 formula not checked: the document has more than 4 formulas; "
                        "this one and those after it are not read\n")


def test_the_cells_of_a_long_notebook_are_found_in_linear_time():
    import json

    from dsl.frontends.notebook import _json_lines
    cells = [{"cell_type": "markdown", "source": [f"line {i}\n", "more"]} for i in range(3000)]
    text = json.dumps({"cells": cells}, indent=1)
    lines = _json_lines(text, cells)
    assert len(lines) == 3000
    for number in (1, 2, 1500, 3000):
        line = lines[number][0]
        assert f'"line {number - 1}\\n"' in text.split("\n")[line - 1] and lines[number][1] is True
