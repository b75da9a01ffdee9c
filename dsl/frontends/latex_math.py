"""LaTeX math -> chainrule text.  The module that parses LaTeX with Lark.

Contract: :func:`translate` takes ONE side of an equation (the text between
two top-level ``=``) and returns a :class:`Translation` (the AST read, its
chainrule text, the names it uses, and a token-level offset map back into
the side's text) or an
:class:`Unreadable` (what could not be read, and where).  It never raises on
input and never guesses: whatever ``grammar/latex_math.lark`` does not
describe is unreadable.

    >>> translate(r"\\frac{\\partial L}{\\partial x}").text
    'dL/dx'
    >>> translate(r"((\\hat y - y) W_2^T) \\circ \\sigma'(a) W_1").text
    "(yhat - y) @ W2.T * (sigma'(a) @ W1)"

Choices that need context take it from the caller: ``known`` names keep a
run of letters whole (``logits``); otherwise a run is one name per letter as
in TeX (``xW`` is ``x @ W``).  ``scalars`` (size symbols, scalar inputs) make
a product a scaling: ``\\frac{1}{m} X`` is ``1 / m * X``, not ``@``.

Positions: every emitted token carries the range of the side it came from, so
a diagnostic on a sub-expression maps to the right columns of the formula.
An implicit ``@`` maps to the gap between its operands and parentheses added
for precedence to their operand: columns are exact for names, operators and
functions, approximate for what LaTeX spells in several groups.

This module owns the parser and the boundary (limits, ``|`` delimiters,
syntax errors); ``latex_read`` gives each construct its meaning as an AST
of ``dsl.core.ast`` (with ``latex_items``, the items held while reading,
``latex_scripts``, superscripts, ``latex_deriv``, derivatives,
``latex_index``, index notation, and ``latex_names``, how decorated names
are spelled), and the language's printer spells that AST as chainrule
text with the map of its pieces back to the side.  What a reading needs
declared or defined first (an opaque function, a named intermediate) is in
``Translation.aux``.  The document's macros (``macros``) are expanded, and
its bold-and-plain names found (``fonts``), by the caller.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from lark import Lark, logger as lark_logger
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl.builtins import function_name
from dsl.core.ast import Deriv, Expr, Index, Name
from dsl.core.attributes import OPAQUE
from dsl.core.wording import say
from dsl.frontends.forms import names, scalar_like
from dsl.frontends.latex_items import Word
from dsl.frontends.latex_read import Reader, Stop, free_of, read, to_raw
from dsl.frontends.latex_tree import Range, defined_call
from dsl.frontends.latex_words import greek_name
from dsl.language.printer import to_source, to_source_map
from dsl.language.syntax import cache_path, cached_lark

__all__ = ["MAX_LENGTH", "MAX_NESTING", "Translation", "Unreadable", "function_name",
           "greek_name", "parser", "translate"]

_HERE = Path(__file__).resolve().parent.parent
_GRAMMAR_FILES = (_HERE / "grammar" / "latex_math.lark",          # installed: dsl/grammar
                  _HERE.parent / "grammar" / "latex_math.lark")   # source tree
MAX_LENGTH = 4000     # characters in one side of an equation
MAX_NESTING = 60      # brackets and braces


@dataclass(frozen=True)
class Translation:
    text: str                                       # chainrule expression
    pieces: tuple[tuple[int, int, int, int], ...]   # (text start, end, side start, end)
    names: frozenset[str]                           # names used (not functions)
    name: str | None = None                         # the whole side is this plain name
    deriv: tuple[str, str] | None = None            # the whole side is dA/dB
    scalar: bool = False                            # reads as a scalar
    grouping: str | None = None     # fully parenthesised, when juxtaposition grouping matters
    alt: str | None = None          # juxtaposition read at the level of '*', when different
    node: Expr | None = field(default=None, compare=False, repr=False)  # the AST read (spans in the side)
    indices: tuple[str, ...] = ()   # as a left side: the index letters it binds (z_i, dL/dW_{ij})
    indexed: Translation | None = field(default=None, compare=False, repr=False)  # z_i read as z[i]
    aux: tuple[tuple[str, int, int], ...] = ()   # statements to emit before the equation, with side ranges
    left: Translation | None = field(default=None, compare=False, repr=False)     # the left side to use


@dataclass(frozen=True)
class Unreadable:
    what: str
    start: int
    end: int


# ------------------------------------------------------------------ parser

def _grammar() -> str:
    path = next((p for p in _GRAMMAR_FILES if p.exists()), _GRAMMAR_FILES[-1])
    return path.read_text(encoding="utf-8")


@functools.cache
def parser() -> Lark:
    """The LaTeX parser, built once per process (loaded from the cache of
    built parsers when it is there, see ``syntax.cached_lark``); a grammar
    conflict is a defect shown here, and a parser with one is never cached.
    Lark's Cython plugin is not used here: on formulas of a few dozen
    characters it parses about 10 % faster but its tokens are not Lark's, and
    converting them for the reader costs more than that."""
    text = _grammar()
    conflicts: list[str] = []

    class _Catch(logging.Handler):
        def emit(self, record):
            if "conflict" in record.getMessage():
                conflicts.append(record.getMessage())

    # Lark reports conflicts at debug level: only this handler hears them
    # (Lark's own would print its debug lines, "Loading grammar from cache").
    handlers, level = lark_logger.handlers[:], lark_logger.level
    lark_logger.handlers[:] = [_Catch()]
    lark_logger.setLevel(logging.DEBUG)
    try:
        built = cached_lark("latex_math", text, parser="lalr", lexer="contextual", maybe_placeholders=False)
    finally:
        lark_logger.handlers[:] = handlers
        lark_logger.setLevel(level)
    if conflicts:
        path = cache_path("latex_math", text)
        if path is not None:
            path.unlink(missing_ok=True)       # never loaded later without the conflict showing
        raise RuntimeError(f"latex_math.lark: {conflicts[0]}")
    return built


_EMPTY_GROUP = re.compile(r"(?<!\\)\{\s*\}")   # X{}^T: an empty group is a base for scripts only
_CONTROL = re.compile(r"\\([A-Za-z]+|.)", re.S)
_DELIMS = {r"\|": "norm", r"\Vert": "norm", "‖": "norm", "|": "abs", r"\vert": "abs",
           r"\lVert": "norm+", r"\rVert": "norm-", r"\lvert": "abs+", r"\rvert": "abs-"}
_SPELL = {"norm": (r"\lVert ", r"\rVert "), "abs": (r"\lvert ", r"\rvert ")}


def _delimit(text: str) -> tuple[str, list[int]]:
    """Spell ``\\|`` and ``|`` as opening or closing (they alternate), which
    LALR cannot decide; returns the text and each character's original index."""
    out, back, is_open = [], [], {"norm": False, "abs": False}
    i = 0
    while i < len(text):
        m = _CONTROL.match(text, i) if text[i] == "\\" else None
        word = m.group(0) if m else text[i]
        kind = _DELIMS.get(word)
        if kind:
            base = kind.rstrip("+-")
            is_open[base] = kind.endswith("+") or (not kind.endswith("-") and not is_open[base])
            new = _SPELL[base][0 if is_open[base] else 1]
            back.extend([i] * len(new))
        else:
            new = word
            back.extend(range(i, i + len(word)))
        out.append(new)
        i += len(word)
    back.append(len(text))
    return "".join(out), back


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth = max(0, depth - 1)
    return deepest


