"""Hostile but realistic editor traffic: the server answers, never fails, never pops an error.

Editors send requests at positions of a version the server has moved past, line endings of
every platform, changes for documents they never opened; each test drives the real process
over stdio and checks the user-visible answer (a result, diagnostics at the right place, no
"Error in server" message).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import (
    WFSPEC,
    bare_session,
    frame,
    hover_at,
    initialize_message,
    open_file,
    position_of,
    published,
)

in_session = pytest.mark.asyncio(loop_scope="function")
"""The tests that drive the server through the ``client`` fixture (an asyncio session)."""

MONITOR = "specs/dummy/monitor_histogram.yaml"


def _at(path: Path, line: int, character: int) -> dict:
    return {
        "text_document": types.TextDocumentIdentifier(uri=path.as_uri()),
        "position": types.Position(line=line, character=character),
    }


async def _misspelled_paramset_is_placed(client: LanguageClient, path: Path, text: str) -> None:
    """The one diagnostic (R007 at the misspelled ``monitor_cordinate_mode``) covers exactly that
    word, and hover on ``monitor2`` (a later line) still finds the instrument's source."""
    (found,) = await published(client, path.as_uri(), 1)
    start = position_of(text, "monitor_cordinate_mode")
    assert found.code == "R007" and found.range.start == start
    assert found.range.end == types.Position(line=start.line, character=start.character + 22)
    assert "`monitor` source of instrument `dummy`" in await hover_at(
        client, path, text, "monitor2"
    )


@in_session
async def test_requests_past_the_end_of_the_document_are_answered(
    client: LanguageClient, workspace: Path
) -> None:
    """A completion request at a line the buffer no longer has (it just shrank) is empty."""
    path = workspace / MONITOR
    open_file(client, path, "kind: Workflow\nname: x\n")
    await published(client, path.as_uri(), 1)
    for line, character in [(2, 0), (40, 3), (40, 0), (2**31 - 1, 2**31 - 1)]:
        found = await client.text_document_completion_async(
            types.CompletionParams(**_at(path, line, character))
        )
        assert isinstance(found, types.CompletionList)
        assert (
            await client.text_document_hover_async(types.HoverParams(**_at(path, line, 0))) is None
        )
    assert client.messages == []


@in_session
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
async def test_old_mac_and_windows_line_endings(
    client: LanguageClient, workspace: Path, newline: str
) -> None:
    """A buffer with lone-CR (or CRLF) line ends: diagnostics and hover land where they do for
    the same text with LF ends (LSP counts a lone CR as a line end, as YAML does)."""
    path = workspace / MONITOR
    text = path.read_text().replace("[monitor_coordinate_mode", "[monitor_cordinate_mode")
    open_file(client, path, text.replace("\n", newline))
    await _misspelled_paramset_is_placed(client, path, text)


@in_session
async def test_change_to_a_document_that_is_not_open_is_ignored(
    client: LanguageClient, workspace: Path
) -> None:
    """A didChange before didOpen (or after didClose) pops no error and breaks nothing."""
    path, other = workspace / MONITOR, workspace / "specs/dummy/reduction.yaml"
    edit = types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
        ),
        text="# edited\n",
    )
    for version in (2, 3):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=path.as_uri(), version=version
                ),
                content_changes=[edit],
            )
        )
    open_file(client, other)  # the server still serves: the next document is checked
    assert await published(client, other.as_uri(), 1) == []
    assert await client.text_document_hover_async(types.HoverParams(**_at(path, 0, 0))) is None
    assert client.messages == []


def _session(tmp_path: Path, options: object) -> subprocess.CompletedProcess:
    """A bare JSON-RPC session with these ``initializationOptions``: initialize, open a spec
    document, shutdown, exit."""
    item = {"uri": (tmp_path / "wf.yaml").as_uri(), "languageId": "yaml", "version": 1}
    messages = [
        initialize_message(tmp_path, options),
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {**item, "text": "kind: Workflow\n"}},
        },
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return bare_session(messages)


@pytest.mark.parametrize(
    "options",
    [
        {"spec_root": "~no_such_user_wfspec/specs"},  # expanduser cannot resolve it
        {"spec_root": "spe\u0000cs"},
        {"debounce": "fast", "spec_root": 5},
        ["not", "a", "mapping"],
    ],
)
def test_unusable_initialization_options_do_not_stop_the_session(
    tmp_path: Path, options: object
) -> None:
    """A bad option is ignored (with a warning on stderr for a bad spec_root), never a failed
    initialize: the editor still gets the server's capabilities and a clean shutdown."""
    done = _session(tmp_path, options)
    assert done.returncode == 0, done.stderr.decode()
    assert b'"capabilities"' in done.stdout
    assert b"Traceback" not in done.stderr, done.stderr.decode()


@in_session
@pytest.mark.parametrize("separator", ["\u2029", "\u2028", "\x85"])
async def test_unicode_line_separator_shifts_no_position(
    client: LanguageClient, workspace: Path, separator: str
) -> None:
    """A PARAGRAPH/LINE SEPARATOR or NEL (pasted from a web page) ends a line for the YAML
    parser but not for the editor: the diagnostic below it is still where the editor shows
    the mistake, and hover below it still finds the node under the cursor."""
    path = workspace / MONITOR
    text = path.read_text().replace("title: Beam monitor", f"title: 'Beam{separator}monitor'")
    text = text.replace("[monitor_coordinate_mode", "[monitor_cordinate_mode")
    open_file(client, path, text)
    await _misspelled_paramset_is_placed(client, path, text)


