"""Random values by attribute: one array of a concrete shape drawn to respect
its attributes (``onehot``, ``prob``, ``positive``, ``symmetric``, ``spd``,
``nonzero``, ``pm1``, ``binary``, ``orthogonal``, ``invertible``); for a
tensor, along its last axis or for each matrix of its last two axes.
"""
from __future__ import annotations

import numpy as np


def draw_value(shape: tuple[int, ...], attrs: set[str], rng: np.random.Generator) -> np.ndarray:
    """One random float64 value of a concrete shape with these attributes.

    >>> draw_value((2, 3), {"onehot"}, np.random.default_rng(0)).sum(axis=1)
    array([1., 1.])
    """
    if "onehot" in attrs:
        return _onehot(shape, rng)
    if "prob" in attrs:
        return _probabilities(shape, rng)
    if "pm1" in attrs:
        return rng.choice([-1.0, 1.0], shape)
    if "binary" in attrs:
        return _binary(shape, rng)
    if "orthogonal" in attrs:
        return _orthogonal(shape, rng)
    if "invertible" in attrs:
        return _invertible(shape, rng)
    if "positive" in attrs:
        x = rng.uniform(0.5, 2.0, shape)
    elif "nonzero" in attrs:
        x = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)
    else:
        # uniform on [-2, 2): four times cheaper to draw than a normal, which
        # matters for large declared sizes, and as good for checking identities
        x = rng.uniform(-2.0, 2.0, shape)
    x = np.asarray(x, dtype=np.float64)
    # a matrix, or a tensor whose last two axes are square: each matrix of them
    square = len(shape) >= 2 and shape[-1] == shape[-2]
    if "spd" in attrs:
        # A A^T is positive semi-definite; + n I makes it safely definite.
        x = x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1]) if square else np.abs(x) + 0.5
    elif "symmetric" in attrs and square:
        # Mirror the upper triangle: each entry keeps the property it was drawn with.
        x = np.triu(x) + np.swapaxes(np.triu(x, 1), -1, -2)
    return x


def _binary(shape, rng):
    """Entries 0 or 1, each with probability one half, with at least one 1
    in every row (along the last axis; a column vector: among its entries)
    of two entries or more, so that a mask never hides a whole row (a
    softmax over a fully masked row is no attention at all), and with both
    values present where there are at least two entries (a mask of all ones
    would hide a missing factor)."""
    rows_shape = _rows_or_whole(shape)
    x = rng.integers(0, 2, rows_shape).astype(np.float64)
    if rows_shape[1] >= 2:
        empty = np.flatnonzero(x.max(axis=1) == 0.0)
        x[empty, rng.integers(0, rows_shape[1], empty.size)] = 1.0
    flat = x.reshape(-1)
    if flat.size >= 2 and flat.min() == flat.max():
        # all ones (rows of two or more keep a 1), or all zeros in rows of one entry
        flat[rng.integers(0, flat.size)] = 1.0 - flat[0]
    return x.reshape(shape)


def _orthogonal(shape, rng):
    """Q of the QR factorisation of a Gaussian matrix, its columns' signs
    fixed by R's diagonal (Haar-distributed): Q^T Q = I.  A scalar is +-1."""
    if len(shape) != 2 or shape[0] != shape[1]:
        return rng.choice([-1.0, 1.0], shape)
    q, r = np.linalg.qr(rng.standard_normal(shape))
    return q * np.where(np.diagonal(r) < 0, -1.0, 1.0)


def _invertible(shape, rng):
    """A well-conditioned matrix that is not symmetric: an orthogonal matrix
    times a diagonal of singular values in [1, 2] times another orthogonal
    matrix, so the condition number is at most 2; the determinant is
    positive (``logdet`` applies).  A scalar is in [1, 2]."""
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 1:
        return rng.uniform(1.0, 2.0, shape)
    u, v = _orthogonal(shape, rng), _orthogonal(shape, rng)
    if np.linalg.det(u) * np.linalg.det(v) < 0:
        u[:, 0] = -u[:, 0]
    return (u * rng.uniform(1.0, 2.0, shape[0])) @ v.T


def _rows_or_whole(shape):
    """The value as rows, each one distribution: a column vector is one row
    of its entries; otherwise each row along the last axis is (for a tensor,
    of every matrix of the last two axes)."""
    if len(shape) == 2 and shape[1] == 1:
        return (1, shape[0])
    if not shape:
        return (1, 1)
    return (int(np.prod(shape[:-1])), shape[-1])


def _onehot(shape, rng):
    rows_shape = _rows_or_whole(shape)
    x = np.zeros(rows_shape)
    x[np.arange(rows_shape[0]), rng.integers(0, rows_shape[1], rows_shape[0])] = 1.0
    return x.reshape(shape)


def _probabilities(shape, rng):
    rows_shape = _rows_or_whole(shape)
    x = rng.uniform(0.1, 1.0, rows_shape)
    x = x / x.sum(axis=1, keepdims=True)
    return x.reshape(shape)
