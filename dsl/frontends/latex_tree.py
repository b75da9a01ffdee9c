"""The LaTeX parse tree as the reader walks it.

Contract: :func:`to_raw` turns Lark's tree of ``grammar/latex_math.lark``
into :class:`Raw` nodes (a rule name, a range, children) whose ranges and
tokens are placed in the side's own text by a ``position`` map (the parser
sees ``\\lvert`` where the side says ``|``).  The helpers take a node apart
(:func:`peel` its scripts, :func:`tokens`, :func:`subscript_word`) and put it together
(:func:`rebuild`, :func:`letter`).  ``latex_read`` gives the nodes their
meaning.

    >>> from dsl.frontends.latex_math import parser
    >>> raw = to_raw(parser().parse("W_1"), lambda s, e: (s, e))
    >>> unit = raw.kids[0]
    >>> raw.kind, unit.kind, unit.span, peel(unit)[0].kind
    ('juxt', 'subscript', (0, 3), 'letters')
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lark import Token, Transformer

from dsl.frontends.latex_words import greek_name

Range = tuple[int, int]


@dataclass(frozen=True)
class Raw:
    """A parse-tree node reduced to its rule name, range and children."""
    kind: str
    span: Range
    kids: tuple


class _ToRaw(Transformer):
    def __init__(self, position: Callable[[int, int], Range]):
        super().__init__()
        self.position = position

    def __default_token__(self, tok):
        start, end = self.position(tok.start_pos, tok.end_pos)
        return Token(tok.type, tok.value, start_pos=start, end_pos=end)

    def __default__(self, data, children, meta):
        spans = [tspan(c) for c in children] or [(0, 0)]
        return Raw(str(data), (min(s for s, _ in spans), max(e for _, e in spans)), tuple(children))


def to_raw(tree, position: Callable[[int, int], Range]) -> Raw:
    """The tree as ``Raw`` nodes, ranges mapped by ``position``."""
    return _ToRaw(position).transform(tree)


def letter(ch: str, at: int) -> Raw:
    """One letter of a run, as the parser would have given it alone."""
    return Raw("letters", (at, at + 1), (Token("LETTERS", ch, start_pos=at, end_pos=at + 1),))


def peel(u) -> tuple:
    """A unit's base and its sub- and superscripts and primes, innermost first."""
    posts = []
    while u.kind in ("subscript", "superscript", "prime"):
        posts.append(u)
        u = u.kids[0]
    return u, posts[::-1]


def rebuild(base, posts):
    """``peel`` undone on another base."""
    for p in posts:
        base = Raw(p.kind, (base.span[0], p.span[1]), (base, *p.kids[1:]))
    return base


def subscript_word(r) -> str | None:
    """A subscript as part of a name (``_{1}`` -> ``1``, ``_\\theta`` ->
    ``theta``), or None when it is more than letters and digits."""
    out = []
    for tok in tokens(r):
        if tok.type in ("LETTERS", "LETTER", "NUMBER", "DIGIT") and str(tok).isalnum():
            out.append(str(tok))
        elif tok.type == "GREEK":
            out.append(greek_name(str(tok)))
        elif tok.type not in ("LBRACE", "RBRACE"):
            return None
    return "".join(out) or None


def tokens(r):
    """The tokens under a node, in order."""
    if isinstance(r, Token):
        yield r
    else:
        for k in r.kids:
            yield from tokens(k)


def tspan(tok) -> Range:
    """The range of a token or a node."""
    if isinstance(tok, Token):
        # the LaTeX parser keeps positions on every token (propagate_positions)
        assert tok.start_pos is not None and tok.end_pos is not None
        return (tok.start_pos, tok.end_pos)
    return tok.span


def arguments(u) -> int:
    """How many arguments a bracketed list holds (0 if ``u`` is not one)."""
    base, posts = peel(u)
    return len(base.kids[1].kids[::2]) if base.kind == "parens" and not posts else 0


def defined_call(tree, position: Callable[[int, int], Range]) -> Range | None:
    """A left side written as a function of its arguments, ``J(\\theta)`` or
    ``f(x, y)``: the range of the function's name (the side defines it)."""
    raw = to_raw(tree, position)
    if raw.kind != "juxt" or len(raw.kids) != 2:
        return None
    name, args = raw.kids
    if name.kind not in ("letters", "font", "greek", "subscript", "accent") or arguments(args) < 1:
        return None
    return name.span
