"""What the LaTeX reader holds while it reads: words, pending functions, ``\\partial``.

Contract: the reader (``latex_read``) turns parse-tree nodes into AST
expressions; on the way a name, a function not yet applied and a lone
``\\partial`` are held as the items here until their use decides what they
are.  :class:`Stop` is what a construct with no faithful reading raises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dsl.core.ast import BinOp, Call, Expr, Name, Number, Op
from dsl.core.span import Source, Span
from dsl.frontends.latex_names import PLAIN_PART
from dsl.frontends.latex_tree import Range, tspan
from dsl.language.printer import to_source


@dataclass(frozen=True)
class Word:
    """A name being read: its stem and subscript stay apart until it is
    used, so that ``\\hat{y_1}`` is ``yhat1``.  ``isub`` is a subscript of
    index letters (``_{ij}``, ``_{i,j}``) with their ranges: entries of the
    name when the formula binds those letters, else part of the name."""
    stem: str
    span: Range
    sub: str = ""
    isub: tuple[tuple[str, Range], ...] = ()
    bold: bool = False               # written in a bold font (\\mathbf, \\boldsymbol, \\bm, ...)
    listed: bool = False             # the index subscript has commas: _{c,i}

    @property
    def base(self) -> str:
        return self.stem + self.sub

    @property
    def id(self) -> str:
        return self.base + "".join(i for i, _ in self.isub)


@dataclass(frozen=True)
class Head:
    """A function not yet applied: ``\\log``, ``\\sigma'``, ``\\tanh^2``."""
    func: str
    span: Range
    prime: bool = False
    power: str | None = None
    fallback: str | None = None      # read as this name when nothing follows (\sigma)


@dataclass(frozen=True)
class Partial:
    span: Range


@dataclass(frozen=True)
class DOp:
    """A derivative operator waiting for what it applies to:
    ``\\frac{\\partial}{\\partial W}``, ``\\nabla_{\\mathbf{w}}``, ``\\partial_x``."""
    den: Word
    span: Range


@dataclass(frozen=True)
class Ones:
    """A vector of ones (``\\mathbf{1}``, ``\\mathbb{1}``, ``\\mathbf{1}_m``), transposed or
    not, held until its use gives its size (``latex_ones``)."""
    span: Range
    t: bool = False


@dataclass(frozen=True)
class Spread:
    """``\\mathbf{1} b^T`` or ``b \\mathbf{1}^T``: ``b`` copied along the other axis, read
    only as a term added to a matrix, where broadcasting copies it the same way."""
    node: Expr
    span: Range
    rows: bool = True                # 1 b^T: b^T copied down the rows; b 1^T: b across the columns


class Stop(Exception):
    def __init__(self, what: str, span: Range):
        super().__init__(what)
        self.what, self.span = what, span



def _is_d(f) -> bool:
    return isinstance(f, Partial) or (isinstance(f, Word) and f.id == "d")


def _range(x) -> Range:
    """The range of what is being read: an AST node's span, or a pending item's range."""
    span = x.span
    return (span.start, span.end) if isinstance(span, Span) else span


