"""Unknown param keys are refused by name, with a "did you mean".

A spec's params model ignores keys it does not know (the backend's own models do the same), so a
misspelled key (``toa_edgez``) would silently run the job on defaults. ``stage`` calls
:func:`unknown_param_keys` first: given params are merged over the defaults, but every key must
be one the model (or the nested group it sits in) declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from wfspec.compiler import FieldError, did_you_mean

__all__ = ["unknown_param_keys"]


def unknown_param_keys(
    model: type[BaseModel], params: Mapping[str, Any], prefix: str = "params"
) -> list[FieldError]:
    """One :class:`FieldError` per key of ``params`` the model does not declare (recursive)."""
    fields = model.model_fields
    names: dict[str, str] = {}
    for name, info in fields.items():
        names[name] = name
        if info.alias:
            names[info.alias] = name
    errors: list[FieldError] = []
    for key, value in params.items():
        name = names.get(str(key))
        where = f"{prefix}.{key}"
        if name is None:
            guess = did_you_mean(str(key), list(fields))
            hint = f"did you mean {guess!r}? " if guess else ""
            known = ", ".join(fields) or "none"
            errors.append(FieldError(where, f"unknown param: {hint}known: {known}", None))
            continue
        nested = fields[name].annotation
        if (
            isinstance(nested, type)
            and issubclass(nested, BaseModel)
            and isinstance(value, Mapping)
        ):
            errors.extend(unknown_param_keys(nested, value, where))
    return errors
