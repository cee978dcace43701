"""Plan schema v1: parse plan documents and report every problem at once, for people.

This is the only module that reads plan bytes. :func:`parse_plan` turns bytes or text into a
JSON object (refusing bad encodings, syntax errors, NaN/Infinity, absurd nesting and oversize
documents); :func:`validate_plan` checks it against ``plan_schema.json`` plus a few cross-field
rules and raises :class:`~evaluator.errors.PlanValidationError` listing every error, sorted by
path, each as ``path: what is wrong``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from evaluator.errors import FieldError, PlanValidationError, describe_value

MAX_PLAN_BYTES = 1_000_000
"""Largest plan document accepted, in bytes (a real plan is a few kilobytes)."""

MAX_NESTING = 32
"""Deepest nesting of objects and lists accepted (plan schema v1 needs 6)."""

MIN_PRICE = 0.01
"""Smallest non-zero product price: prices are divided by, so a vanishing price would turn
volume per money and margins into meaningless, unbounded figures."""

MIN_VOLUME = 0.001
"""Smallest non-zero commissionable volume, per unit of a product (``products[].volume``) or
per unit of money (``compensation.commissionable_fraction``): money per volume is a division,
so a vanishing volume would make a qualifying purchase unbounded."""

COMPONENT_TYPES: tuple[str, ...] = (
    "retail_margin",
    "retail_commission",
    "enrollment_bonus",
    "fast_start",
    "unilevel",
    "binary",
    "matrix",
    "breakaway",
    "rank_bonus",
)

_TYPE_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


@cache
def plan_schema() -> dict[str, Any]:
    """The plan schema v1 document shipped in the package."""
    text = resources.files("evaluator").joinpath("plan_schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(plan_schema())


def format_path(parts: Iterable[str | int]) -> str:
    """``["a", 1, "b"]`` -> ``"a[1].b"``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _BadNumber:
    """Stands in for NaN/Infinity while parsing so the error can name its path."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_constant(text: str) -> _BadNumber:
    return _BadNumber(text)


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def _parse_int(text: str) -> int | _BadNumber:
    if len(text.lstrip("-")) > 18:
        return _BadNumber(text)
    return int(text)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def _nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings (linear, never recursive)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _bad_numbers(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[FieldError]:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _BadNumber):
            yield FieldError(
                format_path(where),
                f"{item.text} is not allowed: numbers must be finite and of a sensible size",
                item.text,
            )
        elif isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))


def parse_plan(data: bytes | str, *, max_bytes: int = MAX_PLAN_BYTES) -> dict[str, Any]:
    """Parse a plan document (UTF-8 JSON object) or raise PlanValidationError saying why."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise PlanValidationError(
            [FieldError("", f"the plan is {size:,} bytes; the limit is {max_bytes:,} bytes")]
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanValidationError(
                [
                    FieldError(
                        "",
                        f"the plan is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
                        f"{exc.start}); save it as UTF-8 JSON",
                    )
                ]
            ) from None
    else:
        text = data
    if not text.strip():
        raise PlanValidationError([FieldError("", "the plan is empty; expected a JSON object")])
    depth = _nesting_depth(text)
    if depth > MAX_NESTING:
        raise PlanValidationError(
            [FieldError("", f"the plan is nested {depth} levels deep; the limit is {MAX_NESTING}")]
        )
    try:
        doc = json.loads(
            text,
            parse_constant=_parse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as exc:
        raise PlanValidationError(
            [
                FieldError(
                    "",
                    f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                )
            ]
        ) from None
    except RecursionError:  # defensive: the depth check above should make this unreachable
        raise PlanValidationError([FieldError("", "the plan is nested too deeply")]) from None
    bad = sorted(_bad_numbers(doc))
    if bad:
        raise PlanValidationError(bad)
    if not isinstance(doc, dict):
        raise PlanValidationError(
            [FieldError("", f"the plan must be a JSON object, not {_type_word(doc)}")]
        )
    return doc


def _type_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "an object"


def _expected_types(expected: str | Sequence[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_TYPE_WORDS.get(n, n) for n in names)


def _component_branch(error: ValidationError) -> list[ValidationError] | None:
    """For a failed component ``oneOf``, the errors of the branch its ``type`` names."""
    instance = error.instance
    if not isinstance(instance, dict) or instance.get("type") not in COMPONENT_TYPES:
        return None
    index = COMPONENT_TYPES.index(instance["type"])
    return [e for e in error.context or () if e.schema_path and e.schema_path[0] == index]


def _messages(error: ValidationError) -> Iterator[FieldError]:
    """Turn one plan-schema error into plain-words FieldErrors (a bad component: its branch;
    in a plan, a minimum of 0 is on an amount and a pattern on ``currency`` is ISO 4217)."""
    path = list(error.absolute_path)
    value = error.instance
    if error.validator == "minimum" and error.validator_value == 0:
        yield FieldError(format_path(path),
                         f"{describe_value(value)} is negative; amounts cannot be negative",
                         value)
        return
    if error.validator == "pattern" and path and path[-1] == "currency":
        yield FieldError(format_path(path), f"{describe_value(value)} is not a three-letter "
                         "ISO 4217 currency code in capitals, such as USD", value)
        return
    if error.validator != "oneOf":
        yield from field_errors(error, "plan schema v1")
        return
    branch = _component_branch(error)
    if branch is not None:
        for sub in branch:
            yield from _messages(sub)
        return
    kind_value = value.get("type") if isinstance(value, dict) else None
    if not isinstance(value, dict):
        yield FieldError(
            format_path(path), f"{describe_value(value)} is not a component; expected an object",
            value,
        )
    elif kind_value is None:
        yield FieldError(
            format_path([*path, "type"]),
            "is required: name the component type, one of " + ", ".join(COMPONENT_TYPES),
            None,
        )
    else:
        yield FieldError(
            format_path([*path, "type"]),
            f"{describe_value(kind_value)} is not a component type; expected one of "
            + ", ".join(COMPONENT_TYPES),
            kind_value,
        )


def field_errors(error: ValidationError, document: str) -> Iterator[FieldError]:
    """One jsonschema error as plain-words FieldErrors: *where* (a path) and *what* is wrong.

    ``document`` names the format in messages about unknown fields ("plan schema v1",
    "the rubric format"). Shared by every loader that validates against a JSON Schema.
    """
    path = list(error.absolute_path)
    where = format_path(path)
    value = error.instance
    kind = error.validator
    arg = error.validator_value
    shown = describe_value(value)
    if kind == "required":
        for name in arg:
            if not isinstance(value, dict) or name not in value:
                yield FieldError(format_path([*path, name]), "is required but missing", None)
        return
    if kind == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        for name in sorted(set(value) - set(allowed)):
            yield FieldError(
                format_path([*path, name]),
                f"is not a field of {document}; expected one of " + ", ".join(allowed),
                value[name],
            )
        return
    if kind == "type":
        message = f"{shown} is not {_expected_types(arg)}"
    elif kind == "minimum":
        message = f"{shown} is less than the minimum of {arg}"
    elif kind == "maximum":
        message = f"{shown} is more than the maximum of {arg}"
    elif kind == "exclusiveMinimum":
        message = f"{shown} must be more than {arg}"
    elif kind == "minItems":
        message = (
            "is empty; at least one item is required" if arg == 1 else f"needs at least {arg} items"
        )
    elif kind == "maxItems":
        message = f"has {len(value)} items; at most {arg} are allowed"
    elif kind == "minLength":
        message = "is empty; text is required" if arg == 1 else f"needs at least {arg} characters"
    elif kind == "maxLength":
        message = f"is {len(value)} characters long; at most {arg} are allowed"
    elif kind == "enum":
        message = f"{shown} is not one of " + ", ".join(str(a) for a in arg)
    elif kind == "const":
        message = f"{shown} is not allowed; expected {json.dumps(arg)}"
    elif kind == "pattern":
        message = f"{shown} does not match the pattern {arg}"
    else:
        message = f"{shown}: {error.message}"
    yield FieldError(where, message, value)


def _cross_field_errors(doc: dict[str, Any]) -> Iterator[FieldError]:
    """Rules the JSON Schema cannot express."""
    comp = doc.get("compensation") or {}
    components = comp.get("components") or []
    ranks = comp.get("ranks") or []
    seen: dict[str, int] = {}
    for i, c in enumerate(components):
        kind = c.get("type") if isinstance(c, dict) else None
        if not isinstance(kind, str) or kind not in COMPONENT_TYPES:
            continue
        if kind in seen:
            yield FieldError(
                f"compensation.components[{i}].type",
                f"{kind!r} already appears at compensation.components[{seen[kind]}]; "
                "a plan has each component type at most once",
                kind,
            )
        seen[kind] = i
        if kind in ("breakaway", "rank_bonus") and not ranks:
            yield FieldError(
                "compensation.ranks",
                f"is empty, but the {kind} component at compensation.components[{i}] pays by rank; "
                "add at least one rank",
                ranks,
            )
    for i, product in enumerate(doc.get("products") or []):
        for name in ("wholesale_price", "retail_price", "comparable_market_price"):
            value = product.get(name) if isinstance(product, dict) else None
            if isinstance(value, int | float) and 0 < value < MIN_PRICE:
                yield FieldError(
                    f"products[{i}].{name}",
                    f"{value} is below the smallest price accepted ({MIN_PRICE})",
                    value,
                )
        volume = product.get("volume") if isinstance(product, dict) else None
        if isinstance(volume, int | float) and 0 < volume < MIN_VOLUME:
            yield FieldError(
                f"products[{i}].volume",
                f"{volume} is below the smallest volume accepted ({MIN_VOLUME}); use 0 for none",
                volume,
            )
    fraction = comp.get("commissionable_fraction")
    if isinstance(fraction, int | float) and 0 < fraction < MIN_VOLUME:
        yield FieldError(
            "compensation.commissionable_fraction",
            f"{fraction} is below the smallest fraction accepted ({MIN_VOLUME}); use 0 for none",
            fraction,
        )
    names = [r.get("name") for r in ranks if isinstance(r, dict)]
    for i, name in enumerate(names):
        if name is not None and names.index(name) != i:
            yield FieldError(f"compensation.ranks[{i}].name", f"{name!r} is used twice", name)
    disclosure = (doc.get("disclosures") or {}).get("income_disclosure") or {}
    for i, b in enumerate(disclosure.get("brackets") or []):
        if not isinstance(b, dict):
            continue
        lo, hi = b.get("min"), b.get("max")
        if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
            yield FieldError(
                f"disclosures.income_disclosure.brackets[{i}].max",
                f"{hi} is less than the bracket's min of {lo}",
                hi,
            )


def plan_errors(doc: Any) -> list[FieldError]:
    """Every problem with a parsed plan document, sorted by path (empty when valid)."""
    found: set[FieldError] = set()
    for error in _validator().iter_errors(doc):
        found.update(_messages(error))
    if isinstance(doc, dict) and not found:
        found.update(_cross_field_errors(doc))
    return sorted(found, key=lambda e: (_sort_key(e.path), e.message))


def _sort_key(path: str) -> tuple[Any, ...]:
    parts = (p for p in re.split(r"[.\[\]]+", path) if p)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def validate_plan(doc: Any) -> dict[str, Any]:
    """Return ``doc`` when it satisfies plan schema v1, else raise with every error."""
    errors = plan_errors(doc)
    if errors:
        raise PlanValidationError(errors)
    return doc
