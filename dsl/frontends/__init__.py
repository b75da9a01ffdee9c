"""Front ends: derivations written inside host documents.

Contract: :func:`extract` turns a Markdown, LaTeX or notebook document into
ONE chainrule source text (its ``deriv`` blocks, ``deriv:`` comments and the
checkable equations of its math, in document order) plus a position map
back to (line, column, cell) of the document.  Front ends produce text: the
text goes through the same driver as a ``.deriv`` file, and
:meth:`Extracted.span_map` (passed to ``Diagnostic.moved``) puts every
diagnostic back on the host document.

The stages: ``markdown``, ``latex`` and ``notebook`` find what to read in
their format; ``latex_math`` (with ``latex_tree``, ``latex_read`` and
``latex_words``) reads one side of an equation into the language's AST;
``builder`` decides which equations are checked and assembles the program;
``document`` holds the host, the slices and the position maps;
``declarations`` reads the shapes a document states, ``scopes`` gathers them
in a first pass (so a statement may follow the formula it explains),
``supply`` declares them where an equation needs them, ``renaming`` renames a
name restated in a later section and ``conventions`` chooses between the
readings of ``\\cdot`` and of gradients written as rows; ``losses`` reads a loss the
document differentiates but never defines as an opaque scalar.  ``infer_pass``
reads a Markdown or LaTeX document a second time with the shapes ``infer``
finds in its equations, when some names have none.  This module only
dispatches on the kind of file.

    >>> ex = extract("notes.md", "<!-- deriv: x : 1 x 3 -->\\n$$ y = x x^T $$\\n")
    >>> ex.source.text
    'x : 1 x 3\\ny = x @ x.T\\n'
"""
from __future__ import annotations

import os

# The stages load when first used (PEP 562 ``__getattr__`` below): checking a
# .deriv file needs only ``document`` and ``suppress``, not the readers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dsl.frontends.builder import Builder
    from dsl.frontends.document import Extracted, Formula, Host, Slice, suppressions

_LAZY = {"Builder": "builder", "Extracted": "document", "Formula": "document", "Host": "document",
         "Slice": "document", "suppressions": "document"}

__all__ = ["EXTENSIONS", "Builder", "Extracted", "Formula", "Host", "Slice", "extract", "kind_of",
           "suppressions"]

EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".ipynb": "notebook"}


def kind_of(path: str) -> str | None:
    """``markdown``, ``latex``, ``notebook`` or ``deriv`` by extension, else None."""
    ext = os.path.splitext(path)[1].lower()
    return "deriv" if ext == ".deriv" else EXTENSIONS.get(ext)


def extract(path: str, text: str) -> Extracted:
    """The chainrule program of a host document (see the module docstring).

    Raises ``ValueError`` with a message for a notebook that is not valid JSON;
    the caller reports it as an input error.
    """
    from dsl.frontends.builder import Builder  # deferred: the readers load on the first document read
    from dsl.frontends.document import Host, Slice  # deferred: likewise
    from dsl.frontends.infer_pass import read_inferring  # deferred: likewise
    from dsl.frontends.latex import extract_latex  # deferred: likewise
    from dsl.frontends.markdown import extract_markdown  # deferred: likewise
    from dsl.frontends.notebook import extract_notebook  # deferred: likewise
    kind = kind_of(path)
    if kind == "markdown":
        return read_inferring(Host(path, text), lambda b: extract_markdown(Slice.of(text, 0, len(text)), b))
    if kind == "latex":
        return read_inferring(Host(path, text), lambda b: extract_latex(text, b))
    if kind == "notebook":
        return extract_notebook(path, text)
    builder = Builder(Host(path, text))
    if text:
        builder.statements(Slice.of(text, 0, len(text)))
    return builder.finish()


def __getattr__(name: str) -> object:
    """``Builder``, ``Host``, ... from their modules, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # deferred: only when a stage is first asked for
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
