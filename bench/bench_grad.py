"""Rows 4 and 5: the reference gradient and the verification of one claim,
on the 784-512-10 MLP at batch 256.

Row 4 (``grad``): ``autodiff.grad(program, env, inputs, sizes, "L", "W1")``
(one traced forward pass and one backward sweep) against the hand-written
NumPy backprop of :func:`mlp.backprop_w1` (goal: at most 1.2x) and against
HIPS ``autograd`` when it is installed (no goal; skipped with the reason
otherwise).

Row 5 (``verify``): ``verify.verify_claims`` on the claim
:data:`generate.MLP_CLAIM` (``dL/dW1 = ...``), all draws, against
``verify.DRAWS`` hand-written forward + backward passes (goal: at most 3x).
The verifier draws its own inputs each draw (sizes are fixed by ``dims``);
the baseline reuses one set of arrays.
"""
from __future__ import annotations

import numpy as np

import mlp
from generate import MLP_CLAIM, MLP_DIMS, MLP_TEXT
from timing import Row, Settings, measure_together, profile


def _program(text: str):
    from dsl.core.span import Source
    from dsl.language import syntax
    from dsl.shapes import checker as shapes

    program, diags = syntax.parse(Source("mlp784.deriv", text))
    env, more = shapes.check_program(program)
    errors = [d.message for d in diags + more if d.is_error]
    return program, env, errors


def run_grad(s: Settings) -> list[Row]:
    from dsl.compute import autodiff

    a = mlp.arrays(s.seed)
    sizes = dict(MLP_DIMS)
    program, env, errors = _program(MLP_TEXT)
    if errors:
        s.say(f"grad: WARNING the MLP does not check: {errors}")

    def ours():
        return autodiff.grad(program, env, a, sizes, "L", "W1")

    g, ref = ours(), mlp.backprop_w1(**a)
    s.say(f"grad: dL/dW1 {g.shape}; max |autodiff - NumPy backprop| = {np.max(np.abs(g - ref)):.1e} "
          f"(max |entry| {np.max(np.abs(ref)):.1e}); arrays seeded {s.seed}")
    reps = s.reps(20, 5)
    fns = {"ours": ours, "numpy": lambda: mlp.backprop_w1(**a)}
    try:
        by_autograd = mlp.autograd_w1(a)
    except ImportError:
        reason = "HIPS autograd is not installed (pip install autograd to run this row)"
        s.say(f"grad: autograd row skipped: {reason}")
    else:
        reason = None
        fns["autograd"] = by_autograd
        s.say(f"grad: max |autograd - NumPy backprop| = {np.max(np.abs(by_autograd() - ref)):.1e}")
    t = measure_together(fns, repeats=reps, warmup=2)
    t_ours, t_numpy = t["ours"], t["numpy"]
    name = "gradient dL/dW1 (autodiff.grad)"
    rows = [Row(name, t_ours, t_numpy, "NumPy backprop", goal=1.2)]
    if reason is None:
        rows.append(Row("  vs HIPS autograd", t_ours, t["autograd"], "autograd"))
    else:
        rows.append(Row("  vs HIPS autograd", skipped=reason))
    s.say(f"grad: spreads: autodiff {t_ours.spread}, NumPy {t_numpy.spread}")
    return rows


def run_verify(s: Settings) -> list[Row]:
    from dsl.verify import claims as verify

    a = mlp.arrays(s.seed)
    program, env, errors = _program(MLP_TEXT + MLP_CLAIM + "\n")
    if errors or not env.claims:
        s.say(f"verify: WARNING the claim does not check: {errors}")
        return [Row("verify one claim (dL/dW1)", skipped="the claim does not check: " + "; ".join(errors))]
    claim = env.claims[-1]

    def ours():
        return verify.verify_claims(program, env, seed=s.seed, claims=[claim])

    result = ours()[0]
    s.say(f"verify: {MLP_CLAIM!r}: {result.status}{' (' + result.detail + ')' if result.detail else ''}; "
          f"{verify.DRAWS} draws, seed {s.seed}")

    def baseline():
        for _ in range(verify.DRAWS):
            mlp.backprop_w1(**a)

    reps = s.reps(10, 3)
    t = measure_together({"ours": ours, "numpy": baseline}, repeats=reps, warmup=1)
    t_ours, t_base = t["ours"], t["numpy"]
    s.say(f"verify: spreads: verify {t_ours.spread}, NumPy {t_base.spread}")
    name = "verify one claim dL/dW1 (all draws)"
    rows = [Row(name, t_ours, t_base, f"{verify.DRAWS} x NumPy fwd+bwd", goal=3.0)]
    if s.profile:
        profile(name, ours)
    return rows
