"""The REPL: the engine entry by entry, the prompt_toolkit terminal through
a pipe input, piped stdin, and one session in a real pseudo-terminal."""
from __future__ import annotations

import contextlib
import io
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from dsl.apps import repl
from dsl.apps.repl_commands import COMMANDS, Engine, format_value

ROOT = Path(__file__).resolve().parent.parent
MLP = ROOT / "examples" / "mlp.deriv"
# The seed 002 question's formula: it drops the transpose of W1.
QUESTION = "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1"
FIXED = "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T"


@pytest.fixture(autouse=True)
def _history(tmp_path, monkeypatch):
    monkeypatch.setenv(repl.HISTORY_ENV, str(tmp_path / "history"))
    monkeypatch.setenv("NO_COLOR", "1")


def engine_with(*lines: str, verify: bool = False) -> Engine:
    e = Engine(verify=verify)
    for line in lines:
        out = e.handle(line)
        assert out.errors == 0, out.text
    return e


LAYER = ("dims n = 4, k = 3", "x : 1 x n", "W : n x k", "b : 1 x k", "a = x @ W + b",
         "h = sigma(a)", "L = sum(h)")


# ------------------------------------------------------------------ engine

def test_statements_persist_and_definitions_echo_their_shape():
    e = engine_with(*LAYER[:4])
    out = e.handle("a = x @ W + b")
    assert out.errors == 0 and out.text == "a : 1 x k"
    assert set(e.session.env.names) == {"x", "W", "b", "a"}


def test_expression_prints_shape_and_value():
    e = engine_with(*LAYER)
    out = e.handle("x @ W")
    lines = out.text.splitlines()
    assert lines[0].startswith("1 x k") and "k = 3" in lines[0]
    assert re.fullmatch(r"\[\[.*\]\]", lines[1])             # the 1 x 3 value
    assert e.handle("L").text.splitlines()[1].startswith("= ")
    assert e.handle("n").text.splitlines() == ["scalar", "= 4"]


def test_values_follow_the_seed():
    e = engine_with(*LAYER)
    first = e.handle("x").text
    assert e.handle("x").text == first
    assert e.handle(":seed 7").errors == 0
    assert e.handle("x").text != first
    assert e.handle(":seed").text == "seed 7"
    assert e.handle(":seed seven").errors == 1


def test_diagnostics_render_as_check_does_with_carets_under_the_line():
    e = engine_with(*LAYER)
    out = e.handle("x * W")
    assert out.errors == 1
    text = out.text
    assert text.startswith("error[E301]")
    assert "  --> <repl>:1:1" in text
    assert "1 | x * W\n  | ^^^^^\n" in text
    assert "= hint: use '@'" in text


def test_a_wrong_entry_is_not_kept_and_can_be_typed_again():
    e = engine_with(*LAYER[:4])
    bad = e.handle("a = x @ b")
    assert bad.errors == 1 and "not kept" in bad.text
    assert "a" not in e.session.env.names
    good = e.handle("a = x @ W + b")
    assert good.errors == 0, good.text                  # no redefinition error


def test_claim_prints_verdict_and_diagnosis():
    e = Engine(verify=True)
    assert e.load(str(MLP)).errors == 0
    wrong = e.handle(QUESTION)
    assert wrong.errors >= 1
    assert "E300" in wrong.text and "W1.T" in wrong.text       # the hint names the fix
    right = e.handle(FIXED)
    assert right.errors == 0
    assert "dL/dx verified" in right.text
    sign = e.handle("dL/dtheta = y - yhat")
    assert "dL/dtheta wrong" in sign.text and "sign" in sign.text


def test_commands_shape_explain_dims_env():
    e = engine_with(*LAYER)
    assert e.handle(":shape x.T @ x").text == "n x n"
    explained = e.handle(":explain x @ W + b * 2")
    assert explained.errors == 0 and "(x @ W) + (b * 2)" in explained.text
    assert e.handle(":dims").text == "n = 4\nk = 3"
    env = e.handle(":env").text.splitlines()
    assert env[0].split() == ["name", "kind", "shape", "attributes"]
    assert env[1].split() == ["x", "input", "1", "x", "n"]
    assert env[5].split() == ["h", "defined", "1", "x", "k"]


def test_dims_shows_drawn_sizes():
    e = engine_with("dims m", "X : m x 2")
    e.handle("X")
    assert re.fullmatch(r"m   \(no value; \d when evaluating with seed 0\)", e.handle(":dims").text)


def test_eval_full_value_and_all_definitions():
    e = engine_with(*LAYER)
    one = e.handle(":eval W").text
    assert one.count("\n") == 4                                 # shape line + 4 rows
    every = e.handle(":eval").text
    assert every.startswith("sizes: n = 4, k = 3")
    assert "a : 1 x 3 =" in every and "L = " in every


