"""The Pygments lexer: registered as ``deriv``, right tokens, no Error tokens
on real derivations, and usable by a Pygments formatter (what Sphinx and
MkDocs call)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pygments import highlight, lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation
from pygments.util import ClassNotFound

from dsl.apps.highlight import DERIVATIVE, DerivLexer
from dsl.builtins import ALIASES, FUNCTIONS
from dsl.core.attributes import ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.deriv"))


def _lexer():
    try:
        return get_lexer_by_name("deriv")
    except ClassNotFound:
        # The package is not pip-installed here, so its pygments.lexers entry
        # point is absent; test_entry_point_is_found covers the registration.
        return DerivLexer()


def tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in lex(text, _lexer()) if v.strip()]


def test_entry_point_is_found(tmp_path, monkeypatch):
    """The entry point declared in pyproject.toml, installed as package
    metadata, is what get_lexer_by_name('deriv') finds."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = project["project"]["entry-points"]["pygments.lexers"]["deriv"]
    assert target == "dsl.apps.highlight:DerivLexer"
    dist = tmp_path / "chainrule_probe-0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chainrule-probe\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(f"[pygments.lexers]\nderiv = {target}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for alias in ("deriv", "chainrule"):
        assert type(get_lexer_by_name(alias)) is DerivLexer
    assert find_lexer_class_for_filename("mlp.deriv") is DerivLexer


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_lex_without_error_tokens(path):
    text = path.read_text(encoding="utf-8")
    found = [(t, v) for t, v in lex(text, _lexer()) if t in Error]
    assert found == []
    # nothing is dropped or invented: the tokens spell the file
    assert "".join(v for _, v in lex(text, _lexer())).rstrip("\n") == text.rstrip("\n")


def test_statement_kinds():
    assert tokens("dims n = 5, k\n") == [
        (Keyword.Declaration, "dims"), (Name.Constant, "n"), (Operator, "="),
        (Number.Integer, "5"), (Punctuation, ","), (Name.Constant, "k")]
    assert tokens("y : 1 x n onehot  # label\n") == [
        (Name.Variable, "y"), (Punctuation, ":"), (Number.Integer, "1"), (Operator, "x"),
        (Name.Constant, "n"), (Name.Attribute, "onehot"), (Comment.Single, "# label")]
    assert tokens("c : scalar positive\n") == [
        (Name.Variable, "c"), (Punctuation, ":"), (Keyword.Type, "scalar"),
        (Name.Attribute, "positive")]
    assert tokens("W : n×k\n")[2:] == [(Name.Constant, "n"), (Operator, "×"), (Name.Constant, "k")]
    assert tokens("layout denominator\n") == [(Keyword.Declaration, "layout"),
                                              (Keyword.Constant, "denominator")]


def test_expression_tokens():
    got = tokens("dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1^T\n")
    assert got == [
        (DERIVATIVE, "dL/dx"), (Operator, "="), (Punctuation, "("), (Name, "yhat"),
        (Operator, "-"), (Name, "y"), (Punctuation, ")"), (Operator, "@"), (Name, "W2"),
        (Operator, ".T"), (Operator, "*"), (Name.Builtin, "sigma"), (Operator, "'"),
        (Punctuation, "("), (Name, "a"), (Punctuation, ")"), (Operator, "@"), (Name, "W1"),
        (Operator, "^T")]
    assert tokens("a = x @ W1\n")[:2] == [(Name.Variable, "a"), (Operator, "=")]


def test_unicode_as_written_in_notes():
    got = tokens("∂L / ∂x = (ŷ - y) @ W₂ᵀ ⊙ σ'(a)\n")
    assert got[0] == (DERIVATIVE, "∂L / ∂x")
    assert (Name, "ŷ") in got and (Name, "W₂") in got
    assert (Operator, "ᵀ") in got and (Operator, "⊙") in got
    assert (Name.Builtin, "σ") in got


def test_numbers_calls_and_keywords():
    got = tokens("r = sum(X ** 2, axis=0) / m + 1e-3 * 0.5\n")
    assert (Name.Builtin, "sum") in got
    assert (Name.Builtin.Pseudo, "axis") in got
    assert (Number.Float, "1e-3") in got and (Number.Float, "0.5") in got
    assert (Operator, "**") in got and (Number.Integer, "2") in got


def test_every_function_and_attribute_is_known():
    for name in list(FUNCTIONS) + list(ALIASES):
        assert tokens(f"q = {name}(a)\n")[2] == (Name.Builtin, name)
    for attr in ATTRIBUTES:
        assert tokens(f"v : 1 x n {attr}\n")[-1] == (Name.Attribute, attr)


def test_refused_operators_are_error_tokens():
    assert (Error, "·") in tokens("g = a · b\n")
    assert (Error, ".*") in tokens("g = a .* b\n")


def test_unknown_words_are_not_errors():
    got = tokens("y : 1 x n one_hot\nq = sigmoidd(a)\n")
    assert (Name, "one_hot") in got and (Name, "sigmoidd") in got
    assert not any(t in Error for t, _ in got)


def test_html_for_a_docs_block():
    html = highlight("h = sigma(x @ W1)  # hidden\n", _lexer(), HtmlFormatter(nobackground=True))
    assert '<span class="nb">sigma</span>' in html          # Name.Builtin
    assert '<span class="c1"># hidden</span>' in html       # Comment.Single
    assert '<span class="nv">h</span>' in html              # Name.Variable
