"""How a statement that does not parse is explained (E100-E103).

The first cause that applies wins: a known slip (``·`` E102; MATLAB's
``.*``, ``./``, ``.^`` and quote transpose E103), an unbalanced bracket
(E101), else what the parser expected and what it found, in words a reader
understands ("expected an operand, found ')'"), never terminal names.
:func:`describe` takes the parser's exception as it comes (a token error has
``token``, a character error ``pos_in_stream``, a premature end neither), so
this module needs no parser import.
"""
from __future__ import annotations

import re

from dsl.core import messages
from dsl.core.diagnostics import Diagnostic, Fix, Label
from dsl.core.span import Source, Span
from dsl.core.wording import TERMINALS, say, title
from dsl.language import pasted

BLANK = " \t\f\r\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
        "\u200b\u202f\u205f\u3000\ufeff"   # the grammar's WS, less the newline


_MIDDLE_DOT = re.compile("[·⋅∙]")
_MATLAB = re.compile(r"\.([*/^'])")
_QUOTE = re.compile(r"'(?!\s*\(|')")
_ENDS_IN_NUMBER = re.compile(r"(?:^|[^\w.])[0-9]+$")
_STARTS_WITH_NUMBER = re.compile(r"[ \t]*[0-9]+(?![\w.])")
_ENDS_IN_NAME = re.compile(r"[^\W\d]\w*$")
_MATLAB_FIXES = {"*": "*", "/": "/", "^": "**", "'": ".T"}   # MATLAB's .op -> NumPy's
_CLOSER_OF = {"(": ")", "[": "]"}
_OPENER_OF = {")": "(", "]": "["}
_OPEN_FOR = str.maketrans(_OPENER_OF)
_MAX_SLIPS = 10          # per statement: a line of junk gets a few, not thousands
_OPERATORS = frozenset({"PLUS", "MINUS", "AT", "STAR", "SLASH", "POW", "TRANSPOSE", "GT", "GE", "LT", "LE"})
_COMPARISONS = frozenset({"GT", "GE", "LT", "LE"})
_OPERANDS = frozenset({"NAME", "NUMBER", "DERIV", "PRIMED", "LPAR", "LSQB", "MINUS", "SUM", "SUM_SIGN"})
_CHAR_HINTS = {"^": "caret", ".": "dot", "\\": "backslash", "×": "times-sign"}   # wording keys


def describe(source: Source, base: int, text: str, err) -> list[Diagnostic]:
    """The diagnostics for ``text`` (at offset ``base`` of ``source``) that failed with ``err``."""
    code = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)

    def span(start: int, end: int) -> Span:
        return source.span(base + start, base + end)

    found = _slips(code, span)
    if found:
        return found
    bracket = _unbalanced(code, span)
    if bracket is not None:
        return [bracket]
    return [_unexpected(code, span, err)]


def _slips(code: str, span) -> list[Diagnostic]:
    out = [messages.make("E102", span(m.start(), m.end()), hint=say("middle-dot"), fix=_dot_fix(code, m, span))
           for m in _MIDDLE_DOT.finditer(code)]
    for m in _MATLAB.finditer(code):
        if _ENDS_IN_NUMBER.search(code[max(0, m.start() - 40):m.start()]):
            continue  # 2./x is the number 2. divided by x
        where, new = span(m.start(), m.end()), _MATLAB_FIXES[m.group(1)]
        out.append(messages.make("E103", where, op=say("matlab-op", op=m.group()), hint=say("matlab-" + m.group(1)),
                                 fix=Fix(where, new, title("matlab", replacement=new))))
    for m in _QUOTE.finditer(code):
        at = m.start()
        if at > 0 and code[at - 1] == ".":
            continue  # .' was reported above
        operand = _operand_before(code, at)
        if operand is None:
            continue
        where = span(at, at + 1)
        out.append(messages.make("E103", where, op=say("matlab-quote-op", operand=operand),
                                 hint=say("matlab-quote", operand=operand),
                                 fix=Fix(where, ".T", title("matlab", replacement=".T"))))
    out += pasted.slips(code, span)
    return out[:_MAX_SLIPS]


def _dot_fix(code: str, m: re.Match, span) -> Fix | None:
    """'·' stands for either product, so it gets a fix only where one is
    meant: next to a number, where '@' cannot be (``2 · x`` is ``2 * x``)."""
    if not (_ENDS_IN_NUMBER.search(code[max(0, m.start() - 40):m.start()].rstrip(BLANK))
            or _STARTS_WITH_NUMBER.match(code, m.end())):
        return None
    return Fix(span(m.start(), m.end()), "*", title("star"))


def _operand_before(code: str, at: int) -> str | None:
    """The name or bracketed group that a quote at ``at`` follows, if any."""
    if at > 0 and code[at - 1] in _OPENER_OF:
        depth = 0
        for j in range(at - 1, max(-1, at - 200), -1):  # bounded: hostile input stays linear
            depth += (code[j] in _OPENER_OF) - (code[j] in _CLOSER_OF)
            if depth == 0:
                group = code[j:at]
                return group if len(group) <= 30 else code[j] + "..." + code[at - 1]
        return code[at - 1].translate(_OPEN_FOR) + "..." + code[at - 1]
    name = _ENDS_IN_NAME.search(code[max(0, at - 60):at])
    return name.group() if name else None


