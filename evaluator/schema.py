"""Plan schema v1: parse plan documents and report every problem at once, for people.

This is the only module that reads plan bytes. :func:`parse_plan` turns bytes or text into a
JSON object in time linear in its size (refusing bad encodings, syntax errors, absurd nesting,
oversize documents and, at their paths, NaN/Infinity, numbers over 18 digits, lone surrogates
and repeated keys); :func:`validate_plan` checks it against ``plan_schema.json`` plus a few
cross-field rules and raises :class:`~evaluator.errors.PlanValidationError` listing every
error (up to :data:`~evaluator.errors.MAX_ERRORS`, then a count), sorted by path, each as
``path: what is wrong``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from evaluator.errors import (
    MAX_ERRORS,
    FieldError,
    PlanValidationError,
    describe_value,
    first_errors,
    more_errors,
)

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
    """The plan schema (v1.1, which accepts every v1 plan) shipped in the package."""
    text = resources.files("evaluator").joinpath("plan_schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def plan_schema_v1() -> dict[str, Any]:
    """Plan schema v1 as it was released, frozen: what a plan saying ``"1"`` must satisfy."""
    text = resources.files("evaluator").joinpath("plan_schema_v1.json").read_text("utf-8")
    return json.loads(text)


@cache
def component_branches() -> Mapping[str, Mapping[str, Any]]:
    """Each component type -> its branch of the components' ``oneOf`` in plan schema v1.

    In schema order: the one source of the component types and of the fields each one takes.
    """
    items = plan_schema()["properties"]["compensation"]["properties"]["components"]["items"]
    return MappingProxyType({b["properties"]["type"]["const"]: b for b in items["oneOf"]})


COMPONENT_TYPES: tuple[str, ...] = tuple(component_branches())
"""The component types, in the order of plan schema v1's ``oneOf``."""

COMPONENT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    kind: tuple(name for name in branch["properties"] if name != "type")
    for kind, branch in component_branches().items()
})
"""Component type -> the fields it takes besides ``type``, in schema order."""

UNKNOWN_SIMULATED_AS: Mapping[str, Any] = MappingProxyType({
    name: next(branch["properties"][name]["default"] for branch in component_branches().values()
               if name in branch["properties"])
    for name in ("compression", "carryover", "placement", "breakaway_legs_in_group_volume")
})
"""A component's rules whose null (unknown) is simulated as the schema's default (this value),
and kept as null in the normalised plan, so the report can say the plan did not state it."""

NULL_ASIDE = re.compile(r"\s*\(null: ([^)]*)\)")
"""The aside of a field's description saying what its ``null`` means (``(null: no cap)``)."""


def field_node(path: str) -> Mapping[str, Any]:
    """The plan schema v1 node of the field at ``path``.

    ``path`` is like ``products[0].volume`` or ``products[].volume``; for a component field, the
    node comes from the first branch that has it.
    """
    node: Any = plan_schema()
    parts = [p for p in re.split(r"\.|(?=\[)", path) if p]
    for i, part in enumerate(parts):
        if part.startswith("["):
            node = node["items"]
            if "oneOf" in node and i + 1 < len(parts):
                node = next(b for b in node["oneOf"] if parts[i + 1] in b["properties"])
        else:
            node = node["properties"][part]
    return node


def meaning(node: Mapping[str, Any]) -> str:
    """A schema node's ``description`` as plain meaning: without its ``(null: ...)`` aside."""
    text = NULL_ASIDE.sub("", str(node["description"])).strip()
    return text if text.endswith((".", "?")) else text + "."


def _unless_over_max_items(keyword: Any) -> Any:
    """A list keyword that looks at no item of a list longer than its schema's ``maxItems``.

    ``maxItems`` reports that list once; checking 330,000 items would not help anyone.
    """

    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Any:
        limit = schema.get("maxItems")
        if isinstance(instance, list) and isinstance(limit, int) and len(instance) > limit:
            return
        yield from keyword(validator, value, instance, schema) or ()

    return check


