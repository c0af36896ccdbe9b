"""Constraint rules between sibling fields: parse once, evaluate anywhere.

A rule is ``left op right`` with ``op`` one of ``<, <=, >, >=, !=`` (lt, le, gt, ge, ne); each
side is a sibling field name or a number, at least one side a field: ``"pixel_start <
pixel_stop"``, ``"start > 0"``. An optional ``when: "scale == log"`` (or ``!=``) makes the rule
conditional on a sibling's value; its left side is a field, its right side a literal (a number,
``true``/``false``, a quoted string or a bare word).

The same :class:`Rule` objects drive pydantic validation (``params_model.py``), the form schema
(``forms.py``: ``x-constraints`` plus ``if``/``then`` for field-vs-number rules) and the check of
defaults (``params_check.py``). Syntax errors raise :class:`ConstraintSyntaxError`, which
``params_check`` turns into a diagnostic at the rule's position.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .paramdefs import Constraint

__all__ = [
    "OPS",
    "Comparison",
    "Condition",
    "ConstraintSyntaxError",
    "Rule",
    "broken_rules",
    "compile_constraint",
    "parse_rule",
    "parse_when",
]

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "!=": operator.ne,
}
"""The comparison operators a rule may use."""

_OP_NAMES = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "!=": "ne"}
_RULE = re.compile(r"^\s*(?P<left>\S+?)\s*(?P<op><=|>=|==|!=|=|<|>)\s*(?P<right>\S+)\s*$")
_WHEN = re.compile(
    r"""^\s*(?P<left>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>==|!=)\s*"""
    r"""(?P<right>'[^']*'|"[^"]*"|[^\s'"=!<>]+)\s*$"""
)
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class ConstraintSyntaxError(ValueError):
    """A rule or condition does not parse; ``part`` is ``"rule"`` or ``"when"``."""

    def __init__(self, part: str, text: str, reason: str) -> None:
        self.part = part
        self.text = text
        self.reason = reason
        super().__init__(f"cannot parse {part} {text!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right``; an operand is a field name (str) or a number (int/float)."""

    left: str | int | float
    op: str
    right: str | int | float

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(side for side in (self.left, self.right) if isinstance(side, str))

    @property
    def op_name(self) -> str:
        """``lt``, ``le``, ``gt``, ``ge`` or ``ne``."""
        return _OP_NAMES[self.op]

    def holds(self, values: Mapping[str, Any]) -> bool:
        """True when the comparison holds (or cannot be judged: a missing or null operand)."""
        left = values.get(self.left) if isinstance(self.left, str) else self.left
        right = values.get(self.right) if isinstance(self.right, str) else self.right
        if left is None or right is None:
            return True
        try:
            return bool(OPS[self.op](left, right))
        except TypeError:
            return False

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True, slots=True)
class Condition:
    """``field == literal`` or ``field != literal``."""

    field: str
    equal: bool
    value: Any
    text: str

    def applies(self, values: Mapping[str, Any]) -> bool:
        actual = values.get(self.field)
        same = _same(actual, self.value) or (isinstance(actual, str) and actual == self.text)
        return same if self.equal else not same

    def __str__(self) -> str:
        return f"{self.field} {'==' if self.equal else '!='} {self.text}"


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed constraint: comparison, optional condition and the message the user sees."""

    comparison: Comparison
    condition: Condition | None
    message: str

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field name the rule reads (comparison and condition)."""
        extra = (self.condition.field,) if self.condition else ()
        return self.comparison.fields + extra

    def violated(self, values: Mapping[str, Any]) -> bool:
        if self.condition is not None and not self.condition.applies(values):
            return False
        return not self.comparison.holds(values)

    def to_json(self) -> dict[str, Any]:
        """The ``x-constraints`` entry of the form schema (documented in ADR 0003)."""
        out: dict[str, Any] = {
            "rule": str(self.comparison),
            "left": self.comparison.left,
            "op": self.comparison.op_name,
            "right": self.comparison.right,
            "message": self.message,
        }
        if self.condition is not None:
            out["when"] = {
                "field": self.condition.field,
                "op": "eq" if self.condition.equal else "ne",
                "value": self.condition.value,
            }
        return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _operand(text: str, rule: str) -> str | int | float:
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and re.match(r"^[+-]?\d+$", text) else number
    if _FIELD.match(text):
        return text
    raise ConstraintSyntaxError("rule", rule, f"{text!r} is neither a field name nor a number")


def parse_rule(text: str) -> Comparison:
    """Parse ``"a < b"`` / ``"start > 0"``; raise :class:`ConstraintSyntaxError` naming why."""
    match = _RULE.match(text or "")
    if match is None:
        raise ConstraintSyntaxError(
            "rule", text, "expected 'left op right' with op one of <, <=, >, >=, !="
        )
    op = match["op"]
    if op in ("==", "="):
        raise ConstraintSyntaxError(
            "rule", text, f"'{op}' is not a constraint operator; use one of <, <=, >, >=, !="
        )
    left = _operand(match["left"], text)
    right = _operand(match["right"], text)
    if not isinstance(left, str) and not isinstance(right, str):
        raise ConstraintSyntaxError("rule", text, "compares two numbers; name a field")
    return Comparison(left, op, right)


def _literal(text: str) -> Any:
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if re.match(r"^[+-]?\d+$", text) else number
    if text in ("true", "false"):
        return text == "true"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_when(text: str) -> Condition:
    """Parse ``"scale == log"``: a sibling field on the left, a literal on the right."""
    match = _WHEN.match(text or "")
    if match is None:
        raise ConstraintSyntaxError(
            "when", text, "expected 'field == value' or 'field != value', e.g. 'scale == log'"
        )
    raw = match["right"]
    literal = _literal(raw)
    plain = raw[1:-1] if isinstance(literal, str) and raw[:1] in "'\"" else raw
    return Condition(match["left"], match["op"] == "==", literal, plain)


def compile_constraint(constraint: Constraint) -> Rule:
    """A :class:`Constraint` as written -> a :class:`Rule` (raises ConstraintSyntaxError)."""
    comparison = parse_rule(constraint.rule)
    condition = parse_when(constraint.when) if constraint.when is not None else None
    message = constraint.message or _default_message(comparison, condition)
    return Rule(comparison, condition, message)


_OP_WORDS = {
    "<": "less than",
    "<=": "at most",
    ">": "greater than",
    ">=": "at least",
    "!=": "different from",
}


def _default_message(comparison: Comparison, condition: Condition | None) -> str:
    """``"pixel_start must be less than pixel_stop"`` (``when scale is log``)."""
    text = f"{comparison.left} must be {_OP_WORDS[comparison.op]} {comparison.right}"
    if condition is not None:
        text += f" when {condition.field} {'is' if condition.equal else 'is not'} {condition.text}"
    return text


def broken_rules(rules: Iterable[Rule], values: Mapping[str, Any]) -> list[Rule]:
    """The rules that ``values`` (a flat mapping of sibling fields) break, in order."""
    return [rule for rule in rules if rule.violated(values)]