def _unbalanced(code: str, span) -> Diagnostic | None:
    stack: list[int] = []
    for m in re.finditer(r"[()\[\]]", code):
        i, ch = m.start(), m.group()
        if ch in _CLOSER_OF:
            stack.append(i)
        elif not stack:
            return messages.make("E101", span(i, i + 1), what=say("no-opener", closer=ch, opener=_OPENER_OF[ch]),
                                 hint=say("stray-closer"))
        else:
            j = stack.pop()
            if _CLOSER_OF[code[j]] != ch:
                return messages.make("E101", span(i, i + 1), what=say("closed-by", opener=code[j], closer=ch),
                                     hint=say("close-with", closer=_CLOSER_OF[code[j]]),
                                     labels=[Label(span(j, j + 1), say("opened-here"))])
    if stack:
        j = stack[-1]
        return messages.make("E101", span(j, j + 1), what=say("never-closed", opener=code[j]),
                             hint=say("add-closer", closer=_CLOSER_OF[code[j]]))
    return None


def _unexpected(code: str, span, err) -> Diagnostic:
    hint = None
    token = getattr(err, "token", None)
    if token is not None and token.type != "$END":
        tok = err.token
        found, where = _token_words(tok), span(tok.start_pos, tok.end_pos)
        hint = _char_hint(str(tok))
        start = len(code) - len(code.lstrip(BLANK + "\n"))
        if tok.start_pos == start and tok.type in _OPERATORS and hint is None:
            hint = say("leading-operator")
        if tok.type in _COMPARISONS and hint is None:
            hint = say("comparison-chain")
    elif getattr(err, "char", None) is not None:
        pos = err.pos_in_stream
        ch = code[pos:pos + 1]
        found, where = _char_words(ch), span(pos, pos + 1)
        hint = _char_hint(ch)
    else:
        end = len(code.rstrip(BLANK + "\n"))
        found, where = TERMINALS["$END"], span(end, end)
    accepts = _accepts(err)
    if hint is None and "AT" in accepts and token is not None and token.type in _OPERANDS:
        hint = say("juxtaposed")
    what = (say("expected-found", expected=_expected_words(accepts), found=found) if accepts
            else say("unexpected", found=found))
    return messages.make("E100", where, what=what, hint=hint)


def _char_hint(ch: str) -> str | None:
    key = _CHAR_HINTS.get(ch)
    return say(key) if key else None


def _accepts(err) -> set[str]:
    """The terminals the parser would take where it stopped.  Lark finds them
    by replaying the parse once per terminal the state allows; the answer
    depends on the stack of states alone, so it is kept per stack: a file of
    many lines with the same slip pays for the replay once."""
    parser = getattr(err, "interactive_parser", None)
    try:
        if parser is not None:
            key = tuple(parser.parser_state.state_stack)
            found = _ACCEPTS.get(key)
            if found is None:
                if len(_ACCEPTS) >= _ACCEPTS_KEPT:
                    _ACCEPTS.clear()
                found = _ACCEPTS[key] = frozenset(parser.accepts())
            return set(found)
    except Exception:  # noqa: BLE001  (the parser's own error while replaying: fall back to its list)
        pass
    return set(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())


_ACCEPTS: dict[tuple, frozenset[str]] = {}
_ACCEPTS_KEPT = 4096


def _expected_words(accepts: set[str]) -> str:
    if accepts & {"DIMS", "LAYOUT"}:
        return say("expect-statement")
    rest, words = set(accepts), []
    if rest & {"AT", "STAR", "POW"}:
        words.append(say("expect-operator"))
        rest -= _OPERATORS | {"LPAR", "LSQB"}   # after an operand: a call or indexing
    if "NUMBER" in rest:
        words.append(say("expect-operand"))
        rest -= _OPERANDS
    if "SCALAR" in rest:
        words.append(say("expect-shape"))
        rest -= {"SCALAR", "INT", "NAME"}
    if {"INT", "NAME"} <= rest:
        words.append(say("expect-size"))
        rest -= {"INT", "NAME"}
    words += [TERMINALS.get(t, t.lower()) for t in sorted(rest, key=_order)]
    return words[0] if len(words) == 1 else say("one-of", some=", ".join(words[:-1]), last=words[-1])


def _order(terminal: str) -> int:
    order = list(TERMINALS)
    return order.index(terminal) if terminal in order else len(order)


def _token_words(tok) -> str:
    value = str(tok) if len(tok) <= 30 else tok[:27] + "..."
    key = {"NAME": "found-name", "NUMBER": "found-number", "DERIV": "found-derivative"}.get(tok.type, "found-text")
    return say(key, value=value)


def _char_words(ch: str) -> str:
    if not ch:
        return TERMINALS["$END"]
    if ch == "'":
        return say("found-quote")
    if ch.isprintable() and not ch.isspace():
        return say("found-text", value=ch) if ch.isascii() else say("found-unicode", value=ch, code=f"{ord(ch):04X}")
    if 0xDC80 <= ord(ch) <= 0xDCFF:     # a byte that was not UTF-8, kept as Python keeps it (an argument)
        return say("found-byte", byte=f"0x{ord(ch) - 0xDC00:02x}")
    return say("found-character", code=f"{ord(ch):04X}")
