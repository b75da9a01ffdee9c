"""Shapes a document states about its own names, read from its text.

Contract: the readers here turn what a document says in its math and prose
into :class:`Stated` shapes, with host offsets; they never decide what is
checked (``builder`` does, and emits the statements as declarations).

- membership in a real space, inside math: ``\\mathbf{x} \\in \\mathbb{R}^d``,
  ``\\mathbf{W}^{(1)} \\in \\mathbb R^{h\\times d}``, ``\\R^d``, ``ℝ^{m×n}``,
  ``\\mathbf{x}, \\mathbf{y} \\in \\mathbb{R}^d`` (:func:`split_in` cuts the
  ``\\in`` off an equation, :func:`space` reads the size part);
- I♥LA-style ``where`` lines outside math: ``x ∈ ℝ^n``, ``A ∈ ℝ^(m×n)``
  (:func:`prose`, as the rest of this list);
- how a value's test data is drawn: "$y$ is the one-hot label" (``onehot``),
  "a probability distribution" (``prob``), "symmetric positive definite" (``spd``),
  "symmetric", "orthogonal", "invertible" (of a square matrix only);
- scalars named so: "hyperparameter $\\lambda$", "learning rate $\\eta$", "a
  scalar $c$", "a penalty of strength $\\lambda$", and ``\\lambda > 0`` in math;
- prose: "``X`` shape: (750, 6)", "$X$ of shape $(n, d)$", "has shape
  `(2, 6)`", "is a 750 x 6 matrix", "$X$ is $n_x \\times m$", "has $m$ rows
  (examples) and $n$ columns", "of $m$ rows and $d$ features", "$y$ is a column
  vector" / "row vector"; "$Y$, of the same shape as $S$" (:attr:`Stated.like`: the
  shape of ``S`` where ``Y`` is declared);
  and, with no name (:attr:`Stated.name` empty), a switch of the whole
  document's vectors: "restated in terms of column vectors".

A vector read from ``\\mathbb{R}^d`` or ``(n,)`` has no stated orientation:
its :attr:`Stated.orientation` is None, and the document's setting (or the
default, column) orients it when it is declared.

    >>> space(r"\\mathbb{R}^{h \\times d}"), space("ℝ^n"), space(r"\\mathbb R")
    (('h', 'd'), ('n',), ())
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dsl.builtins import latex_macro
from dsl.frontends.latex_math import Unreadable, translate

_REALS = re.compile(r"\s*(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s+R|\\mathbb\s*R|\\R(?![A-Za-z])|\\Re(?![A-Za-z])"
                    r"|\\mathbf\s*\{\s*R\s*\}|\\mathrm\s*\{\s*R\s*\}|ℝ|R(?=\s*\^))")
_IN = re.compile(r"\\in(?![A-Za-z])|∈")
_TIMES = re.compile(r"\\times(?![A-Za-z])|×|\\cdot(?![A-Za-z])|,|(?<=[\s\d}])x(?=[\s\d{\\])")
_INT = re.compile(r"\d+")
_STOP = frozenset({"it", "is", "a", "an", "of", "to", "in", "we", "as", "be", "by", "on", "or", "its",
                   "the", "this", "that", "which", "each", "and", "then", "so", "if", "output", "input",
                   "result", "array", "matrix", "vector", "tensor", "data", "batch"})


@dataclass(frozen=True)
class Stated:
    """One statement of a name's shape, where the document makes it."""

    name: str                     # the chainrule name the formulas use
    sizes: tuple[str, ...]        # () a scalar; sizes are integers or size symbols
    orientation: str | None       # "column", "row", or None: a vector whose orientation is unstated
    start: int                    # host offsets of the statement
    end: int
    written: str = ""             # the name as the document writes it
    attrs: tuple[str, ...] = ()   # how test data is drawn ("the one-hot label"): onehot, prob
    only_attrs: bool = False      # a statement of how its data is drawn, not of its shape
    like: str = ""                # "of the same shape as $S$": the name whose shape it has

    def shape(self, vectors: str = "column") -> str:
        """The chainrule shape, a vector oriented by the statement or else by ``vectors``."""
        if not self.sizes:
            return "scalar"
        if len(self.sizes) == 1:
            way = self.orientation or vectors
            return f"{self.sizes[0]} x 1" if way == "column" else f"1 x {self.sizes[0]}"
        return " x ".join(self.sizes)

    def symbols(self) -> list[str]:
        return [s for s in self.sizes if not s.isdigit()]


