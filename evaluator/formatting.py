"""The one way a figure is written for people: numbers, money and percentages.

Every sentence and every table (indicator details, findings, the bottom line, the reports) uses
these formatters, so a sentence never rounds a figure differently from the table beside it.
``0.999`` is ``99.9%`` everywhere, never ``100%`` in one place; US dollars read ``$99``; a
negative figure carries the typographic minus sign. Nothing here computes a figure.
"""

from __future__ import annotations

import math
from typing import Any

MINUS = "\u2212"
"""Typographic minus sign used for negative figures in HTML and PDF (CSV keeps ``-``)."""

CURRENCY_SIGNS: dict[str, str] = {"USD": "$"}
"""Currencies written with a sign before the amount (``$99``); others keep their code."""


def is_number(value: Any) -> bool:
    """Whether ``value`` is a number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _signed(text: str, negative: bool) -> str:
    return f"{MINUS}{text}" if negative else text


def number(value: Any, digits: int = 3) -> str:
    """A plain number: whole numbers with thousands separators, others to ``digits`` figures."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not is_number(value):
        return str(value)
    if not math.isfinite(value):
        return "unknown"
    magnitude = abs(value)
    if float(value).is_integer():
        text = f"{int(magnitude):,}"
    elif magnitude >= 1000:
        text = f"{magnitude:,.0f}"
    else:
        text = f"{magnitude:.{digits}g}"
    return _signed(text, value < 0)


def money(value: Any, currency: str = "") -> str:
    """An amount of money: ``$1,234``, ``EUR 1,234`` (cents only below 1,000 and when present)."""
    if value is None:
        return "unknown"
    if not is_number(value) or not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    rounded_cents = round(magnitude, 2)
    if magnitude >= 1000 or float(rounded_cents).is_integer():
        text = f"{magnitude:,.0f}"
    else:
        text = f"{rounded_cents:,.2f}"
    prefix = CURRENCY_SIGNS.get(currency, f"{currency} " if currency else "")
    negative = value < 0 and text.strip("0.,") != ""
    return _signed(f"{prefix}{text}", negative)


def percent(value: Any) -> str:
    """A fraction as a percentage: ``0.625`` -> ``62.5%``; small shares keep one decimal."""
    if value is None:
        return "unknown"
    if not is_number(value) or not math.isfinite(value):
        return str(value)
    pct = abs(value) * 100
    if pct == 0:
        text = "0"
    elif pct < 0.05:
        text = "<0.1"
    elif float(round(pct, 1)).is_integer():
        text = f"{pct:.0f}"
    else:
        text = f"{pct:.1f}"
    return _signed(f"{text}%", value < 0 and text != "0")


def counted(value: Any, singular: str, plural: str | None = None) -> str:
    """A number with its noun in the right number: ``1 month``, ``3 months``, ``1,000 rows``.

    ``plural`` defaults to ``singular`` + "s"; an unknown number reads "an unknown number of".
    """
    many = plural or f"{singular}s"
    if value is None:
        return f"an unknown number of {many}"
    return f"{number(value)} {singular if value == 1 else many}"
