"""Worked examples of the retail-share gate (schema v1.1) on hand-built networks, both engines.

Volumes as in tests/simulation/helpers.py: own purchase 100 per active participant; a
customer order is volume 200 (no retail_margin here). The chain 0 <- 1 <- 2 <- 3; the
unilevel pays 0.1 on two levels; the retail commission 0.1 x 200 = 20 per customer.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from tests.simulation.helpers import params, pay_with, plan
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")
CHAIN = [-1, 0, 1, 2]
PAID = [{"type": "retail_commission", "rate": 0.1}, {"type": "unilevel", "rates": [0.1, 0.1]}]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def gated(gate: dict[str, Any] | None, components: list[dict[str, Any]] = PAID) -> Plan:
    """The worked-example plan with this retail-share gate."""
    qualification = {} if gate is None else {"min_customer_share": gate}
    return plan(components, qualification=qualification)


def test_without_a_gate_nothing_is_lost_and_no_cause_is_reported(engine: str) -> None:
    mp = pay_with(engine, params(gated(None)), CHAIN, customers={1: 1, 3: 1})
    assert mp.pay["unilevel"] == [40.0, 40.0, 30.0, 0.0]
    assert "customer_share" not in mp.breakage


def test_own_share_full(engine: str) -> None:
    mp = pay_with(engine, params(gated({"share": 0.5, "of": "own"})), CHAIN,
                  customers={1: 1, 3: 1})
    # Volumes: 0 and 2 -> 100 own (share 0); 1 and 3 -> 100 + 200 (share 2/3).
    # Unilevel before the gate: 3's 300 -> 2: 30, 1: 30; 2's 100 -> 1: 10, 0: 10; 1's 300 ->
    # 0: 30. So 0: 40, 1: 40, 2: 30. 0 and 2 sell nothing: they lose 40 + 30.
    assert mp.pay["unilevel"] == [0.0, 40.0, 0.0, 0.0]
    assert mp.pay["retail_commission"] == [0.0, 20.0, 0.0, 20.0]  # one's own customers: kept
    assert mp.breakage["customer_share"] == pytest.approx(70.0)
    assert mp.sources["unilevel"].sum() == pytest.approx(40.0)


def test_own_share_pro_rata(engine: str) -> None:
    mp = pay_with(engine, params(gated({"share": 0.8, "of": "own", "mode": "pro_rata"})),
                  CHAIN, customers={1: 1, 2: 1, 3: 1})
    # 1, 2, 3: 300 each, share 2/3; 0: 100, share 0. Unilevel before the gate: 0: 30 + 30,
    # 1: 30 + 30, 2: 30. Kept: 0 nothing; 1 and 2 (2/3) / 0.8 = 5/6: 50 and 25.
    assert mp.pay["unilevel"] == [0.0, 50.0, 25.0, 0.0]
    assert mp.breakage["customer_share"] == pytest.approx(60 + 10 + 5)


def test_downline_share_full(engine: str) -> None:
    mp = pay_with(engine, params(gated({"share": 0.5})), CHAIN, customers={3: 1})
    # Group customer volume / group volume: 3: 200 / 300; 2: 200 / 400 = 0.5 (reached: at
    # least the share); 1: 200 / 500 = 0.4; 0: 200 / 600. Unilevel before the gate: 3's 300
    # -> 2: 30, 1: 30; 2's 100 -> 1: 10, 0: 10; 1's 100 -> 0: 10. So 0: 20, 1: 40, 2: 30.
    assert mp.pay["unilevel"] == [0.0, 0.0, 30.0, 0.0]
    assert mp.breakage["customer_share"] == pytest.approx(60.0)


def test_downline_share_pro_rata(engine: str) -> None:
    mp = pay_with(engine, params(gated({"share": 0.5, "mode": "pro_rata"})), CHAIN,
                  customers={3: 1})
    # As above: 1 keeps 0.4 / 0.5 of 40 = 32, 0 keeps (1/3) / 0.5 of 20 = 13.333333.
    assert mp.pay["unilevel"] == [13.333333, 32.0, 30.0, 0.0]
    assert mp.breakage["customer_share"] == pytest.approx(8 + 20 / 3)


def test_matching_bonus_matches_the_pay_kept(engine: str) -> None:
    components = [*PAID, {"type": "matching_bonus", "rates": [0.5]}]
    mp = pay_with(engine, params(gated({"share": 0.5, "of": "own"}, components)), CHAIN,
                  customers={1: 1, 3: 1})
    # Kept: unilevel 1: 40; retail commission 1: 20, 3: 20 (ungated). Matching 0.5 on the
    # enrollee's pay: 3's 20 -> 2: 10 (lost: 2 sells nothing); 1's 60 -> 0: 30 (lost: 0 sells
    # nothing); 2's 0. The gate loses 70 of unilevel and 40 of matching.
    assert mp.pay["matching_bonus"] == [0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["customer_share"] == pytest.approx(70.0 + 40.0)


def test_gate_on_enrollment_bonus(engine: str) -> None:
    components = [{"type": "enrollment_bonus", "amounts": [50]}]
    mp = pay_with(engine, params(gated({"share": 0.5, "of": "own"}, components)), CHAIN,
                  customers={0: 1}, new=(1, 3))
    # 0 (share 200 / 300) keeps the 50 for 1; 2 (no customers) loses the 50 for 3.
    assert mp.pay["enrollment_bonus"] == [50.0, 0.0, 0.0, 0.0]
    assert mp.breakage["customer_share"] == pytest.approx(50.0)


@settings(max_examples=25, deadline=None)
@given(plan=sim_plans(customer_share=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_plans_with_a_retail_share_gate(plan: Plan, assumptions: Assumptions,
                                                         seed: int) -> None:
    assert plan.compensation.qualification.min_customer_share is not None
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=15, deadline=None)
@given(plan=sim_plans(customer_share=True, with_packages=True, binary_cycles=True,
                      using=("matching_bonus",)),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_a_gate_with_packages_cycles_and_matching(
        plan: Plan, assumptions: Assumptions, seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)
