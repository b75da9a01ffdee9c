"""The pipeline's expression-level entry points, its typed results and the
one rule for arrays as values."""
from __future__ import annotations

import json

import numpy as np
import pytest

from dsl import pipeline
from dsl.core.arrays import as_value, shape_of_value
from dsl.core.dims import SCALAR, Shape, Sym
from dsl.core.kinds import LayoutKind, NameKind, Status
from dsl.core.span import Source
from dsl.core.verdicts import ClaimResult
from dsl.render.text import render_json

# ------------------------------------------------------------ the array rule

@pytest.mark.parametrize("raw, shape", [
    (2.5, SCALAR),
    (np.array(3.0), SCALAR),
    (np.arange(4), Shape((1, 4))),          # 1-d: a row
    ([[1, 2, 3]], Shape((1, 3))),
    (np.ones((4, 1)), Shape((4, 1))),
    (np.ones((2, 5)), Shape((2, 5))),
])
def test_arrays_become_values_by_one_rule(raw, shape):
    value, why = as_value(raw)
    assert why is None and value.dtype == np.float64
    assert shape_of_value(value) == shape
    assert pipeline.env_from_arrays({"a": raw}).names["a"].shape == shape
    assert pipeline.check_expr("a", {"a": raw}).shape == shape


@pytest.mark.parametrize("raw, why", [
    (np.ones((2, 2, 2, 2, 2)), "is 5-dimensional (2 x 2 x 2 x 2 x 2)"),
    ("text", "is a str, not an array"),
    (len, "is a builtin_function_or_method, not an array"),
    ([[1, 2], [3]], "whose rows have different lengths"),
])
def test_what_is_not_a_value_is_refused(raw, why):
    value, said = as_value(raw)
    assert value is None and why in said
    with pytest.raises(ValueError, match="'a' "):
        pipeline.env_from_arrays({"a": raw})
    checked = pipeline.check_expr("a + 1", {"a": raw})
    assert not checked.ok and checked.shape is None
    [diag] = checked.diagnostics
    assert diag.code == "E602" and diag.message == f"'a' {said}"
    assert (diag.span.column, diag.span.end_column) == (1, 2)       # at the name's use


def test_only_the_names_used_are_read():
    checked = pipeline.check_expr("x @ W", {"x": np.ones(3), "W": np.ones((3, 2)),
                                            "junk": "not an array", "T": np.ones((2, 2, 2))})
    assert checked.ok and checked.shape == Shape((1, 2))
    assert sorted(checked.values) == ["W", "x"]
    assert checked.notes == ["x is 1-d: taken as a row vector 1 x 3"]


def test_a_name_without_an_array_is_the_checkers_to_report():
    arrays = {"x": np.ones((1, 2)), "yy": np.ones((2, 1)), "zzz": np.ones((2, 2, 2, 2, 2))}
    checked = pipeline.check_expr("x @ y", arrays)
    assert [d.code for d in checked.diagnostics] == ["E200"]
    assert checked.diagnostics[0].hint == "did you mean 'yy'?"     # an unused array, as a spelling
    assert sorted(checked.values) == ["x"]
    unheard = pipeline.check_expr("x @ zz", arrays)                 # the nearest is not a value
    assert [(d.code, d.hint) for d in unheard.diagnostics] == [("E200", None)]


# ----------------------------------------------- expressions with arrays

def test_evaluate_expr_gives_the_value_and_its_shape():
    x, W = np.arange(3.0), np.arange(6.0).reshape(3, 2)
    result = pipeline.evaluate_expr("x @ W", {"x": x, "W": W})
    assert result.ok and result.shape == Shape((1, 2))
    np.testing.assert_allclose(result.value, x[None, :] @ W)


def test_errors_are_diagnostics_never_exceptions():
    bad_syntax = pipeline.evaluate_expr("x @ (W", {"x": np.ones(2)})
    assert bad_syntax.checked.expr is None and bad_syntax.value is None
    assert bad_syntax.diagnostics[0].code.startswith("E1")
    bad_shape = pipeline.evaluate_expr("W @ x", {"x": np.ones((1, 3)), "W": np.ones((3, 2))})
    assert [d.code for d in bad_shape.diagnostics] == ["E300"] and bad_shape.shape is None
    singular = pipeline.evaluate_expr("inv(M)", {"M": np.zeros((2, 2))})
    assert singular.shape == Shape((2, 2)) and singular.value is None
    assert singular.error is not None and singular.diagnostics[-1] is singular.error.diagnostic
    assert singular.diagnostics[-1].is_error


