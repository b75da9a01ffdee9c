"""Syntax highlighting: a Pygments lexer for derivation files.

:class:`DerivLexer` is registered through the ``pygments.lexers`` entry point
as ``deriv`` (aliases ``deriv``, ``chainrule``; files ``*.deriv``), so
Sphinx, MkDocs and anything else built on Pygments highlight ```deriv
blocks.  The REPL uses the same class through prompt_toolkit.

The word lists come from :mod:`dsl.builtins` (functions, aliases) and
:mod:`dsl.core.attributes` (attributes), the lists the checker uses, so the
highlighter cannot drift from the checker.  Tokens::

    dims, layout                     Keyword.Declaration
    scalar, numerator, denominator   Keyword.Type / Keyword.Constant
    sizes in dims and shapes         Name.Constant
    x, ×  between sizes              Operator
    onehot, prob, ...                Name.Attribute
    sigma, softmax, σ, ...           Name.Builtin (the prime of sigma' is Operator)
    axis=                            Name.Builtin.Pseudo
    dL/dx, ∂L/∂x                     Name.Function.Magic (a derivative term)
    the name being defined/declared  Name.Variable
    other names                      Name
    2, 0.5, 1e-3                     Number.Integer / Number.Float
    + - * / @ ** = ∘ ⊙ .T ^T ᵀ       Operator
    # ...                            Comment.Single
    · .* ./ .^                       Error (the language refuses them)

A line the grammar would refuse still lexes (as names and operators): the
lexer colours, the checker judges.

>>> from pygments import lex
>>> [t for t in lex("h = sigma(a)", DerivLexer()) if t[1].strip()][:3]
[(Token.Name.Variable, 'h'), (Token.Operator, '='), (Token.Name.Builtin, 'sigma')]
"""
from __future__ import annotations

from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, Whitespace

from dsl.builtins import ALIASES, FUNCTIONS
from dsl.core.attributes import ATTRIBUTES

DERIVATIVE = Name.Function.Magic

# A name as the grammar has it, a little wider: a letter or underscore, then
# letters, digits (subscript ones too) and the combining hat, tilde and bar;
# not the transpose sign ᵀ, which Unicode counts as a letter.
NAME = r"[^\W\dᵀ](?:[^\Wᵀ]|[\u0302-\u0304])*"
_FUNCS = sorted(set(FUNCTIONS) | set(ALIASES), key=len, reverse=True)
_SIZE = r"\d+"
_FLOAT = r"(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+"
_LINE_END = [
    (r"[ \t]+", Whitespace),
    (r"#.*?$", Comment.Single),
    (r"\n", Whitespace, "#pop"),
]


class DerivLexer(RegexLexer):
    """Pygments lexer for chainrule derivations (``.deriv``)."""

    name = "chainrule"
    aliases: ClassVar[list[str]] = ["deriv", "chainrule"]
    filenames: ClassVar[list[str]] = ["*.deriv"]
    mimetypes: ClassVar[list[str]] = ["text/x-deriv"]
    url = "https://pypi.org/project/chainrule/"

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [
            (r"\n", Whitespace),
            (r"#.*?$", Comment.Single),
            (r"^([ \t]*)(dims)\b", bygroups(Whitespace, Keyword.Declaration), "dims"),
            (r"^([ \t]*)(layout)\b([ \t]*)(numerator|denominator)?\b",
             bygroups(Whitespace, Keyword.Declaration, Whitespace, Keyword.Constant)),
            # x : 1 x n onehot
            (rf"^([ \t]*)({NAME})([ \t]*)(:)",
             bygroups(Whitespace, Name.Variable, Whitespace, Punctuation), "shape"),
            # a = ...               (a claim dL/dx = ... is a derivative term instead)
            (rf"^([ \t]*)({NAME})([ \t]*)(=)",
             bygroups(Whitespace, Name.Variable, Whitespace, Operator)),
            (r"[ \t\r]+", Whitespace),
            include("expression"),
        ],
        "expression": [
            # dL/dx and ∂L/∂x: a derivative term, one token so it reads as one thing
            (rf"d{NAME}/d{NAME}|∂[ \t]*{NAME}[ \t]*/[ \t]*∂[ \t]*{NAME}", DERIVATIVE),
            (words(_FUNCS, suffix=r"(?!\w)"), Name.Builtin),
            (r"'", Operator),                       # the prime of sigma'(a)
            (r"axis(?=[ \t]*=)", Name.Builtin.Pseudo),
            (r"·|\.\*|\./|\.\^", Error),             # refused by the language
            (r"\.T(?!\w)|\^T(?!\w)|ᵀ", Operator),
            (_FLOAT, Number.Float),
            (r"\d+", Number.Integer),
            (r"\*\*|>=|<=|[-+*/@=<>]|[∘⊙−≥≤]", Operator),
            (r"[()\[\],]", Punctuation),
            (NAME, Name),
        ],
        "dims": [
            *_LINE_END,
            (NAME, Name.Constant),
            (r"\d+", Number.Integer),
            (r"=", Operator),
            (r",", Punctuation),
            default("#pop"),
        ],
        # a shape: rows, 'x', cols, then attributes -- or 'scalar'
        "shape": [
            *_LINE_END,
            (r"scalar(?!\w)", Keyword.Type, ("#pop", "attrs")),
            (_SIZE, Number.Integer, ("#pop", "times")),
            (NAME, Name.Constant, ("#pop", "times")),
            default("#pop"),
        ],
        "times": [
            *_LINE_END,
            (r"[x×](?=[ \t\d]|[^\W\d])", Operator, ("#pop", "cols")),
            default("#pop"),
        ],
        "cols": [
            *_LINE_END,
            (_SIZE, Number.Integer, ("#pop", "more")),
            (NAME, Name.Constant, ("#pop", "more")),
            default("#pop"),
        ],
        # a tensor's further sizes (b x n x d): an 'x' standing alone, else attributes
        "more": [
            (r"[ \t]+", Whitespace),
            (r"(?:x(?![^\W\d])|×)", Operator, ("#pop", "cols")),
            default(("#pop", "attrs")),
        ],
        "attrs": [
            *_LINE_END,
            (words(ATTRIBUTES, suffix=r"(?!\w)"), Name.Attribute),
            (NAME, Name),          # an unknown attribute: the checker says so
            default("#pop"),
        ],
    }
