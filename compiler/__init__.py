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
    "Bundle",
    "BundleError",
    "CheckCache",
    "CheckResult",
    "CompileResult",
    "ConfigError",
    "Diagnostic",
    "FieldError",
    "Template",
    "TemplateError",
    "TemplateOrigin",
    "TimeseriesReference",
    "UnknownTemplate",
    "WfspecError",
    "WorkflowId",
    "WorkflowSpec",
    "check_paths",
    "compile_paths",
    "find_spec_root",
    "load_bundle",
]

_WHERE = {
    "Bundle": "bundle",
    "load_bundle": "bundle",
    "BundleError": "errors",
    "ConfigError": "errors",
    "FieldError": "errors",
    "TemplateError": "errors",
    "UnknownTemplate": "errors",
    "WfspecError": "errors",
    "CheckCache": "check_cache",
    "CheckResult": "checker",
    "check_paths": "checker",
    "find_spec_root": "specroot",
    "CompileResult": "compile",
    "compile_paths": "compile",
    "Diagnostic": "diagnostics",
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
    from .bundle import Bundle, load_bundle
    from .check_cache import CheckCache
    from .checker import CheckResult, check_paths
    from .compile import CompileResult, compile_paths
    from .diagnostics import Diagnostic
    from .errors import (
        BundleError,
        ConfigError,
        FieldError,
        TemplateError,
        UnknownTemplate,
        WfspecError,
    )
    from .ids import TimeseriesReference, WorkflowId
    from .instantiate import Template
    from .spec import TemplateOrigin, WorkflowSpec
    from .specroot import find_spec_root
