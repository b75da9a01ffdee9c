"""What ``chainrule check file.deriv`` imports: not the document readers,
not the TOML parser without a configuration file, not the XML writer, not
derivation, the language server or the REPL's libraries.  The readers still
load when a document is read."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOT_FOR_A_CHECK = ("dsl.frontends.builder", "dsl.frontends.latex_math", "dsl.frontends.declarations",
                   "tomllib", "xml.etree.ElementTree", "dsl.derive", "dsl.apps.lsp", "prompt_toolkit",
                   "pygments", "pathspec")

_PROGRAM = """
import contextlib, io, json, sys
from dsl.apps.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _run(*args, cwd):
    done = subprocess.run([sys.executable, "-c", _PROGRAM, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_checking_a_derivation_leaves_the_rest_unloaded(tmp_path):
    (tmp_path / "mlp.deriv").write_text((ROOT / "examples" / "mlp.deriv").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    result = _run("check", "mlp.deriv", cwd=tmp_path)
    assert result["code"] == 0 and "verified" in result["out"]
    loaded = set(result["modules"])
    assert "dsl.verify.claims" in loaded and "dsl.frontends.suppress" in loaded
    assert not [m for m in NOT_FOR_A_CHECK if m in loaded or any(x.startswith(m + ".") for x in loaded)]


def test_a_document_still_loads_its_reader(tmp_path):
    (tmp_path / "notes.md").write_text("<!-- deriv: x : 1 x 3 -->\n$$ y = x x^T $$\n", encoding="utf-8")
    result = _run("lint", "notes.md", cwd=tmp_path)
    assert "dsl.frontends.builder" in result["modules"]


def test_the_package_names_load_on_first_use():
    code = ("import sys, dsl.frontends as f; a = 'dsl.frontends.builder' in sys.modules; b = f.Builder; "
            "print(a, b.__module__, 'dsl.frontends.builder' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "dsl.frontends.builder", "True"], done.stderr
