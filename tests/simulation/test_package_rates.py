"""What a package unlocks (issue 19 rule 4) and buying to reach a discount (issue 18 item 2).

Worked examples on hand-built networks, both engines. The plan: one product at wholesale 160
and retail 200 (volume 160), a required purchase of 160 a month, so every active participant
has own-purchase volume 160 and a customer's order (bought at wholesale to resell) is volume
160. Two ranks: Distributor (no requirement; discount 0.2, the products' own 160 / 200) and
Supervisor (discount 0.5 and a bonus of 30 a month; unilevel rates 0.2 and 0.1, and a
binary rate of 0.25, where the plan has those components), whose volumes nobody here reaches
unless stated. Packages: Basic (price 100, no rank)
and Gold (price 500, gives Supervisor). A Supervisor buys for 0.5 x 200 = 100 what costs 160
at wholesale: they do not pay 60 / 160 = 0.375 of the wholesale price of their own purchases.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.economics import compute_economics
from evaluator.model import Plan
from evaluator.simulation import ENGINES, run_once
from evaluator.simulation.network import Params, discount_months
from tests.simulation.helpers import BASE, everyone_month, network, spread

ENGINE_NAMES = ("vectorised", "reference")
BASIC, GOLD = 0, 1
PACKAGES = [{"name": "Basic", "price": 100, "share": 0.5},
            {"name": "Gold", "price": 500, "rank": "Supervisor"}]
DISTRIBUTOR = {"name": "Distributor", "discount": 0.2}
SUPERVISOR = {"name": "Supervisor", "min_group_volume": 1_000_000, "discount": 0.5,
              "monthly_bonus": 30}
UNILEVEL_RATES = {"unilevel_rates": [0.2, 0.1]}  # (a rank's rates need their component)
BINARY_RATE = {"binary_rate": 0.25}
CHAIN = [-1, 0, 1, 2]  # 0 <- 1 <- 2 <- 3
BINARY_NET = [-1, 0, 0, 0]  # 0 with 1 (left) and 2 (right); 3 spills under 1


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def doc(components: list[dict[str, Any]], ranks: list[dict[str, Any]] | None = None,
        packages: list[dict[str, Any]] | None = None, **compensation: Any) -> dict[str, Any]:
    """The plan of this module as a document."""
    out = copy.deepcopy(BASE)
    out["costs"]["required_monthly_purchase"] = 160
    if packages is not None:
        out["costs"]["packages"] = packages
    out["products"] = [{"name": "Box", "wholesale_price": 160, "retail_price": 200}]
    out["compensation"] = {"components": components,
                           "ranks": ranks if ranks is not None else [DISTRIBUTOR, SUPERVISOR],
                           **compensation}
    return out


def build(document: dict[str, Any], **overrides: Any) -> Params:
    """Run parameters at scale 1 with the behaviour model neutral (everyone a builder)."""
    values = {"market_size": 1000, "max_participants": 1000, **BEHAVIOUR_NEUTRAL, **overrides}
    return Params.build(Plan.from_dict(document), Assumptions.from_overrides(values))


def paid(prm: Params, engine: str, sponsors: list[int], package: list[int], **kw: Any) -> Any:
    """One month's pay on the network ``sponsors``, the saving by rank, with these packages."""
    eng = ENGINES[engine]()
    net = network(prm, eng, sponsors)
    m = everyone_month(prm, engine, package, **kw)
    raw = eng.pay(prm, net, m)
    return spread(raw, m), raw.saving.tolist() if raw.saving is not None else None


ALL = [{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.1]}, {"type": "rank_bonus"}]


