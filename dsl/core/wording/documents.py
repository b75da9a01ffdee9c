"""Sentences of reading LaTeX in documents, in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

LATEX: dict[str, str] = {
    # the reasons a formula cannot be read (N700) or is skipped (N702)
    # ------------------------------------------------------- reading
    "left-side-unreadable": "its left side cannot be read ({what})",
    "names-unknown": "not declared or defined: {names}",
    "uses-unreadable": "it uses '{blocked}', whose definition could not be read (line {line})",
    "latex-unexpected": "'{word}' is not expected here",
    "latex-empty-side": "there is nothing on this side of the '='",
    "latex-too-big": "the formula is too long or nested too deeply to read",
    "latex-ends-early": "the formula ends too early (a missing operand or closing bracket)",
    "latex-unknown-macro": "'{word}' is not part of the LaTeX that chainrule reads",
    "latex-superscript": "the superscript '^{{{sup}}}' is not read (^T, ^{{-1}}, ^\\prime and integer powers are)",
    "latex-norm-power": "a norm is read squared (\\|v\\|^2) or plain (\\|v\\|)",
    "latex-times": "'\\times' between two matrices is not read: write \\cdot or juxtaposition for the matrix product, \\circ for the elementwise one",
    "latex-no-argument": "the function '{func}' has no argument",
    "latex-partial": "'\\partial' is read only in \\frac{{\\partial A}}{{\\partial B}} or \\partial A / \\partial B",
    "latex-subscript": "a subscript is read only as part of a name (W_1 is W1)",
    "latex-prime": "a prime is read only on a function, as its derivative (\\sigma'(a)); for a transpose write ^T",
    "latex-function-power": "'^{{{sup}}}' on a function is not read (only a prime or an integer power)",
    "latex-not-function": "'{tok}' is not a chainrule function",
    "latex-only-superscript": "'{tok}' is read only in a superscript",
    "latex-ones-alone": "a vector of ones is read only where its use gives its size: beside a matrix or vector "
                        "(1^T X sums the rows of X, X 1 its columns) or entry by entry with one (1 - p)",
    "latex-ones-vector": "'{tok}{{{word}}}' (a vector of ones?) is not read: write ones(r, c)",
    "latex-derivative-operator": "a derivative operator applied to an expression, or a higher derivative, is not read: write \\frac{{\\partial A}}{{\\partial B}} with names",
    "latex-relation": "a relation or list is not read here",
    "latex-subscript-word": "the subscript '_{{{word}}}' is read only as part of a name (W_1 is W1)",
    "latex-norm-kind": "only the 2-norm and the Frobenius norm are read (\\|v\\|_2, \\|A\\|_F)",
    "latex-accent": "'{tok}' is read only on a name (\\hat y is yhat)",
    "latex-list": "a list in brackets is read only as the arguments of a function",
    # ------------------------------------------------------- an unwritten loss
    "loss-linear": "the derivatives of '{name}' on line {line}, a loss the document leaves unwritten and "
                   "whose claims all go through its gradients by {ends}: read as linear in them, the "
                   "gradients inputs, so a claim holds here exactly when it holds for every such loss",
    "loss-upstream": "'{grad}' on line {line}, the gradient of '{name}' by '{value}', a loss the document "
                     "leaves unwritten: '{name}' read as linear in '{value}' with that gradient, an input, "
                     "so a claim through '{value}' holds here exactly when it holds for every such loss",
}
