"""Command lines with random option values: every command, every option,
values that are numbers of every kind, words, empty, Unicode, or missing.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
FILES = [str(ROOT / p) for p in ("examples/mlp.deriv", "examples/mistakes/seed002_question.deriv",
                                 "tests/corpus/continuation.deriv", "tests/fixtures/lint/notes.md",
                                 "tests/fixtures/lint/homework.tex", "examples/mistakes")]
FILES += ["-", "no/such.deriv", "/dev/null"]

WORDS = ["", "text", "json", "sarif", "github", "latex", "unicode", "ascii", "auto", "always",
         "never", "TEXT", "-", "--", "-e", "x", "é", "\x00", "\udcff", "None", "true", "1e3",
         "--format", "💥", " ", "\\odot", "$", "%s", "{}", "a" * 300]
NUMBERS = ["0", "1", "2", "7", "-1", "-2", "2147483648", "18446744073709551616", "1" + "0" * 40,
           "-" + "9" * 30, "0.5", "1e-9", "nan", "inf", "-inf", "1e400", "0x10", "1_000", "+3",
           " 4 ", "٣", "1e3", "-0"]
EXPRS = ["x @ W", "x @ x", "", "(", "σ(x)ᵀ", "sum(x, axis=2)", "1" * 50, "ŷ", "x.T" * 50]

COMMAND_OPTIONS = {
    "check": ["--format", "--seed", "--color", "--strict", "--no-verify", "--explain"],
    "eval": ["--data", "--seed", "--print", "--memory", "--color"],
    "explain": ["-e", "--color"],
    "lint": ["--format", "--seed", "--color", "--strict", "--no-verify", "--jobs", "--verbose"],
    "fmt": ["-e", "--to", "--hadamard"],
    "repl": ["--seed"],
}
FLAGS = {"--strict", "--no-verify", "--explain", "--verbose"}


def _value(option: str) -> st.SearchStrategy[str]:
    if option in ("-e",):
        return st.sampled_from(EXPRS + WORDS[:5])
    if option in ("--data",):
        return st.sampled_from(FILES + WORDS[:3])
    return st.sampled_from(NUMBERS + WORDS)


@st.composite
def argvs(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMAND_OPTIONS)))
    argv = [command]
    for option in draw(st.lists(st.sampled_from(COMMAND_OPTIONS[command] + ["--bogus", "-h"]),
                                max_size=4)):
        if option == "-h" and draw(st.booleans()):
            continue
        argv.append(option)
        if option not in FLAGS and option not in ("--bogus", "-h") and draw(st.integers(0, 9)):
            argv.append(draw(_value(option)))
    files = draw(st.lists(st.sampled_from(FILES), max_size=2))
    if command in ("eval", "explain", "fmt", "repl"):
        files = files[:1]
    if command in ("explain", "fmt") and "-e" in argv and files and draw(st.booleans()):
        files = []
    return argv + files


def run(argv: list[str], write, cli) -> tuple[int, str]:
    return cli(list(argv), stdin="dims n\nx : 1 x n\nL = sum(x * x)\ndL/dx = 2 * x\n")
