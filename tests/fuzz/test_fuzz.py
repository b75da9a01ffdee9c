"""The fuzz harnesses, brief and derandomized: the same inputs every run.

Each harness draws ``EXAMPLES`` inputs and asserts the property of
``oracle`` for each (less the checks ``harnesses.KNOWN`` lists); a failure is shrunk
by hypothesis and shown with its class.  The long run is ``python -m
tests.fuzz``.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from .harnesses import HARNESSES
from .oracle import observe

EXAMPLES = 60
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=10_000,
                print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_no_input_breaks_a_promise(name):
    harness = HARNESSES[name]

    @settings(FUZZ, max_examples=harness.suite_examples or EXAMPLES)
    @given(harness.strategy())
    def prop(value):
        outcome = harness.judge(value, full=False)
        assert outcome.failure is None, f"{outcome.failure}\n--- output ---\n{outcome.output[-2000:]}"

    prop()


def test_the_oracle_names_each_broken_promise():
    def boom():
        raise ZeroDivisionError("x")

    assert observe(boom).kind == "exception"
    assert observe(lambda: (3, "")).kind == "exit"
    assert observe(lambda: (1, "error[E901]: internal error while checking")).kind == "E901"
    assert observe(lambda: (2, "<ast.Call object at 0x7f00>")).kind == "leak"
    assert observe(lambda: (0, "fine")).failure is None


def test_the_oracle_stops_a_hang():
    def spin():
        while True:
            pass

    assert observe(spin, time_limit=0.2).kind == "timeout"
