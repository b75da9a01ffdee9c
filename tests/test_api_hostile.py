"""The Python API given wrong things (SPEC section 7 for a notebook user).

Every function refuses an argument of the wrong type with ``TypeError`` and
one out of range with ``ValueError``, a sentence naming the function and the
argument, by the rules the command line applies to its options; arrays that
are not values are ``E602`` (in ``ShapeError``), saying what they hold; an
expression without a value is ``E603`` (in ``EvaluationError``).  No message
carries the text of another exception, an object's repr or a traceback, and
no NumPy warning is printed.
"""
from __future__ import annotations

import argparse
import decimal
import fractions
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import dsl
from dsl import api
from dsl.api import DeriveError, EvaluationError, ShapeError
from dsl.apps import options as cli_options
from dsl.builtins import EvalError
from dsl.pipeline import Session

PROGRAM = "dims n\nx : 1 x n\nW : n x n\nL = sum(tanh(x @ W))\n"
CLAIM = "dL/dx = tanh'(x @ W) @ W.T"

# Python internals: another exception's name, an object's repr, a traceback, NumPy's own reprs
INTERNALS = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b|object at 0x|Traceback|\bnp\.\w+\(|ufunc|"
                       r"inhomogeneous|could not convert|argument must be")


def clean(message: str) -> str:
    assert message, "an empty message"
    found = INTERNALS.search(message)
    assert found is None, f"Python internals in {message!r}: {found.group(0)!r}"
    return message


def refused(kind: type[Exception], call, *args, **kwargs) -> str:
    """The message of ``call``'s refusal, asserted to be ``kind`` exactly (not
    a subclass: ``TypeError`` / ``ValueError`` as Python raises them), with
    no warning printed and no internals in it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(Exception) as info:
            call(*args, **kwargs)
    assert type(info.value) is kind, f"{type(info.value).__name__}: {info.value}"
    return clean(str(info.value))


def quietly(call, *args, **kwargs):
    """``call``'s result, asserted to print no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call(*args, **kwargs)


# ------------------------------------------------------------ option values

CALLS_WITH_A_SEED = {
    "check": lambda seed: dsl.check(PROGRAM + CLAIM, seed=seed),
    "verify_claim": lambda seed: dsl.verify_claim(PROGRAM, CLAIM, seed=seed),
    "derive": lambda seed: dsl.derive(PROGRAM, "L", "x", seed=seed),
    "Session": lambda seed: Session(seed=seed),
}


@pytest.mark.parametrize("function", sorted(CALLS_WITH_A_SEED))
@pytest.mark.parametrize("seed, kind", [(-1, ValueError), (2**32, ValueError), (10**400, ValueError),
                                        (np.int64(-1), ValueError), (1.5, TypeError), (2.0, TypeError),
                                        ("3", TypeError), (np.str_("3"), TypeError), (np.bytes_(b"3"), TypeError),
                                        (True, TypeError), (np.bool_(True), TypeError), (np.float64(1), TypeError),
                                        (decimal.Decimal(2), TypeError), (None, TypeError), ([1], TypeError)])
def test_a_seed_out_of_the_range_or_of_another_type_is_refused(function, seed, kind):
    message = refused(kind, CALLS_WITH_A_SEED[function], seed)
    assert message.startswith(f"{function}() argument 'seed': a seed is a whole number from 0 to 4294967295")


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, np.int64(3), np.uint32(5)])
def test_a_seed_in_the_range_is_taken_numpy_integers_too(seed):
    report = quietly(dsl.check, PROGRAM + CLAIM, seed=seed)
    assert [c.status for c in report.claims] == ["verified"] and report.seed == int(seed)


@pytest.mark.parametrize("timeout, kind", [("x", TypeError), ("10", TypeError), (True, TypeError), (1j, TypeError),
                                           (-1, ValueError), (0, ValueError), (float("nan"), ValueError),
                                           (float("inf"), ValueError), (-0.0, ValueError)])
def test_a_timeout_is_a_positive_finite_number_of_seconds(timeout, kind):
    for call in (lambda: dsl.check(PROGRAM + CLAIM, timeout=timeout), lambda: Session(timeout=timeout)):
        message = refused(kind, call)
        assert "a timeout is a positive, finite number of seconds" in message


def test_a_timeout_may_be_any_positive_real_or_none():
    for timeout in (None, 5, 0.5, 1e300, np.float32(2), fractions.Fraction(7, 2)):
        report = quietly(dsl.check, PROGRAM + CLAIM, timeout=timeout)
        assert [c.status for c in report.claims] == ["verified"]


