"""Attributes of a declaration: known ones kept, unknown ones E205 (with the
nearest), square-only ones on a value that is not square E207 (``symmetric``
and ``spd`` of a tensor: its last two axes)."""
from __future__ import annotations

from dsl.core import messages
from dsl.core.ast import Decl
from dsl.core.attributes import ATTRIBUTES, SQUARE_ATTRIBUTES
from dsl.core.diagnostics import Label, Sink
from dsl.core.dims import Shape
from dsl.core.wording import say
from dsl.shapes import hints

LAST_AXES = ("symmetric", "spd")   # of a tensor, each matrix of its last two axes


def check(decl: Decl, shape: Shape | None, sink: Sink) -> list[str]:
    """The names of the declaration's sound attributes; the others reported."""
    attrs = []
    for attr in decl.attrs:
        if attr.name not in ATTRIBUTES:
            hint, fix = hints.did_you_mean(attr.span, hints.nearest(attr.name, ATTRIBUTES))
            hint = hint or say("attributes-are", names=", ".join(ATTRIBUTES))
            sink.add(messages.make("E205", attr.span, hint=hint, fix=fix, name=attr.name))
        elif attr.name in SQUARE_ATTRIBUTES and shape is not None and not (
                shape.is_scalar or (shape.last_square if attr.name in LAST_AXES else shape.is_square)):
            sink.add(messages.make("E207", attr.span, labels=[Label(decl.shape.span, str(shape))],
                                   attr=attr.name, name=decl.name, shape=shape))
        else:
            attrs.append(attr.name)
    return attrs
