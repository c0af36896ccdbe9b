"""ResultKey: the identity of one published result on ``{instrument}_livedata_data``.

The ESS livedata backend puts the compact JSON of a ResultKey in the da00 record's
``source_name``::

    {"workflow_id":{"instrument":"dummy","name":"timeseries_data","version":1},
     "job_id":{"source_name":"motion1","job_number":"<uuid>"},"output_name":"delta"}

The correlation executor reads these keys to find timeseries and writes them for the histograms
it publishes, so any livedata dashboard can plot them. The stable part of a key (workflow,
source, output) is a :class:`~wfspec.compiler.ids.TimeseriesReference`; the job_number only tells
generations of the same job apart.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wfspec.compiler import TimeseriesReference, WorkflowId

__all__ = ["ResultJobId", "ResultKey", "ResultKeyError"]


class ResultKeyError(ValueError):
    """A record's ``source_name`` is not the JSON of a ResultKey."""


class ResultJobId(BaseModel):
    """``{"source_name": ..., "job_number": "<uuid>"}`` (the livedata JobId JSON)."""

    model_config = ConfigDict(frozen=True)

    source_name: str = Field(description="The stream the job runs on, e.g. motion1.")
    job_number: UUID = Field(description="Shared by every job of one commit.")


class ResultKey(BaseModel):
    """Workflow, job and output of one result; its JSON is the da00 record's source_name."""

    model_config = ConfigDict(frozen=True)

    workflow_id: WorkflowId
    job_id: ResultJobId
    output_name: str

    def to_json(self) -> str:
        """Compact JSON in the field order the backend uses."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> ResultKey:
        """Parse the JSON form; raise :class:`ResultKeyError` with the reason."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "key"
            raise ResultKeyError(f"not a ResultKey ({where}: {first['msg']})") from None

    @property
    def reference(self) -> TimeseriesReference:
        """The stable identity (workflow, source, output) without the job_number."""
        return TimeseriesReference(
            workflow_id=self.workflow_id,
            source_name=self.job_id.source_name,
            output_name=self.output_name,
        )