def _max_items(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``maxItems`` without jsonschema's message, which spells out the whole list."""
    if validator.is_type(instance, "array") and len(instance) > limit:
        yield ValidationError(f"has {len(instance)} items; at most {limit} are allowed")


def _closed_object(keyword: Any) -> Any:
    """``additionalProperties: false`` without jsonschema's message.

    That message sorts and spells out every unknown name (:func:`field_errors` lists the first
    ones itself).
    """

    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Any:
        if value is False and "patternProperties" not in schema and isinstance(instance, dict):
            extra = len(instance.keys() - (schema.get("properties") or {}).keys())
            if extra:
                yield ValidationError(f"has {extra} fields that are not allowed")
            return
        yield from keyword(validator, value, instance, schema) or ()

    return check


BoundedValidator = validators.extend(
    Draft202012Validator,
    {"maxItems": _max_items,
     "additionalProperties": _closed_object(
         Draft202012Validator.VALIDATORS["additionalProperties"])}
    | {name: _unless_over_max_items(Draft202012Validator.VALIDATORS[name])
       for name in ("items", "prefixItems", "contains", "unevaluatedItems")},
)
"""Draft 2020-12, except that a list over its ``maxItems`` is not descended into and two
keywords build short messages (the errors are reworded by :func:`field_errors` anyway)."""


@cache
def _validator() -> Any:
    return BoundedValidator(plan_schema())


@cache
def _v1_validator() -> Any:
    return BoundedValidator(plan_schema_v1())


V1_1 = "1.1"
"""The schema version of a plan that uses a field schema v1 does not have."""


def _v1_paths(doc: dict[str, Any]) -> list[str]:
    """Where a valid plan goes beyond schema v1 (empty for a v1 plan)."""
    body = {k: v for k, v in doc.items() if k != "schema_version"}
    paths = set()
    for error in _branch_errors(_v1_validator().iter_errors(body)):
        where = format_path(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            for key in error.instance:
                if key not in allowed:
                    paths.add(f"{where}.{key}" if where else key)
        else:
            paths.add(where)
    return sorted(paths, key=_sort_key)


def _branch_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """The errors, a failed component ``oneOf`` replaced by its own branch's errors.

    So a v1.1 field of a component is found at its own path, not at the component's.
    """
    for error in errors:
        branch = _component_branch(error) if error.validator == "oneOf" else None
        if branch:
            yield from _branch_errors(branch)
        else:
            yield error


def v1_only(normalised: dict[str, Any]) -> dict[str, Any]:
    """A normalised v1 plan without the v1.1 fields (all at their defaults in a v1 plan).

    So a v1 plan's normalised document, and the input hash made from it, stay as they were.
    """
    def prune(node: Any, schema: Mapping[str, Any]) -> Any:
        if isinstance(node, dict):
            if "oneOf" in schema:
                schema = next((b for b in schema["oneOf"]
                               if b["properties"]["type"].get("const") == node.get("type")),
                              {})
            props = schema.get("properties")
            if props is None:
                return node
            return {k: prune(v, props[k]) for k, v in node.items() if k in props}
        if isinstance(node, list) and isinstance(schema.get("items"), Mapping):
            return [prune(v, schema["items"]) for v in node]
        return node

    return prune(normalised, plan_schema_v1())


def plan_version(doc: dict[str, Any]) -> str:
    """A valid plan's schema version: the one it states, else "1.1" exactly when it needs it."""
    stated = doc.get("schema_version")
    if isinstance(stated, str):
        return stated
    return V1_1 if _v1_paths(doc) else "1"


def format_path(parts: Iterable[str | int]) -> str:
    """``["a", 1, "b"]`` -> ``"a[1].b"``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = _shown(str(part))
            out += f".{name}" if out else name
    return out


MAX_DIGITS = 18
"""Most digits of a whole number in a plan (anything larger is no real amount)."""


class _BadNumber:
    """Stands in for NaN/Infinity while parsing so the error can name its path."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Repeated(dict[str, Any]):
    """An object in which some key appears more than once (``repeated`` lists them)."""

    repeated: tuple[str, ...] = ()


class _Parse:
    """One parse's hooks; ``suspect`` is set when a value needs :func:`value_errors`."""

    def __init__(self) -> None:
        self.suspect = False

    def constant(self, text: str) -> _BadNumber:
        self.suspect = True
        return _BadNumber(text)

    def float(self, text: str) -> float | _BadNumber:
        value = float(text)  # linear in the digits; an overflow is inf, refused below
        if math.isfinite(value):
            return value
        self.suspect = True
        return _BadNumber(text)

    def int(self, text: str) -> int | _BadNumber:
        if len(text.lstrip("-")) > MAX_DIGITS:
            self.suspect = True
            return _BadNumber(text)
        return int(text)

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        self.suspect = True
        seen: set[str] = set()
        repeated = _Repeated(obj)
        repeated.repeated = tuple(sorted({k for k, _ in pairs if k in seen or seen.add(k)}))
        return repeated


MAX_DIGITS = 18
"""Most digits of a whole number in a plan (anything larger is no real amount)."""

# Every step before ``json.loads`` is one regular-expression pass with no backtracking
# (possessive quantifiers; an unterminated string runs to the end of the text instead of being
# retried from each later quote) plus one numpy pass, so it is linear in the text.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.S)
_BIG_EXPONENT = re.compile(r"[eE][-+]?0*[0-9]{3}")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_STEPS = bytes.maketrans(b"[{]}" + bytes(x for x in range(256) if x not in b"[{]}"),
                         b"\x01\x01\xff\xff" + bytes(252))
"""Byte -> nesting step: an opening bracket +1, a closing one -1 (0xff as int8), others 0."""


def _outside_strings(text: str) -> str:
    """The text with every string (and an unterminated one's rest) removed: one linear pass."""
    return _STRING.sub("", text)


def _nesting_depth(bare: str) -> int:
    """Deepest bracket nesting of text without strings, in one vectorised linear pass."""
    steps = np.frombuffer(bare.encode("utf-8", "surrogatepass").translate(_STEPS), np.int8)
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _long_numbers(bare: str) -> bool:
    """Whether text without strings has a number that could overflow, in vectorised linear passes.

    Such a number is a run of more than :data:`MAX_DIGITS` digits or a three-digit exponent.
    """
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), np.uint8)
    digit = np.concatenate(([0], ((codes >= 48) & (codes <= 57)).view(np.int8), [0]))
    edges = np.diff(digit)
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return bool(runs.max(initial=0) > MAX_DIGITS) or _BIG_EXPONENT.search(bare) is not None


