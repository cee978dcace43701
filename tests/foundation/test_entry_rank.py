"""The economics' newcomer holds only a rank they hold from their first month (schema v1.1's
ranks over time): a rank that takes months in a row or a lifetime volume the first month's
purchase does not reach is not theirs yet, as in both engines' rank rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics, entry_discount, entry_rank
from evaluator.model import Plan

# A 100 required purchase (volume 100 at 40 wholesale, 50 retail, commissionable in full).
DOC: dict[str, Any] = {
    "schema_version": "1.1",
    "company": {"name": "Example Ranks"},
    "costs": {"currency": "USD", "required_monthly_purchase": 100},
    "products": [{"name": "Tea", "wholesale_price": 40, "retail_price": 50, "volume": 40}],
    "compensation": {
        "components": [{"type": "retail_margin"}],
        "ranks": [{"name": "Member", "min_personal_volume": 50, "discount": 0.2},
                  {"name": "Gold", "min_personal_volume": 50, "discount": 0.4}],
    },
}


def _plan(**gold: Any) -> Plan:
    doc = copy.deepcopy(DOC)
    doc["compensation"]["ranks"][1].update(gold)
    return Plan.from_dict(doc)


def test_a_rank_met_on_the_first_month_is_held() -> None:
    assert entry_rank(_plan()) == 1
    assert entry_rank(_plan(min_lifetime_volume=100)) == 1  # the first month's 100 reaches it


@pytest.mark.parametrize("gold", [{"qualify_months": 3}, {"min_lifetime_volume": 5000}])
def test_a_rank_that_takes_months_is_not_the_newcomers(gold: dict[str, Any]) -> None:
    # Three months in a row, or 5,000 of lifetime volume at 100 a month (50 months): in the
    # simulation the newcomer is a Member, at 20% off, until then.
    plan = _plan(**gold)
    assert entry_rank(plan) == 0
    assert entry_discount(plan) == pytest.approx(0.2)
    e = compute_economics(plan, Assumptions.defaults())
    # The required purchase at 20% off retail: 100 x (0.8 x 50 / 40) = 100 a month, not the
    # 75 of Gold's 40% off.
    assert e.monthly_cost == pytest.approx(100)
    assert e.retail_margin_fraction == pytest.approx(0.2)
