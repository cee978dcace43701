"""The one reader of numbers typed by people, with one set of rules for every door.

The web form, batch CSV cells, ``--set NAME=VALUE``, the API's assumption parameters and every
seed (form, API, web batch, ``--seed``) read typed text here. A refusal raises
:class:`NumberError`, whose message quotes the text and says what to write instead; the caller
adds the field's name. The rules:

- Surrounding spaces are ignored; spaces inside a number are refused.
- A plain decimal: ``1234.5``, ``.5``, ``-3``, ``+2``, ``1e6``. A sign is always read; whether a
  negative value is allowed is the field's range (the plan schema, the assumptions table).
- Thousands separators only in the unambiguous form: groups of exactly three digits after the
  first group, ``1,234,567`` or ``1,234.5``. A comma is never a decimal mark: ``2,5`` is refused
  as ambiguous ("write 2.5 (a decimal point) or 25"), and so are ``1,23`` and ``1.234,5``.
- Underscores follow the same rule as commas (``1_000_000``), never mixed with commas.
- A leading currency sign (``$ € £ ¥``) only where the field is money; elsewhere it is refused.
- A trailing ``%`` only where a fraction in [0, 1] is expected (``10%`` is 0.10). There, a
  typed number above 1 and at most 100 is refused with "did you mean 10%? write 10% or 0.10".
- Only the ASCII digits 0-9: ``²``, ``٣`` or full-width digits are refused, never read as 3.
- At most :data:`MAX_CHARS` characters, so no huge digit string reaches ``int()``.
- NaN, infinity, numbers too large for a float and exponents of more than 3 digits are
  refused.
- Where a whole number is needed, ``1.5`` is refused; ``12.0`` and ``1e3`` are whole.
- A seed is a whole number from 0 to 2^63 - 1.

The plan schema's own numbers (``evaluator/schema.py``) are JSON numbers, not typed text: the
JSON parser reads them and the schema checks them, so they do not come through this module.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Literal

from evaluator.errors import describe_value

Kind = Literal["number", "money", "fraction", "integer"]
"""What a field holds: any number, an amount of money, a fraction in [0, 1], a whole number."""

MAX_CHARS = 30
"""Longest number accepted, in characters (after surrounding spaces are removed)."""

CURRENCY_SIGNS = "$€£¥"
"""Signs a money field may start with; the plan's currency field names the currency."""

SEED_MAX = 2**63 - 1
"""Largest seed accepted."""

_SEED_RANGE = "a whole number from 0 to 2^63 - 1"
_PLAIN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_GROUPED = {sep: re.compile(rf"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+(?:\.[0-9]+)?") for sep in ",_"}
_LONG_EXPONENT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]{4,}")
_INNER_SPACE = re.compile(r"[0-9.,_]\s+[0-9.,_]")
_NOT_FINITE = frozenset({"nan", "inf", "infinity"})


class NumberError(ValueError):
    """Typed text that is not a number of the kind asked for; the message never names the field.

    ``generic`` is true when the text is simply not a number of that kind (not a number at all,
    not finite, not whole) rather than one of the named mistakes (ambiguous separators, other
    digits, a misplaced sign, too long), so a caller with a narrower wording of its own (the
    seed) may say that instead.
    """

    def __init__(self, message: str, *, generic: bool = False) -> None:
        """Hold ``message``; ``generic`` says whether it is simply not a number of that kind."""
        super().__init__(message)
        self.generic = generic


def read_decimal(text: str, *, currency: bool = False, percent: bool = False) -> float:
    """The finite number ``text`` spells under the rules above; NumberError if it spells none.

    ``currency`` allows a leading currency sign (money fields); ``percent`` allows a trailing
    ``%`` (fraction fields), which divides by 100. No range is checked here.
    """
    return _read(text, currency=currency, percent=percent)[1]


