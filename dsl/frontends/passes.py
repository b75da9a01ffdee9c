"""The readings of one document: what it states first (``scopes.Plan``),
then its equations with those statements, and once more with gradients
as rows when every claim writes them so.  ``two_passes`` is the reading;
``read_twice`` returns its builder, for the readings ``infer_pass`` makes
with builders of its own."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dsl.frontends.builder import Builder
from dsl.frontends.document import Extracted, Host
from dsl.frontends.scopes import Plan
from dsl.language.syntax import parse_text
from dsl.shapes.checker import check_program

AnyBuilder = TypeVar("AnyBuilder", bound=Builder)


def two_passes(host: Host, feed: Callable[[Builder], None]) -> Extracted:
    """Read a document twice with ``feed`` (its front end): first what it
    states (``scopes.Plan``), then its equations, with those statements.  A
    document declaring no layout whose claims all write their derivatives
    transposed (two at least) is read once more with gradients as rows."""
    return read_twice(host, feed, Builder).finish()


def read_twice(host: Host, feed: Callable[[Builder], None],
               make: Callable[[Host, Plan], AnyBuilder]) -> AnyBuilder:
    """``two_passes``, returning the builder of the equations' reading, which
    ``make`` builds (``Builder``; ``infer_pass`` passes builders of its own)."""
    scan = Builder(host)
    feed(scan)
    scan.plan.hand = set(scan.known)
    notes = scan.plan.settle(host.span)
    for again in (False, True):
        builder = make(host, scan.plan)
        builder.notes += notes
        feed(builder)
        if (again or "layout" in scan.plan.settings or builder.counts["claims"] < 2
                or not _rows_throughout("".join(builder.parts))):
            break
        scan.plan.settings["layout"] = ("numerator", -1)          # -1: inferred, not declared
    return builder


def _rows_throughout(text: str) -> bool:
    """Whether every claim whose layout shows has the transposed shape (two at least)."""
    program, _ = parse_text(text)
    env, _ = check_program(program)
    rows = direct = 0
    for c in env.claims:
        if c.expected is None or c.got is None or c.expected == c.expected.T:
            continue
        rows += c.got == c.expected.T
        direct += c.got == c.expected
    return rows >= 2 and not direct
