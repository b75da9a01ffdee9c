"""The printer harness: what the product prints, it reads back.

For a grammar-drawn statement that parses, the canonical ASCII form
(``printer.to_source``), the fully bracketed form and the Unicode form of
``chainrule fmt --to unicode`` each parse again without a diagnostic, to a
statement whose canonical form is the same text.  A broken round trip is
raised as an ``AssertionError`` naming the form (the oracle's ``exception``
class).
"""
from __future__ import annotations

from hypothesis import strategies as st

from . import grammar, mutate


def statements() -> st.SearchStrategy[str]:
    numbers = mutate.SMALL_NUMBERS + mutate.HUGE_NUMBERS
    exprs = grammar.typed_expr(tuple(numbers)).map(lambda e: e.replace("\n", " "))
    return st.one_of(grammar.raw_statement(),
                     st.tuples(st.sampled_from(["a1 = ", "dL/dx = ", "∂L/∂x = "]), exprs)
                     .map("".join))


def run(text: str) -> tuple[int, str]:
    from dsl.apps.fmt import format_statement
    from dsl.language.printer import to_source
    from dsl.language.syntax import parse_statement

    stmt, diagnostics = parse_statement(text)
    if stmt is None:
        return 1, "\n".join(d.message for d in diagnostics)
    canonical = to_source(stmt)
    forms = {"ascii": canonical, "all brackets": to_source(stmt, parens="all"),
             "unicode": format_statement(stmt, to="unicode")}
    for form, printed in forms.items():
        again, problems = parse_statement(printed)
        assert again is not None, f"the {form} form does not parse: {printed!r}: {problems[0].message}"
        reprinted = to_source(again)
        assert reprinted == canonical, f"the {form} form reads back differently: {printed!r} -> {reprinted!r}"
    return 0, canonical
