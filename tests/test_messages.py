"""The diagnostic catalogue: one place for wording, documented, pinned."""
import ast
import re
from pathlib import Path

import pytest

from dsl.core import messages
from dsl.core.diagnostics import Severity
from dsl.core.span import Span

ROOT = Path(__file__).resolve().parent.parent
SPAN = Span("t.deriv", 3, 5, 3, 9)


def test_docs_catalogue_is_generated_from_messages():
    # regenerate with: python -m dsl.core.messages > docs/diagnostics.md
    assert (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8") == messages.catalogue_markdown()


def test_every_code_used_in_the_code_is_in_the_catalogue():
    used = set()
    for path in (ROOT / "dsl").rglob("*.py"):
        used |= set(re.findall(r'"([EWN]\d{3})"', path.read_text(encoding="utf-8")))
    missing = used - set(messages.CATALOGUE)
    assert not missing, f"codes used but not catalogued: {sorted(missing)}"


def test_codes_are_unique_and_severity_follows_the_letter():
    codes = [e.code for e in messages._ENTRIES]
    assert len(codes) == len(set(codes))
    for e in messages._ENTRIES:
        assert e.severity is {"E": Severity.ERROR, "W": Severity.WARNING, "N": Severity.NOTE}[e.code[0]]
        assert e.checks and e.why and e.example and e.fix, e.code


@pytest.mark.parametrize("code, values, text", [
    ("E200", {"name": "aa"}, "undefined name 'aa'"),
    ("E300", {"left": "1 x k", "right": "n x k", "inner_l": "k", "inner_r": "n"},
     "'@' needs equal inner sizes, but 1 x k @ n x k has k against n"),
    ("E301", {"op": "*", "left": "1 x k", "right": "1 x n"},
     "'*' needs matching shapes, but got 1 x k and 1 x n"),
    ("E400", {"claim": "dL/dW1", "expected": "n x k", "got": "k x n"},
     "dL/dW1 should be n x k, but the right side is k x n"),
    ("E500", {"claim": "dJ/dtheta", "detail": "the sign is flipped"},
     "dJ/dtheta is wrong: the sign is flipped"),
    ("E102", {}, "'·' is not an operator in chainrule"),
])
def test_pinned_wording(code, values, text):
    d = messages.make(code, SPAN, **values)
    assert d.message == text
    assert d.code == code and d.span == SPAN


def test_hint_wording_is_written_once():
    from dsl.core import wording
    keys = [k for t in wording.TABLES for k in t]
    assert len(keys) == len(set(keys)), "a wording key in two tables"
    texts = [v for t in wording.TABLES for v in t.values()]
    assert len(texts) == len(set(texts)), "the same wording under two keys"
    registry = ROOT / "dsl" / "core" / "wording"
    for path in (ROOT / "dsl").rglob("*.py"):
        if registry not in path.parents:
            assert "did you mean" not in path.read_text(encoding="utf-8"), path


# Calls that carry a user-facing sentence, and the keywords that hold one.
_SPEAKERS = {"make", "Problem", "DomainError", "Stop", "Unreadable", "_skip", "_Unchecked", "_unchecked"}
_SENTENCE_KEYWORDS = {"what", "hint", "why", "detail", "title"}


def _english(node: ast.AST) -> bool:
    """A string literal or f-string with words in it (not a lone name or code)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and " " in str(v.value).strip() for v in node.values)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value.strip()
    if isinstance(node, ast.BinOp):
        return _english(node.left) or _english(node.right)
    return False


def test_no_sentence_is_composed_outside_the_registry():
    """Diagnostics, shape problems and unreadable formulas take their words
    from dsl.core.wording (or the catalogue), never from a literal at the call."""
    found = []
    for path in sorted((ROOT / "dsl").rglob("*.py")):
        if path.name == "messages.py" or (ROOT / "dsl" / "core" / "wording") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in _SPEAKERS:
                args = [*node.args, *(k.value for k in node.keywords if k.arg in _SENTENCE_KEYWORDS)]
                found += [f"{path.relative_to(ROOT)}:{a.lineno}" for a in args if _english(a)]
    assert found == []


def test_the_scan_sees_a_composed_sentence():
    call = ast.parse('make("E900", span, what=f"{path} is not a file")').body[0].value
    assert isinstance(call, ast.Call) and _english(call.keywords[0].value)
    assert not _english(ast.parse('say("no-such-file", path=path)').body[0].value)


def test_say_fills_a_template_and_refuses_an_unknown_key():
    from dsl.core.wording import say, title
    assert say("did-you-mean", name=say("quoted", text="W1")) == "did you mean 'W1'?"
    assert title("rename", name="W1") == "replace with 'W1'"
    with pytest.raises(KeyError):
        say("no-such-key")
