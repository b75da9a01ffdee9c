"""A name the document defines again: a new version from there on.

Notes and answers define a quantity, then define it again differently:
the question's cost without its minus sign and the answer's with it, a loss
and then the loss with a penalty added (``L = L + \\lambda R``).  Single
assignment holds per version: the second definition is read as a new name
(``J_2``), later formulas use it, and its own right side still means the
earlier value.  This holds for a name a hand statement defines: the hand
statement says what the document's first definition means, so a second,
different one is another value; and for a second definition that is surely
another value (the first negated or scaled by a number, or with a term
added, or the same formula of other values).  Any other second definition
may as well restate the first in another form (an expansion), and it is
skipped as already defined; so is a restatement with the same right side.
An ``N723`` note names the reading taken.

Contract: :class:`Versions` is the part of the
:class:`~dsl.frontends.builder.Builder` that decides it: ``_new_version``
is asked about a definition of a name already defined, and ``versions``
maps a document's name to its version in force, for the reader's renaming.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from dsl.core import messages
from dsl.core.ast import BinOp, Neg, Number, Op
from dsl.core.span import Span
from dsl.frontends.document import Slice
from dsl.frontends.latex_math import Translation, Unreadable
from dsl.frontends.renaming import renamed
from dsl.frontends.scopes import Plan
from dsl.language.printer import to_source
from dsl.language.syntax import parse_expr


class Versions:
    """Versions of names defined twice (mixed into ``Builder``)."""

    plan: Plan
    known: set[str]
    notes: list
    _read: Callable[..., Translation | Unreadable]
    _so_far: Callable[[], tuple]
    _after: Callable[[str], tuple | None]

    def _versions_start(self) -> None:
        self._math_defs: Counter = Counter()       # the document's name -> its definitions in the math so far
        self.versions: dict[str, str] = {}        # the document's name -> its version in force
        self.defined_as: dict[str, str] = {}      # a defined name -> its right side, as read
        self._first_at: dict[str, int] = {}       # the document's name -> the line of its first definition in the math
        self._by_hand: set[str] = set()           # names a hand statement defines
        self.redefined: dict[str, int] = {}       # a name defined again differently -> that line

    def _count_definition(self, lhs: Translation, line: int) -> int:
        """Count a definition written in the math (on ``line``); returns how many came before it."""
        if lhs.name is None or lhs.deriv:
            return 0
        base = self._base_of(lhs.name)
        self._first_at.setdefault(base, line)
        self._math_defs[base] += 1
        return self._math_defs[base] - 1

    def _new_version(self, lhs: Translation, right: Slice, before: int) -> Translation | None:
        """``lhs`` (a name already defined) as a new version, when a hand
        statement defines it, the math defined it ``before`` already (the
        hand statement stands for that first definition), and ``right``
        reads as a value of the same shape that is not its definition;
        None otherwise."""
        name = lhs.name
        if name is None or before < 1 or lhs.indices or lhs.indexed is not None:
            return None
        r = self._read(right, lhs)
        if not isinstance(r, Translation) or r.aux or r.text == self.defined_as.get(name):
            return None
        if self._base_of(name) not in self._by_hand and not _another_value(r.text, self.defined_as.get(name, "")):
            return None                    # without a hand statement: only a value surely another
        base = self._base_of(name)
        n = 2
        while f"{base}_{n}" in self.known or f"{base}_{n}" in self.plan.scopes:
            n += 1
        version = f"{base}_{n}"
        old = self._so_far()[2].names.get(name)
        checked = self._after(f"{version} = {r.text}\n")
        if old is None or old.shape is None or checked is None or not checked[1]:
            return None
        new = checked[0].names.get(version)
        if new is None or new.shape != old.shape:
            return None
        return renamed(lhs, {name: version})

    def _differs(self, lhs: Translation, right: Slice, line: int) -> None:
        """A name defined again, with no version made of it: when the new right side is surely
        another value (the first negated or scaled, or with a term added: a cost with and without
        its minus sign, a loss and the loss with a penalty), the claims about it that follow are
        not checked, for which of the two they mean is not known.  Any other form may restate
        the first (an expansion): the claims keep the first definition."""
        name = lhs.name
        if name is None or name not in self.defined_as or name in self.redefined or name in self._by_hand:
            return
        r = self._read(right, lhs)
        if isinstance(r, Translation) and r.node is not None and _another_value(r.text, self.defined_as[name]):
            self.redefined[name] = line

    def _base_of(self, name: str) -> str:
        return next((b for b, v in self.versions.items() if v == name), name)

    def _version_defined(self, old: str, lhs: Translation, whole: Span) -> None:
        """The new version ``lhs`` of ``old`` is defined: later formulas use it."""
        base = self._base_of(old)
        assert lhs.name is not None
        self.versions[base] = lhs.name
        self.notes.append(messages.make("N723", whole, name=base, version=lhs.name,
                                        line=self._first_at.get(base, whole.line)))

    def _defined(self, name: str, text: str, hand: bool = False) -> None:
        self.defined_as[name] = text
        if hand:
            self._by_hand.add(name)


_VALUE = re.compile(r"\b[A-Za-z][A-Za-z0-9_]*\b(?!\s*\()")
"""A value's name in a right side (not a function's)."""


def _another_value(new: str, old: str) -> bool:
    """Whether one right side is the other negated, scaled by a number, or with a term added,
    or the same formula of other values (``\\|a^L - y\\|^2``, then ``\\|a^{(3)} - y\\|^2``)."""
    a, b = parse_expr(new)[0], parse_expr(old)[0]
    if a is None or b is None:
        return False
    if new != old and _VALUE.sub("_", new) == _VALUE.sub("_", old):
        return True
    for x, y in ((a, b), (b, a)):
        same = to_source(x)
        match y:
            case Neg(operand=o) if to_source(o) == same:
                return True
            case BinOp(op=Op.ADD | Op.SUB, left=left) if to_source(left) == same:
                return True
            case BinOp(op=Op.MUL | Op.DIV, left=Number(), right=right) if to_source(right) == same:
                return True
            case BinOp(op=Op.MUL | Op.DIV, left=left, right=Number()) if to_source(left) == same:
                return True
    return False
