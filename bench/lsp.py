"""The language server's latency and memory, measured with a real client.

``python bench/lsp.py`` (or ``--quick``): starts ``python -m dsl lsp`` as a
subprocess, drives it with pygls' language client over stdio, opens a
generated derivation (``generate.derivation``: 300 lines, then 3,000) and
sends ``didChange`` edits (one character typed at the end of a line in the
middle of the file, then removed: incremental changes as an editor sends
them).  For each edit it times from sending the change to receiving the
``publishDiagnostics`` of that version: the shape and syntax diagnostics,
which the server publishes before it verifies the claims.  The debounce is
set to 0 through the initialization options, so the times exclude it (an
editor adds its 150 ms).  Each edit is sent once the previous edit's
verification has finished, so the time is that of the check alone.

Memory: the server's peak resident set (``VmHWM``) after the edits,
against the peak of one ``python -m dsl check`` of the same file in its own
process (which verifies the claims too).  Goals (issue 13): median 30 ms for
300 lines, 100 ms for 3,000; memory at most 2x.  Nothing asserts on them.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(HERE), str(ROOT)) if p not in sys.path]

import generate  # noqa: E402
from timing import Row, Settings, Timing  # noqa: E402

GOALS = {300: 0.030, 3000: 0.100}
MEMORY_GOAL = 2.0


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _check_peak_kib(path: str) -> int:
    """The peak resident set of one ``check`` of ``path`` in a fresh process."""
    probe = ("import resource, subprocess, sys; "
             f"subprocess.run([sys.executable, '-m', 'dsl', 'check', {path!r}], stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(out.stdout.strip())


async def _session(text: str, edits: int, uri: str) -> tuple[list[float], int, int]:
    """Latencies of ``edits`` changes, the server's peak memory (KiB), and its pid."""
    from lsprotocol import types
    from pygls.lsp.client import BaseLanguageClient

    client = BaseLanguageClient("chainrule-bench", "1")
    arrived: dict[int | None, asyncio.Event] = {}
    done_at: dict[int | None, float] = {}
    publishes: dict[int | None, int] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        publishes[params.version] = publishes.get(params.version, 0) + 1
        if publishes[params.version] == 1:
            done_at[params.version] = time.perf_counter()
        event = arrived.get(params.version)
        if event is not None:
            event.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def logged(params: types.LogMessageParams) -> None:
        print(f"lsp: server log: {params.message[:200]}", flush=True)

    await client.start_io(sys.executable, "-m", "dsl", "lsp", cwd=str(ROOT))
    server = client._server
    assert server is not None
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounce": 0}))
    client.initialized(types.InitializedParams())

    async def settled(version: int) -> None:
        """Until the shape diagnostics and then the verified ones of ``version`` are in."""
        for _ in range(6000):
            if publishes.get(version, 0) >= 2:
                return
            await asyncio.sleep(0.005)

    arrived[1] = asyncio.Event()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="deriv", version=1, text=text)))
    await asyncio.wait_for(arrived[1].wait(), 120)
    await settled(1)
    lines = text.split("\n")
    row = len(lines) // 2
    while not lines[row].strip() or lines[row].lstrip().startswith("#"):
        row += 1
    end = len(lines[row])
    latencies = []
    for i in range(edits):
        version = i + 2
        typed = i % 2 == 0
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=row, character=end),
                              end=types.Position(line=row, character=end + (0 if typed else 1))),
            text=" " if typed else "")
        arrived[version] = asyncio.Event()
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change]))
        await asyncio.wait_for(arrived[version].wait(), 120)
        latencies.append(done_at[version] - sent)
        await settled(version)
    peak = _peak_kib(server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies, peak, server.pid


def run(s: Settings) -> list[Row]:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as exc:
        return [Row("lsp didChange -> diagnostics", skipped=f"the lsp extra is not installed ({exc})")]
    rows = []
    edits = s.reps(full=21, quick=5)
    for lines in (300, 3000):
        d = generate.derivation(lines, seed=s.seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, f"generated{lines}.deriv")
            Path(path).write_text(d.text, encoding="utf-8")
            latencies, peak, _ = asyncio.run(_session(d.text, edits, Path(path).as_uri()))
            check_peak = _check_peak_kib(path)
        timing = Timing(tuple(latencies))
        s.say(f"lsp: {d.lines} lines, {edits} edits: median {statistics.median(latencies) * 1e3:.1f} ms "
              f"(spread {timing.spread}); server peak {peak / 1024:.0f} MiB, "
              f"one check {check_peak / 1024:.0f} MiB ({peak / max(check_peak, 1):.2f}x)")
        rows.append(Row(f"lsp didChange -> shape diagnostics, {d.lines} lines", ours=timing,
                        baseline=Timing((GOALS[lines],)), baseline_name="goal", goal=1.0))
        ratio = peak / max(check_peak, 1)
        MEMORY.append(f"server memory, {d.lines} lines: peak {peak / 1024:.0f} MiB vs one check "
                      f"{check_peak / 1024:.0f} MiB: {ratio:.2f}x (goal <= {MEMORY_GOAL:g}x: "
                      f"{'yes' if ratio <= MEMORY_GOAL else 'no'})")
    return rows


MEMORY: list[str] = []
"""The memory comparisons of the last :func:`run` (the table holds times only)."""


def main(argv: list[str] | None = None) -> int:
    import argparse

    from timing import table
    p = argparse.ArgumentParser(prog="bench/lsp.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="5 edits per file instead of 21")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    print(table(run(Settings(quick=args.quick, seed=args.seed))))
    print("\n".join(MEMORY))
    return 0


if __name__ == "__main__":
    sys.exit(main())
