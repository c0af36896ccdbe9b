"""Commands are compact JSON in exactly the livedata wire format."""

from __future__ import annotations

import json
import uuid

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.commands import (
    CommandSink,
    JobAction,
    JobCommand,
    RecordingSink,
    WorkflowConfigCommand,
    decode_command,
    encode_command,
)
from wfspec.runtime.status import JobId

MID = uuid.UUID("00000000-0000-4000-8000-000000000001")
JOB = uuid.UUID("00000000-0000-4000-8000-000000000002")


def test_start_command_bytes():
    command = WorkflowConfigCommand(
        identifier=WorkflowId.parse("dummy/monitor_histogram/1"),
        message_id=MID,
        job_id=JobId(source_name="monitor1", job_number=JOB),
        params={"bins": 100},
    )
    assert encode_command(command) == (
        b'{"kind":"workflow_config","identifier":{"instrument":"dummy","name":"monitor_histogram",'
        b'"version":1},"message_id":"00000000-0000-4000-8000-000000000001","job_id":'
        b'{"source_name":"monitor1","job_number":"00000000-0000-4000-8000-000000000002"},'
        b'"schedule":{"start_time":null,"end_time":null},"aux_source_names":{},'
        b'"params":{"bins":100}}'
    )
    assert decode_command(encode_command(command)) == command


def test_job_command_bytes_for_every_action():
    for action in JobAction:
        command = JobCommand(
            message_id=MID, job_id=JobId(source_name="m", job_number=JOB), action=action
        )
        data = json.loads(encode_command(command))
        assert list(data) == ["kind", "message_id", "job_id", "workflow_id", "action"]
        assert data["action"] == action.value and data["workflow_id"] is None
        assert decode_command(encode_command(command)) == command
    by_workflow = JobCommand(
        message_id=MID, workflow_id=WorkflowId.parse("dummy/x/2"), action=JobAction.RESET
    )
    assert b'"job_id":null,"workflow_id":{"instrument":"dummy","name":"x","version":2}' in (
        encode_command(by_workflow)
    )


def test_recording_sink_implements_the_protocol():
    sink = RecordingSink()
    assert isinstance(sink, CommandSink)
    sink.send([JobCommand(message_id=MID, action=JobAction.STOP)])
    assert len(sink.batches) == 1 and sink.commands[0].action is JobAction.STOP
