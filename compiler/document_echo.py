"""Print a command's document (a spec preview, a params form) as JSON or YAML.

``wfspec render`` (compiler) and ``wfspec show`` (runtime) print the same kind of document; one
writer keeps their output byte-identical: keys in the order given, non-ASCII text as is, block
style YAML.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import click

__all__ = ["echo_document"]


def echo_document(document: Mapping[str, Any], output_format: str) -> None:
    """Write ``document`` to stdout: indented JSON if ``output_format`` is ``"json"``, else YAML."""
    if output_format == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[attr-defined]
    yaml.dump(dict(document), sys.stdout)
