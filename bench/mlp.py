"""The 784-512-10 network of rows 2, 4 and 5, and its hand-written NumPy.

:data:`generate.MLP_TEXT` is the derivation; :func:`arrays` draws its inputs
(seeded); :func:`forward` and :func:`backprop_w1` are the NumPy a reader
would write for the same computation: ``A = X @ W1 + b1``, the logistic
sigmoid ``1 / (1 + exp(-A))``, a max-shifted row softmax, and the mean
cross-entropy; the backward pass is the textbook one for ``dL/dW1``.
"""
from __future__ import annotations

import numpy as np

from generate import MLP_DIMS


def arrays(seed: int) -> dict[str, np.ndarray]:
    """Inputs of the MLP: normal data, weights at the usual 1/sqrt(fan-in)
    scale, one-hot labels."""
    m, d, h, c = (MLP_DIMS[k] for k in "mdhc")
    rng = np.random.default_rng(seed)
    Y = np.zeros((m, c))
    Y[np.arange(m), rng.integers(0, c, m)] = 1.0
    return {
        "X": rng.standard_normal((m, d)),
        "W1": rng.standard_normal((d, h)) / np.sqrt(d),
        "b1": rng.standard_normal((1, h)) * 0.1,
        "W2": rng.standard_normal((h, c)) / np.sqrt(h),
        "b2": rng.standard_normal((1, c)) * 0.1,
        "Y": Y,
    }


def forward(X, W1, b1, W2, b2, Y):
    """The loss and the intermediates, as hand-written NumPy."""
    A = X @ W1 + b1
    H = 1.0 / (1.0 + np.exp(-A))
    Z = H @ W2 + b2
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    L = -np.sum(Y * np.log(P)) / X.shape[0]
    return L, (H, P)


def backprop_w1(X, W1, b1, W2, b2, Y):
    """``dL/dW1`` by hand: one forward pass, then the chain rule backwards."""
    _, (H, P) = forward(X, W1, b1, W2, b2, Y)
    dZ = (P - Y) / X.shape[0]
    dA = (dZ @ W2.T) * H * (1.0 - H)
    return X.T @ dA


def autograd_w1(a: dict[str, np.ndarray]):
    """A function of no arguments computing ``dL/dW1`` with HIPS autograd
    (ImportError if it is not installed)."""
    import autograd.numpy as anp
    from autograd import grad

    X, b1, W2, b2, Y = (a[k] for k in ("X", "b1", "W2", "b2", "Y"))

    def loss(W1):
        H = 1.0 / (1.0 + anp.exp(-(anp.dot(X, W1) + b1)))
        Z = anp.dot(H, W2) + b2
        E = anp.exp(Z - anp.max(Z, axis=1, keepdims=True))
        P = E / anp.sum(E, axis=1, keepdims=True)
        return -anp.sum(Y * anp.log(P)) / X.shape[0]

    g = grad(loss)
    return lambda: g(a["W1"])
