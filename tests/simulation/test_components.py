"""Worked examples: each component on a hand-built network, the expected pay written out.

Every example runs through both engines. Volumes (see helpers): own purchase 100 per active
participant; a customer is volume 200 (100 with retail_margin in the plan).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evaluator.assumptions import Assumptions
from evaluator.simulation import ENGINES, run_once
from evaluator.simulation.network import BUILDER, MonthPay, Params, month_inputs, settle
from tests.simulation.helpers import (
    children,
    month,
    network,
    params,
    pay_with,
    plan,
    spread,
)

ENGINE_NAMES = ("vectorised", "reference")

# 0 <- 1 <- 2 <- 3: a sponsor chain.
CHAIN = [-1, 0, 1, 2]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def test_retail_margin(engine: str) -> None:
    prm = params(plan([{"type": "retail_margin"}]))
    mp = pay_with(engine, prm, [-1, 0], customers={0: 3})
    assert mp.pay["retail_margin"] == [300.0, 0.0]  # 3 x (200 - 100)
    assert mp.sources["retail_margin"].tolist() == [300.0, 0.0, 0.0]


def test_retail_commission(engine: str) -> None:
    prm = params(plan([{"type": "retail_commission", "rate": 0.1}]))
    mp = pay_with(engine, prm, [-1, 0], customers={1: 2})
    assert mp.pay["retail_commission"] == [0.0, 40.0]  # 0.1 x 200 x 2


def test_enrollment_bonus_per_level(engine: str) -> None:
    prm = params(plan([{"type": "enrollment_bonus", "amounts": [50, 10, 5]}]))
    mp = pay_with(engine, prm, [-1, 0, 1], new=(2,))
    assert mp.pay["enrollment_bonus"] == [10.0, 50.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(5.0)  # no third level above 2
    assert mp.sources["enrollment_bonus"].tolist() == [0.0, 0.0, 60.0]


def test_enrollment_bonus_unqualified_upline_is_breakage(engine: str) -> None:
    prm = params(plan([{"type": "enrollment_bonus", "amounts": [50, 10]}]))
    mp = pay_with(engine, prm, [-1, 0, 1], new=(2,), inactive=(1,))
    assert mp.pay["enrollment_bonus"] == [10.0, 0.0, 0.0]  # no compression
    assert mp.breakage["unqualified"] == pytest.approx(50.0)


def test_fast_start_only_in_first_months(engine: str) -> None:
    prm = params(plan([{"type": "fast_start", "rates": [0.25], "months": 2}]))
    second = pay_with(engine, prm, [-1, 0], t=5, join={1: 4})
    assert second.pay["fast_start"] == [25.0, 0.0]  # 0.25 x own purchase 100
    third = pay_with(engine, prm, [-1, 0], t=6, join={1: 4})
    assert third.pay["fast_start"] == [0.0, 0.0]


def test_unilevel_basis_all(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05]}]))
    mp = pay_with(engine, prm, [-1, 0, 1], customers={2: 1})
    # volumes: 0 -> 100, 1 -> 100, 2 -> 100 own + 200 customer = 300
    # 1 earns 0.1 x 300 = 30; 0 earns 0.1 x 100 + 0.05 x 300 = 25
    assert mp.pay["unilevel"] == [25.0, 30.0, 0.0]
    # sources: customer volume 200 paid 0.1 + 0.05, own purchases 100 x (0.1 + 0.05) + 100 x 0.1
    assert mp.sources["unilevel"].tolist() == pytest.approx([30.0, 25.0, 0.0])


def test_unilevel_basis_customer(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05], "basis": "customer"}]))
    mp = pay_with(engine, prm, [-1, 0, 1], customers={2: 1})
    assert mp.pay["unilevel"] == [10.0, 20.0, 0.0]  # 0.05 x 200 and 0.1 x 200
    assert mp.sources["unilevel"].tolist() == pytest.approx([30.0, 0.0, 0.0])


def test_unilevel_without_compression_loses_the_level(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05]}]))
    mp = pay_with(engine, prm, CHAIN, inactive=(2,))
    # payer 3 (100): level 1 is 2 (quit: 10 is breakage), level 2 is 1 (5).
    # payer 1 (100): 0 earns 10. Payer 2 has no volume.
    assert mp.pay["unilevel"] == [10.0, 5.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(10.0)


def test_unilevel_compression_skips_unqualified(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05], "compression": True}]))
    mp = pay_with(engine, prm, CHAIN, inactive=(2,))
    # payer 3: level 1 compresses past 2 to 1 (10), level 2 is 0 (5); payer 1: 0 earns 10.
    assert mp.pay["unilevel"] == [15.0, 10.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == 0.0


def test_unilevel_depth_unlocked_by_rank(engine: str) -> None:
    ranks = [{"name": "Leader", "min_group_volume": 300, "unlocks_levels": 3}]
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.1, 0.1]}], ranks=ranks))
    mp = pay_with(engine, prm, CHAIN)
    # group volumes: 3 -> 100, 2 -> 200, 1 -> 300, 0 -> 400: 0 and 1 are Leaders (3 levels);
    # 2 is unranked: level 1 only. 0 earns 0.1 x (100 + 100 + 100) = 30; 1 earns 20; 2 earns 10.
    assert mp.rank == [0, 0, -1, -1]
    assert mp.pay["unilevel"] == [30.0, 20.0, 10.0, 0.0]


def test_qualification_min_personal_volume_and_own_purchases(engine: str) -> None:
    comp = [{"type": "unilevel", "rates": [0.1]}]
    counted = params(plan(comp, qualification={"min_personal_volume": 100}))
    mp = pay_with(engine, counted, [-1, 0])
    assert mp.pay["unilevel"] == [10.0, 0.0]  # unknown: own purchases count
    not_counted = params(plan(comp, qualification={"min_personal_volume": 100,
                                                    "own_purchases_count": False}))
    mp = pay_with(engine, not_counted, [-1, 0])
    assert mp.pay["unilevel"] == [0.0, 0.0]
    assert mp.breakage["unqualified"] == pytest.approx(10.0)
    mp = pay_with(engine, not_counted, [-1, 0], customers={0: 1})
    assert mp.pay["unilevel"] == [10.0, 0.0]  # one customer (200) qualifies 0


def test_qualification_min_retail_customers(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1]}],
                      qualification={"min_retail_customers": 2}))
    assert pay_with(engine, prm, [-1, 0], customers={0: 1}).pay["unilevel"] == [0.0, 0.0]
    assert pay_with(engine, prm, [-1, 0], customers={0: 2}).pay["unilevel"] == [10.0, 0.0]


def test_starter_kit_commissionable_is_enrollment_volume(engine: str) -> None:
    comp = [{"type": "unilevel", "rates": [0.1]}]
    prm = params(plan(comp, costs={"starter_kit": 200, "starter_kit_commissionable": True}))
    mp = pay_with(engine, prm, [-1, 0], new=(1,))
    assert mp.pay["unilevel"] == [30.0, 0.0]  # 0.1 x (own 100 + kit 200)
    assert mp.sources["unilevel"].tolist() == pytest.approx([0.0, 10.0, 20.0])
    plain = params(plan(comp, costs={"starter_kit": 200}))
    assert pay_with(engine, plain, [-1, 0], new=(1,)).pay["unilevel"] == [10.0, 0.0]


def test_matrix_spill_over_in_turn(engine: str) -> None:
    prm = params(plan([{"type": "matrix", "width": 2, "rates": [0.1]}]))
    net = network(prm, ENGINES[engine](), [-1, 0, 0, 0, 0, 0, 0, 0])
    assert net.matrix is not None
    # 1 and 2 fill 0's positions; 3 spills to 1, 4 to 2, 5 to 1, 6 to 2, then 7 goes under
    # 1's first child 3 (1's turn starts at its first position).
    assert children(net.matrix, 8) == {0: [1, 2], 1: [3, 5], 2: [4, 6], 3: [7]}
    assert net.matrix.depth[:8].tolist() == [0, 1, 1, 2, 2, 2, 2, 3]


def test_matrix_spill_over_alternates_the_lines(engine: str) -> None:
    # In turn, not level by level left to right: after 7 under 3, 8 goes down 0's second line
    # (under 4), 9 under 5, 10 under 6, and 11 under 3 again.
    prm = params(plan([{"type": "matrix", "width": 2, "rates": [0.1]}]))
    net = network(prm, ENGINES[engine](), [-1] + [0] * 11)
    assert net.matrix is not None
    assert children(net.matrix, 12) == {0: [1, 2], 1: [3, 5], 2: [4, 6], 3: [7, 11], 4: [8],
                                        5: [9], 6: [10]}


def test_matrix_pays_by_matrix_level(engine: str) -> None:
    prm = params(plan([{"type": "matrix", "width": 2, "rates": [0.1, 0.1]}]))
    mp = pay_with(engine, prm, [-1, 0, 0, 0])
    # 3 sits under 1: 1 earns 0.1 x 100 (level 1), 0 earns 0.1 x 100 x 2 (1 and 2) + 10 (3)
    assert mp.pay["matrix"] == [30.0, 10.0, 0.0, 0.0]


def test_binary_weaker_leg_spill_over_and_carry_over(engine: str) -> None:
    prm = params(plan([{"type": "binary", "rate": 0.1, "carryover": True}]))
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0, 0, 0])
    assert net.binary is not None
    assert children(net.binary, 4) == {0: [1, 2], 1: [3]}  # 3 spills into the left leg
    m = month(prm, 4, customers={3: 1}, engine=engine)
    first = spread(eng.pay(prm, net, m), m)
    # 0: left = 1 (100) + 3 (100 + 200) = 400, right = 2 (100): pays 0.1 x 100 = 10;
    # 1: left = 300, right = 0: nothing.
    assert first.pay["binary"] == [10.0, 0.0, 0.0, 0.0]
    assert net.carry is not None
    carried = net.carry.of(np.arange(4))  # (leg, source, participant)
    assert carried[0, :, 0].sum() == pytest.approx(300.0)  # stronger leg keeps 300
    assert carried[0, :, 1].sum() == pytest.approx(300.0)  # 1's left leg keeps 300
    assert not carried[1].any()  # nothing on the weaker legs
    second = spread(eng.pay(prm, net, m), m)
    # 0: left 400 + 300 carried = 700, right 100: pays 10 again, carries 600.
    assert second.pay["binary"] == [10.0, 0.0, 0.0, 0.0]
    assert net.carry.of(np.array([0]))[0, :, 0].sum() == pytest.approx(600.0)


def test_binary_monthly_cap_and_no_carry(engine: str) -> None:
    prm = params(plan([{"type": "binary", "rate": 0.1, "monthly_cap": 4}]))
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0, 0])
    m = month(prm, 3, engine=engine)
    mp = spread(eng.pay(prm, net, m), m)
    assert mp.pay["binary"] == [4.0, 0.0, 0.0]  # 0.1 x 100 = 10, capped at 4
    assert mp.breakage["binary_cap"] == pytest.approx(6.0)
    assert net.carry is not None
    assert not net.carry.of(np.arange(3)).any()


BREAKAWAY_RANKS = [
    {"name": "Associate", "differential_rate": 0.05, "monthly_bonus": 20},
    {"name": "Director", "min_group_volume": 300, "differential_rate": 0.10,
     "monthly_bonus": 100},
]


def test_breakaway_differential_and_generations(engine: str) -> None:
    prm = params(plan([{"type": "breakaway", "generation_rates": [0.04]}],
                      ranks=BREAKAWAY_RANKS))
    mp = pay_with(engine, prm, CHAIN)
    # group volumes 400, 300, 200, 100: 0 and 1 are Directors (the top rank: broken away),
    # 2 and 3 Associates. Differential on each 100 of volume, going up from its buyer:
    #   from 3: 3 earns 5, 1 earns 10 - 5 = 5;  from 2: 2 earns 5, 1 earns 5;
    #   from 1: 1 earns 10;  from 0: 0 earns 10 (0 earns nothing on 1's leg: same rate).
    # 1's breakaway group is 1 + 2 + 3 = 300: 0 earns the first-generation 0.04 x 300 = 12.
    assert mp.rank == [1, 1, 0, 0]
    assert mp.pay["breakaway"] == [22.0, 20.0, 5.0, 5.0]
    assert mp.breakage["top_of_network"] == pytest.approx(4.0)  # 0's own group: nobody above


def test_breakaway_unqualified_rate_passes_up(engine: str) -> None:
    prm = params(plan([{"type": "breakaway", "generation_rates": [0.04]}],
                      ranks=BREAKAWAY_RANKS, qualification={"min_retail_customers": 1}))
    mp = pay_with(engine, prm, [-1, 0, 1], customers={0: 1, 2: 1})
    # volumes 0: 300, 1: 100, 2: 300; group volumes 700, 400, 300: all Directors by volume.
    # 1 has no customer: unqualified, so its rate counts as 0 and the stairstep passes over it.
    # 2 earns 0.10 x 300 = 30; 0 earns 0.10 x (300 + 100) = 40 (its own and 1's volume) and
    # the first-generation royalty on 2's group (300): 0.04 x 300 = 12.
    assert mp.pay["breakaway"] == [52.0, 0.0, 30.0]


def test_rank_bonus(engine: str) -> None:
    prm = params(plan([{"type": "rank_bonus"}], ranks=BREAKAWAY_RANKS))
    mp = pay_with(engine, prm, CHAIN, customers={3: 1})
    # group volumes 600, 500, 400, 300: everyone is a Director.
    assert mp.pay["rank_bonus"] == [100.0, 100.0, 100.0, 100.0]
    mp = pay_with(engine, prm, CHAIN, inactive=(0,))
    # without 0: group volumes 300 (1), 200, 100: 1 Director, 2 and 3 Associates
    assert mp.pay["rank_bonus"] == [0.0, 100.0, 20.0, 20.0]
    assert mp.sources["rank_bonus"].sum() == pytest.approx(140.0)


def test_payout_cap_scales_company_pay_not_retail_margin() -> None:
    prm = params(plan([{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.5]}],
                      payout_cap_fraction=0.45))
    mp = MonthPay(
        pay={"retail_margin": np.array([10.0, 0.0]), "unilevel": np.array([60.0, 0.0])},
        sources={"retail_margin": np.array([10.0, 0.0, 0.0]),
                 "unilevel": np.array([0.0, 60.0, 0.0])},
        breakage={},
        rank=np.array([-1, -1]),
    )
    settled = settle(prm, mp, volume=100.0)
    # company pay 60 > 0.45 x 100 = 45: scaled by 0.75; the margin is the participant's own
    assert [a.tolist() for a in settled.amounts()] == [[55.0, 0.0], [45.0, 0.0]]
    assert settled.by_component == {"retail_margin": 10.0, "unilevel": 45.0}
    assert settled.breakage["payout_cap"] == pytest.approx(15.0)
    assert settled.sources.tolist() == [10.0, 45.0, 0.0]
    assert settled.company == 45.0


def _topped_up(engine: str, prm: Params, sponsors: list[int], **month_kw: Any) -> tuple:
    """The products each participant buys to qualify, and the month's pay after buying."""
    eng = ENGINES[engine]()
    net = network(prm, eng, sponsors)
    m = month(prm, len(sponsors), engine=engine, **month_kw)
    units = eng.top_up(prm, net, m)
    m = month_inputs(prm, eng, m.t, m.n, m.act, m.new, m.join, m.customers, units)
    return m.spread(units).tolist(), spread(eng.pay(prm, net, m), m), m