def test_a_package_s_rank_brings_its_discount_rates_and_bonus_from_the_month_of_joining(
        engine: str) -> None:
    prm = build(doc(ALL, [DISTRIBUTOR, {**SUPERVISOR, **UNILEVEL_RATES}], PACKAGES))
    # 0 and 2 bought Gold (2 and 3 joined this month); 0 and 2 have a customer each.
    mp, saving = paid(prm, engine, CHAIN, [GOLD, BASIC, GOLD, BASIC], new=(2, 3),
                      customers={0: 1, 2: 1})
    # Paid-as ranks: Supervisor (1) for the Gold buyers, whatever their volume; Distributor
    # (0, no requirement) for the others.
    assert mp.rank == [1, 0, 1, 0]
    # Retail margin: a Supervisor's 0.5 x 200 = 100 a customer (a Distributor's 0.2 x 200 = 40).
    assert mp.pay["retail_margin"] == [100.0, 0.0, 100.0, 0.0]
    # Unilevel, volumes 320, 160, 320, 160 (own 160, plus 160 a customer). Payer 3 (160): 2, a
    # Supervisor, earns 0.2 x 160 = 32 on level 1; level 2 is 1, a Distributor paid one level
    # (the component's 0.1): nothing owed. Payer 2 (320): 1 earns 0.1 x 320 = 32; 0, a
    # Supervisor, earns level 2, 0.1 x 320 = 32. Payer 1 (160): 0 earns 0.2 x 160 = 32.
    assert mp.pay["unilevel"] == [64.0, 32.0, 32.0, 0.0]
    assert mp.pay["rank_bonus"] == [30.0, 0.0, 30.0, 0.0]
    # Own purchases: a Supervisor does not pay 0.375 of the wholesale price; a Distributor
    # pays it all.
    assert saving == pytest.approx([0.375, 0.0, 0.375, 0.0])
    # The same month with Basic for all: 40 a customer, the component's 0.1 on level 1 only
    # (payer 3: 2 earns 16; payer 2: 1 earns 32; payer 1: 0 earns 16), no bonus, no saving.
    mp, saving = paid(prm, engine, CHAIN, [BASIC] * 4, new=(2, 3), customers={0: 1, 2: 1})
    assert mp.rank == [0, 0, 0, 0]
    assert mp.pay["retail_margin"] == [40.0, 0.0, 40.0, 0.0]
    assert mp.pay["unilevel"] == [16.0, 32.0, 16.0, 0.0]
    assert mp.pay["rank_bonus"] == [0.0] * 4
    assert saving == pytest.approx([0.0] * 4)


def test_a_package_s_rank_brings_its_binary_rate(engine: str) -> None:
    prm = build(doc([{"type": "binary", "rate": 0.1, "carryover": True}],
                    [DISTRIBUTOR, {**SUPERVISOR, **BINARY_RATE}], PACKAGES))
    # 0's legs: left 1 and 3 (160 each) = 320, right 2 = 160. Gold: 0.25 x 160 = 40.
    mp, _ = paid(prm, engine, BINARY_NET, [GOLD, BASIC, BASIC, BASIC], new=(0, 1, 2, 3), t=1)
    assert mp.pay["binary"] == [40.0, 0.0, 0.0, 0.0]
    # Basic: the component's 0.1 x 160 = 16.
    mp, _ = paid(prm, engine, BINARY_NET, [BASIC] * 4, new=(0, 1, 2, 3), t=1)
    assert mp.pay["binary"] == [16.0, 0.0, 0.0, 0.0]


