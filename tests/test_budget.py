"""The memory budget as a running total of one evaluation, and large
declared sizes in verification: refused early with the estimated cost, or
verified on drawn sizes where the claim allows it."""
import numpy as np
import pytest

from dsl.apps.cli import main
from dsl.compute import budget
from dsl.core.span import Source
from dsl.pipeline import evaluate_source

MIB = 2**20


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, text, name="t.deriv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def errors(evaluation):
    return [d for d in evaluation.report.diagnostics + evaluation.diagnostics if d.is_error]


# ------------------------------------------------------- the running total

def test_require_counts_the_running_total_under_a_tally():
    with budget.memory_limit(1000), budget.tally(600) as held:
        budget.require(300)
        assert held.live == 900
        with pytest.raises(budget.OverBudget, match=r"needs 200 bytes \(1.1 KiB with the 900 bytes already held\)"):
            budget.require(200, "x")
        assert held.live == 900                     # a refused allocation is not counted
    budget.require(900)                             # outside a tally only the allocation itself counts


def test_a_definition_held_counts_against_a_later_temporary(tmp_path, capsys):
    # each n x n product alone fits in 512 MiB, and so do the inputs and
    # definitions (the static check); A held while sum(x.T @ x) builds its
    # temporary does not
    path = write(tmp_path, "dims n = 6000\nx : 1 x n\nA = x.T @ x\ns = sum(x.T @ x)\n")
    code, out, err = run(capsys, "eval", "--color", "never", "--memory", "0.5", path)
    assert code == 1 and err == ""
    assert out.startswith("error[E600]: evaluating x.T @ x needs 274.7 MiB (549.4 MiB with the 274.7 MiB "
                          "already held), more than the budget of 512.0 MiB\n")
    assert "t.deriv:4:9" in out
    code, out, _ = run(capsys, "eval", "--color", "never", "--memory", "0.6", path)
    assert code == 0 and "s = " in out


def test_temporaries_of_one_expression_add_up():
    text = "dims n = 3000\nx : 1 x n\ns = sum(x.T @ x + x.T @ x)\n"
    one = 3000 * 3000 * 8
    # two operands and their sum are alive at once: 3 n x n arrays
    over = evaluate_source(Source("t.deriv", text), budget=3 * one - 1)
    [e] = errors(over)
    assert e.code == "E600" and "with the" in e.message and e.span.line == 3
    fits = evaluate_source(Source("t.deriv", text), budget=3 * one + 10 * MIB)
    assert not errors(fits) and float(fits.values["s"]) == pytest.approx(
        2 * float(np.sum(fits.values["x"].T @ fits.values["x"])))


def test_temporaries_are_dropped_after_each_definition():
    # five definitions of one n x n temporary each, every one summed away:
    # the total goes back down after each, so a budget for one of them fits
    text = "dims n = 2000\nx : 1 x n\n" + "".join(f"s{i} = sum(x.T @ x)\n" for i in range(5))
    result = evaluate_source(Source("t.deriv", text), budget=2000 * 2000 * 8 + MIB)
    assert not errors(result) and set(result.values) >= {f"s{i}" for i in range(5)}


def test_a_view_keeps_its_temporary_counted():
    # (x.T @ x).T is a view of the product: holding it holds the product
    text = "dims n = 2000\nx : 1 x n\nA = (x.T @ x).T\ns = sum(x.T @ x)\n"
    one = 2000 * 2000 * 8
    [e] = errors(evaluate_source(Source("t.deriv", text), budget=2 * one - 1))
    assert e.code == "E600" and e.span.line == 4
    assert not errors(evaluate_source(Source("t.deriv", text), budget=2 * one + MIB))


def test_a_failed_definition_releases_what_it_allocated():
    # the first definition fails past its temporary (a unknown name is not
    # possible after checking, so an over-budget one): its bytes are not held
    text = "dims n = 2000\nx : 1 x n\nA = sum(x.T @ x + x.T @ x)\nB = sum(x.T @ x)\n"
    one = 2000 * 2000 * 8
    result = evaluate_source(Source("t.deriv", text), budget=2 * one + MIB)
    [e] = errors(result)
    assert e.span.line == 3 and "B" in result.values
