"""Worked examples of schema v1.1's one-time bonuses and conditions on a bonus, both engines.

Volumes as in tests/simulation/helpers.py: own purchase 100 per active participant; a
customer order is volume 200 (100 when the plan has retail_margin). With a commissionable
starter kit of 50 (commissionable fraction 1), a recruit's enrollment order is 100 own + 50
kit = 150 in the month they join.
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
from tests.simulation.helpers import Paid, month, network, params, pay_with, plan, spread
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")
KIT = {"starter_kit": 50, "starter_kit_commissionable": True}

# 0 <- 1 <- 2: a sponsor chain; 2 joins this month.
CHAIN = [-1, 0, 1]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_first_order_bonus_rates_on_the_enrollment_order(engine: str) -> None:
    prm = params(plan([{"type": "first_order_bonus", "rates": [0.2, 0.1]}], costs=KIT))
    mp = pay_with(engine, prm, CHAIN, new=(2,))
    # 2's order: 100 own + 50 kit = 150; 1 earns 0.2 x 150 = 30, 0 earns 0.1 x 150 = 15.
    # 1 and 0 joined before: nothing on their months' purchases.
    assert mp.pay["first_order_bonus"] == [15.0, 30.0, 0.0]
    # Sources: the own-purchase part (100 of 150) is own purchases, the kit part enrollment.
    assert mp.sources["first_order_bonus"].tolist() == pytest.approx([0.0, 30.0, 15.0])


def test_first_order_bonus_amounts_in_the_orders_shares(engine: str) -> None:
    prm = params(plan([{"type": "first_order_bonus", "amounts": [60, 30]}], costs=KIT))
    mp = pay_with(engine, prm, CHAIN, new=(2,))
    assert mp.pay["first_order_bonus"] == [30.0, 60.0, 0.0]
    # 90 paid, in the order's shares: 100/150 own purchases, 50/150 kit (enrollment).
    assert mp.sources["first_order_bonus"].tolist() == pytest.approx([0.0, 60.0, 30.0])


def test_first_order_bonus_needs_the_minimum_order(engine: str) -> None:
    below = params(plan([{"type": "first_order_bonus", "amounts": [60],
                          "min_recruit_order_volume": 151}], costs=KIT))
    mp = pay_with(engine, below, CHAIN, new=(2,))
    assert mp.pay["first_order_bonus"] == [0.0, 0.0, 0.0]
    assert sum(mp.breakage.values()) == 0.0  # nothing was due: not breakage
    exact = params(plan([{"type": "first_order_bonus", "amounts": [60],
                          "min_recruit_order_volume": 150}], costs=KIT))
    assert pay_with(engine, exact, CHAIN, new=(2,)).pay["first_order_bonus"] == [0.0, 60.0, 0.0]


RANKS: list[dict[str, Any]] = [
    {"name": "Leader", "min_active_legs": 1},
    {"name": "Director", "min_active_legs": 2},
]


def test_requires_rank_pays_only_the_earner_holding_it(engine: str) -> None:
    # 0 <- 1, 0 <- 2, 1 <- 3 (new): 0 has two legs (Director), 1 one (Leader), 2 and 3 none.
    prm = params(plan([{"type": "enrollment_bonus", "amounts": [40, 20],
                        "requires_rank": "Director"}], ranks=RANKS))
    mp = pay_with(engine, prm, [-1, 0, 0, 1], new=(3,))
    assert mp.rank == [1, 0, -1, -1]
    # On 3: 1 (a Leader, not a Director) would earn 40: breakage; 0 (Director) earns 20.
    assert mp.pay["enrollment_bonus"] == [20.0, 0.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(40.0)
    # A higher rank than the one required counts: Leader is reached by both 0 and 1.
    prm = params(plan([{"type": "enrollment_bonus", "amounts": [40, 20],
                        "requires_rank": "Leader"}], ranks=RANKS))
    assert pay_with(engine, prm, [-1, 0, 0, 1], new=(3,)).pay["enrollment_bonus"] == [
        20.0, 40.0, 0.0, 0.0]


def test_min_recruit_order_gates_the_enrollment_bonus(engine: str) -> None:
    # 2 joins with an order of 150: a minimum of 100 is reached, one of 200 is not.
    bonus = {"type": "enrollment_bonus", "amounts": [40]}
    low = params(plan([{**bonus, "min_recruit_order_volume": 100}], costs=KIT))
    high = params(plan([{**bonus, "min_recruit_order_volume": 200}], costs=KIT))
    assert pay_with(engine, low, CHAIN, new=(2,)).pay["enrollment_bonus"] == [0.0, 40.0, 0.0]
    assert pay_with(engine, high, CHAIN, new=(2,)).pay["enrollment_bonus"] == [0.0, 0.0, 0.0]


def _months(engine_name: str, prm: Any, sponsors: list[int],
            months: list[dict[str, Any]]) -> list[Paid]:
    """Several months on one network (its kept first orders and one-time ranks)."""
    engine = ENGINES[engine_name]()
    net = network(prm, engine, sponsors)
    out = []
    for kw in months:
        m = month(prm, len(sponsors), engine=engine_name, **kw)
        out.append(spread(engine.pay(prm, net, m), m))
    return out


def test_fast_start_and_matching_remember_the_recruits_first_order(engine: str) -> None:
    # 0 <- 1, 0 <- 2, 1 <- 3. Month 3: 2 and 3 join, each with an order of 150 (100 own + 50
    # kit); month 4 they buy 100 each. A fast start (2 months) gated at 150 pays on both in
    # both months, the order kept from month 3; gated at 151, on neither.
    def run(minimum: float) -> list[Paid]:
        prm = params(plan([{"type": "fast_start", "rates": [0.1], "months": 2,
                            "min_recruit_order_volume": minimum}], costs=KIT))
        return _months(engine, prm, [-1, 0, 0, 1],
                       [{"t": 3, "new": (2, 3)}, {"t": 4, "join": {2: 3, 3: 3}}])
    first, second = run(150)
    assert first.pay["fast_start"] == [15.0, 15.0, 0.0, 0.0]  # 0.1 x 150: on 2 to 0, 3 to 1
    assert second.pay["fast_start"] == [10.0, 10.0, 0.0, 0.0]  # 0.1 x 100, remembered
    first, second = run(151)
    assert first.pay["fast_start"] == second.pay["fast_start"] == [0.0, 0.0, 0.0, 0.0]


def test_matching_bonus_conditions(engine: str) -> None:
    # 0 <- 1 <- 2 (new, order 150): the unilevel pays 1 0.1 x 150 = 15 and 0 0.1 x 100 = 10.
    comps = [{"type": "unilevel", "rates": [0.1]}]
    matching = {"type": "matching_bonus", "rates": [0.5]}
    prm = params(plan([*comps, {**matching, "min_recruit_order_volume": 150}], costs=KIT))
    mp = pay_with(engine, prm, CHAIN, new=(2,))
    assert mp.pay["unilevel"] == [10.0, 15.0, 0.0]
    # 1's order is unknown here (joined before, none kept: 0), so 1's pay is not matched;
    # 2 earned nothing. Gated at 0 instead, 0 earns 0.5 x 15 = 7.5.
    assert mp.pay["matching_bonus"] == [0.0, 0.0, 0.0]
    prm = params(plan([*comps, {**matching, "requires_rank": "Leader"}], ranks=RANKS,
                      costs=KIT))
    mp = pay_with(engine, prm, CHAIN, new=(2,))
    assert mp.rank == [0, 0, -1]
    assert mp.pay["matching_bonus"] == [7.5, 0.0, 0.0]


def test_advancement_and_fast_start_bonuses_paid_once(engine: str) -> None:
    ranks = [
        {"name": "Leader", "min_active_legs": 1, "advancement_bonus": 100,
         "fast_start_bonus": 50, "fast_start_within_months": 2},
        {"name": "Director", "min_active_legs": 2, "advancement_bonus": 300,
         "fast_start_bonus": 500, "fast_start_within_months": 1},
    ]
    prm = params(plan([{"type": "rank_bonus"}], ranks=ranks))
    # 0 (a founder, joined month 0) and 1 (joined month 1) with 2 recruited under 1 (month 2),
    # 3 under 0 (month 3). Month 2: 0 has one leg (Leader), 1 one leg (Leader).
    # Month 3: 0 has two legs (Director): Director's 300 (fast start: 3 - 0 = 3 months, not
    # within 1). 1 stays Leader: nothing more. Month 4: nothing more for anyone.
    sponsors = [-1, 0, 1, 0]
    months = [
        {"t": 2, "inactive": (3,), "new": (2,), "join": {1: 1}},
        {"t": 3, "new": (3,), "join": {1: 1, 2: 2}},
        {"t": 4, "join": {1: 1, 2: 2, 3: 3}},
    ]
    m2, m3, m4 = _months(engine, prm, sponsors, months)
    # Month 2: 0 is Leader (2 - 0 = 2 months: not within 2) -> 100; 1 is Leader, joined month
    # 1 (2 - 1 = 1 < 2) -> 100 + 50.
    assert m2.rank == [0, 0, -1, -1]
    assert m2.pay["rank_bonus"] == [100.0, 150.0, 0.0, 0.0]
    assert m3.rank == [1, 0, -1, -1]
    assert m3.pay["rank_bonus"] == [300.0, 0.0, 0.0, 0.0]
    assert m4.pay["rank_bonus"] == [0.0, 0.0, 0.0, 0.0]


def test_a_skipped_rank_is_paid_too_and_unqualified_waits(engine: str) -> None:
    ranks = [{"name": "Leader", "min_active_legs": 1, "advancement_bonus": 100},
             {"name": "Director", "min_active_legs": 2, "advancement_bonus": 300}]
    prm = params(plan([{"type": "rank_bonus"}], ranks=ranks,
                      qualification={"min_retail_customers": 1}))
    # 0 with two legs at once: Director. Month 5 without a customer: not qualified, nothing
    # paid and nothing lost; month 6 with one: 100 + 300, Leader's passed on the way.
    m5, m6 = _months(engine, prm, [-1, 0, 0],
                     [{"t": 5}, {"t": 6, "customers": {0: 1}}])
    assert m5.rank[0] == 1
    assert m5.pay["rank_bonus"][0] == 0.0
    assert m5.breakage["unqualified"] == 0.0
    assert m6.pay["rank_bonus"][0] == 400.0
    assert m6.sources["rank_bonus"].sum() == pytest.approx(400.0)


def test_no_kept_state_without_the_rules() -> None:
    prm = params(plan([{"type": "rank_bonus"}], ranks=RANKS))
    net = network(prm, ENGINES["vectorised"](), CHAIN)
    assert net.first_order is None
    assert net.bonus_rank is None
    prm = params(plan([{"type": "enrollment_bonus", "amounts": [1],
                        "min_recruit_order_volume": 5}]))
    assert isinstance(network(prm, ENGINES["reference"](), CHAIN).first_order, np.ndarray)


@settings(max_examples=30, deadline=None)
@given(plan=sim_plans(using=("first_order_bonus",), one_time=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_one_time_bonuses_and_conditions(plan: Plan, assumptions: Assumptions,
                                                          seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)