def test_save_and_load_round_trip(tmp_path):
    e = engine_with(*LAYER)
    path = tmp_path / "session.deriv"
    out = e.handle(f":save {path}")
    assert out.text == f"saved 7 statements to {path}"
    fresh = Engine(verify=False)
    loaded = fresh.handle(f":load {path}")
    assert loaded.errors == 0 and "loaded 7 statements" in loaded.text
    assert {k: str(v.shape) for k, v in fresh.session.env.names.items()} == \
        {k: str(v.shape) for k, v in e.session.env.names.items()}


def test_load_npz_gives_values_to_inputs(tmp_path):
    import numpy as np
    e = engine_with(*LAYER)
    path = tmp_path / "values.npz"
    np.savez(path, x=np.arange(4.0), W=np.ones((4, 3)), b=np.zeros(3))
    out = e.handle(f":load {path}")
    assert out.errors == 0 and "x (1 x 4)" in out.text
    assert e.handle("x @ W").text.splitlines()[1] == "[[6. 6. 6.]]"


def test_load_markdown_and_latex_through_the_lint_front_ends(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text("# Notes\n\n<!-- deriv: dims n = 3 -->\n<!-- deriv: x : 1 x n -->\n\n"
                  "The loss is $$ L = \\operatorname{sum}(x \\circ x) $$\n\n"
                  "```deriv\nq = x @ x\n```\n", encoding="utf-8")
    e = Engine(verify=False)
    out = e.handle(f":load {md}")
    assert out.errors == 1
    assert f"--> {md}:9:5" in out.text and "9 | q = x @ x" in out.text   # the document's line
    assert {"x", "L"} <= set(e.session.env.names)
    tex = tmp_path / "notes.tex"
    tex.write_text("% deriv: dims n = 3\n% deriv: x : 1 x n\n"
                   "\\begin{equation} y = x x^\\top \\end{equation}\n", encoding="utf-8")
    fresh = Engine(verify=False)
    assert fresh.handle(f":load {tex}").errors == 0
    assert fresh.handle(":shape y").text == "1 x 1"


def test_load_reports_unreadable_files(tmp_path):
    e = Engine(verify=False)
    out = e.handle(f":load {tmp_path / 'missing.deriv'}")
    assert out.errors == 1 and out.unreadable and "E900" in out.text
    binary = tmp_path / "b.deriv"
    binary.write_bytes(b"x : 1\x00 x n")
    assert "binary" in e.handle(f":load {binary}").text


def test_reset_help_quit_and_unknown_commands():
    e = engine_with(*LAYER)
    assert e.handle(":reset").text == "session cleared"
    assert e.session.env is None
    assert "E200" in e.handle("x").text
    text = e.handle(":help").text
    assert all(word in text for word in COMMANDS)
    assert e.handle(":quit").quit and e.handle(":q").quit
    unknown = e.handle(":shap x")
    assert unknown.errors == 1 and "did you mean :shape?" in unknown.text
    assert e.handle(":shape").text == "usage: :shape EXPR"


def test_a_defect_becomes_a_diagnostic(monkeypatch):
    e = engine_with(*LAYER)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("dsl.pipeline.check_expr", broken)
    out = e.handle("x")
    assert out.errors == 1 and "E901" in out.text and "boom" in out.text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("xWab()[]@*+-/.T^'σ∂ᵀ:=,#0123456789 \n dimslayout")),
               max_size=30))
def test_no_entry_raises(text):
    e = engine_with("dims n", "x : 1 x n")
    out = e.handle(text)
    assert "Traceback" not in out.text


def test_format_value():
    import numpy as np
    assert format_value(np.array(0.5)) == "= 0.5"
    assert format_value(np.ones((1, 3))) == "[[1. 1. 1.]]"
    big = format_value(np.arange(100.0).reshape(10, 10))
    assert "..." in big and "(min 0, max 99, mean 49.5)" in big


# ----------------------------------------------------------- piped stdin

def test_entries_group_continued_lines():
    lines = ["a = (x @", "   W)", ":env", "b = x +", "", "c", "d = (x"]
    # as in a file, a dangling operator continues past a blank line
    assert list(repl.entries(lines)) == ["a = (x @\n   W)", ":env", "b = x +\n\nc", "d = (x"]


def test_run_piped_prints_results_and_exit_code():
    out = io.StringIO()
    text = "dims n\nx : 1 x n\nq = (x.T @\n  x)\n:shape q\n:shape x\n"
    assert repl.run_piped(Engine(verify=False), io.StringIO(text), out.write) == 0
    assert out.getvalue().splitlines() == ["q : n x n", "n x n", "1 x n"]
    out = io.StringIO()
    assert repl.run_piped(Engine(verify=False), io.StringIO("x\n:quit\nnever\n"), out.write) == 1
    assert "E200" in out.getvalue() and "never" not in out.getvalue()


def test_main_with_piped_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("x.T @ x\n"))
    assert repl.main(str(MLP)) == 0
    out = capsys.readouterr().out
    assert "loaded 19 statements" in out and "n x n   (n = 5)" in out
    assert repl.main(str(ROOT / "no-such-file.deriv")) == 2


# ------------------------------------------------------ prompt_toolkit

