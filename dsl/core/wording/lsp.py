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
    "lsp-defect": "chainrule lsp: an internal error while {stage} {uri}; the last diagnostics stay",
    "lsp-request-defect": "chainrule lsp: an internal error while answering {method} for {uri}; "
                          "the answer is empty",
    "lsp-server-defect": "chainrule lsp: an internal error while handling {method}; the server goes on",
    "lsp-stage-check": "checking",
    "lsp-stage-verify": "verifying the claims of",
    "lsp-needs-extra": "chainrule lsp needs the language server packages: pip install 'chainrule[lsp]' ({what})",

    # What the server says of a client's message it cannot take as it is (protocol.py, transport.py).
    "lsp-not-json": "chainrule lsp: a message from the client is not JSON ({why}); it was skipped",
    "lsp-not-json-why-utf8": "its bytes are not UTF-8",
    "lsp-not-json-why-syntax": "broken at character {at}",
    "lsp-not-json-why-deep": "it is nested too deeply",
    "lsp-not-json-why-number": "a number in it has too many digits",
    "lsp-not-json-why-empty": "it is empty",
    "lsp-bad-envelope": "not a JSON-RPC 2.0 request: {why}",
    "lsp-bad-envelope-log": "chainrule lsp: a message from the client is not JSON-RPC 2.0 ({why}); it was skipped",
    "lsp-envelope-not-object": "the message is not a JSON object",
    "lsp-envelope-version": "the \"jsonrpc\" member is not \"2.0\"",
    "lsp-envelope-id": "the \"id\" is not a number or a string",
    "lsp-envelope-method": "the \"method\" is not a string",
    "lsp-envelope-neither": "it has neither a method nor a result",
    "lsp-envelope-notification": "{method} is a notification: it takes no id",
    "lsp-envelope-request": "{method} is a request: it needs an id",
    "lsp-bad-params": "the parameters of {method} do not have the shape the protocol gives them",
    "lsp-bad-params-log": "chainrule lsp: the parameters of the {method} notification do not have the shape "
                          "the protocol gives them; it was skipped",
    "lsp-unknown-method": "chainrule lsp does not handle {method}",
    "lsp-internal-error": "chainrule lsp met an internal error answering {method}; the answer is empty",
    "lsp-cancelled": "the request was cancelled",
    "lsp-not-initialized": "the server is not initialized yet: the client sends initialize first",
    "lsp-initialized-twice": "the server is already initialized: initialize is sent once",
    "lsp-shutting-down": "the server is shutting down: it answers no more requests",
    "lsp-message-too-large": "chainrule lsp: a message of {size} MiB from the client was skipped (limit {limit} MiB)",
    "lsp-header-too-long": "chainrule lsp: a header line longer than {limit} bytes from the client was skipped",
    "lsp-bad-uri": "{uri} is not a document URI",
    "lsp-bad-uri-log": "chainrule lsp: {method} names {uri}, which is not a document URI; it was skipped",
    "lsp-not-open": "chainrule lsp: {method} for {uri}, which the client has not opened; it was skipped",
    "lsp-change-misfit": "chainrule lsp: a change to {uri} does not fit its text (line {line}, character "
                         "{character}: the text has {lines} lines); it was applied at the nearest place, "
                         "and the server's text may differ from the editor's",
    "lsp-change-reversed": "chainrule lsp: a change to {uri} ends before it starts; its two ends were swapped",
    "lsp-version-back": "chainrule lsp: version {version} of {uri} does not follow version {last}; "
                        "the change was applied all the same",
    "lsp-too-large": "{path} is too large to check ({size} MiB, limit {limit} MiB); it is checked again "
                     "once it is smaller",
    "lsp-lost": "chainrule lsp: {uri} grew past {limit} MiB; its text is dropped, and it is checked again "
                "once the editor sends its whole text (or opens it again)",
}
