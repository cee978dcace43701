"""Worked examples of the schema v1.1 bonus rules on hand-built networks, both engines.

Volumes as in tests/simulation/helpers.py: own purchase 100 per active participant; a
customer order is volume 200 (100 when the plan has retail_margin).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from tests.simulation.helpers import params, pay_with, plan
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")

# 0 <- 1 <- 2 <- 3: a sponsor chain.
CHAIN = [-1, 0, 1, 2]

MATCHED = [{"type": "retail_commission", "rate": 0.1}, {"type": "unilevel", "rates": [0.1]}]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_matching_bonus_by_generation(engine: str) -> None:
    prm = params(plan([*MATCHED, {"type": "matching_bonus", "rates": [0.5, 0.25]}]))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1})
    # Volumes: 0, 1, 2 -> 100; 3 -> 100 own + 200 customer = 300.
    # Matched pay: 3 earns the retail commission 0.1 x 200 = 20; unilevel: 2 earns 0.1 x 300
    # = 30, 1 earns 0.1 x 100 = 10, 0 earns 10.
    assert mp.pay["retail_commission"] == [0.0, 0.0, 0.0, 20.0]
    assert mp.pay["unilevel"] == [10.0, 10.0, 30.0, 0.0]
    # Matching: on 3's 20, 2 earns 0.5 x 20 = 10 and 1 earns 0.25 x 20 = 5; on 2's 30, 1 earns
    # 15 and 0 earns 7.5; on 1's 10, 0 earns 5 (generation 2 is above the top: 2.5); on 0's
    # 10, nobody (7.5 above the top).
    assert mp.pay["matching_bonus"] == [12.5, 20.0, 10.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(10.0 + 10.0)  # + unilevel's 0 and 1
    # Sources follow the month's matched pay: customer 20 + 20, own purchases 30 (of 70).
    assert mp.sources["matching_bonus"].tolist() == pytest.approx(
        [40 * 42.5 / 70, 30 * 42.5 / 70, 0.0])


def test_matching_bonus_unqualified_upline_is_breakage(engine: str) -> None:
    prm = params(plan([*MATCHED, {"type": "matching_bonus", "rates": [0.5, 0.25]}]))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1}, inactive=(1,))
    # 1 quit: the unilevel pays 2 30 (on 3) and loses 10 (2's volume, to 1); 3 earns 20.
    # Matching on 3's 20: 2 earns 10, 1 would earn 5; on 2's 30: 1 would earn 15, 0 earns 7.5.
    assert mp.pay["matching_bonus"] == [7.5, 0.0, 10.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(10.0 + 5.0 + 15.0)


def test_matching_bonus_does_not_match_retail_margin(engine: str) -> None:
    prm = params(plan([{"type": "retail_margin"}, {"type": "matching_bonus", "rates": [0.5]}]))
    mp = pay_with(engine, prm, [-1, 0], customers={1: 2})
    assert mp.pay["retail_margin"] == [0.0, 200.0]  # 2 x (200 - 100), the participant's own
    assert mp.pay["matching_bonus"] == [0.0, 0.0]
    assert mp.sources["matching_bonus"].tolist() == [0.0, 0.0, 0.0]


@settings(max_examples=30, deadline=None)
@given(plan=sim_plans(using=("matching_bonus",)), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_plans_with_a_matching_bonus(plan: Plan, assumptions: Assumptions,
                                                      seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)