@pytest.mark.parametrize("value", ["no", "False", 0, 1, None, [], np.int64(1)])
def test_a_switch_is_true_or_false_not_a_truthy_value(value):
    assert "a switch is True or False" in refused(TypeError, dsl.check, PROGRAM, verify=value)
    assert "a switch is True or False" in refused(TypeError, dsl.derive, PROGRAM, "L", "x", steps=value)
    assert quietly(dsl.check, PROGRAM + CLAIM, verify=np.bool_(False)).claims[0].status == "unchecked"


@pytest.mark.parametrize("text, seed", [("-1", -1), ("4294967296", 2**32), ("0", 0), ("7", 7)])
def test_the_command_line_and_the_api_share_one_rule(text, seed):
    """The same range and sentence: the command line quotes the text, the API the value."""
    try:
        cli_value, cli_why = cli_options.seed(text), None
    except argparse.ArgumentTypeError as exc:
        cli_value, cli_why = None, str(exc)
    try:
        api_value, api_why = api.check_arguments("check", seed=seed)["seed"], None
    except ValueError as exc:
        api_value, api_why = None, str(exc)
    assert cli_value == api_value
    assert (cli_why is None) == (api_why is None)
    if cli_why is not None:
        assert api_why == f"check() argument 'seed': {cli_why.replace(repr(text), str(seed))}"


# ------------------------------------------------------------ texts and names

TEXT_CALLS = {
    "parse": lambda t: dsl.parse(t),
    "check": lambda t: dsl.check(t),
    "evaluate_expr": lambda t: dsl.evaluate_expr(t, x=1.0),
    "shape_of": lambda t: dsl.shape_of(t, x=1.0),
    "verify_claim": lambda t: dsl.verify_claim(t, CLAIM),
    "derive": lambda t: dsl.derive(t, "L", "x"),
    "feed": lambda t: Session().feed(t),
}


@pytest.mark.parametrize("function", sorted(TEXT_CALLS))
@pytest.mark.parametrize("text", [5, None, 1.5, ["x = 1"], {"x": 1}])
def test_a_text_that_is_not_a_str_is_a_type_error(function, text):
    message = refused(TypeError, TEXT_CALLS[function], text)
    assert re.match(rf"{function}\(\) argument '\w+': a text is a str, got ", message)


@pytest.mark.parametrize("function", sorted(TEXT_CALLS))
def test_bytes_and_paths_are_refused_saying_what_to_do(function):
    assert "decode it first" in refused(TypeError, TEXT_CALLS[function], PROGRAM.encode())
    assert "read the file first" in refused(TypeError, TEXT_CALLS[function], Path("mlp.deriv"))


def test_the_other_str_arguments_are_checked_too():
    assert "a name is a str, got 5" in refused(TypeError, dsl.check, PROGRAM, 5)
    assert "a name is a str, got 5" in refused(TypeError, dsl.parse, PROGRAM, name=5)
    assert "argument 'y': a name is a str" in refused(TypeError, dsl.derive, PROGRAM, 5, "x")
    assert "argument 'x': a name is a str" in refused(TypeError, dsl.derive, PROGRAM, "L", 3)
    assert "argument 'claim_text'" in refused(TypeError, dsl.verify_claim, PROGRAM, None)
    assert "spell is a function" in refused(TypeError, api.derive, PROGRAM, "L", "x", spell="latex")


def test_a_derivative_that_is_not_one_is_a_derive_error_quoting_it_in_words():
    with pytest.raises(DeriveError) as info:
        dsl.derive(PROGRAM, "y" * 500)
    assert "a str of 500 characters" in clean(str(info.value))


# ------------------------------------------------------------ the arrays mapping and its names

def test_arrays_that_are_not_a_mapping_are_a_type_error():
    for arrays in ([1, 2], "x", 3, {1, 2}):
        message = refused(TypeError, api.evaluate_expr, "x + 1", arrays)
        assert "the arrays are a mapping of names to values (a dict)" in message
    assert api.evaluate_expr("1 + 1", None) == 2


@pytest.mark.parametrize("key, kind, words", [
    (1, TypeError, "an array's name is a str, got 1"),
    (None, TypeError, "got None"),
    (("x",), TypeError, "got a tuple"),
    ("a b", ValueError, "'a b' is not a name an expression can read"),
    ("", ValueError, "'' is not a name"),
    ("1x", ValueError, "'1x' is not a name"),
    (" x", ValueError, "' x' reads as 'x' in an expression"),
    ("sum", ValueError, "'sum' is not a name"),
    ("x'", ValueError, "is not a name"),
    ("ŷ", ValueError, "'ŷ' reads as 'yhat' in an expression; give the array the name 'yhat'"),
])
def test_a_name_that_is_not_a_str_or_not_a_name_is_refused(key, kind, words):
    for call in (api.evaluate_expr, api.shape_of_expr):
        assert words in refused(kind, call, "x + 1", {"x": 1.0, key: 2.0})


