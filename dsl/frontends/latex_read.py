"""LaTeX parse tree -> the chainrule AST: what each construct means.

Contract: :func:`read` takes the Lark tree of ``grammar/latex_math.lark`` for
one side of an equation and returns two readings, as expressions of
``dsl.core.ast`` (the AST the ASCII parser builds): juxtaposition grouped
tighter than ``\\circ`` (as in TeX) and read flat, left to right (as
chainrule reads ``@`` and ``*``).  Every node's span is in the coordinates
of the side's own text (``Span.start``/``end`` are offsets into it), so the
printer's piece map (``printer.to_source_map``) leads from chainrule text
back to the LaTeX.  A construct with no faithful reading raises
:class:`Stop` with what stops it and its range in the side; the caller
turns that into a diagnostic.  The words read (Greek letters, function
names, macros) are in ``latex_words``.

    >>> from dsl.frontends.latex_math import parser
    >>> side = r"x W_1^T"
    >>> node, alt, _ = read(parser().parse(side), side, lambda s, e: (s, e), frozenset(), frozenset())
    >>> type(node).__name__, node.op, node.right.operand.id, side[node.right.span.start:node.right.span.end]
    ('BinOp', <Op.MATMUL: '@'>, 'W1', 'W_1^T')
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from dsl.builtins import function_name, latex_macro
from dsl.core.ast import Delta, Expr, Index, IndexSum, IndexVar, Keyword, Name, Neg, Op, Transpose, walk
from dsl.core.wording import say
from dsl.frontends.forms import scalar_like
from dsl.frontends.latex_deriv import Derivatives
from dsl.frontends.latex_examples import example_rows
from dsl.frontends.latex_index import free_of, index_letters, listed, mixed, sum_indices
from dsl.frontends.latex_items import DOp, Head, Ones, Partial, Stop, Word, _range
from dsl.frontends.latex_labels import LabelReading
from dsl.frontends.latex_names import sup_part
from dsl.frontends.latex_ones import OnesReading
from dsl.frontends.latex_scripts import Scripts
from dsl.frontends.latex_tree import Range, Raw, arguments, letter, peel, rebuild, subscript_word, to_raw, tspan
from dsl.frontends.latex_words import ACCENTS, BOLD, GREEK_SCALARS, PRODUCTS, TEXTUAL, greek_name


def read(tree, side: str, position: Callable[[int, int], Range], known: frozenset, scalars: frozenset,
         bound: frozenset = frozenset(), cdot: str | None = None, plain: frozenset = frozenset(),
         labels: dict | None = None, activations: frozenset = frozenset()):
    """The tree of a side read grouped and read flat, and the functions it
    calls that the document does not define (name -> range): ``(node, alt, opaque)``.
    ``position`` maps a range of the parsed text to the side's text;
    ``bound`` are the index letters the equation's left side binds."""
    raw = to_raw(tree, position)
    reader = Reader(side, known, scalars, bound, labels, activations)
    reader.cdot, reader.plain = cdot, plain
    node = reader.value(reader.expr(raw, flat=False))
    reader.bound = frozenset(bound)
    return node, reader.value(reader.expr(raw, flat=True)), (reader.opaque, reader.defs, reader.elementwise)


# ------------------------------------------------------------------ reading

