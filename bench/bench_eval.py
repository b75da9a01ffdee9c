"""Row 2: ``eval`` of the 784-512-10 MLP on a batch of 256.

Ours is ``driver.evaluate_source`` on :data:`generate.MLP_TEXT` with every
input given (``data=``): the whole pipeline (parse, check, sizes from the
arrays, memory budget, evaluation).  The baseline is :func:`mlp.forward`,
hand-written NumPy of the same forward pass (goal: ratio at most 1.05).  A
second row times ``evaluate.evaluate_program`` alone on the checked program,
so the fixed cost of the pipeline shows as the difference.
"""
from __future__ import annotations

import mlp
from generate import MLP_DIMS, MLP_TEXT
from timing import Row, Settings, measure_together, profile


def run(s: Settings) -> list[Row]:
    from dsl.compute import evaluate
    from dsl.core.span import Source
    from dsl.pipeline import check_source, evaluate_source

    a = mlp.arrays(s.seed)
    source = Source("mlp784.deriv", MLP_TEXT)
    s.say(f"eval: MLP {MLP_DIMS['d']}-{MLP_DIMS['h']}-{MLP_DIMS['c']}, batch {MLP_DIMS['m']}, "
          f"arrays seeded {s.seed}, float64")

    result = evaluate_source(source, data=a)
    bad = [x for x in result.report.diagnostics + result.diagnostics if x.is_error]
    if bad or "L" not in result.values:
        s.say(f"eval: WARNING evaluate_source did not evaluate L: {[x.message for x in bad]}")
    else:
        ours, _ = mlp.forward(**a)
        diff = abs(float(result.values["L"]) - ours)
        s.say(f"eval: L = {float(result.values['L']):.12g}; |ours - NumPy| = {diff:.1e}")

    report = check_source(source, verify=False)
    sizes = dict(MLP_DIMS)
    reps = s.reps(30, 5)
    t = measure_together({
        "pipeline": lambda: evaluate_source(source, data=a),
        "evaluator": lambda: evaluate.evaluate_program(report.program, report.env, a, sizes),
        "numpy": lambda: mlp.forward(**a),
    }, repeats=reps, warmup=3)
    t_ours, t_eval, t_numpy = t["pipeline"], t["evaluator"], t["numpy"]
    s.say(f"eval: fixed pipeline cost (evaluate_source - evaluate_program) "
          f"{(t_ours.median - t_eval.median) * 1e3:.2f} ms; spreads: pipeline {t_ours.spread}, "
          f"evaluator {t_eval.spread}, NumPy {t_numpy.spread}")
    name = "eval MLP 784-512-10, batch 256"
    rows = [
        Row(name, t_ours, t_numpy, "NumPy forward", goal=1.05),
        Row("  evaluator alone (evaluate_program)", t_eval, t_numpy, "NumPy forward"),
    ]
    if s.profile:
        profile(name, lambda: [evaluate_source(source, data=a) for _ in range(10)])
    return rows
