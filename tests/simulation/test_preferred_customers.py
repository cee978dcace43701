"""Worked examples of schema v1.1's preferred customers (issue 19 rule 10), both engines.

The worked-example plan of tests/simulation/helpers.py: one product at wholesale 100 and retail
200, commissionable fraction 1, own-purchase volume 100 per active participant, a retail
customer's order volume 200. The program below sells to preferred customers at 25% off retail
(150 an order) and pays the enrolling participant 20% of it: 30 an order.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.economics import compute_economics
from evaluator.errors import PlanValidationError as PlanError
from evaluator.model import Plan
from evaluator.schema import plan_version
from evaluator.simulation import run_once
from evaluator.simulation.network import PREFERRED, customer_counts
from tests.simulation.helpers import BASE, params, pay_with, plan
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")
PROGRAM = {"discount": 0.25, "commission_rate": 0.2}


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_commission_on_preferred_orders_is_customer_pay(engine: str) -> None:
    prm = params(plan([{"type": "retail_commission", "rate": 0.1},
                       {"type": "unilevel", "rates": [0.1]}],
                      preferred_customers={**PROGRAM, "counts_as_personal_volume": False}))
    mp = pay_with(engine, prm, [-1, 0], customers={1: 1}, preferred={0: 1, 1: 2})
    # Preferred orders: 0 has 1 x 30 = 30, 1 has 2 x 30 = 60; all of it from customer sales.
    assert mp.pay[PREFERRED] == [30.0, 60.0]
    assert mp.sources[PREFERRED].tolist() == [90.0, 0.0, 0.0]
    # The retail customer: 0.1 x 200 = 20 to 1. The unilevel pays 0 on 1's volume, own 100 +
    # customer 200 = 300: 30; preferred orders that do not count are in nobody's volume.
    assert mp.pay["retail_commission"] == [0.0, 20.0]
    assert mp.pay["unilevel"] == [30.0, 0.0]


def test_counted_preferred_orders_are_personal_and_group_volume(engine: str) -> None:
    # Not stated: counted. Rank Lead needs personal volume 250 and group volume 700.
    prm = params(plan([{"type": "unilevel", "rates": [0.1]},
                       {"type": "rank_bonus"}], preferred_customers=PROGRAM,
                      ranks=[{"name": "Lead", "min_personal_volume": 250,
                              "min_group_volume": 700, "monthly_bonus": 50}]))
    mp = pay_with(engine, prm, [-1, 0], preferred={0: 1, 1: 2})
    # Volumes: 0 -> own 100 + 150 = 250; 1 -> own 100 + 2 x 150 = 400. The unilevel pays 0
    # 0.1 x 400 = 40. 0's group volume 250 + 400 = 650 < 700: no rank; 1 more preferred
    # customer of 1's would make it 800.
    assert mp.pay["unilevel"] == [40.0, 0.0]
    assert mp.rank == [-1, -1]
    mp = pay_with(engine, prm, [-1, 0], preferred={0: 1, 1: 3})
    assert mp.pay["unilevel"] == [55.0, 0.0]  # 0.1 x (100 + 3 x 150)
    assert mp.rank == [0, -1]  # 1: personal 550 but group 550 < 700
    assert mp.pay["rank_bonus"] == [50.0, 0.0]


def test_preferred_commission_needs_no_qualification_and_passes_the_gate(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1]}], preferred_customers=PROGRAM,
                      qualification={"min_personal_volume": 500,
                                     "min_customer_share": {"share": 1.0, "of": "own"}}))
    mp = pay_with(engine, prm, [-1, 0], preferred={0: 3})
    # 0 is unqualified (volume 100 < 500) and below the gate: the unilevel's 10 is lost, the
    # 3 x 30 = 90 on 0's own preferred customers is paid.
    assert mp.pay["unilevel"] == [0.0, 0.0]
    assert mp.pay[PREFERRED] == [90.0, 0.0]


GATED = {"min_customer_share": {"share": 0.8, "of": "own", "mode": "pro_rata"}}


@pytest.mark.parametrize(("counted", "reached", "kept", "full", "recruits"), [
    # Counted: customer volume 200 + 150 = 350 of 350 + own 100 = 450: 7/9, short of 0.8;
    # kept (7/9) / 0.8 = 35/36. Sponsor 0 gets 0.1 x 1's 450 = 45, of which 35/36: 43.75.
    # Break-even: monthly cost 100 / (pay per active recruit 0.1 x 100 = 10 x 35/36) =
    # 10.29, 11 recruits (counting both customers as retail orders, 400 / 500 = 0.8, would
    # keep it all: 10).
    (True, 7 / 9, 35 / 36, 45.0, 11),
    # Not counted: the preferred order is in no volume: 200 of 200 + 100 = 300: 2/3; kept
    # (2/3) / 0.8 = 5/6. 0 gets 0.1 x 1's 300 = 30, of which 5/6: 25. 100 / (10 x 5/6) = 12.
    (False, 2 / 3, 5 / 6, 30.0, 12),
])
def test_economics_gate_counts_preferred_orders_as_the_engines_do(
        engine: str, counted: bool, reached: float, kept: float, full: float,
        recruits: int) -> None:
    program = {**PROGRAM, **({} if counted else {"counts_as_personal_volume": False})}
    p = plan([{"type": "retail_commission", "rate": 0.1}, {"type": "unilevel", "rates": [0.1]}],
             preferred_customers=program, qualification=GATED)
    # Two customers a month, half of them preferred: one retail order (volume 200) and one
    # preferred order (150 at 25% off retail).
    # The engines' participants below are built with the behaviour model neutral (no own-use
    # products, which would be own-purchase volume): the economics under the same assumptions.
    economics = compute_economics(p, Assumptions.from_overrides(
        {**BEHAVIOUR_NEUTRAL, "customers_per_participant": 2, "price_elasticity": 0,
         "preferred_customer_share": 0.5}))
    gate = economics.customer_share_gate
    assert gate is not None
    assert gate["customers"] == 2.0
    assert gate["share_reached"] == pytest.approx(reached)
    assert gate["kept"] == pytest.approx(kept)
    assert economics.break_even_active_recruits == recruits
    # The same participants simulated: each has one retail and one preferred customer.
    mp = pay_with(engine, params(p), [-1, 0], customers={0: 1, 1: 1}, preferred={0: 1, 1: 1})
    # 0 keeps of the unilevel on 1's volume the part the economics keep (43.75, 25).
    assert mp.pay["unilevel"] == [pytest.approx(full * kept), 0.0]
    assert mp.pay["unilevel"][0] == pytest.approx(full * gate["kept"])


def test_matching_bonus_does_not_match_the_preferred_commission(engine: str) -> None:
    prm = params(plan([{"type": "matching_bonus", "rates": [0.5]}],
                      preferred_customers=PROGRAM))
    mp = pay_with(engine, prm, [-1, 0], preferred={1: 2})
    assert mp.pay[PREFERRED] == [0.0, 60.0]
    assert mp.pay["matching_bonus"] == [0.0, 0.0]


def test_params_split_the_customers_and_price_the_order() -> None:
    prm = params(plan([{"type": "retail_margin"}], preferred_customers=PROGRAM),
                 customers_per_participant=4, preferred_customer_share=0.25,
                 preferred_customer_tenure=4)
    program = prm.preferred
    assert program is not None
    assert prm.customers_mean == pytest.approx(3.0)  # 4 x (1 - 0.25)
    assert program.mean == pytest.approx(1.0)  # 4 x 0.25
    assert program.retention == pytest.approx(0.75)  # 1 - 1 / 4
    assert (program.money, program.volume, program.commission) == pytest.approx(
        (150.0, 150.0, 30.0))  # 200 x 0.75; that price x fraction 1; 0.2 x 150
    assert program.counted  # not stated: counted
    without = params(plan([{"type": "retail_margin"}]), customers_per_participant=4)
    assert without.preferred is None
    assert without.customers_mean == pytest.approx(4.0)


def test_the_preferred_book_returns_at_its_own_tenure() -> None:
    prm = params(plan([{"type": "retail_margin"}], preferred_customers=PROGRAM),
                 customers_per_participant=4, preferred_customer_share=0.5,
                 preferred_customer_tenure=4, customer_skew=0.0)
    program = prm.preferred
    assert program is not None
    z = np.zeros(2)
    u = np.array([0.0, 0.99])
    last = np.array([4, 0])
    kept = np.array([0.0, 0.0])
    got = customer_counts(prm, 0, z, u, None, (last, kept),
                          book=(program.mean, program.retention, 0))
    # New: mean 2 x (1 - 0.75) = 0.5, so floor(0.5 + 0) = 0 and floor(0.5 + 0.99) = 1;
    # returning: floor(4 x 0.75) = 3 and 0.
    assert got.tolist() == [3, 1]


def test_run_sells_and_pays_on_preferred_orders() -> None:
    p = plan([{"type": "retail_commission", "rate": 0.1}], preferred_customers=PROGRAM)
    a = Assumptions.from_overrides({"max_participants": 120, "market_size": 1000,
                                    "initial_participants": 40, "horizon_months": 6,
                                    "preferred_customer_share": 1.0,
                                    # those who quit stay retail customers: none here
                                    "former_customer_share": 0.0,
                                    "price_elasticity": 0.0})
    for name in ENGINE_NAMES:
        run = run_once(p, a, 7, name)
        served = int(run.customers_served.sum())
        assert served > 0
        # Every customer is preferred: each customer-month is one order at 150, paying 30.
        assert run.customer_sales == pytest.approx(served * 150.0)
        assert run.pay_by_component[PREFERRED] == pytest.approx(served * 30.0)
        assert run.pay_by_component["retail_commission"] == 0.0


def _doc(**program: object) -> dict:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["preferred_customers"] = program
    return doc


def test_a_plan_with_preferred_customers_is_v1_1() -> None:
    doc = _doc(**PROGRAM)
    assert plan_version(doc) == "1.1"
    assert Plan.from_dict(doc).uses("compensation.preferred_customers")
    assert not Plan.from_dict(copy.deepcopy(BASE)).uses("compensation.preferred_customers")
    doc["schema_version"] = "1"
    with pytest.raises(PlanError) as err:
        Plan.from_dict(doc)
    assert "compensation.preferred_customers" in str(err.value)


@pytest.mark.parametrize(("program", "field"), [
    ({"discount": 1.5, "commission_rate": 0.1}, "compensation.preferred_customers.discount"),
    ({"discount": 0.1}, "compensation.preferred_customers"),
    ({"discount": 0.1, "commission_rate": -1},
     "compensation.preferred_customers.commission_rate"),
])
def test_bad_programs_are_errors_at_the_field(program: dict, field: str) -> None:
    with pytest.raises(PlanError) as err:
        Plan.from_dict(_doc(**program))
    assert field in str(err.value)


@settings(max_examples=25, deadline=None)
@given(plan=sim_plans(preferred_customers=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_plans_with_preferred_customers(plan: Plan, assumptions: Assumptions,
                                                         seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)