# ---------------------------------------------------------------- sizes

def size_name(text: str) -> str | None:
    """One size: an integer, or a name as the formulas spell it (``d_h`` is ``dh``)."""
    text = text.strip().strip("{}").strip()
    bars = re.fullmatch(r"(?:\||\\lvert|\\vert)\s*(.+?)\s*(?:\||\\rvert|\\vert)", text)
    if bars:                                  # |V|, the size of a set: a size symbol
        text = bars.group(1)
    if _INT.fullmatch(text):
        return str(int(text)) if int(text) > 0 else None
    return name_of(text) if text and len(text) <= 30 else None


def sizes_of(text: str) -> tuple[str, ...] | None:
    """``h \\times d``, ``m×n``, ``750, 6``, ``n x k`` -> the sizes; None if any is not one."""
    pieces = list(_TIMES.split(text))
    if pieces and not pieces[-1].strip():
        pieces = pieces[:-1]                      # (n,)
    out = []
    for p in pieces:
        s = size_name(p)
        if s is None:
            return None
        out.append(s)
    return tuple(out) or None


def space(text: str) -> tuple[str, ...] | None:
    """The sizes of a real space written in ``text`` (nothing else after it):
    ``\\mathbb{R}^{h \\times d}`` -> ``('h', 'd')``, ``\\mathbb{R}`` -> ``()``."""
    m = _REALS.match(text)
    if not m:
        return None
    rest = text[m.end():].strip().rstrip(".,;").strip()
    if not rest:
        return ()
    if not rest.startswith("^"):
        return None
    rest = rest[1:].strip()
    if rest and rest[0] in "{(":          # ("" is in every string)
        close = _matching(rest, 0)
        if close is None or rest[close + 1:].strip():
            return None
        return sizes_of(rest[1:close])
    return sizes_of(rest) if re.fullmatch(r"\d+|[A-Za-z]|\\[A-Za-z]+", rest) else None


def _matching(text: str, i: int) -> int | None:
    pair = {"{": "}", "(": ")"}[text[i]]
    depth = 0
    for j in range(i, len(text)):
        if text[j] == text[i]:
            depth += 1
        elif text[j] == pair:
            depth -= 1
            if depth == 0:
                return j
    return None


# ---------------------------------------------------------------- math

def split_in(text: str) -> int | None:
    """The offset of the top-level ``\\in`` (or ``∈``) of ``text``, if any."""
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth = max(0, depth - 1)
        elif depth == 0 and _IN.match(text, i):
            return i
        i += 1
    return None


_POSITIVE = re.compile(r"\s*(?P<n>[^<>=]{1,30}?)\s*(?:>|\\gt|\\geq|\\ge|≥|\\geqslant)\s*0\s*$")


def positive_scalar(text: str) -> str | None:
    """``\\lambda > 0``, ``\\eta \\geq 0``: the name of a scalar so stated."""
    m = _POSITIVE.match(text)
    return name_of(m.group("n")) if m else None


def in_width(text: str, at: int) -> int:
    m = _IN.match(text, at)
    return len(m.group(0)) if m else 0


@functools.lru_cache(maxsize=4096)
def name_of(text: str) -> str | None:
    """The chainrule name a LaTeX name is read as (``\\mathbf{W}^{(1)}`` is ``W1``);
    None for the i-th example ``x^{(i)}``, a row of a data matrix, not a value of its own."""
    text = text.strip()
    if not text or len(text) > 40 or "\\frac" in text or ("(" in text and "^{(" not in text):
        return None
    if re.search(r"\^\{?\(i\)", text):
        return None
    t = translate(text)
    return None if isinstance(t, Unreadable) else t.name


