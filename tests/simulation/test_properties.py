"""Hypothesis properties of the simulation, checked month by month on random plans."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from evaluator.simulation import ENGINES, simulate
from evaluator.simulation.network import NO_RANK, Params, run, settle
from tests.simulation.helpers import Recording
from tests.simulation.strategies import sim_plans, small_assumptions

# Pay on one's own customers, retail and preferred (schema v1.1), needs no qualification.
OWN_CUSTOMERS = ("retail_margin", "retail_commission", "preferred_customers")
# A return on one's own position is paid for holding it, to every active holder, qualified or
# not (the rules in evaluator/simulation/reference.py).
UNQUALIFIED_PAY = (*OWN_CUSTOMERS, "position_return")


def _recorded(plan: Plan, assumptions: Assumptions, seed: int, engine: str):
    rec = Recording(ENGINES[engine]())
    prm = Params.build(plan, assumptions)
    data = run(prm, np.random.default_rng(seed), rec)
    return prm, data, rec.months


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(), assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1),
       engine=st.sampled_from(sorted(ENGINES)))
def test_pay_rules_hold_every_month(plan: Plan, assumptions: Assumptions, seed: int,
                                    engine: str) -> None:
    prm, data, months = _recorded(plan, assumptions, seed, engine)
    for m, mp in months:
        for kind, arr in mp.pay.items():
            assert arr.shape == m.act.shape, kind  # pay is only ever for the active
            assert (arr >= 0).all(), kind  # and never negative
            if kind not in UNQUALIFIED_PAY:
                assert not arr[~m.qualified].any(), kind  # nor for anyone unqualified
        for cause, amount in mp.breakage.items():
            assert amount >= -1e-9, cause
        volume = float(m.vc.sum() + m.vo.sum() + m.vk.sum())
        settled = settle(prm, mp, volume)
        if prm.payout_cap_fraction is not None:
            assert settled.company <= prm.payout_cap_fraction * volume * (1 + 1e-12) + 1e-9
    # every unit of pay is tagged with exactly one source
    assert data.pay_sources.sum() == pytest.approx(data.pay.sum(), rel=1e-6, abs=1e-3)
    assert (data.pay >= 0).all()


@settings(max_examples=25, deadline=None)
@given(plan=sim_plans(), assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_tenure_and_final_rank_follow_the_months(plan: Plan, assumptions: Assumptions,
                                                 seed: int) -> None:
    """Months active (worked out once, from join and quit months) are the months each
    participant was among the month's active; the ranks reported are those of the last
    month for those still active, and none for those who quit."""
    prm, data, months = _recorded(plan, assumptions, seed, "vectorised")
    seen = np.zeros(data.n, dtype=np.int64)
    for m, _ in months:
        seen[m.act] += 1
    assert seen.tolist() == data.months_active.tolist()
    last, paid = months[-1]
    stayed = data.left[last.act] > prm.horizon
    expected = np.full(data.n, NO_RANK)
    expected[last.act[stayed]] = paid.rank[stayed]
    assert data.rank.tolist() == expected.tolist()


@settings(max_examples=25, deadline=None)
@given(plan=sim_plans(), assumptions=small_assumptions(), seed=st.integers(0, 2**16))
def test_pay_sources_sum_to_one(plan: Plan, assumptions: Assumptions, seed: int) -> None:
    sim = simulate(plan, assumptions, seed).to_dict()
    shares = sim["pay_sources"]
    if shares["customer_sales"] is None:
        assert sim["fraction_earning_nothing"] == 1.0  # no pay at all: no shares
    else:
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-6)
        assert all(v >= -1e-9 for v in shares.values())


@settings(max_examples=10, deadline=None, derandomize=True)
@given(plan=sim_plans(), churn=st.sampled_from([0.0, 0.02, 0.05]),
       more=st.sampled_from([0.1, 0.2, 0.4]), seed=st.integers(0, 2**16))
def test_raising_churn_never_raises_participants_ever(plan: Plan, churn: float, more: float,
                                                      seed: int) -> None:
    """Compared on the mean of several runs: each run draws its own random numbers, so one
    run with more churn may by chance recruit more; the mean over runs may not."""
    base = {"max_participants": 300, "market_size": 300_000, "initial_participants": 20_000,
            "recruit_rate": 0.25, "horizon_months": 24, "runs": 4}
    low = Assumptions.from_overrides({**base, "monthly_churn": churn})
    high = Assumptions.from_overrides({**base, "monthly_churn": churn + more})
    ever_low = simulate(plan, low, seed).to_dict()["participants_ever"]
    ever_high = simulate(plan, high, seed).to_dict()["participants_ever"]
    assert ever_high <= ever_low