def test_exit_during_a_long_check_ends_the_process_at_once(tmp_path: Path) -> None:
    """``exit`` while a check runs (a cold check of a large set takes seconds): the process
    ends now, not when the check is done -- an editor waits for it to quit."""
    big = tmp_path / "big.yaml"  # a loose spec whose check takes ~10 s on this machine
    big.write_text(
        "kind: Workflow\nname: x\nparams:\n"
        + "".join(f"  p{i}: {{type: float, default: {i}, title: 'P {i}'}}\n" for i in range(60_000))
    )
    item = {"uri": big.as_uri(), "languageId": "yaml", "version": 1, "text": big.read_text()}
    hover = {"textDocument": {"uri": big.as_uri()}, "position": {"line": 0, "character": 0}}
    server = subprocess.Popen(
        [str(WFSPEC), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        opening = [
            initialize_message(tmp_path, {"debounce": 0}),
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}},
            {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": hover},
        ]
        server.stdin.write(b"".join(frame(m) for m in opening))
        server.stdin.flush()
        received = b""  # the hover is answered after the open: the check has been started
        while b'"id": 2' not in received and b'"id":2' not in received:
            chunk = server.stdout.read1(65536)
            assert chunk, server.stderr.read().decode()
            received += chunk
        ending = [
            {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
            {"jsonrpc": "2.0", "method": "exit"},
        ]
        server.stdin.write(b"".join(frame(m) for m in ending))
        server.stdin.flush()
        assert server.wait(timeout=4) == 0  # without waiting for the check (~10 s)
    finally:
        server.kill()
        server.wait()


@in_session
async def test_byte_order_mark_in_the_buffer_shifts_no_column(
    client: LanguageClient, workspace: Path
) -> None:
    """A client that keeps the file's BOM in the text: the parser does not count it, the
    editor does; the unknown key on the first line is underlined exactly."""
    path = workspace / MONITOR
    text = "\ufeffkind_x: 1  " + path.read_text()  # an unknown key before the first comment
    open_file(client, path, text)
    (found,) = await published(client, path.as_uri(), 1)
    assert found.code == "S002"
    assert found.range == types.Range(
        start=types.Position(line=0, character=1), end=types.Position(line=0, character=7)
    )


@in_session
async def test_positions_all_over_a_shipped_template_file_are_answered(
    client: LanguageClient, workspace: Path
) -> None:
    """Hover, definition and completion all over a shipped file (with Jinja, flow mappings and
    references), past each line's end and past the last line: all answered."""
    path = workspace / "specs/common/correlation_templates.yaml"
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)
    lines = text.split("\n")
    requests = []
    for line in [*range(len(lines)), len(lines) + 5]:
        width = len(lines[line]) if line < len(lines) else 0
        for character in {*range(0, width, 2), width, width + 3}:  # every other one: quick
            at = _at(path, line, character)
            requests += [
                client.text_document_hover_async(types.HoverParams(**at)),
                client.text_document_definition_async(types.DefinitionParams(**at)),
                client.text_document_completion_async(types.CompletionParams(**at)),
            ]
    answers = await asyncio.gather(*requests, return_exceptions=True)
    failed = [a for a in answers if isinstance(a, BaseException)]
    assert failed == [] and len(answers) > 1500
    assert client.messages == []


def test_positions_are_utf16_whatever_encoding_the_client_prefers(tmp_path: Path) -> None:
    """A client listing UTF-8 first (Neovim does) is told the server counts UTF-16 units: the
    encoding every column it publishes and reads is in (a µ or Å before a mistake is one)."""
    capabilities = {"general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]}}
    messages = [
        initialize_message(tmp_path, {}, capabilities),
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = bare_session(messages)
    body = done.stdout[done.stdout.index(b"{") :]
    answer = json.JSONDecoder().raw_decode(body.decode())[0]
    assert answer["id"] == 1
    assert answer["result"]["capabilities"]["positionEncoding"] == "utf-16"


@in_session
async def test_completion_on_very_long_lines_does_not_hang(
    client: LanguageClient, workspace: Path
) -> None:
    """Long tokens and runs of blanks (a pasted blob) are read in linear time: each completion
    is answered at once. The patterns used to retry from every character (quadratic: 10-15 s
    per request on these lines, minutes on longer ones, the server deaf meanwhile)."""
    path = workspace / MONITOR
    long_lines = {
        "word": "note: " + "a" * 60_000 + " ",  # the word typed before the cursor
        "blanks": "a" + " " * 100_000 + "x",  # a line without a colon, read for the key above
        "flow": "x: {" + "a" * 40_000,  # an unclosed flow mapping: {key: |
    }
    text = path.read_text() + "".join(f"{line}\n" for line in long_lines.values())
    open_file(client, path, text)
    await published(client, path.as_uri(), 1)
    last = text.count("\n")
    for number, (name, line) in enumerate(long_lines.items()):
        at = _at(path, last - len(long_lines) + number, len(line))
        request = client.text_document_completion_async(types.CompletionParams(**at))
        assert isinstance(await asyncio.wait_for(request, timeout=5), types.CompletionList), name