def test_buying_to_qualify(engine: str) -> None:
    # Qualifying needs personal volume 250; the required purchase gives 100 (one product of
    # volume 100 at wholesale 100). 0 and 1 each have an active recruit below them, so each
    # buys the missing 150 as whole products: ceil(150 / 100) = 2, volume 300 in all. 2's
    # only recruit (3) is inactive, so 2 does not buy and stays unqualified.
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05]}],
                      qualification={"min_personal_volume": 250}))
    units, paid, m = _topped_up(engine, prm, CHAIN, inactive=(3,))
    assert units == [2, 2, 0, 0]
    assert m.spread(m.vo).tolist() == [300.0, 300.0, 100.0, 0.0]
    assert m.spread(m.qualified).tolist() == [True, True, False, False]
    # 0: 10% of 1's 300 + 5% of 2's 100 = 35; 1: 10% of 2's 100 = 10; all own purchases.
    assert paid.pay["unilevel"] == [35.0, 10.0, 0.0, 0.0]
    assert paid.sources["unilevel"].tolist() == pytest.approx([0.0, 45.0, 0.0])


def test_buying_to_qualify_only_when_it_pays(engine: str) -> None:
    # As above (0 and 1 each short by 2 products of wholesale 100), with the pay check on. A
    # product is worth retail 200 to its user (use_worth 2) x builder_use_value 0.2 = 40, so two
    # cost 2 x (100 - 40) = 120 net. 0 was paid 150 the last month they qualified: it pays, they
    # buy. 1 was paid exactly 120: not more than the cost, they pass it up and stay unqualified.
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05]}],
                      qualification={"min_personal_volume": 250}),
                 top_up_pay_check=1, builder_use_value=0.2)
    assert prm.kinds.unit_worth[BUILDER] == pytest.approx(40.0)
    eng = ENGINES[engine]()
    net = network(prm, eng, CHAIN)
    m = month(prm, 4, engine=engine, inactive=(3,))
    m.expect = np.array([150.0, 120.0, np.nan])
    assert m.spread(eng.top_up(prm, net, m)).tolist() == [2, 0, 0, 0]
    assert eng.passed_up == 1
    # Never qualified yet (NaN): they buy, as without the check; 1 now expects 120.000001.
    m.expect = np.array([np.nan, 120.000001, 0.0])
    assert m.spread(eng.top_up(prm, net, m)).tolist() == [2, 2, 0, 0]
    assert eng.passed_up == 0
    # Worth more than they cost (builder_use_value 0.5: 100 a product, net cost 0): any pay at
    # all is worth it; qualifying that paid nothing is not.
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05]}],
                      qualification={"min_personal_volume": 250}), top_up_pay_check=1)
    m.expect = np.array([0.01, 0.0, 0.0])
    assert m.spread(eng.top_up(prm, net, m)).tolist() == [2, 0, 0, 0]


