"""Fixes as data: every fix a diagnostic carries, applied to its source,
gives a program without that diagnostic; JSON and SARIF carry them."""
import io
import json
from pathlib import Path

import jsonschema
import pytest

from dsl import pipeline
from dsl.apps.cli import main
from dsl.apps.lint import run_lint
from dsl.core.diagnostics import Diagnostic, Fix, Severity
from dsl.core.span import Source, Span

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

ROW = "dims n, k\nx : 1 x n\nW : n x k\n"
SOFTMAX = ("dims n\nx : 1 x n\nW : n x n\ny : 1 x n onehot\n"
           "theta = x @ W\nyhat = softmax(theta)\nL = xent(y, yhat)\n")
BILINEAR = "dims n\nx : 1 x n\nv : 1 x n\nW : n x n\nL = sum(x @ W @ v.T)\n"

# (source whose last line has the diagnostic, code, the fixed last line, verify)
CASES = [
    ("dims n\na : 1 x n\nb : 1 x n\nc = a @ b", "E300", "c = a * b", False),
    ("dims n, k\nx : 1 x n\nW : k x n\nc = x @ W", "E300", "c = x @ W.T", False),
    ("dims n, k\nx : n x 1\nW : n x k\nc = (x + x) @ W", "E300", "c = ((x + x).T) @ W", False),
    (ROW + "c = (x + x).T @ W", "E300", "c = (x + x) @ W", False),
    ("dims n, k\nx : 1 x n\nW1 : n x k\na = W1 @ x", "E300", "a = x @ W1", False),
    (ROW + "c = 2 @ W", "E305", "c = 2 * W", False),
    (ROW + "c = x * W", "E301", "c = x @ W", False),
    ("dims n, k\nA : n x k\nB : k x n\nc = A + B", "E301", "c = A + B.T", False),
    ("dims n\na : 1 x n positive\nb : 1 x n\nc = a ** b", "E302", "c = exp(b * log(a))", False),
    ("dims n, k\nW2 : k x n\nh : 1 x k\ns = W2.T * h", "W303", "s = W2.T @ diag(h)", False),
    ("dims n, k\nW2 : k x n\nh : 1 x k\ns = h / W2.T", "W303", "s = ones(n, 1) @ h / W2.T", False),
    ("dims n\na : n x 1\nb : 1 x n\nd = a - b", "W304", "d = a - b.T", False),
    (ROW + "L = sum(x @ W)\ndL/dx = W @ ones(k, 1)", "E400", "dL/dx = ones(k, 1).T @ W.T", False),
    ("dims k\na : 1 x k\nh = sigma(a)\ndh/da = h * (1 - h)", "W402", "dh/da = diag(h * (1 - h))", False),
    ("dims n\nhidden : 1 x n\ny = hiden * 2", "E200", "y = hidden * 2", False),
    ("dims n\nx : 1 x n\ny = sigmoidd(x)", "E202", "y = sigmoid(x)", False),
    ("dims n\ny : 1 x n one_hot", "E205", "y : 1 x n onehot", False),
    ("dims n, k\nx : 1 x kk", "E206", "x : 1 x k", False),
    ("dims n\na : 1 x n\ng = 2 · a", "E102", "g = 2 * a", False),
    ("dims n\na : 1 x n\ng = a ·3", "E102", "g = a *3", False),
    ("dims n\na : 1 x n\nb : 1 x n\ng = a .* b", "E103", "g = a * b", False),
    ("dims n\na : 1 x n\nb : 1 x n\ng = a ./ b", "E103", "g = a / b", False),
    ("dims n\na : 1 x n\ng = a .^ 2", "E103", "g = a ** 2", False),
    ("dims n, k\nx : n x 1\nW : n x k\nc = x' @ W", "E103", "c = x.T @ W", False),
    (SOFTMAX + "dL/dtheta = y - yhat", "E500", "dL/dtheta = yhat - y", True),   # the derived right side
    (BILINEAR + "dL/dW = v.T @ x", "E500", "dL/dW = x.T @ v", True),
    ("dims k\nx : 1 x k\nW : k x k\nL = sum(x @ W) + sum(x ** 2)\ndL/dx = ones(1, k) @ W.T",
     "E500", "dL/dx = ones(1, k) @ W.T + 2 * x", True),
    ("dims n, k\nx : 1 x n\nW : n x k\nL = sum(x @ W)\ndL/dx = ones(1, k) @ W", "N510",
     "dL/dx = ones(1, k) @ W.T", True),
    (ROW + "s = W.sum(axis=1)", "E231", "s = sum(W, axis=1)", False),
    (ROW + "s = (x @ W).max()", "E231", "s = max(x @ W)", False),
    (ROW + "s = W.T() @ x.T", "E231", "s = W.T @ x.T", False),
    (ROW + "s = np.exp(x)", "E232", "s = exp(x)", False),
    (ROW + "s = numpy.linalg.norm(W)", "E232", "s = norm(W)", False),
    ("dims n\nX : n x n\nZ = X^-1", "E233", "Z = inv(X)", False),
    ("dims n\nX : n x n\nZ = (X + X.T)^{-1}", "E233", "Z = inv(X + X.T)", False),
    ("dims n\nX : n x n\nZ = X ** -1", "W230", "Z = inv(X)", False),
    ("dims n\nx : 1 x n positive\nr = √x", "E234", "r = sqrt(x)", False),
    ("dims n, k\nu : n x 1\nv : 1 x k\no = u ⊗ v", "E234", "o = outer(u, v)", False),
    ("dims n\nx : 1 x n\nL = Σ(x)", "E202", "L = sum(x)", False),
    ("dims n\nx : 1 x n\nL = sum(tan(x))", "E202", "L = sum(sin(x) / cos(x))", False),
]


