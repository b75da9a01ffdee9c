"""The macros a document defines, and their expansion in its math.

Contract: :meth:`Macros.scan` reads every macro definition of a host text
once: ``\\newcommand``, ``\\renewcommand``, ``\\providecommand`` (starred too,
with ``[n]`` arguments and a ``[default]`` for the first), ``\\def\\x#1{...}``,
``\\DeclareMathOperator{\\softmax}{softmax}`` (a function name, as
``\\operatorname``), and the ``macros`` of a MathJax (v3 ``tex: {macros:
...}``, v2 ``TeX: {Macros: ...}``) or KaTeX configuration
(``{"\\\\RR": "\\\\mathbb{R}"}``, ``matr: ['\\\\mathbf{#1}', 1]``).  Definitions
inside the math itself count too (MathJax keeps them).
:meth:`Macros.expand` rewrites one :class:`~dsl.frontends.document.Slice` of
math: each invocation is replaced by its body, the characters of the body
placed on the invocation's range of the host, the characters of an argument
on the argument's own; definitions written in the slice are removed.  A
later definition of a name wins from where it is written on; a definition
anywhere in the document applies before its first one (a configuration
block at the end of a page).  Expansion is bounded (nesting depth, length):
past a bound the slice is left as far as it got and the reason returned.

    >>> m = Macros.scan(r"\\newcommand{\\yhat}{\\hat{y}} \\def\\matr#1{\\mathbf{#1}}")
    >>> m.expand(Slice.of(r"\\yhat - \\matr{W}", 0, 16))[0].text
    '\\\\hat{y} - \\\\mathbf{W}'
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from dsl.core.wording import say
from dsl.frontends.document import Slice
from dsl.frontends.hypotheses import invocation, scan as scan_functions

MAX_DEPTH = 20            # macros expanding into macros
MAX_EXPANDED = 8000       # characters of one expanded slice (twice what one side may hold)


@dataclass(frozen=True)
class Macro:
    name: str                    # without the backslash
    body: str
    params: int = 0
    default: str | None = None   # the optional first argument's default
    at: int = 0                  # host offset of the definition


_DEFINE = re.compile(r"\\(?:re|provide)?newcommand\*?\s*(?:\{\s*\\([A-Za-z]+|.)\s*\}|\\([A-Za-z]+|.))"
                     r"\s*(?:\[\s*(\d)\s*\])?")
_DEF = re.compile(r"\\[gex]?def\s*\\([A-Za-z]+|.)((?:\s*#\d)*)\s*(?=\{)")
_OPERATOR = re.compile(r"\\DeclareMathOperator(\*?)\s*\{\s*\\([A-Za-z]+)\s*\}\s*(?=\{)")
_CONFIG = re.compile(r"\b[Mm]acros\s*:\s*\{")
_WORD = re.compile(r"\\([A-Za-z]+|.)", re.S)


def group(text: str, i: int) -> tuple[str, int] | None:
    """The balanced ``{...}`` at ``i`` (spaces before it skipped): its inside and the end."""
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0:
            return text[i + 1:j], j + 1
        j += 1
    return None


class Macros:
    """A document's macro table (see the module docstring)."""

    def __init__(self, found: list[Macro]):
        self.by_name: dict[str, list[Macro]] = {}
        self.functions: dict[str, list[Macro]] = {}    # h_\\theta(x) = ...: see ``hypotheses``
        for m in sorted(found, key=lambda m: m.at):
            table = self.functions if "_" in m.name else self.by_name
            table.setdefault(m.name, []).append(m)

    def __bool__(self) -> bool:
        return bool(self.by_name or self.functions)

    @classmethod
    def scan(cls, text: str) -> Macros:
        found = [Macro(name, body, 1, None, at) for name, body, at in scan_functions(text)]
        if "\\" not in text:
            return cls(found)
        for m in _DEFINE.finditer(text):
            if _commented(text, m.start()):
                continue
            body_at = m.end()
            default = None
            opt = re.compile(r"\s*\[([^\]]*)\]").match(text, body_at)
            if m.group(3) and opt:
                default, body_at = opt.group(1), opt.end()
            g = group(text, body_at)
            if g:
                found.append(Macro(m.group(1) or m.group(2), g[0], int(m.group(3) or 0), default, m.start()))
        for m in _DEF.finditer(text):
            if _commented(text, m.start()):
                continue
            g = group(text, m.end())
            if g:
                found.append(Macro(m.group(1), g[0], m.group(2).count("#"), None, m.start()))
        for m in _OPERATOR.finditer(text):
            if _commented(text, m.start()):
                continue
            g = group(text, m.end())
            if g:
                found.append(Macro(m.group(2), r"\operatorname" + m.group(1) + "{" + g[0] + "}", 0, None, m.start()))
        for m in _CONFIG.finditer(text):
            found += [Macro(name, body, n, default, m.start()) for name, body, n, default in _js_macros(text, m.end())]
        return cls(found)

    def lookup(self, name: str, at: int) -> Macro | None:
        """The definition of ``name`` in force at host offset ``at``."""
        defs = (self.functions if "_" in name else self.by_name).get(name)
        if not defs:
            return None
        i = bisect.bisect_right([d.at for d in defs], at) - 1
        return defs[max(i, 0)]

    def expand(self, sl: Slice) -> tuple[Slice, str | None]:
        """``sl`` with every macro expanded and definitions removed; the
        reason expansion stopped early, or None."""
        if not self or ("\\" not in sl.text and not self.functions):
            return sl, None
        text, offs = sl.text, list(sl.offs)
        for _ in range(MAX_DEPTH + 1):
            changed, text, offs = self._once(text, offs, sl.offs[0] if sl.offs else sl.end)
            if not changed:
                return Slice(text, tuple(offs), sl.end), None
            if len(text) > MAX_EXPANDED:
                return (Slice(text[:MAX_EXPANDED], tuple(offs[:MAX_EXPANDED]), sl.end),
                        say("macro-too-long", length=MAX_EXPANDED))
        return Slice(text, tuple(offs), sl.end), say("macro-too-deep", depth=MAX_DEPTH)

    def _once(self, text: str, offs: list[int], at: int) -> tuple[bool, str, list[int]]:
        out: list[str] = []
        where: list[int] = []
        i, changed = 0, False
        while i < len(text):
            if self.functions and (applied := self._function(text, offs, i, at)) is not None:
                i, body, body_offs = applied
                out.append(body)
                where.extend(body_offs)
                changed = True
                continue
            if text[i] != "\\":
                out.append(text[i])
                where.append(offs[i])
                i += 1
                continue
            m = _WORD.match(text, i)
            if m is None:
                out.append(text[i])
                where.append(offs[i])
                i += 1
                continue
            skip = _definition_end(text, i)
            if skip:
                changed, i = True, skip
                continue
            macro = self.lookup(m.group(1), offs[i] if offs else at) if m.group(1).isalpha() else None
            used = _invocation(text, offs, m.end(), macro) if macro else None
            if macro is None or used is None:
                out.append(m.group(0))
                where.extend(offs[i:m.end()])
                i = m.end()
                continue
            end, args = used
            body, body_offs = _substitute(macro.body, args, offs[i], offs[end - 1] + 1)
            if body and body[-1].isalpha() and end < len(text) and text[end].isalpha():
                body, body_offs = body + " ", [*body_offs, body_offs[-1]]   # \th x stays two tokens
            out.append(body)
            where.extend(body_offs)
            i, changed = end, True
        return changed, "".join(out), where

    def _function(self, text: str, offs: list[int], i: int, at: int) -> tuple[int, str, list[int]] | None:
        """A use of a function the document defines (``h_\\theta(x^{(i)})``), expanded in parentheses;
        None elsewhere and on the definition's own left side."""
        if not text[i].isalpha() or (use := invocation(text, i)) is None:
            return None
        name, end, a, b = use
        here = offs[i] if offs else at
        macro = self.lookup(name, here)
        if macro is None or macro.at == here or macro.at > here:
            return None
        body, body_offs = _substitute("(" + macro.body + ")", [(text[a:b], offs[a:b])], offs[i], offs[end - 1] + 1)
        return end, body, body_offs


