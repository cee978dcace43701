"""How figures are written for people: money, shares, counts, unknown and never."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.report.view import (
    count,
    indicator_value,
    level_symbol,
    level_word,
    money,
    number,
    percent,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (248.0, "$248"),
        (232.417, "$232.42"),
        (3037.0, "$3,037"),
        (-1850.0, "\u2212$1,850"),
        (-0.001, "$0"),
        (None, "unknown"),
    ],
)
def test_money(value: Any, expected: str) -> None:
    assert money(value, "USD") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.625, "62.5%"), (0.93, "93%"), (0.0, "0%"), (0.0004, "<0.1%"), (1.0, "100%"),
     (-0.62, "\u221262%"), (None, "unknown")],
)
def test_percent(value: Any, expected: str) -> None:
    assert percent(value) == expected


def test_numbers_counts_and_levels() -> None:
    assert number(1_000_000) == "1,000,000"
    assert number(0.18512) == "0.185"
    assert number(True) == "yes"
    assert count(None) == "never"
    assert count(15) == "15"
    assert (level_symbol("high"), level_word("high")) == ("\u25cf", "high")
    assert (level_symbol(None), level_word(None)) == ("?", "unknown")


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("USD per month", 232.417, "$232.42 per month"),
        ("USD", 248.0, "$248"),
        ("share of all pay", 0.5, "50%"),
        ("yes/no", True, "yes"),
        ("customers per month (count)", 15, "15 customers per month"),
        ("levels (count)", 4, "4 levels"),
        ("share of participants", None, "unknown"),
    ],
)
def test_indicator_values_follow_their_unit(unit: str, value: Any, expected: str) -> None:
    assert indicator_value({"unit": unit, "value": value}, "USD") == expected


def test_money_in_another_currency_keeps_its_code() -> None:
    assert money(1850.0, "EUR") == "EUR 1,850"
    assert money(-5.5, "CAD") == "\u2212CAD 5.50"


@pytest.mark.parametrize(("value", "singular", "plural", "expected"), [
    (1, "month", None, "1 month"),
    (0, "month", None, "0 months"),
    (12, "month", None, "12 months"),
    (1000, "row", None, "1,000 rows"),
    (1, "internal error", None, "1 internal error"),
    (2, "person", "people", "2 people"),
    (None, "run", None, "an unknown number of runs"),
])
def test_a_count_takes_its_noun_in_the_right_number(value: Any, singular: str,
                                                     plural: str | None, expected: str) -> None:
    from evaluator.report.view import counted

    assert counted(value, singular, plural) == expected
