"""The LaTeX vocabulary: the words the reader gives a meaning.

Contract: :func:`greek_name` spells a Greek letter (a macro or the Unicode
letter) as the language spells it, :func:`function_name` says which
chainrule function a word names, and the tables list the macros read as
functions, accents, transposes and textual fonts, and the products.  Function names go
through ``dsl.core.functions`` only, so the list of built-ins stays the one
table.

    >>> function_name("Diag"), greek_name(r"\\vartheta"), greek_name("θ")
    ('diag', 'theta', 'theta')
"""
from __future__ import annotations

import unicodedata

from dsl.core.ast import Op
from dsl.core.functions import FUNCTIONS, canonical
from dsl.language.spelling import SPELLED

TRANSPOSES = frozenset({"T", r"\top", r"\intercal", r"\mathsfT", r"\mathrmT", r"\rmT", r"\sfT",
                        r"\textsfT", r"\textrmT", "ᵀ"})
TEXTUAL = frozenset({r"\mathrm", r"\operatorname", r"\operatorname*", r"\text", r"\textrm", r"\mbox"})
FUNC_MACROS = {r"\log": "log", r"\ln": "log", r"\exp": "exp", r"\tanh": "tanh",
               r"\det": "det", r"\tr": "trace", r"\Tr": "trace"}
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar",
           "tilde": "tilde", "widetilde": "tilde"}
# The written products of the grammar (juxtaposition is @, or * for a scaling).
PRODUCTS = {"cdot": Op.MATMUL, "hadamard": Op.MUL, "star": Op.MUL, "times": Op.MUL,
            "slash": Op.DIV}
_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varpi": "pi",
             "varrho": "rho", "varsigma": "sigma"}
_WORDS = {"ln": "log", "sigmoid": "sigma", "tr": "trace"}


def greek_name(symbol: str) -> str:
    """``\\theta`` or ``θ`` -> ``theta`` (variant forms spelled as the letter)."""
    if symbol.startswith("\\"):
        name = symbol[1:]
        return _VARIANTS.get(name, name)
    if symbol in SPELLED:
        return SPELLED[symbol]
    spelled = unicodedata.name(symbol, "x").split()[-1].lower().replace("lamda", "lambda")
    return spelled.capitalize() if symbol.isupper() else spelled


def function_name(word: str) -> str | None:
    """The chainrule function a LaTeX word names (``Diag`` -> diag), if any."""
    if len(word) < 2:
        return None
    w = word.lower()
    w = canonical(_WORDS.get(w, w))
    return w if w in FUNCTIONS else None
