"""Claims that depend on a function the document does not define.

Contract: :func:`opaque_reason` says why a claim cannot be verified when
its right side, or the definitions its derivative is taken through, call a
function declared ``opaque`` (``l : scalar opaque``; ``L = l(o, y)``): the
function has a shape but no value, so no true derivative can be computed.
The claim is reported unchecked with that reason and no warning: the
author made no mistake the checker could see.

    >>> from dsl.language.syntax import parse_text
    >>> from dsl.shapes.checker import check_program
    >>> program, _ = parse_text("o : 1 x 3\\nl : scalar opaque\\nL = l(o, o)\\ndL/do = o\\n")
    >>> env = check_program(program)[0]
    >>> opaque_reason(program, env, program.statements[-1])
    "'l' is a function the document does not define"
"""
from __future__ import annotations

from collections.abc import Mapping

from dsl.core.ast import Call, Claim, Define, Deriv, Expr, Name, Program, walk
from dsl.core.attributes import OPAQUE
from dsl.core.wording import say


def opaque_reason(program: Program, env, claim: Claim,
                  definitions: Mapping[str, Expr] | None = None) -> str | None:
    """The reason ``claim`` cannot be verified because of an opaque function,
    or None.  ``definitions`` (each name's first definition, as a
    ``compute.plan.Plan`` holds them) saves a pass over the whole program,
    so that the cost is that of the definitions the claim reaches."""
    if definitions is None:
        definitions = {}
        for s in program.statements:
            if isinstance(s, Define):
                definitions.setdefault(s.name, s.expr)
    stack: list[Expr] = [claim.expr, claim.deriv.num]
    seen: set[str] = set()
    while stack:
        for node in walk(stack.pop()):
            match node:
                case Call(func=func) if (info := env.names.get(func)) is not None and OPAQUE in info.attrs:
                    return say("why-opaque", name=func)
                case Name(id=name) if name in definitions and name not in seen:
                    seen.add(name)
                    stack.append(definitions[name])
                case Deriv(num=num) if num.id in definitions and num.id not in seen:
                    seen.add(num.id)
                    stack.append(definitions[num.id])
    return None
