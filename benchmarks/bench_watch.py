"""Time ``wfspec check --watch``: the re-check after one edited file in a 1,000-file spec set.

Run: .venv/bin/python benchmarks/bench_watch.py [--files 1000] [--edits 15] [--check]

The set is ``bench_check.generate`` (one Instrument and 999 realistic Workflows). The watch
machinery (``compiler/watch.py``) is driven as ``check --watch`` drives it: a cold check fills a
``CheckCache``; then, for each edit, one workflow's title is changed on disk, the poll's
``snapshot`` notices it, and ``check_paths`` re-checks the set through the cache (only the
edited file is read and validated again; parse, resolve and templates run over the whole set).

Printed: the cold check, and the re-check (snapshot + check) per edit, median and worst, with
the files re-read. Target: re-check median <= 100 ms. ``--check`` exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import generate

from wfspec.compiler.check_cache import CheckCache
from wfspec.compiler.checker import check_paths
from wfspec.compiler.watch import changed_files, snapshot

TARGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, args.files)
        cache = CheckCache()
        started = time.perf_counter()
        seen = snapshot([folder])
        first = check_paths([folder], cache=cache)
        cold = time.perf_counter() - started
        if first.diagnostics:
            print(f"the generated set is not clean: {first.diagnostics[:3]}", file=sys.stderr)
            return 2
        times: list[float] = []
        reads: list[int] = []
        for edit in range(args.edits):
            target = files[1 + (edit * 37) % (len(files) - 1)]
            text = target.read_text(encoding="utf-8")
            head, _, rest = text.partition("\ntitle: ")
            _, _, tail = rest.partition("\n")
            target.write_text(f"{head}\ntitle: Edited {edit}\n{tail}", encoding="utf-8")
            before = cache.reads
            started = time.perf_counter()
            now = snapshot([folder])
            changed = changed_files(seen, now)
            result = check_paths([folder], cache=cache)
            times.append(time.perf_counter() - started)
            seen = now
            reads.append(cache.reads - before)
            assert changed and not result.diagnostics, (changed, result.diagnostics[:3])
    median = statistics.median(times) * 1000
    worst = max(times) * 1000
    print(f"watch re-check, {args.files} files, one edited file per re-check ({args.edits} edits)")
    print(f"  cold check (fills the cache)   {cold * 1000:8.1f} ms")
    print(f"  re-check median                {median:8.1f} ms   target <= {TARGET_MS:.0f} ms")
    print(f"  re-check worst                 {worst:8.1f} ms")
    print(f"  files re-read per re-check     {statistics.median(reads):8.0f}")
    ok = median <= TARGET_MS
    print("  within target" if ok else "  MISSED the target")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
