"""Programs shared by several test modules."""

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
