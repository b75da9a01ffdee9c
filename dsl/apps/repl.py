"""``chainrule repl [FILE]``: the interactive terminal, built on prompt_toolkit.

What happens to an entry is decided in ``repl_commands`` (:class:`Engine`);
this module is the terminal around it:

- history kept in the user's data directory (``$CHAINRULE_HISTORY``
  overrides the path); a multi-line entry comes back as one item;
- completion of declared names, size symbols, functions, keywords and
  commands (file names after ``:load`` and ``:save``);
- highlighting by the language's own lexer (``highlight.DerivLexer``);
- a line ending in an operator or inside an open bracket continues on the
  next (``syntax.needs_more``, the rule the parser itself follows); Enter on
  an empty continuation line ends the entry anyway;
- Ctrl-C cancels the line (or a long check), Ctrl-D or ``:quit`` leaves.

When stdin is not a terminal the lines are read, grouped into entries by the
same continuation rule, and run in order, printing only the results: the
exit code is then 1 if any entry had an error, so scripts can rely on it,
and 2 if the input is not UTF-8 (the byte is named) or a file to load could
not be read.

>>> import io
>>> out = io.StringIO()
>>> run_piped(Engine(verify=False), io.StringIO("dims n\\nx : 1 x n\\n:shape x.T @ x\\n"), out.write)
0
>>> out.getvalue()
'n x n\\n'
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from pygments.token import Keyword

from dsl.apps.highlight import DerivLexer
from dsl.apps.repl_commands import COMMANDS, Engine

if TYPE_CHECKING:
    from dsl.core.diagnostics import Diagnostic

PROMPT = "deriv> "
HISTORY_ENV = "CHAINRULE_HISTORY"
KEYWORDS = ("dims", "layout", "scalar", "numerator", "denominator")


# ------------------------------------------------------------ the terminal

class ReplLexer(DerivLexer):
    """The language's lexer, plus the REPL's ``:commands``."""

    name = "chainrule REPL"
    aliases: ClassVar[list[str]] = []
    filenames: ClassVar[list[str]] = []
    tokens: ClassVar[dict[str, list[Any]]] = {"root": [(r"^[ \t]*:[^\s]*", Keyword.Pseudo)] + DerivLexer.tokens["root"]}


def history_path() -> str:
    """``$CHAINRULE_HISTORY``, or ``history`` in the user's data directory:
    ``$XDG_DATA_HOME/chainrule`` (``~/.local/share/chainrule``) on Linux,
    ``~/Library/Application Support/chainrule`` on macOS, ``%APPDATA%\\chainrule``
    on Windows."""
    override = os.environ.get(HISTORY_ENV)
    if override:
        return os.path.expanduser(override)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "chainrule", "history")


def _history():
    from prompt_toolkit.history import FileHistory, InMemoryHistory  # deferred: start-up
    path = history_path()
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError:  # a read-only home: the session still works, without history
        return InMemoryHistory()
    return FileHistory(path)


def completion_words(engine: Engine) -> dict[str, list[str]]:
    """What completion offers, by kind: names, sizes, functions, keywords, commands."""
    from dsl.builtins import ALIASES, FUNCTIONS  # deferred: start-up
    from dsl.core.attributes import ATTRIBUTES  # deferred: start-up
    env = engine.session.env
    return {"name": list(env.names) if env else [],
            "size": list(env.dims) if env else [],
            "function": sorted(set(FUNCTIONS) | {a for a in ALIASES if a.isascii()}),
            "keyword": list(KEYWORDS) + list(ATTRIBUTES),
            "command": list(COMMANDS)}


def _completer(engine: Engine):
    from prompt_toolkit.completion import Completer, Completion, PathCompleter  # deferred: start-up

    class DerivCompleter(Completer):
        """Words the session knows, each with its kind as the menu's meta text."""

        paths = PathCompleter(expanduser=True)

        def get_completions(self, document, complete_event):
            line = document.current_line_before_cursor
            stripped = line.lstrip()
            if stripped.startswith((":load ", ":save ")):
                arg = stripped.split(None, 1)[1] if " " in stripped.strip() else ""
                from prompt_toolkit.document import Document  # deferred: start-up
                yield from self.paths.get_completions(Document(arg, len(arg)), complete_event)
                return
            if stripped.startswith(":") and " " not in stripped:
                for word in COMMANDS:
                    if word.startswith(stripped):
                        yield Completion(word, -len(stripped), display_meta=COMMANDS[word][1])
                return
            prefix = document.get_word_before_cursor(WORD=False)
            if not prefix or not (prefix[0].isalpha() or prefix[0] == "_"):
                return
            seen = set()
            for kind, words in completion_words(engine).items():
                for word in words:
                    if word.startswith(prefix) and word != prefix and word not in seen:
                        seen.add(word)
                        yield Completion(word, -len(prefix), display_meta=kind)

    return DerivCompleter()


