"""The notebook magics, driven through IPython's own InteractiveShell."""
from __future__ import annotations

import numpy as np
import pytest

IPython = pytest.importorskip("IPython", reason="IPython is the optional 'notebook' extra")

from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from dsl.apps import magic  # noqa: E402

LAYER = "dims n = 3, k = 2\nx : 1 x n\nW : n x k\na = x @ W\n"


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "dsl")
    return sh


def cell(shell, text: str, options: str = "--no-verify"):
    return shell.run_cell_magic("deriv", options, text)


def test_load_ext_registers_both_magics(shell):
    magics = shell.magics_manager.magics
    assert "deriv" in magics["line"] and "deriv" in magics["cell"]


def test_cell_result_text_and_html(shell):
    result = cell(shell, LAYER + "b = x @ x\n", "--reset --no-verify --no-raise")
    assert isinstance(result, magic.CellResult) and not result.ok
    text = repr(result)
    assert "error[E300]" in text and "5 | b = x @ x" in text
    assert "a : 1 x k" in text
    html = result._repr_html_()
    assert "<table>" in html and "<td><code>W</code></td><td>input</td><td><code>n x k</code></td>" in html
    assert "color:#c62828" in html                                 # the error is red
    assert "&#x27;@&#x27;" in html                                  # text is escaped


def test_cells_share_one_session(shell):
    cell(shell, LAYER, "--reset --no-verify")
    later = cell(shell, "h = sigma(a)\n")
    assert later.ok and later.names == [("h", "defined", "1 x k")]


def test_running_a_cell_again_replaces_it(shell):
    cell(shell, LAYER, "--reset --no-verify")
    cell(shell, "h = sigma(a)\n")
    again = cell(shell, "dims n = 3, k = 2\nx : 1 x n\nW : n x k\na = x @ W * 2\n")
    assert again.ok, repr(again)                                   # no redefinition errors
    after = cell(shell, "g = h\n")
    assert after.ok, repr(after)                                   # the later cell still stands
    assert set(shell.magics_manager.registry["DerivMagics"].notebook.session.env.names) == \
        {"x", "W", "a", "h", "g"}


def test_verdicts_are_coloured(shell):
    text = ("dims n = 3\nx : 1 x n\nL = sum(x * x)\n"
            "dL/dx = 2 * x\n")
    result = cell(shell, text, "--reset")
    statuses = [c.status for c in result.report.claims]
    html = result._repr_html_()
    assert statuses == ["verified"]
    assert 'class="verdict-verified" style="color:#1b7f3b' in html
    wrong = cell(shell, "dL/dx = x\n", "--no-raise")
    assert [c.status for c in wrong.report.claims] == ["wrong"]
    assert 'style="color:#c62828;font-weight:bold">wrong' in wrong._repr_html_()


def test_bad_option_is_a_usage_error(shell):
    with pytest.raises(UsageError):
        cell(shell, "x : 1 x 2\n", "--colour")


def test_line_magic_uses_the_notebooks_arrays(shell, capsys):
    shell.user_ns.update(x=np.ones((1, 3)), W=np.arange(6.0).reshape(3, 2))
    value = shell.run_line_magic("deriv", "x @ W")
    np.testing.assert_allclose(value, [[6.0, 9.0]])
    assert "x @ W : 1 x 2" in capsys.readouterr().out


def test_line_magic_flags_star_for_at_on_real_data(shell, capsys):
    shell.user_ns.update(x=np.ones((1, 3)), W=np.arange(6.0).reshape(3, 2))
    assert shell.run_line_magic("deriv", "--no-raise x * W") is None
    out = capsys.readouterr().out
    assert "error[E301]" in out and "1 x 3" in out and "3 x 2" in out
    assert "use '@'" in out


def test_line_magic_warns_on_a_silent_broadcast(shell, capsys):
    shell.user_ns.update(h=np.array([1.0, 2.0]), M=np.ones((3, 2)))
    value = shell.run_line_magic("deriv", "M * h")
    np.testing.assert_allclose(value, np.ones((3, 2)) * [1.0, 2.0])
    out = capsys.readouterr().out
    assert "warning[W303]" in out and "h is 1-d: taken as a row vector 1 x 2" in out


