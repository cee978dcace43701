"""The public entry point: keys, JSON-native values, determinism, Monte-Carlo intervals."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from evaluator import simulation
from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.errors import InputError
from evaluator.model import Plan
from evaluator.simulation import payouts, sharing, simulate, simulate_many
from evaluator.simulation.network import Params, project, run
from evaluator.simulation.summary import gini, top_share
from tests.simulation.helpers import plan

CONTRACT_KEYS = {
    "engine", "runs", "scale", "participants_ever", "fraction_losing_money",
    "median_net_income", "mean_net_income", "net_income_percentiles", "late_joiners",
    "by_join_quarter", "top_1pct_pay_share", "top_10pct_pay_share", "gini",
    "fraction_recruited_nobody", "fraction_earning_nothing", "median_annual_gross_pay",
    "fraction_paid_nothing_by_company", "median_annual_pay_from_company",
    "pay_sources", "pay_by_component", "payout_ratio", "breakage", "timeline",
    "net_income_histogram", "intervals",
}

GROWING = {"max_participants": 500, "market_size": 5000, "initial_participants": 200,
           "recruit_rate": 0.35, "horizon_months": 24, "runs": 3, **BEHAVIOUR_NEUTRAL}
MIXED = {**GROWING, "member_share": 0.73, "seller_share": 0.5, "builder_own_products": 0.5,
         "recruit_rate": 1.0}  # the behaviour model's kinds, growing as fast


@pytest.fixture(scope="module")
def every_component() -> Plan:
    """A plan with all nine component types."""
    return plan(
        [
            {"type": "retail_margin"},
            {"type": "retail_commission", "rate": 0.1},
            {"type": "enrollment_bonus", "amounts": [50, 10]},
            {"type": "fast_start", "rates": [0.25], "months": 2},
            {"type": "unilevel", "rates": [0.05, 0.05, 0.03], "compression": True},
            {"type": "binary", "rate": 0.1, "monthly_cap": 500, "carryover": True},
            {"type": "matrix", "width": 3, "rates": [0.05, 0.05]},
            {"type": "breakaway", "generation_rates": [0.04, 0.02]},
            {"type": "rank_bonus"},
        ],
        costs={"starter_kit": 150, "starter_kit_commissionable": True,
               "estimated_monthly_expenses": 40},
        ranks=[{"name": "Leader", "min_group_volume": 1000, "min_active_legs": 2,
                "differential_rate": 0.05, "monthly_bonus": 50, "unlocks_levels": 3}],
        payout_cap_fraction=0.6,
    )


@pytest.fixture(scope="module")
def result(every_component: Plan) -> dict[str, Any]:
    """One simulation of the every-component plan."""
    return simulate(every_component, Assumptions.from_overrides(GROWING), 42).to_dict()


def _json_native(value: Any, where: str = "simulation") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), where
            _json_native(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _json_native(v, f"{where}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (where, type(value))
        if isinstance(value, float):
            assert math.isfinite(value), where


def test_every_contract_key_is_present(result: dict[str, Any]) -> None:
    assert result.keys() >= CONTRACT_KEYS
    assert set(result["pay_sources"]) == {"customer_sales", "own_purchases", "enrollment"}
    assert set(result["net_income_percentiles"]) == {
        "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99"}
    assert {"definition", "participants", "fraction_losing_money", "median_net_income",
            "net_income_percentiles"} <= result["late_joiners"].keys()
    assert {"total", "by_cause"} <= result["breakage"].keys()
    assert set(result["timeline"]) == {"month", "participants_ever", "active", "saturation"}
    assert set(result["net_income_histogram"]) == {"edges", "all", "late"}
    assert set(result["pay_by_component"]) == {
        "retail_margin", "retail_commission", "enrollment_bonus", "fast_start", "unilevel",
        "binary", "matrix", "breakaway", "rank_bonus"}


def test_values_are_json_native(result: dict[str, Any]) -> None:
    _json_native(result)
    json.dumps(result, allow_nan=False)


def test_figures_are_consistent(result: dict[str, Any]) -> None:
    assert result["engine"] == "vectorised"
    assert result["runs"] == 3
    projected = project(5000, 200, 0.35, float(Assumptions.defaults()["monthly_churn"]), 24)[-1]
    assert result["projected_participants_ever"] == round(projected)
    assert result["scale"] == pytest.approx(projected / 500)
    assert 0 <= result["fraction_losing_money"] <= 1
    assert result["participants_ever"] >= result["late_joiners"]["participants"]
    assert sum(q["participants"] for q in result["by_join_quarter"]) == pytest.approx(
        result["participants_ever"], rel=0.02)
    assert [q["quarter"] for q in result["by_join_quarter"]] == list(range(1, 9))  # 24 months
    assert all(isinstance(q["participants"], int) for q in result["by_join_quarter"])
    assert sum(result["pay_sources"].values()) == pytest.approx(1.0)
    assert result["top_1pct_pay_share"] <= result["top_10pct_pay_share"] <= 1
    timeline = result["timeline"]
    assert timeline["month"] == list(range(25))
    assert timeline["participants_ever"] == sorted(timeline["participants_ever"])
    assert all(a <= e for a, e in zip(timeline["active"], timeline["participants_ever"],
                                       strict=True))
    assert all(0 < s <= 1 for s in timeline["saturation"])
    hist = result["net_income_histogram"]
    assert len(hist["edges"]) == len(hist["all"]) + 1 == len(hist["late"]) + 1
    assert result["breakage"]["total"] == pytest.approx(
        sum(result["breakage"]["by_cause"].values()))


def test_intervals_bracket_the_mean(result: dict[str, Any]) -> None:
    intervals = result["intervals"]
    assert "fraction_losing_money" in intervals
    assert "late_joiners.fraction_losing_money" in intervals
    for figure, iv in intervals.items():
        if iv["mean"] is not None:
            assert iv["low"] <= iv["mean"] <= iv["high"], figure
    assert intervals["fraction_losing_money"]["mean"] == pytest.approx(
        result["fraction_losing_money"])


def test_same_seed_same_json_other_seed_different(every_component: Plan) -> None:
    a = Assumptions.from_overrides(GROWING)
    first = json.dumps(simulate(every_component, a, 7).to_dict(), sort_keys=True)
    again = json.dumps(simulate(every_component, a, 7).to_dict(), sort_keys=True)
    other = json.dumps(simulate(every_component, a, 8).to_dict(), sort_keys=True)
    assert first == again
    assert first != other


def test_a_set_with_fewer_runs_of_the_same_network_reuses_its_runs(
        every_component: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Assumptions.from_overrides(GROWING)
    fewer = a.with_overrides({"runs": 1})
    other = a.with_overrides({"runs": 1, "monthly_churn": 0.1})
    ran: list[Any] = []
    real = simulation._summarised_run
    monkeypatch.setattr(simulation, "_summarised_run", lambda job: ran.append(job) or real(job))
    many = simulate_many(every_component, [a, fewer, other], 7)
    assert len(ran) == 3 + 1  # a's three runs (the first also fewer's), other's one
    alone = [simulate(every_component, x, 7).to_dict() for x in (a, fewer, other)]
    assert [m.to_dict() for m in many] == alone


def test_unknown_engine_is_refused(every_component: Plan) -> None:
    with pytest.raises(InputError, match="engine"):
        simulate(every_component, Assumptions.defaults(), 1, engine="fast")


def test_a_network_that_never_pays() -> None:
    p = plan([{"type": "retail_margin"}])
    sim = simulate(p, Assumptions.from_overrides({**GROWING,
                                                 "customers_per_participant": 0}), 1).to_dict()
    assert sim["fraction_earning_nothing"] == 1.0
    assert sim["pay_sources"] == {"customer_sales": None, "own_purchases": None,
                                  "enrollment": None}
    assert sim["top_1pct_pay_share"] is None
    assert sim["gini"] is None
    assert sim["fraction_losing_money"] == 1.0


def test_scale_counts_people() -> None:
    p = plan([{"type": "retail_margin"}])
    a = Assumptions.from_overrides({"max_participants": 100, "market_size": 10_000,
                                    "initial_participants": 1000, "runs": 1,
                                    "horizon_months": 6, "recruit_rate": 0})
    sim = simulate(p, a, 1).to_dict()
    # Nobody recruits: the projection is the 1000 founders, 10 people per participant.
    assert sim["projected_participants_ever"] == 1000
    assert sim["scale"] == 10.0
    assert sim["simulated_participants"] == 100  # 1000 people / 10 per participant
    assert sim["participants_ever"] == 1000
    assert sim["timeline"]["saturation"][0] == pytest.approx(0.1)  # 100 of a 1000 market


def test_projection_grows_and_saturates() -> None:
    # 100 people, 50% recruit a month, no churn: month 1 adds 100 x 0.5 x (1 - 100/1000).
    ever = project(1000, 100, 0.5, 0.0, 40)
    assert ever[1] == pytest.approx(145.0)
    assert ever == sorted(ever)
    assert 999 < ever[-1] <= 1000
    assert project(1000, 100, 0.5, 0.2, 40)[-1] < ever[-1]  # churn slows it


def test_scaled_network_starts_from_at_least_twenty_founders() -> None:
    p = plan([{"type": "retail_margin"}])
    a = Assumptions.from_overrides({"max_participants": 100, "market_size": 1_000_000,
                                    "initial_participants": 50, "recruit_rate": 0.5,
                                    **BEHAVIOUR_NEUTRAL})
    prm = Params.build(p, a)
    assert prm.scale > 1000
    assert prm.initial == 20
    assert prm.market == round(1_000_000 / prm.scale)
    assert prm.capacity == 100
    small = Params.build(p, Assumptions.from_overrides({"initial_participants": 5,
                                                        "recruit_rate": 0}))
    assert small.scale == 1.0
    assert small.initial == 5  # never more founders than the network has


def test_default_network_grows_saturates_and_is_thousands_strong() -> None:
    prm = Params.build(plan([{"type": "retail_margin"}]), Assumptions.defaults())
    ever = project(1_000_000, 1000, prm.recruit_rate, prm.churn, prm.horizon)
    assert ever[-1] / 1_000_000 > 0.9  # the market is nearly full by the horizon
    assert ever[prm.horizon // 2] / 1_000_000 > 0.5  # late joiners meet a saturated market
    assert prm.capacity >= 10_000
    assert prm.initial >= 20


def test_gini_and_top_share() -> None:
    assert gini(np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 4.0])) == pytest.approx(0.75)
    pay = np.array([0.0] * 98 + [10.0, 90.0])
    assert top_share(pay, 0.01) == pytest.approx(0.9)
    assert top_share(pay, 0.10) == pytest.approx(1.0)
    assert top_share(np.zeros(5), 0.1) is None


@pytest.mark.parametrize("behaviour", [GROWING, MIXED], ids=["builders", "kinds"])
def test_threads_do_not_change_a_run(every_component: Plan, behaviour: dict[str, Any],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A month's parts run side by side (even on this small network) or one after the
    other: every per-participant array and every total is identical."""
    monkeypatch.setattr(sharing, "PARALLEL_MIN", 0)
    prm = Params.build(every_component, Assumptions.from_overrides(behaviour))
    alone, shared = (run(prm, np.random.default_rng(5), payouts.VectorisedEngine(threads))
                     for threads in (1, 3))
    assert alone.n == shared.n > 200
    for name in ("join", "left", "months_active", "pay", "cost", "recruits", "rank",
                 "pay_sources", "kind", "use_credit"):
        assert np.array_equal(getattr(alone, name), getattr(shared, name)), name
    for name in ("pay_by_component", "breakage", "company_pay", "company_sales",
                 "timeline_active", "purchases"):
        assert getattr(alone, name) == getattr(shared, name), name


