"""Declaration attributes: how test data for an input is drawn, and
``opaque``: the name is a function the document names without defining
(``l : scalar opaque`` makes ``l(o, y)``, of any arguments, a scalar whose
arguments are checked; a claim that depends on it is not verified)."""

ATTRIBUTES = ("onehot", "prob", "positive", "symmetric", "spd", "nonzero",
              "pm1", "binary", "orthogonal", "invertible", "opaque")
OPAQUE = "opaque"

SQUARE_ATTRIBUTES = ("symmetric", "spd", "orthogonal", "invertible")
"""Attributes of square matrices (a scalar is accepted too): E207 on any other shape."""
