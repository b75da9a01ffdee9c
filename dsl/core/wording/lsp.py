"""Sentences of the language server (``chainrule lsp``), in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

# What the server shows: hover texts, inlay hints, symbols, completion details, log lines.
LSP: dict[str, str] = {
    "lsp-not-verified-yet": "not verified yet (verification runs after the shapes are checked)",
    "lsp-hover-shape": "shape: {shape}",
    "lsp-hover-unknown-shape": "shape: unknown (an error in or before it)",
    "lsp-hover-sizes": "sizes: {sizes}",
    "lsp-hover-name": "{name} : {shape} ({how})",
    "lsp-hover-size-symbol": "size symbol {name}{value}",
    "lsp-hover-claim": "claim {deriv}: {status}",
    "lsp-hover-claim-detail": "claim {deriv}: {status}, {detail}",
    "lsp-hover-expected": "expected shape of {deriv}: {shape}",
    "lsp-inlay-shape": ": {shape}",
    "lsp-function": "function, {shape}",
    "lsp-attribute": "attribute: how test data for this input is drawn",
    "lsp-keyword": "keyword",
    "lsp-size-detail": "size{value}",
    "lsp-label-shape": "this operand is {text}",
    "lsp-defect": "chainrule lsp: checking {uri} failed ({what}); the last diagnostics stay",
    "lsp-needs-extra": "chainrule lsp needs the language server packages: pip install 'chainrule[lsp]' ({what})",
}
