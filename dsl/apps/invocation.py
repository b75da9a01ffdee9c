"""The settings of one ``check`` or ``lint`` run: the project's configuration
(``config``), overridden by the command line, checked into the values the
commands use.

Contract: :func:`resolve` takes the parsed arguments and returns a
:class:`Run`, or raises ``config.ConfigError`` (a usage error, exit code 2)
for a configuration file that cannot be used.  ``--isolated`` ignores every
configuration file; ``--config PATH`` names one.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from dsl.apps import config as configuration
from dsl.apps.output import Output
from dsl.apps.selection import Selection


@dataclass(frozen=True)
class Run:
    output: Output
    seed: int
    timeout: float | None
    layout: str | None
    exclude: tuple[str, ...]
    root: str
    config_path: str | None


def resolve(args: argparse.Namespace, *, color: bool) -> Run:
    if getattr(args, "isolated", False):
        conf = configuration.Config()
    else:
        path = getattr(args, "config", None) or configuration.discover()
        conf = configuration.load(path)
    select = args.select if args.select is not None else conf.select
    selection = Selection(select=select, extend_select=conf.extend_select + (args.extend_select or ()),
                          ignore=conf.ignore + (args.ignore or ()),
                          per_file_ignores=conf.per_file_ignores, root=conf.root)
    fmt = args.output_format or conf.output_format or "full"
    strict = args.strict if args.strict is not None else bool(conf.strict)
    output = Output(fmt="full" if fmt == "text" else fmt, strict=strict, quiet=args.quiet,
                    statistics=args.statistics, exit_zero=args.exit_zero,
                    warn_unused_ignores=args.warn_unused_ignores, color=color,
                    selection=selection, command_line=("chainrule", *getattr(args, "argv", sys.argv[1:])))
    seed = args.seed if args.seed is not None else (conf.seed if conf.seed is not None else 0)
    timeout = args.timeout if args.timeout is not None else conf.timeout
    exclude = conf.exclude + conf.extend_exclude + tuple(getattr(args, "extend_exclude", None) or ())
    if getattr(args, "exclude", None) is not None:
        exclude = tuple(args.exclude) + conf.extend_exclude
    return Run(output, seed, timeout, conf.layout, exclude, conf.root, conf.path)
