"""A loss the document differentiates but never defines.

Backpropagation notes write ``\\frac{\\partial L}{\\partial \\mathbf{o}}`` for a
loss ``L`` they leave unwritten ("whatever comes after the layer hands us
``G = \\partial L / \\partial O``"), and state the gradients of the layer
through it.  Such a name is read as a scalar function the document does not
define of the values computed so far (``L = loss(o, y)``, ``loss`` declared
``opaque``): the derivative terms of ``L`` then have the shapes of their
denominators, so every product and sum around them, and the shape of each
claim, is checked; the claims themselves cannot be verified and say why.

A numerator is taken as such a loss only when all of these hold, so that no
reading is guessed where another would check:

- the document does not declare it, does not state its shape, and defines
  it nowhere (or only in a formula that could not be read);
- the equation uses it only as the numerator of derivatives;
- it is a scalar by its form: written ``L``, ``J``, ``C``, ``E``, ``\\ell`` or
  ``\\mathcal{L}`` (the letters of losses, costs and errors), or
  differentiated by a value that is a matrix (only a scalar has a gradient
  of that shape).

Its arguments are the values known at its first use that no definition
uses (the ends of the computation read so far, and inputs used nowhere
else), so it depends on every value read.  An ``N740`` note names the
reading and the line it was taken on.

Contract: :class:`UndefinedLosses` is mixed into the
:class:`~dsl.frontends.builder.Builder`; ``_losses`` picks the names of an
equation that are such losses, ``_define_losses`` emits their definitions
just before the equation.
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.core import messages
from dsl.core.ast import Decl, Define, Deriv, Name, walk
from dsl.core.attributes import OPAQUE
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.frontends.document import Formula, Slice
from dsl.frontends.latex_math import Translation
from dsl.frontends.renaming import gradients_as_rows
from dsl.frontends.scopes import Plan

LOSS_LETTERS = frozenset({"L", "J", "C", "E", "ell", "l"})
"""Names that are a loss, a cost or an error by the notation (``\\ell`` reads as ``ell``)."""


class UndefinedLosses:
    """Losses named only by their derivatives (mixed into ``Builder``)."""

    plan: Plan
    known: set[str]
    scalars: set[str]
    deps: dict[str, set[str]]
    unreadable: dict
    verbose: list
    _so_far: Callable[[], tuple]
    _emit: Callable[..., None]
    _skip: Callable[..., None]
    _fits: Callable[[str], bool]
    _gradient: Callable[[str, str], bool]
    losses_read: set[str]
    formulas: list
    size: int

    def _losses(self, lhs: Translation, r: Translation, missing: set) -> set[str]:
        """The names of ``missing`` this equation (``lhs = r``) uses as an undefined scalar loss."""
        numerators: set[str] = set()
        plain: set[str] = set()
        dens: dict[str, set[str]] = {}
        for node in (lhs.node, r.node):
            if node is None:
                continue
            for x in walk(node):
                if isinstance(x, Deriv):
                    numerators.add(x.num.id)
                    dens.setdefault(x.num.id, set()).add(x.den.id)
                elif isinstance(x, Name):
                    plain.add(x.id)
        if lhs.deriv:
            numerators.add(lhs.deriv[0])
            dens.setdefault(lhs.deriv[0], set()).add(lhs.deriv[1])
            plain.discard(lhs.deriv[0])
        if lhs.name:
            plain.add(lhs.name)
        found = set()
        for n in numerators & missing - plain:
            if n in self.plan.hand or n in self.plan.scopes or n in self.plan.sizes:
                continue
            if n in self.plan.defined and n not in self.unreadable:
                continue                      # defined further on, or read already
            if n in LOSS_LETTERS or any(self._matrix(d) for d in dens.get(n, ())):
                found.add(n)
        return found

    def _matrix(self, name: str) -> bool:
        info = self._so_far()[2].names.get(name)
        return (info is not None and info.shape is not None and info.shape.rank == 2
                and not info.shape.is_vector and not info.shape.is_one_by_one)

    def _define_losses(self, losses: set[str], part: Slice, whole: Span,
                       upstream: tuple | None = None) -> set[str]:
        """Define each of ``losses`` as an opaque scalar of the values read so far,
        before the equation at ``part``; the names defined (none when nothing is known yet).
        ``upstream`` is the equation (left, right side) when it names the gradient: see
        :meth:`_upstream`."""
        args = self._ends()
        if not args:
            return set()
        if upstream is not None and len(losses) == 1 and self._upstream(next(iter(losses)), args, whole, *upstream):
            return set(losses)
        done = {n for n in sorted(losses) if self._linear(n, args, whole)}
        for n in sorted(losses - done):
            fn, k = "loss", 2
            while fn in self.known or fn in self.plan.scopes or fn in self.plan.defined:
                fn, k = f"loss_{k}", k + 1
            call = f"{fn}({', '.join(args)})"
            text = f"{fn} : scalar {OPAQUE}\n{n} = {call}\n"
            self._emit(text, part.at(0), part.host_end(len(part.text)), False)
            self.known |= {fn, n}
            self.scalars.add(n)
            self.losses_read.add(n)
            self.deps[n] = set(args).union(*(self.deps.get(a, set()) for a in args))
            self.unreadable.pop(n, None)
            self.verbose.append(messages.make("N740", whole, decl=f"{n} = {call}",
                                              where=say("loss-undefined", name=n, line=whole.line)))
            done.add(n)
        return done

    def _upstream(self, n: str, args: list[str], whole: Span, lhs: Translation, r: Translation) -> bool:
        """``G = \\partial L / \\partial O`` of the loss ``n``, with ``O`` the one end of what is
        read and ``G`` a new name: ``G`` declared an input of ``O``'s shape and ``L = sum(G * O)``,
        the loss linear in ``O`` with gradient ``G``.  A claim through ``O`` depends on the loss only
        by that gradient, so it holds for every loss when it holds for this one, for every ``G``:
        the claims become checkable.  Emitted before the equation, which is then read as it."""
        node = r.node
        if not (lhs.name and isinstance(node, Deriv) and node.num.id == n and not node.num_indices
                and not node.den_indices and args == [node.den.id]):
            return False
        grad, value = lhs.name, node.den.id
        info = self._so_far()[2].names.get(value)
        if (self._direct(n) or grad in self.known or grad in self.plan.hand or grad in self.plan.scopes
                or info is None or info.shape is None or not all(str(d).isidentifier() or isinstance(d, int)
                                                 for d in info.shape.dims)):
            return False
        text = f"{grad} : {info.shape}\n{n} = sum({grad} * {value})\n"
        start = self.size
        self._emit(text, whole.start, whole.end, False)
        self.formulas.append(Formula(start, self.size, whole.start, whole.end, None, None))
        self.known |= {grad, n}
        self.scalars.add(n)
        self.deps[n] = {grad, value} | self.deps.get(value, set())
        self.unreadable.pop(n, None)
        self.verbose.append(messages.make("N740", whole, decl=f"{n} = sum({grad} * {value})",
                                          where=say("loss-upstream", grad=grad, name=n, value=value,
                                                    line=whole.line)))
        return True

    def _linear(self, n: str, args: list[str], whole: Span) -> bool:
        """A loss every claim of the document writes in the chain rule's form (``dL/dW = dL/da
        h^T``, never ``dL/dW = ...`` alone), by ends of what is read (``a``): read as linear in
        those ends with their gradients inputs (``_dL_da``), so the claims are checked (each is
        linear in the gradients it uses, so it holds for every loss when it holds for these)."""
        ends = [a for a in args if a in self.plan.chained.get(n, ())]
        if self._direct(n) or not ends:
            return False
        env = self._so_far()[2].names
        shapes = {a: env[a].shape for a in ends if a in env and env[a].shape is not None}
        if len(shapes) != len(ends) or any(f"_d{n}_d{a}" in self.known for a in ends):
            return False
        text = "".join(f"_d{n}_d{a} : {shapes[a]}\n" for a in ends)
        total = " + ".join(f"sum(_d{n}_d{a} * {a})" for a in ends)
        self._emit(text + f"{n} = {total}\n", whole.start, whole.end, False)
        self.known |= {n, *(f"_d{n}_d{a}" for a in ends)}
        self.scalars.add(n)
        self.losses_read.add(n)
        self.deps[n] = set(ends).union(*(self.deps.get(a, set()) for a in ends))
        self.unreadable.pop(n, None)
        self.verbose.append(messages.make("N740", whole, decl=f"{n} = {total}",
                                          where=say("loss-linear", name=n, line=whole.line,
                                                    ends=", ".join(ends))))
        return True

    def _direct(self, n: str) -> bool:
        """Whether a claim of the document about ``n`` uses no gradient of it: neither a derivative
        of ``n`` nor a name given one (``G = \\partial L / \\partial Y``): a claim of its own about ``n``."""
        grads = self.plan.gradient_names.get(n, set())
        return any(not used & grads for used in self.plan.direct.get(n, ()))

    def _independent(self, lhs: Translation, r: Translation, whole: Span) -> bool:
        """Whether a derivative of a loss defined here is taken by a value it does not
        depend on (a value defined after its first use): the equation is skipped, a note says why."""
        pairs = [(x.num.id, x.den.id) for node in (lhs.node, r.node) if node is not None
                 for x in walk(node) if isinstance(x, Deriv)] + ([lhs.deriv] if lhs.deriv else [])
        for num, den in pairs:
            if num in self.losses_read and den != num and den not in self.deps.get(num, ()):
                self._skip(whole, "claim-independent", count=False, num=num, den=den)
                return True
        return False

    def _rows_only(self, lhs: Translation, r: Translation, whole: Span) -> bool:
        """Whether a claim through a loss defined here fits only with its gradients read as rows
        (``\\partial L / \\partial z \\, W`` in numerator layout): with no layout declared, which
        one the document uses is not known, so it is skipped with a note rather than reported."""
        if not lhs.deriv or "layout" in self.plan.settings or r.node is None:
            return False
        nums = {x.num.id for x in walk(r.node) if isinstance(x, Deriv)} | {lhs.deriv[0]}
        if not nums & self.losses_read or self._fits(f"{lhs.text} = {r.text}"):
            return False
        rows = gradients_as_rows(r, self._gradient, frozenset(self.scalars))
        if not (self._fits(f"{lhs.text} = ({rows.text}).T") if self._gradient(*lhs.deriv)
                else self._fits(f"{lhs.text} = {rows.text}")):
            return False
        self._skip(whole, "rows-only", count=False)
        return True

    def _ends(self) -> list[str]:
        """The values declared or defined so far that no definition uses, in program order."""
        program, _errors, env = self._so_far()
        used = set().union(*self.deps.values()) if self.deps else set()
        out = []
        for s in program.statements:
            if isinstance(s, (Decl, Define)) and s.name not in used and s.name not in out:
                info = env.names.get(s.name)
                if info is None or info.shape is None or OPAQUE in info.attrs:
                    continue
                out.append(s.name)
        return out
