"""Worked examples: ranks over time and leg limits (schema v1.1), both engines.

Qualification over several months in a row, lifetime personal volume, kept ("pinned") ranks
with and without requalification, and the leg limit on group volume. Volumes as in
tests/simulation/helpers.py: every active participant's own purchase is volume 100.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.model import Plan
from evaluator.simulation import ENGINES
from evaluator.simulation.network import Params
from tests.simulation.helpers import BASE, Paid, month, network, params, plan, spread

ENGINE_NAMES = ("vectorised", "reference")
CHAIN = [-1, 0, 1]  # 0 <- 1 <- 2: participant 0's group volume is 300 with all active


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def months_with(engine_name: str, prm: Params, sponsors: list[int],
                months: list[dict[str, Any]]) -> list[tuple[Paid, list[int] | None]]:
    """Months 1, 2, ... on one network with one engine: each month's pay and title ranks."""
    eng = ENGINES[engine_name]()
    net = network(prm, eng, sponsors)
    out = []
    for t, kw in enumerate(months, 1):
        m = month(prm, len(sponsors), t=t, engine=engine_name, **kw)
        mp = eng.pay(prm, net, m)
        title = None if mp.title is None else m.spread(mp.title, fill=-1).tolist()
        out.append((spread(mp, m), title))
    return out


def bonus_plan(ranks: list[dict[str, Any]], **rules: Any) -> Params:
    """A plan paying each rank's monthly bonus, with these ranks and rank rules."""
    extra = {"rank_rules": rules} if rules else {}
    return params(plan([{"type": "rank_bonus"}], ranks=ranks, **extra))


def test_rank_needs_its_volumes_three_months_in_a_row(engine: str) -> None:
    prm = bonus_plan([{"name": "Star", "min_group_volume": 300, "qualify_months": 3,
                       "monthly_bonus": 50}])
    got = months_with(engine, prm, CHAIN, [{}, {}, {}, {"inactive": (2,)}, {"inactive": (2,)}])
    # Participant 0 meets 300 in months 1-3 (paid as Star in month 3), not in month 4 (200):
    # the streak starts again. 1 and 2 never reach 300.
    assert [p.rank for p, _ in got] == [[-1, -1, -1], [-1, -1, -1], [0, -1, -1],
                                        [-1, -1, -1], [-1, -1, -1]]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [0.0, 0.0, 50.0, 0.0, 0.0]


def test_one_month_is_v1s_rule(engine: str) -> None:
    prm = bonus_plan([{"name": "Star", "min_group_volume": 300, "monthly_bonus": 50}])
    got = months_with(engine, prm, CHAIN, [{}, {"inactive": (2,)}])
    assert [p.rank[0] for p, _ in got] == [0, -1]


def test_lifetime_personal_volume(engine: str) -> None:
    prm = bonus_plan([{"name": "Veteran", "min_lifetime_volume": 250, "monthly_bonus": 20}])
    got = months_with(engine, prm, [-1], [{}, {}, {}])
    # Own volume 100 a month: 100, 200, 300 since joining; the rank from month 3.
    assert [p.rank[0] for p, _ in got] == [-1, -1, 0]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [0.0, 0.0, 20.0]


def test_lifetime_volume_counts_customers(engine: str) -> None:
    prm = bonus_plan([{"name": "Veteran", "min_lifetime_volume": 250}])
    # Month 1: own 100 + one customer 200 = 300 already.
    got = months_with(engine, prm, [-1], [{"customers": {0: 1}}])
    assert got[0][0].rank == [0]


TWO_RANKS = [{"name": "Bronze", "min_group_volume": 200, "monthly_bonus": 10},
             {"name": "Silver", "min_group_volume": 300, "monthly_bonus": 40}]
# Month 1 everyone active: 0 is Silver (300); months 2-3 participant 2 has quit: 0 has 200.
DROP = [{}, {"inactive": (2,)}, {"inactive": (2,)}]


def test_without_pin_rank_follows_the_month(engine: str) -> None:
    got = months_with(engine, bonus_plan(TWO_RANKS), CHAIN, DROP)
    assert [p.rank[0] for p, _ in got] == [1, 0, 0]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [40.0, 10.0, 10.0]
    assert all(title is None for _, title in got)


def test_pinned_title_keeps_the_name_but_pays_the_month(engine: str) -> None:
    got = months_with(engine, bonus_plan(TWO_RANKS, pin="title"), CHAIN, DROP)
    assert [p.rank[0] for p, _ in got] == [1, 0, 0]  # paid as Bronze in months 2-3
    assert [title[0] for _, title in got] == [1, 1, 1]  # titled Silver
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [40.0, 10.0, 10.0]
    assert got[1][1] == [1, 0, -1]  # 1 was Bronze in month 1 (200), keeps it; 2 quit