# ------------------------------------------------------------------ public

def translate(side: str, *, known=frozenset(), scalars=frozenset(),
              left: Translation | None = None, cdot: str | None = None,
              plain=frozenset(), labels: dict | None = None,
              activations=frozenset()) -> Translation | Unreadable:
    """One side of an equation as chainrule text, or what stops reading it.

    ``left`` is the equation's left side, already translated, when ``side``
    is a right side: the indices it binds are bound here (``z_i = \\sum_j
    W_{ij} x_j``), and when they are used the result's ``left`` is the left
    side read as an entry (``z[i]``).  ``cdot`` is the document's reading of
    ``\\cdot``: None or ``"matmul"`` (the matrix product, a scaling when a
    side is a scalar) or ``"elementwise"`` (``*``).  ``plain`` are the
    accented names the document writes both bold and plain (``fonts``):
    the plain ``\\hat y`` is then ``yhatplain``, apart from ``\\hat{\\mathbf y}``.
    ``labels`` maps the letter of a class label to the document's one-hot
    label matrix (``y`` -> ``Y``: ``latex_labels``); ``activations`` are the
    functions the prose calls an activation (``\\phi``), applied entry by entry."""
    if cdot not in (None, "matmul", "elementwise"):
        raise ValueError(f"cdot must be None, 'matmul' or 'elementwise', not {cdot!r}")
    bound = frozenset(left.indices) if left else frozenset()
    if left is None:
        defined = _defined_call(side, known, scalars, cdot, plain, labels, activations)
        if defined is not None:
            return defined
    result = _translate(side, known, scalars, bound, cdot, plain, labels, activations)
    if not bound or isinstance(result, Unreadable) or left is None or left.deriv:
        return result
    free = free_of(result.node) if result.node is not None else frozenset()
    if free and left.indexed is not None:
        return replace(result, left=left.indexed)
    return _translate(side, known, scalars, frozenset(), cdot, plain, labels, activations)


