"""da00 flatbuffers <-> ``scipp.DataArray`` (the livedata data-topic payload).

Conventions of the ESS livedata backend, which we read and write:

- the variable named ``signal`` is the data; ``errors``, when present, holds standard deviations
  (so variances = errors**2); the signal's ``label`` carries the DataArray's name;
- every other variable is a coordinate, e.g. ``time`` (int64 ns since the epoch, the end of the
  accumulation window) and ``start_time``; coordinates whose dims are not a subset of the signal's
  dims are dropped (the EFU sends per-frame variables next to frame-integrated data);
- a variable whose unit is ``datetime64[<unit>]`` holds offsets from the epoch in that unit.

Encoding what was decoded gives back the same DataArray (see ``tests/correlation``).
scipp and streaming_data_types are imported lazily: this module is imported by the runtime's
package but must not slow down ``wfspec check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipp as sc

__all__ = [
    "Da00Error",
    "Da00Record",
    "dataarray_to_variables",
    "decode_da00",
    "encode_da00",
    "variables_to_dataarray",
]

SIGNAL = "signal"
ERRORS = "errors"
_DATETIME_PREFIX = "datetime64"

# scipp supports bool, int32, int64, float32, float64, string, datetime64 only.
_DTYPE_MAP = {
    np.dtype("uint8"): np.int32,
    np.dtype("int8"): np.int32,
    np.dtype("uint16"): np.int32,
    np.dtype("int16"): np.int32,
    np.dtype("uint32"): np.int64,
    np.dtype("uint64"): np.float64,
}


class Da00Error(ValueError):
    """A record that is not a usable da00 message (reason in the text)."""


@dataclass(frozen=True)
class Da00Record:
    """One decoded data-topic record: its key string, timestamp and data."""

    source_name: str
    timestamp_ns: int
    data: sc.DataArray


def decode_da00(buffer: bytes) -> Da00Record:
    """Decode one da00 record; raise :class:`Da00Error` when it is not one."""
    from streaming_data_types import dataarray_da00

    try:
        message = dataarray_da00.deserialise_da00(buffer)
    except Exception as exc:  # flatbuffers raises many types on garbage input
        raise Da00Error(f"not a da00 flatbuffer ({type(exc).__name__}: {exc})") from None
    return Da00Record(
        source_name=message.source_name,
        timestamp_ns=int(message.timestamp_ns),
        data=variables_to_dataarray(message.data),
    )


def encode_da00(source_name: str, data: sc.DataArray, timestamp_ns: int) -> bytes:
    """Serialise ``data`` as a da00 record with the given key string and timestamp."""
    from streaming_data_types import dataarray_da00

    return dataarray_da00.serialise_da00(
        source_name=source_name,
        timestamp_ns=int(timestamp_ns),
        data=dataarray_to_variables(data),
    )


def dataarray_to_variables(data: sc.DataArray) -> list[Any]:
    """``signal`` (+ ``errors`` when there are variances) followed by every coordinate."""
    import scipp as sc

    label = data.name or None
    if data.variances is None:
        variables = [_to_variable(SIGNAL, data.data, label=label)]
    else:
        variables = [
            _to_variable(SIGNAL, sc.values(data.data), label=label),
            _to_variable(ERRORS, sc.stddevs(data.data)),
        ]
    variables.extend(_to_variable(name, coord) for name, coord in data.coords.items())
    return variables


def variables_to_dataarray(variables: list[Any]) -> sc.DataArray:
    """Build a DataArray from da00 variables; raise :class:`Da00Error` without a signal."""
    import scipp as sc

    by_name = {}
    for variable in variables:
        try:
            by_name[variable.name] = _to_scipp(variable)
        except Exception as exc:
            raise Da00Error(f"variable {variable.name!r} is unusable: {exc}") from None
    signal = by_name.pop(SIGNAL, None)
    if signal is None:
        raise Da00Error(f"no {SIGNAL!r} variable (found: {sorted(by_name) or 'none'})")
    errors = by_name.pop(ERRORS, None)
    if errors is not None:
        if errors.dims != signal.dims or errors.shape != signal.shape:
            raise Da00Error(f"{ERRORS!r} has dims {errors.dims}, signal has {signal.dims}")
        if signal.dtype not in (sc.DType.float32, sc.DType.float64):
            signal = signal.to(dtype="float64")
        signal.variances = errors.values.astype(signal.values.dtype) ** 2
    coords = {name: var for name, var in by_name.items() if set(var.dims).issubset(signal.dims)}
    label = next((v.label for v in variables if v.name == SIGNAL), None)
    try:
        return sc.DataArray(signal, coords=coords, name=label or "")
    except Exception as exc:  # e.g. a coordinate with a wrong length
        raise Da00Error(f"inconsistent variables: {exc}") from None


def _to_variable(name: str, var: sc.Variable, *, label: str | None = None) -> Any:
    import scipp as sc
    from streaming_data_types import dataarray_da00

    unit = None if var.unit is None else str(var.unit)
    if var.dtype == sc.DType.datetime64:
        values = (var - sc.epoch(unit=var.unit)).values
        unit = f"{_DATETIME_PREFIX}[{var.unit}]"
    else:
        values = var.values
    # np.asarray keeps a 0-d value 0-d (np.ascontiguousarray would make it shape [1])
    data = values if isinstance(values, str) else np.asarray(values, order="C")
    return dataarray_da00.Variable(
        name=name, data=data, axes=list(var.dims), shape=tuple(var.shape), unit=unit, label=label
    )


def _to_scipp(variable: Any) -> sc.Variable:
    import scipp as sc

    if isinstance(variable.data, str):
        return sc.scalar(variable.data)
    data = np.asarray(variable.data)
    if data.dtype in _DTYPE_MAP:
        data = data.astype(_DTYPE_MAP[data.dtype])
    dims = list(variable.axes or [])
    if data.ndim != len(dims):
        raise ValueError(f"{data.ndim}-d data with axes {dims}")
    unit = variable.unit
    if unit is not None and unit.startswith(_DATETIME_PREFIX):
        inner = unit[len(_DATETIME_PREFIX) :].strip("[]")
        return sc.epoch(unit=inner) + sc.array(dims=dims, values=data, unit=inner)
    return sc.array(dims=dims, values=data, unit=unit)
