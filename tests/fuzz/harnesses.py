"""The harnesses: what is generated, and how it is fed to the product.

Each :class:`Harness` has a strategy and a ``run`` that feeds one drawn
input to the product and returns its exit code and the text a user would
see.  :meth:`Harness.judge` applies the property of ``oracle``: all of it in
the long run, less what ``suite_checks`` turns off in the in-suite run.

==============  ==========================================================
grammar-raw     statements drawn from the grammar alone -> ``check``
grammar-typed   grammar-drawn right sides over a declared prelude -> ``check``
                (claims verified), ``eval``, the REPL
corpus          token/byte mutations of ``tests/corpus`` and ``examples`` ->
                ``check``, ``check --no-verify --format json``, ``eval``, REPL,
                ``check --explain``, ``fmt --to latex|unicode``, ``derive``
                (text, and LaTeX with its steps as JSON)
lint            mutations of ``tests/fixtures/lint`` (Markdown, LaTeX, notebook
                JSON, its cells) -> ``lint`` in every format
npz             hostile ``.npz`` archives (``npz.py``) -> ``eval --data``
options         random option values for every command (``options.py``)
printer         grammar-drawn statements printed (ASCII, bracketed, Unicode) and
                read back to the same statement (``roundtrip.py``)
lsp             message sequences (corpus texts mutated, hostile positions, params
                and framing) -> the language server in process (``lsp.py``)
api             values of every type and dtype given to the Python API (``api.py``)
                -> ``dsl.check``, ``parse``, ``derive``, ``evaluate_expr``, ...
==============  ==========================================================

:data:`KNOWN` lists what the in-suite run leaves out because its inputs
meet a defect that is open (issue 9); the long run leaves nothing out.
"""
from __future__ import annotations

import atexit
import functools
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from . import api, grammar, lsp, mutate, npz, options, roundtrip
from .oracle import Outcome, check_twice, observe, sampled

ROOT = Path(__file__).resolve().parents[2]

# What the in-suite run leaves out, by issue 9 item; lift each once it is fixed.
KNOWN: dict[str, str] = {}


@dataclass(frozen=True)
class Harness:
    name: str
    strategy: Callable[[], st.SearchStrategy]
    run: Callable[[Any], tuple[int, str]]
    suite_checks: dict = field(default_factory=dict)    # oracle options in the in-suite run
    suite_examples: int | None = None                   # inputs in the in-suite run, if not test_fuzz.EXAMPLES

    def judge(self, value: Any, full: bool = True) -> Outcome:
        checks = {} if full else self.suite_checks
        outcome = observe(lambda: self.run(value), **checks)
        if outcome.failure is None and sampled(value):
            outcome = check_twice(lambda: self.run(value), outcome, **checks)
        return outcome