def test_a_name_is_what_the_language_reads_as_that_name():
    assert dsl.evaluate_expr("x_1 + _ + dims + ñ", x_1=1.0, _=2.0, dims=3.0, ntilde=4.0) == 10.0
    assert "'ñ' reads as 'ntilde'" in refused(ValueError, dsl.evaluate_expr, "ntilde", ñ=1.0)
    assert "'é' is not a name" in refused(ValueError, dsl.evaluate_expr, "1", é=1.0)


# ------------------------------------------------------------ values that are not arrays of real numbers

def e602(raw, expr: str = "x + 1") -> str:
    """The E602 message of ``raw`` bound to ``x`` (in ShapeError, a ValueError), the same from
    evaluate_expr and shape_of, located at the name."""
    messages = []
    for call in (dsl.evaluate_expr, dsl.shape_of):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ShapeError) as info:
                call(expr, x=raw)
        assert isinstance(info.value, ValueError)
        [d] = info.value.diagnostics
        assert (d.code, d.span.column, d.span.end_column) == ("E602", expr.index("x") + 1, expr.index("x") + 2)
        clean(str(info.value))
        messages.append(d.message)
    assert messages[0] == messages[1]
    return messages[0]


@pytest.mark.parametrize("raw, dtype", [(np.array(["a", "bcd"]), "<U3"), (np.array(["1", "2"]), "<U1"),
                                        (np.array([b"ab"]), "|S2"), (np.str_("7"), "<U1")])
def test_text_is_refused_naming_its_dtype_even_when_it_spells_numbers(raw, dtype):
    assert e602(raw) == f"'x' holds text (dtype {dtype}); chainrule evaluates real numbers"


@pytest.mark.parametrize("raw", [np.array([1 + 2j]), np.array([1.0], dtype=np.complex64), 1j, np.complex128(3),
                                 [1j, 2], np.array([1j], dtype=object)])
def test_complex_numbers_are_refused_without_numpys_warning(raw):
    message = e602(raw)
    assert message.startswith("'x' holds complex numbers (dtype ") and "take .real or abs() first" in message


@pytest.mark.parametrize("raw, what", [
    (np.array([object(), 1]), "holds an object (dtype object)"),
    (np.array([1, None]), "holds None among its entries (dtype object)"),
    ([1, None], "holds None among its entries (dtype object)"),
    ([1, {}], "holds a dict (dtype object)"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "holds dates or times (dtype datetime64[D])"),
    (np.array([1], dtype="timedelta64[s]"), "holds dates or times (dtype timedelta64[s])"),
    (np.zeros(2, dtype=[("a", float)]), "holds records (dtype [('a', '<f8')])"),
    (np.zeros(2, dtype="V4"), "holds records (dtype |V4)"),
])
def test_objects_dates_and_records_are_refused_saying_what_they_hold(raw, what):
    assert e602(raw) == f"'x' {what}; chainrule evaluates real numbers"


@pytest.mark.parametrize("raw", [10**400, -(10**400), [1.0, 10**309], np.array([10**400], dtype=object),
                                 fractions.Fraction(10**400), decimal.Decimal("1e400"),
                                 np.array([np.longdouble("1e4000")])])
def test_numbers_too_large_for_float64_are_refused_not_overflowed(raw):
    if isinstance(raw, np.ndarray) and raw.dtype == np.longdouble and np.isinf(raw).all():
        pytest.skip(reason="this platform's long double is float64: there is no larger value to refuse")
    assert e602(raw) == "'x' holds a number too large for float64 (at most about 1.8e308)"


class Unreadable:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("the text of this exception is never shown")


@pytest.mark.parametrize("raw, message", [
    (None, "'x' is None, not an array"),
    ({"a": 1}, "'x' is a dict, not an array"),
    ({1, 2}, "'x' is a set, not an array"),
    ((i for i in range(3)), "'x' is a generator, not an array"),
    ("1.5", "'x' is a str, not an array"),
    (b"1", "'x' is a bytes, not an array"),
    (len, "'x' is a builtin_function_or_method, not an array"),
    ([[1, 2], [3]], "'x' is a list whose rows have different lengths, not an array"),
    ([np.ones(2), np.ones(3)], "'x' is a list whose rows have different lengths, not an array"),
    ([[[[[[1], [2, 3]]]]]], "'x' is nested more than 4 deep; values have at most 4 axes"),
    (np.ma.masked_array([1.0, 2.0], mask=[True, False]), "'x' is a masked array: fill its masked entries first"),
    (Unreadable(), "'x' is an Unreadable that NumPy cannot read as an array"),
    (np.ones((1, 1, 1, 1, 1)), "'x' is 5-dimensional (1 x 1 x 1 x 1 x 1); values have at most 4 axes, not 5"),
])
def test_what_is_not_an_array_is_refused_by_its_kind(raw, message):
    assert e602(raw).startswith(message)


