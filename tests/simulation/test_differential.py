"""Differential tests: the vectorised engine against the reference oracle.

Placement is compared exactly. For whole runs, everything per participant is compared
exactly (join and quit months, recruits, ranks, costs and pay: each participant's monthly pay
is rounded to a millionth by shared code, so the engines must agree to the last digit). The
company-wide totals (pay by component and by source, breakage, payout) are sums the engines
add in different orders: they are compared with rtol 1e-9 (atol 1e-9 for amounts that
should be zero), and so are the summaries. Each engine's own qualification and the unilevel
levels each rank opens are also compared on their own.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from evaluator.simulation import run_once, simulate
from evaluator.simulation.network import NO_RANK, Carry, Params, RunData, Tree
from evaluator.simulation.payouts import ALL_LEVELS, Rolled, VectorisedEngine, unlock_table
from evaluator.simulation.reference import ReferenceEngine
from tests.simulation.strategies import sim_plans, small_assumptions
from tests.strategies import valid_plans


def _close(a: object, b: object) -> bool:
    """Equal, with floats within rtol 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9)
    return a == b


def _assert_same_run(plan: Plan, assumptions: Assumptions, seed: int) -> tuple[RunData, RunData]:
    """Both engines' runs of ``plan``, checked to agree; returned for further checks."""
    v = run_once(plan, assumptions, seed, "vectorised")
    r = run_once(plan, assumptions, seed, "reference")
    assert v.n == r.n
    for name in ("join", "left", "months_active", "recruits", "rank", "pay", "cost", "kind",
                 "use_credit"):
        np.testing.assert_array_equal(getattr(v, name), getattr(r, name), err_msg=name)
    for why in v.purchases:
        assert v.purchases[why] == pytest.approx(r.purchases[why], rel=1e-9, abs=1e-9), why
    assert v.pay_by_component.keys() == r.pay_by_component.keys()
    for kind in v.pay_by_component:
        assert v.pay_by_component[kind] == pytest.approx(r.pay_by_component[kind], rel=1e-9,
                                                          abs=1e-9)
    assert v.company_pay == pytest.approx(r.company_pay, rel=1e-9)
    np.testing.assert_allclose(v.pay_sources, r.pay_sources, rtol=1e-9, atol=1e-9)
    assert v.breakage.keys() == r.breakage.keys()
    for cause in v.breakage:
        np.testing.assert_allclose(v.breakage[cause], r.breakage[cause], rtol=1e-9, atol=1e-9,
                                   err_msg=cause)
    assert v.timeline_ever == r.timeline_ever
    assert v.timeline_active == r.timeline_active
    return v, r


