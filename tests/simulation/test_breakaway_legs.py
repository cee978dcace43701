"""Worked examples: breakaway legs left out of group volume (schema v1.1), both engines.

The breakaway's ``breakaway_legs_in_group_volume`` false: once someone in the downline is
qualified at the top rank (has broken away), their group's volume no longer counts toward
the group volume of anyone above them; the breakaway's generation royalties pay on it
instead. Volumes as in tests/simulation/helpers.py: every active participant's own purchase
is volume 100, a customer 200; everyone is qualified.
"""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.simulation.network import Params
from tests.simulation.helpers import params, pay_with, plan

ENGINE_NAMES = ("vectorised", "reference")


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def breakaway(counted: bool | None, director: dict[str, Any] | None = None) -> Params:
    """Manager (group 300, 5%) and Director (group 500, 10%, the top: breaks away), a 5%
    first-generation royalty; breakaway legs counted or not (None: the field left out)."""
    component: dict[str, Any] = {"type": "breakaway", "generation_rates": [0.05]}
    if counted is not None:
        component["breakaway_legs_in_group_volume"] = counted
    ranks = [{"name": "Manager", "min_group_volume": 300, "differential_rate": 0.05},
             {"name": "Director", "min_group_volume": 500, "differential_rate": 0.1,
              **(director or {})}]
    return params(plan([component], ranks=ranks))


# 0 has two legs: 1 (with 2, 3 and 4 below it; 1 has a customer: personal volume 300, group
# 600) and 5 (with 6: group 200). 0's whole group volume is 100 + 600 + 200 = 900.
TWO_LEGS = [-1, 0, 1, 1, 1, 0, 5]


@pytest.mark.parametrize("share", [None, 0.5])
def test_a_leg_that_broke_away_leaves_the_uplines_group_volume(engine: str,
                                                               share: float | None) -> None:
    director = {} if share is None else {"max_leg_share": share}
    mp = pay_with(engine, breakaway(False, director), TWO_LEGS, customers={1: 1})
    # 1 is a Director (600): broken away. 0 counts 100 + 200 = 300 without 1's leg: Manager.
    # (With a 50% leg limit, 250 a leg: 1's leg counts nothing either way.)
    assert mp.rank == [0, 1, -1, -1, -1, -1, -1]
    # 1 earns 10% of its group's 600 (60); 0, a Manager, earns 5% of its own group's 300 (15)
    # and nothing on 1's (5% is below 1's 10%); no Director above 1 for the royalty on 1's
    # group: 5% x 600 = 30 above the top of the network.
    assert mp.pay["breakaway"] == [15.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(30.0)


@pytest.mark.parametrize("counted", [None, True])
def test_by_default_every_leg_counts(engine: str, counted: bool | None) -> None:
    mp = pay_with(engine, breakaway(counted), TWO_LEGS, customers={1: 1})
    # 0's group volume is 900: a Director too. 0 earns 10% of its own group's 300 (30) and
    # the first-generation royalty on 1's 600 (30).
    assert mp.rank == [1, 1, -1, -1, -1, -1, -1]
    assert mp.pay["breakaway"] == [60.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(15.0)  # 0's 300 has no one above


# 0 <- 1 <- 2; 2 has four personal recruits 3..6 (group 500); 1 has 7 and 8 as well (whole
# group 800); 0 has 9, with 10 under it (200): 0's whole group is 1100.
DEEP = [-1, 0, 1, 2, 2, 2, 2, 1, 1, 0, 9]


def test_ranks_are_decided_from_the_bottom_up(engine: str) -> None:
    mp = pay_with(engine, breakaway(False), DEEP)
    # 2 (500) is a Director: broken away. 1 counts 800 - 500 = 300: a Manager, so it has not
    # broken away and its 300 counts toward 0, though 2's 500 does not: 0 counts
    # 100 + 300 + 200 = 600, a Director.
    assert mp.rank == [1, 0, 1, -1, -1, -1, -1, -1, -1, -1, -1]
    # 2 earns 10% of its 500 (50). On 1's 300 (1, 7, 8), 1 earns 5% (15) and 0 the
    # difference, 5% (15); 0 earns 10% of 0, 9, 10's 300 (30). Royalties: 0 is the first
    # Director above 2 (5% x 500 = 25); 0's group (1, 7, 8 and 0, 9, 10: 600) has nobody
    # above: 5% x 600 = 30 above the top.
    assert mp.pay["breakaway"] == [70.0, 15.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(30.0)


def test_deep_network_with_every_leg_counted(engine: str) -> None:
    mp = pay_with(engine, breakaway(True), DEEP)
    # 0 (1100), 1 (800) and 2 (500) are all Directors. 2 earns 50, 1 10% of its own 300 (30)
    # and the royalty on 2's 500 (25), 0 10% of its own 300 (30) and the royalty on 1's 300
    # (15); 0's 300 has nobody above (15).
    assert mp.rank == [1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1]
    assert mp.pay["breakaway"] == [45.0, 55.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert mp.breakage["top_of_network"] == pytest.approx(15.0)
