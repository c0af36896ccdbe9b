"""wfspec.compiler: YAML specs -> checked, concrete WorkflowSpecs and one deterministic bundle.

The public API (everything else is internal and may change)::

    from wfspec.compiler import load_bundle, WorkflowId

    bundle = load_bundle("build/bundle.json")
    spec = bundle.workflows[WorkflowId.parse("dummy/monitor_histogram/1")]
    spec.params().model_dump(mode="json")          # the backend's params JSON (defaults)
    instance = bundle.instantiate("correlation_histogram_1d", {...})

Names are imported lazily (PEP 562), so ``import wfspec.compiler`` -- which every ``wfspec``
command does -- costs nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "TEMP_SUFFIX",
    "Bundle",
    "BundleError",
    "CheckResult",
    "CompileResult",
    "ConfigError",
    "Diagnostic",
    "FieldError",
    "Template",
    "TemplateError",
    "TemplateOrigin",
    "TimeseriesReference",
    "UnknownInstrument",
    "UnknownTemplate",
    "UnknownWorkflow",
    "WfspecError",
    "WorkflowId",
    "WorkflowSpec",
    "atomic_write",
    "check_paths",
    "compile_paths",
    "did_you_mean",
    "load_bundle",
    "load_schema",
    "render",
    "temp_prefix",
]

_WHERE = {
    "atomic_write": "atomic_io",
    "temp_prefix": "atomic_io",
    "TEMP_SUFFIX": "atomic_io",
    "load_schema": "schema_store",
    "render": "reporters",
    "Bundle": "bundle",
    "load_bundle": "bundle",
    "BundleError": "errors",
    "ConfigError": "errors",
    "FieldError": "errors",
    "TemplateError": "errors",
    "UnknownTemplate": "errors",
    "UnknownInstrument": "errors",
    "UnknownWorkflow": "errors",
    "WfspecError": "errors",
    "CheckResult": "checker",
    "check_paths": "checker",
    "CompileResult": "compile",
    "compile_paths": "compile",
    "Diagnostic": "diagnostics",
    "did_you_mean": "diagnostics",
    "Template": "instantiate",
    "TemplateOrigin": "spec",
    "WorkflowSpec": "spec",
    "TimeseriesReference": "ids",
    "WorkflowId": "ids",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'wfspec.compiler' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .atomic_io import TEMP_SUFFIX, atomic_write, temp_prefix
    from .bundle import Bundle, load_bundle
    from .checker import CheckResult, check_paths
    from .compile import CompileResult, compile_paths
    from .diagnostics import Diagnostic, did_you_mean
    from .errors import (
        BundleError,
        ConfigError,
        FieldError,
        TemplateError,
        UnknownInstrument,
        UnknownTemplate,
        UnknownWorkflow,
        WfspecError,
    )
    from .ids import TimeseriesReference, WorkflowId
    from .instantiate import Template
    from .reporters import render
    from .schema_store import load_schema
    from .spec import TemplateOrigin, WorkflowSpec
