"""The VS Code extension's TextMate grammars: they name every built-in
function and attribute (so highlighting follows the table), and, where node
and the extension's npm packages are installed (``npm ci`` in
``editors/vscode``), they tokenize as the node tests expect under the
engine VS Code uses (vscode-textmate with Oniguruma)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dsl.builtins import ALIASES, FUNCTIONS
from dsl.core.attributes import ATTRIBUTES

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"
GRAMMAR = json.loads((EXTENSION / "syntaxes" / "deriv.tmLanguage.json").read_text(encoding="utf-8"))


def _alternatives(pattern: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", pattern))


def test_every_builtin_function_is_highlighted():
    expression = GRAMMAR["repository"]["expression"]["patterns"]
    builtin = next(p["match"] for p in expression if p.get("name") == "support.function.builtin.deriv")
    missing = (set(FUNCTIONS) | {a for a in ALIASES if a.isascii()}) - _alternatives(builtin)
    assert not missing, f"add {sorted(missing)} to the builtin pattern of deriv.tmLanguage.json"


def test_every_attribute_is_highlighted():
    declaration = GRAMMAR["repository"]["declaration"]["patterns"]
    attrs = next(p["match"] for p in declaration if p.get("name") == "storage.modifier.attribute.deriv")
    assert set(ATTRIBUTES) <= _alternatives(attrs)


def test_the_extension_contributes_both_grammars():
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    grammars = {g["scopeName"]: g for g in manifest["contributes"]["grammars"]}
    assert grammars["source.deriv"]["language"] == "deriv"
    assert grammars["markdown.deriv.codeblock"]["injectTo"] == ["text.html.markdown"]
    for g in grammars.values():
        assert (EXTENSION / g["path"]).is_file()
    assert manifest["contributes"]["languages"][0]["extensions"] == [".deriv"]


NODE = shutil.which("node")
PACKAGES = all((EXTENSION / "node_modules" / name).is_dir() for name in ("vscode-textmate", "vscode-oniguruma"))


@pytest.mark.slow
@pytest.mark.skipif(NODE is None, reason="node is not installed (the grammar's engine runs under node)")
@pytest.mark.skipif(not PACKAGES, reason="vscode-textmate and vscode-oniguruma are not installed: "
                                         "run `npm ci` in editors/vscode")
def test_the_grammars_tokenize_under_vscode_textmate():
    assert NODE is not None
    run = subprocess.run([NODE, "--test", "test/"], cwd=EXTENSION, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^# pass [1-9]", run.stdout, re.M) and re.search(r"^# fail 0$", run.stdout, re.M)
