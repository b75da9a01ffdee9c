"""The wording of hints and fix titles, in one place.

``messages`` holds the catalogue (one message template per code); this module
holds the sentences a hint is made of and the titles of fixes.  Passes call
:func:`say` with a key and the values for its template and never write English
themselves, so each phrase ("did you mean ...") is written once, here.

Expressions are passed already quoted (``quote`` in ``shapes.hints``): the
hint shows source text in backquotes, which front ends may re-spell.

    >>> say("did-you-mean", name="W1")
    "did you mean 'W1'?"
"""
from __future__ import annotations

HINTS: dict[str, str] = {
    # ------------------------------------------------------------ names
    "did-you-mean": "did you mean '{name}'?",
    "size-symbol-not-variable": "'{name}' is a size symbol, not a variable",
    "own-definition": "'{name}' cannot be used in its own definition",
    "used-before": "'{name}' is {how} on line {line}, after this use; move that line up",
    "variable-not-size": "'{name}' is a variable; sizes are integers or symbols declared with 'dims'",
    "declare-size": "declare it first: dims {name}",
    "attributes-are": "attributes are {names}",
    "primed-functions": "functions with a prime: {names}",
    "size-arguments": "e.g. ones(n, 1) or eye(3)",
    # ---------------------------------------------------- operator shapes
    "star-equal": "use '*' for the elementwise product: both sides are {shape}",
    "star-scalar": "use '*' for the elementwise product: one side is a scalar",
    "matmul-instead": "use '@' for the matrix product: {left} @ {right} gives {result}",
    "transpose-operand": "transpose the {side} operand: write {new} instead of {old} ({tried} gives {result})",
    "transpose-operand-long": "transpose the {side} operand (append .T to it in brackets) ({tried} gives {result})",
    "swap": "swap the operands: {swapped} ({right} @ {left} gives {result})",
    "swap-words": "right @ left",
    "matmul-no-fix": "no '*', transpose or swap makes {left} @ {right} fit ({inner_l} against {inner_r}); "
                     "one operand is likely the wrong quantity",
    "star-no-fix": "neither '@' nor a transpose makes {left} and {right} fit; one operand is likely the wrong quantity",
    "elementwise-no-fix": "no transpose makes {left} and {right} fit; one operand is likely the wrong quantity",
    "scalar-power": "raise to a scalar power",
    "scalar-power-exp": "raise to a scalar power; for entry-by-entry powers of positive entries write {form}",
    "stretch-named": "{form} (M the {mat} matrix, v the {vec} vector)",
    "stretch-divide": "each entry divides the vector's entry by the matrix's; if that is meant, "
                      "repeat the vector explicitly: {form}",
    "stretch-rows": "this equals {form}, which scales each row of the matrix; write that if it is meant, "
                    "or '@' for a matrix product",
    "stretch-columns": "this equals {form}, which scales each column of the matrix; write that if it is meant, "
                       "or '@' for a matrix product",
    "new-shape-instead": "{new} instead of {old} (gives {result})",
    "new-shape-operand": "the {side} operand transposed (gives {result})",
    "new-shape-or": "{first} or {second}",
    "new-shape-transpose": "transpose one side: write {fixes}; or {tail}",
    "new-shape-outer": "write outer(...) if the {result} matrix is intended",
    "new-shape-ones": "if the {result} matrix is intended, repeat the vectors explicitly with ones(...) and '@'",
    # -------------------------------------------------------------- claims
    "claim-transposed": "the right side is the transpose of {deriv}: write {form}",
    "claim-transposed-long": "the right side is the transpose of {deriv}: write (...).T",
    "claim-shape-rule": "{deriv} is {expected}: {rule}",
    "claim-or-layout": "{hint}, or put 'layout denominator' at the top if Jacobians are meant transposed",
    "diagonal": "write `diag({inner})` for the Jacobian {deriv}, or keep the vector "
                "and multiply by it with '*' in the gradient",
    "higher-order": "write the gradient of a scalar (the loss) instead, e.g. d{loss}/d{x}",
    "rule-gradient": "the gradient of the scalar {y} has the shape of {x}",
    "rule-by-scalar": "a derivative by the scalar {x} has the shape of {y}",
    "rule-jacobian": "the Jacobian of {y} ({m} entries) by {x} ({n} entries) is {shape} in {layout} layout",
    # -------------------------------------------------------------- syntax
    "middle-dot": "Write '@' for a matrix product or '*' for an elementwise product.",
    "matlab-*": "Write '*': it is already elementwise.",
    "matlab-/": "Write '/': it is already elementwise.",
    "matlab-^": "Write '**' for an elementwise power.",
    "matlab-'": "Write '.T' for the transpose.",
    "matlab-quote": "Write {operand}.T for the transpose; a quote is only allowed in a derivative call like sigma'(a).",
    "stray-closer": "Remove it, or add the opening bracket where the group starts.",
    "close-with": "Close it with '{closer}'.",
    "add-closer": "Add '{closer}' where the group ends.",
    "caret": "'^' only writes a transpose (x^T); write '**' for a power.",
    "dot": "'.' only writes a transpose (x.T); write '*' or '@' for a product.",
    "backslash": "LaTeX commands are not part of the language: write dL/dx, '@' or '*', x.T.",
    "times-sign": "'×' only separates the sizes of a shape; write '@' for a matrix product or '*' "
                  "for an elementwise product.",
    "leading-operator": "A statement cannot start with an operator; a line ending in an operator "
                        "continues on the next, so move it to the end of the previous line.",
    "juxtaposed": "Two operands side by side: write '@' for a matrix product or '*' for an elementwise one.",
    "ascii-names": "Names use ASCII letters, digits and '_'; Greek letters and "
                   "accents are spelled out: θ is theta, ŷ is yhat, x̄ is xbar.",
    "positional-first": "Put positional arguments first: sum(X, axis=0).",
}

TITLES: dict[str, str] = {
    "star": "use '*' for the elementwise product",
    "matmul": "use '@' for the matrix product",
    "transpose-left": "transpose the left operand",
    "transpose-right": "transpose the right operand",
    "swap": "swap the operands",
    "power": "write the power as exp(b * log(a))",
    "stretch": "write the broadcast explicitly",
    "transpose-claim": "transpose the right side",
    "negate-claim": "negate the right side",
    "add-term": "add {term}",
    "subtract-term": "remove {term}",
    "diag": "write the Jacobian with diag(...)",
    "rename": "replace with '{name}'",
    "matlab": "write '{replacement}'",
}


def say(key: str, **values) -> str:
    """The hint sentence ``key`` with ``values`` filled in."""
    return HINTS[key].format(**values)


def title(key: str, **values) -> str:
    """The short title of a fix, as a language server shows it."""
    return TITLES[key].format(**values)