def test_buying_to_reach_a_rank(engine: str) -> None:
    # No qualification minimum, but the rank (group volume 150 and one active leg met by 0
    # and 1) needs personal volume 230: 0 and 1 buy ceil(130 / 100) = 2 products each.
    prm = params(plan([{"type": "rank_bonus"}],
                      ranks=[{"name": "Lead", "min_personal_volume": 230,
                              "min_group_volume": 150, "min_active_legs": 1,
                              "monthly_bonus": 40}]))
    units, paid, _ = _topped_up(engine, prm, CHAIN)
    assert units == [2, 2, 2, 0]
    assert paid.rank == [0, 0, 0, -1]
    assert paid.pay["rank_bonus"] == [40.0, 40.0, 40.0, 0.0]


def test_nobody_buys_when_own_purchases_do_not_count_or_nobody_chooses_to() -> None:
    p = plan([{"type": "unilevel", "rates": [0.1]}],
             qualification={"min_personal_volume": 250, "own_purchases_count": False})
    assert not params(p).tops_up
    q = plan([{"type": "unilevel", "rates": [0.1]}],
             qualification={"min_personal_volume": 250})
    assert params(q).tops_up
    assert not params(q, buy_to_qualify=0).tops_up
    half = params(q, buy_to_qualify=0.5)
    units, _, _ = _topped_up("vectorised", half, [-1] + [0] * 9 + [1, 2, 3, 4, 5, 6, 7, 8, 9])
    # 0..9 have a recruit; frac(i x 0.618...) = 0, .618, .236, .854, .472, .090, .708, .326,
    # .944, .562: below 0.5 for 0, 2, 4, 5 and 7
    assert [i for i, u in enumerate(units) if u] == [0, 2, 4, 5, 7]