@functools.cache
def workdir() -> str:
    """One scratch directory per process for the files the inputs are written to."""
    path = tempfile.mkdtemp(prefix="chainrule-fuzz-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def write(name: str, data: bytes) -> str:
    path = os.path.join(workdir(), name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def cli(argv: list[str], stdin: str = "") -> tuple[int, str]:
    """``chainrule ARGV`` in this process, with ``stdin`` as standard input."""
    from dsl.apps.cli import main
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(argv), ""
    finally:
        sys.stdin = saved


# ------------------------------------------------------------ .deriv text

def _texts(pattern_dirs: list[tuple[str, str]]) -> list[str]:
    found = []
    for folder, pattern in pattern_dirs:
        found += [p.read_text(encoding="utf-8") for p in sorted((ROOT / folder).glob(pattern))]
    return found


@functools.cache
def deriv_texts() -> list[str]:
    return _texts([("tests/corpus", "*.deriv"), ("examples", "**/*.deriv")])


MODES = ["check", "check-json", "eval", "repl", "explain", "fmt-latex", "fmt-unicode", "derive", "derive-latex"]

_DECLARED = re.compile(r"^\s*([A-Za-z_]\w*)\s*:", re.M)
_DEFINED = re.compile(r"^\s*([A-Za-z_]\w*)\s*=", re.M)


def derive_argv(path: str, text: str, latex: bool) -> list[str]:
    """``derive`` of the file's last definition by its first declared input
    (names the mutation may have broken: then ``derive`` says why not)."""
    defined, declared = _DEFINED.findall(text), _DECLARED.findall(text)
    y = defined[-1] if defined else "L"
    x = declared[0] if declared else "x"
    extra = ["--to", "latex", "--steps", "--format", "json"] if latex else []
    return ["derive", "--color", "never", *extra, path, y, x]


def run_deriv(value: tuple[str, bytes]) -> tuple[int, str]:
    """Write the bytes to a ``.deriv`` file and run the chosen command on it."""
    mode, raw = value
    path = write("input.deriv", raw)
    if mode == "check":
        return cli(["check", "--color", "never", path])
    if mode == "check-json":
        return cli(["check", "--no-verify", "--format", "json", path])
    if mode == "eval":
        return cli(["eval", "--color", "never", path])
    if mode == "explain":
        return cli(["check", "--explain", "--no-verify", "--color", "never", path])
    if mode.startswith("fmt-"):
        return cli(["fmt", "--to", mode[4:], path])
    if mode.startswith("derive"):
        return cli(derive_argv(path, raw.decode("utf-8", "replace"), mode == "derive-latex"))
    return cli(["repl"], stdin=raw.decode("utf-8", "replace"))


def _grammar_raw() -> st.SearchStrategy:
    return st.tuples(st.just("check"), grammar.raw_programs().map(str.encode))


def _grammar_typed() -> st.SearchStrategy:
    text = grammar.typed_programs([1, 2, 3, None], mutate.SMALL_NUMBERS + mutate.HUGE_NUMBERS)
    return st.tuples(st.sampled_from(["check", "eval", "repl"]), text.map(str.encode))


def _corpus() -> st.SearchStrategy:
    return st.tuples(st.sampled_from(MODES), mutate.source_bytes(deriv_texts()))


# ------------------------------------------------------------ lint

@functools.cache
def lint_fixtures() -> dict[str, str]:
    folder = ROOT / "tests" / "fixtures" / "lint"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


@st.composite
def _notebook(draw, text: str, payloads: list[str]) -> bytes:
    """A notebook with its JSON or the sources of its cells mutated."""
    how = draw(st.sampled_from(["cells", "structure", "json-text"]))
    if how == "json-text":
        return draw(mutate.mutated_text([text], payloads)).encode("utf-8", "surrogatepass")
    nb = json.loads(text)
    cells = nb.get("cells", [])
    if how == "cells" and cells:
        cell = cells[draw(st.integers(0, len(cells) - 1))]
        source = cell.get("source", "")
        joined = "".join(source) if isinstance(source, list) else source
        new = draw(mutate.mutated_text([joined], payloads))
        cell["source"] = new.splitlines(keepends=True) if draw(st.booleans()) else new
    else:
        odd = [None, 7, "", [], {}, [1, 2], {"a": [None]}, "x" * 50, ["$$x$$\n", 3], True]
        target = draw(st.sampled_from(["cell_type", "source", "cells", "metadata", "outputs",
                                       "nbformat", "language"]))
        value = draw(st.sampled_from([*odd, "markdown", "code", "raw"]))
        if target == "cells":
            nb["cells"] = value
        elif target in ("nbformat", "metadata"):
            nb[target] = value
        elif target == "language":
            nb.setdefault("metadata", {})["kernelspec"] = {"language": value}
        elif cells:
            cells[draw(st.integers(0, len(cells) - 1))][target] = value
    return json.dumps(nb).encode("utf-8", "surrogatepass")


@st.composite
def _lint_input(draw) -> tuple[str, bytes, str, bool]:
    payloads = mutate.PAYLOADS
    fixtures = lint_fixtures()
    name = draw(st.sampled_from(sorted(fixtures)))
    if name.endswith(".ipynb"):
        raw = draw(_notebook(fixtures[name], payloads))
    else:
        raw = draw(mutate.source_bytes([fixtures[name]], payloads))
    return name, raw, draw(st.sampled_from(["text", "json", "sarif", "github"])), draw(st.booleans())


def run_lint(value: tuple[str, bytes, str, bool]) -> tuple[int, str]:
    name, raw, fmt, verify = value
    path = write(name, raw)
    return cli(["lint", "--format", fmt, "--jobs", "1", "--color", "never", path]
               + ([] if verify else ["--no-verify"]))


# ------------------------------------------------------------ registry

HARNESSES = {h.name: h for h in [
    Harness("grammar-raw", _grammar_raw, run_deriv),
    Harness("grammar-typed", _grammar_typed, run_deriv),
    Harness("corpus", _corpus, run_deriv),
    Harness("lint", _lint_input, run_lint),
    Harness("npz", npz.archives, lambda v: npz.run(v, write, cli)),
    Harness("options", options.argvs, lambda v: options.run(v, write, cli)),
    Harness("printer", roundtrip.statements, roundtrip.run),
    Harness("api", *api.PARTS),                 # dsl.* called in Python (api.py)
    Harness("lsp", lsp.sessions, lsp.run, suite_examples=lsp.SUITE_EXAMPLES),
]}
