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
    "CheckCache",
    "CheckResult",
    "CompileResult",
    "ConfigError",
    "ConfigInputError",
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
    "bundle_or_specs",
    "check_paths",
    "compile_paths",
    "config_from",
    "did_you_mean",
    "echo_document",
    "find_spec_root",
    "load_bundle",
    "load_schema",
    "render",
    "table_console",
    "temp_prefix",
]

_WHERE = {
    "bundle_or_specs": "cli_build",
    "config_from": "config_input",
    "ConfigInputError": "config_input",
    "table_console": "console",
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
    "CheckCache": "check_cache",
    "CheckResult": "checker",
    "check_paths": "checker",
    "find_spec_root": "specroot",
    "CompileResult": "compile",
    "compile_paths": "compile",
    "Diagnostic": "diagnostics",
    "did_you_mean": "diagnostics",
    "echo_document": "document_echo",
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
    from .check_cache import CheckCache
    from .checker import CheckResult, check_paths
    from .cli_build import bundle_or_specs
    from .compile import CompileResult, compile_paths
    from .console import table_console
    from .diagnostics import Diagnostic, did_you_mean
    from .document_echo import echo_document
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
    from .specroot import find_spec_root