def test_buying_to_qualify_is_a_cost_in_a_run() -> None:
    p = plan([{"type": "unilevel", "rates": [0.1]}],
             qualification={"min_personal_volume": 250})
    a = {"max_participants": 1000, "market_size": 1000, "initial_participants": 30,
         "recruit_rate": 0.5, "horizon_months": 6, "runs": 1, "monthly_churn": 0,
         "loss_churn_boost": 0, "customers_per_participant": 0}
    buying = run_once(p, Assumptions.from_overrides(a), 3)
    not_buying = run_once(p, Assumptions.from_overrides({**a, "buy_to_qualify": 0}), 3)
    assert buying.n == not_buying.n  # same draws, same network
    extra = buying.cost - not_buying.cost
    assert (extra >= 0).all()
    assert extra.sum() > 0
    assert (extra % 100 == 0).all()  # whole products at wholesale 100
    assert buying.pay_by_component["unilevel"] > not_buying.pay_by_component["unilevel"] == 0


def test_buying_to_qualify_stops_once_it_did_not_pay(engine: str) -> None:
    # Qualifying pays 0.1% of a downline's volume: a few cents against 2 products at a net cost
    # of 100 - 40 = 60 each. Everyone buys before their first qualified month (never qualified
    # yet), learns what it paid, and never buys again: at most one top-up per participant. With
    # the check off (engine 0.3.0) the same people buy month after month.
    p = plan([{"type": "unilevel", "rates": [0.001]}],
             qualification={"min_personal_volume": 250})
    a = {"max_participants": 300, "market_size": 1000, "initial_participants": 30,
         "recruit_rate": 0.5, "horizon_months": 8, "runs": 1, "monthly_churn": 0,
         "loss_churn_boost": 0, "customers_per_participant": 0, "member_share": 0,
         "seller_share": 0, "builder_use_value": 0.2, "builder_own_products": 0}
    checked = run_once(p, Assumptions.from_overrides({**a, "top_up_pay_check": 1}), 5, engine)
    unchecked = run_once(p, Assumptions.from_overrides({**a, "top_up_pay_check": 0}), 5, engine)
    count, money = checked.top_ups
    assert 0 < count <= checked.n
    assert money == pytest.approx(count * 200.0)
    assert unchecked.top_ups[0] > checked.n >= count
    assert checked.top_ups_passed > 0 == unchecked.top_ups_passed
    assert checked.top_ups_by_kind[BUILDER] == (count, money)
    # The worth of what they bought (40 a product) is credited to them; with the check off, not.
    assert checked.use_credit.sum() == pytest.approx(count * 2 * 40.0)
    assert unchecked.use_credit.sum() == 0