@pytest.mark.parametrize("raw, value", [
    (np.array([True, False]), [[2.0, 1.0]]), (np.array([1, 2], dtype=np.int8), [[2.0, 3.0]]),
    (np.array([0.5], dtype=np.float16), [[1.5]]), ([[1, 2]], [[2.0, 3.0]]), (range(2), [[1.0, 2.0]]),
    (fractions.Fraction(1, 2), 1.5), (decimal.Decimal("0.5"), 1.5), (np.array([fractions.Fraction(1, 4)]), [[1.25]]),
    (np.array([np.nan]), [[np.nan]]),
])
def test_real_numbers_of_every_kind_are_values(raw, value):
    assert np.array_equal(quietly(dsl.evaluate_expr, "x + 1", x=raw), np.array(value), equal_nan=True)


def test_a_session_evaluated_on_data_that_are_not_values_says_so_in_words():
    s = Session(verify=False)
    s.feed("dims n\nx : 1 x n\ny = sum(x)")
    for raw, words in [(np.array(["a"]), "holds text (dtype <U1)"), ([[1, 2], [3]], "rows have different lengths"),
                       (np.array([1j]), "holds complex numbers"), (10**400, "too large for float64"),
                       (None, "is None, not an array")]:
        evaluation = quietly(s.evaluate, {"x": raw})
        [d] = [d for d in evaluation.diagnostics if d.is_error]
        assert d.code == "E602" and d.message.startswith("the value given for x ") and words in d.message
        clean(d.message)


# ------------------------------------------------------------ empty arrays

@pytest.mark.parametrize("expr, shape", [
    ("softmax(x)", "1 x 0"), ("logsumexp(x)", "1 x 0"), ("max(x)", "1 x 0"), ("min(x)", "1 x 0"),
    ("mean(x)", "1 x 0"), ("mse(x, x)", "1 x 0"), ("2 * max(x) + 1", "1 x 0"), ("softmax(x.T, axis=0)", "0 x 1"),
])
def test_a_reduction_that_needs_an_entry_refuses_an_empty_array_naming_the_call(expr, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(EvaluationError) as info:
            dsl.evaluate_expr(expr, x=np.zeros(0))
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, EvalError)
    [d] = error.diagnostics
    assert d is error.diagnostic and d.code == "E603"
    call = d.message.split(" has no value")[0]
    assert call in expr and expr[d.span.column - 1:d.span.end_column - 1] == call
    assert f"its argument is {shape} (empty)" in d.message
    clean(str(error))


@pytest.mark.parametrize("expr, raw, axis_shape", [("max(W, axis=1)", np.zeros((3, 0)), "3 x 0"),
                                                   ("mean(W, axis=1)", np.zeros((3, 0)), "3 x 0"),
                                                   ("softmax(W)", np.zeros((2, 0)), "2 x 0")])
def test_a_reduction_along_an_empty_axis_is_refused_too(expr, raw, axis_shape):
    with pytest.raises(EvaluationError) as info:
        quietly(dsl.evaluate_expr, expr, W=raw)
    assert f"its argument is {axis_shape} (empty)" in clean(str(info.value))


@pytest.mark.parametrize("expr, raw, value", [("sum(W)", np.zeros(0), 0.0), ("norm(W)", np.zeros(0), 0.0),
                                              ("max(W, axis=0)", np.zeros((3, 0)), np.zeros((1, 0))),
                                              ("softmax(W)", np.zeros((0, 3)), np.zeros((0, 3))),
                                              ("W @ W.T", np.zeros(0), np.zeros((1, 1)))])
def test_what_numpy_gives_a_value_for_keeps_it(expr, raw, value):
    assert np.array_equal(quietly(dsl.evaluate_expr, expr, W=raw), value)


def test_a_copy_past_the_memory_budget_is_refused_before_it_is_made():
    from dsl.compute.budget import memory_limit
    with memory_limit(1000):
        assert e602(np.ones(200, dtype=np.int8)) == ("'x' would take 1.6 KiB as float64, "
                                                     "more than the memory budget of 1000 bytes")
        assert e602([1.0] * 200).startswith("'x' would take 1.6 KiB")
        assert quietly(dsl.evaluate_expr, "sum(x)", x=np.ones(100)) == 100.0     # float64 is not copied


def test_a_session_refuses_data_that_are_not_a_mapping_and_flags_that_are_not_switches():
    s = Session(verify=False)
    s.feed("dims n\nx : 1 x n\ny = sum(x)")
    assert "evaluate() argument 'data': the arrays are a mapping" in refused(TypeError, s.evaluate, [1.0])
    assert "an array's name is a str, got 1" in refused(TypeError, s.evaluate, {1: 1.0})
    assert "a switch is True or False" in refused(TypeError, s.feed, "z = 1", keep_on_error="no")
