"""Verification costs what a claim reads: the dependency plan, draws of
inputs by name, and a session that grows its plan instead of rebuilding it."""
from __future__ import annotations

from dsl import pipeline as driver
from dsl.compute.plan import Plan
from dsl.core.span import Source
from dsl.language import syntax

BLOCK = "x : 1 x n\nW : n x n\na = x @ W\nL = sum(tanh(a))\n"
WRONG = "dL/dW = x.T @ tanh(a)\n"          # tanh for tanh': wrong, with numbers in the message
UNRELATED = "u : 1 x n\nv = 3 * u\nM = sum(v * v)\ndM/du = 18 * u\n"


def test_plan_answers_from_reads_and_readers():
    program, _ = syntax.parse_text("x : 1 x 3\ny : 1 x 3\na = 2 * x\nb = sum(a)\nc = sum(y)\n"
                                   "d = b + c\n", "t.deriv")
    plan = Plan(program.statements)
    assert plan.order_of("d") == ["a", "b", "c", "d"]
    assert plan.dependents("x") == {"x", "a", "b", "d"}
    assert plan.dependents("y") == {"y", "c", "d"}
    assert plan.closure({"b"}) == {"a", "b", "x"}
    more, _ = syntax.parse_text("e = 2 * d\n", "t.deriv")
    plan.extend(program.statements + more.statements)
    assert plan.dependents("y") == {"y", "c", "d", "e"} and plan.seen == 7


def _verdict(text: str) -> list[tuple[str, str]]:
    report = driver.check_source(Source("t.deriv", text))
    return [(c.claim.deriv.num.id, c.status, c.diagnostic and (c.diagnostic.message, c.diagnostic.hint))
            for c in report.claims]


def test_a_claim_is_checked_on_the_same_values_whatever_comes_before_it():
    alone = _verdict("dims n\n" + BLOCK + WRONG)
    after = _verdict("dims n\n" + UNRELATED + BLOCK + WRONG)
    assert alone[0][1] == "wrong" and alone[0][2] is not None
    assert after[0] == ("M", "verified", None)
    assert after[1] == alone[0]        # the numbers in the message are the same draws


def test_a_session_verifies_against_its_plan_after_a_rejected_piece():
    session = driver.Session()
    session.feed("dims n\nx : 1 x n\n")
    rejected = session.feed("L = sum(x * x)\nbad = x @ x\n", keep_on_error=False)
    assert rejected.has_errors
    session.feed("L = sum(3 * x)\n")
    [result] = session.feed("dL/dx = 3 + 0 * x\n").claims
    assert result.status == "verified"     # the rejected L = sum(x * x) is not in the plan


def test_a_session_verifies_what_the_whole_file_verifies():
    session = driver.Session()
    pieces = ["dims n\n", UNRELATED, BLOCK, WRONG]
    fed = [c for piece in pieces for c in session.feed(piece).claims]
    whole = driver.check_source(Source("t.deriv", "".join(pieces))).claims
    assert [c.status for c in fed] == [c.status for c in whole] == ["verified", "wrong"]
    assert fed[1].detail == whole[1].detail


def test_the_opaque_check_of_a_claim_reads_only_the_definitions_it_reaches():
    # per claim, no pass over the whole program (it made verification quadratic)
    from dsl.shapes.checker import check_program
    from dsl.verify.opaque import opaque_reason
    program, _ = syntax.parse_text("o : 1 x 3\nl : scalar opaque\nL = l(o, o)\nM = sum(o)\n"
                                   "dL/do = o\ndM/do = 1 + 0 * o\n", "t.deriv")
    env = check_program(program)[0]
    plan = Plan(program.statements)

    class Unwalked:
        @property
        def statements(self):
            raise AssertionError("the whole program was walked")

    first, second = [s for s in program.statements if type(s).__name__ == "Claim"]
    assert opaque_reason(Unwalked(), env, first, plan.defs) == "'l' is a function the document does not define"
    assert opaque_reason(Unwalked(), env, second, plan.defs) is None
    assert opaque_reason(program, env, first) == opaque_reason(Unwalked(), env, first, plan.defs)
