"""Non-ASCII letters and marks allowed in names, and their ASCII spelling.

Notes write ``θ``, ``ŷ``, ``x̄``, ``W₁``; the language spells them ``theta``,
``yhat``, ``xbar``, ``W1``.  The parser reads with :data:`SPELLED`; ``fmt``
writes back with :data:`GREEK_LETTER`.

>>> SPELLED["θ"], GREEK_LETTER["theta"]
('theta', 'θ')
"""
from __future__ import annotations

# The lower-case Greek alphabet from U+03B1, in order (final sigma included).
GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
         "nu", "xi", "omicron", "pi", "rho", "sigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]

SPELLED: dict[str, str] = {chr(0x3B1 + i): n for i, n in enumerate(GREEK)}
SPELLED.update({chr(0x391 + i): n.capitalize() for i, n in enumerate(GREEK) if i != 17})
SPELLED.update({"ϑ": "theta", "ϕ": "phi", "ϵ": "epsilon", "ℓ": "ell",
                "\u0302": "hat", "\u0303": "tilde", "\u0304": "bar"})
SPELLED.update({chr(0x2080 + i): str(i) for i in range(10)})

# word -> lower-case letter; σ (not the final ς) for sigma, as it comes later
GREEK_LETTER: dict[str, str] = {n: chr(0x3B1 + i) for i, n in enumerate(GREEK)}
