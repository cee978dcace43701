"""Enrollment packages (schema v1.1 ``costs.packages``): worked examples on both engines.

The worked-example plan (tests/simulation/helpers.py): own purchase 100 a month per active
participant, a customer is volume 200. Packages here: Basic (price 100, no volume) and Exec
(price 500, volume 400, gives the rank Director).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evaluator.assumptions import Assumptions
from evaluator.simulation import ENGINES, run_once
from evaluator.simulation.network import Packages, Params
from tests.simulation.helpers import everyone_month, network, params, plan, spread

ENGINE_NAMES = ("vectorised", "reference")
BASIC, EXEC = 0, 1
PACKAGES = [
    {"name": "Basic", "price": 100, "volume": 0, "share": 0.6},
    {"name": "Exec", "price": 500, "volume": 400, "rank": "Director"},
]
DIRECTOR = [{"name": "Director", "min_group_volume": 1_000_000, "monthly_bonus": 50}]


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def package_plan(components: list[dict[str, Any]], **costs: Any) -> Any:
    """The worked-example plan with the two packages and the Director rank."""
    return plan(components, costs={"packages": PACKAGES, **costs}, ranks=DIRECTOR)


def paid(prm: Params, engine: str, sponsors: list[int], package: list[int],
         new: tuple[int, ...], **kw: Any) -> Any:
    eng = ENGINES[engine]()
    net = network(prm, eng, sponsors)
    m = everyone_month(prm, engine, package, new=new, **kw)
    return spread(eng.pay(prm, net, m), m), m


def test_a_package_s_volume_pays_up_the_line_in_the_month_bought(engine: str) -> None:
    prm = params(package_plan([{"type": "unilevel", "rates": [0.1]}]))
    mp, m = paid(prm, engine, [-1, 0, 0], [BASIC, BASIC, EXEC], new=(1, 2))
    # 0 earns 0.1 x (1: own 100 + Basic 0) + 0.1 x (2: own 100 + Exec 400) = 10 + 50
    assert mp.pay["unilevel"] == [60.0, 0.0, 0.0]
    assert m.vk.tolist() == [0.0, 0.0, 400.0]
    assert mp.sources["unilevel"].tolist() == pytest.approx([0.0, 20.0, 40.0])
    later, m = paid(prm, engine, [-1, 0, 0], [BASIC, BASIC, EXEC], new=())
    assert later.pay["unilevel"] == [20.0, 0.0, 0.0]  # bought once: own purchases only


def test_binary_legs_count_each_package_s_volume(engine: str) -> None:
    prm = params(package_plan([{"type": "binary", "rate": 0.1, "carryover": True}]))
    mp, _ = paid(prm, engine, [-1, 0, 0], [BASIC, EXEC, BASIC], new=(1, 2))
    # 0's left leg: 1 (own 100 + Exec 400) = 500; right: 2 (own 100 + Basic 0) = 100.
    assert mp.pay["binary"] == [10.0, 0.0, 0.0]  # 0.1 x the weaker 100
    assert mp.sources["binary"].tolist() == pytest.approx([0.0, 10.0, 0.0])
    both, _ = paid(prm, engine, [-1, 0, 0], [BASIC, EXEC, EXEC], new=(1, 2))
    assert both.pay["binary"] == [50.0, 0.0, 0.0]  # 500 a side: 0.1 x 500
    assert both.sources["binary"].tolist() == pytest.approx([0.0, 10.0, 40.0])


def test_a_package_gives_its_rank_whatever_the_volume(engine: str) -> None:
    prm = params(package_plan([{"type": "rank_bonus"}]))
    # Nobody reaches Director's group volume; 1 bought Exec, which gives it.
    mp, _ = paid(prm, engine, [-1, 0, 0], [BASIC, EXEC, BASIC], new=(1, 2))
    assert mp.rank == [-1, 0, -1]
    assert mp.pay["rank_bonus"] == [0.0, 50.0, 0.0]
    later, _ = paid(prm, engine, [-1, 0, 0], [BASIC, EXEC, BASIC], new=())
    assert later.rank == [-1, 0, -1]  # held for as long as they stay active


def test_the_share_choosing_a_package_answers_to_the_rank_it_gives() -> None:
    p = package_plan([{"type": "rank_bonus"}])
    neutral = Packages.build(p, Assumptions.from_overrides({"package_load_response": 0}))
    assert neutral is not None
    assert neutral.below == ((0.6, 1.0),) * 3  # the plan's shares (Exec: the 0.4 left)
    loaded = Packages.build(p, Assumptions.from_overrides({"package_load_response": 0.5,
                                                           "member_recruit_factor": 0.1}))
    assert loaded is not None
    # Exec gives the first rank (step 1): weight 0.4 x (1 + 0.5 x factor x 1) beside Basic's
    # 0.6. A builder (factor 1): 0.6 against 0.6, so half; a member (0.1 here): 0.6 / 1.02;
    # a seller (0.3): 0.6 / 1.06.
    member, seller, builder = (b[0] for b in loaded.below)
    assert builder == pytest.approx(0.5)
    assert member == pytest.approx(0.6 / (0.6 + 0.4 * 1.05))
    assert seller == pytest.approx(0.6 / (0.6 + 0.4 * 1.15))
    u = np.array([0.1, 0.55, 0.55, 0.99])
    kinds = np.array([2, 2, 0, 0], dtype=np.int8)  # builder, builder, member, member
    assert loaded.of(u, kinds).tolist() == [BASIC, EXEC, BASIC, EXEC]
    assert loaded.loaded == (0.0, 400.0)  # Exec's price above Basic's buys a rank


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_in_a_run_each_joiner_pays_for_their_package(engine_name: str) -> None:
    p = package_plan([{"type": "unilevel", "rates": [0.1]}], enrollment_fee=50)
    values = {"market_size": 1000, "max_participants": 1000, "initial_participants": 20,
              "horizon_months": 12, "monthly_churn": 1.0, "recruit_rate": 0.5,
              "buy_to_qualify": 0.0, "member_share": 0.0, "seller_share": 0.0,
              "builder_own_products": 0.0}
    run = run_once(p, Assumptions.from_overrides(values), 3, engine_name)
    # Everyone quits at the end of their first month: cost = fee 50 + package + 100 a month.
    price = np.where(run.package == EXEC, 500.0, 100.0)
    assert set(run.package.tolist()) == {BASIC, EXEC}
    joined = run.join > 0
    assert run.cost[joined].tolist() == pytest.approx((50 + price + 100)[joined].tolist())
    exec_buyers = int((run.package == EXEC).sum())
    assert run.purchases["incentivised"] == pytest.approx(400.0 * exec_buyers)
    assert run.purchases["required"] == pytest.approx(
        100.0 * run.n + 100.0 * int(run.months_active.sum()))


def test_both_engines_agree_on_a_run_with_packages() -> None:
    p = package_plan([{"type": "unilevel", "rates": [0.1, 0.05]},
                      {"type": "binary", "rate": 0.1, "carryover": True},
                      {"type": "rank_bonus"}, {"type": "fast_start", "rates": [0.2]}])
    values = {"market_size": 1000, "max_participants": 1000, "initial_participants": 10,
              "horizon_months": 18}
    a = Assumptions.from_overrides(values)
    fast = run_once(p, a, 11, "vectorised")
    slow = run_once(p, a, 11, "reference")
    assert fast.package.tolist() == slow.package.tolist()
    assert fast.pay.tolist() == slow.pay.tolist()
    assert fast.pay_by_component == pytest.approx(slow.pay_by_component)
    assert fast.rank.tolist() == slow.rank.tolist()
