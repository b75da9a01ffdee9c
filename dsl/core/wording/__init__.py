"""The wording of hints and fix titles, in one place.

``messages`` holds the catalogue (one message template per code); this module
holds the sentences a hint is made of, the variable details of messages
(the ``{what}`` of a template) and the titles of fixes.  Passes call
:func:`say` with a key and the values for its template and never write English
themselves, so each phrase ("did you mean ...") is written once, here.

Expressions are passed already quoted (``quote`` in ``shapes.hints``): the
hint shows source text in backquotes, which front ends may re-spell.

    >>> say("did-you-mean", name=say("quoted", text="W1"))
    "did you mean 'W1'?"

The tables live in one module per stage that speaks (``shapes``, ``inputs``,
``verify``, ``compute``, ``documents``, ``terms``, ``api``); :data:`TABLES` is all of
them and a test keeps every key and every text unique across them.
"""
from __future__ import annotations

from dsl.core.wording.api import API
from dsl.core.wording.compute import COMPUTE
from dsl.core.wording.derive import DERIVE
from dsl.core.wording.documents import LATEX
from dsl.core.wording.indices import INDICES
from dsl.core.wording.inference import INFERENCE
from dsl.core.wording.inputs import INPUT, OPTIONS
from dsl.core.wording.latex_constructs import CONSTRUCTS
from dsl.core.wording.lsp import LSP
from dsl.core.wording.reading import READING
from dsl.core.wording.shapes import DETAILS, HINTS
from dsl.core.wording.tensors import TENSORS
from dsl.core.wording.terms import TERMINALS, TITLES
from dsl.core.wording.verify import VERIFY

__all__ = ["API", "COMPUTE", "CONSTRUCTS", "DERIVE", "DETAILS", "HINTS", "INDICES", "INFERENCE", "INPUT", "LATEX", "LSP",
           "OPTIONS", "READING", "TABLES", "TENSORS", "TERMINALS", "TITLES", "VERIFY", "say", "title"]

TABLES = (HINTS, DETAILS, INPUT, OPTIONS, VERIFY, COMPUTE, LATEX, TENSORS, INDICES, DERIVE, LSP, READING, CONSTRUCTS,
          INFERENCE, API)
"""Every table of sentences :func:`say` looks up (fix titles are apart)."""
_ALL = {key: text for table in TABLES for key, text in table.items()}


def say(key: str, /, **values) -> str:
    """The hint sentence or message detail ``key`` with ``values`` filled in."""
    return _ALL[key].format(**values)


def title(key: str, **values) -> str:
    """The short title of a fix, as a language server shows it."""
    return TITLES[key].format(**values)
