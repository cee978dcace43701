"""The vectorised engine: qualification, buying to qualify, placement and payouts.

Every component is worked out with whole-array operations.

No per-participant Python loop: uplines are reached by jumping through parent arrays one level
at a time over all payers at once, pay (and what is not paid, by cause) is gathered with one
``np.bincount``, subtree totals roll up the tree level by level (several small counts packed
into one integer), and "nearest qualified upline" arrays are filled top-down, depth level by
depth level. Pay arrays cover the active participants only (the only ones who can be paid).
In a big month the independent parts (forced-tree placement, the binary tree's counts, the
components) run side by side on threads (:mod:`evaluator.simulation.sharing`); the results
do not depend on it. Each rule is documented once, in
:mod:`evaluator.simulation.reference`, which computes the same rules participant by
participant; the differential tests hold the two to the same results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from evaluator.model import Component
from evaluator.simulation import sharing
from evaluator.simulation.network import (
    GATE_CAUSE,
    GOLDEN,
    MAX_TOP_UP,
    MEMBER,
    NO_RANK,
    PREFERRED,
    PRUNE_AT,
    SELLER,
    STAYS,
    UNGATED,
    UNMATCHED,
    Carry,
    Month,
    MonthPay,
    Network,
    Params,
    RankHistory,
    Tree,
    count_volumes,
    needed_rank,
    new_breakage,
    ordered_enough,
    own_use_products,
    reaches,
    round_pay,
    whole_cycles,
)

T = TypeVar("T")

ALL_LEVELS = 100  # more than any plan pays (the schema allows 12 levels)

# Components in the order they are handed to threads: the costliest first, so the parts
# of a month finish close together.
COSTLIEST_FIRST = ("binary", "unilevel", "matrix", "breakaway", "fast_start",
                   "enrollment_bonus")
# Components whose payers are split into this many parts (each a task of its own) in a month
# of at least PARALLEL_MIN active participants, whatever the thread count, so the results
# never depend on it: the matrix is the one big task that needs no shared preparation.
PARTS = {"matrix": 2}


# Components paid on the month's pay of the others, once those are worked out.
PAID_LAST = ("matching_bonus",)

# The spare pay slots after the active participants, in order: an upline who is not
# eligible, a level above the top of the tree, a level the upline's rank has not opened.
NOT_PAID = ("unqualified", "top_of_network", "locked_levels")


def company_mix(m: Month) -> np.ndarray:
    """Shares of the month's commissionable volume from (customers, own purchases, kits).

    Rank bonuses are paid for volume, not for any one sale, so they are attributed to the
    sources in these shares; with no volume at all they count as own purchases.
    """
    totals = np.array([m.vc.sum(), m.vo.sum(), m.vk.sum()])
    whole = totals.sum()
    return totals / whole if whole > 0 else np.array([0.0, 1.0, 0.0])


def buyers(ids: np.ndarray, share: float) -> np.ndarray:
    """Which of ``ids`` buy to qualify when short: ``frac(id x GOLDEN) < share``."""
    if share >= 1:
        return np.ones(np.shape(ids), dtype=bool)
    return np.modf(ids * GOLDEN)[0] < share


def units_short(pv: float | np.ndarray, target: float | np.ndarray,
                unit_volume: float) -> np.ndarray:
    """Whole products of ``unit_volume`` that bring ``pv`` up to ``target`` (when short).

    None when that takes more than ``MAX_TOP_UP`` products in a month.
    """
    with np.errstate(over="ignore"):  # a product of almost no volume: too many to buy
        need = np.ceil((target - pv) / unit_volume - 1e-9)
    return np.where(need <= MAX_TOP_UP, need, 0).astype(np.int64)


def unlock_table(params: Params) -> np.ndarray:
    """Unilevel levels paid, indexed by rank + 1 (index 0: no rank).

    A rank without ``unlocks_levels`` keeps what the rank below it unlocks. When any rank
    sets ``unlocks_levels``, a participant below every rank is paid on level 1 only
    (personal enrollees); when none does, every level is paid to everyone.
    """
    any_set = any(r.unlocks_levels is not None for r in params.ranks)
    current = 1 if any_set else ALL_LEVELS
    table = [current]
    for r in params.ranks:
        if r.unlocks_levels is not None:
            current = r.unlocks_levels
        table.append(current)
    return np.asarray(table, dtype=np.int8)


def rank_table(params: Params, name: str, below: object) -> list:
    """A rate by rank, indexed by rank + 1 (index 0: below every rank; schema v1.1).

    A rank without it has the highest lower rank's; below the first that sets it, ``below``.
    """
    table = [below]
    for r in params.ranks:
        value = getattr(r, name)
        table.append(table[-1] if value is None else value)
    return table


def package_ranks(params: Params, m: Month) -> np.ndarray:
    """The rank each active participant's enrollment package gives (``NO_RANK``: none)."""
    if params.packages is None or m.package is None:
        return np.full(m.act.size, NO_RANK, dtype=np.int64)
    return np.take(np.asarray(params.packages.rank, dtype=np.int64), m.package)


def kept_ranks(params: Params, net: Network, m: Month) -> np.ndarray:
    """The paid-as rank each active participant keeps from earlier months (``NO_RANK``: none).

    Only with ``rank_rules.pin`` "pay" (schema v1.1): the highest rank qualified for within the
    last ``requalify_months`` (ever, when not given), which they hold this month whatever
    their volume. Buying to reach a discount counts it as held.
    """
    out = np.full(m.act.size, NO_RANK, dtype=np.int64)
    history, rules = net.history, params.rank_rules
    if history is None or rules.pin != "pay":
        return out
    last = history.last[:, m.act]
    kept = last > 0
    if rules.requalify_months is not None:
        kept &= m.t - last < rules.requalify_months
    top = len(params.ranks) - 1 - np.argmax(kept[::-1], axis=0)
    return np.where(kept.any(axis=0), top, out)


def _rank_met(params: Params, pv: np.ndarray, gv: np.ndarray, legs: np.ndarray,
              team: np.ndarray, given: np.ndarray) -> np.ndarray:
    """The highest rank whose monthly volumes, legs and team are met, or ``given`` if higher."""
    rank = np.full(pv.size, NO_RANK, dtype=np.int64)
    for r, spec in enumerate(params.ranks):
        ok = (reaches(pv, spec.min_personal_volume) & reaches(gv, spec.min_group_volume)
              & (legs >= spec.min_active_legs) & (team >= spec.min_team_size))
        rank[ok] = r
    return np.maximum(rank, given)


def discount_saving(params: Params) -> np.ndarray:
    """The share of the wholesale price each rank's discount saves (0 for a rank without one).

    By paid-as rank; the last entry is rank -1, below every rank. Needs
    :attr:`Params.discount_price`.
    """
    ratio = params.discount_price
    assert ratio is not None
    return np.array([0.0 if d is None else 1 - (1 - d) * ratio
                     for d in [*rank_table(params, "discount", None)[1:], None]])


def discount_margin(params: Params) -> np.ndarray:
    """The retail margin on one customer at each rank (as :func:`discount_saving`).

    A rank's discount times the retail price where the rank has one, else the plan's margin.
    """
    per = params.margin_per_customer
    return np.array([per if d is None else d * params.retail_per_customer
                     for d in [*rank_table(params, "discount", None)[1:], None]])


