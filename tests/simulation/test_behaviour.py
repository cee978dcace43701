"""The behaviour model: participants of three kinds, what each buys and is worth to them.

Worked examples by hand on the worked-example plan (tests/simulation/helpers.py: one product
at wholesale 100, retail 200, a required purchase of 100 a month), Hypothesis properties, and
the neutral settings reproducing the engine before the kinds existed (golden files made with
``oppeval evaluate --set max_participants=2000 --set runs=2`` on commit fa22bc2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.evaluation import evaluate
from evaluator.model import Plan
from evaluator.report.html import render_page
from evaluator.simulation import run_once, simulate
from evaluator.simulation.network import (
    BUILDER,
    MEMBER,
    SELLER,
    Kinds,
    Params,
    plan_recruiting,
    sign_up_pay,
    use_worth,
)
from tests.simulation.helpers import plan
from tests.simulation.strategies import sim_plans, small_assumptions

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = Path(__file__).parents[2] / "plan_samples"


def _shares(member: float, seller: float) -> Kinds:
    return Params.build(plan([{"type": "retail_margin"}]), Assumptions.from_overrides(
        {"member_share": member, "seller_share": seller})).kinds


def test_kind_of_a_uniform_written_out() -> None:
    # member_share 0.5, seller_share 0.5 of the rest: members below 0.5, sellers below
    # 0.5 + 0.5 x 0.5 = 0.75, builders from there.
    kinds = _shares(0.5, 0.5)
    got = kinds.of(np.array([0.0, 0.49, 0.5, 0.74, 0.75, 0.99])).tolist()
    assert got == [MEMBER, MEMBER, SELLER, SELLER, BUILDER, BUILDER]
    assert not _shares(0.0, 0.0).mixed
    assert _shares(0.0, 0.1).mixed


def test_costs_and_worth_by_kind_written_out() -> None:
    # Required purchase 100 a month, back office 10, expenses 30, events 120 a year (10 a
    # month); one product at wholesale 100, retail 200 with a comparable at 150: worth 150
    # per product, 1.5 per unit of money paid at wholesale.
    p = plan([{"type": "retail_margin"}],
             costs={"monthly_fees": [{"name": "office", "amount": 10}],
                    "estimated_monthly_expenses": 30, "annual_event_costs": 120})
    doc = p.to_dict()
    doc["products"][0]["comparable_market_price"] = 150
    p = Plan.from_dict(doc)
    assert use_worth(p) == 1.5
    a = Assumptions.from_overrides({
        "member_own_products": 2, "seller_own_products": 1, "builder_own_products": 0.5,
        "member_use_value": 1.0, "seller_use_value": 0.5, "builder_use_value": 0.0,
        "personal_use_value": 0.2})
    k = Params.build(p, a).kinds
    # Today's monthly cost: 10 + 100 x (1 - 0.2) + 30 + 10 = 130.
    # Member: no expenses or events; pays 100 + 2 x 100 = 300 for product worth
    # 300 x 1.5 x 1.0 = 450: 10 + 300 - 450 = -140 a month, credit 450.
    assert k.monthly[MEMBER] == pytest.approx(-140)
    assert k.use_credit[MEMBER] == pytest.approx(450)
    # Seller: 130 + 100 (one product) - 100 x 1.5 x 0.5 = 155; credit 75 + 100 x 0.2 = 95.
    assert k.monthly[SELLER] == pytest.approx(155)
    assert k.use_credit[SELLER] == pytest.approx(95)
    # Builder: 130 + 50 - 0 = 180; credit 20 (the required purchase at personal_use_value).
    assert k.monthly[BUILDER] == pytest.approx(180)
    assert k.use_credit[BUILDER] == pytest.approx(20)
    assert k.own_products == (2.0, 1.0, 0.5)


def members_only(**overrides: Any) -> Assumptions:
    """One run of a network of discount members only (founders too): 1,000 at most, 20
    founders, nobody leaves; ``overrides`` set the rest."""
    return Assumptions.from_overrides({
        "max_participants": 1000, "initial_participants": 20, "monthly_churn": 0.0,
        "loss_churn_boost": 0.0, "member_share": 1.0, "runs": 1, **overrides})


@pytest.mark.parametrize("engine", ["vectorised", "reference"])
def test_a_network_of_members_written_out(engine: str) -> None:
    # Everyone a discount member (founders too) with no customers, buying one product a
    # month for own use, worth its retail price to them (200 for 100 paid). Plan: retail
    # margin only, required purchase 100, no fees. A member's month: 100 + 100 paid, worth
    # (100 + 100) x 2 x 1.0 = 400: cost -200 a month, credit 400; start-up costs nothing.
    p = plan([{"type": "retail_margin"}])
    a = members_only(market_size=1000, recruit_rate=0.5, horizon_months=6,
                     customers_per_participant=0, member_recruit_factor=0.5,
                     member_customer_factor=0.0, member_own_products=1.0, member_use_value=1.0)
    # Factors over their mean 0.5 (everyone a member): members at recruit_rate.
    assert Params.build(p, a).kinds.recruit_factor == pytest.approx((1.0, 0.6, 2.0))
    r = run_once(p, a, 3, engine)
    assert (r.kind == MEMBER).all()
    assert r.n > 20  # members recruit at recruit_rate
    assert (r.pay == 0).all()
    months = r.months_active
    np.testing.assert_allclose(r.cost, -200.0 * months)
    np.testing.assert_allclose(r.use_credit, 400.0 * months)
    # With credit each gains 200 a month; every purchase a loss: each loses 200 a month.
    assert ((r.pay - r.cost) > 0).all()
    assert ((r.pay - r.cost - r.use_credit) < 0).all()
    # Purchases: the required 100 a month and the own-use 100 a month.
    assert r.purchases["required"] == pytest.approx(100.0 * int(months.sum()))
    assert r.purchases["demand_driven"] == pytest.approx(100.0 * int(months.sum()))
    assert r.purchases["incentivised"] == 0.0


@pytest.mark.parametrize("own", [0.7, 1.3])
def test_own_use_alone_is_all_of_own_purchase_volume(own: float) -> None:
    # Discount members only, no required purchase: every product bought is for own use, so
    # the demand-driven share of own-purchase volume is 1 exactly (0.7 or 1.3 products a month
    # at wholesale 37.3 once put it a rounding above 1).
    p = Plan.from_dict({
        "company": {"name": "Own use only"},
        "costs": {"currency": "USD", "required_monthly_purchase": 0},
        "products": [{"name": "Box", "wholesale_price": 37.3, "retail_price": 55.95}],
        "compensation": {"components": [{"type": "retail_margin"}]}})
    a = Assumptions.from_overrides({
        "market_size": 5000, "max_participants": 2000, "initial_participants": 20,
        "member_share": 1.0, "member_own_products": own, "runs": 1, "horizon_months": 12})
    assert simulate(p, a, 1).to_dict()["own_purchase_volume_demand_share"] == 1.0


def test_recruiting_factors_keep_the_average_rate() -> None:
    # member_share 0.5, seller_share 0.5: members 0.5, sellers 0.25, builders 0.25.
    # Factors 0.1, 0.3, 1: mean 0.05 + 0.075 + 0.25 = 0.375.
    a = Assumptions.from_overrides({"member_share": 0.5, "seller_share": 0.5,
                                    "member_recruit_factor": 0.1,
                                    "seller_recruit_factor": 0.3})
    got = Kinds.recruit_factors(a)
    assert got == pytest.approx((0.1 / 0.375, 0.3 / 0.375, 1 / 0.375))
    assert Kinds.recruit_factors(a.with_overrides(BEHAVIOUR_NEUTRAL)) == (1.0, 1.0, 1.0)
    nobody = a.with_overrides({"member_share": 1.0, "member_recruit_factor": 0.0})
    assert Kinds.recruit_factors(nobody) == (0.0, 0.0, 0.0)


def test_customer_factors_keep_the_average_customers() -> None:
    # The defaults: members 0.73, sellers 0.27 x 0.5 = 0.135, builders 0.135. Factors 0.1,
    # 1.5, 1: mean 0.073 + 0.2025 + 0.135 = 0.4105, so a builder serves 1 / 0.4105 = 2.436
    # times customers_per_participant and the average participant serves it exactly.
    a = Assumptions.from_overrides({})
    got = Kinds.customer_factors(a)
    assert got == pytest.approx((0.1 / 0.4105, 1.5 / 0.4105, 1 / 0.4105))
    assert 0.73 * got[MEMBER] + 0.135 * got[SELLER] + 0.135 * got[BUILDER] == pytest.approx(1)
    assert Params.build(plan([{"type": "retail_margin"}]), a).kinds.customer_factor == got
    assert Kinds.customer_factors(a.with_overrides(BEHAVIOUR_NEUTRAL)) == (1.0, 1.0, 1.0)
    nobody = a.with_overrides({"member_share": 1.0, "member_customer_factor": 0.0})
    assert Kinds.customer_factors(nobody) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("engine", ["vectorised", "reference"])
def test_a_network_of_members_serves_customers_per_participant(engine: str) -> None:
    # Everyone a discount member with member_customer_factor 0.1: the factor is over its
    # mean (0.1 x 1), so each member serves customers_per_participant 2, not 0.2. No skew,
    # customers new each month, price taken at par, nobody recruits: each month a member has
    # floor(2 x (1 - 20 / 1,000,000) + u) customers, 1 or 2, 2 with chance 0.99996.
    p = plan([{"type": "retail_margin"}])
    a = members_only(market_size=1_000_000, recruit_rate=0.0, horizon_months=12,
                     customers_per_participant=2, customer_skew=0, customer_tenure=1,
                     price_elasticity=0, former_customer_share=0, member_customer_factor=0.1)
    r = run_once(p, a, 3, engine)
    assert r.n == 20
    assert (r.kind == MEMBER).all()
    assert (r.customers_served == 2 * 12).all()
    # Retail margin 100 a customer (retail 200, wholesale 100): 200 a month each.
    np.testing.assert_allclose(r.pay, 200.0 * 12)


@pytest.mark.parametrize("engine", ["vectorised", "reference"])
def test_members_never_buy_to_qualify(engine: str) -> None:
    # Qualifying needs personal volume 300; own purchases count; everyone has a recruit
    # eventually. Builders short of it buy; members never do.
    p = plan([{"type": "unilevel", "rates": [0.1, 0.05]}],
             qualification={"min_personal_volume": 300, "own_purchases_count": True})
    a = Assumptions.from_overrides({
        "market_size": 1000, "max_participants": 1000, "initial_participants": 20,
        "recruit_rate": 0.8, "horizon_months": 8, "customers_per_participant": 0,
        "member_share": 0.5, "member_recruit_factor": 1.0, "member_own_products": 0.0,
        "builder_own_products": 0.0, "seller_share": 0.0, "member_use_value": 0.0,
        "runs": 1})
    everyone = run_once(p, a.with_overrides({"member_share": 0.0}), 4, engine)
    mixed = run_once(p, a, 4, engine)
    assert everyone.purchases["incentivised"] > 0
    # Members' costs are only the required purchase (worth nothing to them here): nothing
    # bought to qualify.
    members = mixed.kind == MEMBER
    assert members.any()
    np.testing.assert_allclose(mixed.cost[members], 100.0 * mixed.months_active[members])


@pytest.mark.parametrize("sample", ["party_plan", "qualifying_purchase_plan",
                                    "binary_commissionable_packages", "stairstep_breakaway"])
def test_neutral_behaviour_reproduces_the_engine_before_kinds(sample: str) -> None:
    golden = json.loads((GOLDEN / f"{sample}.json").read_text())
    p = Plan.from_bytes((SAMPLES / f"{sample}.json").read_bytes())
    a = Assumptions.from_overrides({"max_participants": 2000, "runs": 2,
                                    **BEHAVIOUR_NEUTRAL})
    got = evaluate(p, a, seed=golden["seed"]).to_dict()
    assert got["score"]["verdict"] == golden["verdict"]
    sim = got["simulation"]
    assert {k: sim[k] for k in golden["simulation"]} == golden["simulation"]


def _summary(p: Plan, a: Assumptions) -> dict[str, Any]:
    return simulate(p, a, 7).to_dict()


@settings(max_examples=25, deadline=None)
@given(p=sim_plans(), a=small_assumptions(),
       factors=st.tuples(*(st.sampled_from([0.0, 0.5, 3.0]) for _ in range(6))))
def test_kind_settings_matter_only_when_someone_is_of_that_kind(
        p: Plan, a: Assumptions, factors: tuple[float, ...]) -> None:
    """With every recruit a builder, members' and sellers' settings change nothing."""
    builders = a.with_overrides({"member_share": 0.0, "seller_share": 0.0})
    names = ("member_recruit_factor", "seller_recruit_factor", "member_customer_factor",
             "seller_customer_factor", "member_own_products", "seller_own_products")
    changed = builders.with_overrides(dict(zip(names, factors, strict=True)))
    assert _summary(p, builders) == _summary(p, changed)


@settings(max_examples=25, deadline=None)
@given(p=sim_plans(), a=small_assumptions(), seed=st.integers(0, 2**16))
def test_by_kind_adds_up_and_credit_only_helps(p: Plan, a: Assumptions, seed: int) -> None:
    """The kinds partition everyone; counting every purchase as a loss never shows fewer
    losing money; purchase shares sum to 1."""
    r = run_once(p, a, seed)
    assert set(np.unique(r.kind).tolist()) <= {MEMBER, SELLER, BUILDER}
    assert (r.use_credit >= 0).all()
    net = r.pay - r.cost
    assert ((net - r.use_credit) < 0).sum() >= (net < 0).sum()
    sim = simulate(p, a, seed).to_dict()
    assert sum(k["participants"] for k in sim["by_kind"].values()) == pytest.approx(
        sim["participants_ever"], abs=3)
    shares = [v for v in sim["purchases"]["shares"].values() if v is not None]
    if shares:
        assert sum(shares) == pytest.approx(1.0)
    assert sim["fraction_losing_money_without_use_credit"] >= sim["fraction_losing_money"]
    demand = sim["own_purchase_volume_demand_share"]
    assert demand is None or 0 <= demand <= 1
    if not any(a[f"{k}_own_products"] for k in ("member", "seller", "builder")):
        assert not demand


def test_the_verdict_reading_is_named_and_reported() -> None:
    p = Plan.from_bytes((SAMPLES / "party_plan.json").read_bytes())
    a = Assumptions.from_overrides({"max_participants": 300, "runs": 1})
    evaluation = evaluate(p, a)
    sim = evaluation.simulation
    assert sim["verdict_reading"] == "with_use_credit"
    assert sim["fraction_losing_money_without_use_credit"] >= sim["fraction_losing_money"]
    html = render_page(evaluation)
    assert "counting every purchase as a loss" in html
    assert "Outcomes by kind of participant" in html


def test_recruiting_answers_to_the_plan_written_out() -> None:
    # Mean retail 200. Enrollment bonus 100 at level 1, fast start 10% for 2 months on the
    # required purchase's volume 100 (a 100 wholesale purchase, fraction 1): 20; a 50
    # commissionable kit (volume 50) pays 10% unilevel: 5; fast start on the kit: 5.
    # Sign-up pay 100 + 0.1 x (50 + 2 x 100) + 0.1 x 50 = 130. Start-up: 50 kit + 30 fee.
    p = plan([{"type": "enrollment_bonus", "amounts": [100, 20]},
              {"type": "fast_start", "rates": [0.1], "months": 2},
              {"type": "unilevel", "rates": [0.1]}],
             costs={"starter_kit": 50, "enrollment_fee": 30, "starter_kit_commissionable": True})
    assert sign_up_pay(p) == pytest.approx(130.0)
    a = Assumptions.from_overrides({"recruit_pay_response": 0.2, "join_cost_response": 0.5,
                                    "member_share": 0.0, "seller_share": 0.0})
    # Everyone a builder: (1 + 0.2 x 130 / 200) / (1 + 0.5 x 80 / 200) = 1.13 / 1.2
    assert plan_recruiting(p, a) == pytest.approx(1.13 / 1.2)
    prm = Params.build(p, a.with_overrides({"recruit_rate": 0.3}))
    assert prm.recruit_rate == pytest.approx(0.3 * 1.13 / 1.2)
    assert prm.kinds.recruit_factor == (1.0, 1.0, 1.0)
    assert plan_recruiting(p, a.with_overrides(BEHAVIOUR_NEUTRAL)) == 1.0
    # Half members (factor 0.1, who do not answer to pay), half builders: the mean response
    # is (0.5 x 0.1 x 1 + 0.5 x 1 x 1.13) / (0.5 x 0.1 + 0.5 x 1) = 0.615 / 0.55.
    mixed = a.with_overrides({"member_share": 0.5, "member_recruit_factor": 0.1})
    assert plan_recruiting(p, mixed) == pytest.approx(0.615 / 0.55 / 1.2)
    # Recruiting shifts to the builders: 0.1 / 0.615 and 1.13 / 0.615 (mean 1 over the kinds).
    factors = Params.build(p, mixed).kinds.recruit_factor
    assert factors[0] == pytest.approx(0.1 / 0.615)
    assert factors[2] == pytest.approx(1.13 / 0.615)
    assert 0.5 * factors[0] + 0.5 * factors[2] == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(p=sim_plans(), low=st.sampled_from([0.0, 0.1, 0.5]),
       more=st.sampled_from([0.1, 1.0]))
def test_paying_for_sign_ups_raises_projected_growth(p: Plan, low: float, more: float) -> None:
    """A plan that pays for a sign-up grows at least as far (projected) when recruiting
    answers more to pay; one that pays nothing for it is unmoved."""
    a = Assumptions.from_overrides({"recruit_pay_response": low, "market_size": 10**7})
    b = a.with_overrides({"recruit_pay_response": low + more})
    pa, pb = Params.build(p, a), Params.build(p, b)
    if sign_up_pay(p) > 0:
        assert pb.projected_ever >= pa.projected_ever
        assert pb.recruit_rate > pa.recruit_rate
    else:
        assert pb.recruit_rate == pa.recruit_rate


def test_recruiting_for_pay_leaves_more_people_recruiting_nobody() -> None:
    # A sign-up paying 10 products' worth (an enrollment bonus of 2,000 on a 200 product):
    # sellers and builders recruit 1 + 0.1 x 10 = 2 times as hard, members as before, so the
    # recruiting concentrates in fewer hands. In a market the network fills either way, more
    # people recruit nobody and builders bring in more of the recruits. With members
    # recruiting a tenth of a builder the shift to builders is large; at the default, a
    # hundredth, members bring in so few recruits that there is little to shift (builders'
    # share of them moves about 1 point), but more people still recruit nobody.
    plain = plan([{"type": "unilevel", "rates": [0.1]}])
    paying = plan([{"type": "unilevel", "rates": [0.1]},
                   {"type": "enrollment_bonus", "amounts": [2000]}])
    for factor in (0.1, None):
        values: dict[str, float] = {"max_participants": 3000, "runs": 1, "horizon_months": 36}
        if factor is not None:
            values["member_recruit_factor"] = factor
        a = Assumptions.from_overrides(values)
        got = {}
        for name, p in (("plain", plain), ("paying", paying)):
            run = run_once(p, a, 11)
            builders = run.kind == BUILDER
            got[name] = ((run.recruits == 0).mean(),
                         run.recruits[builders].sum() / run.recruits.sum())
        assert got["paying"][0] > got["plain"][0] + 0.03
        assert got["paying"][1] > got["plain"][1] + (0.05 if factor is not None else 0.0)