# ---------------------------------------------------------------- prose

_SUBJECT = (r"(?:\$(?P<m>[^$\n]{1,40})\$|`(?P<c>[^`\n]{1,30})`|(?:\*\*|__)(?P<b>[A-Za-z][A-Za-z0-9_]*)(?:\*\*|__)"
            r"|(?P<w>(?<![\w\\])[A-Za-z][A-Za-z0-9_]*))")
_MATH_SUBJECT = (r"(?:\$(?P<m>[^$\n]{1,40})\$|`(?P<c>[^`\n]{1,30})`"
                 r"|(?:\*\*|__)(?P<b>[A-Za-z][A-Za-z0-9_]*)(?:\*\*|__))(?P<w>)")
"""A subject that is math, code or bold: what a statement with a gap after its subject may be about."""
_TUPLE = r"[`$]?\s*[(\[](?P<t>[^()\[\]\n]{1,60})[)\]]\s*[`$]?"
_VERB = r",?(?:\s*which|\s*that)?\s+\(?(?:is|are|be|as|has|have|with|of|having|is\s+of)"
_PROSE = [
    ("tuple", re.compile(_SUBJECT + r"(?:\.shape|\s+shape)\s*[:=]\s*" + _TUPLE)),
    ("tuple", re.compile(_SUBJECT + _VERB + r"\s+(?:the\s+|a\s+)?"
                         r"(?:shape|size|dimensions?)\s*:?\s*" + _TUPLE)),
    ("tuple", re.compile(r"(?:\$(?P<m>[^$\n]{1,40})\$|`(?P<c>[^`\n]{1,30})`)(?P<w>)[^.;$`]{1,60}?"
                         r"\b(?:with|of|has|have)\s+shape\s*:?\s*" + _TUPLE)),
    ("tuple", re.compile(_SUBJECT + r",?\s+(?:is|are)\s+(?:of\s+)?(?:(?:the\s+)?(?:shape|size|dimensions?)\s*:?\s*)?"
                         + r"\((?P<t>[^()\n]{1,40}(?:,|x|×|\\times)[^()\n]{0,40})\)")),
    ("matrix", re.compile(_SUBJECT + _VERB + r"\s+an?\s+(?:\$(?P<d>[^$\n]{1,40})\$|(?P<e>[\w{}]+"
                          r"\s*(?:x|×|-by-|\\times)\s*[\w{}]+))\s*(?:real\s+)?(?:matrix|matrices|array)")),
    ("vector", re.compile(_SUBJECT + _VERB + r"\s+(?:an?\s+)?(?P<o>column|row)[- ]vectors?")),
    ("attr", re.compile(_MATH_SUBJECT + r"[^.;$`\n]{0,60}?\b"
                        r"(?P<a>one-hot|onehot|one hot|probabilit(?:y|ies)|distribution|"
                        r"(?:symmetric\s+)?positive[- ]definite|symmetric|orthogonal|invertible|nonsingular)\b")),
    ("attr", re.compile(r"\b(?P<a>one-hot|onehot|one hot)\s+(?:encoded\s+)?(?:labels?|targets?|encodings?|vectors?)\b"
                        r"[^.;$`\n]{0,40}?\b(?:in|as|into)\s+(?:a|the|one)\s+(?:matrix|vector|array)\s+"
                        + _MATH_SUBJECT)),     # "stack the one-hot labels in a matrix $Y$"
    ("variance", re.compile(r"\bvariances?\s+(?:of\s+)?\$\s*(?P<bold>\\(?:boldsymbol|mathbf|bm)\s*\{\s*)?"
                            r"\\(?P<g>[a-z]+)\s*\}?\s*\^\s*\{?\s*2\s*\}?\s*\$")),   # "of variance $\sigma^2$"
    ("activation", re.compile(r"\b(?:activation(?:\s+function)?|non-?linearity|transfer\s+function)\s+"
                              r"(?:\$(?P<m>[^$\n]{1,20})\$)(?P<c>)(?P<b>)(?P<w>)")),   # "the activation $\phi$"
    ("like", re.compile(_MATH_SUBJECT + r"[^.;$\n]{0,40}?\b(?:of|has|have|with|in|is|are)\s+the\s+same\s+"
                        r"(?:shape|size|dimensions?)\s+as\s+(?P<v>\$[^$\n]{1,30}\$)")),
    ("length", re.compile(_MATH_SUBJECT + r"[^.;\n]{0,40}?\bof\s+(?:length|size|dimension)\s+"
                          r"(?P<v>\$[^$\n]{1,20}\$|[A-Za-z0-9]\w*)")),
    ("rows", re.compile(_MATH_SUBJECT + r"[^.;]{0,60}?\b(?:has|have|with|of)\s+(?P<r>\$[^$\n]{1,20}\$|\w+)\s+"
                        r"rows(?:\s*\([^()\n]{1,30}\))?,?\s+and\s+"
                        r"(?P<k>\$[^$\n]{1,20}\$|\w+)\s+(?:columns|features)")),
    ("sizes", re.compile(_MATH_SUBJECT + r"\s*\((?:[^()$\n]{1,50}?,\s*)?(?:an?\s+)?\$(?P<d>[^$\n]{1,40}(?:\\times|×)"
                         r"[^$\n]{1,40})\$(?:\s*(?:matrix|array))?\)")),
    ("sizes", re.compile(_MATH_SUBJECT + r",?\s+(?:is|are)\s+\$(?P<d>[^$\n]{1,40}(?:\\times|×)[^$\n]{1,40})\$"
                         r"(?!\s*(?:[=<>]|\w))")),
    ("scalar", re.compile(r"\b(?:a\s+scalar|hyperparameter|learning\s+rate|step\s+size|"
                          r"(?:penalty|regulari[sz]ation)(?:\s+(?:constant|strength|parameter|coefficient|weight))?"
                          r"(?:\s+of)?\s+strength|(?:penalty|regulari[sz]ation)\s+(?:constant|parameter|coefficient|weight))"
                          r",?\s+(?:\$(?P<m>[^$\n]{1,20})\$)(?P<c>)(?P<b>)(?P<w>)")),
    ("switch", re.compile(r"\b(?:in terms of|as|to|using|use|with|into|for|of)\s+(?P<o>column|row)[- ]vectors\b")),
    ("where", re.compile(r"(?m)^[ \t>*-]*(?P<n>[A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*)"
                         r"\s*(?:∈|:)\s*(?P<s>ℝ[^\n]*?)\s*$")),
]