@pytest.mark.parametrize(("value", "threads"), [("1", 1), (" 3 ", 3), ("", None)])
def test_threads_from_the_environment(value: str, threads: int | None,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sharing.THREADS_ENV, value)
    got = sharing.default_threads()
    assert got == threads if threads is not None else 1 <= got <= sharing.MOST_THREADS


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_thread_count_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sharing.THREADS_ENV, value)
    with pytest.raises(InputError, match=r"OPPEVAL_SIMULATION_THREADS.*at least 1"):
        sharing.default_threads()


def test_pay_from_the_company_leaves_out_retail_margin(every_component: Plan) -> None:
    """Income disclosures count what the company paid: the simulation keeps that part of
    each participant's pay apart, and its figures follow from it."""
    prm = Params.build(every_component, Assumptions.from_overrides(GROWING))
    data = run(prm, np.random.default_rng(5), payouts.VectorisedEngine(1))
    margin = data.pay - data.pay_from_company
    assert (margin >= -1e-6).all()
    assert margin.sum() == pytest.approx(data.pay_by_component["retail_margin"], rel=1e-6)
    assert (data.pay_from_company > 0).any()
    sim = simulate(every_component, Assumptions.from_overrides(GROWING), 5).to_dict()
    assert sim["fraction_paid_nothing_by_company"] >= sim["fraction_earning_nothing"]
    assert sim["median_annual_pay_from_company"] <= sim["median_annual_gross_pay"]


def test_retail_margin_alone_is_no_pay_from_the_company() -> None:
    only_margin = plan([{"type": "retail_margin"}])
    sim = simulate(only_margin, Assumptions.from_overrides(GROWING), 3).to_dict()
    assert sim["fraction_paid_nothing_by_company"] == 1.0
    assert sim["median_annual_pay_from_company"] == 0.0
    assert sim["fraction_earning_nothing"] < 1.0
