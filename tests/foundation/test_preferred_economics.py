"""The closed-form economics count preferred customers (schema v1.1, issue 19 rule 10) in the
assumed mix, against a worked example whose arithmetic is written out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.evaluation import bottom_line
from evaluator.model import Plan

# One product, 40 wholesale and 50 retail, no comparable price (customers at par); a 10% retail
# commission; a USD 100 kit and 30 a month of expenses. Preferred customers pay 20% less and
# earn the participant 25% of what they pay.
DOC: dict[str, Any] = {
    "company": {"name": "Example Preferred"},
    "costs": {"currency": "USD", "starter_kit": 100, "estimated_monthly_expenses": 30},
    "products": [{"name": "Cream", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {
        "components": [{"type": "retail_commission", "rate": 0.1}],
        "preferred_customers": {"discount": 0.2, "commission_rate": 0.25},
    },
}
ASSUMED = Assumptions.from_overrides({"customers_per_participant": 8,
                                      "preferred_customer_share": 0.5})


def test_customers_are_counted_in_the_assumed_mix() -> None:
    e = compute_economics(Plan.from_dict(copy.deepcopy(DOC)), ASSUMED)
    # A retail customer pays the participant 0.1 x 50 = 5; a preferred one 0.25 x 50 x 0.8 =
    # 10. Half of the customers are preferred: 0.5 x 5 + 0.5 x 10 = 7.5 a customer.
    assert e.profit_per_customer_per_month == pytest.approx(5)
    assert e.preferred_customers is not None
    assert e.preferred_customers.to_dict() == pytest.approx(
        {"share": 0.5, "pay_per_order": 10, "pay_per_customer": 7.5})
    # Break-even ceil(30 / 7.5) = 4 customers; 8 customers: 8 x 7.5 - 30 = 30 a month, so
    # the 100 kit takes ceil(100 / 30) = 4 months; 5 customers: 7.5 a month, 14 months.
    assert e.break_even_customers_per_month == 4
    assert e.payback_months == 4
    assert e.payback_table[5][0] == 14
    assert e.provenance["break_even_customers_per_month"].formula == (
        "ceil(monthly_cost / preferred_customers.pay_per_customer)")
    # The bottom line: 8 x 7.5 - 30 = 30 a month; the first year 12 x 30 - 100 = 260.
    line = bottom_line(e, ASSUMED, {})
    assert line["typical_month"] == pytest.approx(30)
    assert line["first_year"] == pytest.approx(260)


def test_without_a_program_every_customer_is_a_retail_customer() -> None:
    doc = copy.deepcopy(DOC)
    del doc["compensation"]["preferred_customers"]
    e = compute_economics(Plan.from_dict(doc), ASSUMED)
    # 5 a customer: ceil(30 / 5) = 6; 8 x 5 - 30 = 10 a month, ceil(100 / 10) = 10 months.
    assert (e.break_even_customers_per_month, e.payback_months) == (6, 10)
    assert e.preferred_customers is None
    assert "preferred_customers" not in e.to_dict()


def test_all_customers_preferred() -> None:
    e = compute_economics(Plan.from_dict(copy.deepcopy(DOC)),
                          ASSUMED.with_overrides({"preferred_customer_share": 1.0}))
    # 10 a customer: ceil(30 / 10) = 3; 8 x 10 - 30 = 50 a month, ceil(100 / 50) = 2 months.
    assert (e.break_even_customers_per_month, e.payback_months) == (3, 2)