def check(text: str, verify: bool):
    return pipeline.check_source(Source("t.deriv", text), verify=verify, seed=0)


def fixed(text: str, code: str, verify: bool) -> tuple[Diagnostic, str]:
    (d,) = [d for d in check(text, verify).diagnostics if d.code == code]
    assert d.fix is not None, d
    return d, d.fix.apply(text)


@pytest.mark.parametrize("text, code, line, verify", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_applying_the_fix_removes_the_diagnostic(text, code, line, verify):
    d, after = fixed(text, code, verify)
    assert after.splitlines()[-1] == line
    assert d.fix.title and d.fix.span.line == len(text.splitlines())
    left = check(after, verify).diagnostics
    assert not [x for x in left if x.severity is not Severity.NOTE], left


@pytest.mark.parametrize("text, code", [
    ("dims n, k\nx : 1 x n\nW : k x k\nc = x @ W", "E300"),      # nothing fits
    ("dims n\na : 1 x n\ng = a · a", "E102"),                     # '@' or '*': no single replacement
    ("dims n\ny = zzzz * 2", "E200"),                              # no name is close
])
def test_no_fix_when_no_single_change_is_meant(text, code):
    (d,) = [d for d in check(text, False).diagnostics if d.code == code]
    assert d.fix is None


def test_the_hint_quotes_the_fix():
    d, _ = fixed("dims n, k\nx : 1 x n\nW : k x n\nc = x @ W", "E300", False)
    assert f"`{d.fix.replacement}`" in d.hint
    assert d.fix.title == "transpose the right operand"
    d, _ = fixed("dims n\nhidden : 1 x n\ny = hiden * 2", "E200", False)
    assert d.hint == "did you mean 'hidden'?" and d.fix.title == "replace with 'hidden'"


def test_moved_maps_the_fix_span():
    span = Span("g", 1, 5, 1, 6, 4, 5)
    d = Diagnostic("E300", Severity.ERROR, span, "m", fix=Fix(span, "W.T", "t"))
    moved = d.moved(lambda s: s._replace(line=s.line + 10, end_line=s.end_line + 10))
    assert moved.fix.span.line == 11 and moved.fix.replacement == "W.T" and moved.span.line == 11


def test_json_has_a_fix_object(tmp_path, capsys):
    f = tmp_path / "t.deriv"
    f.write_text("dims n, k\nx : 1 x n\nW : k x n\nc = x @ W\n", encoding="utf-8")
    assert main(["check", "--no-verify", "--format", "json", str(f)]) == 1
    (d,) = json.loads(capsys.readouterr().out)["files"][0]["diagnostics"]
    assert d["fix"] == {"title": "transpose the right operand", "replacement": "W.T",
                        "line": 4, "column": 9, "end_line": 4, "end_column": 10}


def test_json_has_no_fix_key_without_a_fix(tmp_path, capsys):
    f = tmp_path / "t.deriv"
    f.write_text("dims n, k\nx : 1 x n\nW : k x k\nc = x @ W\n", encoding="utf-8")
    main(["check", "--no-verify", "--format", "json", str(f)])
    (d,) = json.loads(capsys.readouterr().out)["files"][0]["diagnostics"]
    assert d["code"] == "E300" and "fix" not in d


def test_sarif_carries_fixes_and_validates(tmp_path):
    f = tmp_path / "t.deriv"
    f.write_text("dims n, k\nx : 1 x n\nW : k x n\nc = x @ W\n", encoding="utf-8")
    out = io.StringIO()
    run_lint([str(f)], fmt="sarif", out=out, verify=False)
    log = json.loads(out.getvalue())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "transpose the right operand"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == result["locations"][0]["physicalLocation"]["artifactLocation"]
    (rep,) = change["replacements"]
    assert rep == {"deletedRegion": {"startLine": 4, "startColumn": 9, "endLine": 4, "endColumn": 10},
                   "insertedContent": {"text": "W.T"}}


def test_lint_gives_the_fix_in_latex_at_the_place_in_the_document(tmp_path):
    doc = "<!-- deriv\ndims n, k\nx : 1 x n\nW : k x n\n-->\n$a = x W$\n"
    (tmp_path / "t.md").write_text(doc, encoding="utf-8")
    out = io.StringIO()
    run_lint([str(tmp_path / "t.md")], fmt="json", out=out, verify=False)
    (d,) = [d for d in json.loads(out.getvalue())["files"][0]["diagnostics"] if d["code"] == "E300"]
    fix = d["fix"]
    assert fix["replacement"] == "W^\\top" and "`W^\\top`" in d["hint"]
    line = doc.splitlines()[fix["line"] - 1]
    assert line[fix["column"] - 1:fix["end_column"] - 1] == "W"


def test_the_catalogue_lists_exactly_the_codes_with_fixes():
    from dsl.core import messages
    assert {code for _, code, _, _ in CASES} == set(messages.FIXES)
    assert set(messages.FIXES) <= set(messages.CATALOGUE)
    assert "**Fix:**" in messages.catalogue_markdown()


CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.deriv"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_fix_in_the_corpus_removes_its_diagnostic(path):
    text = path.read_text(encoding="utf-8")
    verify = "verify" in path.stem
    for d in check(text, verify).diagnostics:
        if d.fix is None:
            continue
        assert d.fix.span.start >= d.span.start and d.fix.span.end <= d.span.end, d
        after = check(d.fix.apply(text), verify).diagnostics
        same = [x for x in after if (x.code, x.span.line, x.span.column) == (d.code, d.span.line, d.span.column)]
        assert not same, (d, d.fix)
