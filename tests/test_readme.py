"""The README's sample outputs are what the commands print (a block may show
only the beginning of the output)."""
import re
import shlex
from pathlib import Path

import pytest

from dsl.apps.cli import main

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```text\n\$ (chainrule [^\n]*)\n(.*?)```",
                    (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_sample_outputs():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("command, shown", BLOCKS, ids=[c for c, _ in BLOCKS])
def test_sample_output_is_real(command, shown, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    main([*args[:1], "--color", "never", *args[1:]])
    printed = capsys.readouterr().out
    assert printed.startswith(shown.rstrip("\n")), f"README shows:\n{shown}\nbut it prints:\n{printed}"
