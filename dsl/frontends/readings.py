"""How the builder reads a side its conventions decide, asked of the shape checker.

Contract: :class:`Readings` is the part of the
:class:`~dsl.frontends.builder.Builder` that asks the shape checker about
the program assembled so far: whether a candidate line checks (``_fits``,
for ``conventions``), whether a derivative is the gradient of a scalar (for
gradients written as rows), whether a value just defined is 1 x 1; and
:meth:`Readings._convention`, which applies the document's conventions to
a claim's right side (``\\cdot``, rows, an entrywise derivative) and names
the reading taken (``N722``).
"""
from __future__ import annotations

from collections.abc import Callable

from dsl.core import messages
from dsl.core.ast import Program
from dsl.core.span import Span
from dsl.core.wording import say
from dsl.frontends.conventions import Conventions, has_cdot
from dsl.frontends.document import Slice
from dsl.frontends.entrywise import as_diagonal, diagonal_claim
from dsl.frontends.latex_math import Translation, Unreadable
from dsl.frontends.renaming import gradients_as_rows
from dsl.frontends.scopes import Plan
from dsl.language.syntax import parse_text
from dsl.shapes.checker import check_program


class Readings:
    """Questions to the shape checker about the program so far (mixed into ``Builder``)."""

    plan: Plan
    parts: list[str]
    size: int
    scalars: set[str]
    notes: list
    conventions: Conventions
    _noted: set
    _prefix: tuple | None

    _read: Callable[..., Translation | Unreadable]

    def _convention(self, lhs: Translation, part: Slice, r: Translation, whole: Span) -> tuple[Translation, bool]:
        """The reading the document's conventions call for (``conventions``),
        and whether a gradient is written as a row; a note names the reading."""
        note, rows = None, False
        if self.plan.settings.get("cdot") is None and has_cdot(part.text):
            alt = self._read(part, cdot="elementwise")
            if isinstance(alt, Translation) and alt.text != r.text:
                pick = self.conventions.choose_cdot([f"{lhs.text} = {r.text}", f"{lhs.text} = {alt.text}"])
                r, note = (alt if pick else r), self.conventions.note
        if lhs.deriv and self.plan.settings.get("layout", ("",))[0] == "numerator":
            rows = self._gradient(*lhs.deriv)       # in numerator layout: the transposed shape
            if rows:                                # and so is every gradient on the right
                r = gradients_as_rows(r, self._gradient, frozenset(self.scalars))
            inferred = self.plan.settings["layout"][1] < 0
            note = ("rows-inferred" if inferred else "rows-gradient") if rows else note
        if lhs.deriv and diagonal_claim(lhs, r, self._after, frozenset(self.scalars)):
            r, note = as_diagonal(r), "entrywise-derivative"     # d/dz f(z) = f'(z), entry by entry
        if note and (whole, note) not in self._noted:      # once per formula
            self._noted.add((whole, note))
            self.notes.append(messages.make("N722", whole, what=say(note)))
        return r, rows

    def _so_far(self) -> tuple:
        """The program assembled so far, its error count and checked environment
        (parsed once per length: only what was added since)."""
        if self._prefix is None or self._prefix[0] != self.size:
            done, statements = (0, ()) if self._prefix is None else (self._prefix[0], self._prefix[1].statements)
            added, _ = parse_text("".join(self.parts)[done:])      # whole lines: only what was added
            program = Program(statements + added.statements, added.source_name)
            env, found = check_program(program)
            self._prefix = (self.size, program, _count_errors(found), env)
        return self._prefix[1:]

    def _after(self, text: str) -> tuple | None:
        """The checked environment of the program so far followed by
        ``text``, and whether ``text`` added no error; None when it does not parse."""
        program, before, _ = self._so_far()
        added, problems = parse_text(text)
        if any(d.is_error for d in problems):
            return None
        env, found = check_program(Program(program.statements + added.statements, program.source_name))
        return env, _count_errors(found) == before

    def _fits(self, line: str) -> bool:
        """Whether ``line`` checks after the program assembled so far."""
        after = self._after(line + "\n")
        return after is not None and after[1]

    def _gradient(self, num: str, den: str) -> bool:
        """Whether ``d num / d den`` is the gradient of a 1 x 1 value by a vector or matrix."""
        names = self._so_far()[2].names
        y, x = names.get(num), names.get(den)
        return (y is not None and x is not None and y.shape is not None and x.shape is not None
                and y.shape.is_one_by_one and not x.shape.is_one_by_one)

    def _one_by_one(self, name: str) -> bool:
        """Whether the value just defined is 1 x 1 (``a = \\sigma(w^T x)``): then a
        product written beside it is a scaling, as its author means."""
        info = self._so_far()[2].names.get(name)
        return info is not None and info.shape is not None and info.shape.is_one_by_one


def _count_errors(diagnostics: list) -> int:
    return sum(1 for d in diagnostics if d.is_error)
