"""Sentences of the shape inference of documents (N740, N741), in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

INFERENCE: dict[str, str] = {
    "inferred-from": "the equations on {where}",
    "inferred-lines": "lines {lines}",
    "inferred-placeholder": "its uses on {where}, only as an argument of functions the document does not "
                            "define: sizes of its own, which no check depends on",
    "loss-undefined": "the derivatives of '{name}' on line {line}: a scalar the document differentiates "
                      "but does not define, a function of the values read so far",
    "inferred-attr": "{name} is the target of a cross-entropy: drawn {attr}",
    "not-inferred-conflict": "its shapes do not fit the others the document's equations give",
    "explain-inferred": "shapes inferred from the document's equations:",
    "sizes-later": "the shape the equations give {name} uses the size '{size}' of a dims line further on",
    "names-unknown-open": "not declared or defined: {names}; the equations do not determine the shape of {open}",
}
