"""Worked examples of business volume apart from point volume (schema v1.1), both engines.

The plan: one product bought at wholesale 100 and sold at retail 200, point volume (PV) 100
and business volume (BV) 50; a required purchase of 100 a month (one product: PV 100, BV 50).
A customer order (no retail_margin) is PV 100, BV 50. Commissions are paid on BV;
qualification and ranks count PV.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.economics import average_order, compute_economics, customer_order
from evaluator.model import Plan
from evaluator.schema import plan_errors, plan_version
from tests.simulation.helpers import BASE, params, pay_with
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.simulation.test_differential import _assert_same_run

ENGINE_NAMES = ("vectorised", "reference")
CHAIN = [-1, 0, 1, 2]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def _doc(components: list[dict[str, Any]], business: float | None = 50,
         **compensation: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["products"][0]["volume"] = 100
    if business is not None:
        doc["products"][0]["business_volume"] = business
    doc["compensation"] = {"components": components, **compensation}
    return doc


def test_unilevel_pays_on_business_volume(engine: str) -> None:
    prm = params(Plan.from_dict(_doc([{"type": "unilevel", "rates": [0.1, 0.1]}])))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1})
    # BV: 0, 1, 2 -> 50 (own purchase); 3 -> 50 + 50 (a customer's order) = 100.
    # 3's 100 -> 2: 10, 1: 10; 2's 50 -> 1: 5, 0: 5; 1's 50 -> 0: 5.
    assert mp.pay["unilevel"] == [10.0, 15.0, 10.0, 0.0]


def test_qualification_counts_point_volume(engine: str) -> None:
    doc = _doc([{"type": "unilevel", "rates": [0.1]}],
               qualification={"min_personal_volume": 100, "own_purchases_count": True})
    mp = pay_with(engine, params(Plan.from_dict(doc)), CHAIN, customers={3: 1})
    # PV 100 each (200 for 3): all qualify, though each one's BV is only 50.
    # Level 1 on BV: 3's 100 -> 2: 10; 2's 50 -> 1: 5; 1's 50 -> 0: 5.
    assert mp.pay["unilevel"] == [5.0, 5.0, 10.0, 0.0]
    assert mp.breakage["unqualified"] == 0.0


def test_ranks_count_point_group_volume(engine: str) -> None:
    doc = _doc([{"type": "rank_bonus"}],
               ranks=[{"name": "Leader", "min_group_volume": 400, "monthly_bonus": 30}])
    mp = pay_with(engine, params(Plan.from_dict(doc)), CHAIN)
    # Group PV: 0 -> 400 (four own purchases of PV 100): Leader; 1 -> 300. In BV it is 200.
    assert mp.rank == [0, -1, -1, -1]
    assert mp.pay["rank_bonus"] == [30.0, 0.0, 0.0, 0.0]


def test_binary_legs_hold_business_volume(engine: str) -> None:
    doc = _doc([{"type": "binary", "rate": 0.1}])
    mp = pay_with(engine, params(Plan.from_dict(doc)), [-1, 0, 0])
    # 0's legs: 1 (BV 50) and 2 (BV 50): 0.1 x 50.
    assert mp.pay["binary"] == [5.0, 0.0, 0.0]


def test_without_business_volume_pay_is_on_the_point_volume(engine: str) -> None:
    prm = params(Plan.from_dict(_doc([{"type": "unilevel", "rates": [0.1, 0.1]}], None)))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1})
    assert mp.pay["unilevel"] == [20.0, 30.0, 20.0, 0.0]  # twice the BV example


def test_economics_orders_carry_both_volumes() -> None:
    plan = Plan.from_dict(_doc([{"type": "unilevel", "rates": [0.1]}]))
    unit = average_order(plan, "wholesale")
    assert (unit.money, unit.volume, unit.business_volume) == (100, 100, 50)
    assert customer_order(plan).business_volume == 50
    # Pay per active recruit: 0.1 x the BV of the required purchase (100 at 0.5 BV a dollar).
    econ = compute_economics(plan, Assumptions.defaults())
    assert econ.pay_per_active_recruit_per_month == pytest.approx(5.0)


def test_business_volume_is_schema_one_point_one() -> None:
    doc = _doc([{"type": "unilevel", "rates": [0.1]}])
    assert plan_version(doc) == "1.1"
    errors = plan_errors({**doc, "schema_version": "1"})
    assert [e.path for e in errors] == ["products[0].business_volume"]
    bad = _doc([{"type": "unilevel", "rates": [0.1]}], -5)
    assert [e.path for e in plan_errors(bad)] == ["products[0].business_volume"]
    plain = Plan.from_dict(_doc([{"type": "unilevel", "rates": [0.1]}], None))
    assert plain.schema_version == "1"
    assert "business_volume" not in plain.to_dict()["products"][0]


@settings(max_examples=25, deadline=None)
@given(plan=sim_plans(business_volume=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_plans_with_business_volume(plan: Plan, assumptions: Assumptions,
                                                     seed: int) -> None:
    assert plan.business_volume_differs
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=10, deadline=None)
@given(plan=sim_plans(business_volume=True, customer_share=True, with_packages=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_with_business_volume_and_a_gate(plan: Plan, assumptions: Assumptions,
                                                       seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)


def test_the_doors_carry_business_volume() -> None:
    from evaluator.evaluation import evaluate_document
    from evaluator.report.html import render_page
    from evaluator.web import formdata as fd
    from tests.batch.test_rows import BASE as ROW
    from tests.batch.test_rows import csv_text, documents

    doc = _doc([{"type": "unilevel", "rates": [0.1]}])
    state = fd.state_from_document(doc)
    assert state.get("products[0].business_volume") == "50"
    assert fd.to_document(state)["products"][0]["business_volume"] == 50
    (row,) = documents(csv_text([ROW | {"business_volume": "12.5"}]))
    assert row["products"][0]["business_volume"] == 12.5
    page = render_page(evaluate_document(
        doc, overrides={"max_participants": "200", "runs": "1", "horizon_months": "6"}, seed=1))
    assert "commissions paid on a business volume of 50" in page