def drive(engine: Engine, keys: str) -> str:
    """Type ``keys`` into the REPL (through a pipe) and return what it printed."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    printed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        session = repl.prompt_session(engine, input=pipe, output=DummyOutput())
        assert repl.run_interactive(engine, session, printed.append) == 0
    return "".join(printed)


def test_prompt_runs_entries_and_ctrl_d_leaves():
    e = Engine(verify=False)
    out = drive(e, "dims n\rx : 1 x n\r:shape x.T @ x\r\x04")
    assert out.splitlines()[1:] == ["n x n"]


def test_bracket_continuation_makes_one_entry(tmp_path):
    e = engine_with("dims n", "x : 1 x n")
    out = drive(e, "q = (x.T @\rx)\r\x04")
    assert "q : n x n" in out
    from prompt_toolkit.history import FileHistory
    items = list(FileHistory(str(tmp_path / "history")).load_history_strings())
    assert items == ["q = (x.T @\nx)"]                      # one item, both lines


def test_an_empty_line_ends_a_dangling_entry():
    e = engine_with("dims n", "x : 1 x n")
    out = drive(e, "q = x +\r\r:shape x\r\x04")
    assert "E100" in out and out.rstrip().endswith("1 x n")


def test_ctrl_c_cancels_the_line_only():
    e = engine_with("dims n", "x : 1 x n")
    out = drive(e, "zzz = nonsense\x03x\r\x04")
    assert "zzz" not in out and "E200" not in out
    assert "1 x n" in out


def test_quit_command_leaves():
    e = Engine(verify=False)
    out = drive(e, ":quit\rnever printed\r")
    assert "never" not in out


def test_up_arrow_recalls_from_the_history_file():
    first = engine_with("dims n", "x : 1 x n")
    drive(first, ":shape x.T @ x\r\x04")
    second = engine_with("dims n", "x : 1 x n")
    out = drive(second, "\x1b[A\r\x04")                      # up, enter
    assert out.splitlines()[1:] == ["n x n"]


def test_completion_offers_names_sizes_functions_commands():
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    e = engine_with("dims nbatch", "Wlong : nbatch x 2")
    completer = repl._completer(e)

    def offered(text):
        return {c.text: c.display_meta_text for c in
                completer.get_completions(Document(text, len(text)), CompleteEvent())}
    assert offered("a = Wl") == {"Wlong": "name"}
    assert offered("s = nb") == {"nbatch": "size"}
    assert offered("h = softm") == {"softmax": "function"}
    assert set(offered(":s")) == {":shape", ":seed", ":save"}
    assert offered("y : 1 x 2 oneh") == {"onehot": "keyword"}


def test_repl_lexer_marks_commands_and_keeps_the_language():
    from pygments import lex
    from pygments.token import Keyword, Name
    toks = [(t, v) for t, v in lex(":shape sigma(x)\n", repl.ReplLexer()) if v.strip()]
    assert toks[0] == (Keyword.Pseudo, ":shape")
    assert (Name.Builtin, "sigma") in toks


# ------------------------------------------------------------ a real tty

def _pty_session(args, env):
    """Start ``args`` on a pseudo-terminal; returns (process, master fd)."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    return proc, master


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[>=]|\r")


class _Screen:
    def __init__(self, master):
        self.master = master
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 60.0) -> None:
        """Wait until ``pattern`` (a regex) appears in the output after what was
        matched before."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, _ANSI.sub("", self.seen))
            if m:
                self.seen = _ANSI.sub("", self.seen)[m.end():]
                return
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {pattern!r}; got:\n{_ANSI.sub('', self.seen)}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                with contextlib.suppress(OSError):  # the child closed the terminal
                    self.seen += os.read(self.master, 65536).decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8"))


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_end_to_end_in_a_pseudo_terminal(tmp_path):
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1",
               CHAINRULE_HISTORY=str(tmp_path / "history"), PYTHONPATH=str(ROOT))
    proc, master = _pty_session([sys.executable, "-m", "dsl", "repl", "examples/mlp.deriv"], env)
    screen = _Screen(master)
    try:
        screen.expect(r"loaded 19 statements")
        screen.expect(r"deriv>")
        screen.send(QUESTION + "\r")
        screen.expect(r"error\[E300\]")
        screen.expect(r"hint: .*W1\.T")
        screen.expect(r"deriv>")
        screen.send(FIXED + "\r")
        screen.expect(r"dL/dx verified")
        screen.expect(r"deriv>")
        screen.send("\x1b[A")                      # one up-arrow brings the fix back
        screen.expect(r"W1\.T")
        screen.send("\r")
        screen.expect(r"dL/dx verified")
        screen.expect(r"deriv>")
        screen.send("softm")
        screen.expect(r"softm")
        screen.send("\t")                          # Tab completes the function name
        screen.expect(r"ax")
        screen.send("(theta)\r")
        screen.expect(r"1 x n\s+\(n = 5\)")
        screen.expect(r"deriv>")
        screen.send("\x04")                        # Ctrl-D leaves
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