def test_economics_per_package_are_at_the_package_s_rank() -> None:
    components = [{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.1]},
                  {"type": "binary", "rate": 0.1}]
    ranks = [DISTRIBUTOR, {**SUPERVISOR, **UNILEVEL_RATES, **BINARY_RATE}]
    e = compute_economics(Plan.from_dict(doc(components, ranks, PACKAGES)),
                          Assumptions.defaults()).to_dict()
    basic, gold = e["packages"]
    assert (basic["rank_held"], gold["rank_held"]) == ("Distributor", "Supervisor")
    assert (basic["discount"], gold["discount"]) == (0.2, 0.5)
    # The required 160 costs 0.8 x 200 = 160 to a Distributor, 0.5 x 200 = 100 to a Supervisor.
    assert basic["monthly_cost"] == pytest.approx(160.0) == e["monthly_cost"]
    assert gold["monthly_cost"] == pytest.approx(100.0)
    # A customer: 0.2 x 200 = 40, or 0.5 x 200 = 100.
    assert basic["profit_per_customer_per_month"] == pytest.approx(40.0)
    assert gold["profit_per_customer_per_month"] == pytest.approx(100.0)
    # A recruit's 160: 0.1 x 160 + 0.1 x 160 / 2 = 24; a Supervisor's 0.2 x 160 + 0.25 x 80 = 52.
    assert basic["pay_per_active_recruit_per_month"] == pytest.approx(24.0)
    assert gold["pay_per_active_recruit_per_month"] == pytest.approx(52.0)
    assert (basic["break_even_active_recruits"], gold["break_even_active_recruits"]) == (7, 2)
    # First year: 100 + 12 x 160 = 2020, and 500 + 12 x 100 = 1700; customers a month to earn
    # it back: ceil(2020 / 480) = 5, ceil(1700 / 1200) = 2.
    assert (basic["first_year_cost"], gold["first_year_cost"]) == (2020.0, 1700.0)
    assert (basic["break_even_customers_first_year"],
            gold["break_even_customers_first_year"]) == (5, 2)


def test_a_package_below_the_newcomer_s_rank_holds_the_newcomer_s() -> None:
    ranks = [{"name": "Member", "discount": 0.3}, {"name": "Leader", "min_group_volume": 1e6}]
    packages = [{"name": "Starter", "price": 50}, {"name": "Lead", "price": 900, "rank": "Leader"}]
    e = compute_economics(Plan.from_dict(doc([{"type": "retail_margin"}], ranks, packages)),
                          Assumptions.defaults()).to_dict()
    starter, lead = e["packages"]
    # Leader has no discount of its own: Member's 0.3, like a Starter buyer's.
    assert (starter["rank_held"], lead["rank_held"]) == ("Member", "Leader")
    assert starter["discount"] == lead["discount"] == 0.3
    assert starter["monthly_cost"] == pytest.approx(0.7 * 200)


# --------------------------------------------------------- buying to reach a discount
# Supervisor here needs personal volume 960 and group volume 800; 0 has two recruits (1, 2).
REACHABLE = {**SUPERVISOR, "min_personal_volume": 960, "min_group_volume": 800}
TOP_UP = {"top_up_pay_check": 1, "builder_use_value": 0, "extra_own_purchase": 0}
STAR = [-1, 0, 0]


def _top_up(engine: str, customers: int, expect: float, **compensation: Any) -> tuple:
    prm = build(doc([{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.01]}],
                    [DISTRIBUTOR, REACHABLE], **compensation), **TOP_UP)
    eng = ENGINES[engine]()
    net = network(prm, eng, STAR)
    m = everyone_month(prm, engine, None, customers={0: customers})
    m.expect = np.array([expect, math.nan, math.nan])
    units = m.spread(eng.top_up(prm, net, m)).tolist()
    return units, eng.passed_up, prm


def test_buying_to_qualify_counts_the_discount_of_the_rank_it_reaches(engine: str) -> None:
    # 3 customers: 0's personal volume is 160 + 3 x 160 = 640, group volume 960; Supervisor's
    # 960 takes ceil(320 / 160) = 2 products, at a Supervisor's price, 2 x 100 = 200 (worth
    # nothing to them: builder_use_value 0). Qualifying paid 0 just 1 last time, but as a
    # Supervisor their own 160 costs 60 less and each customer earns 100 - 40 = 60 more:
    # 1 + 60 + 3 x 60 = 241 > 200, so they buy.
    units, passed, _ = _top_up(engine, customers=3, expect=1.0)
    assert units == [2, 0, 0]
    assert passed == 0
    # 2 customers: 3 products (300) against 1 + 60 + 2 x 60 = 181: they pass it up.
    units, passed, _ = _top_up(engine, customers=2, expect=1.0)
    assert units == [0, 0, 0]
    assert passed == 1


