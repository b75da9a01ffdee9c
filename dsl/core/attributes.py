"""Declaration attributes: how test data for an input is drawn."""

ATTRIBUTES = ("onehot", "prob", "positive", "symmetric", "spd", "nonzero")
