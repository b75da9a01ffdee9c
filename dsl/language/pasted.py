"""Slips of code pasted from NumPy or typeset mathematics (E231-E234).

A statement that does not parse is searched for spellings that work
elsewhere and have a spelling here, each reported with a located
diagnostic and, where one concrete replacement exists, a :class:`Fix`:

- a method call on a value, ``X.sum(axis=1)``: the function with the value
  first, ``sum(X, axis=1)`` (any function of the table: ``.mean``, ``.max``,
  ``.clip``), and ``.T()`` or ``.transpose()``: ``.T`` (E231);
- a module prefix, ``np.exp(X)``, ``numpy.linalg.inv(A)``: the function
  without it when the table has it (E232);
- ``X^-1``, ``X^{-1}``, ``X⁻¹``: ``inv(X)`` (E233);
- ``√x``: ``sqrt(x)``; ``u ⊗ v``: ``outer(u, v)``, with the Kronecker
  product of matrices not supported (E234).

Operands are found by scanning the text around the slip: a name, a number or
a bracketed group, with the function name before a group and transposes
after it; every scan is bounded, so hostile input stays linear.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from dsl.builtins import lookup
from dsl.core import messages
from dsl.core.diagnostics import Diagnostic, Fix
from dsl.core.span import Span
from dsl.core.wording import say, title

SpanOf = Callable[[int, int], Span]

_SCAN = 400              # how far a bracket is looked for
_NAME_END = re.compile(r"[^\W\d]\w*'?$")
_NAME_START = re.compile(r"\s*([^\W\d]\w*|[0-9]+(?:\.[0-9]*)?)")
_METHOD = re.compile(r"\.[ \t]*([^\W\d]\w*)[ \t]*\(")
_PREFIX = re.compile(r"(?<![\w.])(np|numpy)\.(?:linalg\.)?([^\W\d]\w*)(?=[ \t]*\()")
_INVERSE = re.compile(r"\^[ \t]*(?:\{[ \t]*-[ \t]*1[ \t]*\}|\([ \t]*-[ \t]*1[ \t]*\)|-[ \t]*1(?![\w.]))|⁻¹")
_TRANSPOSE_METHODS = ("T", "transpose")
_MODULES = ("np", "numpy", "linalg")      # np.exp( is a prefix, not a method
_OPEN, _CLOSE = "([", ")]"


def slips(code: str, span: SpanOf) -> list[Diagnostic]:
    """The pasted-code diagnostics of one statement's text (comments blanked)."""
    return [*_methods(code, span), *_prefixes(code, span), *_inverses(code, span),
            *_roots(code, span), *_kronecker(code, span)]


# ------------------------------------------------------------- operands

def _group_start(code: str, close: int) -> int | None:
    """Where the group closed at ``close`` opens."""
    depth = 0
    for j in range(close, max(-1, close - _SCAN), -1):
        depth += (code[j] in _CLOSE) - (code[j] in _OPEN)
        if depth == 0:
            return j
    return None


def _group_end(code: str, open_: int) -> int | None:
    """Just past the bracket that closes the group opened at ``open_``."""
    depth = 0
    for j in range(open_, min(len(code), open_ + _SCAN)):
        depth += (code[j] in _OPEN) - (code[j] in _CLOSE)
        if depth == 0:
            return j + 1
    return None


def operand_before(code: str, at: int) -> int | None:
    """Where the operand that ends at ``at`` starts: a name (``sigma'``), a
    number, or a bracketed group with the function called on it, followed by
    any transposes (``W.T``, ``(a - b)ᵀ``)."""
    end = len(code[:at].rstrip(" \t"))
    while True:
        if code.endswith(".T", 0, end):
            end -= 2
        elif code.endswith("ᵀ", 0, end):
            end -= 1
        else:
            break
    if end == 0:
        return None
    if code[end - 1] in _CLOSE:
        start = _group_start(code, end - 1)
        if start is None:
            return None
        name = _NAME_END.search(code[max(0, start - 60):start])
        return start - len(name.group()) if name else start
    name = re.search(r"(?:[^\W\d]\w*|[0-9]+(?:\.[0-9]*)?)$", code[max(0, end - 60):end])
    return end - len(name.group()) if name else None


