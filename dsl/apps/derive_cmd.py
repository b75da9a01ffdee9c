"""``chainrule derive FILE Y X``: print the derived ``dY/dX`` (exit 0), or
the diagnostics saying why there is none (exit 1; 2 for an unreadable
file or names that are not ``Y X`` / ``dY/dX``)."""
from __future__ import annotations

import sys

from dsl import pipeline as driver
from dsl.apps import derive_text
from dsl.pipeline import deriving
from dsl.pipeline.derived import split_names
from dsl.render import text as render


def main(path: str, y: str, x: str | None, *, to: str = "ascii", steps: bool = False, fmt: str = "text",
         seed: int = 0, color: str = "auto") -> int:
    names = split_names(y, x)
    if names is None:
        print(f"chainrule derive: give Y and X ('L x') or a derivative ('dL/dx'), not {y!r}", file=sys.stderr)
        return 2
    out = deriving.derive_file(path, *names, steps=steps, seed=seed)
    shown = [d for d in out.report.diagnostics if d.is_error] + out.diagnostics
    if fmt == "json":
        sys.stdout.write(derive_text.as_json(path, out.derivation, shown, steps))
        return out.exit_code()
    if out.derivation is None or shown:
        paint = render.use_color(color)
        blocks = [render.render_diagnostic(d, out.report.source, out.report.env, paint) for d in shown]
        if blocks:
            stream = sys.stdout if out.derivation is None else sys.stderr
            stream.write("\n\n".join(blocks) + "\n" + ("\n" if out.derivation is not None else ""))
    if out.derivation is not None:
        sys.stdout.write("\n".join(derive_text.lines(out.derivation, to, steps)) + "\n")
    return out.exit_code()


__all__ = ["driver", "main"]
