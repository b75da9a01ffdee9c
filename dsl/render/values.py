"""Values as text: one value for the REPL, a program's definitions for ``eval``."""
from __future__ import annotations

import numpy as np

from dsl.core.ast import Define

SUMMARY_ENTRIES = 12          # more entries than this are summarised
FULL_ENTRIES = 10_000         # :eval prints up to this many entries in full


def format_value(value, full: bool = False) -> str:
    """A value as text: a scalar as ``= 0.25``; a matrix in full when small
    (or ``full``), otherwise NumPy's summary with its range and mean."""
    v = np.asarray(value, dtype=float)
    if v.size == 1:
        return f"= {float(v.reshape(())):.6g}"
    limit = FULL_ENTRIES if full else SUMMARY_ENTRIES
    with np.printoptions(precision=6 if full else 4, suppress=True, threshold=limit,
                         edgeitems=3 if full else 2, linewidth=100):
        body = np.array2string(v)
    bad = int(np.count_nonzero(~np.isfinite(v)))
    if v.size > limit and bad < v.size:
        with np.errstate(all="ignore"):
            body += f"\n(min {np.nanmin(v):.4g}, max {np.nanmax(v):.4g}, mean {np.nanmean(v):.4g})"
    if bad:
        body += f"\n({bad} of {v.size} entries are NaN or infinite)"
    return body



def format_values(ev, names: list[str] | None) -> str:
    """Values as ``name : shape =`` then the array."""
    wanted = names or [s.name for s in ev.report.program.statements if isinstance(s, Define)]
    lines = []
    if ev.sizes:
        lines.append("sizes: " + ", ".join(f"{k} = {v}" for k, v in ev.sizes.items()))
    for name in wanted:
        if name not in ev.values:
            lines.append(f"{name}: not evaluated (unknown name, or its definition has an error)")
            continue
        v = np.asarray(ev.values[name])
        shape = "scalar" if v.ndim == 0 else " x ".join(map(str, v.shape))
        body = np.array2string(v, precision=6, suppress_small=True, max_line_width=100)
        lines.append(f"{name} : {shape} =\n{body}" if v.ndim else f"{name} = {body}")
    return "\n".join(lines)