def test_a_kept_rank_counts_its_discount_for_the_months_it_lasts(engine: str) -> None:
    # Supervisor kept as the paid-as rank for 3 months: 2 customers are worth 1 + 3 x 180 = 541
    # against the 300 the 3 products cost, so 0 now buys.
    units, passed, prm = _top_up(engine, customers=2, expect=1.0,
                                 rank_rules={"pin": "pay", "requalify_months": 3})
    assert prm.discount_months == 3.0
    assert units == [3, 0, 0]
    assert passed == 0


def test_the_months_a_discount_counts_for() -> None:
    from evaluator.model import RankRules

    assert discount_months(RankRules(), 0.06, 60) == 1.0
    assert discount_months(RankRules(pin="title"), 0.06, 60) == 1.0
    assert discount_months(RankRules(pin="pay", requalify_months=3), 0.06, 60) == 3.0
    # Kept for good: the months one expects to stay at the base churn, 1 / 0.06.
    assert discount_months(RankRules(pin="pay"), 0.06, 60) == pytest.approx(1 / 0.06)
    assert discount_months(RankRules(pin="pay"), 0.0, 24) == 24.0


def test_a_rank_one_s_package_gives_sets_no_target(engine: str) -> None:
    prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, REACHABLE], packages=PACKAGES))
    eng = ENGINES[engine]()
    net = network(prm, eng, STAR)
    for package, bought in ((BASIC, 2), (GOLD, 0)):
        m = everyone_month(prm, engine, [package, BASIC, BASIC], customers={0: 3})
        assert m.spread(eng.top_up(prm, net, m)).tolist() == [bought, 0, 0]


@settings(max_examples=30, deadline=None)
@given(customers=st.integers(0, 4), expect=st.sampled_from([0.0, 1.0, 50.0, 150.0, 400.0]),
       low=st.sampled_from([0.0, 0.2, 0.25]), high=st.sampled_from([0.25, 0.3, 0.5, 0.9]),
       use_value=st.sampled_from([0.0, 0.5]))
def test_counting_a_bigger_discount_never_stops_a_purchase_that_paid(
        customers: int, expect: float, low: float, high: float, use_value: float) -> None:
    # The same month with and without the ranks' discounts: the target, the products and the
    # pay expected are the same, so a discount that rises with rank only adds to the worth of
    # qualifying and takes off the products' price. Both engines decide alike.
    ranks = [{**DISTRIBUTOR, "discount": low}, {**REACHABLE, "discount": high}]
    plain = [{k: v for k, v in r.items() if k != "discount"} for r in ranks]
    bought = {}
    for name, rs in (("discounts", ranks), ("none", plain)):
        prm = build(doc([{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.01]}], rs),
                    **{**TOP_UP, "builder_use_value": use_value})
        for engine in ENGINE_NAMES:
            eng = ENGINES[engine]()
            net = network(prm, eng, STAR)
            m = everyone_month(prm, engine, None, customers={0: customers})
            m.expect = np.array([expect, math.nan, math.nan])
            bought[name, engine] = m.spread(eng.top_up(prm, net, m)).tolist()
    assert bought["discounts", "vectorised"] == bought["discounts", "reference"]
    assert bought["none", "vectorised"] == bought["none", "reference"]
    with_discount, without = bought["discounts", "vectorised"], bought["none", "vectorised"]
    assert all(a >= b for a, b in zip(with_discount, without, strict=True))
    assert all(a in (0, b) or b == 0 for a, b in zip(with_discount, without, strict=True))


def test_both_engines_agree_on_a_run_with_packages_whose_rank_has_rates() -> None:
    components = [{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.1]},
                  {"type": "binary", "rate": 0.1, "carryover": True}, {"type": "rank_bonus"}]
    supervisor = {**SUPERVISOR, **UNILEVEL_RATES, **BINARY_RATE, "min_group_volume": 2000}
    document = doc(components, [DISTRIBUTOR, supervisor],
                   PACKAGES, qualification={"min_personal_volume": 320})
    a = Assumptions.from_overrides({"market_size": 1000, "max_participants": 300,
                                    "horizon_months": 12, "runs": 1})
    p = Plan.from_dict(document)
    fast = run_once(p, a, 13, "vectorised")
    slow = run_once(p, a, 13, "reference")
    assert fast.package.tolist() == slow.package.tolist()
    assert np.array_equal(fast.pay, slow.pay)
    assert np.array_equal(fast.cost, slow.cost)
    assert fast.rank.tolist() == slow.rank.tolist()
    assert fast.top_ups == slow.top_ups
    # Every Gold buyer still active at the end holds Supervisor.
    still = fast.left > 12
    assert (fast.rank[still & (fast.package == GOLD)] == 1).all()