def read_number(text: str, kind: Kind = "number") -> float | int:
    """``text`` read as a field of ``kind``: a float, or an int for ``"integer"``.

    A fraction must be in [0, 1]; a whole number must have no fractional part. Other ranges
    (money is never negative, an assumption's bounds) are the caller's to check.
    """
    exact, value, had_percent = _read(text, currency=kind == "money", percent=kind == "fraction")
    typed = text.strip()
    if kind == "integer":
        numerator, denominator = exact.as_integer_ratio()
        if denominator != 1:
            raise NumberError(f"{typed} is not a whole number", generic=True)
        return numerator
    if kind == "fraction" and not 0 <= value <= 1:
        message = f"{typed} is outside the allowed range 0 to 1"
        if not had_percent and 1 < value <= 100:
            shown = format(exact, "f")
            message += (f": did you mean {shown}%? write {shown}% or "
                        f"{format(exact.scaleb(-2), 'f')}")
        elif had_percent:
            message += " (0% to 100%)"
        raise NumberError(message)
    return value


def read_seed(text: str) -> int:
    """A seed: a whole number from 0 to :data:`SEED_MAX`; NumberError otherwise."""
    try:
        value = read_number(text, "integer")
    except NumberError as exc:
        if not exc.generic:
            raise
        value = -1
    if not 0 <= value <= SEED_MAX:
        raise NumberError(f"{describe_value(text.strip())} is not {_SEED_RANGE}", generic=True)
    return int(value)


def _read(text: str, *, currency: bool, percent: bool) -> tuple[Decimal, float, bool]:
    """``(exact value, float value, whether a % was read)``, or NumberError."""
    typed = text.strip()
    shown = describe_value(typed)
    if len(typed) > MAX_CHARS:
        raise NumberError(f"{shown} is too long for a number (at most {MAX_CHARS} characters)")
    other = next((ch for ch in typed if not ch.isascii() and ch.isnumeric()), None)
    if other is not None:
        raise NumberError(f"{shown} is not a number: write it with the digits 0 to 9 "
                          f"({other!r} is not one of them)")
    if typed.lower().lstrip("+-") in _NOT_FINITE:
        raise NumberError(f"{shown} is not a finite number", generic=True)
    body = typed
    sign = body[0] if body[:1] in ("+", "-") else ""
    body = body[len(sign):].lstrip()
    had_currency = body[:1] != "" and body[:1] in CURRENCY_SIGNS
    if had_currency:
        if not currency:
            raise NumberError(f"{shown} is not a number: leave out the currency sign "
                              "(a currency sign belongs only in amounts of money)")
        body = body[1:].lstrip()
    had_percent = body.endswith("%")
    if had_percent:
        if not percent:
            raise NumberError(f"{shown} is not a number: leave out the % sign "
                              "(a percentage belongs only where a fraction is expected)")
        body = body[:-1].rstrip()
    if _PLAIN.fullmatch(body):
        digits = body
    elif _GROUPED[","].fullmatch(body):
        digits = body.replace(",", "")
    elif _GROUPED["_"].fullmatch(body):
        digits = body.replace("_", "")
    else:
        message, generic = _diagnosis(shown, sign, body)
        raise NumberError(message, generic=generic)
    exact = Decimal(sign + digits)
    if had_percent:
        exact = exact.scaleb(-2)
    value = float(exact)
    if not math.isfinite(value):
        raise NumberError(f"{shown} is too large; numbers must be finite", generic=True)
    return exact, value, had_percent


def _diagnosis(shown: str, sign: str, body: str) -> tuple[str, bool]:
    """Why ``body`` is not a number, in plain words, and whether that is simply "not a number".

    ``body`` is the text without sign, currency or %; "not a number" means no named mistake.
    """
    single = re.fullmatch(r"([0-9]+),([0-9]+)", body)
    if single:
        whole, tail = single.groups()
        return (f"{shown} is ambiguous: write {sign}{whole}.{tail} (a decimal point) or "
                f"{sign}{int(whole + tail)}"), False
    if "," in body:
        return (f"{shown} is not a number: commas may only separate thousands, in groups of "
                "three digits (1,234,567), and decimals take a point (1234.5)"), False
    if "_" in body:
        return (f"{shown} is not a number: underscores may only separate thousands, in groups "
                "of three digits (1_234_567)"), False
    if _LONG_EXPONENT.fullmatch(body):
        return f"{shown} is too large or too small; an exponent has at most 3 digits", True
    if _INNER_SPACE.search(body):
        return f"{shown} is not a number: write it without spaces (1234.5 or 1,234.5)", False
    return f"{shown} is not a number", True