class Base:
    """What every part of the reader shares: the side's text, what the
    document knows, the indices bound, and the AST nodes built with spans in
    the side.  The reading methods are the reader's (``latex_read.Reader``)."""

    def __init__(self, text: str, known: frozenset, scalars: frozenset, bound: frozenset = frozenset(),
                 labels: dict | None = None, activations: frozenset = frozenset()):
        self.text, self.known, self.scalars = text, known, scalars
        self.bound = frozenset(bound)
        self.dropped: frozenset = frozenset()  # sum letters read as the whole vector (a sloppy sum)
        self.plain: frozenset = frozenset()    # accented names the document writes both bold and plain
        self.cdot: str | None = None      # "elementwise": \cdot is always *
        self.labels: dict[str, str] = dict(labels or {})  # a class label's letter -> its one-hot matrix (y -> Y)
        self.activations = activations    # functions the prose calls an activation: entry by entry, opaque
        self.elementwise: dict[str, tuple[Expr, Range]] = {}   # those applied: their first argument
        self.opaque: dict[str, Range] = {}  # functions called that the document does not define
        self.defs: dict[str, tuple[Expr, Range]] = {}   # intermediates named for a derivative of an expression
        self.source = Source("<latex>", text)
        self.one_line = "\n" not in text

    # ---- AST nodes, spans in the side's text
    def at(self, span: Range) -> Span:
        if self.one_line:                       # most sides: no line lookup
            start, end = span[0], max(span)
            return Span("<latex>", 1, start + 1, 1, end + 1, start, end)
        return self.source.span(*span)

    def call(self, func: str, args: tuple, span: Range, fspan: Range, prime: bool = False,
             keywords: tuple = ()) -> Call:
        return Call(func, args, keywords, prime, self.at(span), self.at(fspan))

    def bin(self, op: Op, left, right, span: Range, opspan: Range) -> BinOp:
        return BinOp(op, left, right, self.at(span), self.at(opspan))

    def num(self, text: str, span: Range) -> Number:
        return Number(float(text), text, self.at(span))

    def respan(self, x, span: Range):
        """``x`` as spanning ``span`` (the brackets or font written around it)."""
        return replace(x, span=span if isinstance(x, (Word, Ones, Spread)) else self.at(span))

    def alone(self, span: Range) -> bool:
        """Whether ``span`` is the whole side, but for a font around it (``\\boldsymbol{\\sigma}^2``)."""
        rest = self.text[:span[0]] + self.text[span[1]:]
        return re.fullmatch(r"(?:\s|[{}]|\\[A-Za-z]+)*", rest) is not None

    def word(self, r) -> str:
        """A script as compact text: ``{\\mathsf T}`` -> ``\\mathsfT``."""
        s, e = tspan(r)
        return re.sub(r"[\s{}]", "", self.text[s:e])

    # ---- the reading methods, defined by latex_read.Reader
    def expr(self, r, flat: bool):
        raise NotImplementedError

    def unit(self, u, flat: bool):
        raise NotImplementedError

    def value(self, x):
        raise NotImplementedError

    def settle(self, x):
        raise NotImplementedError

    def factors(self, juxt, flat: bool) -> list:
        raise NotImplementedError

    def base_range(self, x: Word) -> Range:
        raise NotImplementedError

    def binary(self, kind, tok, left, right):
        raise NotImplementedError

    def intermediate(self, node: Expr, span: Range) -> Name:
        """A name for the expression ``node`` (``U.T @ vc`` is ``_U_T_vc``),
        defined before the equation, so that its derivative can be claimed."""
        name = "_" + (re.sub(r"[^A-Za-z0-9]+", "_", to_source(node)).strip("_")[:40] or "expr")
        self.defs.setdefault(name, (node, span))
        return Name(name, self.at(span))

    def renamed(self, x: Word) -> Word:
        """``\\hat y`` in a document that also writes ``\\hat{\\mathbf y}``:
        a name of its own (``yhatplain``); an entry ``\\hat y_i`` is not renamed."""
        if x.base in self.plain and not x.bold and not x.isub:
            return replace(x, stem=x.stem + PLAIN_PART)
        return x

    def entry(self, x: Word, bound: frozenset) -> tuple[str, Range, tuple[tuple[str, Range], ...]] | None:
        """A word read as an entry: its name, the name's range and its
        indices, when the letters are bound (``W_{ij}``); with commas, the
        first item may stay part of the name (``v_{c,i}`` is ``vc[i]``)."""
        if not x.isub:
            return None
        if all(i in bound for i, _ in x.isub):
            return x.base, self.base_range(x), x.isub
        if x.listed and len(x.isub) > 1 and all(i in bound for i, _ in x.isub[1:]):
            first, span = x.isub[0]
            return x.base + first, (x.span[0], span[1]), x.isub[1:]
        return None
