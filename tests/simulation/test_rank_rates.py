"""Worked examples of rates by rank (schema v1.1) on hand-built networks, both engines.

Volumes as in tests/simulation/helpers.py: own purchase 100 per active participant; a
customer order is volume 200 (the discount examples use their own product, stated there).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.economics import compute_economics, entry_discount
from evaluator.model import Plan
from evaluator.simulation import ENGINES, run_once
from tests.simulation.helpers import BASE, month, network, params, pay_with, plan, spread

ENGINE_NAMES = ("vectorised", "reference")

# 0 <- 1 <- 2 <- 3: a sponsor chain.
CHAIN = [-1, 0, 1, 2]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_unilevel_rates_by_rank_and_levels_by_list_length(engine: str) -> None:
    ranks = [{"name": "Leader", "min_group_volume": 300, "unilevel_rates": [0.2, 0.1, 0.05]}]
    prm = params(plan([{"type": "unilevel", "rates": [0.1]}], ranks=ranks))
    mp = pay_with(engine, prm, CHAIN)
    # Group volumes 400, 300, 200, 100: 0 and 1 are Leaders (3 levels at 0.2, 0.1, 0.05);
    # 2 is below every rank: the component's 0.1 on level 1 only.
    # Payer 3 (100): 2 earns 10 (level 1), 1 earns 0.1 x 100 = 10, 0 earns 0.05 x 100 = 5.
    # Payer 2: 1 earns 20, 0 earns 10. Payer 1: 0 earns 20. Payer 0: level 1 is above the
    # top (10 at the component's rate; its rates pay no level 2 or 3).
    assert mp.rank == [0, 0, -1, -1]
    assert mp.pay["unilevel"] == [35.0, 30.0, 10.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(10.0)
    assert mp.breakage["locked_levels"] == 0.0


def test_unilevel_rates_pass_up_ranks_and_unqualified_lose_their_rank_rate(engine: str) -> None:
    ranks = [{"name": "A", "min_group_volume": 200, "unilevel_rates": [0.2, 0.1]},
             {"name": "B", "min_group_volume": 600}]  # B keeps A's rates
    prm = params(plan([{"type": "unilevel", "rates": [0.1]}], ranks=ranks,
                      qualification={"min_retail_customers": 1}))
    mp = pay_with(engine, prm, CHAIN, customers={0: 1, 2: 1})
    # Volumes 300, 100, 300, 100; group volumes 800, 500, 400, 100: 0 is B, 1 and 2 A.
    # 1 and 3 have no customer: unqualified.
    # Payer 3 (100): 2 earns 0.2 x 100 = 20; 1 would earn 0.1 x 100 = 10 (breakage).
    # Payer 2 (300): 1 would earn 0.2 x 300 = 60 (breakage); 0 earns B's (A's) 0.1 x 300 = 30.
    # Payer 1 (100): 0 earns 20. Payer 0 (300): above the top, 0.1 x 300 = 30.
    assert mp.rank == [1, 0, 0, -1]
    assert mp.pay["unilevel"] == [50.0, 0.0, 20.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(70.0)
    assert mp.breakage["top_of_network"] == pytest.approx(30.0)


def test_unilevel_rates_by_rank_with_compression(engine: str) -> None:
    ranks = [{"name": "Member", "unilevel_rates": [0.1, 0.05]}]
    prm = params(plan([{"type": "unilevel", "rates": [0.1], "compression": True}], ranks=ranks))
    mp = pay_with(engine, prm, CHAIN, inactive=(2,))
    # Everyone active is a Member (two levels). Payer 3: level 1 compresses past 2 to 1 (10),
    # level 2 is 0 (0.05 x 100 = 5); payer 1: 0 earns 10; payer 0: 10 above the top.
    assert mp.pay["unilevel"] == [15.0, 10.0, 0.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(10.0)


@pytest.mark.parametrize("compression", [False, True])
def test_unilevel_rates_by_rank_with_locked_levels(engine: str, compression: bool) -> None:
    ranks = [{"name": "Leader", "min_group_volume": 300, "unilevel_rates": [0.2, 0.1, 0.05],
              "unlocks_levels": 2}]
    prm = params(plan([{"type": "unilevel", "rates": [0.1], "compression": compression}],
                      ranks=ranks))
    mp = pay_with(engine, prm, CHAIN)
    # As the first example, but a Leader is paid 2 levels: 0's 5 on 3's volume is locked
    # (counted at the Leader's level-3 rate, with compression too).
    assert mp.pay["unilevel"] == [30.0, 30.0, 10.0, 0.0]
    assert mp.breakage["locked_levels"] == pytest.approx(5.0)


# Dynamic compression with rates by rank (schema v1.1): a rank's list of rates is the levels
# it is paid, so an upline whose list stops before a level is skipped for it, like one whose
# rank has not unlocked it. 0 <- 1 <- 2 <- 3 <- 4; 0 has 2 customers (personal volume 500),
# 2 has 1 (300), the others none (100).
LEVEL_RANKS = [{"name": "Leader", "min_personal_volume": 300,
                "unilevel_rates": [0.2, 0.1, 0.05], "unlocks_levels": 2},
               {"name": "Director", "min_personal_volume": 500, "unlocks_levels": 3}]


@pytest.mark.parametrize(("compression", "expected"), [
    # Payer 4 (100): level 1 to 3 (no rank: the component's 0.1, 10); level 2 to 2 (Leader,
    # 2 levels open: 0.1, 10); level 3 skips 1 (no rank: one level) to 0 (Director, 3 levels,
    # the Leader's rates: 0.05, 5). Payer 3 (100): 2 earns 0.2 (20); level 2 skips 1 to 0
    # (0.1, 10); level 3 is above the top (the component pays no level 3: nothing). Payer 2
    # (300): 1 earns 0.1 (30), 0 earns 0.1 (30). Payer 1 (100): 0 earns 0.2 (20). Payer 0
    # (500): level 1 above the top, 0.1 x 500 = 50.
    ("dynamic", [65.0, 30.0, 30.0, 10.0, 0.0]),
    # Compression true: the levels are counted without skipping; 1 is not paid levels 2 and
    # 3 (nothing owed), so 0 earns 0.05 on 3's volume (5) and nothing on 4's.
    (True, [55.0, 30.0, 30.0, 10.0, 0.0]),
])
def test_dynamic_compression_with_rates_by_rank(engine: str, compression: object,
                                                expected: list[float]) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1], "compression": compression}],
                      ranks=LEVEL_RANKS))
    mp = pay_with(engine, prm, [-1, 0, 1, 2, 3], customers={0: 2, 2: 1})
    assert mp.rank == [1, -1, 0, -1, -1]
    assert mp.pay["unilevel"] == expected
    assert mp.breakage["top_of_network"] == pytest.approx(50.0)
    assert mp.breakage["locked_levels"] == 0.0
    assert mp.breakage["unqualified"] == 0.0


def test_dynamic_compression_with_rates_by_rank_skips_the_unqualified(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1], "compression": "dynamic"}],
                      ranks=LEVEL_RANKS, qualification={"min_personal_volume": 200}))
    mp = pay_with(engine, prm, [-1, 0, 1, 2, 3], customers={0: 2, 2: 1})
    # Only 0 and 2 are qualified (personal volume 500 and 300). Payer 4 (100): level 1 skips
    # 3 to 2 (0.2, 20); level 2 skips 1 to 0 (0.1, 10); level 3: above the top, at the
    # component's rates (none). Payer 3: the same (20, 10). Payer 2 (300): level 1 skips 1 to
    # 0 (0.2, 60). Payer 1 (100): 0 (0.2, 20). Payer 0: level 1 above the top (50).
    assert mp.pay["unilevel"] == [100.0, 0.0, 40.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == 0.0
    assert mp.breakage["top_of_network"] == pytest.approx(50.0)


# 0 with 1 (left) and 2 (right) below it, 3 under 1 (spilled into the left leg).
BINARY_NET = [-1, 0, 0, 0]


def _binary(engine: str, component: dict[str, Any], ranks: list[dict[str, Any]],
            **month_kw: Any) -> Any:
    prm = params(plan([{"type": "binary", **component}], ranks=ranks))
    eng = ENGINES[engine]()
    net = network(prm, eng, BINARY_NET)
    m = month(prm, 4, engine=engine, **month_kw)
    return spread(eng.pay(prm, net, m), m)


def test_binary_rate_by_rank_with_team_size(engine: str) -> None:
    ranks = [{"name": "Executive", "min_team_size": 3, "binary_rate": 0.2}]
    mp = _binary(engine, {"rate": 0.1}, ranks)
    # 0 has 3 active below: Executive. Legs 200 (1 and 3) and 100 (2): 0.2 x 100 = 20.
    assert mp.rank == [0, -1, -1, -1]
    assert mp.pay["binary"] == [20.0, 0.0, 0.0, 0.0]
    mp = _binary(engine, {"rate": 0.1}, ranks, inactive=(3,))
    # Without 3, 0's team is 2: below the rank, the component's 0.1 x 100 = 10.
    assert mp.rank == [-1, -1, -1, -1]
    assert mp.pay["binary"] == [10.0, 0.0, 0.0, 0.0]


def test_binary_rate_by_rank_pays_per_cycle(engine: str) -> None:
    ranks = [{"name": "Executive", "min_team_size": 3, "binary_rate": 0.2}]
    component = {"rate": 0.1, "cycle_volume_left": 100, "cycle_volume_right": 100}
    mp = _binary(engine, component, ranks)
    # Legs 200 and 100: one 100:100 cycle at the Executive's 0.2 x 100 = 20.
    assert mp.pay["binary"] == [20.0, 0.0, 0.0, 0.0]


def test_team_size_is_a_rank_requirement(engine: str) -> None:
    ranks = [{"name": "Team", "min_team_size": 2, "monthly_bonus": 50}]
    prm = params(plan([{"type": "rank_bonus"}], ranks=ranks))
    mp = pay_with(engine, prm, CHAIN)
    # Active below: 0 has 3, 1 has 2, 2 has 1, 3 none.
    assert mp.rank == [0, 0, -1, -1]
    assert mp.pay["rank_bonus"] == [50.0, 50.0, 0.0, 0.0]
    mp = pay_with(engine, prm, CHAIN, inactive=(3,))
    assert mp.pay["rank_bonus"] == [50.0, 0.0, 0.0, 0.0]


# A product at wholesale 160 and retail 200 (20% off), bought 160 a month; a customer order
# is then volume 160. Distributors buy at 20% off retail (the same 160), Supervisors at 50%.
STAIRSTEP = [{"name": "Distributor", "discount": 0.2},
             {"name": "Supervisor", "min_group_volume": 480, "discount": 0.5}]


def _discount_plan(ranks: list[dict[str, Any]] | None = STAIRSTEP,
                   components: list[dict[str, Any]] | None = None) -> Plan:
    doc = copy.deepcopy(BASE)
    doc["costs"]["required_monthly_purchase"] = 160
    doc["products"] = [{"name": "Box", "wholesale_price": 160, "retail_price": 200}]
    doc["compensation"] = {"components": components or [{"type": "retail_margin"}]}
    if ranks:
        doc["compensation"]["ranks"] = ranks
    return Plan.from_dict(doc)


def test_discount_sets_retail_margin_and_own_purchase_price(engine: str) -> None:
    prm = params(_discount_plan())
    eng = ENGINES[engine]()
    net = network(prm, eng, CHAIN)
    m = month(prm, 4, customers={0: 1, 3: 1}, engine=engine)
    raw = eng.pay(prm, net, m)
    mp = spread(raw, m)
    # Volumes 320, 160, 160, 320; group volumes 960, 640, 480, 320: 0, 1 and 2 are
    # Supervisors, 3 a Distributor. Retail margin: 0 earns 0.5 x 200 = 100 on its customer,
    # 3 earns 0.2 x 200 = 40 (= 200 - 160, as at wholesale).
    assert mp.rank == [1, 1, 1, 0]
    assert mp.pay["retail_margin"] == [100.0, 0.0, 0.0, 40.0]
    # Own purchases: a Supervisor pays 200 x 0.5 = 100 for what costs 160 at wholesale, so
    # does not pay 60 / 160 = 0.375 of it; a Distributor pays the same 160.
    assert raw.saving is not None
    assert raw.saving.tolist() == pytest.approx([0.375, 0.375, 0.375, 0.0])


def test_without_discounts_there_is_no_saving(engine: str) -> None:
    prm = params(_discount_plan(ranks=[{"name": "Supervisor", "min_group_volume": 480}]))
    mp = ENGINES[engine]().pay(prm, network(prm, ENGINES[engine](), CHAIN),
                               month(prm, 4, engine=engine))
    assert mp.saving is None


def test_discount_lowers_costs_in_a_run() -> None:
    a = Assumptions.from_overrides({
        **BEHAVIOUR_NEUTRAL, "max_participants": 1000, "market_size": 1000,
        "initial_participants": 30, "recruit_rate": 0, "horizon_months": 6, "runs": 1,
        "monthly_churn": 0, "loss_churn_boost": 0, "customers_per_participant": 0,
        "buy_to_qualify": 0})
    half = [{"name": "Supervisor", "discount": 0.5}]  # everyone, from the first month
    for engine in ENGINE_NAMES:
        with_discount = run_once(_discount_plan(half), a, 3, engine)
        without = run_once(_discount_plan(None), a, 3, engine)
        assert with_discount.n == without.n == 30
        # 6 months of 160 bought for 100 each: 360 less per participant.
        assert (without.cost - with_discount.cost).tolist() == pytest.approx([360.0] * 30)
        assert without.company_sales - with_discount.company_sales == pytest.approx(30 * 360.0)
        assert without.purchases["required"] - with_discount.purchases["required"] == (
            pytest.approx(30 * 360.0))


def test_economics_uses_the_entry_ranks_discount() -> None:
    a = Assumptions.from_overrides({})
    p = _discount_plan([{"name": "Member", "discount": 0.5},
                        {"name": "Supervisor", "min_group_volume": 480, "discount": 0.6}])
    assert entry_discount(p) == 0.5
    base = compute_economics(_discount_plan(None), a)
    e = compute_economics(p, a)
    assert base.monthly_cost - e.monthly_cost == pytest.approx(60.0)  # 160 bought for 100
    assert e.profit_per_customer_per_month == pytest.approx(100.0)  # 0.5 x 200
    assert base.profit_per_customer_per_month == pytest.approx(40.0)
    assert e.retail_margin_fraction == pytest.approx(0.5)
    # A first rank the required purchase alone does not reach: no discount for a newcomer.
    assert entry_discount(_discount_plan(STAIRSTEP[1:])) is None
    assert compute_economics(_discount_plan(STAIRSTEP[1:]), a).monthly_cost == base.monthly_cost


def test_rank_rates_engines_agree_over_a_run() -> None:
    doc = copy.deepcopy(BASE)
    doc["products"] = [{"name": "Box", "wholesale_price": 150, "retail_price": 200}]
    doc["compensation"] = {
        "components": [{"type": "retail_margin"},
                       {"type": "unilevel", "rates": [0.05, 0.03], "compression": True},
                       {"type": "binary", "rate": 0.05, "carryover": True}],
        "ranks": [{"name": "Distributor", "discount": 0.25},
                  {"name": "Supervisor", "min_group_volume": 400, "min_team_size": 2,
                   "discount": 0.5, "unilevel_rates": [0.05, 0.05, 0.05], "binary_rate": 0.1}],
    }
    p = Plan.from_dict(doc)
    a = Assumptions.from_overrides({"max_participants": 300, "market_size": 3000,
                                    "horizon_months": 12, "runs": 1})
    ref = run_once(p, a, 7, "reference")
    vec = run_once(p, a, 7, "vectorised")
    assert ref.n == vec.n > 30
    assert np.array_equal(ref.pay, vec.pay)
    assert np.array_equal(ref.cost, vec.cost)
    assert ref.pay_by_component == pytest.approx(vec.pay_by_component)
    assert ref.company_sales == pytest.approx(vec.company_sales)
    assert (ref.best_rank == 1).any()


def test_pay_to_play_and_paid_levels_read_rates_by_rank() -> None:
    from evaluator.indicators import qualifying_purchase

    p = _discount_plan([{"name": "Member", "discount": 0.5}])
    assert qualifying_purchase(p, 0.0) == pytest.approx(100.0)  # 160 at wholesale, 100 at 50%
    assert qualifying_purchase(_discount_plan(None), 0.0) == pytest.approx(160.0)
    doc = copy.deepcopy(BASE)
    doc["compensation"] = {"components": [{"type": "unilevel", "rates": [0.1]}],
                           "ranks": [{"name": "Leader", "unilevel_rates": [0.1, 0.1, 0.1, 0.1]}]}
    from evaluator.evaluation import evaluate

    ev = evaluate(Plan.from_dict(doc), Assumptions.from_overrides(
        {"max_participants": 300, "runs": 1, "horizon_months": 6}))
    (levels,) = [i for i in ev.to_dict()["indicators"] if i["id"] == "paid_levels"]
    assert levels["value"] == 4


def test_economics_pays_a_recruit_at_the_newcomers_rank_rates() -> None:
    from evaluator.economics import entry_rank, pay_per_active_recruit

    components = [{"type": "unilevel", "rates": [0.1]}, {"type": "binary", "rate": 0.1}]
    entry = [{"name": "Member", "unilevel_rates": [0.2, 0.1], "binary_rate": 0.3},
             {"name": "Leader", "min_active_legs": 2, "unilevel_rates": [0.5]}]
    p = _discount_plan(entry, components)
    assert entry_rank(p) == 0
    # A recruit's required purchase is volume 160: 0.2 x 160 + 0.3 x 160 / 2 = 56.
    assert pay_per_active_recruit(p) == pytest.approx(56.0)
    # Without rates by rank: 0.1 x 160 + 0.1 x 160 / 2 = 24.
    assert pay_per_active_recruit(_discount_plan(None, components)) == pytest.approx(24.0)
