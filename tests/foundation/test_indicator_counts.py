"""Indicator sentences count in the right number: "1 retail customer", "1 month"."""

from __future__ import annotations

from typing import Any

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.indicators import compute_indicators
from evaluator.model import Plan
from evaluator.resources import data_dir
from evaluator.schema import parse_plan

DEFAULTS = Assumptions.defaults()


def _details(plan: Plan) -> dict[str, tuple[Any, str]]:
    economics = compute_economics(plan, DEFAULTS)
    return {i.id: (i.value, i.detail) for i in compute_indicators(plan, economics, {}, DEFAULTS)}


def test_one_customer_is_one_customer() -> None:
    data = (data_dir("plan_samples") / "retail_first_single_level.json").read_bytes()
    value, detail = _details(Plan.from_dict(parse_plan(data)))["break_even_customers_per_month"]
    assert value == 1
    assert detail.startswith("You need 1 retail customer every month to cover the ")


def test_one_month_and_one_recruit() -> None:
    # A 10 kit; 20 of fees and a 100 purchase worth 90% of its price to the buyer: 30 a month.
    # Two customers at 30 of margin each: 60 - 30 = 30 a month pays the 10 back in 1 month; a
    # 50% level 1 on a recruit's 100 of volume (50) covers the 30 with 1 recruit.
    doc: dict[str, Any] = {
        "company": {"name": "Example"},
        "costs": {"currency": "USD", "starter_kit": 10, "required_monthly_purchase": 100,
                  "monthly_fees": [{"name": "Website", "amount": 20}]},
        "products": [{"name": "Tea", "wholesale_price": 20, "retail_price": 50,
                      "volume": 20}],
        "compensation": {"components": [{"type": "retail_margin"},
                                        {"type": "unilevel", "rates": [0.5]}]},
    }
    assumed = Assumptions.from_overrides({"personal_use_value": 0.9,
                                          "customers_per_participant": 2})
    plan = Plan.from_dict(doc)
    economics = compute_economics(plan, assumed)
    details = {i.id: (i.value, i.detail)
               for i in compute_indicators(plan, economics, {}, assumed)}
    assert details["payback_months"][0] == 1
    assert details["payback_months"][1].endswith("start-up cost takes 1 month.")
    assert details["break_even_active_recruits"][0] == 1
    assert details["break_even_active_recruits"][1].endswith("takes 1 active personal recruit.")
