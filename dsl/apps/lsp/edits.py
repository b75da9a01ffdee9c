"""Edits the server proposes: quick fixes and formatting.

Every diagnostic that carries a structured :class:`~dsl.core.diagnostics.Fix`
(``W1`` -> ``W1.T``, ``*`` -> ``@``, a wrong claim's right side negated or
replaced) is offered as a quick fix whose workspace edit makes exactly that
change.  Formatting rewrites a ``.deriv`` file in canonical ASCII, as
``chainrule fmt`` prints it (comments and blank lines kept); a file with
syntax errors is left as it is.
"""
from __future__ import annotations

from lsprotocol import types

from dsl.apps.lsp.analysis import Analysis
from dsl.apps.lsp.convert import lsp_diagnostic, lsp_range, overlaps, text_edit


def code_actions(uri: str, analysis: Analysis, wanted: types.Range) -> list[types.CodeAction]:
    """The quick fixes of the diagnostics that touch ``wanted``."""
    actions = []
    for d in analysis.diagnostics:
        if d.fix is None:
            continue
        diagnostic = lsp_diagnostic(uri, analysis.index, d)
        if not overlaps(diagnostic.range, wanted) and not overlaps(lsp_range(analysis.index, d.fix.span), wanted):
            continue
        edit = types.WorkspaceEdit(changes={uri: [text_edit(analysis.index, d.fix)]})
        title = f"{d.fix.title}: {d.fix.replacement}" if d.fix.replacement else d.fix.title
        actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                                        diagnostics=[diagnostic], edit=edit, is_preferred=True))
    return actions


def formatting(analysis: Analysis) -> list[types.TextEdit] | None:
    """The whole file in canonical ASCII as one edit; [] when it is already, None when it cannot be formatted."""
    if analysis.kind != "deriv":
        return None
    from dsl.apps.fmt import format_source  # deferred: start-up
    text, _ = format_source(analysis.source, "ascii")
    if text is None:
        return None
    if text == analysis.text:
        return []
    line, character = analysis.index.lsp_position_of(len(analysis.text))
    end = types.Position(line=line, character=character)
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=text)]
