"""The bottom line counts customers as the payback and break-even figures do: the assumed
typical number at the plan's prices (``customers_per_participant`` x the demand factor)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics, payback, typical_customers
from evaluator.evaluation import bottom_line
from evaluator.model import Plan
from evaluator.resources import data_dir
from evaluator.schema import parse_plan

# One product at 50 retail, 40 wholesale, with a comparable product at 25: it pulls
# 2 ** -price_elasticity of the customers. A 20 monthly expense and a 100 kit.
DOC: dict[str, Any] = {
    "company": {"name": "Example Premium"},
    "costs": {"currency": "USD", "starter_kit": 100, "estimated_monthly_expenses": 20},
    "products": [{"name": "Cream", "wholesale_price": 40, "retail_price": 50,
                  "comparable_market_price": 25}],
    "compensation": {"components": [{"type": "retail_margin"}]},
}


def test_a_product_dearer_than_its_comparable_brings_fewer_customers() -> None:
    assumed = Assumptions.from_overrides({"customers_per_participant": 2,
                                          "price_elasticity": 1})
    plan = Plan.from_dict(copy.deepcopy(DOC))
    e = compute_economics(plan, assumed)
    # Twice the comparable price at elasticity 1: a demand factor of 0.5, so 2 x 0.5 = 1
    # customer a month, who earns the 10 margin: 10 - 20 = -10 a month, and payback never.
    assert typical_customers(plan, assumed) == pytest.approx(1)
    assert e.payback_months is None
    line = bottom_line(e, assumed, {})
    assert line["customers_assumed"] == pytest.approx(1)
    assert line["typical_month"] == pytest.approx(-10)  # not 2 x 10 - 20 = 0
    assert line["first_year"] == pytest.approx(-220)    # 12 x -10 - 100


@pytest.mark.parametrize("sample", sorted(
    p.name for p in data_dir("plan_samples").glob("*.json")))
def test_the_typical_month_is_the_month_payback_counts(sample: str) -> None:
    defaults = Assumptions.defaults()
    plan = Plan.from_dict(parse_plan((data_dir("plan_samples") / sample).read_bytes()))
    e = compute_economics(plan, defaults)
    line = bottom_line(e, defaults, {})
    held = e.position_return
    if held is None:
        # Payback earns the start-up cost back at the typical month: the same month.
        assert payback(e.startup_cost, line["typical_month"]) == e.payback_months
    customers = typical_customers(plan, defaults)
    assert line["customers_assumed"] == pytest.approx(customers)
    assert line["typical_month"] == pytest.approx(
        customers * e.pay_per_customer - e.monthly_cost + (held.for_good if held else 0))


def test_the_report_sentence_gives_the_customers_counted() -> None:
    from evaluator.evaluation import evaluate
    from evaluator.report.html import render_page

    assumed = Assumptions.from_overrides({"customers_per_participant": 2, "price_elasticity": 1,
                                          "max_participants": 300, "runs": 1,
                                          "horizon_months": 6})
    page = render_page(evaluate(Plan.from_dict(copy.deepcopy(DOC)), assumed, seed=1))
    assert ("with 1 retail customer a month (the assumed number, fewer where the price is "
            "above a comparable product's) and no recruits") in page
