"""Derivation through tensors of rank 3 and 4: elementwise operators, reductions
along an axis (kept with size 1), softmax along the last axis and batched
products whose transposed operand is a matrix.  Every form is verified by the
deriver itself before it is returned; a batched product with a tensor to
transpose has no matrix spelling and is refused with its reason."""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl.core.span import Source
from dsl.pipeline.deriving import derive_source

ROOT = Path(__file__).resolve().parent.parent
TENSORS = (ROOT / "tests" / "corpus" / "tensors.deriv").read_text(encoding="utf-8")


@pytest.mark.parametrize("y, x, want", [
    ("L", "X", "2 * Y @ W.T"),                               # Y = X @ W: the batch axis broadcast
    ("L", "Y", "2 * Y"),
    ("G", "P", "softmax(X, axis=-1)"),
    ("H", "X", "2 * X / b / n"),
    ("F", "S2", "2 * S2"),
    ("E", "S", "Pa * (U - sum(U * Pa, axis=-1))"),           # softmax of a rank-4 tensor along its last axis
])
def test_tensor_gradients_derive_and_verify(y, x, want):
    out = derive_source(Source("tensors.deriv", TENSORS), y, x)
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    assert out.derivation.text == want


def test_a_broadcast_bias_of_a_tensor_is_summed_over_its_axis():
    text = "dims b, n, d\nX : b x n x d\nc : b x 1 x d\nZ = X + c\nL = sum(Z * Z)\n"
    out = derive_source(Source("t.deriv", text), "L", "c")
    assert out.derivation is not None, [d.message for d in out.diagnostics]
    assert out.derivation.text == "2 * sum(Z, axis=1)"


def test_a_gradient_through_a_tensor_that_needs_a_batch_transpose_is_refused_with_its_reason():
    out = derive_source(Source("tensors.deriv", TENSORS), "L", "W")
    assert out.derivation is None
    assert [d.code for d in out.diagnostics] == ["E510"]
    assert "rank 3" in out.diagnostics[0].message
