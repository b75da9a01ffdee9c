"""How a derivation is printed: ``dY/dX = EXPR`` in ASCII, Unicode or
LaTeX (``fmt``'s spelling), the steps, the assumptions, and the JSON form.

Every line but the assumptions is a claim ``check`` verifies, and the
assumptions are a comment, so the output can be pasted under the file.
"""
from __future__ import annotations

import json

from dsl.apps.fmt import format_statement
from dsl.builtins.symbolic import NOSPAN
from dsl.core.ast import Claim, Deriv, Expr, Name

NOTATIONS = ("ascii", "unicode", "latex")


def claim_text(y: str, x: str, expr: Expr, to: str = "ascii") -> str:
    """``dL/dx = ...`` in the notation ``to`` (LaTeX without the alignment ``&``)."""
    claim = Claim(Deriv(Name(y, NOSPAN), Name(x, NOSPAN), NOSPAN), expr, NOSPAN)
    return format_statement(claim, to).replace(" &= ", " = ")


def lines(derivation, to: str = "ascii", steps: bool = False) -> list[str]:
    """The lines ``chainrule derive`` prints."""
    out = []
    chain = derivation.steps if steps else ()
    out += [claim_text(derivation.y, s.name.split("/d", 1)[1], s.expr, to) for s in chain]
    if not chain or chain[-1].expr != derivation.expr:     # the whole form, unless the last step is it
        out.append(claim_text(derivation.y, derivation.x, derivation.expr, to))
    if derivation.assumptions:
        out.append(("% " if to == "latex" else "# ") + "using: " + ", ".join(derivation.assumptions))
    return out


def as_json(path: str, derivation, diagnostics, steps: bool) -> str:
    """The JSON of one derivation (or of why there is none)."""
    from dsl.render.text import diagnostic_json  # deferred: start-up
    data: dict[str, object] = {"file": path, "diagnostics": [diagnostic_json(d) for d in diagnostics]}
    if derivation is not None:
        data.update({
            "derivative": derivation.name, "kind": derivation.kind,
            "expr": {to: claim_text(derivation.y, derivation.x, derivation.expr, to).split(" = ", 1)[1]
                     for to in NOTATIONS},
            "assumptions": list(derivation.assumptions), "verified": True,
        })
        if derivation.index is not None:         # a Jacobian entry by entry, verified too
            data["index"] = derivation.index_line
        if steps:
            data["steps"] = [{"claim": s.name, "expr": s.text} for s in derivation.steps]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def in_session(session, arg: str, name: str, color: bool = False,
               command: str = ":derive") -> tuple[str, int, object]:
    """``:derive`` and ``%derive`` (``command``, as the usage line names it):
    ``arg`` is ``L x`` or ``dL/dx`` with ``--steps`` and ``--to NOTATION``;
    derived from the session's definitions.  Returns the text to print, the
    number of errors and the derivation (or None)."""
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.core.span import Source  # deferred: start-up
    from dsl.pipeline.derived import derive_in, split_names  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up
    words = arg.split()
    steps = "--steps" in words
    to = "ascii"
    if "--to" in words:
        i = words.index("--to")
        to = words[i + 1] if i + 1 < len(words) else ""
        del words[i:i + 2]
    words = [w for w in words if w != "--steps"]
    names = split_names(words[0], words[1] if len(words) > 1 else None) if 0 < len(words) <= 2 else None
    if names is None or to not in NOTATIONS:
        return f"usage: {command} Y X [--steps] [--to ascii|unicode|latex]   (or {command} dY/dX)", 1, None
    if session.env is None:
        return "nothing to derive from: define something first", 1, None
    report = driver.Report(Source(name, ""), session.program, session.env, [])
    derivation, problem = derive_in(report, *names, steps=steps, seed=session.seed)
    if derivation is None:
        assert problem is not None
        return render.render_diagnostic(problem, None, None, color), 1, None
    return "\n".join(lines(derivation, to, steps)), 0, derivation