def _valid_text(text: str) -> bool:
    return text.isascii() or _SURROGATE.search(text) is None


def _shown(key: str) -> str:
    """A key as it may appear in a path (a lone surrogate shown as its escape)."""
    return key if _valid_text(key) else key.encode("utf-8", "backslashreplace").decode("utf-8")


def value_errors(doc: Any, limit: int = MAX_ERRORS) -> list[FieldError]:
    """Values no plan may hold, each at its path.

    These are NaN/Infinity or a number over :data:`MAX_DIGITS` digits, text that is not valid
    Unicode (a lone surrogate), a key repeated in one object. One pass (each container once); the
    first ``limit`` problems are listed in path order and the rest counted in one final entry.
    """
    if not isinstance(doc, dict | list):
        problem = _leaf_problem(doc)
        return [FieldError("", problem, doc)] if problem else []
    # Written for speed (it may visit a million values): containers go into flat lists with
    # the index of the container holding them, so no path is built unless a value is refused.
    nodes: list[Any] = [doc]
    owners: list[int] = [-1]
    names: list[str | int] = [""]
    suspects: list[tuple[int, str | int, Any]] = []
    suspect = suspects.append
    index = 0
    while index < len(nodes):
        node = nodes[index]
        if type(node) is list:
            pairs: Iterable[tuple[str | int, Any]] = enumerate(node)
        else:
            pairs = node.items()
            if type(node) is _Repeated:
                suspects.extend((index, key, _Repeated) for key in node.repeated)
        for key, value in pairs:
            kind = type(value)
            if kind is dict or kind is list or kind is _Repeated:
                nodes.append(value)
                owners.append(index)
                names.append(key)
            elif (kind is str and not value.isascii()) or (
                    kind is int and not -_TOO_BIG < value < _TOO_BIG) or (
                    kind is float and value - value != 0) or kind is _BadNumber:
                suspect((index, key, value))
            if type(key) is str and not key.isascii():
                suspect((index, key, _Key))
        index += 1

    def path(owner: int, key: str | int) -> tuple[str | int, ...]:
        parts = [key]
        while owner > 0:
            parts.append(names[owner])
            owner = owners[owner]
        return tuple(reversed(parts))

    hits: list[tuple[tuple[str | int, ...], str, Any]] = []
    more = 0
    for owner, key, value in suspects:
        if value is _Repeated:
            problem = _REPEATED
        elif value is _Key:
            problem = "" if _valid_text(str(key)) else _NAME_NOT_UNICODE
        else:
            problem = _leaf_problem(value)
        if problem and len(hits) < limit:
            hits.append((path(owner, key), problem, key if value is _Repeated else value))
        elif problem:
            more += 1
    errors = sorted(
        (FieldError(format_path(p), m, v) for p, m, v in hits),
        key=lambda e: (_sort_key(e.path), e.message),
    )
    return [*errors, more_errors(more, limit)] if more else errors


