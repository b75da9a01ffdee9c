"""The time budget per claim (``--timeout``, ``timeout=``): past it a claim
is unchecked (``W501``, "took longer than ..."), the other claims are
verified, and a bad value is a usage error."""
from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

import dsl
from dsl import pipeline as driver
from dsl.apps import options, repl
from dsl.apps.cli import main
from dsl.apps.repl_commands import Engine
from dsl.compute import budget
from dsl.core.span import Source
from dsl.verify import claims as verify

ROOT = Path(__file__).resolve().parent.parent
MLP = str(ROOT / "examples" / "mlp.deriv")
TEXT = ("dims n, k\nx : 1 x n\nW : n x k\na = x @ W\nL = sum(tanh(a))\n"
        "dL/da = 1 - tanh(a) ** 2\ndL/dW = x.T @ (1 - tanh(a) ** 2)\ndL/dx = (1 - tanh(a) ** 2) @ W.T\n")
SECONDS_WORDS = "a timeout is a positive, finite number of seconds"


def _statuses(report) -> dict[str, tuple[str, str]]:
    return {f"dL/d{c.claim.deriv.den.id}": (c.status, c.detail) for c in report.claims}


def test_a_tiny_timeout_leaves_every_claim_unchecked_with_the_reason():
    report = driver.check_source(Source("t.deriv", TEXT), timeout=1e-9)
    assert set(_statuses(report).values()) == {("unchecked", "took longer than 1e-09 s")}
    assert [d.code for d in report.diagnostics] == ["W501"] * 3
    assert "took longer than 1e-09 s" in report.diagnostics[0].message


def test_the_default_budget_verifies_the_same_claims():
    assert {s for s, _ in _statuses(dsl.check(TEXT)).values()} == {"verified"}
    assert {s for s, _ in _statuses(dsl.check(TEXT, timeout=1e-9)).values()} == {"unchecked"}


def test_the_budget_is_per_claim_and_ten_seconds_by_default(monkeypatch):
    """A claim that takes 11 s (on a clock that moves only while dL/dW is
    drawn) is unchecked; the claims before and after it are verified."""
    clock = [0.0]
    monkeypatch.setattr(budget.time, "monotonic", lambda: clock[0])
    original = verify._sample

    def slow_for_w(shared, info, *args, **kwargs):
        if info.claim.deriv.den.id == "W":
            clock[0] += 11.0
        return original(shared, info, *args, **kwargs)
    monkeypatch.setattr(verify, "_sample", slow_for_w)
    found = _statuses(driver.check_source(Source("t.deriv", TEXT)))
    assert found == {"dL/da": ("verified", ""), "dL/dW": ("unchecked", "took longer than 10 s"),
                     "dL/dx": ("verified", "")}


@pytest.mark.parametrize("text, value", [("10", 10.0), ("0.5", 0.5), ("1e-9", 1e-9)])
def test_seconds_accepts_positive_finite_numbers(text, value):
    assert options.seconds(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "-inf", "abc", ""])
def test_seconds_refuses_the_rest(text):
    with pytest.raises(argparse.ArgumentTypeError, match=SECONDS_WORDS):
        options.seconds(text)


@pytest.mark.parametrize("command", ["check", "lint", "repl"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "abc"])
def test_a_bad_timeout_is_a_usage_error(capsys, command, value):
    argv = [command, f"--timeout={value}"] + ([] if command == "repl" else [MLP])
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert out.err.strip().splitlines()[-1] == \
        f"chainrule {command}: error: argument --timeout: {SECONDS_WORDS}, got '{value}'"


def test_check_with_a_tiny_timeout_reports_unchecked_claims(capsys, tmp_path):
    path = tmp_path / "t.deriv"
    path.write_text(TEXT)
    assert main(["check", "--format", "json", "--timeout", "1e-9", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("took longer than 1e-09 s") >= 3 and "W501" in out
    assert main(["check", str(path)]) == 0 and "3 verified" in capsys.readouterr().out


def test_lint_passes_the_timeout_on(capsys, tmp_path):
    (tmp_path / "t.deriv").write_text(TEXT)
    main(["lint", "--format", "json", "--timeout", "1e-9", str(tmp_path)])
    found = json.loads(capsys.readouterr().out)
    assert "took longer than 1e-09 s" in json.dumps(found)


def test_the_repl_timeout_command_and_option():
    engine = Engine()
    assert engine.handle(":timeout").text == "timeout 10 s per claim"
    bad = engine.handle(":timeout -1")
    assert bad.errors == 1 and bad.text == f"usage: :timeout SECONDS ({SECONDS_WORDS}, got '-1')"
    assert engine.handle(":timeout 1e-9").text == "timeout 1e-09 s per claim"
    outcome = engine.handle(TEXT.rstrip("\n"))
    assert "took longer than 1e-09 s" in outcome.text
    out = io.StringIO()
    assert repl.run_piped(Engine(timeout=1e-9), io.StringIO(TEXT), out.write) == 0
    assert "took longer than 1e-09 s" in out.getvalue()
