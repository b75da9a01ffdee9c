"""Jupyter notebooks: markdown cells and ``%%deriv`` code cells.

Contract: :func:`extract_notebook` reads an ``.ipynb`` (JSON, nbformat 4, or
3 with worksheets) into an :class:`~dsl.frontends.document.Extracted`: markdown cells
are read as Markdown, code cells whose first line is ``%%deriv`` as the
language itself, all in cell order as one program; the shapes a code cell
prints ("X shape: (750, 6)") are statements placed on that cell.  Positions carry the cell:
cells are numbered from 1 over ALL cells (code, markdown and raw), so
``notes.ipynb:cell_3:2:5`` is line 2, column 5 of the third cell as the
notebook shows it.  For annotations on the ``.ipynb`` file itself (SARIF,
GitHub), ``Host.json_lines`` gives the line of each cell's source in the
JSON when the notebook is stored one source line per JSON line, as Jupyter
writes it.  A file that is not a notebook raises ``ValueError`` with the
reason (JSON nested too deeply for the decoder included); the linter and the
REPL's ``:load`` report it as an input error.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import replace

from dsl.core.wording import say
from dsl.frontends.builder import Builder
from dsl.frontends.declarations import prose
from dsl.frontends.document import Extracted, Host, Slice
from dsl.frontends.infer_pass import read_inferring
from dsl.frontends.markdown import extract_markdown

_MAGIC = re.compile(r"[ \t]*%%deriv\b[^\n]*(\n|$)")


class NotANotebook(ValueError):
    """Why a text is not a notebook (worded), and where in it when known."""

    def __init__(self, what: str, line: int = 1, column: int = 1) -> None:
        super().__init__(what)
        self.line, self.column = line, column


def cells_of(text: str) -> list[dict]:
    """The cells of a notebook's JSON text; :class:`NotANotebook` if it is
    not one.  An entry of the list of cells that is not an object is read
    as an empty cell, so the cells after it keep their numbers."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        why = err.msg.removesuffix(" at").removesuffix(" starting")
        raise NotANotebook(say("notebook-not-json", why=why[:1].lower() + why[1:], line=err.lineno,
                               column=err.colno), err.lineno, err.colno) from None
    except RecursionError:      # the decoder recurses once per bracket: bad input, not a defect
        raise NotANotebook(say("notebook-too-deep")) from None
    except ValueError:          # an integer past Python's limit on digits
        raise NotANotebook(say("notebook-long-number", digits=sys.get_int_max_str_digits())) from None
    if not isinstance(data, dict):
        raise NotANotebook(say("notebook-not-object"))
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list) and data["worksheets"]:
        cells = data["worksheets"][0].get("cells") if isinstance(data["worksheets"][0], dict) else None
    if not isinstance(cells, list):
        raise NotANotebook(say("notebook-no-cells"))
    return [c if isinstance(c, dict) else {} for c in cells]


def _source(cell: dict) -> str:
    src = cell.get("source", cell.get("input", ""))
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def extract_notebook(path: str, text: str) -> Extracted:
    cells = cells_of(text)
    sources = [_source(c) for c in cells]
    starts, at = [], 0
    for src in sources:
        starts.append(at)
        at += len(src) + 1
    host = Host(path, "\n".join(sources), tuple((s, i + 1) for i, s in enumerate(starts)),
                _json_lines(text, cells))

    def feed(builder: Builder) -> None:
        for cell, src, start in zip(cells, sources, starts, strict=False):
            kind = cell.get("cell_type")
            if kind == "markdown":
                extract_markdown(Slice.of(host.text, start, start + len(src)), builder)
            elif kind == "code":
                magic = _MAGIC.match(src)
                if magic and magic.end() < len(src):
                    builder.statements(Slice.of(host.text, start + magic.end(), start + len(src)))
                if builder.scanning:          # "X shape: (750, 6)" printed by the cell
                    for st in prose(_printed(cell), 0):
                        builder.stated(replace(st, start=start, end=start + len(src)))

    return read_inferring(host, feed)


def _printed(cell: dict) -> str:
    """The text a code cell printed (its stream and plain-text outputs)."""
    out = []
    outputs = cell.get("outputs")
    for o in outputs if isinstance(outputs, list) else []:
        if not isinstance(o, dict):
            continue
        data = o.get("data")
        for text in (o.get("text"), data.get("text/plain") if isinstance(data, dict) else None):
            if isinstance(text, list):
                text = "".join(t for t in text if isinstance(t, str))
            if isinstance(text, str):
                out.append(text)
    return "\n".join(out)


def _json_lines(text: str, cells: list[dict]) -> dict:
    """Cell number -> (line of its first source line in the JSON, one line per
    source line?), when every cell's ``"source"`` key can be found in order."""
    keys = list(re.finditer(r'"(source|input)"\s*:\s*(\[\s*)?', text))
    if len(keys) != len(cells):
        return {}
    out = {}
    line, counted = 1, 0                # newlines counted from one key to the next: linear in the file
    for number, (cell, m) in enumerate(zip(cells, keys, strict=False), start=1):
        per_line = isinstance(cell.get("source", cell.get("input")), list)
        line += text.count("\n", counted, m.end())
        counted = m.end()
        out[number] = (line, per_line)
    return out
