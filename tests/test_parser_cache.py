"""Built parsers kept between processes (``syntax.cached_lark``): loaded
when the grammar is the same, built again when it changed, and never a
failure when the cache cannot be read or written."""
import os

import pytest

from dsl.language import syntax

GRAMMAR = 'start: WORD+\nWORD: /[a-z]+/\n%ignore " "\n'


def cached(grammar, built):
    """``cached_lark`` of ``grammar``, counting in ``built`` the times Lark built its tables."""
    from lark import Lark
    real = Lark._build_parser

    def counting(self):
        built.append(1)
        return real(self)
    Lark._build_parser = counting
    try:
        return syntax.cached_lark("words", grammar, parser="lalr")
    finally:
        Lark._build_parser = real


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_parser_is_built_once_then_loaded(cache):
    built: list = []
    first = cached(GRAMMAR, built)
    [kept] = os.listdir(cache)
    assert kept.startswith("words-") and kept.endswith(".lark") and built == [1]
    again = cached(GRAMMAR, built)
    assert built == [1]                                       # loaded, not built
    assert again.parse("ab cd") == first.parse("ab cd")


def test_a_changed_grammar_is_never_read_from_the_old_file(cache):
    cached(GRAMMAR, [])
    changed = GRAMMAR.replace("[a-z]", "[a-z0-9]")
    built: list = []
    parser = cached(changed, built)
    assert built == [1] and len(os.listdir(cache)) == 2
    assert parser.parse("a1").children[0] == "a1"


def test_a_corrupt_cache_file_is_built_again_and_replaced(cache):
    cached(GRAMMAR, [])
    [kept] = os.listdir(cache)
    (cache / kept).write_bytes(b"not a parser")
    built: list = []
    assert cached(GRAMMAR, built).parse("ab")
    assert built == [1] and (cache / kept).read_bytes() != b"not a parser"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_an_unwritable_cache_is_passed_over_silently(cache, capsys):
    cache.mkdir(mode=0o500)
    built: list = []
    for _ in range(2):
        assert cached(GRAMMAR, built).parse("ab")
    assert built == [1, 1] and os.listdir(cache) == []
    assert capsys.readouterr() == ("", "")


def test_a_cache_path_that_is_a_file_is_passed_over_silently(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CHAINRULE_CACHE", str(blocker / "cache"))
    assert syntax.cache_dir() is None
    built: list = []
    assert cached(GRAMMAR, built).parse("ab") and cached(GRAMMAR, built).parse("ab")
    assert built == [1, 1] and capsys.readouterr() == ("", "")


def test_the_language_parsers_come_from_the_cache_in_a_new_process(cache):
    import subprocess
    import sys
    code = ("from lark import Lark; real = Lark._build_parser; built = []\n"
            "def counting(self): built.append(1); return real(self)\n"
            "Lark._build_parser = counting\n"
            "from dsl.language import syntax; from dsl.frontends import latex_math\n"
            "print(syntax.parse_text('a = x @ W')[0].statements[0].name, syntax.parse_text('a = (')[1][0].code,"
            " latex_math.translate('x^T').text, len(built))")
    env = {**os.environ, "CHAINRULE_CACHE": str(cache)}
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
               for _ in range(2)]
    assert [(o.stdout, o.stderr) for o in outputs][1] == ("a E101 x.T 0\n", "")     # nothing built the second time
    assert outputs[0].stdout.startswith("a E101 x.T ") and outputs[0].stderr == ""
    names = sorted(n.rsplit("-", 1)[0] for n in os.listdir(cache))
    assert "latex_math" in names and "chainrule" in names