class Reader(LabelReading, Scripts, Derivatives, OnesReading):
    """Parse tree (``latex_tree.Raw``) -> AST; raises ``Stop`` when a construct has no
    faithful reading.  ``flat`` reads juxtaposition at the level of
    ``\\circ`` (left to right, as chainrule reads ``@`` and ``*``)."""

    # ---- expressions
    def expr(self, r, flat: bool):
        k = r.kind
        if k in ("plus", "minus"):
            left, tok, right = r.kids
            a, b = self.operands(k, self.expr(left, flat), self.expr(right, flat))
            return self.bin(Op.ADD if k == "plus" else Op.SUB, a, b, r.span, tspan(tok))
        if k == "neg":
            return Neg(self.value(self.expr(r.kids[1], flat)), self.at(r.span))
        if k == "pos":
            return self.expr(r.kids[1], flat)
        if k == "bigsum":
            return self.bigsum(r, flat)
        if k == "scaledsum":
            factor = self.expr(r.kids[0], flat)
            total = self.bigsum(Raw("bigsum", (tspan(r.kids[1])[0], r.span[1]), r.kids[1:]), flat)
            return self.binary("juxt", None, factor, total)
        if k in PRODUCTS or k == "juxt":
            return self.product(r, flat)
        if k == "braces":
            return self.expr(r.kids[1], flat)
        if k == "scriptbody":
            if len(r.kids) > 1:
                raise Stop(say("latex-relation"), r.span)
            return self.expr(r.kids[0], flat)
        return self.settle(self.unit(r, flat))

    def product(self, r, flat: bool):
        chain = []
        while r.kind in PRODUCTS:
            left, tok, right = r.kids
            chain.append((r.kind, tok, right))
            r = left
        chain.append((None, None, r))
        groups = [(k, tok, self.merge_ones(self.factors(j, flat))) for k, tok, j in reversed(chain)]
        groups = self.merge_partials(groups)
        if flat:
            seq = []
            for k, tok, fs in groups:
                seq.append((k, tok, fs[0]))
                seq += [("juxt", None, f) for f in fs[1:]]
        else:
            seq = [(k, tok, self.fold([("juxt", None, f) for f in fs])) for k, tok, fs in groups]
        return self.fold(seq)

    def fold(self, seq):
        node = seq[0][2]
        for kind, tok, f in seq[1:]:
            node = self.binary(kind, tok, node, f)
        return node

    def binary(self, kind, tok, left, right):
        if (scaled := self.copy_scaled(kind, tok, left, right)) is not None:
            return scaled                 # A \odot (\mathbf{1} r): A diag(r)
        left, right = self.operands(kind, left, right)
        opspan = tspan(tok) if tok is not None else (left.span.end, right.span.start)
        scalars = self.scalars | (GREEK_SCALARS - self.known)
        scaling = scalar_like(left, scalars) or scalar_like(right, scalars)
        if kind == "times" and not scaling:
            raise Stop(say("latex-times"), opspan)
        op = Op.MATMUL if kind == "juxt" else PRODUCTS[kind]
        if kind == "cdot" and self.cdot == "elementwise":
            op = Op.MUL
        if op is Op.MATMUL and (scaling or (self.dropped and kind == "juxt")):
            op = Op.MUL                  # a scaling, or entries side by side in a sum of every entry
        node = self.bin(op, left, right, (left.span.start, right.span.end), opspan)
        return self.call("sum", (node,), (left.span.start, right.span.end), opspan) if kind == "frobenius" else node

    def settle(self, x):
        """A function left without argument is its fallback name or an error;
        a lone ``\\partial`` is an error."""
        if isinstance(x, Head):
            if x.fallback and not x.prime and not x.power:
                return Word(x.fallback, x.span)
            if x.fallback and not x.prime and x.power and x.power.isdigit():
                return self.power_of_name(x, x.fallback, x.power, x.span)
            raise Stop(say("latex-no-argument", func=x.func), x.span)
        if isinstance(x, Partial):
            raise Stop(say("latex-partial"), x.span)
        if isinstance(x, DOp):
            raise Stop(say("latex-derivative-operator"), x.span)
        self.ones_alone(x)
        return x

    def value(self, x):
        """What is read, settled, as an AST expression: a word whose index
        subscript the formula binds is an entry (``W_{ij}`` is ``W[i, j]``,
        ``\\delta_{ij}`` the Kronecker delta)."""
        x = self.settle(x)
        if not isinstance(x, Word):
            return x
        x = self.renamed(x)
        if x.isub and all(i in self.dropped for i, _ in x.isub):
            return Name(x.base, self.at(x.span))
        if (entry := self.entry(x, self.bound)) is not None:
            base, base_span, letters = entry
            found = tuple(IndexVar(i, self.at(span)) for i, span in letters)
            if base == "delta" and "delta" not in self.known and len(found) == 2:
                return Delta(found[0], found[1], self.at(x.span))
            return Index(Name(base, self.at(base_span)), found, self.at(x.span))
        return Name(x.id, self.at(x.span))

    def base_range(self, x: Word) -> Range:
        """The range of a word without its index subscript (``W`` of ``W_{ij}``)."""
        cut = self.text.rfind("_", x.span[0], x.isub[0][1][0]) if x.isub else -1
        return (x.span[0], cut) if cut > x.span[0] else x.span

    def bigsum(self, r, flat: bool):
        """``\\sum_i body`` binds ``i`` in its body (index notation);
        without an index, or when the body has no entry of it, the sum of
        every entry (``\\sum y``)."""
        found = sum_indices(r.kids[1])
        letters = {i for i, _ in found}
        outer = self.bound
        self.bound = outer | letters
        try:
            body = example_rows(self.value(self.expr(r.kids[2], flat)), frozenset(letters), self.text)
        finally:
            self.bound = outer
        if found and free_of(body) & letters:
            if not mixed(body, self.scalars | GREEK_SCALARS):
                ixs = tuple(IndexVar(i, self.at(span)) for i, span in found)
                return IndexSum(ixs, body, self.at(r.span))
            vector = next((n.operand for n in walk(body) if isinstance(n, Transpose)
                           and isinstance(n.operand, Index)), None)
            if isinstance(vector, Index) and isinstance(vector.base, Name):
                # \sum_w \exp(u_w^T v_c): u_w is a column of a matrix, not an entry of a vector
                raise Stop(say("latex-indexed-vector", name=vector.base.id), r.span)
            # \sum_i y \log \hat y_i: entries beside whole vectors, the sum of every entry
            outer_dropped, self.dropped = self.dropped, self.dropped | letters
            try:
                body = self.value(self.expr(r.kids[2], flat))
            finally:
                self.dropped = outer_dropped
        return self.call("sum", (body,), r.span, tspan(r.kids[0]))

    # ---- juxtaposition: split letter runs, apply functions to what follows
    def factors(self, juxt, flat: bool) -> list:
        units = []
        for u in juxt.kids:
            units += self.split_letters(u)
        out, i = [], 0
        while i < len(units):
            node, i = self.applied(units, i, flat)
            out.append(node)
        return out

    def is_function(self, u, flat: bool) -> bool:
        """Whether the unit ``u`` names a function; a unit that cannot be read
        alone (``(a, b)``, the arguments of the call before it) does not."""
        try:
            return isinstance(self.unit(u, flat), Head)
        except Stop:
            return False

    def applied(self, units: list, i: int, flat: bool):
        """The unit at ``i`` with a function applied to what follows it;
        ``\\log \\sigma(x)`` is ``log(sigma(x))``.  Returns the next index."""
        x = self.unit(units[i], flat)
        if isinstance(x, DOp) and i + 1 < len(units):
            target, j = self.applied(units, i + 1, flat)
            if isinstance(target, Word) and j < len(units) and arguments(units[j]) >= 1:
                j += 1                              # \frac{d}{dx} f(x): the derivative of f
            return self.operate(x, target, (x.span[0], _range(target)[1])), j
        if isinstance(x, Word) and i + 1 < len(units) and arguments(units[i + 1]) >= 2 and not function_name(x.id):
            if x.id == "prod":
                raise Stop(say("latex-prod"), (x.span[0], units[i + 1].span[1]))
            self.opaque.setdefault(x.id, x.span)      # l(o, y): a function the document does not define
            return self.apply(Head(x.id, x.span), units[i + 1], flat), i + 2
        if isinstance(x, Word) and i + 1 < len(units) and arguments(units[i + 1]) == 1 and (f := self.activation(x)):
            return self.apply(f, units[i + 1], flat, self.elementwise), i + 2    # \phi(z): the activation, opaque
        if not isinstance(x, Head) or i + 1 >= len(units):
            return x, i + 1
        if i + 2 < len(units) and self.is_function(units[i + 1], flat):
            inner, j = self.applied(units, i + 1, flat)
            inner = self.value(inner)
            node: Expr = self.call(x.func, (inner,), (x.span[0], _range(inner)[1]), x.span, x.prime)
            if x.power:
                node = self.bin(Op.POW, node, self.num(x.power, x.span), _range(node), x.span)
            return node, j
        return self.apply(x, units[i + 1], flat), i + 2

    def split_letters(self, u) -> list:
        base, posts = peel(u)
        if base.kind != "letters":
            return [u]
        run = str(base.kids[0])
        if len(run) == 1 or run in self.known or function_name(run) or self.gradient_name(u, run):
            return [u]
        s = base.span[0]
        singles = [letter(ch, s + i) for i, ch in enumerate(run)]
        return [*singles[:-1], rebuild(singles[-1], posts)]

    def apply(self, head: Head, u, flat: bool, record: dict | None = None):
        base, posts = peel(u)
        if base.kind == "parens":
            items = base.kids[1].kids[::2]
            args = tuple(self.value(self.expr(e, flat)) for e in items if e.kind != "keyword")
            if record is not None and args:
                record.setdefault(head.func, (args[0], head.span))
            keywords = tuple(self.keyword(e, flat) for e in items if e.kind == "keyword")
            node: Expr = self.call(head.func, args, (head.span[0], base.span[1]), head.span, head.prime,
                                   keywords)
        else:
            posts = []
            node = self.call(head.func, (self.value(self.unit(u, flat)),), (head.span[0], u.span[1]),
                             head.span, head.prime)
        if head.power:
            node = self.bin(Op.POW, node, self.num(head.power, head.span), _range(node), head.span)
        for p in posts:
            node = self.post(node, p, flat)
        return node

    def keyword(self, e, flat: bool) -> Keyword:
        r"""``\mathrm{axis}=0`` in a call: the keyword argument ``axis=0``."""
        name = self.settle(self.expr(e.kids[0], flat))
        if not isinstance(name, Word) or str(e.kids[1]) != "=":
            raise Stop(say("latex-list"), e.span)
        return Keyword(name.id, self.value(self.expr(e.kids[2], flat)), self.at(e.span))

    # ---- units: a primary with sub- and superscripts and primes
    def unit(self, u, flat: bool):
        base, posts = peel(u)
        if base.kind == "underbrace":       # \underbrace{...}_{label}: the label is not read
            posts = [p for k, p in enumerate(posts) if k > 0 or p.kind == "prime"]
        if base.kind in ("nabla", "partial") and posts and posts[0].kind == "subscript":
            den = self.settle(self.expr(posts[0].kids[2], flat))     # \nabla_{w}, \partial_x
            if not isinstance(den, Word) or len(posts) > 1:
                raise Stop(say("latex-derivative-operator"), u.span)
            return DOp(den, u.span)
        if base.kind == "nabla":
            raise Stop(say("latex-nabla"), u.span)
        if base.kind == "norm":
            return self.norm(base, posts, flat)
        x = self.primary(base, flat)
        for p in [p for p in posts if p.kind == "subscript" and not isinstance(x, Ones)]:
            if isinstance(x, Word) and (hit := self.at_label(x, p.kids[2], (x.span[0], p.span[1]))):
                x = hit                                  # p_{i y_i}: the entry at the label
                continue
            letters = index_letters(p.kids[2])
            if isinstance(x, Word) and letters and not x.isub:
                x = Word(x.stem, (x.span[0], p.span[1]), x.sub, letters, x.bold, listed(p.kids[2]))
                continue
            sub = subscript_word(p.kids[2])
            if sub is None and isinstance(x, Word) and (part := sup_part(self.word(p.kids[2]))):
                sub = part                           # h_{t-1} is htm1, as a^{L-1} is aLm1
            if not isinstance(x, Word) or sub is None:
                raise Stop(say("latex-subscript-word", word=self.word(p.kids[2])), p.span)
            x = Word(x.stem, (x.span[0], p.span[1]), x.id[len(x.stem):] + sub)
        for p in posts:
            if isinstance(x, Ones):
                x = self.ones_post(x, p)
            elif p.kind != "subscript":
                x = self.post(x, p, flat)
        return x

    def primary(self, r, flat: bool):
        k, tok = r.kind, r.kids[0]
        if k == "letters":
            word = str(tok)
            fn = function_name(word) if word not in self.known else None
            return Head(fn, r.span) if fn else Word(word, r.span)
        if k == "number":
            return self.num(str(tok), r.span)
        if k == "greek":
            name = greek_name(str(tok))
            if name == "pi" and "pi" not in self.known:
                return self.num("3.141592653589793", r.span)     # \pi in 2 \pi \sigma^2: the number
            fn = latex_macro("\\" + name)
            return Head(fn, r.span, fallback=name) if fn else Word(name, r.span)
        if k == "partial":
            return Partial(r.span)
        if k == "func":
            if fn := latex_macro(str(tok)):
                return Head(fn, r.span)
            raise Stop(say("latex-not-function", tok=tok), r.span)
        if k == "font":
            return self.font(r, flat)
        if k == "indicator":
            return self.indicator(r, flat)
        if k == "ones":
            return Ones(r.span)
        if k == "accent":
            inner = self.settle(self.expr(r.kids[1], flat))
            if not isinstance(inner, Word):
                raise Stop(say("latex-accent", tok=tok), r.span)
            return replace(inner, stem=inner.stem + ACCENTS[str(tok)[1:]], span=r.span)
        if k == "frac":
            return self.frac(r, flat)
        if k == "sqrt":
            return self.call("sqrt", (self.value(self.expr(r.kids[1], flat)),), r.span, tspan(tok))
        if k == "parens":
            items = r.kids[1].kids[::2]
            if len(items) == 1 and items[0].kind == "keyword" and (hit := self.iverson(r, flat)) is not None:
                return hit                               # [y_i = k]: the one-hot entry
            if len(items) != 1 or items[0].kind == "keyword":
                raise Stop(say("latex-list"), r.span)
            inner = self.expr(items[0], flat)
            return inner if isinstance(inner, (Head, Partial)) else self.respan(inner, r.span)
        if k == "abs":
            return self.call("abs", (self.value(self.expr(r.kids[1], flat)),), r.span, tspan(tok))
        if k == "underbrace":
            inner = self.expr(r.kids[1], flat)
            return inner if isinstance(inner, (Head, Partial)) else self.respan(inner, r.span)
        if k == "ellipsis":
            raise Stop(say("latex-ellipsis"), r.span)
        if k in ("top", "primemacro"):
            raise Stop(say("latex-only-superscript", tok=tok), r.span)
        return self.expr(r, flat)

    def font(self, r, flat: bool):
        """``\\mathbf{x}`` is x, ``\\operatorname{softmax}`` the function."""
        tok, word = r.kids[0], self.word(r.kids[1])
        if str(tok) == r"\mathit" and re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", word):
            return Word(word, r.span)         # fmt's spelling of a name of several letters
        if re.fullmatch(r"[A-Za-z]{2,}[0-9][A-Za-z0-9]*", word) and (fn := function_name(word)):
            return Head(fn, r.span)           # \operatorname{log1p}
        if re.fullmatch(r"[A-Za-z]{2,}", word):
            fn = function_name(word)
            if fn:
                return Head(fn, r.span)
            if str(tok) in TEXTUAL:
                return Word(word, r.span)
        if word in ("0", "1") and str(tok) not in TEXTUAL:       # \mathbf{0}: 0 broadcast
            return self.num("0", r.span) if word == "0" else Ones(r.span)
        if re.fullmatch(r"[0-9]+", word) and str(tok) not in TEXTUAL:
            raise Stop(say("latex-ones-vector", tok=tok, word=word), r.span)
        inner = self.expr(r.kids[1], flat)
        if isinstance(inner, Word) and str(tok) in BOLD:
            inner = replace(inner, bold=True)
        return inner if isinstance(inner, (Head, Partial)) else self.respan(inner, r.span)
