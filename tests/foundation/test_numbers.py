"""The one reader of typed numbers (evaluator/numbers.py): its rules, case by case and as
properties (Hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluator.errors import describe_value
from evaluator.numbers import (
    MAX_CHARS,
    SEED_MAX,
    Kind,
    NumberError,
    read_decimal,
    read_number,
    read_seed,
)

READS: list[tuple[str, Kind, float | int]] = [
    ("1234.5", "number", 1234.5),
    (" -3 ", "number", -3.0),
    ("+2", "number", 2.0),
    (".5", "number", 0.5),
    ("5.", "number", 5.0),
    ("1e6", "number", 1e6),
    ("1,234,567", "integer", 1234567),
    ("1,234.5", "number", 1234.5),
    ("1_000_000", "integer", 1000000),
    ("12.0", "integer", 12),
    ("1e3", "integer", 1000),
    ("007", "integer", 7),
    ("$99", "money", 99.0),
    ("€ 1,200.50", "money", 1200.5),
    ("£5", "money", 5.0),
    ("10%", "fraction", 0.1),
    ("57%", "fraction", 0.57),
    ("12.5 %", "fraction", 0.125),
    ("1", "fraction", 1.0),
    ("0.06", "fraction", 0.06),
    ("123456789012345678901234567890", "integer", 123456789012345678901234567890),
]


@pytest.mark.parametrize(("text", "kind", "expected"), READS, ids=[r[0] for r in READS])
def test_reads(text: str, kind: Kind, expected: float | int) -> None:
    value = read_number(text, kind)
    assert value == expected
    assert type(value) is type(expected)


REFUSALS: list[tuple[str, Kind, str]] = [
    ("2,5", "number", "'2,5' is ambiguous: write 2.5 (a decimal point) or 25"),
    ("1,2", "integer", "'1,2' is ambiguous: write 1.2 (a decimal point) or 12"),
    ("-0,5", "number", "'-0,5' is ambiguous: write -0.5 (a decimal point) or -5"),
    ("1,23,456", "number", "'1,23,456' is not a number: commas may only separate thousands, "
     "in groups of three digits (1,234,567), and decimals take a point (1234.5)"),
    ("1.234,5", "number", "'1.234,5' is not a number: commas may only separate thousands, in "
     "groups of three digits (1,234,567), and decimals take a point (1234.5)"),
    ("1_0", "integer", "'1_0' is not a number: underscores may only separate thousands, in "
     "groups of three digits (1_234_567)"),
    ("1,000_000", "integer", "'1,000_000' is not a number: commas may only separate "
     "thousands, in groups of three digits (1,234,567), and decimals take a point (1234.5)"),
    ("1 000", "number", "'1 000' is not a number: write it without spaces (1234.5 or 1,234.5)"),
    ("$99", "number", "'$99' is not a number: leave out the currency sign (a currency sign "
     "belongs only in amounts of money)"),
    ("$99", "integer", "'$99' is not a number: leave out the currency sign (a currency sign "
     "belongs only in amounts of money)"),
    ("5%", "money", "'5%' is not a number: leave out the % sign (a percentage belongs only "
     "where a fraction is expected)"),
    ("10", "fraction", "10 is outside the allowed range 0 to 1: did you mean 10%? write 10% or "
     "0.10"),
    ("1.5", "fraction", "1.5 is outside the allowed range 0 to 1: did you mean 1.5%? write 1.5% "
     "or 0.015"),
    ("150%", "fraction", "150% is outside the allowed range 0 to 1 (0% to 100%)"),
    ("250", "fraction", "250 is outside the allowed range 0 to 1"),
    ("-0.1", "fraction", "-0.1 is outside the allowed range 0 to 1"),
    ("1.5", "integer", "1.5 is not a whole number"),
    ("1e-999", "integer", "1e-999 is not a whole number"),
    ("²", "number", "'²' is not a number: write it with the digits 0 to 9 ('²' is not one of "
     "them)"),
    ("\u0663", "integer", "'\u0663' is not a number: write it with the digits 0 to 9 "
     "('\u0663' is not one of them)"),
    ("\uff13", "number", "'\uff13' is not a number: write it with the digits 0 to 9 "
     "('\uff13' is not one of them)"),
    ("nan", "number", "'nan' is not a finite number"),
    ("-Infinity", "number", "'-Infinity' is not a finite number"),
    ("1e999", "number", "'1e999' is too large; numbers must be finite"),
    ("1e99999", "number", "'1e99999' is too large or too small; an exponent has at most 3 "
     "digits"),
    ("1" * (MAX_CHARS + 1), "integer",
     f"'{'1' * (MAX_CHARS + 1)}' is too long for a number (at most {MAX_CHARS} characters)"),
    ("abc", "number", "'abc' is not a number"),
    ("", "number", "'' is not a number"),
    ("0x10", "integer", "'0x10' is not a number"),
]


@pytest.mark.parametrize(("text", "kind", "message"), REFUSALS,
                         ids=[f"{r[0][:12]}-{r[1]}" for r in REFUSALS])
def test_refusals_say_what_to_write(text: str, kind: Kind, message: str) -> None:
    with pytest.raises(NumberError) as caught:
        read_number(text, kind)
    assert str(caught.value) == message


def test_the_syntax_reader_checks_no_range() -> None:
    assert read_decimal("150%", percent=True) == 1.5
    assert read_decimal("-$5", currency=True) == -5.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("20261123", 20261123), ("20,261,123", 20261123), (str(SEED_MAX), SEED_MAX)],
)
def test_seeds_read(text: str, expected: int) -> None:
    assert read_seed(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "'x' is not a whole number from 0 to 2^63 - 1"),
        ("-1", "'-1' is not a whole number from 0 to 2^63 - 1"),
        ("1.5", "'1.5' is not a whole number from 0 to 2^63 - 1"),
        (str(SEED_MAX + 1), f"'{SEED_MAX + 1}' is not a whole number from 0 to 2^63 - 1"),
        ("¹²³", "'¹²³' is not a number: write it with the digits 0 to 9 ('¹' is not one of "
         "them)"),
        ("9" * 5000, f"'{'9' * 58}… is too long for a number (at most {MAX_CHARS} characters)"),
    ],
)
def test_seeds_refused(text: str, message: str) -> None:
    with pytest.raises(NumberError) as caught:
        read_seed(text)
    assert str(caught.value) == message


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_any_float_printed_with_repr_reads_back_equal(value: float) -> None:
    assert read_number(repr(value)) == value


@given(st.integers(min_value=-(10**28), max_value=10**29))
def test_any_ascii_int_reads_back(value: int) -> None:
    assert read_number(str(value), "integer") == value


@given(st.integers(min_value=0, max_value=10**21))
def test_grouped_thousands_read_back(value: int) -> None:
    assert read_number(f"{value:,}", "integer") == value
    assert read_number(f"{value:_}", "integer") == value


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_grouped_money_with_cents_reads_back(whole: int, cents: int) -> None:
    assert read_number(f"${whole:,}.{cents:02d}", "money") == float(f"{whole}.{cents:02d}")


@given(st.integers(min_value=0, max_value=10_000))
def test_a_percentage_is_the_typed_decimal_divided_by_100(hundredths: int) -> None:
    typed = f"{hundredths // 100}.{hundredths % 100:02d}%"
    assert read_number(typed, "fraction") == float(f"{hundredths}e-4")


@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_plainly(text: str) -> None:
    for kind in ("number", "money", "fraction", "integer"):
        refusal = ""
        try:
            value = read_number(text, kind)  # type: ignore[arg-type]
        except NumberError as exc:
            refusal = str(exc)
            typed = text.strip()
            assert refusal.startswith((describe_value(typed), typed)), "it quotes the text"
        if not refusal:
            assert math.isfinite(value)
            assert kind != "fraction" or 0 <= value <= 1
            assert kind != "integer" or type(value) is int
            assert all(ch.isascii() for ch in text.strip().lstrip("$€£¥ "))
