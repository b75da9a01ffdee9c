"""``chainrule rule CODE`` and ``chainrule rule --all``: the catalogue entry
of a diagnostic code (what it checks, why, an example, what to write
instead, and whether it carries a fix), as ruff's ``rule`` command prints
its rules.  ``--output-format json`` gives the same as data.

    >>> import io
    >>> out = io.StringIO()
    >>> run(["E300"], out=out)
    0
    >>> out.getvalue().splitlines()[0]
    '# E300 `matmul-shape`'
"""
from __future__ import annotations

import json
import sys

from dsl.core import messages


def _json(e: messages.Entry) -> dict:
    return {"code": e.code, "name": e.name, "severity": e.severity.value, "message": e.template,
            "checks": e.checks, "why": e.why, "example": e.example, "instead": e.fix,
            "fix": messages.FIXES.get(e.code)}


def run(codes: list[str], *, every: bool = False, fmt: str = "text", out=None, err=None) -> int:
    """Print the entries of ``codes`` (or of every code); 2 for an unknown code."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    if every:
        entries = list(messages.CATALOGUE.values())
    else:
        if not codes:
            err.write("chainrule rule: give a code (such as E300) or --all\n")
            return 2
        entries = []
        for code in codes:
            entry = messages.CATALOGUE.get(code.strip().upper())
            if entry is None:
                near = sorted(c for c in messages.CATALOGUE if c[:2] == code.strip().upper()[:2])
                also = f" (codes near it: {', '.join(near[:8])})" if near else ""
                err.write(f"chainrule rule: no code '{code}'{also}\n")
                return 2
            entries.append(entry)
    if fmt == "json":
        data = [_json(e) for e in entries]
        out.write(json.dumps(data if every or len(data) != 1 else data[0], indent=2, ensure_ascii=False) + "\n")
    else:
        out.write("\n".join("\n".join(messages.entry_markdown(e)) for e in entries))
    return 0
