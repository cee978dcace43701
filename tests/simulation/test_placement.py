"""Worked examples: first-open placement (schema v1.1 ``placement``) beside spill-over in turn.

Every example runs through both engines, placing one recruit at a time (as the helpers do)
and a month of recruits at once (as the month loop does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evaluator.simulation import ENGINES, payouts
from evaluator.simulation.network import Network, Tree
from tests.simulation.helpers import children, network, params, pay_with, plan

ENGINE_NAMES = ("vectorised", "reference")


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return request.param


def _matrix(placement: str | None, rates: list[float] | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"type": "matrix", "width": 2, "rates": rates or [0.1]}
    if placement is not None:
        c["placement"] = placement
    return c


def test_first_open_fills_level_by_level_left_to_right(engine: str) -> None:
    # 0 enrolls 1..11. Level 1: 1, 2; level 2: 3, 4 under 1 and 5, 6 under 2; level 3 left
    # to right: 7, 8 under 3, 9, 10 under 4, 11 under 5 (in turn, 8 would go under 4).
    prm = params(plan([_matrix("first_open")]))
    net = network(prm, ENGINES[engine](), [-1] + [0] * 11)
    assert net.matrix is not None
    assert children(net.matrix, 12) == {0: [1, 2], 1: [3, 4], 2: [5, 6], 3: [7, 8],
                                        4: [9, 10], 5: [11]}
    assert net.matrix.depth[:12].tolist() == [0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3]


def test_first_open_takes_a_hole_a_downline_left(engine: str) -> None:
    # 1 enrolls 3 (under 1). 0's recruits 4, 5, 6 find 0 full; the first open position on
    # level 2, left to right, is 1's second one (4), then 2's (5 and 6). In turn, 6 would go
    # under 3: 0's turn is back at 1, whose turn is at 3.
    sponsors = [-1, 0, 0, 1, 0, 0, 0]
    first = network(params(plan([_matrix("first_open")])), ENGINES[engine](), sponsors)
    turn = network(params(plan([_matrix("in_turn")])), ENGINES[engine](), sponsors)
    assert first.matrix is not None
    assert turn.matrix is not None
    assert children(first.matrix, 7) == {0: [1, 2], 1: [3, 4], 2: [5, 6]}
    assert children(turn.matrix, 7) == {0: [1, 2], 1: [3, 4], 2: [5], 3: [6]}


def test_first_open_searches_below_the_sponsor_only(engine: str) -> None:
    # 0's 1..4 fill 0 (1, 2) and 1 (3, 4); then 2 enrolls 5, 6 (under 2) and 7, which goes
    # under 5, the first open position below 2, although 3, on the same level of 0's tree
    # and further left, is open: the search starts at the sponsor.
    prm = params(plan([_matrix("first_open")]))
    net = network(prm, ENGINES[engine](), [-1, 0, 0, 0, 0, 2, 2, 2])
    assert net.matrix is not None
    assert children(net.matrix, 8) == {0: [1, 2], 1: [3, 4], 2: [5, 6], 5: [7]}


def test_unknown_placement_is_in_turn(engine: str) -> None:
    prm = params(plan([_matrix(None) | {"placement": None}]))
    net = network(prm, ENGINES[engine](), [-1] + [0] * 11)
    assert net.matrix is not None
    assert children(net.matrix, 12) == {0: [1, 2], 1: [3, 5], 2: [4, 6], 3: [7, 11], 4: [8],
                                        5: [9], 6: [10]}


def test_first_open_matrix_pay(engine: str) -> None:
    # 0 enrolls 1..8, width 2, level-1 rate 0.1 on each one's own purchase of 100.
    # First open: 1, 2 under 0; 3, 4 under 1; 5, 6 under 2; 7, 8 under 3: 0, 1, 2 and 3 earn
    # 2 x 10 = 20 each. In turn: 3, 5 under 1; 4, 6 under 2; 7 under 3 and 8 under 4: 0, 1
    # and 2 earn 20, 3 and 4 earn 10.
    sponsors = [-1] + [0] * 8
    first = pay_with(engine, params(plan([_matrix("first_open")])), sponsors)
    turn = pay_with(engine, params(plan([_matrix("in_turn")])), sponsors)
    assert first.pay["matrix"] == [20.0, 20.0, 20.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert turn.pay["matrix"] == [20.0, 20.0, 20.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0]


def test_first_open_binary(engine: str) -> None:
    # A binary places in the first open position too: 0 enrolls 1..6; 3, 4 under 1 (its
    # left and right legs), 5, 6 under 2.
    prm = params(plan([{"type": "binary", "rate": 0.1, "placement": "first_open"}]))
    net = network(prm, ENGINES[engine](), [-1] + [0] * 6)
    assert net.binary is not None
    assert children(net.binary, 7) == {0: [1, 2], 1: [3, 4], 2: [5, 6]}


def test_a_month_of_recruits_at_once(engine: str) -> None:
    # The month loop places a month's recruits in one call, in id order; a recruit may go
    # under another recruit of the same month. 0 and its 1, 2 are there; 3..9 join, sponsors
    # 0, 1, 0, 0, 0, 3, 0: 3 and 4 under 1, 5 and 6 under 2, 7 under 3, 8 (sponsor 3) under
    # 3, 9 under 4.
    prm = params(plan([_matrix("first_open")]))
    eng = ENGINES[engine]()
    net = network(prm, eng, [-1, 0, 0])
    assert net.matrix is not None
    recruits = np.arange(3, 10)
    sponsors = np.array([0, 1, 0, 0, 0, 3, 0])
    net.sponsor.attach(recruits, sponsors)
    eng.place(net.matrix, recruits, sponsors)
    assert children(net.matrix, 10) == {0: [1, 2], 1: [3, 4], 2: [5, 6], 3: [7, 8], 4: [9]}


def test_placement_is_kept_per_tree() -> None:
    prm = params(plan([_matrix("first_open"),
                       {"type": "binary", "rate": 0.1, "placement": "in_turn"}]))
    net = Network.empty(prm)
    assert net.matrix is not None
    assert net.binary is not None
    assert net.matrix.first_open
    assert not net.binary.first_open


@pytest.mark.parametrize("width", [2, 3])
@pytest.mark.parametrize(("walk_most", "few"), [(10**9, 40), (0, 40), (0, 0), (0, 10**9)])
def test_spill_over_is_the_same_a_month_at_once_or_recruit_by_recruit(
        width: int, walk_most: int, few: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-turn spill-over places a month's recruits in one call: in one step where nobody's
    recruits outnumber the free positions, else walked down one after the other (up to
    ``payouts.WALK_MOST`` recruits) or a depth at a time (a few arrivals one by one, many in
    numpy: ``payouts.FEW``). Every way, the trees are the same as with one recruit per call
    and as the reference engine's (children, counts, turn counters and depths), in months
    with and without spill-over."""
    monkeypatch.setattr(payouts, "WALK_MOST", walk_most)
    monkeypatch.setattr(payouts, "FEW", few)

    def grown(how: str) -> Tree:
        rng = np.random.default_rng(11)
        tree = Tree(4000, width)
        tree.attach(np.arange(3), np.full(3, -1))
        n = 3
        for month in range(16):  # recruits of those already placed, in id order
            size = min(n, 4000 - n) if month % 3 else min(n // 4, 4000 - n)
            sponsors = np.sort(rng.choice(n, size=size, replace=month % 3 != 0))
            recruits = np.arange(n, n + sponsors.size)
            if how == "one by one":
                for r, s in zip(recruits, sponsors, strict=True):
                    payouts.place_forced(tree, recruits[r - n:r - n + 1], np.array([s]))
            elif how == "reference":
                ENGINES["reference"]().place(tree, recruits, sponsors)
            else:
                payouts.place_forced(tree, recruits, sponsors)
            n += sponsors.size
        assert n == 4000
        return tree

    trees = [grown("month"), grown("one by one"), grown("reference")]
    assert int(trees[0].depth.max()) > 8  # recruits spilled many levels down
    for tree in trees[1:]:
        for name in ("child", "nchild", "turn", "depth", "parent"):
            assert np.array_equal(getattr(tree, name), getattr(trees[0], name)), name
