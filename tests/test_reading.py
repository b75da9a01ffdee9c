"""Reading sources (``pipeline.reading``) and every front end that reads
through it: only regular files, of bounded size, never a hang on a FIFO,
never a traceback; each refusal an E900 with exit code 2, the same on two
runs.  The lint walk skips what it must not follow with a W704."""
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dsl.apps import repl
from dsl.apps.cli import main
from dsl.apps.lint import run_lint
from dsl.apps.repl_commands import Engine
from dsl.core import messages
from dsl.pipeline import reading

ROOT = Path(__file__).resolve().parent.parent
MLP = ROOT / "examples" / "mlp.deriv"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
UNBLOCK_AFTER = 20                  # seconds
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_twice(capsys, *argv):
    """Run a command twice; the exit code and output, asserted equal both times."""
    first, second = run(capsys, *argv), run(capsys, *argv)
    assert first == second
    assert "Traceback" not in first[1] + first[2]
    return first


def command(*argv, cwd=ROOT, stdin=None, timeout=60):
    """``python -m dsl ARGV`` in a process: a hang fails the test instead of the suite."""
    return subprocess.run([sys.executable, "-m", "dsl", *argv], capture_output=True, cwd=cwd,
                          input=stdin, timeout=timeout, check=False)


@pytest.fixture
def mkfifo():
    """Make FIFOs that a reader blocked on them is freed from after a while
    (a writer opens and closes them), so a regression fails instead of hanging;
    the test fails if any reader had to be freed."""
    stop = threading.Event()
    threads, freed = [], []

    def make(path: Path) -> Path:
        os.mkfifo(path)

        def unblock():
            if stop.wait(UNBLOCK_AFTER):
                return
            while not stop.wait(0.05):
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:                     # no reader: nobody is blocked
                    continue
                freed.append(path)
        threads.append(threading.Thread(target=unblock, daemon=True))
        threads[-1].start()
        return path
    yield make
    stop.set()
    for t in threads:
        t.join()
    assert not freed, f"a reader blocked on {freed[0]}"


@pytest.fixture
def fifo(tmp_path, mkfifo):
    return mkfifo(tmp_path / "a.deriv")


# ------------------------------------------------------------ read_source

def test_a_regular_file_reads_as_before():
    source, problem = reading.read_source(str(MLP))
    assert problem is None and source.text == MLP.read_text(encoding="utf-8")


@needs_fifo
def test_a_fifo_is_refused_without_opening_it(fifo):
    source, problem = reading.read_source(str(fifo))       # would block if it were opened to read
    assert source is None and problem.code == "E900"
    assert problem.message == f"{fifo} is a FIFO (named pipe), not a regular file"


@needs_dev_zero
def test_a_device_is_refused():
    source, problem = reading.read_source("/dev/zero")
    assert source is None and problem.message == "/dev/zero is a character device, not a regular file"


def test_a_directory_is_refused(tmp_path):
    assert reading.read_source(str(tmp_path))[1].message == f"{tmp_path} is a directory, not a regular file"


def test_a_name_with_a_nul_is_refused_not_raised():
    source, problem = reading.read_source("a\x00b.deriv")
    assert source is None
    assert problem.message == "a\\x00b.deriv: cannot read (a file name cannot contain a NUL character)"
    outcome = Engine(verify=False).handle(":load a\x00b.deriv")
    assert "E900" in outcome.text and "E901" not in outcome.text


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path):
    big = tmp_path / "big.deriv"
    big.write_bytes(b"x : 1 x 1\n" * 200)
    source, problem = reading.read_source(str(big), limit=1000)
    assert source is None and problem.message == f"{big} is too large (0 MiB, limit 0 MiB)"
    assert reading.read_source(str(big), limit=2000)[0] is not None      # exactly 2000 bytes
    assert reading.mib(17 * 2**20) == "17" and reading.mib(int(16.5 * 2**20)) == "16.5"