def test_a_package_s_rank_pays_its_one_time_bonuses_in_the_month_of_joining(engine: str) -> None:
    once = {**SUPERVISOR, "advancement_bonus": 100, "fast_start_bonus": 200,
            "fast_start_within_months": 1}
    prm = build(doc([{"type": "rank_bonus"}], [DISTRIBUTOR, once], PACKAGES))
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0])
    # 1 joins this month with Gold: Supervisor at once, so the monthly 30, the advancement
    # bonus 100 and the fast-start bonus 200 (reached in the join month): 330. 0 (Basic)
    # holds Distributor, which pays nothing.
    m = everyone_month(prm, engine, [BASIC, GOLD], new=(1,))
    assert spread(eng.pay(prm, net, m), m).pay["rank_bonus"] == [0.0, 330.0]
    # The next month: the monthly bonus alone; the one-time bonuses were paid.
    m = everyone_month(prm, engine, [BASIC, GOLD], t=6)
    assert spread(eng.pay(prm, net, m), m).pay["rank_bonus"] == [0.0, 30.0]


# ------------------------------------------- buying for a discount alone, recruits or not
# One founder, 0, with no recruit: qualifying pays them no downline pay, so only a rank's
# discount can make buying worth it. Supervisor here needs personal and group volume 480;
# their own 160 a month is volume 160 (own purchases count in both).
ALONE = {**SUPERVISOR, "min_personal_volume": 480, "min_group_volume": 480}


def _alone(engine: str, customers: int = 0, expect: float = math.nan,
           rank_rules: dict[str, Any] | None = None, **overrides: Any) -> tuple:
    extra = {} if rank_rules is None else {"rank_rules": rank_rules}
    prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, ALONE], **extra),
                **{**TOP_UP, **overrides})
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1])
    kind = [0] if overrides.get("member_share") == 1.0 else None
    m = everyone_month(prm, engine, None, customers={0: customers}, n=1, kind=kind)
    m.expect = np.array([expect])
    return m.spread(eng.top_up(prm, net, m)).tolist()[0], eng.passed_up, prm


def test_without_a_recruit_one_buys_for_the_discount_only_when_it_pays(engine: str) -> None:
    # Ranks decided each month: 480 - 160 = 320 takes 2 products at a Supervisor's 100, 200
    # (worth nothing to them: builder_use_value 0); the discount saves 0.375 x 160 = 60 on
    # the month's own 160. 60 < 200: no purchase, and none counted as passed up (that tally
    # is of buying to qualify for pay). Never having qualified (expect NaN) does not count:
    # there is no downline pay to hope for.
    assert _alone(engine)[:2] == (0, 0)
    # Kept 12 months (pin pay): 12 x 60 = 720 > 200, so 0 buys the 2 products.
    units, passed, prm = _alone(engine, rank_rules={"pin": "pay", "requalify_months": 12})
    assert prm.discount_months == 12.0
    assert (units, passed) == (2, 0)
    # With a customer, monthly ranks: volume 320, 1 product (100) reaches 480, and the month
    # is worth 60 on the own 160 plus 100 - 40 = 60 more margin on the customer: 120 > 100.
    assert _alone(engine, customers=1)[0] == 1


