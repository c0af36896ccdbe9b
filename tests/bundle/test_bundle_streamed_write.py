"""``wfspec compile`` streams the bundle into its temp file: the same bytes, still atomic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wfspec.compiler import atomic_write, compile_paths
from wfspec.compiler.emit import bundle_bytes, bundle_chunks

REPO = Path(__file__).resolve().parents[2]


def test_the_written_pieces_are_the_bundle_bytes(tmp_path: Path, shipped_bytes: bytes) -> None:
    result = compile_paths([REPO / "specs"])
    assert result.ok and len(result.chunks) > 10  # written entry by entry, not as one piece
    assert result.data == b"".join(result.chunks) == bundle_bytes(result.document)
    assert result.size == len(result.data) == len(shipped_bytes)
    result.write(tmp_path / "out" / "bundle.json")
    assert (tmp_path / "out" / "bundle.json").read_bytes() == shipped_bytes


def test_a_failed_compile_has_no_bundle_to_write(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: Workflow\n", encoding="utf-8")
    result = compile_paths([tmp_path])
    assert not result.ok and result.data is None and result.size == 0
    with pytest.raises(ValueError, match="no bundle"):
        result.write(tmp_path / "bundle.json")


def test_pieces_that_fail_midway_leave_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")

    def pieces() -> Iterator[bytes]:
        yield from bundle_chunks({"a": [1, 2], "b": {"c": "d"}})
        yield from bundle_chunks({"a": [float("nan")]})

    with pytest.raises(ValueError, match="not JSON compliant: nan"):
        atomic_write(target, pieces())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.json"]
