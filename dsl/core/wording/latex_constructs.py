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
    # ------------------------------------------------------- decoration
    "latex-ellipsis": "'\\cdots' stands for terms that are not written; the formula is not read",
}