# ------------------------------------------------------------ binary cycles (schema v1.1)
# 0 with 1 (left) and 2 (right) below it, and 3 under 1; 2 has 2 customers. Legs of 0:
# left = 1 (100) + 3 (100) = 200 own-purchase volume; right = 2 (100 own + 2 x 200) = 500.
CYCLE_NET = [-1, 0, 0, 0]
RIGHT_CUSTOMERS = {2: 2}


def _binary_months(engine: str, component: dict[str, Any], months: int = 1,
                   **compensation: Any) -> tuple[list[Any], np.ndarray]:
    """Pay for ``months`` months of the same volumes, and the carry-over at the end."""
    prm = params(plan([{"type": "binary", **component}], **compensation))
    eng = ENGINES[engine]()
    net = network(prm, eng, CYCLE_NET)
    m = month(prm, 4, customers=RIGHT_CUSTOMERS, engine=engine)
    paid = [spread(eng.pay(prm, net, m), m) for _ in range(months)]
    assert net.carry is not None
    return paid, net.carry.of(np.arange(4))


def test_binary_one_to_two_cycles_pay_a_fixed_amount_and_carry_the_remainder(
        engine: str) -> None:
    paid, carried = _binary_months(engine, {"cycle_volume_left": 100,
                                            "cycle_volume_right": 200, "cycle_pay": 25,
                                            "carryover": True}, months=2)
    # Month 1, 0: min(200 // 100, 500 // 200) = 2 cycles x 25 = 50; they use 200 left and
    # 400 right, so 0 carries 0 left and 100 right. 1: left 100, no right: no cycle.
    assert paid[0].pay["binary"] == [50.0, 0.0, 0.0, 0.0]
    assert paid[0].sources["binary"].tolist() == pytest.approx([0.0, 50.0, 0.0])  # left: own
    # Month 2, 0: left 200, right 500 + 100 = 600: min(2, 3) = 2 cycles, 50; right keeps 200.
    assert paid[1].pay["binary"] == [50.0, 0.0, 0.0, 0.0]
    assert carried[0, :, 0].sum() == pytest.approx(0.0)
    assert carried[1, :, 0].sum() == pytest.approx(200.0)
    assert carried[0, :, 1].sum() == pytest.approx(200.0)  # 1's left leg: 100 a month


