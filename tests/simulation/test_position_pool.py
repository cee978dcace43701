"""Worked examples of schema v1.1's return on one's own position and pool, both engines.

Volumes as in tests/simulation/helpers.py: own purchase 100 per active participant; a
customer order is volume 200 (the plans here have no retail_margin).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from evaluator.simulation import ENGINES
from evaluator.simulation.network import month_inputs
from tests.simulation.helpers import Paid, network, params, pay_with, plan, spread
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")

# 0 <- 1 <- 2 <- 3: a sponsor chain.
CHAIN = [-1, 0, 1, 2]

RANKS = [{"name": "Silver"}, {"name": "Gold", "min_personal_volume": 300}]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_position_return_per_month_for_its_months(engine: str) -> None:
    prm = params(plan([{"type": "position_return", "per_month": 10, "months_paid": 3}]))
    # Month 5. 0 joined in month 0 (its 6th month: past 3), 1 in month 3 (its 3rd: paid),
    # 2 in month 5 but quit, 3 in month 4 (its 2nd: paid).
    mp = pay_with(engine, prm, CHAIN, inactive=(2,), join={0: 0, 1: 3, 2: 5, 3: 4})
    assert mp.pay["position_return"] == [0.0, 10.0, 0.0, 10.0]
    # No sale funds it: all of it is enrollment money.
    assert mp.sources["position_return"].tolist() == [0.0, 0.0, 20.0]
    assert sum(mp.breakage.values()) == 0.0


def test_position_return_while_active_on_the_kit_and_inventory_price(engine: str) -> None:
    prm = params(plan([{"type": "position_return", "rate_of_price": 0.1}],
                      {"starter_kit": 40, "inventory_package": 60}))
    # No months_paid: paid every active month. The joining price is 40 + 60 = 100: 0.1 x 100 = 10,
    # to the unqualified too (nobody's personal volume reaches 500: no sale is asked).
    mp = pay_with(engine, prm, CHAIN, join={0: 0, 1: 0, 2: 1, 3: 5},
                  inactive=(1,))
    assert mp.pay["position_return"] == [10.0, 0.0, 10.0, 10.0]


def _with_packages(engine_name: str, component: dict[str, Any], chosen: list[int]) -> Paid:
    packages = [{"name": "Basic", "price": 289}, {"name": "Premium", "price": 1375}]
    prm = params(plan([component], {"packages": packages}))
    engine = ENGINES[engine_name]()
    net = network(prm, engine, CHAIN)
    n = len(CHAIN)
    act = np.arange(n)
    m = month_inputs(prm, engine, 5, n, act, np.array([], dtype=np.int64),
                     np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                     package=np.array(chosen, dtype=np.int64))
    return spread(engine.pay(prm, net, m), m)


def test_position_return_on_each_package_price(engine: str) -> None:
    mp = _with_packages(engine, {"type": "position_return", "rate_of_price": 0.05}, [0, 1, 1, 0])
    # 0.05 x 289 = 14.45; 0.05 x 1375 = 68.75.
    assert mp.pay["position_return"] == [14.45, 68.75, 68.75, 14.45]
    assert mp.sources["position_return"].tolist() == pytest.approx([0.0, 0.0, 166.4])


def test_pool_split_equally_among_the_rank(engine: str) -> None:
    prm = params(plan([{"type": "pool", "share": 0.1, "rank": "Gold"}], ranks=RANKS))
    mp = pay_with(engine, prm, CHAIN, customers={2: 1, 3: 1})
    # Volumes 100, 100, 300, 300: 800 in all, 400 of it customers'. Gold (personal volume 300):
    # 2 and 3. The pool, 0.1 x 800 = 80, is 40 each.
    assert mp.rank == [0, 0, 1, 1]
    assert mp.pay["pool"] == [0.0, 0.0, 40.0, 40.0]
    # Sources follow the month's volume: half customers', half own purchases.
    assert mp.sources["pool"].tolist() == pytest.approx([40.0, 40.0, 0.0])


def test_pool_at_a_rank_includes_the_ranks_above(engine: str) -> None:
    prm = params(plan([{"type": "pool", "share": 0.1, "rank": "Silver"}], ranks=RANKS))
    mp = pay_with(engine, prm, CHAIN, customers={2: 1, 3: 1})
    # Silver and Gold share: 80 / 4 = 20 each.
    assert mp.pay["pool"] == [20.0, 20.0, 20.0, 20.0]


def test_pool_skips_the_unqualified_and_unshared_pool_is_breakage(engine: str) -> None:
    prm = params(plan([{"type": "pool", "share": 0.1, "rank": "Silver"}], ranks=RANKS,
                      qualification={"min_personal_volume": 300}))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1})
    # Volumes 100, 100, 100, 300 = 600: the pool is 60. Only 3 qualifies (300): 60 to 3.
    assert mp.pay["pool"] == [0.0, 0.0, 0.0, 60.0]
    nobody = params(plan([{"type": "pool", "share": 0.1, "rank": "Gold"}], ranks=RANKS,
                         qualification={"min_personal_volume": 300}))
    mp = pay_with(engine, nobody, CHAIN)
    # Volume 400, nobody at Gold: the pool's 40 is not paid.
    assert mp.pay["pool"] == [0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(40.0)


def test_pool_splits_to_a_millionth(engine: str) -> None:
    prm = params(plan([{"type": "pool", "share": 0.1, "rank": "Silver"}], ranks=RANKS))
    mp = pay_with(engine, prm, [-1, 0, 1], customers={2: 1})
    # Volumes 100, 100, 300: the pool is 50, over 3 sharers 16.666667 each (a millionth).
    assert mp.pay["pool"] == [16.666667, 16.666667, 16.666667]


@settings(max_examples=30, deadline=None)
@given(plan=sim_plans(using=("position_return", "pool")), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_plans_with_returns_and_pools(plan: Plan, assumptions: Assumptions,
                                                       seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=15, deadline=None)
@given(plan=sim_plans(with_packages=True, using=("position_return",)),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_returns_on_packages(plan: Plan, assumptions: Assumptions,
                                              seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)


def test_the_company_funds_the_returns_in_the_payout_ratio() -> None:
    from evaluator.simulation import simulate

    base = [{"type": "retail_commission", "rate": 0.1}]
    returns = [*base, {"type": "position_return", "per_month": 20}]
    small = Assumptions.from_overrides({"max_participants": 200, "horizon_months": 6,
                                        "runs": 1})
    without = simulate(plan(base), small, 3).to_dict()
    with_returns = simulate(plan(returns), small, 3).to_dict()
    assert with_returns["payout_ratio"] > without["payout_ratio"]
    assert without["pay_sources"]["enrollment"] == 0.0
    paid = with_returns["pay_by_component"]
    assert paid["position_return"] > 0
    # No customer pays for a return on one's position: all of it is counted as paid from
    # recruits' money, and the retail commission is the customers' part.
    assert with_returns["pay_sources"]["enrollment"] == pytest.approx(
        paid["position_return"] / (paid["position_return"] + paid["retail_commission"]))
