"""Names as typeset: ``thetahat`` is ``θ̂`` in Unicode and ``\\hat{\\theta}`` in
LaTeX, ``W1`` is ``W₁`` and ``W_{1}``."""
from __future__ import annotations

import re
import unicodedata

from dsl.language.spelling import GREEK_LETTER

_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304"}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_NAME_PARTS = re.compile(r"([A-Za-z]+?)(hat|tilde|bar)?([0-9]*)")


def _greek(word: str) -> str | None:
    """The Greek letter a word spells (``theta`` -> ``θ``, ``Theta`` -> ``Θ``), or
    None: also for ``omicron`` and the capitals that look Latin (``Alpha``
    would print as ``A``), which stay words."""
    lower = word.lower()
    if lower not in GREEK_LETTER or lower == "omicron":
        return None
    letter = GREEK_LETTER[lower]
    if word.islower():
        return letter
    return letter.upper() if word in _GREEK_CAPITALS else None


def _parts(name: str) -> tuple[str, str, str] | None:
    """``yhat2`` -> (``y``, ``hat``, ``2``): a base that is one letter or a Greek
    word, an optional accent, trailing digits; None for other names."""
    m = _NAME_PARTS.fullmatch(name)
    if m is None:
        return None
    base, accent, digits = m.group(1), m.group(2) or "", m.group(3)
    if accent and not (len(base) == 1 or _greek(base)):
        return None
    return base, accent, digits


# ----------------------------------------------------------------- names

def unicode_name(name: str) -> str:
    """``theta`` -> ``θ``, ``yhat`` -> ``ŷ``, ``W2`` -> ``W₂``; others unchanged."""
    parts = _parts(name)
    if parts is None:
        return name
    base, accent, digits = parts
    letter = _greek(base) or base
    if accent:
        letter = unicodedata.normalize("NFC", letter + _ACCENTS[accent])
    return letter + digits.translate(_SUBSCRIPT)


def latex_name(name: str) -> str:
    """``theta`` -> ``\\theta``, ``yhat`` -> ``\\hat{y}``, ``W2`` -> ``W_{2}``,
    ``loss`` -> ``\\mathit{loss}``."""
    parts = _parts(name)
    if parts is None:
        return r"\mathit{" + name.replace("_", r"\_") + "}"
    base, accent, digits = parts
    if _greek(base):
        body = "\\" + base
    elif len(base) == 1:
        body = base
    else:
        body = r"\mathit{" + base + "}"
    if accent:
        body = f"\\{accent}{{{body}}}"
    return body + (f"_{{{digits}}}" if digits else "")



# ------------------------------------------------------------ expressions
