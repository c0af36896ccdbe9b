"""Sandboxed, typed Jinja2 rendering of template bodies.

Why typed: a template body is YAML, so ``start: "{{ config.x_start }}"`` must give a float, not
the string ``"0.0"``. A string that is exactly one ``{{ expression }}`` is evaluated as a native
value; any other string containing Jinja syntax renders to text.

Why sandboxed: specs and template configs come from users. One ``SandboxedEnvironment`` with
``StrictUndefined`` (an undefined name is an error, never an empty string) and no autoescape
renders everything; any :class:`jinja2.exceptions.SecurityError` becomes a
:class:`~wfspec.compiler.errors.TemplateError`.

The ``slug`` filter is collision-aware: text that already is a slug (``^[a-z][a-z0-9_]*$``) is
kept as it is; anything else is lower-cased, every run of characters outside ``[a-z0-9_]`` becomes
one ``_``, and ``_`` plus the first 6 hex digits of the SHA-256 of the original text is appended.
So ``"A b"`` -> ``a_b_<hash>`` never collides with ``"a_b"`` -> ``a_b``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError
from .ids import is_slug

_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)
_NOT_SLUG = re.compile(r"[^a-z0-9_]+")
MAX_RANGE = 10_000
MAX_REPEAT = 100_000
"""Longest string or sequence that ``*`` (repetition) or ``%`` (padding) may produce."""
MAX_EXPONENT = 1000
MAX_INT = 10**100
"""Largest integer magnitude ``*`` and ``**`` may produce (a huge power is a denial of service)."""
_MAX_INT_BITS = 2 * MAX_INT.bit_length()  # operands this small multiply in microseconds
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?P<width>\*|\d*)(?:\.(?P<precision>\*|\d*))?")


def slug(value: Any) -> str:
    """Collision-aware slug (see the module docstring for the exact rule)."""
    text = str(value)
    if is_slug(text):
        return text
    base = _NOT_SLUG.sub("_", text.lower()).strip("_") or "x"
    if not base[0].isalpha():
        base = f"x_{base}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{base}_{digest}"


class _Environment(SandboxedEnvironment):
    """The sandbox plus a bounded ``range`` and bounded ``*``, ``**`` and ``%``.

    A huge range, ``'ab' * 10**9``, ``10 ** 10**8`` or ``'%0999999999d' % 1`` would each be a
    denial of service. Intercepting an operator also stops Jinja from folding constant
    expressions with it at compile time (which would run the same computation unchecked).
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.filters["slug"] = slug
        for name in ("center", "indent"):  # width arguments: bounded like the string methods
            self.filters[name] = _bounded_width(self.filters[name])
        self.globals["range"] = _bounded_range

    def make_globals(self, d: Any = None) -> Any:
        """A template's globals as a plain dict, not Jinja's ``ChainMap`` over the environment's.

        Why: every render copies the globals into a new context, and copying a ``ChainMap`` runs
        in Python -- half the cost of rendering a short string. The environment's globals are
        set once above and never change, so a snapshot holds exactly what the chain would show.
        """
        return {**self.globals, **(d or {})}

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Method calls: the width of ``str.ljust``, ``center``, ``zfill``... is bounded."""
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _PADDING_METHODS:
            _check_widths(f"str.{name}", (*args, *kwargs.values()))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``str.format``/``format_map`` (wrapped by Jinja at attribute access): widths bounded."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format_spec(value.__self__)
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%":
            _check_percent_format(left, right)
        result = super().call_binop(context, operator, left, right)
        if _is_int(result) and abs(result) > MAX_INT:
            raise SecurityError(f"the result of {operator!r} is larger than 10**100")
        return result


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_product(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if (
            isinstance(seq, str | bytes | list | tuple)
            and isinstance(times, int)
            and len(seq) * max(times, 0) > MAX_REPEAT
        ):
            raise SecurityError(
                f"repeating a sequence of {len(seq)} items {times} times gives more than "
                f"{MAX_REPEAT} items"
            )
    if (
        _is_int(left)
        and _is_int(right)
        and abs(left).bit_length() + abs(right).bit_length() > _MAX_INT_BITS
    ):
        raise SecurityError("the result of '*' is larger than 10**100")


def _check_power(left: Any, right: Any) -> None:
    if not (_is_int(left) and _is_int(right)):
        return  # a float power is computed in constant time (or overflows cheaply)
    if abs(right) > MAX_EXPONENT:
        raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
    if abs(left) > 1 and right * (abs(left).bit_length() - 1) > MAX_INT.bit_length():
        raise SecurityError("the result of '**' is larger than 10**100")


def _check_percent_format(left: Any, right: Any) -> None:
    if not isinstance(left, str):
        return
    for match in _PERCENT_SPEC.finditer(left):
        for size in (match["width"], match["precision"]):
            if size == "*" or (size and int(size) > MAX_REPEAT):
                raise SecurityError(
                    f"'%' format field {match.group()!r} may give more than {MAX_REPEAT} characters"
                )


_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*?(\d{6,})[^{}]*\}")


def _check_widths(what: str, values: Any) -> None:
    for value in values:
        if _is_int(value) and value > MAX_REPEAT:
            raise SecurityError(f"{what} width {value} is larger than {MAX_REPEAT}")


def _check_format_spec(text: str) -> None:
    for match in _FORMAT_WIDTH.finditer(text):
        if int(match[1]) > MAX_REPEAT:
            raise SecurityError(
                f"format field {match.group()!r} may give more than {MAX_REPEAT} characters"
            )


def _bounded_width(filter_function: Any) -> Any:
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_widths(filter_function.__name__.removeprefix("do_"), (*args, *kwargs.values()))
        return filter_function(value, *args, **kwargs)

    return bounded


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range of {len(result)} items is larger than {MAX_RANGE}")
    return result


ENVIRONMENT = _Environment()


def is_templated(text: Any) -> bool:
    """True for strings that contain Jinja syntax."""
    return isinstance(text, str) and ("{{" in text or "{%" in text)


@lru_cache(maxsize=4096)
def _compile(text: str) -> Any:
    """Compile once per distinct string (compiling costs ~100x a render)."""
    match = _SINGLE_EXPRESSION.match(text)
    if match:
        return ("expr", ENVIRONMENT.compile_expression(match["expr"], undefined_to_none=False))
    return ("text", ENVIRONMENT.from_string(text))


def syntax_error(text: str) -> str | None:
    """The Jinja syntax error of ``text`` as a sentence, or None when it compiles."""
    try:
        _compile(text)
    except TemplateSyntaxError as exc:
        return exc.message or str(exc)
    return None


def render_value(text: str, context: dict[str, Any]) -> Any:
    """Render one string: a native value for a lone expression, else text.

    Raises :class:`TemplateError` for syntax errors, undefined names and sandbox violations.
    """
    try:
        how, compiled = _compile(text)
        if how == "expr":
            value = compiled(**context)
            if isinstance(value, StrictUndefined):
                str(value)  # raises UndefinedError with the name
            return value
        return compiled.render(**context)
    except SecurityError as exc:
        raise TemplateError(f"refused by the template sandbox: {exc}") from None
    except UndefinedError as exc:
        raise TemplateError(f"undefined name in {text!r}: {exc.message}") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"syntax error in {text!r}: {exc.message}") from None
    except TemplateError:
        raise
    except Exception as exc:  # any error raised by user expressions
        raise TemplateError(f"cannot render {text!r}: {exc}") from None


def render_tree(node: Any, context: dict[str, Any], path: tuple = ()) -> Any:
    """Render every templated string in a YAML tree; raise TemplateError with ``.path`` set."""
    if isinstance(node, dict):
        return {key: render_tree(value, context, (*path, key)) for key, value in node.items()}
    if isinstance(node, list):
        return [render_tree(value, context, (*path, i)) for i, value in enumerate(node)]
    if is_templated(node):
        try:
            return render_value(node, context)
        except TemplateError as exc:
            exc.path = path  # type: ignore[attr-defined]
            raise
    return node


def templated_strings(node: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every templated string of a tree with its path (for syntax checks)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in templated_strings(v, (*path, k))]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in templated_strings(v, (*path, i))]
    return [(path, node)] if is_templated(node) else []