def _drawn(words: str) -> str:
    """The attribute a prose word gives a value's test data: "one-hot" ``onehot``,
    "positive definite" ``spd``, "nonsingular" ``invertible``, ..."""
    w = words.lower()
    if w.startswith("one"):
        return "onehot"
    if "definite" in w:
        return "spd"
    if w in ("symmetric", "orthogonal", "invertible"):
        return w
    return "invertible" if w == "nonsingular" else "prob"


_LAYOUT = re.compile(r"\b(numerator|denominator)[- ]layout\b", re.I)


def layout_said(text: str) -> tuple[str, int] | None:
    """The layout a document's prose says it uses ("numerator layout"), and
    where, when it names one only."""
    found = {m.group(1).lower(): m.start() for m in _LAYOUT.finditer(text)}
    return next(iter(found.items())) if len(found) == 1 else None


def _subject(m: re.Match) -> tuple[str | None, str]:
    """The name a statement is about: math read as the formulas read it; a word
    or code identifier as its formula would spell it (``X_train`` is ``Xtrain``)."""
    written = m.group("m") or m.group("c") or m.group("b") or m.group("w") or ""
    if m.group("w") and (written.lower() in _STOP or (len(written) > 3 and "_" not in written
                                                         and not any(ch.isdigit() for ch in written))):
        return None, written
    if m.group("m"):
        at = split_in(written)              # "$y \in \mathbb{R}^n$ is one-hot": about y
        return name_of(written if at is None else written[:at]), written
    ident = written.strip()
    return (ident.replace("_", "") if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident) else None), written