def test_the_read_is_bounded_even_if_the_file_grows(tmp_path, monkeypatch):
    # the size seen by stat can be stale (a growing file): only limit + 1 bytes are read
    path = tmp_path / "growing.deriv"
    path.write_bytes(b"#" * 5000)
    real_fstat = os.fstat

    def stale(fd):
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))
    monkeypatch.setattr(reading.os, "fstat", stale)
    monkeypatch.setattr(reading, "check_regular", lambda path, limit: None)
    source, problem = reading.read_source(str(path), limit=100)
    assert source is None
    assert problem.message == f"{path} is too large (it grew past the limit of 0 MiB while it was read)"


# Where a file is opened other than by reading.py, and why that is not a user's source.
OTHER_OPENS = {
    "dsl/compute/inputs.py",             # .npz archives, after pipeline.load_npz's check_regular
    "dsl/compute/npz.py",                # the members of an archive inputs.py has opened
    "dsl/frontends/latex_math.py",       # the package's own grammar
    "dsl/language/syntax.py",            # the package's own grammar
    "dsl/builtins/docs.py",              # the package's own function table docs
    "dsl/apps/repl.py",                  # the history file, appended to
    "dsl/apps/repl_commands.py",         # :save, written to
}


def test_sources_are_opened_only_by_the_reader():
    import re
    pattern = re.compile(r"\bopen\(|\.read_text\(|\.read_bytes\(|np\.load\(|json\.load\(|\.fdopen\(")
    opening = {path.relative_to(ROOT).as_posix() for path in (ROOT / "dsl").rglob("*.py")
               if pattern.search(path.read_text(encoding="utf-8"))}
    assert "dsl/pipeline/reading.py" in opening
    assert opening - {"dsl/pipeline/reading.py"} <= OTHER_OPENS, "a module opens files itself"


