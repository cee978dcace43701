"""The report's "plan as entered" states a return on one's own position and a pool in words."""

from __future__ import annotations

from evaluator.report.html import component_terms
from tests.report.test_bonus_terms import _rows


def test_the_ad_returns_sample_shows_the_return_and_its_task() -> None:
    rows = _rows("ad_package_returns.json")
    terms = [r[1] for r in rows if len(r) == 2 and r[0] == "position return"]
    assert terms == [
        "5% of the price paid to join each month, for 12 months from joining, for: post one ad "
        "a day, for holding a position rather than for any sale (no customer pays for it: "
        "counted as paid from recruits' money)"]


def test_position_return_and_pool_terms() -> None:
    assert component_terms({"type": "position_return", "per_month": 25}, "USD") == (
        "$25 each month, while active, for holding a position rather than for any "
        "sale (no customer pays for it: counted as paid from recruits' money)")
    assert component_terms({"type": "pool", "share": 0.02, "rank": "Director",
                            "split": "equal"}, "EUR") == (
        "2% of the whole company's volume each month, split equally among the qualified at "
        "rank Director or above")
