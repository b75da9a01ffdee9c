"""The LaTeX vocabulary: the words the reader gives a meaning.

Contract: :func:`greek_name` spells a Greek letter (a macro or the Unicode
letter) as the language spells it, and the tables list the accents,
transposes, textual fonts and products.  Which word or macro names a
function is the function table's to say (``dsl.builtins.function_name`` and
``latex_macro``).

    >>> greek_name(r"\\vartheta"), greek_name("θ")
    ('theta', 'theta')
"""
from __future__ import annotations

import unicodedata

from dsl.core.ast import Op
from dsl.language.spelling import SPELLED

TRANSPOSES = frozenset({"T", r"\top", r"\intercal", r"\mathsfT", r"\mathrmT", r"\rmT", r"\sfT",
                        r"\textsfT", r"\textrmT", "ᵀ"})
BOLD = frozenset({r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf", r"\pmb", r"\mathbfit", r"\vec"})
TEXTUAL = frozenset({r"\mathrm", r"\operatorname", r"\operatorname*", r"\text", r"\textrm", r"\mbox"})
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar",
           "tilde": "tilde", "widetilde": "tilde"}
# The written products of the grammar (juxtaposition is @, or * for a scaling).
PRODUCTS = {"cdot": Op.MATMUL, "hadamard": Op.MUL, "star": Op.MUL, "times": Op.MUL,
            "slash": Op.DIV, "oslash": Op.DIV, "frobenius": Op.MUL}     # A:B is sum(A * B)
# Greek letters that name a scalar in the notes unless the document says
# otherwise (a step size, a weight, a rate): \lambda w is a scaling.
GREEK_SCALARS = frozenset({"alpha", "beta", "gamma", "eta", "lambda", "rho", "tau", "kappa"})
_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varpi": "pi",
             "varrho": "rho", "varsigma": "sigma"}


def greek_name(symbol: str) -> str:
    """``\\theta`` or ``θ`` -> ``theta`` (variant forms spelled as the letter)."""
    if symbol.startswith("\\"):
        name = symbol[1:]
        return _VARIANTS.get(name, name)
    if symbol in SPELLED:
        return SPELLED[symbol]
    spelled = unicodedata.name(symbol, "x").split()[-1].lower().replace("lamda", "lambda")
    return spelled.capitalize() if symbol.isupper() else spelled