def test_a_discount_kept_from_earlier_months_is_not_bought_again(engine: str) -> None:
    # Kept 12 months (pin pay), as above, but 0 reached Supervisor in month 4 and still holds
    # it in month 5 whatever their volume: the 2 products would buy no discount they lack.
    # Never reached (0 in the history): they buy the 2 products, as above.
    for reached, bought in ((4, 0), (0, 2)):
        prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, ALONE],
                        rank_rules={"pin": "pay", "requalify_months": 12}), **TOP_UP)
        eng = ENGINES[engine]()
        net = network(prm, eng, [-1])
        assert net.history is not None
        net.history.last[:, 0] = reached  # 0: never
        m = everyone_month(prm, engine, None, n=1)
        m.expect = np.array([math.nan])
        assert m.spread(eng.top_up(prm, net, m)).tolist() == [bought]


def test_a_member_buys_for_the_discount_counting_the_product_they_would_use(
        engine: str) -> None:
    # Everyone a member, who buys 1 product a month for their own use (worth its retail 200
    # to them): volume 160 + 160 = 320. Supervisor at 480 takes 1 product, at 100, and it is
    # worth 200 to them (they would use 1 in the month), so it costs them -100 net; the
    # discount saves 0.375 x 320 = 120 on their own purchases: they buy it.
    member = {"member_share": 1.0, "member_own_products": 1.0, "member_use_value": 1.0}
    assert _alone(engine, **member)[0] == 1


def test_a_member_counts_no_worth_beyond_the_product_they_would_use(engine: str) -> None:
    # Supervisor at 1120: 800 short takes 5 products, 500 at a Supervisor's price. A member
    # would use only 1 of them in the month, worth 200: net cost 300, against the 120 the
    # discount saves on their own 320 of purchases, so they do not buy. Kept 3 months, they
    # would use 3 (worth 600, net cost -100) and save 3 x 120 = 360: they buy the 5, and 3
    # of them are credited at their worth (the run counts the other 2 as worth nothing).
    member = {"member_share": 1.0, "member_own_products": 1.0, "member_use_value": 1.0}
    high = {**ALONE, "min_personal_volume": 1120, "min_group_volume": 1120}
    for rules, bought, used in ((None, 0, None), ({"pin": "pay", "requalify_months": 3}, 5, 3)):
        extra = {} if rules is None else {"rank_rules": rules}
        prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, high], **extra),
                    **{**TOP_UP, **member})
        eng = ENGINES[engine]()
        net = network(prm, eng, [-1])
        m = everyone_month(prm, engine, None, n=1, kind=[0])
        m.expect = np.array([math.nan])
        assert m.spread(eng.top_up(prm, net, m)).tolist() == [bought]
        assert (None if eng.used is None else eng.used.tolist()) == (
            None if used is None else [used])


def test_of_two_discount_ranks_the_one_worth_the_most_is_bought(engine: str) -> None:
    # Senior (discount 0.35, saving 1 - 0.65 x 1.25 = 0.1875) at 320, Supervisor (0.375) at
    # 640, kept 12 months, their own 160 a month: Senior takes 1 product (130) for 12 x 0.1875
    # x 160 = 360, worth 230; Supervisor 3 products (300) for 12 x 0.375 x 160 = 720, worth
    # 420: they buy the 3.
    senior = {"name": "Senior", "min_personal_volume": 320, "min_group_volume": 320,
              "discount": 0.35}
    top = {**ALONE, "min_personal_volume": 640, "min_group_volume": 640}
    prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, senior, top],
                    rank_rules={"pin": "pay", "requalify_months": 12}), **TOP_UP)
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1])
    m = everyone_month(prm, engine, None, n=1)
    m.expect = np.array([math.nan])
    assert m.spread(eng.top_up(prm, net, m)).tolist() == [3]


def test_no_discount_buying_without_the_pay_check(engine: str) -> None:
    # The same kept Supervisor as above, but without the pay check nobody weighs a discount,
    # and without a recruit nobody buys to qualify.
    prm = build(doc([{"type": "retail_margin"}], [DISTRIBUTOR, ALONE],
                    rank_rules={"pin": "pay", "requalify_months": 12}),
                **{**TOP_UP, "top_up_pay_check": 0})
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1])
    m = everyone_month(prm, engine, None, n=1)
    assert m.spread(eng.top_up(prm, net, m)).tolist() == [0]


