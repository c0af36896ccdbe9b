"""Exceptions of the compiler's Python API (the CLI turns them into one-line messages).

Spec-authoring problems are never raised: they are :class:`~wfspec.compiler.diagnostics.Diagnostic`
objects. These exceptions are for API callers (the dashboard, the runtime) that hand us a bad
bundle, a bad template config or an unknown name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class WfspecError(Exception):
    """Base class of every error wfspec raises on purpose."""


class BundleError(WfspecError):
    """A bundle file is missing, corrupt or of another ``format_version``."""


class TemplateError(WfspecError):
    """A template cannot be rendered (syntax, undefined name, sandbox violation)."""


@dataclass(frozen=True)
class FieldError:
    """One bad field of a config: dotted location, the offending value and what is wrong."""

    field: str
    message: str
    value: object = None
    code: str | None = None
    """The diagnostic code ``wfspec check`` reports it under, when it has its own (T012)."""

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.field}: {self.message}"
        return f"{self.field}: {self.message} (got {self.value!r})"


class ConfigError(WfspecError, ValueError):
    """A template config does not validate; ``errors`` names every bad field."""

    def __init__(self, template: str, errors: Sequence[FieldError]) -> None:
        self.template = template
        self.errors = tuple(errors)
        lines = "; ".join(str(e) for e in self.errors)
        super().__init__(f"invalid config for template {template!r}: {lines}")


class _UnknownName(WfspecError, KeyError):
    """A lookup by name that found nothing: a ``KeyError`` whose text reads as a sentence."""

    def __str__(self) -> str:  # KeyError would add quotes
        return self.args[0]


def _did_you_mean(suggestion: str | None) -> str:
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


class UnknownTemplate(_UnknownName):
    """No template of that name; ``suggestion`` is the closest known name, if any."""

    def __init__(self, name: str, suggestion: str | None = None) -> None:
        self.name = name
        self.suggestion = suggestion
        super().__init__(f"unknown template {name!r}{_did_you_mean(suggestion)}")


class UnknownWorkflow(_UnknownName):
    """No workflow of that id; ``suggestion`` is the closest known id, if any."""

    def __init__(self, workflow_id: object, suggestion: str | None = None) -> None:
        self.workflow_id = workflow_id
        self.suggestion = suggestion
        super().__init__(f"unknown workflow {workflow_id}{_did_you_mean(suggestion)}")


class UnknownInstrument(_UnknownName):
    """No instrument of that name in the bundle; ``suggestion`` is the closest, if any."""

    def __init__(self, name: str, known: Sequence[str], suggestion: str | None = None) -> None:
        self.name = name
        self.suggestion = suggestion
        hint = f"did you mean {suggestion!r}? " if suggestion else ""
        super().__init__(
            f"unknown instrument {name!r}: {hint}the bundle has {', '.join(known) or 'none'}"
        )