def operand_after(code: str, at: int) -> int | None:
    """Just past the operand that starts at ``at``: a name, a number, or a
    bracketed group (a call when a name is followed by one)."""
    m = _NAME_START.match(code, at)
    end = m.end() if m else at
    rest = len(code) - len(code[end:].lstrip(" \t"))
    if rest < len(code) and code[rest] in _OPEN and (m is None or code[end:rest] == ""):
        return _group_end(code, rest)
    return end if m else None


def _inner(text: str) -> str:
    """A bracketed group without its brackets, when they enclose all of it."""
    text = text.strip()
    if text[:1] in _OPEN and _group_end(text, 0) == len(text):
        return text[1:-1].strip()
    return text


# -------------------------------------------------------------- the slips

def _methods(code: str, span: SpanOf) -> list[Diagnostic]:
    out = []
    for m in _METHOD.finditer(code):
        name, open_ = m.group(1), m.end() - 1
        start = operand_before(code, m.start())
        if start is None or code[start:m.start()].strip() in _MODULES:
            continue
        close = _group_end(code, open_)
        if name in _TRANSPOSE_METHODS:
            if close is None or code[open_ + 1:close - 1].strip():
                continue
            where = span(m.start(), close)
            out.append(messages.make("E231", where, call=f"'.{name}()'", hint=say("method-transpose"),
                                     fix=Fix(where, ".T", title("matlab", replacement=".T"))))
            continue
        row = lookup(name)
        if row is None:
            continue
        call = f"'.{name}(...)'"
        if close is None:
            out.append(messages.make("E231", span(m.start(), m.end()), call=call,
                                     hint=say("method-call-words", name=row.name)))
            continue
        args = code[open_ + 1:close - 1].strip()
        value = _inner(code[start:m.start()])
        new = f"{row.name}({value}{', ' + args if args else ''})"
        where = span(start, close)
        out.append(messages.make("E231", where, call=call, hint=say("method-call", replacement=f"`{new}`"),
                                 fix=Fix(where, new, title("pasted", replacement=new))))
    return out


def _prefixes(code: str, span: SpanOf) -> list[Diagnostic]:
    out = []
    for m in _PREFIX.finditer(code):
        name = m.group(2)
        prefix = code[m.start():m.start(2)]
        where = span(m.start(), m.end())
        row = lookup(name)
        if row is None:
            out.append(messages.make("E232", where, prefix=prefix, hint=say("prefix-unknown", name=name)))
            continue
        out.append(messages.make("E232", where, prefix=prefix, hint=say("prefix-drop", name=row.name),
                                 fix=Fix(where, row.name, title("pasted", replacement=row.name))))
    return out


def _inverses(code: str, span: SpanOf) -> list[Diagnostic]:
    out = []
    for m in _INVERSE.finditer(code):
        start = operand_before(code, m.start())
        if start is None:
            where = span(m.start(), m.end())
            out.append(messages.make("E233", where, text=m.group(), hint=say("inverse-words")))
            continue
        new = f"inv({_inner(code[start:m.start()])})"
        where = span(start, m.end())
        out.append(messages.make("E233", where, text=code[start:m.end()], hint=say("inverse", replacement=f"`{new}`"),
                                 fix=Fix(where, new, title("pasted", replacement=new))))
    return out


def _roots(code: str, span: SpanOf) -> list[Diagnostic]:
    out = []
    for m in re.finditer("√", code):
        end = operand_after(code, m.end())
        what = say("root-symbol")
        if end is None:
            out.append(messages.make("E234", span(m.start(), m.end()), symbol="√", what=what,
                                     hint=say("root-words")))
            continue
        new = f"sqrt({_inner(code[m.end():end])})"
        where = span(m.start(), end)
        out.append(messages.make("E234", where, symbol="√", what=what, hint=say("root", replacement=f"`{new}`"),
                                 fix=Fix(where, new, title("pasted", replacement=new))))
    return out


def _kronecker(code: str, span: SpanOf) -> list[Diagnostic]:
    out = []
    for m in re.finditer("⊗", code):
        start, end = operand_before(code, m.start()), operand_after(code, m.end())
        what = say("kronecker-symbol")
        if start is None or end is None:
            out.append(messages.make("E234", span(m.start(), m.end()), symbol="⊗", what=what,
                                     hint=say("kronecker-words")))
            continue
        new = f"outer({_inner(code[start:m.start()])}, {_inner(code[m.end():end])})"
        where = span(start, end)
        out.append(messages.make("E234", where, symbol="⊗", what=what, hint=say("kronecker", replacement=f"`{new}`"),
                                 fix=Fix(where, new, title("pasted", replacement=new))))
    return out