def _invocation(text: str, offs: list[int], i: int, macro: Macro) -> tuple[int, list[tuple[str, list[int]]]] | None:
    """Where the invocation ends and its arguments as (text, host offsets)."""
    args: list[tuple[str, list[int]]] = []
    n = macro.params
    if macro.default is not None:
        opt = re.compile(r"\s*\[([^\]]*)\]").match(text, i)
        if opt:
            args.append((opt.group(1), offs[opt.start(1):opt.end(1)]))
            i = opt.end()
        else:
            args.append((macro.default, [offs[i - 1]] * len(macro.default)))
        n -= 1
    for _ in range(n):
        while i < len(text) and text[i] in " \t\n":
            i += 1
        if i >= len(text):
            return None
        g = group(text, i)
        if g:
            args.append((g[0], offs[i + 1:g[1] - 1]))
            i = g[1]
        else:
            m = _WORD.match(text, i) if text[i] == "\\" else None
            j = m.end() if m else i + 1
            args.append((text[i:j], offs[i:j]))
            i = j
    return i, args


def _substitute(body: str, args: list[tuple[str, list[int]]], start: int, end: int) -> tuple[str, list[int]]:
    """The body with ``#k`` replaced: its own characters placed on the
    invocation's host range (the last at its end, so the whole expansion
    spans the whole invocation), an argument's where it was written."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(body):
        if body[i] == "#" and i + 1 < len(body) and body[i + 1].isdigit():
            k = int(body[i + 1]) - 1
            if 0 <= k < len(args):
                out.append(args[k][0])
                where.extend(args[k][1])
            i += 2
            continue
        out.append(body[i])
        where.append(start)
        i += 1
    last = max((k for k, w in enumerate(where) if w == start), default=None)
    if last is not None:
        where[last] = max(start, end - 1)
    return "".join(out), where


def _commented(text: str, at: int) -> bool:
    """Whether a LaTeX comment (an unescaped ``%``) starts earlier on the line."""
    line = text[text.rfind("\n", 0, at) + 1:at]
    return re.search(r"(?<!\\)%", line) is not None


def _definition_end(text: str, i: int) -> int:
    """The end of a macro definition written at ``i``, or 0."""
    for pattern in (_DEFINE, _DEF, _OPERATOR):
        m = pattern.match(text, i)
        if m:
            body_at = m.end()
            opt = re.compile(r"\s*\[([^\]]*)\]").match(text, body_at)
            if pattern is _DEFINE and m.group(3) and opt:
                body_at = opt.end()
            g = group(text, body_at)
            return g[1] if g else 0
    return 0


# ------------------------------------------------- MathJax and KaTeX configuration

_JS_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "`": "`"}


def _js_string(text: str, i: int) -> tuple[str, int] | None:
    quote = text[i] if i < len(text) else ""
    if quote not in "'\"`":
        return None
    out, j = [], i + 1
    while j < len(text) and text[j] != quote:
        if text[j] == "\\" and j + 1 < len(text):
            out.append(_JS_ESCAPES.get(text[j + 1], "\\" + text[j + 1]))
            j += 2
            continue
        out.append(text[j])
        j += 1
    return ("".join(out), j + 1) if j < len(text) else None


def _js_macros(text: str, i: int) -> list[tuple[str, str, int, str | None]]:
    """The entries of a ``macros: {...}`` object literal starting after its ``{``."""
    found: list[tuple[str, str, int, str | None]] = []
    space = re.compile(r"[\s,]*")
    key_word = re.compile(r"[A-Za-z_$][\w$]*")
    while i < len(text) and len(found) < 10000:
        i = space.match(text, i).end()  # type: ignore[union-attr]
        if i >= len(text) or text[i] == "}":
            break
        key = _js_string(text, i)
        if key is None:
            m = key_word.match(text, i)
            if m is None:
                break
            key = (m.group(0), m.end())
        name, i = key[0].lstrip("\\"), key[1]
        m = re.compile(r"\s*:\s*").match(text, i)
        if m is None:
            break
        i = m.end()
        if text.startswith("[", i):
            j = space.match(text, i + 1).end()  # type: ignore[union-attr]
            body = _js_string(text, j)
            if body is None:
                break
            n = re.compile(r"[\s,]*(\d+)").match(text, body[1])
            params, j = (int(n.group(1)), n.end()) if n else (0, body[1])
            j = space.match(text, j).end()  # type: ignore[union-attr]
            default = _js_string(text, j)
            if default:
                j = default[1]
            close = text.find("]", j)
            if close < 0:
                break
            found.append((name, body[0], params, default[0] if default else None))
            i = close + 1
        else:
            body = _js_string(text, i)
            if body is None:
                break
            found.append((name, body[0], 0, None))
            i = body[1]
    return [f for f in found if re.fullmatch(r"[A-Za-z]+", f[0])]
