"""Generate ``schemas/*.json`` (draft-07) and ``docs/spec-language.md`` from the document models.

The pydantic models in ``documents.py`` are the single source of truth; this module turns them
into the JSON Schemas that editors (yaml-language-server) and ``wfspec check`` validate against,
and the committed files are compared with a fresh generation by a test (and by
``wfspec schemas --check``), so models and schemas cannot drift apart.

Post-processing of pydantic's output, each for a reason:

- ``$defs`` -> ``definitions`` and ``$schema`` draft-07: editors and form libraries speak draft-07.
- ``oneOf`` + ``discriminator`` (the ParamDef union on ``type``) -> one ``ParamDef`` definition
  with an ``if``/``then`` chain: a validator then reports the error of the branch the author
  meant (``type: edges`` -> the edges errors), not "valid under none of 9 schemas".
- ``anyOf [X, null]`` -> ``X`` and ``default: null`` dropped: authors omit optional keys rather
  than write ``null``, and the hover stays readable.
- ``$ref`` with siblings -> ``allOf: [{$ref}]`` + siblings: draft-07 ignores siblings of ``$ref``,
  which would drop the titles and descriptions that editors show on hover.
- ``patternProperties`` (slug-keyed maps) get ``additionalProperties: false`` so a bad name is an
  error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from .documents import DOCUMENT_MODELS

__all__ = [
    "DRAFT07",
    "SCHEMA_FILES",
    "UMBRELLA_FILE",
    "generate_all",
    "generate_kind_schema",
    "generate_umbrella_schema",
    "main",
    "schemas_command",
    "write_or_check",
]

DRAFT07 = "http://json-schema.org/draft-07/schema#"
ID_BASE = "https://wfspec.org/schemas/v1/"
"""Base of the schemas' ``$id`` (a stable identifier, not necessarily a fetchable address)."""

SCHEMA_FILES: dict[str, str] = {
    "Instrument": "instrument.schema.json",
    "ParamSet": "paramset.schema.json",
    "Workflow": "workflow.schema.json",
    "WorkflowTemplate": "workflowtemplate.schema.json",
}
UMBRELLA_FILE = "wfspec.schema.json"
REPO_ROOT = Path(__file__).resolve().parent.parent


class _Draft07(GenerateJsonSchema):
    """pydantic's generator with draft-07 references."""

    def sort(self, value: Any, parent_key: Any = None) -> Any:
        # Keep the models' order (YAML order in examples, field order in hovers and docs).
        return value

    def nullable_schema(self, schema: Any) -> dict[str, Any]:
        # Optional keys are omitted, never written as null (see module docstring).
        return self.generate_inner(schema["schema"])


def _pydantic_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(
        ref_template="#/definitions/{model}", schema_generator=_Draft07, mode="validation"
    )


def _union_name(refs: list[str]) -> str:
    names = [ref.rsplit("/", 1)[-1] for ref in refs]
    if all(name.endswith("Param") for name in names):
        prefix = "Template" if all(name.startswith("Template") for name in names) else ""
        return f"{prefix}ParamDef"
    return "Union" + "".join(names)


def _dispatch(property_name: str, mapping: dict[str, str], description: str) -> dict[str, Any]:
    """An if/then chain on ``property_name`` (better errors than oneOf)."""
    values = list(mapping)
    return {
        "type": "object",
        "description": description,
        "required": [property_name],
        "properties": {
            property_name: {
                "title": property_name.capitalize(),
                "description": f"One of: {', '.join(values)}.",
                "enum": values,
            }
        },
        "allOf": [
            {
                "if": {
                    "properties": {property_name: {"const": value}},
                    "required": [property_name],
                },
                "then": {"$ref": ref},
            }
            for value, ref in mapping.items()
        ],
    }


def _postprocess(node: Any, unions: dict[str, dict[str, Any]]) -> Any:
    """Rewrite one pydantic schema node (recursively) as described in the module docstring."""
    if isinstance(node, list):
        return [_postprocess(item, unions) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _postprocess(value, unions) for key, value in node.items()}
    if "discriminator" in node and "oneOf" in node:
        disc = node.pop("discriminator")
        branches = node.pop("oneOf")
        refs = [branch["$ref"] for branch in branches]
        name = _union_name(refs)
        if name not in unions:
            description = (
                "A param definition; `type` selects the kind "
                f"({', '.join(disc['mapping'])}) and the keys it accepts."
            )
            unions[name] = _dispatch(disc["propertyName"], disc["mapping"], description)
        node["$ref"] = f"#/definitions/{name}"
    if "anyOf" in node:
        branches = [b for b in node["anyOf"] if b != {"type": "null"}]
        if len(branches) == 1:
            del node["anyOf"]
            inner = branches[0]
            for key, value in inner.items():
                node.setdefault(key, value)
        else:
            node["anyOf"] = branches
    if "default" in node and node["default"] is None:
        del node["default"]
    if "$ref" in node and len(node) > 1:
        ref = node.pop("$ref")
        node["allOf"] = [{"$ref": ref}, *node.get("allOf", [])]
    if "patternProperties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