@settings(max_examples=60, deadline=None)
@given(plan=sim_plans(), assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_random_plans(plan: Plan, assumptions: Assumptions, seed: int) -> None:
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(binary_cycles=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_binary_cycles(plan: Plan, assumptions: Assumptions, seed: int) -> None:
    assert plan.compensation.component("binary").binary_rules
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(using=("unilevel", "binary"), by_rank=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_rates_by_rank(plan: Plan, assumptions: Assumptions,
                                        seed: int) -> None:
    assert plan.schema_version == "1.1" or not any(
        r.discount is not None or r.unilevel_rates or r.binary_rate is not None
        or r.min_team_size for r in plan.compensation.ranks)
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(ranks_over_time=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_ranks_over_time(plan: Plan, assumptions: Assumptions,
                                          seed: int) -> None:
    assert plan.compensation.ranks
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(dynamic_compression=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_dynamic_compression(plan: Plan, assumptions: Assumptions,
                                              seed: int) -> None:
    assert plan.compensation.component("unilevel").compression == "dynamic"
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(dynamic_compression=True, by_rank=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_dynamic_compression_with_rates_by_rank(
        plan: Plan, assumptions: Assumptions, seed: int) -> None:
    assert plan.compensation.component("unilevel").compression == "dynamic"
    assert any(r.unilevel_rates is not None for r in plan.compensation.ranks)
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=st.one_of(sim_plans(breakaway_legs=True),
                      sim_plans(breakaway_legs=True, ranks_over_time=True)),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_breakaway_legs_left_out(plan: Plan, assumptions: Assumptions,
                                                  seed: int) -> None:
    assert not plan.compensation.component("breakaway").breakaway_legs_in_group_volume
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(first_open=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_first_open_placement(plan: Plan, assumptions: Assumptions,
                                               seed: int) -> None:
    forced = [plan.compensation.component(t) for t in ("matrix", "binary")]
    assert any(c is not None and c.placement == "first_open" for c in forced)
    _assert_same_run(plan, assumptions, seed)


@settings(max_examples=25, deadline=None)
@given(doc=valid_plans(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_any_valid_plan(doc: dict, seed: int) -> None:
    assumptions = Assumptions.from_overrides({
        "max_participants": 150, "market_size": 1000, "initial_participants": 30,
        "recruit_rate": 0.5, "horizon_months": 12, "runs": 1,
    })
    _assert_same_run(Plan.from_dict(doc), assumptions, seed)


@settings(max_examples=80, deadline=None)
@given(
    width=st.integers(2, 5),
    founders=st.integers(1, 3),
    batches=st.lists(st.lists(st.integers(0, 10**6), min_size=1, max_size=12), max_size=6),
)
def test_placement_agrees(width: int, founders: int, batches: list[list[int]]) -> None:
    """Batches of recruits with sponsors among those already placed, as in a month."""
    trees = {"v": Tree(200, width), "r": Tree(200, width)}
    tops = np.arange(founders)
    for t in trees.values():
        t.attach(tops, np.full(founders, -1))
    n = founders
    for batch in batches:
        sponsors = np.sort(np.array([x % n for x in batch]))
        recruits = np.arange(n, n + sponsors.size)
        VectorisedEngine().place(trees["v"], recruits, sponsors)
        ReferenceEngine().place(trees["r"], recruits, sponsors)
        n += sponsors.size
    v, r = trees["v"], trees["r"]
    for name in ("parent", "depth", "child", "nchild", "turn"):
        np.testing.assert_array_equal(getattr(v, name)[:n], getattr(r, name)[:n], err_msg=name)
    assert (v.nchild[:n] <= width).all()
    assert v.attached == r.attached == n


def test_sample_plans_agree_end_to_end(sample_paths: list) -> None:
    assumptions = Assumptions.from_overrides({
        "max_participants": 400, "market_size": 4000, "initial_participants": 100,
        "recruit_rate": 0.3, "horizon_months": 24, "runs": 2,
    })
    for path in sample_paths:
        plan = Plan.from_bytes(path.read_bytes())
        v = simulate(plan, assumptions, 11, "vectorised").to_dict()
        r = simulate(plan, assumptions, 11, "reference").to_dict()
        assert v.pop("engine") == "vectorised"
        assert r.pop("engine") == "reference"
        assert _close(v, r), path.name


@settings(max_examples=80, deadline=None)
@given(
    founders=st.integers(1, 3),
    batches=st.lists(st.lists(st.integers(0, 10**6), min_size=1, max_size=10), max_size=6),
)
def test_roll_up_gives_every_subtree_total(founders: int,
                                           batches: list[list[int]]) -> None:
    """Batches may hang recruits under recruits of the same batch, as spill-over does."""
    tree = Tree(200, keep_levels=True)
    tree.attach(np.arange(founders), np.full(founders, -1))
    n = founders
    for batch in batches:
        parents = np.array([x % (n + i) for i, x in enumerate(batch)])  # may be in the batch
        tree.attach(np.arange(n, n + parents.size), parents)
        n += parents.size
    assert tree.attached == n
    assert sorted(np.concatenate(tree.levels).tolist()) == list(range(n))
    values = np.arange(n, dtype=np.int64) ** 2 + 1
    totals = values.copy()
    tree.roll_up(totals)
    kids: dict[int, list[int]] = {}
    for i in range(n):
        kids.setdefault(int(tree.parent[i]), []).append(i)

    def below(i: int) -> set[int]:
        out = {i}
        for k in kids.get(i, []):
            out |= below(k)
        return out

    for i in range(n):
        assert totals[i] == sum(int(values[j]) for j in below(i))
        if tree.parent[i] >= 0:
            assert tree.depth[i] == tree.depth[tree.parent[i]] + 1


@settings(max_examples=60, deadline=None)
@given(
    founders=st.integers(1, 3),
    parents=st.lists(st.integers(0, 10**6), min_size=1, max_size=60),
    active=st.lists(st.booleans(), min_size=63, max_size=63),
)
def test_pruned_levels_keep_the_totals_of_live_subtrees(founders: int, parents: list[int],
                                                        active: list[bool]) -> None:
    """After dropping the subtrees with nobody active, roll-ups still give every live
    subtree its total (the sponsor tree's case: values only on the active)."""
    n = founders + len(parents)
    tree = Tree(100, keep_levels=True)
    tree.attach(np.arange(founders), np.full(founders, -1))
    tree.attach(np.arange(founders, n),
                np.array([x % (founders + i) for i, x in enumerate(parents)]))
    on = np.array(active[:n])
    people = on.astype(np.int64)
    tree.roll_up(people)
    alive = people > 0
    tree.prune(alive)
    held = np.concatenate(tree.levels)
    assert set(held.tolist()) >= set(np.flatnonzero(alive).tolist())
    if held.size < n:
        assert not people[np.setdiff1d(np.arange(n), held)].any()
    values = np.where(on, np.arange(n) + 1, 0)
    totals = values.copy()
    tree.roll_up(totals)
    for i in np.flatnonzero(alive):
        below, frontier = {int(i)}, [int(i)]
        while frontier:
            kids = [j for j in range(n) if tree.parent[j] in frontier]
            below.update(kids)
            frontier = kids
        assert totals[i] == sum(int(values[j]) for j in below)


@settings(max_examples=40, deadline=None)
@given(
    parents=st.lists(st.integers(0, 10**6), min_size=1, max_size=40),
    big=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_packed_roll_up_equals_one_column_at_a_time(parents: list[int], big: bool,
                                                    seed: int) -> None:
    """Counts packed side by side in one integer roll up to exactly the totals each column
    gets on its own; columns too large to share an integer are rolled up apart."""
    n = 1 + len(parents)
    tree = Tree(100, keep_levels=True)
    tree.attach(np.arange(1), np.full(1, -1))
    tree.attach(np.arange(1, n), np.array([x % i for i, x in enumerate(parents, start=1)]))
    rng = np.random.default_rng(seed)
    act = np.sort(rng.choice(n, size=rng.integers(1, n + 1), replace=False))
    # (counts, one each as a constant, yes/no as booleans, counts)
    columns = [rng.integers(0, 50, act.size), 1, rng.random(act.size) < 0.5,
               rng.integers(0, 3, act.size)]
    if big:  # a total of 63 bits: the first three share an integer, the last has its own
        columns[3][0] = 2**62
    rolled = Rolled.up(tree, n, act, columns)
    assert len(rolled.arrays) == (2 if big else 1)
    ids = np.concatenate((act, [-1]))
    out = np.empty((len(columns), ids.size), dtype=np.int64)
    rolled.columns(ids, out)
    for k, c in enumerate(columns):
        alone = np.zeros(n, dtype=np.int64)
        alone[act] = c
        tree.roll_up(alone)
        assert np.array_equal(rolled.column(k)[:n], alone), k
        assert np.array_equal(rolled.column(k, act), alone[act]), k
        assert rolled.column(k, np.array([-1])).tolist() == [0], k  # no participant: none
        assert np.array_equal(out[k], np.append(alone[act], 0)), k  # all columns at once


def test_columns_too_wide_for_one_integer_share_as_few_as_fit() -> None:
    """Five columns of 21 bits each (a month of a million people by kind needs about that) pack
    into two integers, three and two, not one array per column: a roll-up costs per array."""
    tree = Tree(10, keep_levels=True)
    tree.attach(np.arange(1), np.full(1, -1))
    tree.attach(np.arange(1, 4), np.array([0, 0, 1]))
    act = np.arange(4)
    columns = [np.array([2**20, 1, 2, 3]) + k for k in range(5)]
    rolled = Rolled.up(tree, 4, act, columns)
    assert [layout[0] for layout in rolled.layout] == [0, 0, 0, 1, 1]
    for k, c in enumerate(columns):  # subtrees: 0 holds all, 1 holds 1 and 3
        assert rolled.column(k, act).tolist() == [int(c.sum()), c[1] + c[3], c[2], c[3]]


@settings(max_examples=40, deadline=None)
@given(kept=st.sets(st.integers(0, 60)), asked=st.sets(st.integers(0, 60)))
def test_carry_reads_what_was_kept_and_zero_for_the_rest(kept: set[int],
                                                         asked: set[int]) -> None:
    """The compact carry-over gives each asked id the volume kept for it, else zeros."""
    carry = Carry()
    assert not carry.of(np.array(sorted(asked), dtype=np.int64)).any()
    ids = np.array(sorted(kept), dtype=np.int64)
    volume = np.arange(6 * ids.size, dtype=float).reshape(2, 3, ids.size) + 1
    carry.keep(ids, volume)
    dense = np.zeros((2, 3, 61))
    dense[:, :, ids] = volume
    wanted = np.array(sorted(asked), dtype=np.int64)
    assert np.array_equal(carry.of(wanted), dense[:, :, wanted])


@settings(max_examples=60, deadline=None)
@given(
    plan=sim_plans(),
    customers=st.lists(st.integers(0, 4), min_size=1, max_size=30),
    own=st.sampled_from([0.0, 20.0, 38.0, 100.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_engines_qualify_alike(plan: Plan, customers: list[int], own: float,
                               seed: int) -> None:
    """Each engine's own personal volume and qualification, on the same month's volumes."""
    prm = Params.build(plan, Assumptions.from_overrides({"max_participants": 100}))
    rng = np.random.default_rng(seed)
    c = np.array(customers, dtype=np.int64)
    vc = c * prm.order_volume
    vo = own + rng.integers(0, 3, c.size) * prm.unit_volume
    vk = np.where(rng.random(c.size) < 0.3, prm.kit_volume, 0.0)
    pv_v, q_v = VectorisedEngine().qualify(prm, c, vc, vo, vk)
    pv_r, q_r = ReferenceEngine().qualify(prm, c, vc, vo, vk)
    np.testing.assert_array_equal(pv_v, pv_r)
    np.testing.assert_array_equal(q_v, q_r)


@settings(max_examples=60, deadline=None)
@given(plan=sim_plans())
def test_engines_open_the_same_unilevel_levels(plan: Plan) -> None:
    """The vectorised engine's table of levels by rank against the reference's own rule."""
    prm = Params.build(plan, Assumptions.from_overrides({"max_participants": 100}))
    table = unlock_table(prm)
    for held in range(NO_RANK, len(prm.ranks)):
        opened = ReferenceEngine._levels_open(prm, held)
        assert (ALL_LEVELS if opened is None else opened) == table[held + 1]


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(with_packages=True), assumptions=small_assumptions(),
       seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_random_plans_with_packages(plan: Plan, assumptions: Assumptions,
                                                     seed: int) -> None:
    assert plan.costs.packages
    v, r = _assert_same_run(plan, assumptions, seed)
    np.testing.assert_array_equal(v.package, r.package)
    assert (v.package >= 0).all()
    assert (v.package < len(plan.costs.packages)).all()


@settings(max_examples=40, deadline=None)
@given(plan=sim_plans(using=("retail_margin", "unilevel", "binary"), package_ranks=True),
       assumptions=small_assumptions(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_packages_whose_ranks_carry_rates(plan: Plan, assumptions: Assumptions,
                                                           seed: int) -> None:
    # Rule 4 of issue 19: a package's rank brings its discount and rates from joining; buying
    # to qualify counts a discount reached (issue 18).
    assert any(p.rank is not None for p in plan.costs.packages)
    _assert_same_run(plan, assumptions, seed)
