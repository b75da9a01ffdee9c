"""Sentences of reading inputs and option values, in the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

# Input: sources read and paths given to chainrule lint (E900, W704).
INPUT: dict[str, str] = {
    # arrays bound by name (the Python API, %deriv): the text follows the name
    "bound-not-array": "is a {kind}, not an array",
    "bound-not-numeric": "is a {kind}, not a numeric array ({why})",
    "bound-rank": "is {ndim}-dimensional ({dims}); values have at most 4 axes, not {ndim}",
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

# Option values (apps.options): the reason a value is refused, after "argument --NAME: ".
OPTIONS: dict[str, str] = {
    "option-seconds": "a timeout is a positive, finite number of seconds, got {value!r}",
    "option-seed": "a seed is a whole number from 0 to {top}, got {value!r}",
    "option-gib": "a memory budget is a positive, finite number of GiB, got {value!r}",
    "option-count": "a number of processes is a whole number from 1 to {top}, got {value!r}",
    "option-bad-value": "argument {option}: {why}",
    "option-needs-value": "{option} needs a value ({what})",
    "option-unknown": "unknown option {option!r} (options: {options})",
    "option-unreadable": "cannot read the options ({why})",
    "what-seed": "a seed from 0 to {top}",
    "what-seconds": "a positive number of seconds",
}
