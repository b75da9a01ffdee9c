"""Which files ``lint`` reads: the paths given, directories walked in name
order (hidden directories, ``node_modules``, ``__pycache__`` and
``site-packages`` skipped), with ``.gitignore`` semantics (``pathspec``'s
git-wildmatch: negation, parent directories up to the repository's top,
``.git/info/exclude``); a file named on the command line is always read.
A symlink loop, a directory that cannot be listed, a link that leaves the
tree being walked and a document that is not a regular file are each a
``W704`` warning, and the walk goes on.
"""
from __future__ import annotations

import os

from dsl.apps.results import FileResult, input_problem
from dsl.core.span import shown_name
from dsl.core.wording import say
from dsl.frontends import kind_of
from dsl.pipeline import reading

_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages"}


def collect(paths: list[str]) -> tuple[list[str], list[FileResult]]:
    """The files to lint, in a stable order, and reports for paths that are
    missing, of an unknown type, or could not be walked."""
    files: list[str] = []
    problems: list[FileResult] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            _walk(path, files, problems)
        elif not os.path.exists(path):
            what = say("no-such-path", path=shown_name(path))
            problems.append(input_problem(path, "E900", what=what))
        elif kind_of(path) is None:
            what = say("not-a-document", path=shown_name(path))
            problems.append(input_problem(path, "E900", what=what))
        else:
            files.append(path)
    unique = []
    for f in files:
        key = os.path.normpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems


def _walk(root: str, files: list[str], problems: list[FileResult]) -> None:
    # (directory, ignore rules, real paths of ancestors)
    stack: list[tuple[str, tuple, tuple[str, ...]]] = [(root, outer_rules(root), ())]
    visited: set[str] = set()
    tree = os.path.realpath(root)
    while stack:
        directory, rules, ancestors = stack.pop()
        real = os.path.realpath(directory)
        if real in ancestors:
            problems.append(input_problem(directory, "W704", path=directory,
                                           why=say("symlink-loop-up")))
            continue
        if real in visited:
            continue                    # the same directory reached through a link
        visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(input_problem(directory, "W704", path=directory,
                                           why=say("cannot-list", why=exc.strerror or say("system-refused"))))
            continue
        rules = rules + _gitignore(directory)
        subdirs = []
        for entry in entries:
            path = os.path.join(directory, entry.name) if directory != "." else entry.name
            is_dir = _is_dir(entry)
            if _ignored(path, is_dir, rules):
                continue
            if is_dir:
                if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                    continue
            elif kind_of(entry.name) is None:
                continue
            why = _not_followed(entry, path, tree)
            if why is not None:
                problems.append(input_problem(path, "W704", path=path, why=why))
            elif is_dir:
                subdirs.append(path)
            else:
                files.append(path)
        stack += [(d, rules, (*ancestors, real)) for d in reversed(subdirs)]


def _not_followed(entry: os.DirEntry, path: str, tree: str) -> str | None:
    """Why a directory or document met in the walk is skipped, or None: a
    symlink that is broken or leaves the tree being walked (``tree``, a real
    path), or a file that is not a regular one (a FIFO would block the read,
    a device never end)."""
    if entry.is_symlink():
        if not os.path.exists(path):
            return say("broken-symlink")
        if not _inside(os.path.realpath(path), tree):
            return say("link-out-of-tree")
    if _is_dir(entry):
        return None
    try:
        if entry.is_file():
            return None
        mode = entry.stat().st_mode
    except OSError:
        return say("broken-symlink")
    return say("skipped-special", kind=say(reading.kind_of_mode(mode)))


def _inside(path: str, tree: str) -> bool:
    try:
        return os.path.commonpath([tree, path]) == tree
    except ValueError:                            # another drive
        return False


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _gitignore(directory: str) -> tuple:
    """The rules of ``directory``'s ``.gitignore``, as ``(base, spec)``: git's
    own semantics (negation with ``!``, ``dir/``, anchored patterns, ``**``),
    by ``pathspec``."""
    return _rules(os.path.join(directory, ".gitignore"), directory)


def _rules(path: str, base: str) -> tuple:
    source, _ = reading.read_source(path)
    if source is None:                            # none, or not a readable text file
        return ()
    import pathspec  # deferred: start-up
    return ((base, pathspec.GitIgnoreSpec.from_lines(source.text.splitlines())),)


def outer_rules(root: str) -> tuple:
    """The rules that apply to ``root`` from above it: inside a git
    repository, ``.git/info/exclude`` and the ``.gitignore`` of every
    directory from the repository's top down to ``root``'s parent."""
    real = os.path.abspath(root)
    chain = [real]
    while os.path.dirname(chain[-1]) != chain[-1]:
        chain.append(os.path.dirname(chain[-1]))
    top = next((d for d in chain if os.path.exists(os.path.join(d, ".git"))), None)
    if top is None:
        return ()
    rules: tuple = _rules(os.path.join(top, ".git", "info", "exclude"), top)
    for d in reversed(chain[1:chain.index(top) + 1]):
        rules += _rules(os.path.join(d, ".gitignore"), d)
    return rules


def _ignored(path: str, is_dir: bool, rules) -> bool:
    """Whether the last rule that matches ``path`` (outer files first, as git
    reads them) ignores it."""
    verdict = None
    for base, spec in rules:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")
        if rel.startswith(".."):
            continue
        result = spec.check_file(rel + "/" if is_dir else rel)
        if result.include is not None:
            verdict = result.include
    return bool(verdict)