@settings(max_examples=40, deadline=None)
@given(customers=st.lists(st.integers(0, 3), min_size=4, max_size=4),
       pv=st.sampled_from([160, 480, 800, 1120]), gv=st.sampled_from([160, 480, 1600, 3200]),
       legs=st.integers(0, 2), kept=st.sampled_from([None, 3, 12]),
       discounts=st.sampled_from([(0.2, 0.35, 0.5), (0.25, 0.25, 0.5), (0.0, 0.3, 0.3)]),
       member_share=st.sampled_from([0.0, 0.5, 1.0]),
       use_value=st.sampled_from([0.0, 0.5, 1.0]), share=st.sampled_from([1.0, 0.5]))
def test_both_engines_buy_alike_for_a_discount(
        customers: list[int], pv: int, gv: int, legs: int, kept: int | None,
        discounts: tuple[float, float, float], member_share: float, use_value: float,
        share: float) -> None:
    # A chain 0 <- 1 <- 2 <- 3 (each has one recruit but 3), members or not, ranks of two
    # discounts above the entry one with volumes, legs and kept months drawn: both engines
    # buy the same products for the same people.
    low, mid, high = discounts
    ranks = [{**DISTRIBUTOR, "discount": low},
             {"name": "Senior", "min_personal_volume": pv, "min_group_volume": pv,
              "discount": mid},
             {**SUPERVISOR, "min_personal_volume": pv, "min_group_volume": gv,
              "min_active_legs": legs, "discount": high}]
    extra = {} if kept is None else {"rank_rules": {"pin": "pay", "requalify_months": kept}}
    prm = build(doc([{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.05]}], ranks,
                    **extra),
                **{**TOP_UP, "member_share": member_share, "member_own_products": 1.0,
                   "member_use_value": use_value, "builder_use_value": use_value,
                   "builder_own_products": 0.5, "buy_to_qualify": share})
    bought = {}
    for engine in ENGINE_NAMES:
        eng = ENGINES[engine]()
        net = network(prm, eng, CHAIN)
        kind = {0.0: None, 0.5: [0, 2, 0, 2], 1.0: [0, 0, 0, 0]}[member_share]
        m = everyone_month(prm, engine, None, customers=dict(enumerate(customers)), n=4, kind=kind)
        m.expect = np.array([math.nan, 0.0, 30.0, math.nan])
        bought[engine] = (m.spread(eng.top_up(prm, net, m)).tolist(), eng.passed_up,
                          None if eng.used is None else eng.used.tolist())
    assert bought["vectorised"] == bought["reference"]


@pytest.mark.parametrize("rules", [None, {"pin": "pay", "requalify_months": 12}])
def test_both_engines_agree_on_runs_where_members_buy_for_a_discount(
        rules: dict[str, Any] | None) -> None:
    # The discount-ladder sample on a small market, members buying 6 products a month for
    # their own use: enough of them buy for a discount alone, with ranks decided each month
    # and kept 12 months (the rank history read when buying), and both engines agree.
    import json

    from evaluator.resources import data_dir

    document = json.loads((data_dir("plan_samples") / "rank_rates_stairstep.json").read_text())
    if rules is not None:
        document["compensation"]["rank_rules"] = rules
    a = Assumptions.from_overrides({
        "market_size": 3000, "max_participants": 600, "horizon_months": 24, "runs": 1,
        "initial_participants": 30, "member_own_products": 6, "seller_own_products": 3,
        "buy_to_qualify": 0.7})
    p = Plan.from_dict(document)
    fast = run_once(p, a, 1, "vectorised")
    slow = run_once(p, a, 1, "reference")
    assert fast.top_ups_by_kind[0][0] > 0  # members bought for the discount
    assert fast.top_ups_by_kind == slow.top_ups_by_kind
    assert np.array_equal(fast.pay, slow.pay)
    assert np.array_equal(fast.cost, slow.cost)
    assert fast.best_rank.tolist() == slow.best_rank.tolist()
