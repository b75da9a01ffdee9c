"""A LaTeX homework write-up using what real ones use: a preamble of
macros, \\bm, index notation with a word in the subscript (v_{c,i}), an
align whose second step is wrong, decoration (\\underbrace, \\therefore,
\\tag, \\label, \\nonumber) and a sign error; checked through lint."""
from pathlib import Path

from tests.latex_docs import claims_on, codes_on, lint_doc, marked

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lint" / "wordvec.tex"


def test_the_word_vector_homework_is_read_and_its_two_errors_found(tmp_path):
    report = lint_doc(tmp_path, "wordvec.tex", FIXTURE.read_text(encoding="utf-8"))
    assert claims_on(report, r"\pd{J}{\vc} &= U") == ["verified"]
    assert codes_on(report, r"&= (\hat{\bm{y}} - \bm{y}) U") == ["E300", "N510"]   # with the derived right side
    assert marked(report, "E300") == [r"(\hat{\bm{y}} - \bm{y}) U"]
    assert claims_on(report, r"\pd{J}{v_{c,i}}") == ["verified"]
    assert claims_on(report, r"\underbrace") == ["verified"]
    assert codes_on(report, r"\therefore") == ["E500"]
    assert sorted(d["code"] for d in report["diagnostics"]) == ["E300", "E500", "N510"]   # nothing else shown
