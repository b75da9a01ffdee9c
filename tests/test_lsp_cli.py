"""``chainrule lsp`` without the optional packages says how to install them
and exits 2 (a usage error), and with them it is a listed subcommand."""
from __future__ import annotations

import importlib.util

import pytest

from dsl.apps import cli


def test_without_the_extra_it_says_how_to_install(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pygls" else real(name, *a))
    assert cli.main(["lsp"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'chainrule[lsp]'" in err and "pygls" in err


def test_lsp_is_a_subcommand(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "lsp" in capsys.readouterr().out
