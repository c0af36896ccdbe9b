"""Time `wfspec lsp`: from a change in one file to its diagnostics published, as an editor sees it.

Run: .venv/bin/python benchmarks/bench_lsp.py [--changes 60] [--check]

The real server process is driven over stdio by pygls's client. Each change alternates between
a mistake (an unknown ParamSet in ``params_from``) and its fix, so every change produces a
different publish; the time is from sending ``didChange`` to receiving the
``publishDiagnostics`` of that version. The server's debounce is set to 0 for the measurement
(``initializationOptions``), so the figure is the check itself; an editor adds the debounce
pause (0.15 s by default) on top while the author is typing.

Two spec sets:

1. the shipped ``specs/`` (copied to a temp folder), one workflow open; target p99 <= 200 ms;
2. a generated 1,000-file set (``bench_check.generate``: one Instrument and 999 Workflows)
   with one workflow open, as an author edits it; target p99 <= 500 ms. Then every one of the
   1,000 files is opened too (the worst case: every file is named, checked and mapped on each
   run): the latency is printed, and the server's resident memory (VmRSS) in both states.

``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import generate  # a sibling benchmark script

ROOT = Path(__file__).resolve().parents[1]
WFSPEC = Path(sys.executable).parent / "wfspec"
TARGET_SHIPPED_P99 = 0.200
TARGET_LARGE_P99 = 0.500


class Session:
    """One server process and a client that records when each publish arrives."""

    def __init__(self) -> None:
        self.client = LanguageClient("bench", "1")
        self.arrived: dict[tuple[str, int | None], float] = {}
        self.counts: dict[tuple[str, int | None], int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            self.arrived.setdefault(key, time.perf_counter())
            self.counts[key] = len(params.diagnostics)

    async def start(self, workspace: Path) -> None:
        await self.client.start_io(str(WFSPEC), "lsp")
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=workspace.as_uri(),
                initialization_options={"debounce": 0},
            )
        )
        self.client.initialized(types.InitializedParams())

    async def wait(self, uri: str, version: int, timeout: float = 120.0) -> float:
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            await asyncio.sleep(0.001)
        return self.arrived[(uri, version)]

    def open(self, path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=path.as_uri(), language_id="yaml", version=1, text=text
                )
            )
        )
        return text

    async def changes(
        self, path: Path, good: str, bad: str, count: int, first_version: int = 2
    ) -> list[float]:
        """Latency of ``count`` alternating bad/good changes of ``path``."""
        uri = path.as_uri()
        times: list[float] = []
        for number in range(count):
            version = number + first_version
            text = bad if number % 2 == 0 else good
            sent = time.perf_counter()
            self.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
            arrived = await self.wait(uri, version)
            expected_errors = number % 2 == 0
            if (self.counts[(uri, version)] > 0) != expected_errors:
                raise AssertionError(f"change {number}: wrong diagnostics published")
            times.append(arrived - sent)
        return times

    def rss_mib(self) -> float:
        pid = self.client._server.pid  # the server subprocess
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


async def shipped(changes: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        shutil.copytree(ROOT / "specs", workspace / "specs")
        path = (workspace / "specs" / "dummy" / "monitor_histogram.yaml").resolve()
        session = Session()
        await session.start(workspace)
        good = session.open(path)
        await session.wait(path.as_uri(), 1)
        bad = good.replace("params_from: [", "params_from: [no_such_set, ", 1)
        times = await session.changes(path, good, bad, changes)
        await session.stop()
    return _percentiles(times)


async def large(changes: int) -> dict[str, float]:
    """The 1,000-file set: one file open (the target), then every file open (memory, latency)."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "specs").mkdir()
        files = [p.resolve() for p in generate(workspace / "specs", 1000)]
        target = next(p for p in files if "workflow" in p.name)
        good = target.read_text(encoding="utf-8")
        bad = good.replace("source_names: [", "source_names: [no_such_source, ", 1)
        session = Session()
        await session.start(workspace)
        session.open(target)
        await session.wait(target.as_uri(), 1, timeout=600)
        figures["one_p50"], figures["one_p99"] = _percentiles(
            await session.changes(target, good, bad, changes)
        )
        figures["one_rss"] = session.rss_mib()
        started = time.perf_counter()
        others = [p for p in files if p != target]
        for path in others:
            session.open(path)
        await session.wait(others[-1].as_uri(), 1, timeout=600)
        figures["open_all_s"] = time.perf_counter() - started
        figures["all_rss"] = session.rss_mib()
        figures["all_p50"], figures["all_p99"] = _percentiles(
            await session.changes(target, good, bad, changes, first_version=changes + 2)
        )
        await session.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    p50, p99 = asyncio.run(shipped(args.changes))
    print(
        f"shipped specs/, one file open: change -> diagnostics p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms (target p99 <= {TARGET_SHIPPED_P99 * 1000:.0f} ms)"
    )
    missed = p99 > TARGET_SHIPPED_P99
    large_set = asyncio.run(large(args.changes))
    print(
        f"1,000-file set, one file open: change -> diagnostics p50 "
        f"{large_set['one_p50'] * 1000:.0f} ms, p99 {large_set['one_p99'] * 1000:.0f} ms "
        f"(target p99 <= {TARGET_LARGE_P99 * 1000:.0f} ms); server memory "
        f"{large_set['one_rss']:.0f} MiB"
    )
    print(
        f"1,000-file set, all 1,000 files open: change -> diagnostics p50 "
        f"{large_set['all_p50'] * 1000:.0f} ms, p99 {large_set['all_p99'] * 1000:.0f} ms; "
        f"server memory {large_set['all_rss']:.0f} MiB (opening them took "
        f"{large_set['open_all_s']:.1f} s)"
    )
    missed |= large_set["one_p99"] > TARGET_LARGE_P99
    if args.check and missed:
        print("bench_lsp: a target was missed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