class _Key:
    """Marks a field name (rather than a value) to check in :func:`value_errors`."""


_INVALID = "is not valid Unicode (a lone surrogate such as \\ud800)"
_NOT_UNICODE = "is text that " + _INVALID
_NAME_NOT_UNICODE = "is a field name that " + _INVALID
_REPEATED = "appears more than once in the same object; give each field once"


def _leaf_problem(value: Any) -> str:
    """Why a parsed text or number is refused ("" when it is fine)."""
    if isinstance(value, str):
        return "" if _valid_text(value) else _NOT_UNICODE
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, _BadNumber):
        text = value.text
        return _NUMBER_RULE.format(text if len(text) <= 40 else
                                   f"a number of {len(text):,} characters")
    if isinstance(value, float):
        return "" if math.isfinite(value) else _NUMBER_RULE.format(value)
    if isinstance(value, int) and abs(value) >= _TOO_BIG:
        return _NUMBER_RULE.format(f"a number of more than {MAX_DIGITS} digits")
    return ""


_NUMBER_RULE = "{} is not allowed: numbers must be finite and of a sensible size"
_TOO_BIG = 10**MAX_DIGITS


def parse_plan(data: bytes | str, *, max_bytes: int = MAX_PLAN_BYTES) -> dict[str, Any]:
    """Parse a plan document (UTF-8 JSON object) or raise PlanValidationError saying why.

    Refused: over ``max_bytes``, not UTF-8, empty, nested over :data:`MAX_NESTING`, not JSON,
    not an object, and (each at its path, see :func:`value_errors`) NaN/Infinity, numbers
    over :data:`MAX_DIGITS` digits, lone surrogates and repeated keys. Every step is linear in
    the text: the 1 MB limit parses in milliseconds whatever its shape.
    """
    raw_surrogates = False
    if isinstance(data, str):
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            size, raw_surrogates = len(data.encode("utf-8", "surrogatepass")), True
    else:
        size = len(data)
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
    bare = _outside_strings(text)
    depth = _nesting_depth(bare)
    if depth > MAX_NESTING:
        raise PlanValidationError(
            [FieldError("", f"the plan is nested {depth} levels deep; the limit is {MAX_NESTING}")]
        )
    hooks = _Parse()
    # Numbers go through Python hooks only when one could overflow (a long digit run or a
    # three-digit exponent outside strings); otherwise the C decoder converts them.
    numbers: dict[str, Any] = (
        {"parse_float": hooks.float, "parse_int": hooks.int} if _long_numbers(bare) else {}
    )
    try:
        doc = json.loads(
            text, object_pairs_hook=hooks.object, parse_constant=hooks.constant, **numbers
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
    if hooks.suspect or raw_surrogates or (
            "\\u" in text and _ESCAPED_SURROGATE.search(text) is not None):
        bad = value_errors(doc)
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
    """For a failed component ``oneOf``, the errors of the branch the component names.

    That branch is found by its ``type`` const, whatever the branches' order.
    """
    kind = error.instance.get("type") if isinstance(error.instance, dict) else None
    if kind is None:
        return None
    index = next((i for i, branch in enumerate(error.validator_value)
                  if isinstance(branch, dict)
                  and (branch.get("properties") or {}).get("type", {}).get("const") == kind), None)
    if index is None:
        return None
    return [e for e in error.context or () if e.schema_path and e.schema_path[0] == index]


def _messages(error: ValidationError) -> Iterator[FieldError]:
    """Turn one plan-schema error into plain-words FieldErrors.

    A bad component gets its branch's errors; in a plan, a minimum of 0 is on an amount and a
    pattern on ``currency`` is ISO 4217.
    """
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
        yield from field_errors(error, "plan schema v1.1")
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
        unknown = sorted(set(value) - set(allowed))
        for name in unknown[:MAX_ERRORS]:
            yield FieldError(
                format_path([*path, name]),
                f"is not a field of {document}; expected one of " + ", ".join(allowed),
                value[name],
            )
        if len(unknown) > MAX_ERRORS:
            yield FieldError(where, f"has {len(unknown):,} fields that are not fields of "
                             f"{document}; the first {MAX_ERRORS} by name are listed")
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
        message = f"{shown} is not one of " + ", ".join(
            a if isinstance(a, str) else json.dumps(a) for a in arg)
    elif kind == "const":
        message = f"{shown} is not allowed; expected {json.dumps(arg)}"
    elif kind == "pattern":
        message = f"{shown} does not match the pattern {arg}"
    else:
        message = f"{shown}: {error.message}"
    yield FieldError(where, message, value)


def _position_pool_errors(c: dict[str, Any], where: str, ranks: list[Any]
                          ) -> Iterator[FieldError]:
    """A position return states one of its two amounts; a pool names one of the plan's ranks."""
    if c.get("type") == "position_return":
        given = [k for k in ("per_month", "rate_of_price") if c.get(k) is not None]
        if len(given) != 1:
            yield FieldError(
                f"{where}.per_month",
                "a return on one's own position needs exactly one of per_month (an amount each "
                "month) and rate_of_price (a share of the joining price each month)"
                + ("; both are given" if len(given) == 2 else "; neither is given"),
                c.get("per_month"),
            )
        return
    names = [r.get("name") for r in ranks if isinstance(r, dict)]
    rank = c.get("rank")
    if isinstance(rank, str) and rank not in names:
        yield FieldError(
            f"{where}.rank",
            f"{rank!r} is not one of the plan's ranks (compensation.ranks: "
            f"{', '.join(map(repr, names)) or 'none'}); the pool is shared by a rank's holders",
            rank,
        )


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
        if kind == "binary":
            yield from _binary_cycle_errors(c, f"compensation.components[{i}]")
        if kind in ("position_return", "pool"):
            yield from _position_pool_errors(c, f"compensation.components[{i}]", ranks)
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
    yield from _package_errors(doc, names)
    yield from _bonus_condition_errors(components, ranks, names)
    yield from _rank_rate_errors(ranks, seen, components)
    yield from _rank_rule_errors(comp)
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


def _rank_rule_errors(comp: dict[str, Any]) -> Iterator[FieldError]:
    """Rank rules (schema v1.1) that only make sense together."""
    rules = comp.get("rank_rules")
    if not isinstance(rules, dict):
        return
    months = rules.get("requalify_months")
    if months is not None and rules.get("pin", "none") == "none":
        yield FieldError("compensation.rank_rules.requalify_months",
                         "says how long a kept rank lasts, but pin is none, so no rank is kept; "
                         "set pin to title or pay, or leave requalify_months out", months)
    if rules.get("pin", "none") != "none" and not comp.get("ranks"):
        yield FieldError("compensation.rank_rules.pin",
                         "keeps ranks once reached, but the plan has no ranks; add the ranks "
                         "or set pin to none", rules.get("pin"))


SHARE_TOLERANCE = 1e-6
"""How far known package shares may add up past 1 (or, all known, short of it)."""


def _package_errors(doc: dict[str, Any], rank_names: list[Any]) -> Iterator[FieldError]:
    """Enrollment packages' rules across fields.

    Unique names, ranks the plan has, shares that add up, and no inventory package beside them.
    """
    costs = doc.get("costs") or {}
    packages = [p for p in costs.get("packages") or [] if isinstance(p, dict)]
    if not packages:
        return
    inventory = costs.get("inventory_package")
    if isinstance(inventory, int | float) and inventory > 0:
        yield FieldError("costs.inventory_package",
                         f"{inventory} is set beside costs.packages; a recruit buys one of the "
                         "packages, so give the inventory package as one of them (or set this "
                         "to 0)", inventory)
    names = [p.get("name") for p in packages]
    shares: list[tuple[int, float]] = []
    for i, package in enumerate(packages):
        name = package.get("name")
        if name is not None and names.index(name) != i:
            yield FieldError(f"costs.packages[{i}].name", f"{name!r} is used twice", name)
        rank = package.get("rank")
        if rank is not None and rank not in rank_names:
            yield FieldError(f"costs.packages[{i}].rank",
                             f"{rank!r} is not a rank of compensation.ranks; name one of them"
                             + (f" ({', '.join(map(str, rank_names))})" if rank_names
                                else " (the plan has none)"), rank)
        share = package.get("share")
        if isinstance(share, int | float):
            shares.append((i, float(share)))
    total = sum(s for _, s in shares)
    if shares and total > 1 + SHARE_TOLERANCE:
        i, share = shares[-1]
        yield FieldError(f"costs.packages[{i}].share",
                         f"the packages' shares add up to {total:g}; together they can be at "
                         "most 1 (all recruits)", share)
    elif len(shares) == len(packages) and total < 1 - SHARE_TOLERANCE:
        i, share = shares[-1]
        yield FieldError(f"costs.packages[{i}].share",
                         f"the packages' shares add up to {total:g}; with every share given "
                         "they must add up to 1 (each recruit chooses one package)", share)


CONDITIONED = ("enrollment_bonus", "first_order_bonus", "fast_start", "matching_bonus")
"""Component types that take the conditions of schema v1.1 (``requires_rank``,
``min_recruit_order_volume``)."""


def _bonus_condition_errors(components: list[Any], ranks: list[Any],
                            rank_names: list[Any]) -> Iterator[FieldError]:
    """One-time bonuses and conditions on a bonus (schema v1.1) across fields.

    A first-order bonus gives rates or amounts (one of them), a rank a bonus requires exists,
    and a rank's one-time bonuses have a ``rank_bonus`` component to pay them.
    """
    kinds = [c.get("type") for c in components if isinstance(c, dict)]
    for i, c in enumerate(components):
        if not isinstance(c, dict) or c.get("type") not in CONDITIONED:
            continue
        at = f"compensation.components[{i}]"
        if c["type"] == "first_order_bonus":
            if c.get("rates") is not None and c.get("amounts") is not None:
                yield FieldError(f"{at}.amounts", "is given with rates; a first-order bonus "
                                 "pays either a share of the order (rates) or money per order "
                                 "(amounts), so give one of them", c["amounts"])
            elif c.get("rates") is None and c.get("amounts") is None:
                yield FieldError(f"{at}.rates", "is missing: give rates (a share of the "
                                 "recruit's first order, per level) or amounts (money per "
                                 "first order, per level)", None)
        rank = c.get("requires_rank")
        if rank is not None and rank not in rank_names:
            yield FieldError(f"{at}.requires_rank",
                             f"{rank!r} is not a rank of compensation.ranks; name one of them"
                             + (f" ({', '.join(map(str, rank_names))})" if rank_names
                                else " (the plan has none)"), rank)
    for i, r in enumerate(ranks):
        if not isinstance(r, dict):
            continue
        bonus, within = r.get("fast_start_bonus"), r.get("fast_start_within_months")
        if bonus and within is None:
            yield FieldError(f"compensation.ranks[{i}].fast_start_within_months",
                             "is needed with a fast_start_bonus: how many months from joining "
                             "(the join month first) the rank must be reached in", None)
        elif within is not None and not bonus:
            yield FieldError(f"compensation.ranks[{i}].fast_start_within_months",
                             "is given without a fast_start_bonus; give the bonus or leave "
                             "this out", within)
    if "rank_bonus" in kinds:
        return
    for i, r in enumerate(ranks):
        if not isinstance(r, dict):
            continue
        for name in ("advancement_bonus", "fast_start_bonus"):
            value = r.get(name)
            if value:
                yield FieldError(f"compensation.ranks[{i}].{name}",
                                 "is paid by a rank_bonus component, and the plan has none; "
                                 'add {"type": "rank_bonus"} to compensation.components', value)


def _rank_rate_errors(ranks: list[Any], seen: dict[str, int],
                      components: list[Any]) -> Iterator[FieldError]:
    """Rates by rank (schema v1.1): each needs its component, and a discount leaves a price."""
    binary = components[seen["binary"]] if "binary" in seen else None
    for i, rank in enumerate(ranks):
        if not isinstance(rank, dict):
            continue
        at = f"compensation.ranks[{i}]"
        if rank.get("unilevel_rates") is not None and "unilevel" not in seen:
            yield FieldError(f"{at}.unilevel_rates", "gives unilevel rates for this rank, but "
                             "the plan has no unilevel component; add one or leave the rates "
                             "out", rank["unilevel_rates"])
        rate = rank.get("binary_rate")
        if rate is not None:
            if binary is None:
                yield FieldError(f"{at}.binary_rate", "gives a binary rate for this rank, but "
                                 "the plan has no binary component; add one or leave the rate "
                                 "out", rate)
            elif isinstance(binary, dict) and binary.get("cycle_pay") is not None:
                yield FieldError(f"{at}.binary_rate", "gives a binary rate for this rank, but "
                                 f"the binary at compensation.components[{seen['binary']}] pays "
                                 "a fixed cycle_pay per cycle, not a rate; give the binary a "
                                 "rate instead of cycle_pay, or leave this out", rate)
        discount = rank.get("discount")
        if isinstance(discount, int | float) and not isinstance(discount, bool) \
                and discount >= 1:
            yield FieldError(f"{at}.discount", f"{discount:g} would make every product free at "
                             "this rank; a discount is a share off the retail price, at least 0 "
                             "and below 1", discount)


def _binary_cycle_errors(c: dict[str, Any], at: str) -> Iterator[FieldError]:
    """A binary's cycle rules (schema v1.1) that only make sense together."""
    given = {k for k in ("cycle_volume_left", "cycle_volume_right", "cycle_pay")
             if c.get(k) is not None}
    if given and not {"cycle_volume_left", "cycle_volume_right"} <= given:
        named = " and ".join(sorted(given))
        for side in ("cycle_volume_left", "cycle_volume_right"):
            if side not in given:
                yield FieldError(f"{at}.{side}", f"is required when {named} is given: a "
                                 "cycle takes volume from both legs", c.get(side))
    if c.get("cycle_pay") is not None and c.get("rate") is not None:
        yield FieldError(f"{at}.cycle_pay", "is given with a rate; a cycle pays either a fixed "
                         "amount or the rate, so give one of them", c["cycle_pay"])
    if c.get("carryover") is not True:
        if c.get("carry_cap") is not None:
            yield FieldError(f"{at}.carry_cap", "limits carried-over volume, but carryover is "
                             "not true; set carryover to true or leave the cap out", c["carry_cap"])
        if c.get("unqualified_legs") == "carry":
            yield FieldError(f"{at}.unqualified_legs", "is carry, but carryover is not true, so "
                             "no volume carries over; set carryover to true or choose flush",
                             "carry")


def plan_errors(doc: Any) -> list[FieldError]:
    """Every problem with a parsed plan document, sorted by path (empty when valid).

    Values :func:`parse_plan` refuses (:func:`value_errors`) are checked too, for documents
    that did not come through it. More than
    :data:`~evaluator.errors.MAX_ERRORS` problems end in one entry counting the rest.
    """
    found: set[FieldError] = set()
    for error in _validator().iter_errors(doc):
        found.update(_messages(error))
    if not found:  # a document the schema accepts is small, so this pass is cheap
        bad = value_errors(doc)
        if bad:
            return bad
    if isinstance(doc, dict) and not found:
        found.update(_cross_field_errors(doc))
    if isinstance(doc, dict) and not found and doc.get("schema_version") == "1":
        found.update(
            FieldError(path or "schema_version",
                       'is part of plan schema 1.1: set schema_version to "1.1" (or leave it '
                       "out)", "1")
            for path in _v1_paths(doc))
    return first_errors(sorted(found, key=lambda e: (_sort_key(e.path), e.message)))


def _sort_key(path: str) -> tuple[Any, ...]:
    """List indices in numeric order (only ASCII digits are an index: ``²`` is a key)."""
    parts = (p for p in re.split(r"[.\[\]]+", path) if p)
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in parts)


def validate_plan(doc: Any) -> dict[str, Any]:
    """Return ``doc`` when it satisfies the plan schema (v1 or v1.1), else raise with every error.

    A plan stating ``"schema_version": "1"`` must satisfy schema v1 as released.
    """
    errors = plan_errors(doc)
    if errors:
        raise PlanValidationError(errors)
    return doc
