"""Sentences of reading a document's own statements, settings and coverage,
in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

READING: dict[str, str] = {
    # why an equation is not checked (N702), one key per reason the summary counts
    "already-known": "'{name}' is already declared or defined",
    "too-many-formulas": "the document has more than {limit} formulas; this one and those after it are not "
                         "read",
    "rows-only": "its gradients fit only read as rows (numerator layout), which the document does not "
                 "declare: declare the layout (% deriv: layout numerator) to check it",
    "defined-differently": "'{name}' is defined again differently on line {line}: which definition "
                           "this claim means is not known",
    "hand-given": "'{name}' is given by a hand statement (deriv) further on, which is used instead",
    "not-name-or-derivative": "its left side is neither a name nor a derivative",
    "entry-diagonal": "'{claim}' is one entry of a diagonal (index '{index}' on both sides of the "
                      "derivative), which index notation cannot state",
    "entries-and-wholes": "it uses entries beside whole vectors or matrices (a formula per entry about "
                          "vectors), which index notation cannot check",
    "entry-derivatives": "its right side uses derivatives of entries (the chain rule written entry by "
                         "entry), which a claim states only on its left side",
    "entry-condition": "'{claim}' holds only where {condition}, as its sentence says; a check covers "
                       "every entry",
    "side-unreadable": "a side cannot be read",
    "set-to-zero": "'{claim} = 0' is a condition (where the derivative vanishes), not a claim about "
                   "every value",
    "claim-independent": "'{num}' does not depend on '{den}' in what was read of the document "
                         "(a definition between them is not read)",
    "noise-model": "it is the model of the data '{name}', with a noise term written nowhere else, not a "
                   "definition: '{name}' is taken as given",
    # statements and scopes (W720, N721)
    "reading-conflict-first": "the first statement is used; correct or remove one of them",
    "reading-vector": "a {way} vector",
    "reading-declared": "'{name}' : {shape}",
    "reading-size": "size {name} = {value}",
    "reading-limit": "size {name}, the upper limit of a sum",
    # a line of the generated program quoted in a message, as the document's
    "line-of-document": "line {line}",
    "line-in-cell": "line {line} of cell {cell}",
    # conventions (N722)
    "cdot-elementwise": "'\\cdot' is read as the elementwise product here: the document uses it "
                        "between values of the same shape",
    "cdot-matmul": "'\\cdot' is read as the matrix product here: the document uses it where "
                   "only a matrix product fits",
    "cdot-both": "'\\cdot' is read as the matrix product; the elementwise product checks here too "
                 "(declare '% deriv: cdot elementwise' if it is meant)",
    "rows-gradient": "the gradient of a scalar is written as a row here (numerator layout): "
                     "its claims are checked transposed",
    "rows-inferred": "this claim is read transposed: every claim of the document writes its "
                     "derivative in the other layout (gradients as rows, numerator layout); declare "
                     "'% deriv: layout numerator' to say so",
    "entrywise-derivative": "the derivative of an entrywise expression is read entry by entry: "
                            "the right side is the diagonal of its Jacobian, checked as diag(...)",
    # the --verbose summary of a document
    "coverage-head": "{path}: {found} formula{s} found, {read} read, {checked} checked "
                     "({definitions} definition{ds}, {claims} claim{cs} about derivatives)",
    "coverage-declared": "  shapes read from the document: {stated} statement{s}, {used} used as "
                         "declarations; sizes: {sizes}",
    "coverage-inferred": "  shapes inferred: {inferred}",
    "coverage-skipped": "  not checked: {count} ({reasons})",
    "coverage-reason": "{count} {reason}",
}

REASONS: dict[str, str] = {
    "left-side-unreadable": "left side unreadable",
    "already-known": "left side already declared or defined",
    "hand-given": "left side given by a hand statement",
    "not-name-or-derivative": "left side neither a name nor a derivative",
    "entry-diagonal": "an entry of a diagonal",
    "entry-condition": "an entry claim under a condition",
    "entries-and-wholes": "entries beside whole values",
    "entry-derivatives": "derivatives of entries on a right side",
    "names-unknown": "names not declared",
    "uses-unreadable": "using an unreadable definition",
    "side-unreadable": "a side unreadable",
    "set-to-zero": "a derivative set to zero",
    "claim-independent": "claims about values not tied by what was read",
    "noise-model": "models of the data with a noise term",
    "defined-differently": "claims about a value defined twice",
    "rows-only": "claims fitting only with gradients as rows",
    "fact-own-function": "definitions of a function other than the built-in",
    "fact-undecided": "facts of one variable too seldom finite",
}
"""The short name of each reason a formula is skipped, as the summary counts them."""
