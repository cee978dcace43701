"""The report's "plan as entered" states one-time bonuses and conditions on a bonus."""

from __future__ import annotations

from evaluator.report.html import component_terms
from tests.report.test_bonus_terms import _rows


def test_the_team_bonus_sample_shows_its_terms() -> None:
    rows = _rows("team_bonus_first_order.json")
    assert ["first order bonus",
            "by level: 9% of a new recruit's first order (their purchases and kit or package in "
            "the month they join), once; paid only to an earner who holds the rank Team Leader "
            "(or a higher one); only on recruits whose first order reaches 30 of volume"] in rows
    (rank,) = [r for r in rows if r and r[0] == "Rank: Team Leader"]
    assert rank[1].endswith("; $100 once, on reaching it; $100 once more if reached within 3 "
                            "months of joining (the join month first)")


def test_first_order_amounts_and_a_gated_enrollment_bonus_in_words() -> None:
    assert component_terms({"type": "first_order_bonus", "amounts": [50, 10]}, "USD") == (
        "per new recruit's first order, by level: $50, $10, once")
    assert component_terms({"type": "enrollment_bonus", "amounts": [50],
                            "min_recruit_order_volume": 100, "requires_rank": None}, "USD") == (
        "per new recruit, by level: $50; only on recruits whose first order reaches 100 of "
        "volume")
