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
    # two operands are alive at once, and their sum is written into one of them
    # (a temporary nothing else holds): 2 n x n arrays, not 3
    over = evaluate_source(Source("t.deriv", text), budget=2 * one - 1)
    [e] = errors(over)
    assert e.code == "E600" and "with the" in e.message and e.span.line == 3
    fits = evaluate_source(Source("t.deriv", text), budget=2 * one + 10 * MIB)
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
    # possible after checking, so an over-budget one: three products alive at
    # once, since the sum of two is written into one of them): its bytes are not held
    text = "dims n = 2000\nx : 1 x n\nA = sum((x.T @ x) * (x.T @ x + x.T @ x))\nB = sum(x.T @ x)\n"
    one = 2000 * 2000 * 8
    result = evaluate_source(Source("t.deriv", text), budget=2 * one + MIB)
    [e] = errors(result)
    assert e.span.line == 3 and "B" in result.values


# ------------------------------------------------- large declared sizes

def check_json(capsys, path, *options):
    import json
    code, out, err = run(capsys, "check", "--format", "json", *options, path)
    assert run(capsys, "check", "--format", "json", *options, path) == (code, out, err)   # the same bytes twice
    files = json.loads(out)["files"]
    return code, err, [d for f in files for d in f["diagnostics"]], [c for f in files for c in f["claims"]]


def test_a_fixed_size_read_only_as_a_size_is_verified_on_drawn_sizes(tmp_path, capsys):
    # the repro of issue 9: the n x n Jacobian at n = 100000 needs 447 GiB
    path = write(tmp_path, "dims n = 100000\nx : 1 x n\nh = sigma(x)\ndh/dx = diag(h * (1 - h))\n")
    code, err, diags, [claim] = check_json(capsys, path)
    assert code == 0 and err == "" and diags == []
    assert claim["status"] == "verified"
    assert claim["detail"] == ("verified on drawn sizes, not the declared n = 100000, at which verifying it "
                               "needs 447.0 GiB, more than the budget of 4.0 GiB")


def test_a_wrong_claim_on_drawn_sizes_is_still_wrong_and_says_where(tmp_path, capsys):
    path = write(tmp_path, "dims n = 100000\nx : 1 x n\nh = sigma(x)\ndh/dx = diag(h * h)\n")
    code, _, [diag], [claim] = check_json(capsys, path)
    assert code == 1 and diag["code"] == "E500" and diag["line"] == 4 and claim["status"] == "wrong"
    assert "drawn sizes, not the declared n = 100000" in diag["message"]


def test_a_size_read_as_a_number_keeps_its_value_and_the_claim_is_refused_early(tmp_path, capsys):
    path = write(tmp_path, "dims n = 100000, k\nx : 1 x n\nv : 1 x k\nh = sigma(x) / n\nL = sum(v * v)\n"
                           "dh/dx = diag(sigma'(x)) / n\ndL/dv = 2 * v\n")
    code, err, [diag], claims = check_json(capsys, path)
    assert code == 0 and err == "" and diag["code"] == "W501" and diag["line"] == 6 and diag["column"] == 9
    assert diag["message"].startswith("dh/dx was not verified: at the declared sizes (n = 100000) verifying it "
                                      "needs 447.0 GiB, more than the budget of 4.0 GiB")
    assert [c["status"] for c in claims] == ["unchecked", "verified"]     # the other claim is unaffected


def test_the_work_of_many_sweeps_is_estimated_against_the_time_budget():
    from dsl.compute.plan import Plan
    from dsl.language import syntax
    from dsl.shapes import checker
    from dsl.verify import scale
    program, _ = syntax.parse_text("dims n, k\nv : k x 1\nW : n x k\nh = W @ v\n", "t.deriv")
    env, _ = checker.check_program(program)
    plan = Plan(program.statements)
    reads = plan.closure({"h", "v"})
    big = scale.estimate(env, plan, reads, [("h", "v")], {"n": 10**6, "k": 3})
    assert big.nbytes < budget.DEFAULT_MEMORY_BUDGET                    # fits in memory, but
    assert big.over(10) == ("needs about 4e+12 operations on array entries, more than the 1e+10 "
                            "that fit in the time budget of 10 s")       # 10**6 sweeps of 4 * 10**6 entries
    assert scale.estimate(env, plan, reads, [("h", "v")], {"n": 7, "k": 3}).over(10) is None


def test_sizes_as_arguments_of_ones_are_sizes_not_numbers():
    from dsl.compute.plan import Plan
    from dsl.language import syntax
    from dsl.shapes import checker
    from dsl.verify import scale
    text = "dims n = 9, m = 9\nA : n x n\nL = sum(A * ones(n, n)) * m\ndL/dA = m * ones(n, n)\n"
    program, _ = syntax.parse_text(text, "t.deriv")
    env, _ = checker.check_program(program)
    plan = Plan(program.statements)
    [info] = env.claims
    assert scale.drawable(env, plan, info.claim, plan.closure({"L", "A"}), {"n", "m"}) == {"n"}


def test_mlp_column_at_a_million_is_verified_on_drawn_sizes_not_timed_out(tmp_path, capsys):
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "examples" / "mlp_column.deriv").read_text()
    assert "dims n = 5, k = 3" in text
    path = write(tmp_path, text.replace("dims n = 5, k = 3", "dims n = 1000000, k = 3"))
    code, out, err = run(capsys, "check", "--color", "never", path)
    assert code == 0 and err == "" and "took longer" not in out and "unchecked" not in out
    assert "claims: 7 verified" in out
    assert out.count("verified on drawn sizes, not the declared n = 1000000") == 2
