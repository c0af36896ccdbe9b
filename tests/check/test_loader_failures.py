"""The load stage: every YAML failure mode is a located L diagnostic, never a traceback."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from wfspec.compiler.loader import load_file, load_paths, load_text


def codes(result) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.col) for d in result.diagnostics]


def test_documents_keep_mapping_order_and_positions() -> None:
    text = "kind: Workflow\nname: x\nparams:\n  b: {type: float, default: 1}\n  a: {type: int}\n"
    result = load_text(text, "w.yaml")
    assert result.diagnostics == []
    [doc] = result.documents
    assert list(doc.data) == ["kind", "name", "params"]
    assert list(doc.data["params"]) == ["b", "a"]
    assert doc.locate(("name",)).line == 2
    assert (
        doc.locate(("params", "b", "default")).line,
        doc.locate(("params", "b", "default")).col,
    ) == (4, 29)
    # a missing key points at the nearest existing ancestor
    assert doc.locate(("params", "zz", "type")).line == 3
    assert doc.locate(()).line == 1


def test_several_documents_per_file_get_their_index_and_start() -> None:
    result = load_text("kind: A\n---\nkind: B\nname: b\n", "multi.yaml")
    assert [(d.index, d.start.line, d.data["kind"]) for d in result.documents] == [
        (0, 1, "A"),
        (1, 3, "B"),
    ]
    assert result.documents[1].locate(("name",)).line == 4


def test_duplicate_key_is_reported_at_the_second_with_the_first_related() -> None:
    result = load_text("kind: Workflow\nname: a\ntitle: t\nname: b\n", "dup.yaml")
    assert codes(result) == [("L003", 4, 1)]
    assert result.diagnostics[0].related[0].line == 2
    # the document is still loaded (first value wins) but marked as flawed
    assert result.documents[0].data["name"] == "a"
    assert ("dup.yaml", 0) in result.flawed


def test_nested_duplicate_keys_are_all_reported() -> None:
    text = "kind: W\nparams:\n  a: 1\n  a: 2\noutputs:\n  x: {t: 1, t: 2}\n"
    assert [c[:2] for c in codes(load_text(text, "d.yaml"))] == [("L003", 4), ("L003", 6)]


def test_tab_indentation() -> None:
    result = load_text("kind: Workflow\nparams:\n\tx: 1\n", "tab.yaml")
    assert codes(result) == [("L002", 3, 1)]
    assert "spaces" in result.diagnostics[0].hint


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("kind: Workflow\nname: a\n  title: b\n", 3),  # over-indented key
        ("kind: Workflow\nparams:\n    a: 1\n  b: 2\n", 4),  # sibling at another indent
        ("a: [1, 2\nb: 3\n", 2),  # unclosed bracket
        ('a: "abc\nb: 1\n', 3),  # unclosed quote
        ("a: *nope\n", 1),  # undefined alias
    ],
)
def test_syntax_errors_are_located(text: str, line: int) -> None:
    result = load_text(text, "bad.yaml")
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("L001", line)
    assert diagnostic.col >= 1 and diagnostic.hint
    assert result.documents == []


def test_control_character_is_located() -> None:
    result = load_text("kind: W\nname: a\x07b\n", "ctrl.yaml")
    assert codes(result) == [("L001", 2, 8)]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: Workflow\ntitle: Ångström\n".encode("latin-1"))
    result = load_file(path, "latin1.yaml")
    assert codes(result) == [("L004", 2, 8)]
    assert "UTF-8" in result.diagnostics[0].hint


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "u16.yaml"
    path.write_bytes("kind: Workflow\n".encode("utf-16"))
    assert [d.code for d in load_file(path).diagnostics] == ["L004"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfkind: Workflow\n")
    result = load_file(path)
    assert result.diagnostics == [] and result.documents[0].data == {"kind": "Workflow"}


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert [d.code for d in load_text(text, "e.yaml").diagnostics] == ["L005"]


def test_empty_document_in_a_stream() -> None:
    result = load_text("kind: A\n---\n---\nkind: B\n", "e.yaml")
    assert codes(result) == [("L005", 3, 1)]
    assert [d.data["kind"] for d in result.documents] == ["A", "B"]


@pytest.mark.parametrize(("text", "what"), [("- a\n- b\n", "a list"), ("hello\n", "'hello'")])
def test_document_that_is_not_a_mapping(text: str, what: str) -> None:
    result = load_text(text, "n.yaml")
    assert [d.code for d in result.diagnostics] == ["L007"]
    assert what in result.diagnostics[0].message
    assert result.documents == []


def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def test_billion_laughs_is_refused_fast_with_bounded_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    result = load_text(billion_laughs(), "bomb.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "L006" and "alias" in diagnostic.message
    assert diagnostic.line >= 1
    assert result.documents == []
    assert elapsed < 1.0  # the bound: refused within a second
    assert peak < 20_000_000  # bytes: nothing was expanded


def test_moderate_alias_use_is_accepted() -> None:
    text = (
        "base: &b {type: float, default: 1}\n"
        "params:\n  x: *b\n  y: *b\n  z:\n    <<: *b\n    default: 2\n"
    )
    result = load_text(text, "a.yaml")
    assert result.diagnostics == []
    assert result.documents[0].data["params"]["z"] == {"type": "float", "default": 2}


def test_recursive_alias_is_refused() -> None:
    assert [d.code for d in load_text("a: &x [*x]\n", "r.yaml").diagnostics] == ["L006"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "".join("  " * i + "b:\n" for i in range(1_000)),
        "- " * 50_000 + "x\n",
    ],
)
def test_absurd_nesting_is_refused_without_crashing(text: str) -> None:
    result = load_text(text, "deep.yaml")
    assert [d.code for d in result.diagnostics] == ["L006"]


def test_absurd_nesting_after_many_ordinary_documents_is_still_refused() -> None:
    """The bracket bound is taken per document; a deep one among many is still caught."""
    ordinary = "kind: W\nx: {a: [1, 2], b: {c: [3]}}\n---\n" * 300  # 1,500 brackets in all
    text = ordinary + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n"
    result = load_text(text, "many.yaml")
    assert [(d.code, d.line) for d in result.diagnostics] == [("L006", 901)]


def test_unsupported_tags_are_reported_and_values_read_plainly() -> None:
    text = "kind: W\na: !foo bar\nb: !!python/object:os.system x\nc: !!binary aGk=\n"
    result = load_text(text, "t.yaml")
    assert [(d.code, d.line) for d in result.diagnostics] == [("L008", 2), ("L008", 3), ("L008", 4)]
    assert result.documents[0].data == {"kind": "W", "a": "bar", "b": "x", "c": "aGk="}


def test_odd_scalars_become_plain_strings() -> None:
    text = "kind: W\nd: 2024-01-01\n1: one\ntrue: yes\non: off\n"
    result = load_text(text, "o.yaml")
    assert result.diagnostics == []
    assert result.documents[0].data == {
        "kind": "W",
        "d": "2024-01-01",
        "1": "one",
        "true": "yes",
        "on": "off",
    }
    assert result.documents[0].locate(("1",)).line == 3


def test_complex_key_is_reported() -> None:
    result = load_text("kind: W\n? [1, 2]\n: z\n", "c.yaml")
    assert [(d.code, d.line) for d in result.diagnostics] == [("L009", 2)]


def test_folders_are_searched_recursively_in_sorted_order(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.yml").write_text("kind: Z\n")
    (tmp_path / "b" / "a.yaml").write_text("kind: A\n")
    (tmp_path / "c.yaml").write_text("kind: C\n")
    (tmp_path / "notes.txt").write_text("not yaml")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("kind: X\n")
    monkeypatch.chdir(tmp_path)
    result = load_paths(["."])
    assert result.files == ["b/a.yaml", "b/z.yml", "c.yaml"]
    assert [d.data["kind"] for d in result.documents] == ["A", "Z", "C"]
    # a file named twice (directly and through its folder) is loaded once
    assert load_paths(["c.yaml", "."]).files == ["c.yaml", "b/a.yaml", "b/z.yml"]


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = load_paths([tmp_path / "nope.yaml", tmp_path / "empty"])
    assert [d.code for d in result.diagnostics] == ["L010", "L011"]


def test_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "f.yaml"
    folder.mkdir()  # a folder named like a file cannot be read as one
    assert [d.code for d in load_file(folder, "f.yaml").diagnostics] == ["L010"]


def test_a_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: A\n  bad: indent\n")
    (tmp_path / "b.yaml").write_text("kind: B\n")
    result = load_paths([tmp_path])
    assert [d.code for d in result.diagnostics] == ["L001"]
    assert [d.data["kind"] for d in result.documents] == ["B"]


def test_the_string_fast_path_loads_what_ruamels_generic_path_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plain strings skip ruamel's generic construction; data and diagnostics stay the same."""
    from pathlib import Path

    from wfspec.compiler import loader

    repo = Path(__file__).resolve().parents[2]
    texts = [
        p.read_text(encoding="utf-8", errors="replace") for p in (repo / "specs").rglob("*.yaml")
    ]
    texts += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in (repo / "tests" / "corpus" / "broken").glob("*.yaml")
    ]
    texts.append(
        "kind: W\na: &x plain\nb: *x\nc: 'quoted'\nd: !!str 12\ne: !tag v\nf: \"2024-01-01\"\n"
        "g: [x, 'y', !!str z, 1, 1.5, true, null, ~]\nh: |\n  block\n<<: {m: merged}\n"
    )
    fast = [loader.load_text(text, "t.yaml") for text in texts]
    monkeypatch.delattr(loader._SpecConstructor, "construct_object")
    generic = [loader.load_text(text, "t.yaml") for text in texts]
    for one, other in zip(fast, generic, strict=True):
        assert [d.data for d in one.documents] == [d.data for d in other.documents]
        assert one.diagnostics == other.diagnostics


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", "'abc' is not an integer"),
        ("!!float abc", "'abc' is not a number"),
        ("9" * 5000, "has 5,000 digits"),  # past Python's int-from-text limit (4,300)
        ("!!bool maybe", "'maybe' is not true or false"),
        ("!!int", "'' is not an integer"),
    ],
)
def test_a_number_yaml_cannot_read_is_a_located_l001(value: str, words: str) -> None:
    for text in (f"kind: W\nversion: {value}\n", f"kind: W\nversion: &v {value}\nx: *v\n"):
        result = load_text(text, "n.yaml")  # the second one takes the aliased (ruamel) way
        assert codes(result) == [("L001", 2, 10)]
        assert words in result.diagnostics[0].message
        written = value.split()[-1] if value != "!!int" else ""
        assert result.documents[0].data["version"] == written  # kept as written