def test_line_magic_refuses_what_is_not_an_array(shell, capsys):
    shell.user_ns.update(s="text", T=np.ones((2, 2, 2, 2, 2)))
    assert shell.run_line_magic("deriv", "--no-raise s + T") is None
    out = capsys.readouterr().out
    assert "'s' is a str, not an array" in out
    assert "'T' is 5-dimensional" in out
    assert shell.run_line_magic("deriv", "--no-raise nothing_here + 1") is None
    assert "E200" in capsys.readouterr().out


def test_expr_result_html():
    result = magic.check_with_arrays("x * W", {"x": np.ones((1, 3)), "W": np.ones((3, 2))})
    assert not result.ok
    html = result._repr_html_()
    assert html.startswith('<div class="chainrule">') and "E301" in html


CLAIM = "dims n = 3\nx : 1 x n\nL = sum(x * x)\ndL/dx = 2 * x\n"


@pytest.mark.parametrize(("options", "expected"), [
    ("--timeout", "--timeout needs a value (a positive number of seconds)"),
    ("--timeout 0", "argument --timeout: a timeout is a positive, finite number of seconds, got '0'"),
    ("--timeout=-1", "argument --timeout: a timeout is a positive, finite number of seconds, got '-1'"),
    ("--timeout nan", "argument --timeout: a timeout is a positive, finite number of seconds, got 'nan'"),
    ("--timeout inf", "argument --timeout: a timeout is a positive, finite number of seconds, got 'inf'"),
])
def test_a_bad_timeout_is_a_usage_error(shell, options, expected):
    with pytest.raises(UsageError, match="^%%deriv: " + expected.replace("(", r"\(").replace(")", r"\)") + "$"):
        cell(shell, CLAIM, "--reset " + options)


def test_the_timeout_bounds_the_claims_of_its_cell_only(shell):
    result = cell(shell, CLAIM, "--reset --timeout 1e-9")
    [claim] = result.report.claims
    assert claim.status == "unchecked" and claim.detail == "took longer than 1e-09 s"
    assert "warning[W501]" in repr(result)
    later = cell(shell, "dL/dx = 2 * x\n", "")                     # the default budget again
    assert [c.status for c in later.report.claims] == ["verified"]
    generous = cell(shell, "dL/dx = x + x\n", "--timeout=30")
    assert [c.status for c in generous.report.claims] == ["verified"]


def test_a_cell_with_errors_fails_after_its_report_without_a_traceback(shell, capsys):
    run = shell.run_cell("%%deriv --reset --no-verify\nx : 1 x 3\nb = x @ x\n")
    assert isinstance(run.error_in_exec, magic.DerivationError)
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "error[E300]" in shown, "the report comes first"
    assert "DerivationError: E300 on line 2" in shown and "Traceback" not in shown
    ok = shell.run_cell("%%deriv --reset --no-verify\nx : 1 x 3\nb = x @ x.T\n")
    assert ok.error_in_exec is None and ok.result.ok


def test_a_wrong_claim_fails_the_cell_and_no_raise_keeps_it_quiet(shell, capsys):
    text = "x : 1 x 3\nL = sum(x * x)\ndL/dx = x\n"
    failed = shell.run_cell("%%deriv --reset\n" + text)
    assert isinstance(failed.error_in_exec, magic.DerivationError) and "E500" in str(failed.error_in_exec)
    kept = shell.run_cell("%%deriv --reset --no-raise\n" + text)
    assert kept.error_in_exec is None and not kept.result.ok
    capsys.readouterr()


def test_the_line_magic_fails_on_errors_too(shell, capsys):
    shell.user_ns.update(x=np.ones((1, 3)), W=np.ones((3, 2)))
    run = shell.run_cell("%deriv x * W")
    assert isinstance(run.error_in_exec, magic.DerivationError)
    assert "error[E301]" in capsys.readouterr().out


def test_derive_usage_names_the_magic(capsys):
    nb = magic.NotebookSession()
    magic.run_cell(nb, "--no-verify", "dims n\nx : 1 x n\nL = sum(x * x)")
    assert magic.derive_line(nb, "L x y z") is None
    assert capsys.readouterr().out.startswith("usage: %derive Y X [--steps]")
    assert magic.derive_line(nb, "L x") is not None
    assert "dL/dx = 2 * x" in capsys.readouterr().out