def test_binary_cycle_rate_pays_on_whole_cycles_and_the_carry_cap_cuts_the_rest(
        engine: str) -> None:
    paid, carried = _binary_months(engine, {"rate": 0.1, "cycle_volume_left": 150,
                                            "cycle_volume_right": 150, "carryover": True,
                                            "carry_cap": 150})
    # 0: min(200 // 150, 500 // 150) = 1 cycle x 0.1 x 150 = 15 (the weaker-leg rule would
    # pay 0.1 x 200 = 20). Left keeps 50; right keeps 350, capped at 150.
    assert paid[0].pay["binary"] == [15.0, 0.0, 0.0, 0.0]
    assert paid[0].sources["binary"].tolist() == pytest.approx([0.0, 15.0, 0.0])
    assert carried[0, :, 0].sum() == pytest.approx(50.0)
    # The right leg's 350 is 4/5 customer volume, 1/5 own: 150 kept in the same shares.
    assert carried[1, :, 0].tolist() == pytest.approx([120.0, 30.0, 0.0])


def test_binary_cycle_pay_is_capped_monthly(engine: str) -> None:
    paid, _ = _binary_months(engine, {"cycle_volume_left": 100, "cycle_volume_right": 100,
                                      "cycle_pay": 30, "monthly_cap": 40})
    # 0: min(2, 5) = 2 cycles x 30 = 60, capped at 40.
    assert paid[0].pay["binary"] == [40.0, 0.0, 0.0, 0.0]
    assert paid[0].breakage["binary_cap"] == pytest.approx(20.0)


