"""Sentences about tensors (rank 3 and 4), axes and reductions, in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

TENSORS: dict[str, str] = {
    # ------------------------------------------------------------ axes
    "axis-range": "needs an axis from {low} to {high} for a value of rank {rank}, got axis={axis}",
    "axis-integer": "needs an integer axis, got axis={axis}",
    # ------------------------------------------------------- declarations
    "rank-too-high": "'{name}' has {rank} axes; values have at most 4 (scalar, matrix, rank 3 or 4)",
    "rank-too-high-hint": "split the value, or fold two axes into one (b x h x t x d for 4 axes)",
    # --------------------------------------------------------- transposes
    "the-operand": "the operand",
    "transpose-tensor-hint": "'.T' is for matrices; write which axes to swap in index notation: {form}",
    # ------------------------------------------------------------- matmul
    "matmul-batch-hint": "'@' multiplies the last two axes and broadcasts the others as NumPy does; "
                         "the leading axes {left} and {right} differ and neither is 1",
    # ------------------------------------------------------------ claims
    "higher-order-tensor-hint": "write the gradient of a scalar (the loss) instead, e.g. d{loss}/d{x}, "
                                "shaped like {x}; or state entries in index form",
}