def test_the_documented_limit_is_the_one_used():
    assert reading.MAX_SOURCE_BYTES == 16 * 2**20
    assert "16 MiB" in messages.CATALOGUE["E900"].checks
    assert "16 MiB" in (ROOT / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------ commands

@needs_dev_zero
def test_check_dev_zero_is_an_input_error_not_a_memory_error():
    out = command("check", "/dev/zero")
    again = command("check", "/dev/zero")
    assert out.returncode == 2 and (out.stdout, out.stderr) == (again.stdout, again.stderr)
    assert b"error[E900]: /dev/zero is a character device, not a regular file" in out.stdout
    assert out.stderr == b""


@needs_fifo
@pytest.mark.parametrize("argv", [["check"], ["check", "--no-verify"], ["eval"], ["explain"],
                                  ["fmt"], ["lint"]])
def test_no_command_blocks_on_a_fifo(fifo, argv):
    out = command(*argv, str(fifo), timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert b"E900" in out.stdout and b"FIFO (named pipe), not a regular file" in out.stdout
    assert b"Traceback" not in out.stdout + out.stderr


@needs_fifo
def test_check_goes_on_after_a_fifo(fifo, capsys):
    code, out, _ = run_twice(capsys, "check", "--no-verify", str(fifo), str(MLP))
    assert code == 2 and "E900" in out and "7 unchecked" in out


@needs_fifo
def test_eval_data_must_be_a_regular_file(tmp_path, capsys, mkfifo):
    npz = mkfifo(tmp_path / "values.npz")
    code, out, _ = run_twice(capsys, "eval", str(MLP), "--data", str(npz))
    assert code == 2 and f"error[E900]: {npz} is a FIFO (named pipe), not a regular file" in out


def test_eval_data_larger_than_the_budget_is_refused_before_reading(tmp_path, capsys):
    npz = tmp_path / "values.npz"
    with open(npz, "wb") as fh:          # sparse: 2 MiB on the size, nothing on the disk
        fh.truncate(2 * 2**20)
    code, out, _ = run_twice(capsys, "eval", str(MLP), "--data", str(npz), "--memory", "0.001")
    assert code == 2 and f"{npz} is too large (2 MiB, limit 1 MiB)" in out


def test_a_source_over_16_mib_is_refused_by_every_command(tmp_path, capsys):
    big = tmp_path / "big.deriv"
    with open(big, "wb") as fh:
        fh.truncate(17 * 2**20)
    for argv in (["check"], ["eval"], ["explain"], ["fmt"], ["lint"]):
        code, out, _ = run_twice(capsys, *argv, str(big))
        assert code == 2 and f"{big} is too large (17 MiB, limit 16 MiB)" in out, argv


# ------------------------------------------------------------ notebooks

def deep_notebook(tmp_path) -> Path:
    path = tmp_path / "deep.ipynb"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return path


def test_a_deeply_nested_notebook_is_an_input_error(tmp_path, capsys):
    nb = deep_notebook(tmp_path)
    code, out, _ = run_twice(capsys, "lint", str(nb))
    assert code == 2
    assert f"error[E900]: {nb}: not a valid notebook: the JSON is nested too deeply" in out
    assert "E901" not in out and "RecursionError" not in out


def test_a_deeply_nested_notebook_through_the_repl_load(tmp_path):
    nb = deep_notebook(tmp_path)
    outcome = Engine(verify=False).load(str(nb))
    assert outcome.unreadable and "E900" in outcome.text and "nested too deeply" in outcome.text
    out = io.StringIO()
    assert repl.run_piped(Engine(verify=False), io.StringIO(f":load {nb}\n"), out.write) == 2
    assert "nested too deeply" in out.getvalue() and "E901" not in out.getvalue()
    assert repl.main(str(nb)) == 2


def test_a_normal_notebook_still_loads(tmp_path):
    nb = tmp_path / "ok.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "%%deriv\nx : 1 x 3\n"}]}))
    outcome = Engine(verify=False).load(str(nb))
    assert not outcome.unreadable and "loaded 1 statement" in outcome.text


# ------------------------------------------------------------ REPL input

def test_piped_input_that_is_not_utf8_names_the_byte():
    out = io.StringIO()
    stream = io.BytesIO(b"dims n = 3\nx : 1 x n\n\xff\xfe = x\n:shape x\n")
    assert repl.run_piped(Engine(verify=False), stream, out.write) == 2
    text = out.getvalue()
    assert "error[E900]: <stdin> is not UTF-8 text (byte 0xff at line 3, column 1)" in text
    assert "U+DCFF" not in text


def test_the_repl_command_reports_bad_utf8_on_stdin():
    first = command("repl", stdin=b"x : 1 x 3\nx + \xc3(\n")
    second = command("repl", stdin=b"x : 1 x 3\nx + \xc3(\n")
    assert first.returncode == 2 and (first.stdout, first.stderr) == (second.stdout, second.stderr)
    assert b"<stdin> is not UTF-8 text (byte 0xc3 at line 2, column 5)" in first.stdout
    assert b"U+DC" not in first.stdout and first.stderr == b""


def test_piped_utf8_still_works_with_a_bom_and_greek():
    out = io.StringIO()
    stream = io.BytesIO("\ufeffdims n = 3\nx : 1 x n\n:shape σ(x)\n".encode("utf-8"))
    assert repl.run_piped(Engine(verify=False), stream, out.write) == 0
    assert out.getvalue() == "1 x n\n"


def test_a_piped_line_longer_than_a_source_may_be_ends_the_input(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SOURCE_BYTES", 64)
    out = io.StringIO()
    stream = io.BytesIO(b"x : 1 x 3\n" + b"(" * 1000 + b"\n:shape x\n")
    assert repl.run_piped(Engine(verify=False), stream, out.write) == 2
    assert "<stdin>: line 2 is too long (more than 0 MiB)" in out.getvalue()
    assert "1 x 3" not in out.getvalue()


@needs_fifo
@pytest.mark.parametrize("name", ["a.deriv", "a.md", "a.ipynb", "a.npz"])
def test_repl_load_of_a_fifo_does_not_block(tmp_path, name, mkfifo):
    mkfifo(tmp_path / name)
    outcome = Engine(verify=False).load(str(tmp_path / name))
    assert "E900" in outcome.text and "FIFO (named pipe), not a regular file" in outcome.text
    assert outcome.errors == 1


# ------------------------------------------------------------ the lint walk

def lint_json(paths, cwd, monkeypatch) -> tuple[int, list[dict]]:
    monkeypatch.chdir(cwd)
    runs = []
    for _ in range(2):
        out = io.StringIO()
        code = run_lint(paths, fmt="json", verify=False, out=out)
        runs.append((code, out.getvalue()))
    assert runs[0] == runs[1]
    return runs[0][0], json.loads(runs[0][1])["files"]


def skipped(files) -> dict[str, str]:
    return {f["file"]: d["message"] for f in files for d in f["diagnostics"] if d["code"] == "W704"}


def test_links_out_of_the_tree_are_not_followed(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("```deriv\nx : 1 x 3\ny = x @ x\n```\n")
    docs = tmp_path / "tree" / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "ok.deriv").write_text(MLP.read_text(encoding="utf-8"))
    os.symlink("/etc/passwd", docs / "passwd.md")
    os.symlink(outside, docs / "elsewhere")
    os.symlink(outside / "secret.md", docs / "secret.md")
    os.symlink("sub/ok.deriv", docs / "inside.deriv")            # a link inside: followed
    os.symlink("sub", docs / "again")                           # same directory: walked once
    code, files = lint_json(["docs"], tmp_path / "tree", monkeypatch)
    assert skipped(files) == {
        "docs/passwd.md": "skipped docs/passwd.md: a link out of the linted tree",
        "docs/elsewhere": "skipped docs/elsewhere: a link out of the linted tree",
        "docs/secret.md": "skipped docs/secret.md: a link out of the linted tree",
    }
    checked = [f["file"] for f in files if f["claims"]]
    assert checked == ["docs/inside.deriv", "docs/again/ok.deriv"]     # files, then directories
    assert code == 0
    assert run_lint(["docs"], verify=False, strict=True, out=io.StringIO()) == 1   # W704 is a warning


def test_a_link_named_on_the_command_line_is_read(tmp_path, monkeypatch):
    os.symlink(MLP, tmp_path / "mlp.deriv")
    code, files = lint_json(["mlp.deriv"], tmp_path, monkeypatch)
    assert code == 0 and len(files[0]["claims"]) == 7


@needs_dev_zero
def test_a_link_to_dev_zero_in_the_tree_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    os.symlink("/dev/zero", tmp_path / "docs" / "zero.md")
    code, files = lint_json(["docs"], tmp_path, monkeypatch)
    assert code == 0 and skipped(files) == {"docs/zero.md": "skipped docs/zero.md: a link out of the linted tree"}


@needs_fifo
def test_lint_walk_skips_a_fifo_and_checks_the_rest(tmp_path, monkeypatch, mkfifo):
    (tmp_path / "docs").mkdir()
    mkfifo(tmp_path / "docs" / "a.deriv")
    os.symlink("a.deriv", tmp_path / "docs" / "b.md")            # a link inside, to the FIFO
    (tmp_path / "docs" / "c.deriv").write_text(MLP.read_text(encoding="utf-8"))
    code, files = lint_json(["docs"], tmp_path, monkeypatch)
    assert skipped(files) == {
        "docs/a.deriv": "skipped docs/a.deriv: a FIFO (named pipe), not a regular file",
        "docs/b.md": "skipped docs/b.md: a FIFO (named pipe), not a regular file",
    }
    assert code == 0 and [f["file"] for f in files if f["claims"]] == ["docs/c.deriv"]


@needs_fifo
def test_lint_of_a_directory_with_a_fifo_through_the_command(tmp_path):
    (tmp_path / "docs").mkdir()
    os.mkfifo(tmp_path / "docs" / "a.deriv")
    out = command("lint", "docs", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    assert b"warning[W704]: skipped docs/a.deriv: a FIFO (named pipe), not a regular file" in out.stdout


@needs_fifo
def test_a_gitignore_that_is_a_fifo_does_not_block_the_walk(tmp_path, monkeypatch, mkfifo):
    mkfifo(tmp_path / ".gitignore")
    (tmp_path / "a.deriv").write_text("x : 1 x 3\n")
    code, files = lint_json(["."], tmp_path, monkeypatch)
    assert code == 0 and [f["file"] for f in files] == ["a.deriv"]


# ------------------------------------------------------------ the pytest plugin

pytest_plugins = ["pytester"]


def test_the_pytest_plugin_reads_through_the_same_reader(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    with open(pytester.path / "big.md", "wb") as fh:
        fh.truncate(17 * 2**20)
    result = pytester.runpytest("-p", "dsl.apps.pytest_plugin", "--chainrule", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*error?E900?: *big.md is too large (17 MiB, limit 16 MiB)*"])
    assert "Traceback" not in result.stdout.str()
