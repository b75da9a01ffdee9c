"""Who reads whom in a program: each definition's names, computed once.

A :class:`Plan` holds the first definition of every name, the names each
definition reads (``evaluate.names_used``, walked once per definition) and
the reverse edges (which definitions read a name).  Every question
verification asks of the dependency graph is answered from these in time
proportional to the answer, not to the program: the definitions a name
needs (:meth:`Plan.order_of`), the definitions that change with a variable
(:meth:`Plan.dependents`).  A plan grows with its program
(:meth:`Plan.extend`), so a REPL session walks each definition once.

>>> from dsl.language import syntax
>>> program, _ = syntax.parse_text("x : 1 x 3\\na = 2 * x\\nb = sum(a)\\nc = sum(x)", "t.deriv")
>>> plan = Plan(program.statements)
>>> plan.order_of("b"), sorted(plan.dependents("a"))
(['a', 'b'], ['a', 'b'])
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from dsl.compute.evaluate import names_used
from dsl.core.ast import Decl, Define, Expr, Stmt


class Plan:
    """The definitions of a program and their reads, in program order."""

    def __init__(self, statements: Sequence[Stmt] = ()):
        self.defs: dict[str, Expr] = {}
        self.index: dict[str, int] = {}           # statement of the first declaration or definition
        self.reads: dict[str, frozenset[str]] = {}
        self.readers: dict[str, list[str]] = {}
        self.by_expr: dict[int, str] = {}         # id of a definition's expression -> its name
        self.seen = 0                             # statements taken in so far
        self.extend(statements)

    def extend(self, statements: Sequence[Stmt]) -> Plan:
        """Take in the statements past those already seen (``statements``
        is the whole program so far, of which this plan saw a prefix)."""
        for position, stmt in enumerate(statements[self.seen:], self.seen):
            if isinstance(stmt, Decl):
                self.index.setdefault(stmt.name, position)
            if isinstance(stmt, Define) and stmt.name not in self.defs:
                used = frozenset(names_used(stmt.expr))
                if stmt.name in self.index and self._reaches(used, stmt.name):
                    continue    # a declared name defined through itself (E201): the declaration stands
                self.defs[stmt.name] = stmt.expr
                self.index.setdefault(stmt.name, position)
                self.reads[stmt.name] = used
                self.by_expr[id(stmt.expr)] = stmt.name
                for name in used:
                    self.readers.setdefault(name, []).append(stmt.name)
        self.seen = max(self.seen, len(statements))
        return self

    def _reaches(self, used: frozenset[str], name: str) -> bool:
        """Whether a definition reading ``used`` would read ``name`` itself,
        directly or through the definitions it needs (a cycle)."""
        return name in used or any(name in self.reads[d] for d in self.needs(used))

    def reads_of(self, expr: Expr) -> frozenset[str]:
        """The names ``expr`` reads: walked once for a definition's expression."""
        name = self.by_expr.get(id(expr))
        return self.reads[name] if name is not None else frozenset(names_used(expr))

    def needs(self, names: Iterable[str]) -> set[str]:
        """The definitions among ``names`` and every definition they read, transitively."""
        needed: set[str] = set()
        stack = list(names)
        while stack:
            n = stack.pop()
            if n in needed or n not in self.defs:
                continue
            needed.add(n)
            stack.extend(self.reads[n])
        return needed

    def closure(self, names: Iterable[str]) -> set[str]:
        """``names``, the definitions they need and every name those read:
        all a claim about ``names`` evaluates."""
        names = set(names)
        needed = self.needs(names)
        out = names | needed
        for n in needed:
            out.update(self.reads[n])
        return out

    def in_order(self, names: Iterable[str]) -> list[str]:
        """``names`` in program order (names the program does not declare last, sorted)."""
        last = self.seen
        return sorted(names, key=lambda n: (self.index.get(n, last), n))

    def order_of(self, name: str) -> list[str]:
        """The definitions ``name`` needs (itself included), in program order."""
        return sorted(self.needs((name,)), key=self.index.__getitem__)

    def changes_with(self, wrt: str) -> ChangesWith:
        """Whether a name changes with ``wrt``, answered for the names asked
        about (and what they read) only: a tape asks of the definitions its
        outputs need, while :meth:`dependents` walks every reader of ``wrt``."""
        return ChangesWith(self, wrt)

    def dependents(self, wrt: str) -> set[str]:
        """Every definition whose value changes with ``wrt``, and ``wrt``."""
        live, stack = {wrt}, [wrt]
        while stack:
            for reader in self.readers.get(stack.pop(), ()):
                if reader not in live:
                    live.add(reader)
                    stack.append(reader)
        return live


class ChangesWith:
    """``name in changes`` when the value of ``name`` changes with ``wrt``
    (``wrt`` itself included); each answer walks only what ``name`` reads,
    once, iteratively.

    >>> from dsl.language import syntax
    >>> program, _ = syntax.parse_text("x : 1 x 3\\na = 2 * x\\nb = sum(a)\\nc = sum(x)\\nd = 3", "t.deriv")
    >>> changes = Plan(program.statements).changes_with("a")
    >>> [n in changes for n in ("a", "b", "c", "d", "x", "nothing")]
    [True, True, False, False, False, False]
    """

    def __init__(self, plan: Plan, wrt: str):
        self.plan, self.wrt = plan, wrt
        self.known: dict[str, bool] = {wrt: True}

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        known, plan = self.known, self.plan
        if name in known:
            return known[name]
        stack, visiting = [(name, False)], set()
        while stack:
            n, expanded = stack.pop()
            if n in known:
                continue
            if n not in plan.defs:
                known[n] = False
            elif expanded:
                known[n] = any(known.get(r, False) for r in plan.reads[n])
            elif n not in visiting:     # (a name met again on its own path is left to its first visit)
                visiting.add(n)
                stack.append((n, True))
                stack.extend((r, False) for r in plan.reads[n] if r not in known)
        return known[name]
