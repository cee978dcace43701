"""Closed-form checks: figures worked out by hand from the model's formulas, not by calling
the engines' helpers, so a misreading shared by both engines fails here.

- A plan with two products of stated volume: what one customer order and one product bought
  to qualify carry (``Params.build``), and a month's pay on it, written out.
- ``Params.build`` on any set of products: the mean price and the mean volume, each
  product's volume being its stated volume or price x commissionable fraction.
- Churn with the loss boost: over many founders who recruit nobody, the share who quit each
  month against ``monthly_churn`` (nobody losing) and ``monthly_churn + loss_churn_boost``
  (everybody losing), within a stated binomial tolerance.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.indicators import customer_sales, customer_volume, qualifying_purchase
from evaluator.model import Plan
from evaluator.simulation import ENGINES, run_once
from tests.simulation.helpers import month, network, params, spread
from tests.strategies import valid_plans

ENGINE_NAMES = ("vectorised", "reference")

# Two products of volume 20 each: wholesale 10 and 100, retail 20 and 200.
TWO_PRODUCTS: dict[str, Any] = {
    "company": {"name": "Two products"},
    "costs": {"currency": "USD", "required_monthly_purchase": 0},
    "products": [
        {"name": "Small", "wholesale_price": 10, "retail_price": 20, "volume": 20},
        {"name": "Large", "wholesale_price": 100, "retail_price": 200, "volume": 20},
    ],
    "compensation": {"components": [{"type": "retail_margin"},
                                    {"type": "unilevel", "rates": [0.1], "basis": "customer"}]},
}


def _two_products(**compensation: Any) -> Plan:
    doc = copy.deepcopy(TWO_PRODUCTS)
    doc["compensation"].update(compensation)
    return Plan.from_dict(doc)


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return str(request.param)


def test_two_products_order_is_the_mean_price_and_the_mean_volume() -> None:
    prm = params(_two_products())
    # retail_margin: the participant buys at wholesale, (10 + 100) / 2 = 55; each product
    # carries volume 20, so the average order carries (20 + 20) / 2 = 20 (not 55 x the mean
    # of 20/10 and 20/100 = 55 x 1.1 = 60.5).
    assert prm.order_money == 55.0
    assert prm.order_volume == 20.0
    assert prm.margin_per_customer == 55.0  # ((20 - 10) + (200 - 100)) / 2
    # A product bought to qualify: the mean wholesale price and the mean volume.
    assert (prm.unit_money, prm.unit_volume) == (55.0, 20.0)


def test_two_products_indicators_count_the_same_order() -> None:
    p = _two_products()
    prm = params(p)
    assert customer_volume(p, 3) == 3 * prm.order_volume == 60.0
    assert customer_sales(p, 3) == 3 * prm.order_money == 165.0


def test_two_products_unilevel_pay_written_out(engine: str) -> None:
    # 0 <- 1: 1 has 3 customers. 1's margin: 3 x 55 = 165. The unilevel pays 0 10% of 1's
    # customer volume, 3 orders x 20 = 60: 6.0 (the same as one product of volume 20 pays).
    prm = params(_two_products())
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0])
    m = month(prm, 2, customers={1: 3}, engine=engine)
    paid = spread(eng.pay(prm, net, m), m)
    assert paid.pay["retail_margin"] == [0.0, 165.0]
    assert paid.pay["unilevel"] == [6.0, 0.0]
    assert paid.sources["unilevel"].tolist() == pytest.approx([6.0, 0.0, 0.0])


def test_two_products_buying_to_qualify_written_out(engine: str) -> None:
    # Qualifying needs personal volume 50 and own purchases count; 1 (an active recruit of 0)
    # keeps 0 eligible to buy. 0 has 1 customer: volume 20, short by 30, so 0 buys
    # ceil(30 / 20) = 2 average products at wholesale 55 each: 110, volume 40 (pv 60).
    p = _two_products(qualification={"min_personal_volume": 50, "own_purchases_count": True})
    prm = params(p, buy_to_qualify=1.0)
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0])
    m = month(prm, 2, customers={0: 1, 1: 3}, engine=engine)
    units = m.spread(eng.top_up(prm, net, m)).tolist()
    assert units == [2, 0]  # 1 (pv 60 from customers) needs none, and has no recruit
    assert [u * prm.unit_money for u in units] == [110.0, 0.0]
    # The indicator: the 30 volume one customer leaves uncovered, in products of volume 20
    # at 55: 30 / 20 x 55 = 82.5 a month (whole products are the simulation's).
    assert qualifying_purchase(p, 1) == pytest.approx(82.5)


@settings(max_examples=80, deadline=None)
@given(doc=valid_plans())
def test_params_build_averages_price_and_volume_over_products(doc: dict[str, Any]) -> None:
    plan = Plan.from_dict(doc)
    prm = params(plan)
    fraction = doc["compensation"].get("commissionable_fraction", 1.0)
    products = doc["products"]
    margin = any(c["type"] == "retail_margin" for c in doc["compensation"]["components"])

    def order(price_key: str) -> tuple[float, float]:
        prices = [float(x[price_key]) for x in products]
        volumes = [float(x["volume"]) if "volume" in x else float(x[price_key]) * fraction
                   for x in products]
        return sum(prices) / len(prices), sum(volumes) / len(volumes)

    money, volume = order("wholesale_price" if margin else "retail_price")
    assert prm.order_money == pytest.approx(money, rel=1e-12, abs=1e-12)
    assert prm.order_volume == pytest.approx(volume, rel=1e-12, abs=1e-12)
    unit_money, unit_volume = order("wholesale_price")
    assert prm.unit_money == pytest.approx(unit_money, rel=1e-12, abs=1e-12)
    assert prm.unit_volume == pytest.approx(unit_volume, rel=1e-12, abs=1e-12)


FOUNDERS = 5000
CHURN = 0.05
BOOST = 0.10


def _quit_rate(costs: dict[str, Any], engine: str) -> tuple[float, int]:
    """Share of the at-risk founders who quit, pooled over the months, and how many
    participant-months were at risk: founders only (recruit_rate 0), no pay."""
    doc = {
        "company": {"name": "Churn"},
        "costs": {"currency": "USD", **costs},
        "products": [{"name": "P", "wholesale_price": 10, "retail_price": 20}],
        "compensation": {"components": [{"type": "unilevel", "rates": [0.1]}]},
    }
    assumptions = Assumptions.from_overrides({
        "market_size": 100_000, "max_participants": FOUNDERS,
        "initial_participants": FOUNDERS, "recruit_rate": 0.0, "monthly_churn": CHURN,
        "loss_churn_boost": BOOST, "customers_per_participant": 0, "horizon_months": 6,
        "runs": 1, **BEHAVIOUR_NEUTRAL,
    })
    data = run_once(Plan.from_dict(doc), assumptions, 12345, engine)
    assert data.n == FOUNDERS  # nobody joined
    active = data.timeline_active
    at_risk = sum(active[:-1])
    return (active[0] - active[-1]) / at_risk, at_risk


@pytest.mark.parametrize(("costs", "expected"), [
    ({}, CHURN),  # nothing to pay, nothing paid: pay 0 is not below cost 0
    ({"enrollment_fee": 50}, CHURN + BOOST),  # cost 50, pay 0: everybody is losing
])
def test_churn_with_the_loss_boost(engine: str, costs: dict[str, Any], expected: float) -> None:
    rate, at_risk = _quit_rate(costs, engine)
    # Each at-risk participant-month is a Bernoulli(expected) draw: the pooled rate is
    # within 4 standard errors, sqrt(p (1 - p) / at_risk) (about 0.003 to 0.005 here).
    tolerance = 4 * math.sqrt(expected * (1 - expected) / at_risk)
    assert abs(rate - expected) <= tolerance, (rate, expected, tolerance)


def test_qualification_is_each_engines_own() -> None:
    # Same inputs, each engine's own rule: pv counts own purchases unless the plan says not;
    # qualified with pv >= 50 and at least one customer.
    prm = params(_two_products(qualification={"min_personal_volume": 50,
                                              "own_purchases_count": False,
                                              "min_retail_customers": 1}))
    customers = np.array([0, 1, 3, 2])
    vc = customers * 20.0
    vo = np.array([100.0, 100.0, 0.0, 40.0])
    vk = np.zeros(4)
    for name in ENGINE_NAMES:
        pv, qualified = ENGINES[name]().qualify(prm, customers, vc, vo, vk)
        assert pv.tolist() == [0.0, 20.0, 60.0, 40.0], name  # own purchases do not count
        assert qualified.tolist() == [False, False, True, False], name