def _finish(schema: dict[str, Any], definitions: dict[str, Any], file_name: str) -> dict[str, Any]:
    head = {"$schema": DRAFT07, "$id": ID_BASE + file_name}
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    body["definitions"] = {name: definitions[name] for name in sorted(definitions)}
    return {**head, **body}


def _kind_parts(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The root schema of one kind and its definitions, post-processed."""
    raw = _pydantic_schema(DOCUMENT_MODELS[kind])
    raw_defs = raw.pop("$defs", {})
    unions: dict[str, dict[str, Any]] = {}
    root = _postprocess(raw, unions)
    definitions = {name: _postprocess(value, unions) for name, value in raw_defs.items()}
    definitions.update(unions)
    return root, definitions


def generate_kind_schema(kind: str) -> dict[str, Any]:
    """The self-contained draft-07 schema of one document kind."""
    root, definitions = _kind_parts(kind)
    return _finish(root, definitions, SCHEMA_FILES[kind])


def generate_umbrella_schema() -> dict[str, Any]:
    """One schema for any wfspec document, dispatching on ``kind`` with if/then."""
    definitions: dict[str, Any] = {}
    for kind in DOCUMENT_MODELS:
        root, defs = _kind_parts(kind)
        definitions.update(defs)
        definitions[kind] = root
    dispatch = _dispatch(
        "kind",
        {kind: f"#/definitions/{kind}" for kind in DOCUMENT_MODELS},
        "A wfspec spec document; `kind` selects Instrument, ParamSet, Workflow or "
        "WorkflowTemplate.",
    )
    dispatch["properties"]["kind"]["description"] = (
        "Document kind: " + ", ".join(DOCUMENT_MODELS) + "."
    )
    root = {"title": "wfspec document", **dispatch}
    return _finish(root, definitions, UMBRELLA_FILE)


def generate_all() -> dict[str, str]:
    """File name -> text of every generated schema (deterministic, trailing newline): the
    document kinds, the umbrella, the bundle (``bundle_model.py``) and the runtime's state files
    (``state_files.py``)."""
    from .bundle_model import BundleFile
    from .state_files import STATE_FILE_MODELS, generate_state_schema

    out = {SCHEMA_FILES[kind]: dump(generate_kind_schema(kind)) for kind in DOCUMENT_MODELS}
    out[UMBRELLA_FILE] = dump(generate_umbrella_schema())
    for name, model in {"bundle.schema.json": BundleFile, **STATE_FILE_MODELS}.items():
        out[name] = dump(
            {"$schema": DRAFT07, "$id": ID_BASE + name, **generate_state_schema(model)}
        )
    return out


def dump(schema: dict[str, Any]) -> str:
    """Stable JSON text: 2-space indent, UTF-8 kept (μs, Å), trailing newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def check_schemas(texts: dict[str, str]) -> None:
    """Raise ``jsonschema.SchemaError`` when a generated schema is not valid draft-07."""
    from jsonschema import Draft7Validator

    for text in texts.values():
        Draft7Validator.check_schema(json.loads(text))


def generated_files(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Every generated file (schemas and the language reference) -> its expected text."""
    from .docs_gen import generate_docs

    texts = generate_all()
    check_schemas(texts)
    files = {root / "schemas" / name: text for name, text in texts.items()}
    files[root / "docs" / "spec-language.md"] = generate_docs(
        {name: json.loads(text) for name, text in texts.items()}
    )
    return files


def write_or_check(check: bool, root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated files, or (``check``) return those that are stale or missing."""
    stale: list[Path] = []
    for path, text in generated_files(root).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    """``python -m wfspec.compiler.schema_gen [--check]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if files are stale")
    args = parser.parse_args(argv)
    stale = write_or_check(args.check)
    verb = "stale" if args.check else "wrote"
    for path in stale:
        print(f"{verb}: {path}")
    if args.check and stale:
        print("run `wfspec schemas` (or python -m wfspec.compiler.schema_gen) to regenerate")
        return 1
    return 0


@click.command("schemas")
@click.option("--check", is_flag=True, help="Exit 1 when a generated file is stale; write nothing.")
def schemas_command(check: bool) -> None:
    """Regenerate schemas/*.json and docs/spec-language.md from the document models.

    The pydantic models in wfspec.compiler.documents are the single source of truth; CI runs
    the --check form so the committed schemas and docs never drift from them.

    \b
    Examples:
      wfspec schemas            # rewrite the stale files
      wfspec schemas --check    # CI: exit 1 if anything is stale
    """
    stale = write_or_check(check)
    for path in stale:
        click.echo(f"{'stale' if check else 'wrote'}: {path}")
    if check and stale:
        click.echo("run `wfspec schemas` to regenerate", err=True)
        raise SystemExit(1)
    if not stale:
        click.echo("schemas and docs are up to date")


if __name__ == "__main__":
    sys.exit(main())
