"""Declaration attributes: how test data for an input is drawn."""

ATTRIBUTES = ("onehot", "prob", "positive", "symmetric", "spd", "nonzero",
              "pm1", "binary", "orthogonal", "invertible")

SQUARE_ATTRIBUTES = ("symmetric", "spd", "orthogonal", "invertible")
"""Attributes of square matrices (a scalar is accepted too): E207 on any other shape."""