@pytest.mark.parametrize(("legs", "breakage", "left", "right"), [
    (None, 20.0, 0.0, 300.0),  # v1: matched as if qualified, the pay lost, the rest carried
    ("carry", 0.0, 200.0, 500.0),  # nothing matched, both legs kept whole
    ("flush", 20.0, 0.0, 0.0),  # both legs lost
])
def test_binary_an_unqualified_members_volume_carries_or_flushes(
        engine: str, legs: str | None, breakage: float, left: float, right: float) -> None:
    component: dict[str, Any] = {"rate": 0.1, "carryover": True}
    if legs is not None:
        component["unqualified_legs"] = legs
    # Personal volume 150 to qualify: only 2 (100 own + 400 customers) qualifies.
    paid, carried = _binary_months(engine, component,
                                   qualification={"min_personal_volume": 150})
    assert paid[0].pay["binary"] == [0.0, 0.0, 0.0, 0.0]
    assert paid[0].breakage["unqualified"] == pytest.approx(breakage)
    assert carried[0, :, 0].sum() == pytest.approx(left)
    assert carried[1, :, 0].sum() == pytest.approx(right)
    # 1 (unqualified, left 100, no right): carries 100 unless its legs are flushed.
    assert carried[0, :, 1].sum() == pytest.approx(0.0 if legs == "flush" else 100.0)


def test_unilevel_dynamic_compression_skips_locked_uplines(engine: str) -> None:
    # Only 0 reaches Leader (group 400): 2 levels open; 1 and 2 have level 1 only.
    ranks = [{"name": "Leader", "min_group_volume": 400, "unlocks_levels": 2}]
    dynamic = params(plan([{"type": "unilevel", "rates": [0.1, 0.1], "compression": "dynamic"}],
                          ranks=ranks))
    mp = pay_with(engine, dynamic, CHAIN)
    # payer 3: level 1 to 2 (10); level 2 skips 1 (level 2 locked) to 0 (10). payer 2: 1 and
    # 0 (10 each); payer 1: 0 (10), level 2 above the top; payer 0: both levels above the top.
    assert mp.pay["unilevel"] == [30.0, 10.0, 10.0, 0.0]
    assert mp.breakage["locked_levels"] == 0.0
    assert mp.breakage["top_of_network"] == pytest.approx(30.0)
    plain = params(plan([{"type": "unilevel", "rates": [0.1, 0.1], "compression": True}],
                        ranks=ranks))
    mp = pay_with(engine, plain, CHAIN)
    # compression true: payer 3's level 2 reaches 1, who has it locked: breakage.
    assert mp.pay["unilevel"] == [20.0, 10.0, 10.0, 0.0]
    assert mp.breakage["locked_levels"] == pytest.approx(10.0)


def test_unilevel_dynamic_compression_skips_unqualified_uplines(engine: str) -> None:
    prm = params(plan([{"type": "unilevel", "rates": [0.1, 0.05], "compression": "dynamic"}]))
    mp = pay_with(engine, prm, CHAIN, inactive=(2,))
    # no rank unlocks levels: as compression true. payer 3: 1 (10), 0 (5); payer 1: 0 (10).
    assert mp.pay["unilevel"] == [15.0, 10.0, 0.0, 0.0]
    assert mp.breakage["unqualified"] == 0.0
