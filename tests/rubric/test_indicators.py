"""Indicator values from hand-built plans: provenance, worked arithmetic, unknown kept unknown."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.indicators import INDICATORS, Indicator, compute_indicators
from evaluator.model import Plan

SIMULATION: dict[str, Any] = {
    "fraction_losing_money": 0.8,
    "median_net_income": -250.0,
    "late_joiners": {"definition": "joined after month 30", "fraction_losing_money": 0.9,
                     "median_net_income": -300.0},
    "top_1pct_pay_share": 0.4,
    "top_10pct_pay_share": 0.7,
    "fraction_recruited_nobody": 0.7,
    "fraction_earning_nothing": 0.6,  # retail margin counted: not what disclosures count
    "median_annual_gross_pay": 120.0,
    "fraction_paid_nothing_by_company": 0.75,
    "median_annual_pay_from_company": 0.0,
    "pay_sources": {"customer_sales": 0.3, "own_purchases": 0.5, "enrollment": 0.2},
}


def _plan(**changes: Any) -> Plan:
    doc: dict[str, Any] = {
        "company": {"name": "Hand-built"},
        "costs": {"currency": "USD"},
        "products": [{"name": "Tin", "wholesale_price": 40, "retail_price": 50}],
        "compensation": {"components": [{"type": "retail_margin"}]},
    }
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return Plan.from_dict(doc)


def _indicators(plan: Plan, simulation: dict[str, Any] | None = None,
                **assumptions: Any) -> dict[str, Indicator]:
    a = Assumptions.from_overrides(assumptions)
    found = compute_indicators(plan, compute_economics(plan, a),
                               SIMULATION if simulation is None else simulation, a)
    return {i.id: i for i in found}


def test_every_registered_indicator_is_emitted_with_provenance() -> None:
    found = _indicators(_plan())
    assert list(found) == list(INDICATORS)
    for ind in found.values():
        assert ind.source in {"input", "assumption", "simulation", "economics", "disclosure"}
        assert ind.detail.endswith("."), ind.id
        assert ind.label, ind.id
        assert set(ind.to_dict()) == {"id", "label", "value", "unit", "source", "detail"}


def test_unknown_stays_unknown_never_zero() -> None:
    found = _indicators(_plan(), simulation={})
    for ind_id in ("buyback_refund_fraction", "price_premium_fraction", "own_purchases_count",
                   "reported_retail_fraction", "income_disclosure_net_of_costs",
                   "disclosed_fraction_earning_nothing", "disclosure_rosier_than_simulation",
                   "customer_sales_pay_fraction", "recruiting_reward_fraction",
                   "fraction_losing_money", "top_1pct_pay_share"):
        assert found[ind_id].value is None, ind_id
    assert found["income_disclosure_published"].value is False
    assert "does not say" in found["buyback_refund_fraction"].detail


def test_buyback_declined_is_zero_and_offered_is_its_refund() -> None:
    assert _indicators(_plan(buyback__offered=False))["buyback_refund_fraction"].value == 0.0
    offered = _indicators(_plan(buyback={"offered": True, "refund_fraction": 0.9,
                                         "window_days": 365}))["buyback_refund_fraction"]
    assert offered.value == 0.9
    assert offered.detail == (
        "Unsold product can be returned within 365 days for 90% of what you paid."
    )


def test_pays_for_recruiting_alone() -> None:
    assert _indicators(_plan())["pays_for_recruiting_alone"].value is False
    bonus = _plan(compensation__components=[{"type": "retail_margin"},
                                            {"type": "enrollment_bonus", "amounts": [50, 10]}])
    found = _indicators(bonus)["pays_for_recruiting_alone"]
    assert found.value is True
    assert "$60 per sign-up" in found.detail
    kit = _indicators(_plan(costs={"currency": "USD", "starter_kit": 600,
                                   "starter_kit_commissionable": True}))
    assert kit["pays_for_recruiting_alone"].value is True
    assert kit["starter_kit_commissionable"].value is True


def test_pay_to_play_counts_the_volume_customers_leave_uncovered() -> None:
    plan = _plan(compensation__qualification={"min_personal_volume": 200,
                                              "own_purchases_count": True})
    # 2 customers buy one 40-wholesale product each through a retail-margin participant:
    # 80 of volume; the 120 left over costs 120 at wholesale (commissionable fraction 1).
    found = _indicators(plan, customers_per_participant=2)
    assert found["pay_to_play_purchase"].value == pytest.approx(120.0)
    # customer share of sales: 80 / (80 + 120) = 0.4
    assert found["customer_share_of_sales"].value == pytest.approx(0.4)
    # five customers cover the volume: nothing left to buy, every sale to outsiders
    covered = _indicators(plan, customers_per_participant=5)
    assert covered["pay_to_play_purchase"].value == 0.0
    assert covered["customer_share_of_sales"].value == 1.0


def test_required_purchase_is_pay_to_play_even_when_customers_cover_volume() -> None:
    plan = _plan(costs={"currency": "USD", "required_monthly_purchase": 150,
                        "autoship_required": True})
    found = _indicators(plan, customers_per_participant=2)
    assert found["pay_to_play_purchase"].value == 150.0
    assert "on auto-ship" in found["pay_to_play_purchase"].detail
    # 80 / (80 + 150)
    assert found["customer_share_of_sales"].value == pytest.approx(80 / 230)


def test_pay_on_own_use_counts_with_customer_sales() -> None:
    # 30% of pay from customers, 50% from own purchases, a fifth of whose volume was bought
    # for own use: 0.3 + 0.5 x 0.2 = 0.4 of pay from real demand.
    sim = {**SIMULATION, "own_purchase_volume_demand_share": 0.2}
    found = _indicators(_plan(), sim)["customer_sales_pay_fraction"]
    assert found.value == pytest.approx(0.4)
    assert "10% of pay on what participants bought for their own use" in found.detail
    assert _indicators(_plan())["customer_sales_pay_fraction"].value == 0.3


def test_pay_from_customers_says_why_participants_bought() -> None:
    sim = {**SIMULATION, "purchases": {"shares": {"required": 0.5, "demand_driven": 0.3,
                                                  "incentivised": 0.2}}}
    detail = _indicators(_plan(), sim)["customer_sales_pay_fraction"].detail
    assert "Bought: 50% required, 30% own use, 20% to qualify or advance." in detail
    assert "Bought:" not in _indicators(_plan())[
        "customer_sales_pay_fraction"].detail


def test_pay_to_play_follows_the_simulation_on_retail_customers_needed() -> None:
    # Qualifying needs personal volume 200 and 3 retail customers. With 2 customers buying
    # cannot qualify anyone (the simulation's buy-to-qualify rule: nobody short of the
    # customers buys), so only the required purchase (none here) is pay-to-play.
    plan = _plan(compensation__qualification={"min_personal_volume": 200,
                                              "own_purchases_count": True,
                                              "min_retail_customers": 3})
    short = _indicators(plan, customers_per_participant=2)
    assert short["pay_to_play_purchase"].value == 0.0
    assert short["customer_share_of_sales"].value == 1.0
    assert "fewer than the 3 qualifying needs" in short["pay_to_play_purchase"].detail
    # 3 customers: 120 of volume, the 80 left costs 80 at wholesale.
    enough = _indicators(plan, customers_per_participant=3)
    assert enough["pay_to_play_purchase"].value == pytest.approx(80.0)


def test_own_purchases_that_do_not_count_never_make_pay_to_play() -> None:
    plan = _plan(compensation__qualification={"min_personal_volume": 500,
                                              "own_purchases_count": False})
    assert _indicators(plan)["pay_to_play_purchase"].value == 0.0


def test_disclosure_held_against_the_simulation() -> None:
    plan = _plan(disclosures={"income_disclosure": {"fraction_earning_nothing": 0.5,
                                                    "median_annual_gross": 300,
                                                    "net_of_costs": False}})
    found = _indicators(plan)
    gap = found["disclosure_rosier_than_simulation"]
    assert gap.value == pytest.approx(0.25)
    assert gap.detail == (
        "The disclosure says 50% earned nothing; the simulation of this plan shows 75% paid "
        "nothing by the company (retail margin, which income disclosures leave out, aside), "
        "25 percentage points more. Median annual gross pay from the company: disclosed "
        "$300, simulated $0. The disclosure is rosier than a simulation of the plan it "
        "describes."
    )
    bleak = _indicators(_plan(disclosures={"income_disclosure": {"fraction_earning_nothing": 0.9}}))
    assert bleak["disclosure_rosier_than_simulation"].value == pytest.approx(-0.15)
    assert "bleaker than the simulation" in bleak["disclosure_rosier_than_simulation"].detail
    assert found["income_disclosure_net_of_costs"].value is False
    assert found["disclosed_fraction_earning_nothing"].value == 0.5


def test_income_claims_without_typical_results() -> None:
    claims = ["Earn a full-time income part-time", "Retire early"]
    bare = _indicators(_plan(disclosures={"income_claims": claims}))
    assert bare["income_claims_without_typical_results"].value == 2
    typical = _indicators(_plan(disclosures={
        "income_claims": claims,
        "income_disclosure": {"median_annual_gross": 0},
    }))
    assert typical["income_claims_without_typical_results"].value == 0


def test_paid_levels_counts_the_deepest_component_or_rank() -> None:
    plan = _plan(compensation={
        "components": [{"type": "unilevel", "rates": [0.05] * 5}, {"type": "rank_bonus"}],
        "ranks": [{"name": "Gold", "unlocks_levels": 7}],
    })
    assert _indicators(plan)["paid_levels"].value == 7
    assert _indicators(_plan())["paid_levels"].value == 1


def test_simulation_figures_are_read_not_recomputed() -> None:
    found = _indicators(_plan())
    assert found["recruiting_reward_fraction"].value == 0.2
    assert found["customer_sales_pay_fraction"].value == 0.3
    assert found["late_joiner_fraction_losing_money"].value == 0.9
    assert found["fraction_losing_money"].detail == (
        "In the simulation 80% of everyone who joined lost money once costs are counted; "
        "the median result was \u2212$250."
    )


@pytest.mark.parametrize(("gate", "credited"), [
    ({"share": 0.67}, True),  # on the whole group's volume, no downline pay below it
    ({"share": 0.67, "of": "own"}, False),  # one's own volume: the downline's may be own use
    ({"share": 0.67, "mode": "pro_rata"}, False),  # pro rata: some pay below the share
])
def test_a_retail_share_gate_on_group_volume_is_credited(gate: dict[str, Any],
                                                         credited: bool) -> None:
    # Required purchase 100; one customer buys one tin, which the participant bought from the
    # company at wholesale 40 to resell: 40 / (40 + 100) = 2/7 of the sales go outside.
    plain = _plan(costs__required_monthly_purchase=100)
    gated = _plan(costs__required_monthly_purchase=100,
                  compensation__qualification={"min_customer_share": gate})
    kw = {"customers_per_participant": "1", "price_elasticity": "0", "extra_own_purchase": "0"}
    before = _indicators(plain, **kw)["customer_share_of_sales"]
    after = _indicators(gated, **kw)["customer_share_of_sales"]
    assert before.value == pytest.approx(2 / 7)
    assert after.value == pytest.approx(0.67 if credited else 2 / 7)
    assert "retail-share gate" in after.detail
