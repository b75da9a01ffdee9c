"""``chainrule explain``: the fully parenthesised parse of each expression,
with every node's shape, so a reader sees that ``p @ q * r @ s`` is
``((p @ q) * r) @ s``."""
from __future__ import annotations

import sys

from dsl.core.ast import Claim, Define, walk
from dsl.core.wording import say
from dsl.frontends import extract, kind_of
from dsl.language.printer import explain, index_text, to_source


def explain_report(report, line=None, where: str | None = None) -> str:
    """Explain every definition and claim of a checked report (``line``: the
    line to show for a statement's span, for a program lifted out of a document)."""
    line = line or (lambda span: span.line)
    where = where or report.source.name
    blocks = []
    forms = {id(info.claim): info.form for info in report.env.claims if info.form is not None}
    for stmt in report.program.statements:
        match stmt:
            case Define(name=name, expr=expr):
                left = name + (index_text(stmt.indices) if stmt.indices else "")
                head = f"{where}:{line(stmt.span)}: {left} ="
            case Claim(deriv=deriv, expr=expr):
                head = f"{where}:{line(stmt.span)}: {to_source(deriv)} ="
            case _:
                continue
        body = with_ranges(explain(expr, report.env.shape_of), report.env, [forms.get(id(stmt), expr)])
        blocks.append(head + "\n" + _indent(body))
    return "\n\n".join(blocks)


def with_ranges(text: str, env, exprs) -> str:
    """``text``, then the range of every index the expressions use
    (``indices: i over n, k over k``), if they use any."""
    found: dict[str, object] = {}
    for expr in exprs:
        for node in walk(expr):
            hit = env.index_ranges.get(id(node))
            if hit is not None and hit[0] is node:
                for index, size in hit[1].items():
                    found.setdefault(index, size)
    if not found:
        return text
    ranges = ", ".join(say("index-over", index=index, size=size) for index, size in found.items())
    return text + "\n" + say("index-ranges", ranges=ranges)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def main(path: str | None, expr_text: str | None, color: str = "auto") -> int:
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up

    if path is None and expr_text is None:
        print("chainrule explain: give a FILE, or -e EXPR", file=sys.stderr)
        return 2
    report = None
    if path is not None and expr_text is None and kind_of(path) not in (None, "deriv"):
        return _document(path)
    if path is not None:
        report = driver.check_file(path, verify=False)
        if report.input_error:
            sys.stdout.write(render.render_text([report], claims=False))
            return 2
    paint = render.use_color(color)
    if expr_text is None:
        assert report is not None, "no expression: a FILE was given (checked above)"
        if report.diagnostics:
            sys.stdout.write(render.render_text([report], color=paint, claims=False, summary=False) + "\n")
        sys.stdout.write(explain_report(report) + "\n")
        return report.exit_code()
    checked = driver.check_expr(expr_text, env=report.env if report else None)
    diags = checked.diagnostics
    if report is None:  # no declarations: undefined names are expected, shapes unknown
        diags = [d for d in diags if d.code != "E200"]
    if diags:
        from dsl.core.span import Source  # deferred: start-up
        src = Source("<expr>", expr_text)
        sys.stdout.write("\n\n".join(render.render_diagnostic(d, src, checked.env, paint)
                                     for d in diags) + "\n\n")
    if checked.expr is not None:
        sys.stdout.write(with_ranges(explain(checked.expr, checked.env.shape_of), checked.env, [checked.expr]) + "\n")
    return 1 if any(d.is_error for d in diags) or checked.expr is None else 0


def _document(path: str) -> int:
    """A Markdown, LaTeX or notebook document: the shapes inferred for it
    (its ``N740`` notes), then the explanation of the program read from it,
    at the document's lines."""
    from dsl import pipeline as driver  # deferred: start-up
    from dsl.render import text as render  # deferred: start-up

    source, problem = driver.read_source(path)
    if source is None:
        assert problem is not None, "no source: read_source says why"
        sys.stdout.write(render.render_text([driver.unreadable(path, problem)], claims=False))
        return 2
    try:
        ex = extract(path, source.text)
    except ValueError as exc:                     # a notebook that is not one
        print(f"chainrule explain: {path}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001  (a defect in reading, reported as an E901 diagnostic)
        defect = driver.internal_error("reading the document", exc, driver.whole(source))
        sys.stdout.write(render.render_text([driver.unreadable(path, defect)], claims=False))
        return 1
    inferred = [f"{path}:{d.span.line}: {d.message}" for d in ex.verbose if d.code == "N740"]
    if inferred:
        sys.stdout.write(say("explain-inferred") + "\n" + _indent("\n".join(inferred)) + "\n\n")
    report = driver.check_source(ex.source, verify=False)
    sys.stdout.write(explain_report(report, line=lambda span: ex.span_map(span).line, where=path) + "\n")
    return report.exit_code()