_ESCAPED = re.compile(r"\\{1,2}\((.{1,60}?)\\{1,2}\)")


def _dollars(text: str) -> str:
    """``\\(x\\)`` and kramdown's ``\\\\(x\\\\)`` written as ``$x$``, offsets kept."""
    def one(m: re.Match) -> str:
        pad = (len(m.group(0)) - len(m.group(1)) - 2) // 2
        return " " * pad + "$" + m.group(1) + "$" + " " * pad
    return _ESCAPED.sub(one, text)


def prose(text: str, base: int) -> list[Stated]:
    """The statements of shape in a piece of prose (offsets ``base`` + index)."""
    out: list[Stated] = []
    text = _dollars(text)
    for kind, pattern in _PROSE:
        for m in pattern.finditer(text):
            where = (base + m.start(), base + m.end())
            if kind == "where":
                sizes = space(m.group("s"))
                if sizes is None:
                    continue
                for n in re.split(r"\s*,\s*", m.group("n")):
                    name = name_of(n)
                    if name:
                        out.append(Stated(name, sizes, None, *where, n))
                continue
            if kind == "variance":          # a plain sigma^2: a positive scalar, the name sigma2
                if not m.group("bold") and latex_macro("\\" + m.group("g")):
                    out.append(Stated(m.group("g") + "2", (), None, *where, f"\\{m.group('g')}^2", ("positive",)))
                continue
            if kind == "switch":            # "restated in terms of column vectors": no name
                out.append(Stated("", (), m.group("o"), *where))
                continue
            name, written = _subject(m)
            if kind == "like":              # "$Y$, of the same shape as $S$"; "$G = ...$, of the same shape as $Y$"
                name = name or name_of(written.split("=")[0]) if "=" in written else name
                other = name_of(m.group("v").strip("$ "))
                if name and other and other != name:
                    out.append(Stated(name, (), None, *where, written.split("=")[0].strip(), like=other))
                continue
            if kind in ("length", "rows") and name:   # "of length $d$", "has $d$ rows and $n$ columns"
                groups = ("v",) if kind == "length" else ("r", "k")
                sizes = tuple(size_name(m.group(g).strip("$ ")) or "" for g in groups)
                if all(sizes):
                    out.append(Stated(name, sizes, None, *where, written))
                continue
            if kind == "scalar" and name:   # "hyperparameter $\\lambda$", "a scalar $c$"
                out.append(Stated(name, (), None, *where, written))
                continue
            if kind == "activation" and name:
                out.append(Stated(name, (), None, *where, written, ("activation",), True))
                continue
            if kind == "attr" and name:
                out.append(Stated(name, (), None, *where, written, (_drawn(m.group("a")),), True))
                continue
            if name is None:
                continue
            if kind == "tuple":
                sizes = sizes_of(m.group("t"))
                if sizes:
                    out.append(Stated(name, sizes, None, *where, written))
            elif kind == "sizes":            # "$X$ is $n_x \\times m$"
                sizes = sizes_of(m.group("d"))
                if sizes and len(sizes) == 2:
                    out.append(Stated(name, sizes, None, *where, written))
            elif kind == "matrix":
                dims = m.group("d") or re.sub(r"-by-", " x ", m.group("e") or "")
                sizes = sizes_of(dims)
                if sizes and len(sizes) >= 2:
                    out.append(Stated(name, sizes, None, *where, written))
            else:
                out.append(Stated(name, (), m.group("o"), *where, written))
    seen: dict = {}
    for st in sorted(out, key=lambda s: s.start):       # two forms reading one statement
        seen.setdefault((st.name, st.sizes, st.orientation, st.end), st)
    return list(seen.values())
