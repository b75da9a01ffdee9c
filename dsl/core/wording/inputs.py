"""Sentences of reading inputs and option values, in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

# Input: sources read and paths given to chainrule lint (E900, W704).
INPUT: dict[str, str] = {
    # arrays bound by name (the Python API, %deriv): the text follows the name
    "bound-not-array": "is {kind}, not an array",
    "bound-none": "is None, not an array",
    "bound-masked": "is a masked array: fill its masked entries first (.filled(value)), "
                    "since the mask would be dropped",
    "bound-ragged": "is {kind} whose rows have different lengths, not an array",
    "bound-rank-deep": "is nested more than 4 deep; values have at most 4 axes",
    "bound-unreadable": "is {kind} that NumPy cannot read as an array",
    "bound-rank": "is {ndim}-dimensional ({dims}); values have at most 4 axes, not {ndim}",
    "bound-kind": "holds {what} (dtype {dtype}); chainrule evaluates real numbers",
    "bound-complex": "holds complex numbers (dtype {dtype}); chainrule evaluates real numbers "
                     "(take .real or abs() first)",
    "bound-over-budget": "would take {need} as float64, more than the memory budget of {limit}",
    "bound-too-large": "holds a number too large for float64 (at most about 1.8e308)",
    "kind-text": "text",
    "kind-dates": "dates or times",
    "kind-records": "records",
    "kind-none": "None among its entries",
    "kind-other": "entries that are not numbers",
    "no-such-path": "{path}: no such file or directory",
    "not-a-document": "{path}: not a document chainrule lints (.deriv, .md, .tex, .ipynb)",
    "symlink-loop-up": "a symlink loop back to a directory above it",
    "cannot-list": "cannot list it ({why})",
    "broken-symlink": "a broken symlink or a symlink loop",
    "link-out-of-tree": "a link out of the linted tree",
    "skipped-special": "{kind}, not a regular file",
    # reading a source (pipeline.reading)
    "no-such-file": "{path}: no such file",
    "cannot-read": "{path}: cannot read ({why})",
    "system-refused": "the system refused the name",
    # configuration files (``--config``, ``pyproject.toml``, ``chainrule.toml``)
    "config-not-toml": "{path}: not valid TOML{where}",
    "config-at": " at line {line}, column {column}",
    "config-at-end": " at the end of the file",
    "config-too-deep": "{path}: not valid TOML: nested too deeply",
    "config-not-table": "{where} is not a table",
    "config-unknown-key": "{where}: unknown key '{key}' (known: {known})",
    "config-bad-value": "{where}: '{key}' {why}",
    "not-regular": "{path} is {kind}, not a regular file",
    "nul-in-name": "a file name cannot contain a NUL character",
    "no-standard-input": "there is no standard input to read",
    "kind-directory": "a directory",
    "kind-fifo": "a FIFO (named pipe)",
    "kind-char-device": "a character device",
    "kind-block-device": "a block device",
    "kind-socket": "a socket",
    "kind-special": "a special file",
    "too-many-statements": "{path} has {count} statements; the first {limit} are checked, from here on "
                           "nothing is (split the file)",
    "too-large": "{path} is too large ({size} MiB, limit {limit} MiB)",
    "grew-too-large": "{path} is too large (it grew past the limit of {limit} MiB while it was read)",
    "binary-file": "{path} looks like a binary file (NUL byte on line {line})",
    "not-utf8": "{path} is not UTF-8 text (byte {byte} at line {line}, column {column})",
    "line-too-long": "{path}: line {line} is too long (more than {limit} MiB)",
    "notebook-too-deep": "not a valid notebook: the JSON is nested too deeply",
    "notebook-not-json": "not a valid notebook: the JSON is broken at line {line}, column {column} ({why})",
    "notebook-long-number": "not a valid notebook: a number in it has more than {digits} digits",
    "notebook-not-object": "not a notebook: the JSON is not an object",
    "notebook-no-cells": "not a notebook: it has no list of cells",
}

# Option values (core.options): the reason a value is refused, after "argument --NAME: " on the
# command line and after "check() argument 'seed': " in the Python API; {value} is quoted already.
OPTIONS: dict[str, str] = {
    "option-seconds": "a timeout is a positive, finite number of seconds, got {value}",
    "option-seed": "a seed is a whole number from 0 to {top}, got {value}",
    "option-gib": "a memory budget is a positive, finite number of GiB, got {value}",
    "option-count": "a number of processes is a whole number from 1 to {top}, got {value}",
    "option-flag": "a switch is True or False, got {value}",
    "value-long-number": "a {digits}-digit number",
    "value-huge-number": "a number of more than 3900 digits",
    "value-long-text": "a str of {count} characters",
    "value-kind": "{article} {kind}",
    "value-typed": "{text} ({kind})",
    "value-an-object": "an object",
    "option-bad-value": "argument {option}: {why}",
    "option-needs-value": "{option} needs a value ({what})",
    "option-unknown": "unknown option {option!r} (options: {options})",
    "option-unreadable": "cannot read the options ({why})",
    "what-seed": "a seed from 0 to {top}",
    "what-seconds": "a positive number of seconds",
}
