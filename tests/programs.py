"""Programs and helpers shared by several test modules."""

import dataclasses

# Seed 002's network in row form, without its dims line (tests choose
# symbolic or concrete sizes); 11 lines.
MLP_BODY = """\
x     : 1 x n
W1    : n x k
b1    : 1 x k
W2    : k x n
b2    : 1 x n
y     : 1 x n  onehot
a     = x @ W1 + b1
h     = sigma(a)
theta = h @ W2 + b2
yhat  = softmax(theta)
L     = xent(y, yhat)
"""


_SPAN_FIELDS = {"span", "op_span", "func_span", "name_span"}


def tree(node):
    """A node as nested tuples without its spans: equal trees, equal values."""
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,
                *(tree(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name not in _SPAN_FIELDS))
    if isinstance(node, tuple):
        return tuple(tree(n) for n in node)
    return node
