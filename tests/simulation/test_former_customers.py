"""Former participants as customers again (issue 18, the Neora case).

A participant who quits may stay a customer of the person who recruited them for a while
(``former_customer_share``, the tool's choice): worked examples with the picks written out by
hand, on both engines; the month loop's hand-off into the books; whole runs where the rule adds
customers, and a differential property that the engines agree with it on random plans.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from evaluator.simulation import ENGINES, run_once
from evaluator.simulation.network import STAYS, _stay_customers
from tests.simulation.helpers import BASE, network, params, plan
from tests.simulation.strategies import sim_plans, small_assumptions

ENGINE_NAMES = ("vectorised", "reference")
# Sponsors: 0 and 1 are founders; 2 and 3 under 0; 4 and 5 under 1; 6 under 4.
SPONSORS = [-1, -1, 0, 0, 1, 1, 4]
GONE = np.array([0, 2, 3, 5, 6])  # quit this month; 1 and 4 are still active
ACTIVE = np.array([False, True, False, False, True, False, False])


def test_the_sequence_by_hand() -> None:
    # frac(i x (sqrt 2 - 1)) for i = 0, 2, 3, 5, 6: 0, 0.828, 0.243, 0.071, 0.485.
    picks = [math.modf(i * STAYS)[0] for i in GONE.tolist()]
    assert picks == pytest.approx([0.0, 0.8284, 0.2426, 0.0711, 0.4853], abs=1e-4)


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
@pytest.mark.parametrize(("share", "expected"), [
    (0.0, []),
    # 0 stays (0 < 0.25) but is a founder: recruited by nobody; 3 stays but their sponsor 0
    # quit too; 5 stays and their sponsor 1 is active.
    (0.25, [1]),
    # and 6 (0.485) stays, under 4, who is active; 2 (0.828) does not stay.
    (0.5, [1, 4]),
    # everyone stays: 2 and 3 under 0 (gone), 5 under 1, 6 under 4.
    (1.0, [1, 4]),
])
def test_who_stays_and_of_whom(engine_name: str, share: float, expected: list[int]) -> None:
    engine = ENGINES[engine_name]()
    prm = params(plan([{"type": "retail_margin"}]), former_customer_share=share)
    net = network(prm, engine, SPONSORS)
    got = engine.stay_customers(prm, net, GONE, ACTIVE)
    assert got.tolist() == expected


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_they_join_the_sponsors_book(engine_name: str) -> None:
    # 1 recruited 4 and 5; both quit and both stay (share 1): 1's book grows by two.
    engine = ENGINES[engine_name]()
    prm = params(plan([{"type": "retail_margin"}]), former_customer_share=1.0)
    net = network(prm, engine, [-1, -1, 0, 0, 1, 1])
    book = np.array([0, 3, 0, 0, 0, 0])
    active = np.array([True, True, True, True, False, False])
    stayed = _stay_customers(prm, engine, net, np.array([4, 5]), active, book)
    assert stayed == 2
    assert book.tolist() == [0, 5, 0, 0, 0, 0]


def _run(p: Plan, engine: str, **overrides: Any) -> Any:
    a = Assumptions.from_overrides({
        "market_size": 4000, "max_participants": 600, "initial_participants": 60,
        "recruit_rate": 0.3, "monthly_churn": 0.1, "horizon_months": 24, "runs": 1,
        **overrides})
    return run_once(p, a, 11, engine)


def test_former_participants_add_customers_and_the_engines_agree() -> None:
    p = Plan.from_dict(copy.deepcopy(BASE))
    # No extra churn for those losing money, so pay cannot change who stays or joins.
    none = _run(p, "vectorised", former_customer_share=0.0, loss_churn_boost=0)
    some = [_run(p, e, former_customer_share=1.0, loss_churn_boost=0) for e in ENGINE_NAMES]
    assert some[0].customers_served.sum() > none.customers_served.sum()
    for key in ("customers_served", "pay", "cost", "left", "customers_last"):
        assert np.array_equal(getattr(some[0], key), getattr(some[1], key)), key
    # The same draws: recruiting, joining and quitting do not change, only who buys from whom.
    assert np.array_equal(none.join, some[0].join)
    assert np.array_equal(none.left, some[0].left)


def test_with_no_returning_customers_nobody_stays() -> None:
    # customer_tenure 1: every month's customers are strangers, so a book is never read.
    p = Plan.from_dict(copy.deepcopy(BASE))
    a = _run(p, "vectorised", former_customer_share=0.0, customer_tenure=1)
    b = _run(p, "vectorised", former_customer_share=1.0, customer_tenure=1)
    assert np.array_equal(a.customers_served, b.customers_served)


@settings(max_examples=8, deadline=None)
@given(p=sim_plans(), a=small_assumptions(), share=st.sampled_from([0.25, 1.0]))
def test_engines_agree_with_former_customers(p: Plan, a: Assumptions, share: float) -> None:
    a = a.with_overrides({"former_customer_share": share, "customer_tenure": 3.0})
    runs = [run_once(p, a, 3, e) for e in ENGINE_NAMES]
    assert np.array_equal(runs[0].customers_served, runs[1].customers_served)
    assert np.array_equal(runs[0].customers_last, runs[1].customers_last)
