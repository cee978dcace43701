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


def test_the_economics_table_shows_the_return_on_ones_own_position() -> None:
    rows = _rows("ad_package_returns.json")
    (row,) = [r for r in rows if r and r[0].startswith("Return on one's own position a month")]
    assert row[0] == "Return on one's own position a month (for 12 months from joining)"
    # 5% of the expected package price, (289 + 1,375) / 2 = 832: 41.60 a month.
    assert row[1] == "$41.60"
    assert "rate_of_price x the price paid to join" in row[2]
    (payback,) = [r for r in rows if len(r) == 3 and r[0] == "Months to earn back the start-up "
                  "cost" and r[2].startswith("the first month")]
    assert payback[1] == "39"
    assert "position_return.per_month in each of the first months_paid months" in payback[2]
    # A plan without one has no such row.
    assert not [r for r in _rows("package_tiers_plan.json")
                if r and r[0].startswith("Return on one's own position")]


def test_a_return_paid_one_month_reads_in_the_singular() -> None:
    import json

    from evaluator.evaluation import evaluate_document
    from evaluator.report.html import render_page
    from evaluator.resources import data_dir
    from tests.report.test_bonus_terms import SMALL, _Rows

    doc = json.loads((data_dir("plan_samples") / "ad_package_returns.json").read_text())
    doc["compensation"]["components"][2]["months_paid"] = 1
    parser = _Rows()
    parser.feed(render_page(evaluate_document(doc, overrides=SMALL, seed=1)))
    (row,) = [r for r in parser.rows if r and r[0].startswith("Return on one's own position")]
    assert row[0] == "Return on one's own position a month (for 1 month from joining)"
