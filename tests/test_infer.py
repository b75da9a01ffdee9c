"""Shape inference for documents: the solver (``frontends.infer``), the
two readings of a document (``frontends.infer_pass``), and lint and explain
on documents that declare nothing."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from dsl.apps import explain
from dsl.apps.lint import run_lint
from dsl.core.dims import Shape, Sym
from dsl.frontends import Host, Slice, extract
from dsl.frontends.infer import Equation, solve
from dsl.frontends.latex import extract_latex
from dsl.frontends.markdown import extract_markdown
from dsl.frontends.passes import two_passes
from dsl.frontends.unify import Conflict, Store
from dsl.language.syntax import parse_expr, parse_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "lint"


def eq(lhs: str | None, text: str, key: int, deriv: tuple[str, str] | None = None) -> Equation:
    node, problems = parse_expr(text)
    assert node is not None and not problems, text
    return Equation(lhs, deriv, node, key, key)


def shapes(sol) -> dict[str, str]:
    return {name: str(shape) for name, shape in sol.shapes.items()}


def lint_json(path: Path, verify: bool = True) -> dict:
    out = io.StringIO()
    run_lint([str(path)], fmt="json", verify=verify, out=out)
    (report,) = json.loads(out.getvalue())["files"]
    return report


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def codes_by_line(report: dict) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for d in report["diagnostics"]:
        if d["code"] != "N510":           # the derived right side offered as the fix: beside the point here
            found.setdefault(d["line"], []).append(d["code"])
    return found


# ------------------------------------------------------------------ the store

def test_store_unifies_and_undoes():
    s = Store()
    a, b, c = s.fresh(), s.fresh(), s.fresh()
    s.unify(a, b)
    snap = s.snapshot()
    s.unify(b, Sym("n"))
    assert s.resolve(a) == Sym("n")
    s.restore(snap)
    assert s.free(a) and s.resolve(a) == s.resolve(b) and s.resolve(c) != s.resolve(a)
    s.unify(c, 2)
    with pytest.raises(Conflict) as err:
        s.unify(c, 3)
    assert err.value.stated                       # two sizes the document wrote


def test_sealed_classes_never_meet():
    s = Store()
    a, b = s.fresh(), s.fresh()
    s.seal()
    with pytest.raises(Conflict) as err:
        s.unify(a, b)
    assert err.value.stated
    fresh = s.fresh()
    s.unify(fresh, a)                              # a new variable may still take a settled size
    assert s.resolve(fresh) == s.resolve(a)


# ----------------------------------------------------------------- the solver

def test_column_convention_from_a_matrix_times_a_vector():
    sol = solve({}, set(), [eq("z", "W @ x + b", 1), eq("yhat", "softmax(z)", 2), eq("L", "xent(y, yhat)", 3)])
    got = shapes(sol)
    w_rows, w_cols = got["W"].split(" x ")
    assert got["x"] == f"{w_cols} x 1" and got["b"] == f"{w_rows} x 1" and got["y"] == f"{w_rows} x 1"
    assert w_rows != w_cols and "1" not in (w_rows, w_cols)   # distinct, never 1 unless forced
    assert sol.attrs["y"] == ("onehot",)                     # the target of a cross-entropy
    assert str(sol.defined["L"]) == "1 x 1"


def test_row_convention_from_a_vector_times_a_matrix():
    sol = solve({}, set(), [eq("a", "x @ W1 + b1", 1), eq("h", "tanh(a)", 2), eq("o", "h @ W2", 3)])
    got = shapes(sol)
    assert got["x"].startswith("1 x ") and got["b1"].startswith("1 x ")
    assert got["W1"].split(" x ")[0] == got["x"].split(" x ")[1]
    assert got["W2"].split(" x ")[0] == got["W1"].split(" x ")[1]


def test_stated_shapes_fix_the_sizes_and_are_not_declared_again():
    fixed = {"x": Shape((Sym("d"), 1))}
    sol = solve(fixed, {"d"}, [eq("z", "W @ x", 1)])
    assert "x" not in sol.shapes
    assert str(sol.shapes["W"]).endswith(" x d")


def test_index_notation_makes_vectors_and_matrices():
    sol = solve({}, set(), [eq("s", "sum[i](p[i] * q[i])", 1), eq("t", "sum[i, j](A[i, j])", 2),
                            eq("u", "A @ p", 3)])
    got = shapes(sol)
    assert got["p"].endswith(" x 1") and got["q"] == got["p"]
    assert got["A"].split(" x ")[1] == got["p"].split(" x ")[0]


def test_the_layout_decides_which_jacobian_a_claim_must_have():
    eqs = [eq("z", "W @ x", 1), eq("h", "tanh(z)", 2), eq(None, "diag(tanh'(z)) @ W", 3, ("h", "x"))]
    assert 3 not in solve({}, set(), eqs).refused                  # n_z x n_x: numerator layout
    assert solve({}, set(), eqs, denominator=True).refused == {3: "stated"}   # left to the checker


def test_a_claim_gives_shapes_only_to_what_the_definitions_leave_open():
    eqs = [eq("z", "W @ x", 1), eq("L", "sum(z)", 2), eq(None, "W @ g", 3, ("L", "x")), eq("q", "g + z", 4)]
    sol = solve({}, set(), eqs)
    w_rows, w_cols = str(sol.shapes["W"]).split(" x ")
    assert w_rows != w_cols                       # the wrong claim does not make W square
    assert sol.refused.get(3) == "stated"         # it is left for the checker to report


def test_functions_follow_their_rows():
    sol = solve({}, set(), [eq("p", "softmax(v)", 1), eq("D", "diag(p)", 2), eq("c", "mse(p, t)", 3),
                            eq("r", "sum(M, axis=0)", 4), eq("k", "M @ v", 5)])
    got = shapes(sol)
    n = got["v"].split(" x ")[0]
    assert str(sol.defined["D"]) == f"{n} x {n}"           # diag of a vector, by its own rule
    assert got["t"] == got["v"]                           # mse takes two arguments of one shape
    assert str(sol.defined["r"]) == f"1 x {got['M'].split(' x ')[1]}"


def test_names_left_open_are_not_inferred():
    sol = solve({}, set(), [eq("u", "g(v)", 1), eq("w", "f(u) + 1", 2)])
    assert sol.shapes == {} and {"v"} <= sol.undetermined


def test_a_name_seen_only_in_claims_is_not_inferred():
    sol = solve({}, set(), [eq("z", "W @ x", 1), eq(None, "I", 2, ("z", "x"))])
    assert "I" in sol.undetermined and "I" not in sol.shapes


def test_a_scaling_is_never_read_as_a_matrix_or_an_outer_product():
    fixed = {"W": Shape((Sym("n"), Sym("k"))), "G": Shape((Sym("n"), Sym("k"))), "x": Shape((1, Sym("n")))}
    sol = solve(fixed, {"n", "k"}, [eq("V", "W - eta @ G", 1), eq("y", "m @ x", 2)])
    assert {"eta", "m"} <= sol.undetermined and sol.shapes == {}


def test_conflicts_among_inferred_shapes_refuse_the_equation():
    sol = solve({}, set(), [eq("z", "W @ x", 1), eq("c", "trace(x) + sum(v)", 2)])
    assert sol.refused == {2: "conflict"}           # x is a vector by preference: no trace
    assert "v" in sol.undetermined and {"W", "x"} <= set(sol.shapes)


def test_a_scalar_times_a_name_makes_it_one_entry_and_a_claimed_numerator_a_loss():
    sol = solve({}, set(), [eq("r", "X @ w - y", 1), eq("L", "1 / N * sum(r * r)", 2),
                            eq(None, "2 / N * (X.T @ r)", 3, ("L", "w")), eq("s", "c @ sum(r)", 4)])
    assert str(sol.shapes["N"]) == "1 x 1" and str(sol.defined["L"]) == "1 x 1"
    assert str(sol.shapes["c"]) == "1 x 1" and sol.refused == {}


# ----------------------------------------------------------- reading twice

COLUMNS = FIXTURES / "infer_columns.md"
ROWS = FIXTURES / "infer_rows.tex"
OPEN = FIXTURES / "infer_open.md"


def test_declarations_are_placed_before_their_first_use():
    text = COLUMNS.read_text(encoding="utf-8")
    ex = extract(str(COLUMNS), text)
    lines = ex.source.text.splitlines()
    first_eq = next(i for i, line in enumerate(lines) if line.startswith("z ="))
    assert lines[0].startswith("dims ")
    assert sorted(line.split(" :")[0] for line in lines[1:first_eq] if not line.startswith("dims ")) \
        == ["W", "b", "x"]
    y_decl = next(i for i, line in enumerate(lines) if line.startswith("y : "))
    assert lines[y_decl].endswith("onehot") and lines[y_decl + 1].startswith("L =")
    start = ex.source.text.index("W : ")
    where = ex.span_map(ex.source.span(start, start + 1))
    assert where.line == line_of(COLUMNS, "$$ z = W x + b $$")          # mapped to the use


def test_sizes_get_names_no_document_uses():
    md = "<!-- deriv: dims n_z, n_x -->\n\n$$ z = W x $$\n"
    ex = extract("a.md", md)
    dims = [line for line in ex.source.text.splitlines() if line.startswith("dims ")][-1]
    sizes = [s.strip() for s in dims[len("dims "):].split(",")]
    assert len(sizes) == 2 and not {"n_z", "n_x"} & set(sizes)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s) for s in sizes)


def test_hand_declarations_win():
    md = "<!-- deriv: dims d, h\nW : h x d -->\n\n$$ z = W x $$\n"
    ex = extract("a.md", md)
    text = ex.source.text
    assert text.count("W :") == 1 and "x : d x 1" in text and "dims " not in text.split("W : h x d", 1)[1]


def test_every_inference_is_a_note_shown_with_verbose():
    ex = extract(str(COLUMNS), COLUMNS.read_text(encoding="utf-8"))
    notes = [d for d in ex.verbose if d.code == "N740"]
    assert {d.message.split(" :")[0] for d in notes} == {"W", "x", "b", "y"}
    assert ex.notes == [] or all(d.code != "N740" for d in ex.notes)
    out = io.StringIO()
    run_lint([str(COLUMNS)], verbose=True, verify=False, out=out)
    assert "N740" in out.getvalue() and "inferred from the equations on lines" in out.getvalue()
    quiet = io.StringIO()
    run_lint([str(COLUMNS)], verify=False, out=quiet)
    assert "N740" not in quiet.getvalue()


# ------------------------------------------------------- lint on documents

def test_column_notes_without_declarations_are_checked():
    report = lint_json(COLUMNS)
    claims = {c["line"]: c["status"] for c in report["claims"]}
    right = [line_of(COLUMNS, "= \\hat{y} - y $$"), line_of(COLUMNS, "= (\\hat{y} - y) x^T $$"),
             line_of(COLUMNS, "= W^T (\\hat{y} - y) $$")]
    assert all(claims[line] == "verified" for line in right)
    flagged = codes_by_line(report)
    assert flagged == {line_of(COLUMNS, "= y - \\hat{y} $$"): ["E500"],          # the flipped sign
                       line_of(COLUMNS, "= W (\\hat{y} - y) $$"): ["E300"],       # the missing transpose
                       line_of(COLUMNS, "x^T \\circ"): ["E301"]}                  # the wrong product
    sign = next(d for d in report["diagnostics"] if d["code"] == "E500")
    assert "sign" in sign["message"]


def test_row_homework_in_latex_without_declarations_is_checked():
    report = lint_json(ROWS)
    claims = {c["line"]: c["status"] for c in report["claims"]}
    assert [claims[line_of(ROWS, s)] for s in ("\\partial W_2}", "\\partial \\mathbf{a}}", "\\partial W_1}")] \
        == ["verified"] * 3
    flagged = codes_by_line(report)
    assert flagged == {line_of(ROWS, "\\partial \\mathbf{x}}"): ["E300"],
                       line_of(ROWS, "\\partial \\mathbf{b}_1}"): ["E500"]}
    transpose = next(d for d in report["diagnostics"] if d["code"] == "E300")
    assert "W_{1}^\\top" in transpose["hint"]


def test_a_document_whose_shapes_are_open_stays_silent_with_a_note():
    report = lint_json(OPEN)
    assert report["diagnostics"] == [] and report["claims"] == []
    ex = extract(str(OPEN), OPEN.read_text(encoding="utf-8"))
    assert any(d.code == "N702" and "do not determine the shape of" in d.message for d in ex.verbose)
    assert "dims" not in ex.source.text


def test_the_projects_own_fixtures_read_as_before():
    for name, read in (("notes.md", extract_markdown), ("notes.tex", None), ("homework.tex", None)):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        feed = ((lambda b, text=text: extract_latex(text, b)) if read is None
                else (lambda b, text=text, read=read: read(Slice.of(text, 0, len(text)), b)))
        once = two_passes(Host(name, text), feed)                     # the reader's own reading
        ex = extract(name, text)
        assert ex.source.text == once.source.text, name               # they state every shape
        assert not any(d.code == "N740" for d in ex.verbose), name


def test_a_notebook_is_inferred_too():
    cells = [{"cell_type": "markdown", "source": ["Forward: $$ z = W x $$\n", "$$ L = \\mathrm{sum}(z) $$\n"]},
             {"cell_type": "markdown", "source": "$$ \\frac{\\partial L}{\\partial x} = W^T $$"}]
    ex = extract("n.ipynb", json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    assert "W : " in ex.source.text and any(d.code == "N740" for d in ex.verbose)


def test_explain_shows_the_inferences_of_a_document(capsys):
    code = explain.main(str(COLUMNS), None, color="never")
    out = capsys.readouterr().out
    assert "shapes inferred from the document's equations:" in out
    assert re.search(r"infer_columns\.md:8: W : \w+ x \w+, inferred from", out)
    assert f"infer_columns.md:{line_of(COLUMNS, '$$ z = W x + b $$')}: z =" in out
    assert code == 1                               # the planted errors are errors


def test_an_equation_no_inferred_shape_fits_is_refused_with_a_note(tmp_path):
    doc = tmp_path / "trace.md"
    doc.write_text("$$ a = W x $$\n\n$$ c = \\operatorname{trace}(x) $$\n", encoding="utf-8")
    assert lint_json(doc)["diagnostics"] == []          # x is a vector by preference, not by statement
    ex = extract(str(doc), doc.read_text(encoding="utf-8"))
    (refused,) = [d for d in ex.verbose if d.code == "N741"]
    assert refused.span.line == 3 and "do not fit" in refused.message
    assert "c = trace(x)" not in ex.source.text


def test_a_lower_case_name_before_a_bracket_may_be_a_function_and_is_not_inferred():
    md = ("$$ h = \\phi(W x + b) $$\n\n$$ o = V h $$\n\n"
          "$$ \\frac{\\partial o}{\\partial h} = V $$\n")
    ex = extract("a.md", md)
    lines = ex.source.text.splitlines()
    assert not any(line.startswith(("phi :", "h = ")) for line in lines)
    assert "o = V @ h" in ex.source.text                 # the rest reads h as an input
    assert any(d.code == "N702" and "shape of phi" in d.message for d in ex.verbose)
    node, _ = parse_expr("phi @ (W @ x)")
    side = "\\phi(W x)"
    sol = solve({}, set(), [Equation("h", None, node, 1, 1, "")])
    assert "phi" in sol.shapes                        # without the text, a product like any other
    from dsl.frontends.latex_math import translate
    read = translate(side, left=translate("h"))         # a right side: f(...) on a left side defines f
    sol = solve({}, set(), [Equation("h", None, read.node, 1, 1, side)])
    assert "phi" in sol.undetermined


BATCH = FIXTURES / "infer_batch.md"


def test_a_minibatch_in_rows_gets_a_bias_row_broadcast_over_it():
    report = lint_json(BATCH)
    claims = {c["line"]: c["status"] for c in report["claims"]}
    assert claims[line_of(BATCH, "= P - Y $$")] == "verified"
    assert claims[line_of(BATCH, "= X^T (P - Y) $$")] == "verified"
    assert claims[line_of(BATCH, "= (P - Y) W^T $$")] == "verified"
    assert codes_by_line(report) == {line_of(BATCH, "= (P - Y) X^T $$"): ["E300"]}   # the order slipped
    swap = report["diagnostics"][0]
    assert "swap the operands" in swap["hint"]
    decls = ex_decls(BATCH)
    rows, cols = decls["Y"].removesuffix(" onehot").split(" x ")
    assert decls["b"] == f"1 x {cols}" and decls["X"].startswith(f"{rows} x ")


def ex_decls(path: Path) -> dict[str, str]:
    ex = extract(str(path), path.read_text(encoding="utf-8"))
    return {line.split(" : ")[0]: line.split(" : ")[1] for line in ex.source.text.splitlines() if " : " in line}


def test_scalars_found_by_inference_make_products_scalings(tmp_path):
    doc = tmp_path / "logistic.md"
    doc.write_text("$$ z = w^T x + b $$\n\n$$ \\hat{y} = \\sigma(z) $$\n\n"
                   "$$ L = -\\left(y \\log \\hat{y} + (1 - y) \\log (1 - \\hat{y})\\right) $$\n\n"
                   "$$ \\frac{\\partial L}{\\partial w} = (\\hat{y} - y) x $$\n\n"
                   "$$ \\frac{\\partial L}{\\partial b} = y - \\hat{y} $$\n", encoding="utf-8")
    decls = ex_decls(doc)
    assert decls["b"] == "1 x 1" and decls["y"] == "1 x 1 binary"       # y log yhat: a scaling
    assert decls["w"] == decls["x"] and decls["w"].endswith(" x 1")
    report = lint_json(doc)
    assert [c["status"] for c in report["claims"]] == ["verified", "wrong"]
    assert codes_by_line(report) == {9: ["E500"]}


# ------------------------------------------- no false alarm from inference

ATOMS = ["x", "W", "b", "y", "\\hat y", "z", "h", "A", "v", "\\eta", "X", "Y", "1", "2", "m", "x_i"]
FUNCS = ["\\sigma", "\\tanh", "\\log", "\\mathrm{softmax}", "\\operatorname{diag}", "\\mathrm{tr}", "f", "\\sum"]
OPS = [" + ", " - ", " ", " \\circ ", "^T ", "/"]


def random_side(rng, depth=0) -> str:
    r = rng.random()
    if depth > 3 or r < 0.35:
        return rng.choice(ATOMS)
    if r < 0.55:
        return rng.choice(FUNCS) + "(" + random_side(rng, depth + 1) + ")"
    if r < 0.65:
        return "\\frac{" + random_side(rng, depth + 1) + "}{" + random_side(rng, depth + 1) + "}"
    return random_side(rng, depth + 1) + rng.choice(OPS) + random_side(rng, depth + 1)


def test_definitions_read_with_inferred_shapes_never_have_shape_errors():
    """Every definition inference declared names for checks cleanly: the
    declarations fit every equation they were inferred from."""
    import random

    from dsl.core.ast import Define
    from dsl.shapes.checker import check_program

    rng = random.Random(11)
    for _ in range(60):
        doc = "\n".join(f"$$ {rng.choice(['z', 'h', 'a', 'L', 'o', 'p', 'Z', 'H'])} = {random_side(rng)} $$\n"
                        for _ in range(rng.randint(1, 6)))
        once = two_passes(Host("r.md", doc), lambda b, doc=doc: extract_markdown(Slice.of(doc, 0, len(doc)), b))
        before = set(once.source.text.splitlines())                  # the reading without inference
        ex = extract("r.md", doc)
        program, _ = parse_text(ex.source.text)
        _, diags = check_program(program)
        lines = ex.source.text.splitlines()
        new_defs = {s.span.line for s in program.statements
                    if isinstance(s, Define) and lines[s.span.line - 1] not in before}
        assert not [d for d in diags if d.is_error and d.span.line in new_defs], doc


def test_inputs_a_function_takes_only_in_its_domain_are_drawn_there():
    sol = solve({}, set(), [eq("u", "A @ x", 1), eq("L", "sum(log(x)) + sum(u)", 2),
                            eq("M", "inv(B) @ A", 3), eq("c", "xent(t, softmax(u))", 4)])
    assert sol.attrs == {"x": ("positive",), "B": ("invertible",), "t": ("onehot",)}


REGULARISED = FIXTURES / "infer_regularised.md"


def test_a_penalty_strength_is_a_scalar_because_the_loss_is_one():
    decls = ex_decls(REGULARISED)
    assert decls["lambda"] in ("1 x 1", "scalar")          # J = L + s, and dJ/do is a gradient
    report = lint_json(REGULARISED)
    claims = {c["line"]: c["status"] for c in report["claims"]}
    assert [claims[line_of(REGULARISED, s)] for s in ("= \\mathbf{o} - \\mathbf{y}$$", "\\mathbf{h}^\\top + \\lambda",
                                                       "= {\\mathbf{W}^{(2)}}^\\top")] == ["verified"] * 3
    swapped = line_of(REGULARISED, "\\mathbf{o}} {\\mathbf{W}^{(2)}}^\\top$$")
    # the factors swapped fit neither with gradients as columns (W2^T dJ/do) nor as rows (dJ/do W2):
    # the claim is left to the checker, which reports it
    assert codes_by_line(report) == {swapped: ["E300"], line_of(REGULARISED, "+ 2 \\lambda"): ["E500"]}


def test_a_mean_over_an_unknown_count_divides_by_a_scalar(tmp_path):
    doc = tmp_path / "mean.md"
    doc.write_text("$$ r = X w - y $$\n\n$$ L = \\frac{1}{N} \\mathrm{sum}(r \\circ r) $$\n\n"
                   "$$ \\frac{\\partial L}{\\partial w} = \\frac{2}{N} X^T r $$\n\n"
                   "$$ \\frac{\\partial L}{\\partial w} = \\frac{1}{N} X^T r $$\n", encoding="utf-8")
    assert ex_decls(doc)["N"] == "1 x 1"
    report = lint_json(doc)
    assert [c["status"] for c in report["claims"]] == ["verified", "wrong"]
    assert "factor" in report["diagnostics"][0]["message"]


def test_explain_of_a_document_reports_a_defect_in_reading_as_a_diagnostic(capsys, monkeypatch):
    def broken(path, text):
        raise RuntimeError("boom")

    monkeypatch.setattr(explain, "extract", broken)
    assert explain.main(str(COLUMNS), None, color="never") == 1
    out = capsys.readouterr().out
    assert "E901" in out and "boom" in out


def test_a_chain_of_derivative_terms_in_another_layout_is_not_a_false_alarm(tmp_path):
    doc = tmp_path / "chain.md"
    doc.write_text("$$ z = W x + b $$\n\n$$ \\hat y = \\mathrm{softmax}(z) $$\n\n"
                   "$$ L = -\\sum y \\circ \\log \\hat y $$\n\n"
                   "$$ \\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial \\hat y} "
                   "\\frac{\\partial \\hat y}{\\partial z} = \\hat y - y $$\n", encoding="utf-8")
    report = lint_json(doc)
    assert report["diagnostics"] == []                      # gradients as rows: the chain step is skipped
    assert [c["status"] for c in report["claims"]] == ["verified"]   # ... and its last step checked
    ex = extract(str(doc), doc.read_text(encoding="utf-8"))
    assert any(d.code == "N741" and d.span.line == 7 for d in ex.verbose)


def test_an_inferred_shape_may_use_a_size_stated_further_on(tmp_path):
    doc = tmp_path / "later.md"
    doc.write_text("Let $E = \\frac{1}{2}\\|y - t\\|^2$ be the error, with $y = W x$, "
                   "$W \\in \\mathbb{R}^{k \\times n}$, $x \\in \\mathbb{R}^n$.\n", encoding="utf-8")
    source = extract(str(doc), doc.read_text(encoding="utf-8")).source.text
    assert source.index("dims k") < source.index("t : k x 1")
    assert [d["code"] for d in lint_json(doc)["diagnostics"] if d["severity"] == "error"] == []
