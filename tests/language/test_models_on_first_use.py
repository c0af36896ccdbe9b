"""The document models are built on first use, and building late changes nothing they accept."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from wfspec.compiler.documents import WorkflowTemplate

PROBE = textwrap.dedent(
    """
    import json
    from pydantic import BaseModel
    import wfspec.compiler.documents, wfspec.compiler.paramdefs, wfspec.compiler.spec
    import wfspec.compiler.ids

    def models():
        seen, todo = {}, [BaseModel]
        while todo:
            for sub in todo.pop().__subclasses__():
                if sub.__module__.startswith("wfspec.compiler.") and sub not in seen.values():
                    seen[sub.__qualname__] = sub
                    todo.append(sub)
        return seen

    at_import = {name: m.__pydantic_complete__ for name, m in models().items()}
    from wfspec.compiler.documents import Workflow
    Workflow.model_validate({
        "kind": "Workflow", "instrument": "dummy", "name": "w", "version": 1,
        "group": "g", "title": "W", "source_names": ["s"],
        "outputs": {"o": {"title": "O"}},
    })
    print(json.dumps({"at_import": at_import, "workflow": Workflow.__pydantic_complete__}))
    """
)


def test_importing_the_models_builds_no_validator() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(done.stdout)
    assert {"Workflow", "WorkflowTemplate", "TemplateWorkflow", "GroupParam", "WorkflowSpec"} <= (
        set(report["at_import"])
    )
    built = sorted(name for name, complete in report["at_import"].items() if complete)
    assert built == [], f"built at import (add defer_build=True): {built}"
    assert report["workflow"] is True


def test_a_group_param_in_a_template_body_accepts_expressions() -> None:
    """A group's fields are recursive ParamDefs: its template variant must loosen them too."""
    template = WorkflowTemplate.model_validate(
        {
            "kind": "WorkflowTemplate",
            "name": "t",
            "title": "T",
            "config": {"lo": {"type": "float", "default": 1.0}},
            "workflow": {
                "instrument": "dummy",
                "name": "w",
                "version": 1,
                "group": "g",
                "title": "W",
                "source_names": ["s"],
                "params": {
                    "options": {
                        "type": "group",
                        "fields": {"low": {"type": "float", "default": "{{ config.lo }}"}},
                    }
                },
                "outputs": {"o": {"title": "O"}},
            },
        }
    )
    group = template.workflow.params["options"]
    assert group.fields["low"].default == "{{ config.lo }}"
