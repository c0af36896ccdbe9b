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
    "KNOWN_DIMENSIONS",
    "KNOWN_UNITS",
    "canonical_unit",
    "convertible",
    "likely_typo",
    "suggest_unit",
    "typo_message",
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


KNOWN_DIMENSIONS: dict[str, str] = {
    unit: dimension
    for dimension, units in {
        "time": ("ns", "us", "μs", "ms", "s", "min", "h"),
        "length": ("Å", "nm", "m", "cm", "mm", "km", "um", "μm", "pm"),
        "inverse length": ("1/Å", "1/nm", "1/m"),
        "angle": ("deg", "rad"),
        "energy": ("meV", "μeV", "eV", "keV"),
        "frequency": ("1/s", "Hz", "MHz"),
        "current": ("A", "mA"),
        "pressure": ("Pa", "bar", "mbar"),
        "mass": ("g", "kg"),
        "temperature": ("K",),
        "celsius": ("degC",),
        "magnetic field": ("T",),
        "voltage": ("V",),
        "counts": ("counts",),
        "dimensionless": ("dimensionless",),
    }.items()
    for unit in units
}
"""Which known units convert into each other (same value = same dimension; checked by a test
against scipp), so comparing the shipped set's units needs no scipp."""


def convertible(first: str, second: str) -> bool:
    """True when values in unit ``first`` convert to ``second`` (both valid units).

    Why: a ``units`` list is one quantity the user may show in several units; ``[ns, mm]``
    would let the same field mean a time or a length.
    """
    if first in KNOWN_DIMENSIONS and second in KNOWN_DIMENSIONS:
        return KNOWN_DIMENSIONS[first] == KNOWN_DIMENSIONS[second]
    return _convertible(first, second)


@lru_cache(maxsize=1024)
def _convertible(first: str, second: str) -> bool:
    import scipp

    try:
        scipp.scalar(1.0, unit=first).to(unit=second)
    except Exception:  # scipp.UnitError: different dimensions
        return False
    return True


@lru_cache(maxsize=1024)
def likely_typo(text: str) -> tuple[str, str] | None:
    """``(meant, scipp_reading)`` for a valid unit that is almost surely a typo, else None.

    The rule (ADR 0011): a spelling outside :data:`KNOWN_UNITS` that scipp reads as a
    *different* unit than a known one it resembles by

    - letter case only, against a lower-case known unit (``MS`` megasiemens vs ``ms``, ``Mm``
      megametre vs ``mm``; ``mHz`` is not held against ``MHz``), or
    - one doubled letter (``mmm`` micrometre vs ``mm``, ``degg``);

    is reported as a warning. Units scipp reads exactly as the known one are not (``mss``).
    """
    if text in KNOWN_UNITS or unit_error(text) is not None:
        return None
    lookalikes = [u for u in sorted(KNOWN_UNITS) if u.islower() and u == text.lower()]
    lookalikes += [
        text[:i] + text[i + 1 :]
        for i in range(1, len(text))
        if text[i] == text[i - 1] and text[:i] + text[i + 1 :] in KNOWN_UNITS
    ]
    reading = canonical_unit(text)
    for meant in lookalikes:
        if canonical_unit(meant) != reading:
            return meant, reading
    return None


def typo_message(text: str, meant: str, reading: str) -> str:
    """The U104 sentence: what scipp makes of ``text`` and what the author probably meant."""
    how = "letter case" if text.lower() == meant.lower() else "a doubled letter"
    return (
        f"unit {text!r} differs from {meant!r} by {how}, and scipp reads it as another unit "
        f"({reading!r}, not {canonical_unit(meant)!r})"
    )
