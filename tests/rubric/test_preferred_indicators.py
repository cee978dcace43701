"""Indicators of a plan with schema v1.1 preferred customers (issue 19 rule 10), by hand."""

from __future__ import annotations

import pytest

from tests.rubric.test_indicators import _indicators, _plan

QUALIFYING = {"min_personal_volume": 200, "own_purchases_count": True}


def test_preferred_orders_are_sales_to_non_participants() -> None:
    plan = _plan(compensation__qualification=QUALIFYING,
                 compensation__preferred_customers={"discount": 0.2, "commission_rate": 0.1,
                                                    "counts_as_personal_volume": False})
    found = _indicators(plan, customers_per_participant=4, preferred_customer_share=0.5)
    # 2 retail customers buy one 40-wholesale product each through a retail-margin participant:
    # 80 of volume, so 120 left to buy at wholesale. 2 preferred customers order from the
    # company at 50 x 0.8 = 40 each: 80 more sold outside, in no personal volume.
    assert found["pay_to_play_purchase"].value == pytest.approx(120.0)
    assert found["customer_share_of_sales"].value == pytest.approx(160 / 280)
    assert "2 of them preferred customers" in found["customer_share_of_sales"].detail
    # Without the program the 4 are retail customers: 160 of volume, 40 left to buy.
    plain = _indicators(_plan(compensation__qualification=QUALIFYING),
                        customers_per_participant=4, preferred_customer_share=0.5)
    assert plain["pay_to_play_purchase"].value == pytest.approx(40.0)
    assert plain["customer_share_of_sales"].value == pytest.approx(160 / 200)


def test_counted_preferred_orders_cover_personal_volume() -> None:
    plan = _plan(compensation__qualification=QUALIFYING,
                 compensation__preferred_customers={"discount": 0.2, "commission_rate": 0.1})
    found = _indicators(plan, customers_per_participant=4, preferred_customer_share=0.5)
    # Counted (not stated): 80 of retail volume + 2 x 40 of preferred orders (price 40 x
    # fraction 1) = 160; 40 left to buy. Sales outside: 80 + 80 = 160 of 200.
    assert found["pay_to_play_purchase"].value == pytest.approx(40.0)
    assert found["customer_share_of_sales"].value == pytest.approx(160 / 200)
