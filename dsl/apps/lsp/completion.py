"""Completion: what can be written at the cursor.

On a declaration line after its shape (``x : 1 x n |``), the attributes and
the size symbols; elsewhere the names known to the program (with their
shapes), the size symbols, the built-in functions (with their shape rules)
and, at the start of a line, the statement keywords.
"""
from __future__ import annotations

import re

from lsprotocol import types

from dsl.apps.lsp.analysis import Analysis
from dsl.builtins import FUNCTIONS
from dsl.core.attributes import ATTRIBUTES
from dsl.core.dims import fmt
from dsl.core.kinds import NameKind
from dsl.core.wording import say

_DECLARATION = re.compile(r"^\s*[^\W\d][\w']*\s*:(?!=)")
_WORD = re.compile(r"[\w']*$")
KEYWORDS = ("dims", "layout", "scalar")


def completions(analysis: Analysis, line_before: str) -> list[types.CompletionItem]:
    """The items for a cursor with ``line_before`` to its left on its line."""
    env = analysis.report.env
    dims = dict(env.dims) if env is not None else {}
    sizes = [types.CompletionItem(label=name, kind=types.CompletionItemKind.Constant,
                                  detail=say("lsp-size-detail", value="" if v is None else f" = {v}"))
             for name, v in dims.items()]
    word = _WORD.search(line_before)
    head = line_before[:word.start()] if word is not None else line_before
    if _DECLARATION.match(head):
        attrs = [types.CompletionItem(label=a, kind=types.CompletionItemKind.EnumMember,
                                      detail=say("lsp-attribute")) for a in ATTRIBUTES]
        return [*sizes, *attrs, types.CompletionItem(label="scalar", kind=types.CompletionItemKind.Keyword)]
    names = []
    if env is not None:
        for name, info in env.names.items():
            how = say("how-declared") if info.kind is NameKind.INPUT else say("how-defined")
            names.append(types.CompletionItem(label=name, kind=types.CompletionItemKind.Variable,
                                              detail=f"{fmt(info.shape)} ({how})"))
    functions = [types.CompletionItem(label=b.name, kind=types.CompletionItemKind.Function,
                                      detail=say("lsp-function", shape=b.shape_doc),
                                      documentation=f"{b.usage}: {b.doc}")
                 for b in FUNCTIONS.values()]
    items = [*names, *sizes, *functions]
    if not head.strip():
        items += [types.CompletionItem(label=k, kind=types.CompletionItemKind.Keyword,
                                       detail=say("lsp-keyword")) for k in KEYWORDS if k != "scalar"]
    return items