def _key_bindings():
    from prompt_toolkit.key_binding import KeyBindings  # deferred: start-up

    from dsl.language.syntax import needs_more  # deferred: start-up
    kb = KeyBindings()

    @kb.add("enter")
    def _enter(event):
        buf = event.current_buffer
        state = buf.complete_state
        if state is not None and state.current_completion is not None:
            buf.apply_completion(state.current_completion)
            return
        text = buf.text
        # an empty last line ends the entry anyway, so a dangling operator cannot trap the user
        if needs_more(text) and not text.lstrip().startswith(":") and not text.endswith("\n"):
            buf.insert_text("\n")
        else:
            buf.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event):  # Alt-Enter: a new line whatever the text so far
        event.current_buffer.insert_text("\n")

    return kb


def prompt_session(engine: Engine, input=None, output=None):
    """The prompt_toolkit session for ``engine`` (``input``/``output`` for tests)."""
    from prompt_toolkit import PromptSession  # deferred: start-up
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory  # deferred: start-up
    from prompt_toolkit.lexers import PygmentsLexer  # deferred: start-up

    width = len(PROMPT)
    return PromptSession(
        PROMPT, multiline=True, history=_history(), completer=_completer(engine),
        lexer=PygmentsLexer(ReplLexer), key_bindings=_key_bindings(),
        auto_suggest=AutoSuggestFromHistory(), complete_while_typing=False,
        prompt_continuation=lambda w, n, soft: "." * (width - 2) + ": ",
        input=input, output=output)


def run_interactive(engine: Engine, session, write: Callable[[str], object]) -> int:
    """Prompt, run, print, until ``:quit`` or Ctrl-D."""
    write("chainrule REPL: :help lists the commands, Ctrl-D leaves.\n")
    while True:
        try:
            text = session.prompt()
        except KeyboardInterrupt:      # Ctrl-C: the line is dropped, the session goes on
            continue
        except EOFError:               # Ctrl-D on an empty line
            return 0
        if _run(engine, text, write):
            return 0


def _run(engine: Engine, text: str, write) -> bool:
    """Run one entry and print its output; True when the session should end."""
    try:
        outcome = engine.handle(text)
    except KeyboardInterrupt:
        write("interrupted\n")
        return False
    if outcome.text:
        write(outcome.text.rstrip("\n") + "\n")
    return outcome.quit


# ------------------------------------------------------------- piped input

def entries(lines: Iterable[str]) -> Iterable[str]:
    """Group lines into entries by the continuation rule; a command is one line."""
    from dsl.language.syntax import needs_more  # deferred: start-up
    pending: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not pending and line.lstrip().startswith(":"):
            yield line
            continue
        pending.append(line)
        if not needs_more("\n".join(pending)):
            yield "\n".join(pending)
            pending = []
    if pending:
        yield "\n".join(pending)


def run_piped(engine: Engine, stream, write: Callable[[str], object]) -> int:
    """Run every entry of a non-interactive stream (text, or bytes read as
    UTF-8): 1 if any had an error, 2 if the input itself could not be read
    (a line that is not UTF-8 or is too long ends it) or a ``:load`` could
    not read its file."""
    from dsl.render import text as render  # deferred: start-up
    failed = unreadable = False
    lines = PipedLines(stream)
    for text in entries(lines):
        try:
            outcome = engine.handle(text)
        except KeyboardInterrupt:
            write("interrupted\n")
            return 130
        if outcome.text:
            write(outcome.text.rstrip("\n") + "\n")
        failed = failed or outcome.errors > 0
        unreadable = unreadable or outcome.unreadable
        if outcome.quit:
            break
    if lines.problem is not None:
        write(render.render_diagnostic(lines.problem, None, None, engine.color) + "\n")
        return 2
    return 2 if unreadable else 1 if failed else 0


class PipedLines:
    """The lines of a piped stream as text.  Bytes are decoded as UTF-8 line
    by line, each line read with a bound (``reading.MAX_SOURCE_BYTES``); the
    first line that is not UTF-8 or is longer ends the lines, leaving its
    ``E900`` in :attr:`problem`."""

    NAME = "<stdin>"

    def __init__(self, stream) -> None:
        self.stream = stream
        self.problem: Diagnostic | None = None

    def __iter__(self) -> Iterator[str]:
        from dsl.pipeline import reading  # deferred: start-up
        limit = reading.MAX_SOURCE_BYTES
        number = 0
        while True:
            raw = self.stream.readline(limit + 1)
            if not raw:
                return
            number += 1
            if isinstance(raw, str):
                yield raw
                continue
            if len(raw) > limit:
                self.problem = reading.too_long(self.NAME, number, limit)
                return
            text, self.problem = reading.decode_line(self.NAME, raw, number)
            if text is None:
                return
            yield text.removeprefix("\ufeff") if number == 1 else text


# ----------------------------------------------------------------- command

def main(file: str | None = None, seed: int = 0, timeout: float | None = None) -> int:
    """``chainrule repl [FILE] [--seed N] [--timeout SECONDS]``: load FILE, then read entries."""
    from dsl.render import text as render  # deferred: start-up

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    engine = Engine(seed=seed, color=interactive and render.use_color("auto"), timeout=timeout)

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    if file is not None:
        loaded = engine.load(file)
        write(loaded.text.rstrip("\n") + "\n")
        if loaded.unreadable:
            return 2
    if not interactive:
        return run_piped(engine, getattr(sys.stdin, "buffer", sys.stdin), write)
    return run_interactive(engine, prompt_session(engine), write)