def _translate(side: str, known, scalars, bound: frozenset, cdot: str | None = None,
               plain=frozenset(), labels: dict | None = None, activations=frozenset()) -> Translation | Unreadable:
    if not side.strip():
        return Unreadable(say("latex-empty-side"), 0, len(side))
    if len(side) > MAX_LENGTH or _nesting(side) > MAX_NESTING:
        return Unreadable(say("latex-too-big"), 0, len(side))
    text, back = _delimit(_EMPTY_GROUP.sub(lambda m: " " * len(m.group(0)), side))

    def orig(span: Range) -> Range:
        s = max(0, min(span[0], len(back) - 1))
        e = max(s, min(span[1], len(back) - 1))
        return (back[s], back[e - 1] + 1) if e > s else (back[s], back[s])

    try:
        tree = parser().parse(text)
        node, alt, (opaque, defs, elementwise) = read(tree, side, lambda s, e: orig((s, e)), frozenset(known),
                                         frozenset(scalars), bound, cdot, frozenset(plain), labels,
                                         frozenset(activations))
        letters = () if bound else _candidates(tree, side, lambda s, e: orig((s, e)), frozenset(known),
                                                        labels)
    except UnexpectedInput as err:
        return _syntax_problem(err, text, orig)
    except Stop as stop:
        return Unreadable(stop.what, *stop.span)
    except RecursionError:
        return Unreadable(say("latex-too-big"), 0, len(side))
    out, pieces = to_source_map(node)
    alt_text = to_source(alt)
    grouping = to_source(node, parens="products") if alt_text != out else None
    free = free_of(node)
    bound_here: tuple[str, ...] = ()
    if isinstance(node, Deriv):
        bound_here = tuple(dict.fromkeys(ix.name for ix in (*node.num_indices, *node.den_indices)))
    elif letters:
        bound_here = letters
    indexed = None
    if letters and not bound:
        entry = _translate(side, known, scalars, frozenset(letters), cdot, plain, labels, activations)
        if isinstance(entry, Translation) and isinstance(entry.node, Index) and isinstance(entry.node.base, Name):
            indexed = entry
    name = node.id if isinstance(node, Name) else None
    if isinstance(node, Index) and isinstance(node.base, Name):
        name = node.base.id
    used = (names(node) | {n for expr, _ in defs.values() for n in names(expr)}) - set(defs)
    aux = [(f"{f} : scalar opaque", *at) for f, at in opaque.items()]
    aux += [(f"{d} = {to_source(expr)}", *at) for d, (expr, at) in defs.items()]
    aux += [(f"{f} : like {to_source(arg)} {OPAQUE}", *at) for f, (arg, at) in elementwise.items()]
    return Translation(out, tuple(pieces), frozenset(used), name=name,
                       deriv=(node.num.id, node.den.id) if isinstance(node, Deriv) else None,
                       scalar=not free and scalar_like(node, frozenset(scalars)), node=node,
                       grouping=grouping, alt=alt_text if grouping else None,
                       indices=bound_here, indexed=indexed,
                       aux=tuple(aux))


def _candidates(tree, side: str, position: Callable[[int, int], Range], known: frozenset, labels=None) -> tuple:
    """The index letters of a side that is one name with an index subscript
    (``z_i``, ``C_{ij}``): what it binds if it is read as an entry."""
    reader = Reader(side, known, frozenset(), labels=labels)
    x = reader.settle(reader.expr(to_raw(tree, position), flat=False))
    if isinstance(x, Word) and x.isub and x.base not in known and x.id not in known:
        return tuple(i for i, _ in x.isub)
    return ()


def _defined_call(side: str, known, scalars, cdot, plain, labels=None, activations=frozenset()) -> Translation | None:
    """A left side ``J(\\theta)`` or ``f(x, y)`` of a function not defined
    yet: the definition of the name ``J`` (its arguments are the document's
    own names), or None.  A scalar the document already defined may be
    written so again (``J(\\theta) = ...``, a definition read as of ``J``)."""
    try:
        text, back = _delimit(side)
        at = defined_call(parser().parse(text), lambda s, e: (back[s], back[max(s, e - 1)] + 1))
    except (UnexpectedInput, Stop, RecursionError, IndexError):
        return None
    if at is None:
        return None
    head = _translate(side[:at[1]], known, scalars, frozenset(), cdot, plain, labels, activations)
    if not isinstance(head, Translation) or head.name is None or function_name(head.name):
        return None
    if head.name in known and head.name not in scalars:
        return None
    return head


def _syntax_problem(err: UnexpectedInput, text: str, orig) -> Unreadable:
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        at = len(text.rstrip())
        return Unreadable(say("latex-ends-early"),
                          *orig((max(0, at - 1), at)))
    pos = err.token.start_pos if isinstance(err, UnexpectedToken) else err.pos_in_stream
    pos = max(0, min(pos or 0, len(text) - 1))
    m = _CONTROL.match(text, pos) if text[pos] == "\\" else None
    word = (m.group(0) if m else text[pos]).strip()
    if isinstance(err, UnexpectedCharacters):
        return Unreadable(say("latex-unknown-macro", word=word),
                          *orig((pos, pos + max(1, len(word)))))
    return Unreadable(say("latex-unexpected", word=word), *orig((pos, pos + max(1, len(word)))))
