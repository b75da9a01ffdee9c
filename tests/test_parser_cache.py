"""Built parsers kept between processes (``syntax.cached_lark``): loaded
when the grammar is the same, built again when it changed, and never a
failure when the cache cannot be read or written."""
import os

import pytest
from lark import Lark

from dsl.language import syntax

GRAMMAR = 'start: WORD+\nWORD: /[a-z]+/\n%ignore " "\n'


def build(grammar=GRAMMAR, built=None):
    def make():
        if built is not None:
            built.append(1)
        return Lark(grammar, parser="lalr")
    return make


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_parser_is_built_once_then_loaded(cache):
    built: list = []
    first = syntax.cached_lark("words", GRAMMAR, build(built=built))
    [kept] = os.listdir(cache)
    assert kept.startswith("words-") and kept.endswith(".lark") and built == [1]
    again = syntax.cached_lark("words", GRAMMAR, build(built=built))
    assert built == [1]                                       # loaded, not built
    assert again.parse("ab cd") == first.parse("ab cd")


def test_a_changed_grammar_is_never_read_from_the_old_file(cache):
    syntax.cached_lark("words", GRAMMAR, build())
    changed = GRAMMAR.replace("[a-z]", "[a-z0-9]")
    built: list = []
    parser = syntax.cached_lark("words", changed, build(changed, built))
    assert built == [1] and len(os.listdir(cache)) == 2
    assert parser.parse("a1").children[0] == "a1"


def test_a_corrupt_cache_file_is_built_again_and_replaced(cache):
    syntax.cached_lark("words", GRAMMAR, build())
    [kept] = os.listdir(cache)
    (cache / kept).write_bytes(b"not a parser")
    built: list = []
    assert syntax.cached_lark("words", GRAMMAR, build(built=built)).parse("ab")
    assert built == [1] and (cache / kept).read_bytes() != b"not a parser"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_an_unwritable_cache_is_passed_over_silently(cache, capsys):
    cache.mkdir(mode=0o500)
    built: list = []
    for _ in range(2):
        assert syntax.cached_lark("words", GRAMMAR, build(built=built)).parse("ab")
    assert built == [1, 1] and os.listdir(cache) == []
    assert capsys.readouterr() == ("", "")


def test_a_cache_path_that_is_a_file_is_passed_over_silently(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CHAINRULE_CACHE", str(blocker / "cache"))
    assert syntax.cache_dir() is None
    assert syntax.cached_lark("words", GRAMMAR, build()).parse("ab")
    assert capsys.readouterr() == ("", "")


def test_the_language_parsers_come_from_the_cache_in_a_new_process(cache):
    import subprocess
    import sys
    code = ("from dsl.language import syntax; from dsl.frontends import latex_math; "
            "print(syntax.parse_text('a = x @ W')[0].statements[0].name, latex_math.translate('x^T').text)")
    env = {**os.environ, "CHAINRULE_CACHE": str(cache)}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        assert done.stdout == "a x.T\n" and done.stderr == ""
    names = sorted(n.split("-")[0] for n in os.listdir(cache))
    assert "chainrule" in names and "latex_math" in names
