"""Stable identities: :class:`WorkflowId` and :class:`TimeseriesReference`.

Identity never depends on live data: a WorkflowId is what the ESS livedata backend puts on the
wire (``instrument/name/version``), and a TimeseriesReference names a timeseries output by
workflow, source and output, never by a runtime job number.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_ID_FORMAT = "instrument/name/version, e.g. 'dummy/monitor_histogram/1'"


class WorkflowId(BaseModel):
    """``instrument/name/version``; JSON form is an object, the string form is accepted too."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    instrument: str = Field(description="Instrument name (a slug).")
    name: str = Field(description="Workflow name (a slug).")
    version: int = Field(ge=1, description="Version; bump it on breaking changes.")

    @model_validator(mode="before")
    @classmethod
    def _accept_string_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            return cls._split(value)
        return value

    @classmethod
    def parse(cls, text: str) -> WorkflowId:
        """Parse ``instrument/name/version``; raise ``ValueError`` naming the expected format."""
        if not isinstance(text, str):
            raise ValueError(f"expected a workflow id string ({_ID_FORMAT}), got {text!r}")
        return cls(**cls._split(text))

    @classmethod
    def of(cls, value: Any) -> WorkflowId:
        """Whatever an API caller passes as a workflow id: a WorkflowId (as is), its string form
        (:meth:`parse`), or an object with ``instrument``/``name``/``version`` attributes."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        return cls.model_validate(value, from_attributes=True)

    @staticmethod
    def _split(text: str) -> dict[str, Any]:
        parts = text.split("/")
        if len(parts) != 3:
            raise ValueError(f"invalid workflow id {text!r}: expected {_ID_FORMAT}")
        instrument, name, version = parts
        for part, value in (("instrument", instrument), ("name", name)):
            if not is_slug(value):
                what = "is empty" if not value else f"{value!r} is not a slug"
                raise ValueError(
                    f"invalid workflow id {text!r}: {part} {what} (expected lower-case "
                    f"letters, digits and '_', starting with a letter; {_ID_FORMAT})"
                )
        if not version.isdigit() or int(version) < 1:
            raise ValueError(
                f"invalid workflow id {text!r}: version {version!r} is not a positive integer "
                f"(expected {_ID_FORMAT})"
            )
        return {"instrument": instrument, "name": name, "version": int(version)}

    def __str__(self) -> str:
        return f"{self.instrument}/{self.name}/{self.version}"

    def __lt__(self, other: WorkflowId) -> bool:
        return (self.instrument, self.name, self.version) < (
            other.instrument,
            other.name,
            other.version,
        )


class TimeseriesReference(BaseModel):
    """A stable reference to a timeseries output: workflow, source (stream) and output name.

    The canonical string form ``{workflow_id}/{output_name}@{source_name}`` is split at the first
    ``@`` (stream names may contain ``/``, ``:`` and even ``@``; workflow ids and output names
    never contain ``@``).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    workflow_id: WorkflowId = Field(description="The workflow that produces the timeseries.")
    source_name: str = Field(description="The stream the workflow runs on, e.g. motion1.")
    output_name: str = Field(description="The 0-d window/series output, e.g. delta.")

    @model_validator(mode="before")
    @classmethod
    def _accept_string_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            return cls.parse(value).__dict__
        return value

    def __str__(self) -> str:
        return f"{self.workflow_id}/{self.output_name}@{self.source_name}"

    @classmethod
    def parse(cls, text: str) -> TimeseriesReference:
        """Parse the canonical string form; raise ``ValueError`` explaining the format."""
        head, sep, source = text.partition("@")
        parts = head.split("/")
        if not sep or len(parts) != 4 or not source:
            raise ValueError(
                f"invalid timeseries reference {text!r}: expected "
                "'instrument/name/version/output@source', e.g. "
                "'dummy/timeseries_data/1/delta@motion1'"
            )
        workflow_id = WorkflowId.parse("/".join(parts[:3]))
        return cls(workflow_id=workflow_id, source_name=source, output_name=parts[3])


def is_slug(text: str) -> bool:
    """True for names of the form ``^[a-z][a-z0-9_]*$`` (documents, workflows, params, outputs)."""
    return bool(_SLUG.match(text))
