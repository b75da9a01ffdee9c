"""Project configuration: ``[tool.chainrule]`` in ``pyproject.toml``, or a
``chainrule.toml`` (whose keys stand at the top level), as ruff reads its own.

Contract: :func:`discover` finds the nearest configuration from a directory
upward (``chainrule.toml`` before ``pyproject.toml`` in the same directory;
a ``pyproject.toml`` without a ``[tool.chainrule]`` table is passed over);
:func:`load` reads and validates one file into a :class:`Config`.  Every key
and value is checked: an unknown key, or a value of the wrong kind, is a
:class:`ConfigError` naming the file and the key, which the command reports
as a usage error (exit code 2).  Command-line options override the file;
``--isolated`` ignores it.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "pyproject.toml").write_text('[tool.chainrule]\\nignore = ["W303"]\\nseed = 3\\n')
    >>> c = load(discover(str(d)))
    >>> c.ignore, c.seed
    (('W303',), 3)
"""
from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, field

from dsl.apps import options
from dsl.core.span import shown_name
from dsl.core.wording import say

FORMATS = ("full", "text", "concise", "json", "sarif", "github", "gitlab", "junit")
LAYOUTS = ("numerator", "denominator")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file and key."""


@dataclass(frozen=True)
class Config:
    """The settings a configuration file gives (``None``: not given there)."""

    path: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    seed: int | None = None
    timeout: float | None = None
    strict: bool | None = None
    output_format: str | None = None
    layout: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def root(self) -> str:
        """The directory the file's patterns are relative to."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()


def discover(start: str | None = None) -> str | None:
    """The nearest configuration file at or above ``start`` (default: the
    working directory), or None."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        for name in ("chainrule.toml", ".chainrule.toml"):
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_table(path: str) -> bool:
    try:
        data = _parse(path)
    except ConfigError:
        return True                       # a broken pyproject.toml is reported, not passed over
    return isinstance(data.get("tool"), dict) and "chainrule" in data["tool"]


def _parse(path: str) -> dict:
    from dsl.pipeline.reading import read_source  # deferred: start-up
    source, problem = read_source(path, limit=1 << 20)
    if source is None:
        assert problem is not None, "no source: read_source says why"
        raise ConfigError(problem.message)
    import tomllib  # deferred: only when a configuration file is found
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(say("config-not-toml", path=shown_name(path), where=_where_in_toml(str(exc)))) from None
    except RecursionError:              # tomllib reads nested arrays and tables recursively
        raise ConfigError(say("config-too-deep", path=shown_name(path))) from None
    return data


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def _where_in_toml(message: str) -> str:
    """Where the TOML parser stopped, in this project's words (its own sentence is not shown)."""
    found = _TOML_PLACE.search(message)
    if found is None:
        return ""
    if found.group(1) is None:
        return say("config-at-end")
    return say("config-at", line=found.group(1), column=found.group(2))


def load(path: str | None) -> Config:
    """The validated settings of ``path`` (an empty :class:`Config` for None)."""
    if path is None:
        return Config()
    data = _parse(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(say("config-not-table", where=f"{shown_name(path)}: 'tool'"))
        table = tool.get("chainrule", {})
        where = f"{shown_name(path)}: [tool.chainrule]"
    else:
        table, where = data, shown_name(path)
    if not isinstance(table, dict):
        raise ConfigError(say("config-not-table", where=where))
    values: dict = {"path": path}
    for key, value in table.items():
        reader = _KEYS.get(key)
        if reader is None:
            raise ConfigError(say("config-unknown-key", where=where, key=shown_name(str(key)),
                                      known=", ".join(sorted(_KEYS))))
        try:
            values[key.replace("-", "_")] = reader(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(say("config-bad-value", where=where, key=key, why=exc)) from None
    return Config(**values)


# ------------------------------------------------------------------ values

def _strings(value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("must be a list of strings")
    return tuple(value)


def _codes(value) -> tuple[str, ...]:
    from dsl.apps.selection import check_selectors  # deferred: start-up
    return check_selectors(_strings(value))


def _per_file(value) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise TypeError("must be a table of glob = [codes]")
    return tuple((str(glob), _codes(codes)) for glob, codes in value.items())


def _seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("must be a whole number")
    return options.seed(str(value))


def _timeout(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("must be a number of seconds")
    return options.seconds(str(value))


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError("must be true or false")
    return value


def _choice(choices):
    def read(value) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value
    return read


def _checked(reader):
    """Option readers refuse a value with ``ArgumentTypeError``; here that is a ValueError."""
    def read(value):
        try:
            return reader(value)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(str(exc)) from None
    return read


_KEYS = {"select": _codes, "ignore": _codes, "extend-select": _codes,
         "exclude": _strings, "extend-exclude": _strings, "per-file-ignores": _per_file,
         "seed": _checked(_seed), "timeout": _checked(_timeout), "strict": _bool,
         "output-format": _choice(FORMATS), "layout": _choice(LAYOUTS)}
