"""``check`` and ``lint`` over many files: results are written as each file
finishes, in a stable order, and a progress bar is drawn on standard error
only when a person is watching a terminal."""
from __future__ import annotations

import io
import sys

import pytest

from dsl.apps import cli, lint
from dsl.apps.output import Output
from dsl.apps.progress import Progress

FILES = ["examples/mlp.deriv", "examples/mistakes", "examples/affine.deriv", "examples/mse.deriv"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Recorder(io.StringIO):
    """An output stream that notes, at each write, how many files were linted so far."""

    def __init__(self, events: list) -> None:
        super().__init__()
        self.events = events

    def write(self, text: str) -> int:
        self.events.append(("write", text))
        return super().write(text)


@pytest.fixture
def no_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def _recording(monkeypatch, events: list) -> None:
    real = lint.lint_file

    def recorded(path, **kw):
        events.append(("lint", path))
        return real(path, **kw)
    monkeypatch.setattr(lint, "lint_file", recorded)


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_lint_writes_each_file_before_checking_the_next(monkeypatch, tmp_path, fmt):
    paths = []
    for i in range(3):
        p = tmp_path / f"h{i}.deriv"
        p.write_text(f"dims n, k\nx : 1 x n\nW : k x n\na{i} = x @ W\n", encoding="utf-8")
        paths.append(str(p))
    events: list = []
    _recording(monkeypatch, events)
    lint.run_lint(paths, output=Output(fmt=fmt), verify=False, jobs=1, out=Recorder(events))
    order = [kind if kind == "write" else path for kind, path in events
             if kind == "lint" or "E300" in path]
    # each file's E300 is written before the next file is read
    assert order == [paths[0], "write", paths[1], "write", paths[2], "write"]


def test_streamed_text_is_the_same_as_the_whole_report(monkeypatch):
    out = io.StringIO()
    lint.run_lint(FILES, verify=False, jobs=1, out=out)
    files, _ = lint.collect(FILES)
    whole = lint.render_lint_text(lint.lint_files(files, verify=False, jobs=1))
    assert out.getvalue() == whole
    assert out.getvalue().endswith(" checked: " + whole.rsplit(" checked: ", 1)[1])


def test_parallel_results_keep_the_walk_order():
    files, _ = lint.collect(["examples"])
    files = (files * 3)[: max(lint.PARALLEL_THRESHOLD, 18)]
    serial = [r.report.source.name for r in lint.iter_lint(files, verify=False, jobs=1)]
    parallel = [r.report.source.name for r in lint.iter_lint(files, verify=False, jobs=2)]
    assert parallel == serial == files


def test_progress_bar_on_a_terminal_then_erased(no_ci, monkeypatch):
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    out = io.StringIO()
    lint.run_lint(FILES, verify=False, jobs=1, out=out)
    drawn = err.getvalue()
    files, _ = lint.collect(FILES)
    assert f" {len(files)}/{len(files)} files" in drawn and " 0/" in drawn
    assert drawn.endswith("\r\033[K")                           # nothing left on the line
    assert "\033[K" not in out.getvalue() and "files]" not in out.getvalue()


@pytest.mark.parametrize("case", ["quiet", "json", "ci", "pipe", "one-file"])
def test_no_progress_bar_unless_someone_watches(no_ci, monkeypatch, case):
    err = io.StringIO() if case == "pipe" else Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    if case == "ci":
        monkeypatch.setenv("CI", "true")
    opts = Output(quiet=case == "quiet", fmt="json" if case == "json" else "full")
    paths = FILES[:1] if case == "one-file" else FILES
    lint.run_lint(paths, output=opts, verify=False, jobs=1, out=io.StringIO())
    assert err.getvalue() == ""


def test_progress_line_counts_and_fits():
    bar = Progress(200, Terminal())
    bar.done = 50
    line = bar.line()
    assert line.endswith(" 50/200 files") and line.count("#") == (line.count("#") + line.count(".")) * 50 // 200
    bar.done = 200
    assert "." not in bar.line()


def test_check_streams_and_draws_the_bar(no_ci, monkeypatch, capsys):
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(["check", "--no-verify", "examples/mlp.deriv", "examples/affine.deriv",
                     "examples/mse.deriv"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.endswith("\n\n3 files checked: 0 errors, 0 warnings; claims: 15 unchecked\n")
    assert "3/3 files" in err.getvalue() and err.getvalue().endswith("\r\033[K")
