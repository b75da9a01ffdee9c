"""Option values are validated in one place (``apps.options``): a bad value
is a usage error with exit code 2 naming the option, on every command, in
the REPL's ``:seed`` and in the notebook magic."""
import argparse
import io
from pathlib import Path

import pytest

from dsl.apps import magic, options, repl
from dsl.apps.cli import main
from dsl.apps.repl_commands import Engine

ROOT = Path(__file__).resolve().parent.parent
MLP = str(ROOT / "examples" / "mlp.deriv")
SEED_WORDS = "a seed is a whole number from 0 to 4294967295"
GIB_WORDS = "a memory budget is a positive, finite number of GiB"


def usage_error(capsys, *argv) -> str:
    """The error line of a command refused by its options (asserted: exit code 2,
    no traceback, the same both times)."""
    errors = []
    for _ in range(2):
        with pytest.raises(SystemExit) as stop:
            main(list(argv))
        assert stop.value.code == 2
        out = capsys.readouterr()
        assert out.out == "" and "Traceback" not in out.err
        errors.append(out.err.strip().splitlines()[-1])
    assert errors[0] == errors[1]
    return errors[0]


@pytest.mark.parametrize("text, value", [("0", 0), ("7", 7), ("4294967295", 2**32 - 1), (" 12 ", 12)])
def test_seed_accepts_the_range_numpy_takes(text, value):
    assert options.seed(text) == value


@pytest.mark.parametrize("text", ["-1", "4294967296", "1.5", "x", "", "١", "9" * 400])
def test_seed_refuses_everything_else(text):
    with pytest.raises(argparse.ArgumentTypeError, match=SEED_WORDS):
        options.seed(text)


@pytest.mark.parametrize("text, value", [("4", 4.0), ("0.5", 0.5), ("1e-3", 0.001)])
def test_memory_accepts_positive_finite_gib(text, value):
    assert options.memory_gib(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "-1", "1e-12", "four", ""])
def test_memory_refuses_the_rest(text):
    with pytest.raises(argparse.ArgumentTypeError, match=GIB_WORDS):
        options.memory_gib(text)


@pytest.mark.parametrize("text", ["0", "-2", "two", "257", "1000000"])
def test_jobs_is_from_one_to_a_bound(text):
    assert options.jobs("3") == 3 and options.jobs("256") == 256
    with pytest.raises(argparse.ArgumentTypeError, match="a number of processes is a whole number from 1 to 256"):
        options.jobs(text)


@pytest.mark.parametrize("argv", [
    ["check", "--seed", "-1", MLP],
    ["check", "--seed=4294967296", MLP],
    ["lint", "--seed", "-1", MLP],
    ["eval", MLP, "--seed", "-1"],
    ["repl", "--seed", "-1"],
])
def test_a_bad_seed_is_a_usage_error_on_every_command(capsys, argv):
    error = usage_error(capsys, *argv)
    assert error.startswith(f"chainrule {argv[0]}: error: argument --seed: {SEED_WORDS}, got ")


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1"])
def test_a_bad_memory_budget_is_a_usage_error(capsys, value):
    assert usage_error(capsys, "eval", MLP, f"--memory={value}") == \
        f"chainrule eval: error: argument --memory: {GIB_WORDS}, got '{value}'"


def test_a_bad_jobs_count_is_a_usage_error(capsys):
    assert usage_error(capsys, "lint", "--jobs", "0", MLP).endswith(
        "argument --jobs: a number of processes is a whole number from 1 to 256, got '0'")


def test_the_largest_seed_verifies_claims(capsys):
    code = main(["check", "--seed", "4294967295", MLP])
    out = capsys.readouterr().out
    assert code == 0 and "7 verified (seed 4294967295)" in out and "E901" not in out


def test_memory_sets_the_budget(capsys, tmp_path):
    big = tmp_path / "big.deriv"
    big.write_text("dims n = 20000\nx : n x n\ny = x @ x\n")
    assert main(["eval", str(big), "--memory", "0.001"]) == 1
    assert "E600" in capsys.readouterr().out
    assert main(["eval", MLP, "--memory", "0.5"]) == 0


def test_the_repl_seed_command_uses_the_same_rule():
    engine = Engine(verify=False)
    for bad in ("-1", "4294967296", "x"):
        outcome = engine.handle(f":seed {bad}")
        assert outcome.errors == 1 and outcome.text == f"usage: :seed N ({SEED_WORDS}, got '{bad}')"
    assert engine.handle(":seed 4294967295").errors == 0 and engine.seed == 2**32 - 1
    out = io.StringIO()
    assert repl.run_piped(Engine(verify=False), io.StringIO(":seed -1\n"), out.write) == 1


@pytest.mark.parametrize("line, words", [
    ("--seed", "%%deriv: --seed needs a value (a seed from 0 to 4294967295)"),
    ("--no-verify --seed", "%%deriv: --seed needs a value (a seed from 0 to 4294967295)"),
    ("--seed=", "%%deriv: --seed needs a value (a seed from 0 to 4294967295)"),
    ("--seed -1", f"%%deriv: argument --seed: {SEED_WORDS}, got '-1'"),
    ("--seed 99999999999", f"%%deriv: argument --seed: {SEED_WORDS}, got '99999999999'"),
    ("--colour", "%%deriv: unknown option '--colour' "
                 "(options: --reset, --no-verify, --no-raise, --seed N, --timeout SECONDS)"),
    ("--seed '3", "%%deriv: cannot read the options (No closing quotation)"),
])
def test_magic_options_are_checked_before_anything_runs(line, words):
    nb = magic.NotebookSession(seed=5)
    magic.run_cell(nb, "", "x : 1 x 2\n")
    with pytest.raises(magic.UsageError) as err:
        magic.run_cell(nb, "--reset " + line, "y : 1 x 2\n")
    assert str(err.value) == words
    assert nb.session.seed == 5 and len(nb.cells) == 1          # neither reset nor seeded


def test_magic_seed_forms_set_the_seed():
    nb = magic.NotebookSession()
    magic.run_cell(nb, "--no-verify --seed 7", "x : 1 x 2\n")
    assert nb.session.seed == 7
    magic.run_cell(nb, "--seed=4294967295 --no-verify", "x : 1 x 2\n")
    assert nb.session.seed == 2**32 - 1


def test_magic_usage_error_through_ipython():
    pytest.importorskip("IPython", reason="IPython is the optional 'notebook' extra")
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "dsl")
    with pytest.raises(UsageError, match="--seed needs a value"):
        shell.run_cell_magic("deriv", "--seed", "x : 1 x 2\n")
