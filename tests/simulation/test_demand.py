"""Retail demand that answers to price and to people (issue 18 item 3).

Worked examples with the figures written out by hand: the pull of a product priced above its
comparable, the mix customers buy, pay on that mix through both engines, customers who return
for a tenure, and whole runs where price and tenure move the customers as the model says.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics, profit_per_customer, retail_demand
from evaluator.indicators import customer_sales, customer_volume
from evaluator.model import Plan
from evaluator.simulation import run_once
from evaluator.simulation.network import customer_counts
from tests.simulation.helpers import BASE, params, pay_with

ENGINE_NAMES = ("vectorised", "reference")
PULL = 2 ** -1.5  # a product at twice its comparable's price, price_elasticity 1.5

# Box: wholesale 100, retail 200, comparable 100 (twice the comparable: pull 2 ** -1.5).
# Jar: wholesale 50, retail 100, no comparable price (taken at par: pull 1).
TWO = [{"name": "Box", "wholesale_price": 100, "retail_price": 200,
        "comparable_market_price": 100},
       {"name": "Jar", "wholesale_price": 50, "retail_price": 100}]


def two_products(components: list[dict[str, Any]]) -> Plan:
    """The worked-example plan with the two products above."""
    doc = copy.deepcopy(BASE)
    doc["products"] = copy.deepcopy(TWO)
    doc["compensation"] = {"components": components}
    return Plan.from_dict(doc)


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_pull_factor_and_mix_of_two_products() -> None:
    d = retail_demand(two_products([{"type": "retail_margin"}]), 1.5)
    assert d.pull == pytest.approx((PULL, 1.0))
    assert d.factor == pytest.approx((PULL + 1) / 2)  # the mean pull, 0.677
    assert d.shares == pytest.approx((PULL / (PULL + 1), 1 / (PULL + 1)))  # 0.261, 0.739
    assert d.comparable_known == (True, False)


def test_a_bargain_does_not_add_customers_and_price_blind_is_the_plain_mean() -> None:
    doc = copy.deepcopy(BASE)
    doc["products"][0]["comparable_market_price"] = 400  # half the comparable's price
    d = retail_demand(Plan.from_dict(doc), 1.5)
    assert d.pull == pytest.approx((2 ** 1.5,))
    assert d.factor == 1.0  # at or below par, a participant's reach limits their customers
    blind = retail_demand(two_products([{"type": "retail_margin"}]), 0.0)
    assert (blind.factor, blind.shares) == (1.0, None)


def test_retail_margin_on_the_mix(engine: str) -> None:
    prm = params(two_products([{"type": "retail_margin"}]), price_elasticity=1.5)
    mp = pay_with(engine, prm, [-1, 0], customers={0: 3})
    # 3 customers x (0.261 x (200 - 100) + 0.739 x (100 - 50)) = 3 x 63.06
    expected = 3 * (PULL * 100 + 1 * 50) / (PULL + 1)
    assert mp.pay["retail_margin"] == [pytest.approx(expected), 0.0]
    assert round(expected, 2) == 189.18


def test_retail_commission_and_customer_volume_on_the_mix(engine: str) -> None:
    prm = params(two_products([{"type": "retail_commission", "rate": 0.1},
                               {"type": "unilevel", "rates": [0.05], "basis": "customer"}]),
                 price_elasticity=1.5)
    mp = pay_with(engine, prm, [-1, 0], customers={1: 2})
    retail = (PULL * 200 + 1 * 100) / (PULL + 1)  # the mix's retail price, 126.12
    assert mp.pay["retail_commission"] == [0.0, pytest.approx(0.1 * 2 * retail)]
    # A customer's order is at retail (no retail_margin): volume = the mix's retail price.
    assert mp.pay["unilevel"] == [pytest.approx(0.05 * 2 * retail), 0.0]


def test_economics_counts_the_same_mix_and_the_typical_customers() -> None:
    p = two_products([{"type": "retail_margin"}])
    a = Assumptions.from_overrides({"price_elasticity": 1.5})
    e = compute_economics(p, a)
    assert e.profit_per_customer_per_month == pytest.approx((PULL * 100 + 50) / (PULL + 1))
    assert profit_per_customer(p) == 75.0  # price-blind: the plain mean of 100 and 50
    blind = compute_economics(p, a.with_overrides({"price_elasticity": 0}))
    assert blind.profit_per_customer_per_month == 75.0
    # payback with 2 x 0.677 typical customers is slower than with 2 price-blind ones
    assert (e.payback_months or 10**9) > (blind.payback_months or 0)


def test_customers_return_for_their_tenure() -> None:
    # mean 2 customers, tenure 2 months (retention 0.5), skew 0, nobody recruited yet.
    prm = params(two_products([{"type": "retail_margin"}]), customers_per_participant=2,
                 customer_skew=0, customer_tenure=2)
    assert prm.customer_retention == 0.5
    z = np.zeros(3)
    u = np.array([0.5, 0.0, 0.0])
    last = np.array([3, 0, 1])
    u_kept = np.array([0.6, 0.2, 0.4])
    got = customer_counts(prm, 0, z, u, None, (last, u_kept))
    # new: floor(2 x (1 - 0.5) + u) = 1, 1, 1; returning: floor(last x 0.5 + u') = 2, 0, 0
    assert got.tolist() == [3, 1, 1]


def _customers(p: Plan, **overrides: Any) -> float:
    a = Assumptions.from_overrides({
        "market_size": 1_000_000, "max_participants": 3000, "initial_participants": 300,
        "recruit_rate": 0.2, "horizon_months": 24, "customer_skew": 0,
        "customers_per_participant": 2, "member_share": 0, "seller_share": 0, **overrides})
    r = run_once(p, a, 7)
    return float(r.customers_served.sum() / r.months_active.sum())


def test_price_above_the_comparable_loses_customers_in_a_run() -> None:
    doc = copy.deepcopy(BASE)
    doc["products"][0]["comparable_market_price"] = 100  # retail 200: twice the comparable
    p = Plan.from_dict(doc)
    blind = _customers(p, price_elasticity=0, customer_tenure=1)
    elastic = _customers(p, price_elasticity=1.5, customer_tenure=1)
    assert blind == pytest.approx(2, rel=0.02)
    assert elastic == pytest.approx(2 * PULL, rel=0.05)


def test_a_book_of_returning_customers_builds_up_to_the_mean() -> None:
    # 300 founders who never recruit or quit: month k's book is 2 x (1 - (2/3) ** k) on
    # average (tenure 3: retention 2/3, new customers 2 x 1/3 a month), so over 24 months the
    # mean is 2 x (1 - sum of (2/3) ** k / 24) = 2 x (1 - 2 (1 - (2/3) ** 24) / 24) = 1.833.
    p = Plan.from_dict(copy.deepcopy(BASE))
    still = {"recruit_rate": 0, "monthly_churn": 0, "loss_churn_boost": 0}
    assert _customers(p, customer_tenure=1, **still) == pytest.approx(2, rel=0.02)
    expected = 2 * (1 - 2 * (1 - (2 / 3) ** 24) / 24)
    assert _customers(p, customer_tenure=3, **still) == pytest.approx(expected, rel=0.02)


def test_indicators_count_the_order_the_simulation_counts() -> None:
    p = two_products([{"type": "retail_commission", "rate": 0.1}])
    prm = params(p, price_elasticity=1.5)
    shares = retail_demand(p, 1.5).shares
    # customers order from the company at retail: 3 x the mix's retail price, 126.12
    retail = (PULL * 200 + 1 * 100) / (PULL + 1)
    assert customer_volume(p, 3, shares) == pytest.approx(3 * prm.order_volume)
    assert customer_sales(p, 3, shares) == pytest.approx(3 * prm.order_money)
    assert prm.order_money == pytest.approx(retail)
    assert prm.customers_mean == pytest.approx(2 * (PULL + 1) / 2)  # 2 x the mean pull