def discount_gain(params: Params, m: Month, want: np.ndarray, units: np.ndarray,
                  gv: np.ndarray, legs: np.ndarray, team: np.ndarray, given: np.ndarray,
                  before: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What the rank reached by buying ``units`` adds to the worth of qualifying, per ``want``.

    (money, saving): for :attr:`Params.discount_months` months, the saving of the rank reached
    over the rank held on the month's own purchases at wholesale (required purchase,
    ``extra_own_purchase``, own-use products) and the extra retail margin on this month's
    customers; and the share of the wholesale price the rank reached saves, which the products
    bought cost less (see :mod:`evaluator.simulation.network`). ``before``: the rank held
    without buying (:func:`_rank_met` on the month's figures), when the caller has it.
    """
    save = discount_saving(params)
    pv = m.pv[want]
    extra = units * params.unit_volume
    if before is None:
        before = _rank_met(params, pv, gv, legs, team, given)
    after = _rank_met(params, pv + extra, gv + extra, legs, team, given)
    base = np.full(want.size, params.own_money)
    use = own_use_products(params, None if m.kind is None else m.kind[want])
    if use is not None:
        base = base + use * params.unit_money
    added = (save[after] - save[before]) * base
    if "retail_margin" in params.components:
        margin = discount_margin(params)
        added = added + m.customers[want] * (margin[after] - margin[before])
    return added * params.discount_months, save[after]


def discount_buys(params: Params, m: Month, cand: np.ndarray, gv: np.ndarray,
                  legs: np.ndarray, team: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Products each of ``cand`` buys for a bigger rank discount alone, per ``cand`` (0: none).

    Buying to reach a discount (see :mod:`evaluator.simulation.network`): for each rank above
    the one held whose active legs and team are met and whose discount saves more, the whole
    products that reach its personal and group volume (at most ``MAX_TOP_UP``) are worth the
    :func:`discount_gain` of the rank they reach; they cost that rank's price less their worth
    to the buyer (their kind's ``unit_worth``) on at most the products the buyer would use for
    their own in the months the discount counts for. The rank whose worth beats its cost by
    the most is bought (the lower on a tie), beyond the tie tolerance of :func:`reaches`.
    """
    units = np.zeros(cand.size, dtype=np.int64)
    if not cand.size:
        return units
    save = discount_saving(params)
    pv = m.pv[cand]
    held = _rank_met(params, pv, gv, legs, team, given)
    kinds = m.kinds()[cand]
    worth = np.take(np.asarray(params.kinds.unit_worth), kinds)
    used = np.take(np.asarray(params.kinds.own_products), kinds) * params.discount_months
    best = np.full(cand.size, -np.inf)
    for r, spec in enumerate(params.ranks):
        # Worked out only for the candidates the rank is open to (``at``): every step is per
        # candidate, so each one's figures are the same as over all of them.
        at = np.flatnonzero((r > held) & (save[r] > save[held])
                            & (legs >= spec.min_active_legs) & (team >= spec.min_team_size))
        need = np.maximum(spec.min_personal_volume - pv[at], spec.min_group_volume - gv[at])
        n = units_short(0.0, need, params.unit_volume)
        some = n > 0
        at, n = at[some], n[some]
        if not at.size:
            continue
        gain, saved = discount_gain(params, m, cand[at], n, gv[at], legs[at], team[at],
                                    given[at], held[at])
        cost = n * (params.unit_money * (1 - saved)) - worth[at] * np.minimum(n, used[at])
        value = gain - cost
        pays = cost < gain - 1e-9 * np.maximum(1.0, np.abs(gain))  # not reaches(cost, gain)
        better = pays & (value > best[at])
        units[at[better]], best[at[better]] = n[better], value[better]
    return units


def unilevel_rate_table(params: Params) -> np.ndarray | None:
    """Unilevel rates by payee rank: (rank + 1, level), levels a rank is not paid at 0.

    Index 0 is below every rank (the component's rates); None when no rank sets its own.
    """
    if not any(r.unilevel_rates is not None for r in params.ranks):
        return None
    rows = rank_table(params, "unilevel_rates", params.components["unilevel"].rates)
    table = np.zeros((len(rows), max(len(r) for r in rows)))
    for i, row in enumerate(rows):
        table[i, : len(row)] = row
    return table


def place_forced(tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
    """Place recruits (ids ascending) in a forced tree.

    Rule (as in the reference): a recruit takes the first free position under the anchor
    (initially the sponsor); under a full anchor, overflowing recruits are passed to the
    anchor's children in turn (the anchor's ``turn`` counter, modulo the width). When no
    sponsor has more recruits than free positions, all of them are placed in one step. Else,
    up to :data:`WALK_MOST` recruits are walked down one after the other (:func:`_walk_down`,
    the reference's rule), and more are placed all at once per depth level: arrivals at an
    anchor are served in id order; handling anchors shallowest first gives exactly the order
    of the one-recruit-at-a-time rule, since every arrival at an anchor comes from above.
    Anchors at the same depth are handled together.
    """
    if recruits.size == 0:
        return
    if tree.first_open:
        _place_first_open(tree, recruits, sponsors)
        return
    w = tree.width
    child, nchild = tree.child, tree.nchild
    joining = recruits, sponsors  # ids ascending, as attached
    if sponsors.size > 1 and not (sponsors[1:] >= sponsors[:-1]).all():  # (sorted in a run)
        order = np.lexsort((recruits, sponsors))  # by anchor, then id
        recruits, sponsors = recruits[order], sponsors[order]
    _, starts, counts = _runs(sponsors)
    heads = sponsors[starts]
    filled = nchild[heads]
    if not (counts > w - filled).any():  # no spill-over: each under its sponsor, in one step
        slot = np.arange(recruits.size) - np.repeat(starts - filled, counts)
        child[sponsors, slot] = recruits
        nchild[heads] = filled + counts
        tree.attach(*joining)
        return
    if recruits.size <= WALK_MOST:
        tree.attach(joining[0], _walk_down(tree, *joining))
        return
    # With spill-over, anchors are handled by depth in the tree, so every anchor is handled
    # after all that can pass recruits to it. Each arrival is one integer, its anchor in the
    # high 32 bits and its id in the low ones (ids fit in 31): sorted, by anchor, then id.
    depth = tree.depth[sponsors]
    by_depth = np.argsort(depth, kind="stable")  # by depth, then anchor, then id
    depth = depth[by_depth]
    keys = (sponsors[by_depth].astype(np.int64) << 32) | recruits[by_depth]
    cut = (np.flatnonzero(depth[1:] != depth[:-1]) + 1).tolist()
    bucket = {int(depth[i]): (i, j) for i, j in zip([0, *cut], [*cut, depth.size], strict=True)}
    placed: list[np.ndarray] = []
    under: list[np.ndarray] = []
    few: tuple[list[int], list[int]] = ([], [])  # the same, placed by :func:`_spill_few`
    passed: np.ndarray | list[int] = []  # spilled over from the level above
    deeper = sorted(bucket)
    d = deeper[0]
    while True:
        own = bucket.get(d)
        mine = None if own is None else keys[own[0]:own[1]]
        level: np.ndarray | list[int]
        if not len(passed):
            if mine is None:  # nothing at this level: go to the next one with recruits
                later = [x for x in deeper if x > d]
                if not later:
                    break
                d = later[0]
                continue
            level = mine  # sorted
        elif isinstance(passed, list) and (mine is None or mine.size + len(passed) <= FEW):
            level = sorted(passed if mine is None else passed + mine.tolist())
        else:
            level = np.sort(passed if mine is None else np.concatenate((mine, passed)))
        if isinstance(level, np.ndarray) and level.size <= FEW:
            level = level.tolist()
        if isinstance(level, list):
            passed = _spill_few(tree, level, *few)
        else:
            passed = _spill_many(tree, level, placed, under)
        d += 1
    ids = np.concatenate([*placed, np.array(few[0], dtype=np.int64)])
    parents = np.concatenate([*under, np.array(few[1], dtype=np.int64)])
    order = np.argsort(ids)
    tree.attach(ids[order], parents[order])


WALK_MOST = 2500
"""Most recruits in a month with spill-over that :func:`place_forced` walks down one by one in
Python rather than place a depth level at a time in numpy. A recruit passes a few levels, a
step each in Python; a level costs a few dozen array operations, which pay only for many
arrivals at once (the tool's choice, by measurement: about as fast either way at 2,000 to
3,000 recruits; the result is the same).
"""
FEW = 40
"""Most arrivals at one depth that :func:`place_forced` handles one by one in Python rather than
all at once in numpy, where each of the two dozen array operations costs more than a few
arrivals' Python (the tool's choice, by measurement: the result is the same either way)."""
_ID = (1 << 32) - 1  # the id bits of an arrival's integer


def _spill_few(tree: Tree, level: list[int], ids: list[int], parents: list[int]) -> list[int]:
    """:func:`_spill_many` one arrival after the other, for a few (``level``: a sorted list).

    The arrivals placed are appended to ``ids`` and ``parents``.
    """
    w = tree.width
    child, nchild, turn = _flat(tree.child), _flat(tree.nchild), _flat(tree.turn)
    on: list[int] = []
    for key in level:
        a, r = key >> 32, key & _ID
        filled = nchild[a]
        if filled < w:
            child[a * w + filled] = r
            nchild[a] = filled + 1
            ids.append(r)
            parents.append(a)
        else:
            k = turn[a]
            turn[a] = k + 1
            on.append((child[a * w + k % w] << 32) | r)
    return on


def _spill_many(tree: Tree, level: np.ndarray, placed: list[np.ndarray],
                under: list[np.ndarray]) -> np.ndarray | list[int]:
    """Place one depth's arrivals (``level``: sorted integers of anchor and id) at once.

    Under each anchor, its arrivals in id order take its free positions; the rest are passed
    on, each to the anchor's child the anchor's ``turn`` counter names, modulo the width, the
    counter moving one per recruit. The arrivals placed are appended to ``placed`` (ids) and
    ``under`` (anchors); returned: those passed on, as integers of their new anchor and id.
    """
    w = tree.width
    child, nchild, turn = tree.child, tree.nchild, tree.turn
    a = level >> 32
    r = level & _ID
    # Each recruit's position under its anchor: the filled ones, then its place in the
    # anchor's queue (counted from the anchor's first arrival); from ``w`` on, it overflows.
    begin = a.searchsorted(a)
    arrivals = a.searchsorted(a, "right") - begin
    filled = nchild[a]
    slot = np.arange(r.size) - begin + filled
    # (each of an anchor's arrivals writes the same count)
    nchild[a] = np.minimum(filled + arrivals, w)
    put = slot < w
    if put.all():
        child[a, slot] = r
        placed.append(r)
        under.append(a)
        return []
    rp, ap = r[put], a[put]
    child[ap, slot[put]] = rp
    placed.append(rp)
    under.append(ap)
    over = ~put
    ao = a[over]
    turns = turn[ao]
    onto = child.reshape(-1).take(ao * w + (turns + slot[over] - w) % w)  # (a view: C order)
    # One turn per recruit passed on: every arrival of an anchor writes the same total.
    turn[ao] = turns + (arrivals - w + filled)[over]
    return (onto.astype(np.int64) << 32) | r[over]


def _walk_down(tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> np.ndarray:
    """The reference's spill-over, recruit after recruit in id order: the positions taken.

    Each recruit goes down from its sponsor, under every full position to the child its turn
    counter names, to the first position with room. The tree's arrays are read and written
    through memoryviews (Python ints, no numpy scalar made).
    """
    w = tree.width
    child, nchild, turn = _flat(tree.child), _flat(tree.nchild), _flat(tree.turn)
    parents = []
    took = parents.append
    for r, a in zip(recruits.tolist(), sponsors.tolist(), strict=True):
        filled = nchild[a]
        while filled == w:
            k = turn[a]
            turn[a] = k + 1
            a = child[a * w + k % w]
            filled = nchild[a]
        child[a * w + filled] = r
        nchild[a] = filled + 1
        took(a)
    return np.array(parents, dtype=np.int64)


def _flat(values: np.ndarray) -> memoryview:
    """A one-dimensional memoryview of ``values`` in C order (``child[a, k]`` at ``a * width + k``).

    Read and written element by element, it gives and takes Python ints, with no numpy
    scalar made. An array not laid out in C order is refused (TypeError), never copied.
    """
    return memoryview(values).cast("B").cast(values.dtype.char)


def _place_first_open(tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
    """Place recruits in id order, each in the first position with room below its sponsor.

    Rule (as in the reference, which searches with a queue): the sponsor and everyone below,
    level by level, each level left to right. Here each level below the sponsor is one array
    (the level above's ``child`` rows, flattened in order) until one holds a position with room.
    """
    w = tree.width
    parents = np.empty(recruits.size, dtype=np.int64)
    for i, (recruit, sponsor) in enumerate(zip(recruits.tolist(), sponsors.tolist(),
                                               strict=True)):
        level = np.array([sponsor], dtype=np.int64)
        room = tree.nchild[level] < w
        while not room.any():
            level = tree.child[level].ravel()
            room = tree.nchild[level] < w
        at = int(level[int(np.argmax(room))])
        tree.child[at, tree.nchild[at]] = recruit
        tree.nchild[at] += 1
        parents[i] = at
    tree.attach(recruits, parents)


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal neighbours in ``values`` (not empty).

    Where each element starts a run (bool), the start of each run and its length.
    """
    first = np.empty(values.size, dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = values.size - starts[-1]
    return first, starts, counts


@dataclass
class Rolled:
    """Subtree totals of a few count columns (non-negative integers), over ids.

    Columns are packed side by side into as few 63-bit integers per participant as their month
    totals allow (each subtree's total is at most the month's, so it fits too): in column order,
    a column that no longer fits starts the next integer. Each integer array is rolled up once,
    so the cost of a roll-up follows the number of arrays, not of columns. Exact either way.
    """

    arrays: list[np.ndarray]  # the rolled-up arrays, each with a 0 after the ids
    layout: list[tuple[int, int, int]]  # per column: (array, shift, width)

    @classmethod
    def up(cls, tree: Tree, n: int, act: np.ndarray, columns: Sequence[np.ndarray | int]
           ) -> Rolled:
        """Roll the ``columns`` (per ``act``, the active ids) up ``tree`` of ``n`` ids.

        A column is non-negative integers or booleans, or one integer for every active one.
        Id -1 (no participant) reads zeros.
        """
        layout: list[tuple[int, int, int]] = []
        merged: list[np.ndarray] = []
        shift = 63
        for c in columns:
            whole = c * act.size if isinstance(c, int) else int(c.sum())
            width = max(1, whole.bit_length())
            if shift + width > 63:  # start the next integer with this column
                shift = 0
                merged.append(np.full(act.size, c, dtype=np.int64) if isinstance(c, int)
                              else c.astype(np.int64))
            elif isinstance(c, int):  # fields do not overlap: adding sets the field
                merged[-1] += c << shift
            else:
                merged[-1] += np.left_shift(c, shift, dtype=np.int64)
            layout.append((len(merged) - 1, shift, width))
            shift += width
        arrays = []
        for m in merged:
            a = np.zeros(n + 1, dtype=np.int64)
            a[act] = m
            arrays.append(a)
        tree.roll_up(*arrays)
        return cls(arrays, layout)

    def column(self, k: int, ids: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Column ``k``'s subtree totals at ``ids`` (all ids by default)."""
        return self.unpack(k, self.arrays[self.layout[k][0]][ids])

    def columns(self, ids: np.ndarray, out: np.ndarray, skip: int | None = None) -> None:
        """Every column's subtree totals at ``ids``, into the rows of ``out``.

        Column ``k`` goes to row ``k``, or with ``skip`` from that row on to the row after it
        (row ``skip`` is left alone). Each array is gathered once.
        """
        ids = ids.astype(np.intp, copy=False)  # numpy gathers by its index type fastest
        gathered = [np.take(a, ids) for a in self.arrays]
        for k, (i, shift, width) in enumerate(self.layout):
            row = k if skip is None or k < skip else k + 1
            if shift:
                np.right_shift(gathered[i], shift, out=out[row])
                if not self._top(k):
                    np.bitwise_and(out[row], (1 << width) - 1, out=out[row])
            elif self._top(k):
                out[row] = gathered[i]
            else:
                np.bitwise_and(gathered[i], (1 << width) - 1, out=out[row])

    def unpack(self, k: int, got: np.ndarray) -> np.ndarray:
        """Column ``k`` from values gathered from its array."""
        _, shift, width = self.layout[k]
        if self._top(k):
            return got >> shift
        return (got >> shift) & ((1 << width) - 1)

    def _top(self, k: int) -> bool:
        """Whether column ``k`` is its array's last: nothing is packed above it to mask off."""
        return k + 1 == len(self.layout) or self.layout[k + 1][0] != self.layout[k][0]


class GroupCounts:
    """Per-subtree counts of a tree.

    Customers, active participants, new recruits and products bought to qualify in every subtree.

    Each participant's own counts are rolled up the tree once a month (:class:`Rolled`,
    :meth:`Tree.roll_up`), after which any subtree's counts are a lookup. Counts are
    integers, so the sums are exact; volumes are counts x the volume of one customer order,
    one month's own purchase, one starter kit and one product.
    """

    def __init__(self, tree: Tree, m: Month, params: Params,
                 before: GroupCounts | None = None, units: np.ndarray | None = None) -> None:
        """Counts of month ``m``.

        ``before``: the same tree and month before anyone bought to qualify, whose customer and
        people totals are reused; ``units``: the products bought to qualify, per active, when ``m``
        is the month before they were known.
        """
        units = m.units if units is None else units
        self.tree = tree
        self.active = m.act.size
        self.by_kind = params.kinds.mixed  # active members and sellers are counted too
        # and new recruits by package, when a package carries volume
        self.packages = params.packages.counted if params.packages is not None else 0
        # and preferred customers, when their orders count as volume (schema v1.1)
        self.preferred = int(params.preferred is not None and params.preferred.counted)
        if before is not None:
            self.people = before.people
        else:  # customers, active (1 each), new (and active members, sellers; recruits by
            new = np.zeros(m.act.size, dtype=bool)  # package)
            new[np.searchsorted(m.act, m.new)] = True  # (the new are active)
            columns: list[np.ndarray | int] = [m.customers, 1, new]
            if self.by_kind:
                kinds = m.kinds()
                columns += [kinds == MEMBER, kinds == SELLER]
            if self.packages:
                assert m.package is not None
                columns += [new * (m.package == p) for p in range(self.packages)]
            if self.preferred:
                assert m.preferred is not None
                columns.append(m.preferred)
            self.people = Rolled.up(tree, m.n, m.act, columns)
        # The same for products bought to qualify.
        self.units = Rolled.up(tree, m.n, m.act, [units]) if units.any() else None
        self.units_of = units  # the purchases these counts include
        self.params = params
        self.act = m.act
        # Counts of the active (``m.act``; :meth:`active_counts`) and their point volumes
        # (:meth:`active_volumes`), once worked out; never changed in place.
        self.act_counts: np.ndarray | None = None
        self._act_volumes: tuple[np.ndarray, np.ndarray] | None = None
        if before is not None and before.act_counts is not None:
            if self.units is None:  # the same counts as before buying (none were bought)
                self.act_counts, self._act_volumes = before.act_counts, before._act_volumes
            else:
                self.act_counts = before.act_counts.copy()
                self.act_counts[3] = self.units.column(0, m.act)

    def prune(self) -> GroupCounts:
        """Drop the subtrees with nobody active from the tree's levels (:meth:`Tree.prune`).

        Returns these counts.
        """
        # Everyone active is alive, so nothing is pruned while they are 4 in 5 of the held.
        if self.active <= PRUNE_AT * self.tree.held:
            self.tree.prune(self.people.column(1) > 0)
        return self

    def counts(self, ids: np.ndarray) -> np.ndarray:
        """Counts in the subtree of each id (none for id -1): shape (rows, len(ids)).

        The rows: customers, active, new, products bought to qualify[, active members, active
        sellers][, new recruits by package][, preferred customers] (as :func:`count_volumes`
        reads them).
        """
        rows = (6 if self.by_kind else 4) + self.packages + self.preferred
        out = np.empty((rows, ids.size), dtype=np.int64)
        self.people.columns(ids, out, skip=3)  # row 3: the products bought to qualify
        if self.units is not None:
            self.units.columns(ids, out[3:4])
        else:
            out[3] = 0
        return out

    def active_counts(self) -> np.ndarray:
        """:meth:`counts` of the month's active, worked out once."""
        if self.act_counts is None:
            self.act_counts = self.counts(self.act)
        return self.act_counts

    def active_volumes(self) -> tuple[np.ndarray, np.ndarray]:
        """The point volumes of :meth:`active_counts` (shape (3, active)) and their total.

        The total adds customer, own-purchase and kit volume in that order. Worked out once.
        """
        if self._act_volumes is None:
            vol = self.volumes(self.active_counts(), points=True)
            self._act_volumes = vol, vol[0] + vol[1] + vol[2]
        return self._act_volumes

    def volumes(self, counts: np.ndarray, points: bool = False) -> np.ndarray:
        """(customer, own-purchase, kit) volume of those counts: shape (3, len).

        Own-use products (:func:`~evaluator.simulation.network.own_use_products`) are counts of each
        kind x that kind's products a month. Business volume, or with ``points`` point volume
        (:func:`~evaluator.simulation.network.count_volumes`).
        """
        return count_volumes(self.params, counts, points)


def nearest_marked(tree: Tree, mark: np.ndarray) -> np.ndarray:
    """For every id, the nearest strict ancestor with ``mark`` set, else the sentinel.

    Filled top-down, depth level by depth level (``mark`` covers ids and the sentinel, whose
    mark is False).
    """
    sentinel = tree.capacity
    near = np.empty(sentinel + 1, dtype=tree.up.dtype)  # ids not yet joined are never read
    near[sentinel] = sentinel
    if tree.levels:
        near[tree.levels[0]] = sentinel
    for ids, p in zip(tree.levels[1:], tree.level_up[1:], strict=True):
        got = near[p]  # the parent's nearest, or the parent itself where it is marked
        np.copyto(got, p, where=mark[p], casting="same_kind")  # (ids fit ``near``'s type)
        near[ids] = got
    return near


def climb(start: np.ndarray, up: np.ndarray, go: np.ndarray) -> np.ndarray:
    """From each start, go up through ``up`` while ``go`` holds.

    ``go`` does not hold at the top (the sentinel, ``up``'s last, its own parent), so every climb
    ends.
    """
    at = start.copy()
    todo = np.flatnonzero(go[at])
    while todo.size:
        moved = up[at[todo]]
        at[todo] = moved
        todo = todo[go[moved]]
    return at


class Scratch:
    """Reusable working arrays of one engine.

    A fresh large array costs page faults each time it is first written, and the upline walks need
    several every component, every month.
    """

    def __init__(self) -> None:
        """Start with no buffers."""
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """An uninitialised array of ``shape``, valid until the next request for the same name.

        It is a view of the buffer ``name``, grown when needed.
        """
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = np.empty(max(size, 1024), dtype=dtype)
            self._buffers[name] = buffer
        return buffer[:size].reshape(shape)


@dataclass
class Uplines:
    """Pay to the k-th upline of each payer through a parent array, every level at once.

    Pay goes to slots: the index among the active of an eligible payee, then three spare
    slots that collect what is not paid, by cause (:data:`NOT_PAID`), so one ``bincount``
    gives both the pay and the breakage.
    """

    up: np.ndarray  # parent ids, with the sentinel
    slot: np.ndarray  # id -> index among the active (the spare index ``active`` for others)
    # id -> slot: the index among the active of an eligible participant, ``active``
    # (unqualified) for anyone else, ``active + 1`` (top of network) for the sentinel
    target: np.ndarray
    active: int  # how many are active
    breakage: dict[str, float]
    scratch: Scratch
    # Whether ``up`` goes from slot to slot (payers are then slots too): see :meth:`by_slot`.
    in_slots: bool = False

    @classmethod
    def over(cls, up: np.ndarray, eligible: np.ndarray, slot: np.ndarray, m: Month,
             breakage: dict[str, float], scratch: Scratch) -> Uplines:
        """Uplines through ``up`` paying the ``eligible`` (per active) of month ``m``."""
        active = m.act.size
        target = slot.copy()  # the active's slots, the spare (unqualified) one for the rest
        target[m.act[~eligible]] = active
        target[-1] = active + 1  # the sentinel
        return cls(up, slot, target, active, breakage, scratch)

    def via(self, up: np.ndarray) -> Uplines:
        """The same payees and breakage through another parent array."""
        return Uplines(up, self.slot, self.target, self.active, self.breakage, self.scratch,
                       self.in_slots)

    def keeping(self, breakage: dict[str, float], scratch: Scratch) -> Uplines:
        """The same uplines, keeping their breakage in ``breakage`` and working in ``scratch``.

        (Built directly: ``dataclasses.replace`` costs several times more, a dozen times a
        month.)
        """
        return Uplines(self.up, self.slot, self.target, self.active, breakage, scratch,
                       self.in_slots)

    def by_slot(self, route: np.ndarray, act: np.ndarray) -> Uplines:
        """The same payees and breakage through ``route``, walked from slot to slot.

        ``route`` is over ids: each one's nearest eligible upline, or the sentinel. The walk then
        stays in an array the size of the active, and lands on slots without a lookup by id. Payers
        are given by slot (their index among the active).
        """
        # Slots of the machine's index type (an array the size of the active): numpy gathers,
        # and bincount counts, through indices of that type without converting them first, so
        # the walk from level to level (and the pay into the slots) converts nothing.
        up = np.empty(self.active + len(NOT_PAID), dtype=np.intp)
        up[: self.active] = np.take(self.target, np.take(route, act).astype(np.intp))
        up[self.active:] = np.arange(self.active, self.active + len(NOT_PAID))  # stay put
        return Uplines(up, self.slot, self.target, self.active, self.breakage, self.scratch,
                       True)

    def pay(self, payers: np.ndarray, values: np.ndarray, rates: tuple[float, ...],
            unlock: np.ndarray | None = None,
            rates_paid: bool = True,
            by_rank: tuple[np.ndarray, np.ndarray] | None = None,
            ) -> tuple[np.ndarray, np.ndarray | None]:
        """``rates[k-1] x value`` to the k-th upline of each payer.

        Payers are ids; slots when ``in_slots``.

        An upline that is not eligible (or whose ``unlock``, per active participant, is below
        k) is not paid: that pay is breakage, as is pay for levels above the top of the tree.
        Returns pay per active participant and (with ``rates_paid``) the total rate paid on
        each payer's value. ``by_rank``: rates by the payee's rank (schema v1.1), a (rank + 1,
        level) table and each position's row in it (over ids, or slots when ``in_slots``; the
        sentinel's and the spare slots' row 0, the component's rates); ``rates`` is then
        only read for its length.
        """
        levels = len(rates) if by_rank is None else by_rank[0].shape[1]
        shape = (levels, payers.size)
        # Ids (or, for a walk by slot, slots of the machine's index type: see :meth:`by_slot`).
        chain = self.scratch.get("chain", shape, self.up.dtype)
        # Every index is valid: "clip" only spares the copy "raise" makes of ``out``.
        a = payers
        for k in range(levels):
            a = np.take(self.up, a, out=chain[k], mode="clip")
        each = None
        if by_rank is not None:  # each position's rate is its payee's rank's (a quitter's: the
            table, row = by_rank  # component's), read before locked levels are redirected
            each = self.scratch.get("each", shape, table.dtype)
            per = self.scratch.get("per", row.shape, table.dtype)
            for k in range(levels):  # level k: every position's rate, then the payees'
                np.take(np.ascontiguousarray(table[:, k]), row, out=per, mode="clip")
                np.take(per, chain[k], out=each[k], mode="clip")
        to = chain if self.in_slots else np.take(
            self.target, chain, out=self.scratch.get("to", shape, self.target.dtype),
            mode="clip")
        locked = self.active + len(NOT_PAID) - 1
        if unlock is not None:  # a level the payee's rank has not opened goes to "locked"
            opened = np.take(unlock, to, mode="clip",
                             out=self.scratch.get("opened", shape, unlock.dtype))
            closed = np.less_equal(opened, np.arange(levels, dtype=opened.dtype)[:, None],
                                   out=self.scratch.get("ok", shape, np.bool_))
            np.copyto(to, locked, where=closed)
        weights = np.multiply(np.asarray(rates, dtype=float)[:, None] if each is None else each,
                              values, out=self.scratch.get("weights", shape, np.float64))
        got = np.bincount(to.ravel(), weights.ravel(), minlength=locked + 1)
        for i, cause in enumerate(NOT_PAID):
            self.breakage[cause] += float(got[self.active + i])
        pay = got[: self.active]
        if not rates_paid:
            return pay, None
        # Each position's rate, or 0 where it went unpaid, into the weights' buffer (read by
        # now); summed over the levels in one pass, which adds them level by level, in order.
        ok = np.less(to, self.active, out=self.scratch.get("ok", shape, np.bool_))
        step = np.multiply(ok, np.asarray(rates, dtype=float)[:, None] if each is None else each,
                           out=weights)
        return pay, np.add.reduce(step, axis=0)


def _pay_dynamic(ctx: _Context, at: np.ndarray, values: np.ndarray, rates: tuple[float, ...],
                 unlock: np.ndarray, table: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Unilevel pay with compression by level qualification (schema v1.1 ``"dynamic"``).

    ``at``: the payers (indices among the active); ``unlock``: levels opened per active. Level k's
    payee is the nearest upline above level k - 1's who is qualified with level k open: one
    "nearest marked upline" route per distinct number of levels opened, followed level by level.
    ``table``: rates by the payee's rank (:func:`unilevel_rate_table`), or None; a rank's levels
    open are then at most as many as its list of rates, and each payee is paid their row's
    rate (the top of the network: the component's, row 0).
    Returns pay per active participant and the total rate paid on each payer's value.
    """
    m, up = ctx.m, ctx.uplines
    tree = ctx.net.sponsor
    opens = unlock_table(ctx.params).astype(np.int16)  # by rank + 1
    row = None
    if table is not None:  # a rank is not paid past the end of its list
        lengths = [len(r) for r in rank_table(ctx.params, "unilevel_rates", rates)]
        opens = np.minimum(opens, np.asarray(lengths, dtype=np.int16))
        row = np.zeros(tree.capacity + 1, dtype=np.int64)  # over ids; 0 for the sentinel
        row[m.act] = ctx.rank + 1
    opened = np.zeros(tree.capacity + 1, dtype=np.int16)  # over ids; 0 for the sentinel
    opened[m.act[m.qualified]] = opens[ctx.rank[m.qualified] + 1]
    steps = sorted({int(v) for v in opens} | {ALL_LEVELS})
    routes: dict[int, np.ndarray] = {}
    levels = len(rates) if table is None else table.shape[1]
    to = np.empty((levels, at.size), dtype=np.int64)
    each = np.empty((levels, at.size))  # each position's rate
    a = m.act[at]
    for k in range(1, levels + 1):
        need = next(v for v in steps if v >= k)  # the same uplines qualify for k..need
        if need not in routes:
            routes[need] = nearest_marked(tree, opened >= k)
        a = routes[need][a]
        to[k - 1] = up.target[a]  # a qualified active's slot, or the top of the network
        each[k - 1] = rates[k - 1] if row is None else table[row[a], k - 1]
    weights = each * values
    got = np.bincount(to.ravel(), weights.ravel(), minlength=up.active + len(NOT_PAID))
    for i, cause in enumerate(NOT_PAID):
        up.breakage[cause] += float(got[up.active + i])
    paid = np.zeros(at.size)
    for k in range(levels):  # level by level, as the reference adds them
        paid += (to[k] < up.active) * each[k]
    return got[: up.active], paid


def tagged(paid: np.ndarray, positions: np.ndarray, m: Month,
           customer_only: bool = False) -> np.ndarray:
    """(customer, own, enrollment) totals of pay at rate ``paid``.

    The pay is on the volume of the active participants at ``positions``.
    """
    out = np.zeros(3)
    for s, v in enumerate((m.vc,) if customer_only else (m.vc, m.vo, m.vk)):
        out[s] = float((paid * v[positions]).sum())
    return out


@dataclass
class LegFrame:
    """Who has legs in the binary tree this month, and the volume they carry over.

    That is all of the binary's month that buying to qualify does not change.
    """

    at: np.ndarray  # index among the active of those with someone below them
    kids: np.ndarray  # (side, at): their children, -1 for none
    who: np.ndarray  # their ids
    carried: np.ndarray | None  # (side, source, at): carry-over volume, with carry-over

    @classmethod
    def of(cls, tree: Tree, carry: Carry, m: Month, carryover: bool) -> LegFrame:
        """The frame of month ``m``.

        Only the active with someone below them can have legs (carry-over comes from legs).
        """
        kids = np.take(tree.child, m.act, axis=0).T  # (side, active); take: rows at once
        filled = kids >= 0
        at = np.flatnonzero(filled[0] | filled[1])
        who = m.act[at]
        carried = carry.of(who) if carryover else None
        return cls(at, kids[:, at], who, carried)


def binary_rates(params: Params, rank: np.ndarray, at: np.ndarray) -> np.ndarray | float:
    """The binary's rate of the active participants at ``at``: their rank's (schema v1.1).

    The component's rate when no rank sets one (and below the first that does).
    """
    rate = params.components["binary"].rate or 0.0
    if not any(r.binary_rate is not None for r in params.ranks):
        return rate
    table = np.array([*rank_table(params, "binary_rate", rate)[1:], rate])  # -1: the last
    return table[rank[at]]


def _binary_rules(ctx: _Context, frame: LegFrame, legs: np.ndarray,
                  totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The binary's month under schema v1.1's rules (cycles, carry cap, unqualified legs).

    ``legs`` is (side, source, participant) with carry-over added, ``totals`` (side,
    participant); the rules are stated in :mod:`evaluator.simulation.reference`.
    """
    m, c, carry = ctx.m, ctx.params.components["binary"], ctx.net.carry
    assert carry is not None
    qualified = m.qualified[frame.at]
    cycles = c.cycles
    if cycles is None:  # on the weaker leg, matched against the same volume of the other
        matched = totals.min(axis=0)
        used = np.stack((matched, matched))
        raw = binary_rates(ctx.params, ctx.rank, frame.at) * matched
        first = totals[0] <= totals[1]
    else:
        x, y = cycles
        n = np.minimum(whole_cycles(totals[0], x), whole_cycles(totals[1], y))
        used = np.stack((n * x, n * y))
        if any(r.binary_rate is not None for r in ctx.params.ranks):  # rate x smaller side
            raw = binary_rates(ctx.params, ctx.rank, frame.at) * min(cycles) * n
        else:
            raw = c.pay_per_cycle * n
        first = totals[0] / x <= totals[1] / y
    if c.unqualified_legs == "carry":  # the unqualified make no cycles and keep their legs
        raw = np.where(qualified, raw, 0.0)
        used[:, ~qualified] = 0.0
    capped = raw if c.monthly_cap is None else np.minimum(raw, c.monthly_cap)
    ctx.breakage["binary_cap"] += float((raw - capped).sum())
    ctx.breakage["unqualified"] += float(capped[~qualified].sum())
    earned = np.where(qualified, capped, 0.0)
    lead = np.where(first, legs[0], legs[1])  # (source, participant): the leg pay follows
    lead_total = np.where(first, totals[0], totals[1])
    share = np.divide(earned, lead_total, out=np.zeros(earned.size), where=lead_total > 0)
    sources = (lead * share).sum(axis=1)
    if c.carryover:
        keep = np.maximum(1 - np.divide(used, totals, out=np.ones_like(totals),
                                        where=totals > 0), 0.0)
        if c.unqualified_legs == "flush":
            keep[:, ~qualified] = 0.0
        kept = legs * keep[:, None, :]
        if c.carry_cap is not None:
            whole = kept.sum(axis=1)  # (side, participant)
            scale = np.divide(c.carry_cap, whole, out=np.ones_like(whole),
                              where=whole > c.carry_cap)
            kept = kept * scale[:, None, :]
        carry.keep(frame.who, kept)
    pay = np.zeros(m.act.size)
    pay[frame.at] = earned
    return pay, sources


@dataclass
class _Context:
    """What every component of one month needs."""

    params: Params
    net: Network
    m: Month
    rank: np.ndarray  # per active
    group: GroupCounts | None  # sponsor-tree subtree counts, when the plan has ranks
    uplines: Uplines
    volume: np.ndarray  # all commissionable volume, per active
    # Binary-tree counts under way in the background: before buying, or with the purchases
    # (``units_of`` tells); None when not under way.
    binary_base: Future[GroupCounts] | None
    binary_frame: Future[LegFrame] | None  # the binary's legs frame, when under way
    # The compressed unilevel's route (nearest qualified upline, over ids), when it has one.
    route: Callable[[], np.ndarray] | None
    part: tuple[int, int] = (0, 1)  # which part of the payers this is, of how many

    def share(self, payers: np.ndarray) -> np.ndarray:
        """This part's share of ``payers``: a contiguous run."""
        i, parts = self.part
        return payers[payers.size * i // parts: payers.size * (i + 1) // parts]

    @property
    def breakage(self) -> dict[str, float]:
        """Breakage by cause so far this month."""
        return self.uplines.breakage

    def through(self, tree: Tree) -> Uplines:
        """The same payer-to-upline machinery through another tree's parents."""
        return self.uplines.via(tree.up)

    def earners(self, c: Component) -> Uplines:
        """The sponsor-tree uplines who may be paid bonus ``c``.

        The qualified, holding the rank it ``requires_rank`` if any (the others' share is
        breakage, "unqualified").
        """
        need = needed_rank(self.params, c)
        if need == NO_RANK:
            return self.uplines
        up = self.uplines
        return Uplines.over(up.up, self.m.qualified & (self.rank >= need), up.slot, self.m,
                            up.breakage, up.scratch)


def _leg_volumes(params: Params, m: Month, group: GroupCounts, slot: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every leg's group volume, the active index of the leg's sponsor, and its top's id.

    Schema v1.1.

    A leg is a sponsor-tree subtree with someone active in it (nobody else has volume); a
    sponsor who is not active has the spare index ``m.act.size``.
    """
    ids = np.flatnonzero(group.people.column(1, slice(0, m.n)) > 0)
    vol = group.volumes(group.counts(ids), points=True)  # ranks read point volume
    leg = vol[0] + vol[1] + vol[2] if params.own_purchases_count else vol[0]
    return leg, slot[group.tree.up[ids]], ids


def _slots_and_legs(sponsor: Tree, act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each id's index among the active ``act``, and each active one's active recruits.

    Everyone else, and the sentinel, has the spare index ``act.size``; the recruits are personal
    ones (children in the sponsor tree).
    """
    slot = np.empty(sponsor.capacity + 1, dtype=np.int32)  # ids not yet joined: never read
    slot[: sponsor.attached] = act.size
    slot[sponsor.capacity] = act.size
    slot[act] = np.arange(act.size)
    # Everyone not active (and the sentinel above the founders) has the spare slot, dropped.
    legs = np.bincount(slot[sponsor.up[act]], minlength=act.size + 1)[: act.size]
    return slot, legs


@dataclass
class _Underway:
    """What the engine has worked out, or set going on other threads, for one month.

    That is before paying it; ``act`` is the month's active ids.
    """

    act: np.ndarray
    slot: np.ndarray  # id -> index among the active (see :func:`_slots_and_legs`)
    legs: np.ndarray  # active personal recruits, per active
    topped_up: bool = False  # top_up ran; ``before``: its sponsor-tree counts (with ranks)
    before: GroupCounts | None = None
    sponsor: Future[GroupCounts] | None = None  # sponsor-tree counts with the purchases
    # The binary tree's counts (with the purchases, once known; ``units_of`` tells), and
    # its legs frame.
    binary: Future[GroupCounts] | None = None
    frame: Future[LegFrame] | None = None


def _apply_gate(kept: np.ndarray, pay: dict[str, np.ndarray], src: dict[str, np.ndarray],
                breakage: dict[str, float], kinds: list[str]) -> None:
    """Scale each of ``kinds``' pay by ``kept`` (per active); what is lost is breakage.

    A component's sources shrink in the proportion of its pay kept.
    """
    for kind in kinds:
        before = float(pay[kind].sum())
        if before == 0 and not pay[kind].any():  # nothing paid: nothing to scale or lose
            continue
        pay[kind] = pay[kind] * kept
        after = float(pay[kind].sum())
        breakage[GATE_CAUSE] += before - after
        src[kind] = src[kind] * (after / before) if before > 0 else src[kind]


def _sponsor_group(net: Network, m: Month, params: Params) -> GroupCounts:
    """Sponsor-tree group counts of the month (and its dead subtrees dropped)."""
    return GroupCounts(net.sponsor, m, params).prune()


def _counted(params: Params, m: Month, gv: np.ndarray,
             legs_volume: tuple[np.ndarray, np.ndarray, np.ndarray] | None
             ) -> list[np.ndarray]:
    """Each rank's group volume per active: ``gv``, less what its leg limit leaves out."""
    out = []
    for spec in params.ranks:
        counted = gv
        if spec.max_leg_share is not None and legs_volume is not None:
            leg, above, _ = legs_volume
            excess = np.maximum(leg - spec.max_leg_share * spec.min_group_volume, 0.0)
            counted = gv - np.bincount(above, weights=excess,
                                       minlength=m.act.size + 1)[: m.act.size]
        out.append(counted)
    return out


@dataclass
class _RankFacts:
    """What ranks are decided on besides group volume, for one month (see the reference)."""

    params: Params
    m: Month
    legs: np.ndarray  # active personal recruits, per active
    team: np.ndarray  # active participants below, per active
    history: RankHistory | None

    def ranks(self, counted: list[np.ndarray], commit: bool,
              sel: np.ndarray | slice = slice(None)) -> tuple[np.ndarray, np.ndarray | None]:
        """Paid-as and title ranks of the active ``sel`` (indices among the active).

        ``counted``: each rank's group volume, per active. ``commit``: record the month in
        the rank history (else it is only read, to try ranks).
        """
        params, m, history = self.params, self.m, self.history
        ids = m.act[sel]
        pv = m.pv[sel]
        rank = np.full(ids.size, NO_RANK, dtype=np.int64)
        lifetime = None
        if history is not None:
            lifetime = history.lifetime[ids] + pv
            if commit:
                history.lifetime[ids] = lifetime
        for r, spec in enumerate(params.ranks):
            ok = (
                reaches(pv, spec.min_personal_volume)
                & reaches(counted[r][sel], spec.min_group_volume)
                & (self.legs[sel] >= spec.min_active_legs)
                & (self.team[sel] >= spec.min_team_size)
            )
            if lifetime is not None and spec.min_lifetime_volume > 0:
                ok &= reaches(lifetime, spec.min_lifetime_volume)
            if history is not None:
                months = np.where(ok, history.streak[r, ids] + 1, 0)
                if commit:
                    history.streak[r, ids] = months
                ok &= months >= spec.qualify_months
            rank[ok] = r
        if params.packages is not None and m.package is not None:  # the rank a package gives
            rank = np.maximum(rank, np.take(np.asarray(params.packages.rank), m.package[sel]))
        rules = params.rank_rules
        if history is None or not rules.pins:
            return rank, None
        # The month's rank and every rank below it: qualified for this month.
        reached = np.arange(len(params.ranks))[:, None] <= rank[None, :]
        last = history.last[:, ids]
        last[reached] = m.t
        if commit:
            history.last[:, ids] = last
        kept = last > 0
        if rules.requalify_months is not None:
            kept &= m.t - last < rules.requalify_months
        top = len(params.ranks) - 1 - np.argmax(kept[::-1], axis=0)
        title = np.where(kept.any(axis=0), top, NO_RANK).astype(np.int64)
        if rules.pin == "pay":
            return title, title
        return rank, title


def _without_breakaway_legs(facts: _RankFacts, group: GroupCounts, gv: np.ndarray,
                            legs_volume: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                            net: Network
                            ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]
                                       | None]:
    """Group volumes (per active, and per leg) without the legs that broke away (schema v1.1).

    Who broke away (qualified at the top rank) is decided bottom-up in the reference; here by
    trying. Leaving volume out never raises a rank, so only those at the top rank on their
    whole group volume can have broken away. Starting from all of them, each try decides their
    ranks on the group volumes the tried set leaves; a set that gives itself back is the one
    the bottom-up rule gives (the deepest are right after one try, those above them after
    two, ...). One who broke away leaves their whole group volume out of the group volume of
    everyone above them up to, and including, the next one above who broke away.
    """
    params, m = facts.params, facts.m
    top = len(params.ranks) - 1
    up = net.sponsor.up
    sentinel = m.sentinel
    tried, _ = facts.ranks(_counted(params, m, gv, legs_volume), commit=False)
    at_top = np.flatnonzero(m.qualified & (tried == top))  # indices among the active
    if at_top.size == 0:
        return gv, legs_volume
    whole = group.volumes(group.counts(m.act[at_top]), points=True)
    whole_gv = whole[0] + whole[1] + whole[2] if params.own_purchases_count else whole[0]
    broke = np.ones(at_top.size, dtype=bool)
    while True:
        ids = m.act[at_top[broke]]
        gone = np.zeros(sentinel + 1, dtype=bool)
        gone[ids] = True
        out = np.zeros(sentinel + 1)  # over ids: the volume left out of each one's group
        at, idx = up[ids], np.arange(ids.size)
        while at.size:  # every one who broke away, a step up the tree a round
            live = at != sentinel
            at, idx = at[live], idx[live]
            np.add.at(out, at, whole_gv[broke][idx])
            go = ~gone[at]
            at, idx = up[at[go]], idx[go]
        gv_try = gv - out[m.act]
        legs_try = None
        if legs_volume is not None:  # a leg that broke away counts nothing
            leg, above, tops = legs_volume
            legs_try = (np.where(gone[tops], 0.0, leg - out[tops]), above, tops)
        rank, _ = facts.ranks(_counted(params, m, gv_try, legs_try), commit=False, sel=at_top)
        again = m.qualified[at_top] & (rank == top)
        if np.array_equal(again, broke):
            return gv_try, legs_try
        broke = again


_Job = tuple[str, tuple[int, int]]  # a component and its part (which, of how many)


class VectorisedEngine:
    """Whole-array placement and payouts; see :mod:`evaluator.simulation.reference`."""

    name = "vectorised"
    passed_up = 0  # those the last top_up found short who did not buy: it did not pay
    used: np.ndarray | None = None  # of the last top_up's products, those worth their use

    def __init__(self, threads: int | None = None) -> None:
        """``threads``: how many threads a month's independent parts may run on.

        The parts are the trees as they grow and the components as they pay; the results do not
        depend on it.
        """
        self.threads = sharing.default_threads() if threads is None else threads
        # per component and part: they run side by side
        self._scratch: dict[_Job, Scratch] = {}
        self._job_lists: dict[bool, tuple[list[_Job], list[_Job]]] = {}  # see :meth:`_jobs`
        self._placing: dict[Tree, Future[None]] = {}  # forced-tree placements under way
        self._underway: _Underway | None = None  # the month being worked out, until paid

    def _together(self, tasks: list[Callable[[], T]], size: int) -> list[T]:
        """Results of the tasks, in task order.

        They run side by side on the engine's threads when the month is big enough for that to pay
        (numpy releases the GIL on large arrays). The tasks touch disjoint state, and their results
        are combined in a fixed order, so the outcome is the same either way.
        """
        if not self._side_by_side(size) or len(tasks) < 2:
            return [task() for task in tasks]
        shared = sharing.pool(self.threads)
        return [future.result() for future in [shared.submit(task) for task in tasks]]

    def _side_by_side(self, size: int) -> bool:
        """Whether work on ``size`` participants is shared out over threads."""
        return sharing.side_by_side(self.threads, size)

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Forced-tree placement, spilling over in turn (the rule is in the reference engine)."""
        place_forced(tree, recruits, sponsors)

    def grow(self, net: Network, recruits: np.ndarray, sponsors: np.ndarray,
             act: np.ndarray) -> None:
        """The month's recruits join the sponsor tree here, and the forced trees too.

        In a big month (``act``: the month's active) the forced trees are grown on the other
        threads, in the background: nothing reads a forced tree before :meth:`pay`, which waits for
        them (so buying to qualify, on the sponsor tree, overlaps placement). Meanwhile this thread
        works out the month's slots and active legs (:meth:`top_up` needs them, once the draws are
        in).
        """
        forced = [partial(place_forced, tree, recruits, sponsors)
                  for tree in net.forced_trees()]
        side = self._side_by_side(act.size)
        if side:
            shared = sharing.pool(self.threads)
            self._placing = {tree: shared.submit(task)
                             for tree, task in zip(net.forced_trees(), forced, strict=True)}
            forced = []
        net.sponsor.attach(recruits, sponsors)
        for task in forced:
            task()
        if side:
            self._month(net, act)

    def _month(self, net: Network, act: np.ndarray) -> _Underway:
        """The month of ``act`` being worked out.

        It is begun, with its slots and active legs, when there is none yet.
        """
        if self._underway is None or self._underway.act is not act:
            self._underway = _Underway(act, *_slots_and_legs(net.sponsor, act))
        return self._underway

    def _placed(self) -> None:
        """Wait for the month's forced-tree placements (raising what they raised)."""
        placing, self._placing = self._placing, {}
        for future in placing.values():
            future.result()

    @staticmethod
    def qualify(params: Params, customers: np.ndarray, vc: np.ndarray, vo: np.ndarray,
                vk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Personal volume and qualification of every active participant at once."""
        pv = vc + vo + vk if params.own_purchases_count else vc.copy()
        qualified = reaches(pv, params.min_personal_volume) & (
            customers >= params.min_retail_customers
        )
        return pv, qualified

    @staticmethod
    def stay_customers(params: Params, net: Network, gone: np.ndarray,
                       active: np.ndarray) -> np.ndarray:
        """The sponsors, still active, of the quitters who stay customers, all at once."""
        stays = gone[np.modf(gone * STAYS)[0] < params.former_customer_share]
        sponsors = net.sponsor.parent[stays]
        sponsors = sponsors[sponsors >= 0]
        return sponsors[active[sponsors]]

    def top_up(self, params: Params, net: Network, m: Month) -> np.ndarray:
        """Products bought to qualify, per active (see :mod:`evaluator.simulation.network`).

        In a big month, other threads meanwhile roll up the binary tree's counts (customers
        and people, which buying does not change) and, once the purchases are known, the
        products bought in both trees, for :meth:`pay`.
        """
        month = self._month(net, m.act)
        self.used = None
        binary = net.binary
        side = self._side_by_side(m.act.size)
        binary_base: Future[GroupCounts] | None = None
        if binary is not None and side:
            placing = self._placing.get(binary)

            def base() -> GroupCounts:
                if placing is not None:
                    placing.result()
                return GroupCounts(binary, m, params)

            def frame() -> LegFrame:
                if placing is not None:
                    placing.result()
                assert net.carry is not None
                return LegFrame.of(binary, net.carry, m,
                                   bool(params.components["binary"].carryover))

            shared = sharing.pool(self.threads)
            binary_base = shared.submit(base)
            month.binary, month.frame = binary_base, shared.submit(frame)
        legs = month.legs
        target = np.full(m.act.size, params.min_personal_volume)
        group = None
        gv = team = None
        given = package_ranks(params, m)
        if params.ranks:
            group = _sponsor_group(net, m, params)
            _, gv = group.active_volumes()  # own purchases count, or nobody tops up
            team = group.active_counts()[1] - 1  # active participants below
            for r, spec in enumerate(params.ranks):  # the highest whose other needs are met
                ok = (reaches(gv, spec.min_group_volume) & (legs >= spec.min_active_legs)
                      & (team >= spec.min_team_size) & (given < r))  # a package's: held
                target[ok] = max(params.min_personal_volume, spec.min_personal_volume)
        want = np.flatnonzero(
            (legs > 0)
            & (m.customers >= params.min_retail_customers)
            & buyers(m.act, params.buy_to_qualify)
            & (m.kinds() != MEMBER)  # discount members never buy to qualify
            & ~reaches(m.pv, target)
        )
        units = np.zeros(m.act.size, dtype=np.int64)
        units[want] = units_short(m.pv[want], target[want], params.unit_volume)
        gain = None
        held = given  # a package's rank, or (for a discount) one kept from earlier months
        if params.discount_price is not None and m.expect is not None:
            held = np.maximum(given, kept_ranks(params, net, m))
        if (params.discount_price is not None and gv is not None and team is not None
                and m.expect is not None and want.size):
            gain = discount_gain(params, m, want, units[want], gv[want], legs[want],
                                 team[want], held[want])
        self._worth_it(params, m, want, units, gain)
        if (params.top_up_pay_check and params.discount_price is not None
                and gv is not None and team is not None and m.expect is not None):
            # Buying to reach a discount: the buyers' share, members included, who do not buy
            # to qualify for pay (no active recruit, too few customers, or a member).
            alone = np.flatnonzero(
                buyers(m.act, params.buy_to_qualify)
                & ~((legs > 0) & (m.customers >= params.min_retail_customers)
                    & (m.kinds() != MEMBER)))
            units[alone] = discount_buys(params, m, alone, gv[alone], legs[alone],
                                         team[alone], held[alone])
            if units[alone].any():  # worth their use: what the buyer would use, no more
                own = np.take(np.asarray(params.kinds.own_products), m.kinds()[alone])
                self.used = units.astype(float)
                self.used[alone] = np.minimum(units[alone], own * params.discount_months)
        month.topped_up, month.before = True, group
        if side and units.any():  # the products bought, rolled up while the month goes on
            shared = sharing.pool(self.threads)
            if group is not None:
                month.sponsor = shared.submit(GroupCounts, net.sponsor, m, params, group, units)
            if binary is not None and binary_base is not None:
                month.binary = shared.submit(
                    lambda: GroupCounts(binary, m, params, binary_base.result(), units))
        return units

    def _worth_it(self, params: Params, m: Month, want: np.ndarray, units: np.ndarray,
                  gain: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Keep only the purchases to qualify that pay (``units`` changed in place).

        A participant buys when what qualifying paid them the last month they were qualified
        (``m.expect``; never qualified yet: they buy) exceeds the products' cost less their
        worth to them (their kind's ``unit_worth``); the others are counted in ``passed_up``.
        ``gain`` (schema v1.1 rank discounts, :func:`discount_gain`, per ``want``): what the
        rank reached adds to that worth, and the share of the wholesale price its discount
        takes off the products bought.
        """
        self.passed_up = 0
        if m.expect is None or not want.size:
            return
        n = units[want]
        worth = np.take(np.asarray(params.kinds.unit_worth), m.kinds()[want])
        expected = m.expect[want]
        if gain is None:
            net_cost = n * (params.unit_money - worth)
        else:
            added, saved = gain
            net_cost = n * (params.unit_money * (1 - saved) - worth)
            expected = expected + added
        tol = 1e-9 * np.maximum(1.0, np.abs(expected))  # as reaches(net_cost, expected)
        with np.errstate(invalid="ignore"):
            skip = (n > 0) & ~np.isnan(expected) & (net_cost >= expected - tol)
        units[want[skip]] = 0
        self.passed_up = int(skip.sum())

    def _jobs(self, params: Params, big: bool) -> tuple[list[_Job], list[_Job]]:
        """A month's component jobs: in the plan's order and in the order they are handed out.

        Every component but those paid last (in parts, in a big month) in the plan's order, the
        order their results are combined in; handed to threads costliest first. The same every
        month of a run with the same ``big``, so made once (with each job's scratch arrays).
        """
        known = self._job_lists.get(big)
        if known is None:
            in_order = [(kind, (i, parts)) for kind in params.components
                        if kind not in PAID_LAST
                        for parts in [PARTS.get(kind, 1) if big else 1] for i in range(parts)]
            jobs = sorted(in_order, key=lambda job: (
                COSTLIEST_FIRST.index(job[0]) if job[0] in COSTLIEST_FIRST
                else len(COSTLIEST_FIRST)))
            for job in jobs:
                self._scratch.setdefault(job, Scratch())
            known = self._job_lists[big] = (in_order, jobs)
        return known

    def pay(self, params: Params, net: Network, m: Month) -> MonthPay:
        """Every component of the plan for one month."""
        self._placed()
        net.record_first_orders(m, m.vo + m.vk)
        month, self._underway = self._month(net, m.act), None
        group = None
        if not month.topped_up and params.ranks:
            group = _sponsor_group(net, m, params)
        # The compressed unilevel's route walks the sponsor tree's levels, now settled
        # (pruning is done): on another thread while the rest is made ready here.
        route: Callable[[], np.ndarray] | None = None
        unilevel = params.components.get("unilevel")
        if unilevel is not None and unilevel.compression is True:
            route = partial(nearest_marked, net.sponsor, m.mask(m.qualified))
            if self._side_by_side(m.act.size):
                route = sharing.pool(self.threads).submit(route).result
        uplines = Uplines.over(net.sponsor.up, m.qualified, month.slot, m, {}, Scratch())
        volume = m.vc + m.vo + m.vk
        # What other threads work out meanwhile: the binary's, for the binary alone to wait
        # for; the sponsor tree's, for the ranks.
        if month.before is not None:
            group = (month.sponsor.result() if month.sponsor is not None
                     else GroupCounts(net.sponsor, m, params, month.before))
        rank, title = self._ranks(params, m, month.legs, group, net, month.slot)
        in_order, jobs = self._jobs(params, m.act.size >= sharing.PARALLEL_MIN)

        def component(job: tuple[str, tuple[int, int]]
                      ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
            kind, part = job
            own = uplines.keeping(new_breakage(), self._scratch[job])
            ctx = _Context(params, net, m, rank, group, own, volume, month.binary,
                           month.frame, route, part)
            paid, sources = getattr(self, "_" + kind)(ctx)
            return paid, sources, own.breakage

        done = dict(zip(jobs, self._together([partial(component, j) for j in jobs],
                                             m.act.size), strict=True))
        pay: dict[str, np.ndarray] = {}
        src: dict[str, np.ndarray] = {}
        breakage = new_breakage(params)
        for job in in_order:  # whatever ran first
            kind = job[0]
            paid, sources, own_breakage = done[job]
            if kind in pay:
                pay[kind] = pay[kind] + paid
                src[kind] = src[kind] + sources
            else:
                pay[kind], src[kind] = paid, sources
            for cause, amount in own_breakage.items():
                breakage[cause] += amount
        if params.preferred is not None:  # preferred customers' orders (schema v1.1)
            pay[PREFERRED], src[PREFERRED] = self._preferred_customers(params, m)
        kept = self._gate(params, net, m, group)
        if kept is not None:  # before the matching bonus, which matches the pay kept
            _apply_gate(kept, pay, src, breakage, [k for k in pay if k not in UNGATED])
        if "matching_bonus" in params.components:  # on the pay worked out above
            own = uplines.keeping(
                breakage, self._scratch.setdefault(("matching_bonus", (0, 1)), Scratch()))
            ctx = _Context(params, net, m, rank, group, own, volume, None, None, None)
            pay["matching_bonus"], src["matching_bonus"] = self._matching_bonus(ctx, pay, src)
            if kept is not None:
                _apply_gate(kept, pay, src, breakage, ["matching_bonus"])
        saving = None
        if params.discount_price is not None:  # the share of the wholesale price not paid
            saving = discount_saving(params)[rank]
        return MonthPay(pay, src, breakage, rank, saving, title)

    @staticmethod
    def _gate(params: Params, net: Network, m: Month,
              group: GroupCounts | None) -> np.ndarray | None:
        """The part of downline pay each active participant keeps under a retail-share gate.

        None without a gate (see :mod:`evaluator.simulation.reference`).
        """
        gate = params.customer_share
        if gate is None:
            return None
        if gate.of == "own":
            vc, vo, vk = m.personal_parts()
            customer, volume = vc, vc + vo + vk
        else:
            if group is None:  # (the month's components are done: no pruning needed)
                group = GroupCounts(net.sponsor, m, params)
            vol, volume = group.active_volumes()
            customer = vol[0]
        reached = np.divide(customer, volume, out=np.zeros(m.act.size), where=volume > 0)
        if gate.share <= 0:
            return np.ones(m.act.size)
        short = gate.mode == "pro_rata"
        return np.where(reaches(reached, gate.share), 1.0,
                        reached / gate.share if short else 0.0)

    @staticmethod
    def _retail_margin(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        params = ctx.params
        per = params.margin_per_customer
        if params.discount_price is not None:  # a rank's discount: discount x retail
            per = discount_margin(params)[ctx.rank]
        p = ctx.m.customers * per
        return p, np.array([p.sum(), 0.0, 0.0])

    @staticmethod
    def _preferred_customers(params: Params, m: Month) -> tuple[np.ndarray, np.ndarray]:
        """The commission on one's preferred customers' orders: customers x pay per order."""
        assert m.preferred is not None
        assert params.preferred is not None
        p = m.preferred * params.preferred.commission
        return p, np.array([p.sum(), 0.0, 0.0])

    @staticmethod
    def _retail_commission(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        p = ctx.m.customers * ctx.params.commission_per_customer
        return p, np.array([p.sum(), 0.0, 0.0])

    @staticmethod
    def _enrollment_bonus(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        c = ctx.params.components["enrollment_bonus"]
        new = ctx.m.new
        new = new[ordered_enough(ctx.net.first_order, new, c)]
        p, _ = ctx.earners(c).pay(new, np.ones(new.size), c.amounts, rates_paid=False)
        return p, np.array([0.0, 0.0, p.sum()])

    @staticmethod
    def _fast_start(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        c = ctx.params.components["fast_start"]
        value = m.vo + m.vk
        at = np.flatnonzero((m.t - m.join[m.act] < c.months) & (value > 0))
        at = at[ordered_enough(ctx.net.first_order, m.act[at], c)]
        p, _ = ctx.earners(c).pay(m.act[at], value[at], c.rates, rates_paid=False)
        return p, np.array([0.0, 0.0, p.sum()])

    @staticmethod
    def _first_order_bonus(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        """The first-order bonus on each of the month's recruits' enrollment order.

        Its own-purchase part is an own purchase, its kit part enrollment (a fixed amount: in
        the order's shares).
        """
        m = ctx.m
        c = ctx.params.components["first_order_bonus"]
        at = np.searchsorted(m.act, m.new)
        vo, vk = m.vo[at], m.vk[at]
        order = vo + vk
        keep = np.asarray(reaches(order, c.min_recruit_order_volume), dtype=bool)
        at, vo, vk, order = at[keep], vo[keep], vk[keep], order[keep]
        earners = ctx.earners(c)
        if c.rates:
            p, paid = earners.pay(m.act[at], order, c.rates)
            assert paid is not None
            return p, np.array([0.0, float((paid * vo).sum()), float((paid * vk).sum())])
        p, paid = earners.pay(m.act[at], np.ones(at.size), c.amounts)
        assert paid is not None
        some = order > 0
        own = np.divide(paid * vo, order, out=np.zeros(at.size), where=some)
        kit = np.where(some, np.divide(paid * vk, order, out=np.zeros(at.size), where=some),
                       paid)
        return p, np.array([0.0, float(own.sum()), float(kit.sum())])

    @staticmethod
    def _unilevel(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        c = ctx.params.components["unilevel"]
        customer_only = c.basis == "customer"
        value = m.vc if customer_only else ctx.volume
        at = np.flatnonzero(value > 0)
        # Levels opened per active participant; the spare slots are never "locked".
        unlock = np.full(m.act.size + len(NOT_PAID), ALL_LEVELS, dtype=np.int8)
        unlock[: m.act.size] = unlock_table(ctx.params)[ctx.rank + 1]
        table = unilevel_rate_table(ctx.params)
        by_rank = None
        if c.compression == "dynamic":  # schema v1.1: by level qualification
            p, paid = _pay_dynamic(ctx, at, value[at], c.rates, unlock, table)
        elif ctx.route is not None:  # compression: go up through qualified uplines only
            if table is not None:  # each slot's row: its rank + 1; the spare slots' 0
                row = np.zeros(m.act.size + len(NOT_PAID), dtype=np.int64)
                row[: m.act.size] = ctx.rank + 1
                by_rank = (table, row)
            p, paid = ctx.uplines.by_slot(ctx.route(), m.act).pay(at, value[at], c.rates,
                                                                  unlock, by_rank=by_rank)
        else:
            if table is not None:  # each id's row: the active's rank + 1, everyone else's 0
                row = np.zeros(m.sentinel + 1, dtype=np.int64)
                row[m.act] = ctx.rank + 1
                by_rank = (table, row)
            p, paid = ctx.uplines.pay(m.act[at], value[at], c.rates, unlock, by_rank=by_rank)
        return p, tagged(paid, at, m, customer_only)

    @staticmethod
    def _matrix(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        tree = ctx.net.matrix
        assert tree is not None
        c = ctx.params.components["matrix"]
        at = ctx.share(np.flatnonzero(ctx.volume > 0))
        p, paid = ctx.through(tree).pay(ctx.m.act[at], ctx.volume[at], c.rates)
        return p, tagged(paid, at, ctx.m)

    @staticmethod
    def _rank_bonus(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        bonus = np.array([r.monthly_bonus for r in ctx.params.ranks] + [0.0])
        held = bonus[ctx.rank]  # rank -1 picks the trailing 0
        p = np.where(m.qualified, held, 0.0)
        ctx.breakage["unqualified"] += float(held[~m.qualified].sum())
        if ctx.net.bonus_rank is not None:
            p = p + VectorisedEngine._one_time_bonuses(ctx)
        return p, company_mix(m) * p.sum()

    @staticmethod
    def _one_time_bonuses(ctx: _Context) -> np.ndarray:
        """Each rank's one-time bonuses, per active, for the ranks passed this month.

        Advancement and fast-start bonuses, lowest rank first, as the reference adds them;
        moves ``net.bonus_rank`` up.
        """
        m, kept = ctx.m, ctx.net.bonus_rank
        assert kept is not None
        done = kept[m.act]
        reached = np.where(m.qualified, np.maximum(ctx.rank, done), done)
        months_in = m.t - m.join[m.act]
        once = np.zeros(m.act.size)
        for k, spec in enumerate(ctx.params.ranks):
            passed = (done < k) & (k <= reached)
            once = once + np.where(passed, spec.advancement_bonus, 0.0)
            within = spec.fast_start_within_months
            if spec.fast_start_bonus > 0 and within is not None:
                once = once + np.where(passed & (months_in < within), spec.fast_start_bonus,
                                       0.0)
        kept[m.act] = reached
        return once

    @staticmethod
    def _position_return(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        """The return on each active participant's own position; source: enrollment."""
        m, params = ctx.m, ctx.params
        c = params.components["position_return"]
        if c.per_month is not None:
            p = np.full(m.act.size, c.per_month)
        else:
            assert c.rate_of_price is not None
            prices = (params.packages.money if params.packages is not None else ())
            table = np.array((*prices, params.kit_money))  # index -1: no package
            chosen = m.package if m.package is not None else np.full(m.act.size, -1)
            p = c.rate_of_price * table[chosen]
        if c.months_paid is not None:
            p = np.where(m.t - m.join[m.act] < c.months_paid, p, 0.0)
        return p, np.array([0.0, 0.0, p.sum()])

    @staticmethod
    def _pool(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        """The pool split equally among the qualified at its rank or above."""
        m, params = ctx.m, ctx.params
        c = params.components["pool"]
        at = [r.name for r in params.ranks].index(c.rank)
        pool = float(round_pay((c.share or 0.0) * float(ctx.volume.sum())))
        sharers = m.qualified & (ctx.rank >= at)
        count = int(sharers.sum())
        if count == 0:
            ctx.breakage["unqualified"] += pool
            return np.zeros(m.act.size), np.zeros(3)
        p = np.where(sharers, float(round_pay(pool / count)), 0.0)
        return p, company_mix(m) * p.sum()

    @staticmethod
    def _matching_bonus(ctx: _Context, pay: dict[str, np.ndarray], src: dict[str, np.ndarray]
                        ) -> tuple[np.ndarray, np.ndarray]:
        """The matching bonus on ``pay``, the month's pay of the other components, per active.

        Generation by generation through the sponsor tree, each share rounded to a millionth as
        the reference rounds it, into the payees' slots (the spare slots: breakage).
        """
        m = ctx.m
        c = ctx.params.components["matching_bonus"]
        up = ctx.earners(c)
        matched = [k for k in ctx.params.components if k in pay and k not in UNMATCHED]
        earned = np.zeros(m.act.size)
        sources = np.zeros(3)
        for k in matched:  # in the plan's order, as the reference adds them
            earned += pay[k]
            sources = sources + src[k]
        whole = float(earned.sum())
        rounded = round_pay(earned)
        at = np.flatnonzero(rounded > 0)
        at = at[ordered_enough(ctx.net.first_order, m.act[at], c)]
        value = rounded[at]
        a = m.act[at]
        got = np.zeros(up.active + 2)
        for rate in c.rates:
            a = np.take(up.up, a)
            got += np.bincount(np.take(up.target, a), round_pay(rate * value),
                               minlength=up.active + 2)
        up.breakage["unqualified"] += float(got[up.active])
        up.breakage["top_of_network"] += float(got[up.active + 1])
        p = got[: up.active]
        return p, sources * (float(p.sum()) / whole if whole > 0 else 0.0)

    @staticmethod
    def _ranks(params: Params, m: Month, legs: np.ndarray, group: GroupCounts | None,
               net: Network | None = None, slot: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
        """Paid-as rank per active, and the title rank when ranks are kept (see the reference)."""
        if group is None:
            return np.full(m.act.size, NO_RANK, dtype=np.int64), None
        counts = group.active_counts()
        vol, total = group.active_volumes()
        gv = total if params.own_purchases_count else vol[0]
        team = counts[1] - 1  # active participants below, oneself not counted
        history = net.history if net is not None else None
        legs_volume = None  # (each leg's group volume, the slot of its top's sponsor, its id)
        limited = any(r.max_leg_share is not None for r in params.ranks)
        if slot is not None and limited:
            legs_volume = _leg_volumes(params, m, group, slot)
        facts = _RankFacts(params, m, legs, team, history)
        if params.breakaway_legs_left_out and net is not None:
            gv, legs_volume = _without_breakaway_legs(facts, group, gv, legs_volume, net)
        return facts.ranks(_counted(params, m, gv, legs_volume), commit=True)

    @staticmethod
    def _binary(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m, params, net = ctx.m, ctx.params, ctx.net
        c = params.components["binary"]
        tree, carry = net.binary, net.carry
        assert tree is not None
        assert carry is not None
        base = ctx.binary_base.result() if ctx.binary_base is not None else None
        group = base if base is not None and base.units_of is m.units else GroupCounts(
            tree, m, params, base)
        frame = (ctx.binary_frame.result() if ctx.binary_frame is not None
                 else LegFrame.of(tree, carry, m, bool(c.carryover)))
        at, kids, who = frame.at, frame.kids, frame.who
        # (side, source, participant): the volume below each child (none without one)
        legs = group.volumes(group.counts(kids.ravel())).reshape(3, 2, at.size).swapaxes(0, 1)
        if frame.carried is not None:
            legs += frame.carried
        totals = legs.sum(axis=1)
        if c.binary_rules:
            return _binary_rules(ctx, frame, legs, totals)
        matched = totals.min(axis=0)
        raw = binary_rates(params, ctx.rank, at) * matched
        capped = raw if c.monthly_cap is None else np.minimum(raw, c.monthly_cap)
        qualified = m.qualified[at]
        ctx.breakage["binary_cap"] += float((raw - capped).sum())
        ctx.breakage["unqualified"] += float(capped[~qualified].sum())
        earned = np.where(qualified, capped, 0.0)
        weaker = np.where(totals[0] <= totals[1], legs[0], legs[1])
        share = np.divide(earned, matched, out=np.zeros(at.size), where=matched > 0)
        sources = (weaker * share).sum(axis=1)
        if c.carryover:
            keep = 1 - np.divide(matched, totals, out=np.ones_like(totals), where=totals > 0)
            carry.keep(who, legs * keep[:, None, :])
        pay = np.zeros(m.act.size)
        pay[at] = earned
        return pay, sources

    @staticmethod
    def _breakaway(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        params, m, rank = ctx.params, ctx.m, ctx.rank
        breakage = ctx.breakage
        up = ctx.net.sponsor.up
        c = params.components["breakaway"]
        sources = np.zeros(3)
        if not params.ranks:
            return np.zeros(m.act.size), sources
        diff = np.array([r.differential_rate for r in params.ranks] + [0.0])
        rate_a = np.where(m.qualified, diff[rank], 0.0)
        broke_a = m.qualified & (rank == len(params.ranks) - 1)
        node_a = (rate_a > 0) | broke_a
        # The few who hold a rate or broke away, numbered 0..k-1 (k: none, the top).
        kids = m.act[node_a]
        k = kids.size
        rate = np.append(rate_a[node_a], 0.0)
        broke = np.append(broke_a[node_a], True)  # True at k: a climb ends at the top
        others = np.ones(m.sentinel + 1, dtype=bool)  # over ids: not one of them
        others[kids] = False
        others[m.sentinel] = False
        above = climb(up[kids], up, others)  # the nearest of them above, by id
        # ... by number (the sentinel, past every id, is k); the top's parent is the top
        kpar = np.append(np.searchsorted(kids, above), k)
        has = kpar[:k] != k
        # Volume reaches the nearest rate-holder (or broken-away participant) at or above its
        # buyer: each one's subtree, less the subtrees of the nearest such participants below.
        group = ctx.group
        assert group is not None
        whole = group.counts(kids)
        own_group = whole.copy()
        for s in range(own_group.shape[0]):
            np.subtract.at(own_group[s], kpar[:k][has], whole[s, has])
        w3 = group.volumes(own_group)
        wt = w3.sum(axis=0)

        # Rank differential: each upline earns its rate minus the highest rate below it.
        best = rate[:k].copy()
        at = kpar[:k]
        idx = np.arange(k)
        ceiling = rate.max()
        to: list[np.ndarray] = [idx]
        amounts: list[np.ndarray] = [rate[:k] * wt]
        while True:
            live = (at != k) & (best[idx] < ceiling)
            at, idx = at[live], idx[live]
            if at.size == 0:
                break
            to.append(at)
            amounts.append(np.maximum(rate[at] - best[idx], 0.0) * wt[idx])
            best[idx] = np.maximum(best[idx], rate[at])
            at = kpar[at]
        sources += (w3 * best).sum(axis=1)

        # Generation royalties on the group volume of breakaway legs.
        gens = c.generation_rates
        bs = np.flatnonzero(broke[:k])
        bp = np.full(k + 1, k, dtype=np.int64)
        unbroken = ~broke
        bp[bs] = climb(kpar[bs], kpar, unbroken)
        bself = climb(np.arange(k), kpar, unbroken)
        grouped = bself != k
        local = np.searchsorted(bs, bself[grouped])
        g3 = np.zeros((3, bs.size))
        for s in range(3):
            np.add.at(g3[s], local, w3[s, grouped])
        gt = g3.sum(axis=0)
        gen_rates = np.asarray(gens, dtype=float)
        a = bs
        gidx = np.arange(bs.size)
        for g, r in enumerate(gens):
            a = bp[a]
            topped = a == k
            if topped.any():
                breakage["top_of_network"] += float(gen_rates[g:].sum() * gt[gidx[topped]].sum())
                a, gidx = a[~topped], gidx[~topped]
            if a.size == 0:
                break
            to.append(a)
            amounts.append(r * gt[gidx])
            sources += r * g3[:, gidx].sum(axis=1)
        # every rate-holder is qualified, hence active
        receivers = ctx.uplines.slot[kids[np.concatenate(to)]]
        pay = np.bincount(receivers, np.concatenate(amounts), minlength=m.act.size)
        return pay, sources
