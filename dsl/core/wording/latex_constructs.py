"""Sentences of the LaTeX constructs the reader takes: macros, index
notation, opaque functions, derivatives of expressions, in the registry of
:mod:`dsl.core.wording`."""
from __future__ import annotations

CONSTRUCTS: dict[str, str] = {
    # ------------------------------------------------------- macros (N710)
    "macro-too-deep": "macros nested more than {depth} deep (a macro that expands into itself?)",
    "macro-too-long": "the expanded formula is longer than {length} characters",
    # ------------------------------------------------------- opaque functions
    "why-opaque": "'{name}' is a function the document does not define",
    # ------------------------------------------------------- derivatives
    "latex-nabla": "'\\nabla' is read with the variable it differentiates by: \\nabla_{{w}} J",
    "latex-indexed-vector": "'{name}' with an index is transposed beside whole vectors: a row or column "
                            "of a matrix, which index notation does not read",
    "latex-prod": "'prod(A, B)' is the product whose shapes line up (d2l's notation); it is not read: "
                  "write the product with the operands in order and transposed as needed",
    "latex-indicator-equal": "an indicator of an equality is read only between two indices the formula "
                             "binds (\\mathbb{{1}}\\{{i = j\\}} is the Kronecker delta)",
    # ------------------------------------------------------- facts of one variable (N722, N702, E500)
    "fact-builtin": "the definition of the built-in '{func}', checked at values of '{var}': "
                    "the formulas read '{func}' as the built-in",
    "fact-holds": "a fact of one variable, '{var}', checked at values of it: it holds",
    "fact-own-function": "'{func}' is defined here as a function of the document's own, not the built-in "
                         "'{func}' ({doc}), which the formulas read: the facts about it are not checked",
    "fact-undecided": "a fact of '{var}' whose sides are finite at too few values of it to check",
    "fact-parts": "at {var} = {at} the left side is {left} and the right side {right}",
    # ------------------------------------------------------- decoration
    "latex-ellipsis": "'\\cdots' stands for terms that are not written; the formula is not read",
}
