"""Symbolic sizes that unify: the store the shape inference of documents solves in.

Contract: a :class:`Store` holds size variables in a union-find; a class of
variables is either free (a size nobody stated, to be named later) or
fixed to a size: an ``int`` or a ``Sym`` of the document.  A size term is
an ``int``, a ``Sym`` or a :class:`Var`; a shape term is a tuple of size
terms (``()`` a scalar, two for a matrix).  :meth:`Store.unify` makes two
sizes equal or raises :class:`Conflict`; :meth:`Store.snapshot` and
:meth:`Store.restore` undo a trial.  Every class remembers whether it was
fixed by a statement of the document (``stated``) or by inference alone,
so a conflict can tell a real error (two stated sizes) from a guess that
did not fit.

    >>> s = Store()
    >>> a, b = s.fresh(), s.fresh()
    >>> s.unify(a, b); s.unify(b, 3); s.resolve(a)
    3
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.core.dims import Sym


@dataclass(frozen=True)
class Var:
    """A size variable (an index into the store)."""

    id: int


Term = int | Sym | Var
ShapeT = tuple[Term, ...]


class Conflict(Exception):
    """Two sizes cannot be equal; ``stated`` when both were stated by the document."""

    def __init__(self, left, right, stated: bool):
        super().__init__(f"{left} != {right}")
        self.left, self.right, self.stated = left, right, stated


class Store:
    """Union-find over size variables, with the size each class is fixed to."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.size: list[int] = []
        self.fixed: dict[int, int | Sym] = {}
        self.stated: set[int] = set()       # roots fixed by a size the document states
        self.joined: set[int] = set()       # roots of classes that met another term
        self.sealed: set[int] = set()       # roots of free classes that may no longer meet each other
        self.trail: list[tuple] = []        # every change, so a trial is undone in its own time

    def fresh(self) -> Var:
        self.parent.append(len(self.parent))
        self.size.append(1)
        return Var(len(self.parent) - 1)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            i = self.parent[i]
        return i

    def resolve(self, t: Term) -> Term:
        """The size a term stands for now: its fixed size, or its class's root variable."""
        if isinstance(t, Var):
            root = self.find(t.id)
            return self.fixed.get(root, Var(root))
        return t

    def is_stated(self, t: Term) -> bool:
        """Whether the size is one the document states (a symbol or an integer
        it wrote), rather than one inference chose."""
        if isinstance(t, Var):
            return self.find(t.id) in self.stated
        return True

    def _mark(self, table: set[int], i: int) -> None:
        if i not in table:
            table.add(i)
            self.trail.append((table, i))

    def unify(self, a: Term, b: Term, *, stated: bool = True) -> None:
        """Make ``a`` and ``b`` the same size (``stated``: a literal term counts
        as stated by the document; inference's own choices pass False)."""
        ra, rb = self.resolve(a), self.resolve(b)
        if ra == rb:
            if isinstance(ra, Var):
                self._mark(self.joined, ra.id)
            return
        if isinstance(ra, Var) and isinstance(rb, Var):
            if ra.id in self.sealed and rb.id in self.sealed:
                raise Conflict(ra, rb, True)
            if ra.id in self.sealed or (rb.id not in self.sealed and self.size[ra.id] > self.size[rb.id]):
                ra, rb = rb, ra                  # the sealed root, else the larger class, stays the root
            self.parent[ra.id] = rb.id
            self.size[rb.id] += self.size[ra.id]
            self.trail.append((None, ra.id, rb.id))
            self._mark(self.joined, rb.id)
            return
        if isinstance(ra, Var) or isinstance(rb, Var):
            var, size, other = (ra, rb, b) if isinstance(ra, Var) else (rb, ra, a)
            assert isinstance(var, Var)
            if var.id in self.sealed:
                raise Conflict(ra, rb, True)
            self.fixed[var.id] = size        # type: ignore[assignment]
            self.trail.append((self.fixed, var.id))
            self._mark(self.joined, var.id)
            if stated and self.is_stated(other):
                self._mark(self.stated, var.id)
            return
        raise Conflict(ra, rb, self.is_stated(a) and self.is_stated(b))

    def unify_shapes(self, a: ShapeT, b: ShapeT) -> None:
        """Make two shapes equal (equal ranks, every size equal)."""
        if len(a) != len(b):
            raise Conflict(a, b, False)
        for x, y in zip(a, b, strict=True):
            self.unify(x, y)

    def is_one(self, t: Term) -> bool:
        return self.resolve(t) == 1

    def free(self, t: Term) -> bool:
        """Not fixed to any size yet."""
        return isinstance(self.resolve(t), Var)

    def seal(self) -> None:
        """From now on two free classes that exist now are never made one, nor
        given a size: what they stand for is settled, and a later equation
        that needs otherwise is left to the checker (``Conflict.stated``)."""
        self.sealed = {self.find(i) for i in range(len(self.parent))}

    def snapshot(self) -> int:
        return len(self.trail)

    def restore(self, mark: int) -> None:
        """Undo every change since ``snapshot`` returned ``mark`` (variables
        made since then stay, each a class of its own again)."""
        while len(self.trail) > mark:
            entry = self.trail.pop()
            if entry[0] is None:
                _, child, root = entry
                self.parent[child] = child
                self.size[root] -= self.size[child]
            elif isinstance(entry[0], dict):
                del entry[0][entry[1]]
            else:
                entry[0].discard(entry[1])

    def shape(self, s: ShapeT) -> ShapeT:
        return tuple(self.resolve(t) for t in s)

    def scalar_like(self, s: ShapeT | None) -> bool:
        """A scalar, or a value whose every size is 1."""
        return s is not None and all(self.is_one(t) for t in s)
