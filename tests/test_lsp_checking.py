"""When the language server checks: debouncing, verification after the
shapes, cancellation by a newer edit, and a failure that keeps the last
good diagnostics.  The scheduler is driven in process on its own event loop
(the end-to-end tests in test_lsp.py drive the real server)."""
from __future__ import annotations

import asyncio

import pytest

from dsl.apps.lsp import checking
from dsl.apps.lsp.checking import Checker, Options

pytestmark = pytest.mark.asyncio

WRONG = "dims n\ntheta : 1 x n\ny : 1 x n onehot\nyhat = softmax(theta)\nL = xent(y, yhat)\ndL/dtheta = y - yhat\n"
RIGHT = WRONG.replace("= y - yhat", "= yhat - y")


class Editor:
    """A document held by a fake client, and what the checker told it."""

    def __init__(self, text: str, **options):
        self.text = text
        self.published: list[tuple[str, list[str]]] = []
        self.logged: list[str] = []
        self.checker = Checker(self.text_of, self.publish, self.logged.append, Options(**options))

    def text_of(self, uri):
        return "doc.deriv", self.text, None

    def publish(self, uri, analysis, diagnostics):
        self.published.append((analysis.text, [d.code for d in diagnostics]))

    async def settle(self, seconds: float = 0.0):
        """Wait until no check is scheduled or running (at most 30 s)."""
        await asyncio.sleep(seconds)
        for _ in range(3000):
            tasks = [s.task for s in self.checker.states.values() if s.task is not None]
            if all(t.done() for t in tasks):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("checks still running")


async def test_edits_in_quick_succession_are_checked_once():
    ed = Editor("dims n\nx : 1 x n\n", debounce=0.2, verify=False)
    for i in range(5):
        ed.text = f"dims n\nx : 1 x n\ny{i} = x @ x\n"
        ed.checker.changed("u")
        await asyncio.sleep(0.01)
    assert ed.published == []                        # still inside the debounce
    await ed.settle(0.3)
    assert ed.published == [("dims n\nx : 1 x n\ny4 = x @ x\n", ["E300"])]


async def test_open_and_save_check_at_once():
    ed = Editor("dims n\nx : 1 x n\ny = x @ x\n", debounce=5.0, verify=False)
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    assert ed.published == [(ed.text, ["E300"])]


async def test_shapes_first_then_the_verdicts():
    ed = Editor(WRONG, debounce=0.0)
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    assert [codes for _, codes in ed.published] == [[], ["E500"]]
    analysis = ed.checker.analysis("u")
    assert analysis.verified and analysis.claims[0].status.value == "wrong"


async def test_a_newer_edit_cancels_the_verification(monkeypatch):
    """The edit lands while the wrong claim is being verified: its verdict is
    never published, and the newer text's verdict is."""
    started = asyncio.Event()
    real = checking.verify_claims

    def slow(analysis, first, stop, plan):
        loop.call_soon_threadsafe(started.set)
        import time
        time.sleep(0.3)
        return real(analysis, first, stop, plan)

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(checking, "verify_claims", slow)
    ed = Editor(WRONG, debounce=0.0)
    ed.checker.changed("u", at_once=True)
    await asyncio.wait_for(started.wait(), 30)
    ed.text = RIGHT
    ed.checker.changed("u", at_once=True)
    await ed.settle(0.5)
    assert all("E500" not in codes for _, codes in ed.published)
    assert ed.published[-1] == (RIGHT, [])
    assert ed.checker.analysis("u").claims[0].status.value == "verified"


async def test_a_failure_keeps_the_last_good_diagnostics(monkeypatch):
    ed = Editor("dims n\nx : 1 x n\ny = x @ x\n", verify=False)
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    good = ed.checker.analysis("u")

    def broken(path, text, previous=None, encoding="utf-16"):
        raise RuntimeError("a defect")

    monkeypatch.setattr(checking, "analyse", broken)
    ed.text = "dims n\nx : 1 x n\ny = x * x\n"
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    assert ed.checker.analysis("u") is good
    assert len(ed.published) == 1
    assert len(ed.logged) == 1 and "the last diagnostics stay" in ed.logged[0]
    assert "RuntimeError" not in ed.logged[0] and "a defect" not in ed.logged[0]     # words, not the exception
    ed.text += "z = x\n"                 # the same defect again: logged once
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    assert len(ed.logged) == 1


async def test_closing_forgets_the_document():
    ed = Editor("dims n\n", verify=False)
    ed.checker.changed("u", at_once=True)
    await ed.settle()
    ed.checker.closed("u")
    assert ed.checker.analysis("u") is None


async def test_documents_by_kind():
    from dsl.apps.lsp.analysis import analyse
    assert analyse("nb.ipynb", '{"cells": [}').diagnostics == []          # not read here: no noise
    assert [d.code for d in analyse("untitled:1", "x : 1 x 3\ny = x @ x\n").diagnostics] == ["E300"]
    assert analyse("notes.md", "x = y @ z, prose\n").diagnostics == []


async def test_inlay_hints_in_documents_stand_after_the_name():
    from dsl.apps.lsp.analysis import analyse
    from dsl.apps.lsp.inlay import inlay_hints
    text = "Notes.\n\n```deriv\ndims n\nx : 1 x n\nh = x.T @ x\n```\n\n<!-- deriv: W : n x n -->\n$$ g = W x^T $$\n"
    hints = inlay_hints(analyse("notes.md", text), 0, 20)
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [(5, 1, ": n x n"), (9, 4, ": n x 1")]
