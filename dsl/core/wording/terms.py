"""Sentences of grammar terms and fix titles, in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

# Grammar terminals in words, in the order they are listed ("expected ... or ...").
TERMINALS: dict[str, str] = {
    "TIMES": "'x' between the two sizes", "LPAR": "'('", "RPAR": "')'", "RSQB": "']'", "_COMMA": "','",
    "_EQUAL": "'='", "_COLON": "':'", "NAME": "a name", "INT": "a whole number",
    "$END": "the end of the statement", "AXIS_TIMES": "'x' before another size",
    "GT": "'>'", "GE": "'>='", "LT": "'<'", "LE": "'<='",
    "INDEX": "an index (a lowercase letter, then digits or a prime)",
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
    "pasted": "write {replacement}",
}