def test_pinned_for_pay_is_a_floor(engine: str) -> None:
    got = months_with(engine, bonus_plan(TWO_RANKS, pin="pay"), CHAIN, DROP)
    assert [p.rank[0] for p, _ in got] == [1, 1, 1]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [40.0, 40.0, 40.0]


def test_a_pinned_rank_lapses_without_requalifying(engine: str) -> None:
    prm = bonus_plan(TWO_RANKS, pin="pay", requalify_months=2)
    got = months_with(engine, prm, CHAIN, [*DROP, {"inactive": (2,), "customers": {1: 1}}])
    # Silver last met in month 1: kept in month 2 (within 2 months), lapsed to Bronze (met in
    # month 3) in month 3; met again in month 4 (1's customer: 0's group is 100 + 300 = 400).
    assert [p.rank[0] for p, _ in got] == [1, 1, 0, 1]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [40.0, 40.0, 10.0, 40.0]


def test_pinned_rank_still_needs_personal_qualification(engine: str) -> None:
    ranks = [{"name": "Silver", "min_group_volume": 200, "monthly_bonus": 40}]
    prm = params(plan([{"type": "rank_bonus"}], ranks=ranks, rank_rules={"pin": "pay"},
                      qualification={"min_personal_volume": 100,
                                     "own_purchases_count": False}))
    got = months_with(engine, prm, CHAIN, [{"customers": {0: 1}}, {"inactive": (2,)}])
    # Own purchases do not count. Month 1: 0 has a customer (200: qualified, group 200):
    # Silver, paid. Month 2: still Silver (kept), but no customer: not qualified, the bonus is
    # breakage.
    assert [p.rank[0] for p, _ in got] == [0, 0]
    assert [p.pay["rank_bonus"][0] for p, _ in got] == [40.0, 0.0]
    assert got[1][0].breakage["unqualified"] == pytest.approx(40.0)


# 0 has two legs: 1 (with 2, and 3 under 2: leg volume 300) and 4 (100). Group volume 500.
LEGS = [-1, 0, 1, 2, 0]


@pytest.mark.parametrize(("share", "rank"), [(None, 0), (1.0, 0), (0.5, 0), (0.4, -1)])
def test_leg_limit(engine: str, share: float | None, rank: int) -> None:
    director: dict[str, Any] = {"name": "Director", "min_group_volume": 400}
    if share is not None:
        director["max_leg_share"] = share
    prm = bonus_plan([director])
    got = months_with(engine, prm, LEGS, [{}])
    # share 0.5: at most 200 from a leg: 100 own + 200 + 100 = 400, enough; share 0.4: at most
    # 160: 100 + 160 + 100 = 360, short.
    assert got[0][0].rank == [rank, -1, -1, -1, -1]


def test_leg_limit_counts_only_what_the_plan_counts(engine: str) -> None:
    # With own purchases not counted, group volume is customers' (200 each).
    director = {"name": "Director", "min_group_volume": 400, "max_leg_share": 0.5}
    prm = params(plan([{"type": "rank_bonus"}], ranks=[director],
                      qualification={"own_purchases_count": False}))
    both = months_with(engine, prm, LEGS, [{"customers": {3: 1, 4: 1}}])
    one = months_with(engine, prm, LEGS, [{"customers": {3: 2}}])
    # 200 from each leg: 400; 400 from one leg counts 200 only.
    assert both[0][0].rank[0] == 0
    assert one[0][0].rank[0] == -1



def test_leg_limit_reads_point_volume(engine: str) -> None:
    # A product of point volume 100 and business volume 10 (schema v1.1): ranks, and so the
    # leg limit, read point volume. 0's group is 500; a Director needs 450, at most 225 from a
    # leg: 100 own + 225 of leg 1's 300 + 100 = 425, short (in business volume leg 1 would be
    # 30, under the limit, and 0 a Director).
    doc = copy.deepcopy(BASE)
    doc["products"] = [{"name": "Box", "wholesale_price": 100, "retail_price": 200,
                        "volume": 100, "business_volume": 10}]
    doc["compensation"] = {"components": [{"type": "rank_bonus"}],
                           "ranks": [{"name": "Director", "min_group_volume": 450,
                                      "max_leg_share": 0.5, "monthly_bonus": 10}]}
    got = months_with(engine, params(Plan.from_dict(doc)), LEGS, [{}])
    assert got[0][0].rank == [-1, -1, -1, -1, -1]
    doc["compensation"]["ranks"][0]["max_leg_share"] = 0.6  # 270 a leg: 470, enough
    got = months_with(engine, params(Plan.from_dict(doc)), LEGS, [{}])
    assert got[0][0].rank == [0, -1, -1, -1, -1]
