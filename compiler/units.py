"""Unit strings: validated with scipp, but always kept exactly as the author spelled them.

scipp normalises spellings (``μs`` U+03BC GREEK MU becomes ``µs`` U+00B5 MICRO SIGN, ``us``
becomes ``µs``), while the livedata backend compares unit strings *exactly* against its enums
(``TimeUnit [ns, us, μs, ms, s]`` ...). So scipp is only asked "is this a unit?"; no output of
wfspec ever carries scipp's spelling.

scipp is imported lazily (it costs ~130 ms) and only for spellings outside :data:`KNOWN_UNITS`,
the backend's own unit enums plus a few common units (a test checks each is accepted by scipp).
Results are cached per spelling.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

__all__ = [
    "BACKEND_UNIT_ENUMS",
    "KNOWN_UNITS",
    "canonical_unit",
    "suggest_unit",
    "unit_error",
]

BACKEND_UNIT_ENUMS: dict[str, tuple[str, ...]] = {
    "TimeUnit": ("ns", "us", "μs", "ms", "s"),
    "WavelengthUnit": ("Å", "nm"),
    "LengthUnit": ("m", "cm", "mm"),
    "AngleUnit": ("deg", "rad"),
    "EnergyUnit": ("meV", "μeV"),
    "QUnit": ("1/Å", "1/nm"),
}
"""The ESS livedata backend's unit enums, spelled exactly as the backend compares them."""

_COMMON_EXTRA = (
    "counts",
    "dimensionless",
    "K",
    "Hz",
    "MHz",
    "min",
    "h",
    "km",
    "um",
    "μm",
    "pm",
    "eV",
    "keV",
    "1/s",
    "1/m",
    "V",
    "A",
    "mA",
    "T",
    "bar",
    "Pa",
    "mbar",
    "kg",
    "g",
    "degC",
)

KNOWN_UNITS: frozenset[str] = frozenset(
    {u for units in BACKEND_UNIT_ENUMS.values() for u in units} | set(_COMMON_EXTRA)
)
"""Spellings known to be valid scipp units (checked by a test); validated without scipp."""

# Frequent misspellings whose fix difflib would not find.
_ALIASES = {
    "angstrom": "Å",
    "ang": "Å",
    "aa": "Å",
    "a": "Å",
    "micros": "μs",
    "microsecond": "μs",
    "microseconds": "μs",
    "usec": "us",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "nanosecond": "ns",
    "nanoseconds": "ns",
    "second": "s",
    "seconds": "s",
    "sec": "s",
    "degree": "deg",
    "degrees": "deg",
    "radian": "rad",
    "radians": "rad",
    "count": "counts",
    "mev": "meV",
    "1/a": "1/Å",
    "1/angstrom": "1/Å",
}


@lru_cache(maxsize=1024)
def unit_error(text: str) -> str | None:
    """``None`` when ``text`` is a valid unit, else scipp's reason (the spelling is not changed)."""
    if text in KNOWN_UNITS:
        return None
    if not isinstance(text, str) or not text.strip():
        return "a unit must be a non-empty string"
    import scipp

    try:
        scipp.Unit(text)
    except Exception as error:  # scipp raises UnitError (and others) for bad strings
        return str(error) or type(error).__name__
    return None


@lru_cache(maxsize=1024)
def canonical_unit(text: str) -> str:
    """scipp's spelling of a valid unit, for *comparing* units only (never for output)."""
    import scipp

    return str(scipp.Unit(text))


def suggest_unit(text: str, candidates: tuple[str, ...] | None = None) -> str | None:
    """A likely intended unit for a bad spelling: ``'msec'`` -> ``'ms'``, ``'Angstrom'`` -> ``'Å'``.

    ``candidates`` (e.g. the param's own ``units`` list) are preferred over the common units.
    """
    lowered = text.strip().lower()
    pool = tuple(u for u in (*(candidates or ()), *sorted(KNOWN_UNITS)) if u != text)
    alias = _ALIASES.get(lowered)
    if alias is not None:
        return alias
    for unit in pool:
        if unit.lower() == lowered:
            return unit
    matches = difflib.get_close_matches(text.strip(), pool, n=1, cutoff=0.5)
    return matches[0] if matches else None
