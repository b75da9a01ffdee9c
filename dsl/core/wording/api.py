"""Sentences of the Python API's refusals (``dsl.api``, ``core.options``), in
the registry of :mod:`dsl.core.wording`: the reason follows
``check() argument 'seed': ``, and quoted values are quoted already."""
from __future__ import annotations

API: dict[str, str] = {
    "api-argument": "{function}() argument {name!r}: {why}",
    "api-text": "a text is a str, got {value}",
    "api-text-bytes": "a text is a str, got {kind}: decode it first (data.decode('utf-8'))",
    "api-text-path": "a text is a str, got a path: read the file first, or run chainrule check on it",
    "api-name-text": "a name is a str, got {value}",
    "api-arrays": "the arrays are a mapping of names to values (a dict), got {value}",
    "api-name-type": "an array's name is a str, got {value}",
    "api-name": "{value} is not a name an expression can read",
    "api-name-reads": "{value} reads as {read} in an expression; give the array the name {read}",
    "api-callable": "spell is a function (y, x, expr, notation) -> str, got {value}",
    "api-derive-names": "give Y and X ('L', 'x') or a derivative ('dL/dx'), not {value}",
}