def test_a_defect_in_a_stage_is_E901(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(pipeline.expr.shapes, "infer", broken)
    checked = pipeline.check_expr("x", {"x": np.ones(2)})
    assert not checked.ok and [d.code for d in checked.diagnostics] == ["E901"]
    assert "boom" in checked.diagnostics[0].message


# ------------------------------------------------- against a session

def session(*lines: str) -> pipeline.Session:
    s = pipeline.Session(verify=False)
    for line in lines:
        report = s.feed(line)
        assert not report.has_errors, report.diagnostics
    return s


def test_check_against_a_sessions_environment():
    s = session("dims n, k = 2", "x : 1 x n", "W : n x k", "a = x @ W")
    checked = pipeline.check_expr("x.T @ a", env=s.env)
    assert checked.ok and checked.shape == Shape((Sym("n"), Sym("k")))
    # arrays are not read when a session's environment is given
    checked = pipeline.check_expr("x", {"x": np.ones((5, 5))}, env=s.env)
    assert checked.shape == Shape((1, Sym("n"))) and checked.values == {}
    wrong = pipeline.check_expr("a @ W", env=s.env)
    assert [d.code for d in wrong.diagnostics] == ["E300"]


def test_value_on_a_sessions_evaluation():
    s = session("dims n = 3", "x : 1 x n", "L = sum(x * x)")
    assert [d.code for d in s.feed("b = x @ x").diagnostics] == ["E300"]     # kept, with no value
    ev = s.evaluate()
    x = ev.values["x"]
    grad = pipeline.value_of(pipeline.check_expr("dL/dx", env=s.env), ev)
    assert grad.ok
    np.testing.assert_allclose(grad.value, 2 * x)            # the true derivative
    sized = pipeline.value_of(pipeline.check_expr("n * L", env=s.env), ev)
    np.testing.assert_allclose(sized.value, 3 * np.sum(x * x))
    missing = pipeline.value_of(pipeline.check_expr("b + L", env=s.env), ev)
    assert missing.missing == ["b"] and missing.value is None


def test_an_empty_session_has_no_evaluation():
    assert pipeline.Session().evaluate() is None


# ------------------------------------------------------------ typed results

def test_verdicts_are_one_type_with_an_enum_status():
    text = "dims n\nx : 1 x n\nL = sum(x * x)\ndL/dx = 2 * x\ndL/dx = x\n"
    report = pipeline.check_source(Source("t.deriv", text))
    assert all(type(c) is ClaimResult for c in report.claims)
    assert [c.status for c in report.claims] == [Status.VERIFIED, Status.WRONG]
    unchecked = pipeline.check_source(Source("t.deriv", text), verify=False)
    assert all(type(c) is ClaimResult and c.status is Status.UNCHECKED for c in unchecked.claims)
    claims = json.loads(render_json([report]))["files"][0]["claims"]
    assert [c["status"] for c in claims] == ["verified", "wrong"]


def test_name_kinds_and_layout_are_enums():
    report = pipeline.check_source(Source("t.deriv", "layout denominator\nx : 1 x 2\na = x * 2\n"),
                                   verify=False)
    assert isinstance(report.env, pipeline.Env)
    assert report.env.layout is LayoutKind.DENOMINATOR
    assert [i.kind for i in report.env.names.values()] == [NameKind.INPUT, NameKind.DEFINED]


def test_the_pipeline_keeps_its_public_names():
    names = ["check_source", "check_file", "evaluate_source", "Session", "verify_claim_text",
             "read_source", "decode_source", "unreadable", "Report", "Evaluation", "true_derivatives",
             "check_expr", "evaluate_expr", "value_of", "env_from_arrays", "DEFAULT_SEED"]
    assert [n for n in names if not hasattr(pipeline, n)] == []
    assert set(pipeline.__all__) <= set(dir(pipeline))


def test_evaluating_the_same_text_again_does_not_parse_it_again(monkeypatch):
    from dsl.core.span import Source
    from dsl.pipeline import program as stage
    calls = []
    real = stage.check_source
    monkeypatch.setattr(stage, "check_source", lambda *a, **k: calls.append(a[0].text) or real(*a, **k))
    text = "dims n = 3\nx : 1 x n\nL = sum(x * x)\n"
    first = stage.evaluate_source(Source("cached.deriv", text), seed=11)
    first.report.diagnostics.append("changed by a caller")        # a copy: the cache is not changed
    second = stage.evaluate_source(Source("cached.deriv", text), seed=11)
    assert calls == [text] and second.report.diagnostics == []
    assert float(second.values["L"]) == float(first.values["L"])
    stage.evaluate_source(Source("cached.deriv", text + "M = 2 * L\n"), seed=11)    # another text is checked
    stage.evaluate_source(Source("cached.deriv", text), seed=12)                   # and another seed
    assert len(calls) == 3


def test_a_large_check_leaves_its_objects_frozen_until_the_next_check():
    import gc

    from dsl.core.span import Source
    from dsl.pipeline import check_source, program as stage
    text = "dims n\nx : 1 x n\n" + "".join(f"a{i} = x * {i} + x\n" for i in range(3000))
    assert gc.isenabled()
    try:
        report = check_source(Source("big.deriv", text), verify=False)
        assert not report.diagnostics and gc.isenabled()
        assert gc.get_freeze_count() > stage.FREEZE_AFTER        # not walked by the next collection
        check_source(Source("small.deriv", "dims n\n"), verify=False)
        assert gc.get_freeze_count() == 0                        # handed back when the next check starts
    finally:
        gc.unfreeze()
