"""Byte stability: the same sources give the same bundle.json bytes, whatever the circumstances.

Each compile runs in its own ``wfspec`` process, so a different ``PYTHONHASHSEED`` really changes
set and dict-of-str iteration order, and a different working directory really changes relative
paths.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _compile_in_process(specs: Path, out: Path, cwd: Path, hash_seed: str, wfspec: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [str(wfspec), "compile", str(specs), "-o", str(out)]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return (out / "bundle.json").read_bytes()


def _copy_in_reverse_creation_order(source: Path, target: Path) -> None:
    """The same files, created in the reverse order (so directory order on disk differs)."""
    files = sorted(p for p in source.rglob("*") if p.is_file())
    for path in reversed(files):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def test_compiles_in_other_folders_hash_seeds_and_file_orders_are_byte_identical(
    tmp_path, repo, shipped_bytes
):
    wfspec = repo / ".venv" / "bin" / "wfspec"
    reordered = tmp_path / "elsewhere" / "copied_specs"
    _copy_in_reverse_creation_order(repo / "specs", reordered)
    (tmp_path / "cwd_a").mkdir()
    (tmp_path / "cwd_b").mkdir()

    from_repo = _compile_in_process(Path("specs"), tmp_path / "a", repo, "1", wfspec)
    from_elsewhere = _compile_in_process(
        repo / "specs", tmp_path / "b", tmp_path / "cwd_a", "4242", wfspec
    )
    from_copy = _compile_in_process(reordered, tmp_path / "c", tmp_path / "cwd_b", "7", wfspec)

    assert from_repo == from_elsewhere == from_copy == shipped_bytes


def test_the_bundle_bytes_are_canonical_json(shipped_bytes):
    """No timestamps, UTF-8 units kept as written, one final newline."""
    text = shipped_bytes.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "μs" in text and "\\u03bc" not in text  # units stay as the author wrote them
    assert "Å" in text
    for word in ("timestamp", "created", "generated_at"):
        assert word not in text
