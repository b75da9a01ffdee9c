"""The accelerated parse loop (``syntax.direct_parse``): the same ASTs and
diagnostics as Lark's own ``parse`` on every statement of the examples and
the corpus, its reduce actions keyed as its callbacks are, and a parser whose
internals are not as expected left to Lark."""
from pathlib import Path

import pytest

from dsl.core.span import Source
from dsl.language import syntax
from dsl.language.statements import split_statements

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("examples/**/*.deriv"), *ROOT.glob("tests/corpus/**/*.deriv")])

needs_fast = pytest.mark.skipif(syntax._machine().fast is None,
                                reason="lark_cython is not installed for this platform: Lark alone parses")


def _statements():
    for path in FILES:
        source = Source(path.name, path.read_text(encoding="utf-8"))
        for start, end in split_statements(source.text):
            yield source, start, end


def _plain(source, start, end):
    """One statement by plain Lark only (never the accelerated loop)."""
    return syntax._parse_range(source, start, end, "statement", fast=False)


@needs_fast
def test_every_statement_parses_as_lark_parses_it():
    machine = syntax._machine()
    assert machine.fast_parse is not None
    count = 0
    for source, start, end in _statements():
        text = source.text[start:end]
        expected = _plain(source, start, end)
        if expected[0] is None:            # a syntax error: the accelerated loop must refuse it too
            machine.builder.begin(source, start, text)
            with pytest.raises(Exception):  # noqa: B017 (Lark's error or our Reject; either hands over to Lark)
                machine.fast_parse(text, "statement")
            machine.builder.begin(None, 0, "")
            continue
        machine.builder.begin(source, start, text)
        try:
            got = machine.fast_parse(text, "statement")
        finally:
            machine.builder.begin(None, 0, "")
        assert got[0] == expected[0], text
        assert syntax._parse_range(source, start, end, "statement") == expected
        count += 1
    assert count > 500


@needs_fast
def test_reduce_actions_name_the_callbacks_keys():
    from lark.parsers.lalr_analysis import Reduce
    fast = syntax._machine().fast
    states = fast.parser.parser._parse_table.states
    reductions = [arg for row in states.values() for action, arg in row.values() if action is Reduce]
    assert reductions and all(isinstance(arg, syntax._Reduction) for arg in reductions)
    keys = {id(k) for k in fast._callbacks}
    assert all(id(arg) in keys for arg in reductions)


def test_a_parser_without_lark_internals_is_called_as_it_is():
    class Other:
        def parse(self, text, start=None):
            return ("parsed", text, start)
    parse = syntax.direct_parse(Other())  # type: ignore[arg-type]
    assert parse("a = x", "statement") == ("parsed", "a = x", "statement")


def test_a_whole_file_parses_the_same_with_and_without_the_loop(monkeypatch):
    text = "\n".join(path.read_text(encoding="utf-8") for path in FILES[:12])
    source = Source("joined.deriv", text)
    fast = syntax.parse(source)
    machine = syntax._machine()
    monkeypatch.setattr(machine, "fast_parse", None)
    assert syntax.parse(source) == fast
