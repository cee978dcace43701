"""The vectorised engine: placement and payouts of every component with whole-array operations.

No per-participant Python loop: uplines are reached by jumping through parent arrays one level
at a time over all payers at once, pay is gathered with ``np.bincount``, subtree volumes are
rolled up depth level by depth level (deepest first), and "nearest qualifying upline" arrays
are filled top-down depth level by depth level. Each rule is documented once, in
:mod:`evaluator.simulation.reference`, which computes the same rules participant by
participant; the differential tests hold the two to the same results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evaluator.simulation.network import (
    NO_RANK,
    Month,
    MonthPay,
    Network,
    Params,
    Tree,
    company_mix,
    reaches,
)


def place_forced(tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
    """Place recruits in a forced tree, all at once per depth level.

    Rule (as in the reference): a recruit takes the first free position under the anchor
    (initially the sponsor); under a full anchor, overflowing recruits are passed to the
    anchor's children in turn (the anchor's ``turn`` counter, modulo the width). Arrivals at an
    anchor are served in id order; handling anchors shallowest depth first gives exactly the
    order of the one-recruit-at-a-time rule, since every arrival at a depth comes from above.
    """
    w = tree.width
    rid, anchor = recruits, sponsors
    adepth = tree.depth[anchor]
    placed: list[np.ndarray] = []
    under: list[np.ndarray] = []
    while rid.size:
        d = adepth.min()
        here = adepth == d
        r, a = rid[here], anchor[here]
        rest = ~here
        rid, anchor, adepth = rid[rest], anchor[rest], adepth[rest]
        order = np.lexsort((r, a))
        r, a = r[order], a[order]
        first = np.empty(r.size, dtype=bool)
        first[0] = True
        np.not_equal(a[1:], a[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        group = np.cumsum(first) - 1
        k = np.arange(r.size) - starts[group]
        filled = tree.nchild[a]
        free = w - filled
        put = k < free
        tree.child[a[put], filled[put] + k[put]] = r[put]
        placed.append(r[put])
        under.append(a[put])
        heads = a[starts]
        counts = np.diff(np.append(starts, r.size))
        took = np.minimum(counts, w - tree.nchild[heads])
        tree.nchild[heads] += took
        over = ~put
        if over.any():
            ao = a[over]
            nxt = tree.child[ao, (tree.turn[ao] + k[over] - free[over]) % w]
            tree.turn[heads] += counts - took
            rid = np.concatenate((rid, r[over]))
            anchor = np.concatenate((anchor, nxt))
            adepth = np.concatenate((adepth, np.full(nxt.size, d + 1)))
    if placed:
        ids = np.concatenate(placed)
        parents = np.concatenate(under)
        order = np.argsort(ids)
        tree.attach(ids[order], parents[order])


class GroupCounts:
    """Customers, active participants and new recruits in every subtree of a tree.

    A subtree is one contiguous run of the tree's depth-first order, so its counts are
    differences of prefix sums: one cumulative sum per month, then any subtree in O(1).
    Counts are integers, so the sums are exact; volumes are counts x the volume of one
    customer order, one month's own purchase and one starter kit.
    """

    def __init__(self, tree: Tree, m: Month, params: Params) -> None:
        self.tree = tree
        act = np.flatnonzero(m.active)
        cum = np.zeros((3, m.n + 1), dtype=np.int64)
        at = tree.pos[act] + 1
        cum[0, at] = m.customers[act]
        cum[1, at] = 1
        cum[2, tree.pos[m.new] + 1] = 1
        np.cumsum(cum, axis=1, out=cum)
        self.cum = cum
        self.unit = np.array([[params.order_volume], [params.own_volume], [params.kit_volume]])

    def counts(self, ids: np.ndarray) -> np.ndarray:
        """(customers, active, new) in the subtree of each id: shape (3, len(ids))."""
        start = self.tree.pos[ids]
        return self.cum[:, start + self.tree.size[ids]] - self.cum[:, start]

    def volumes(self, counts: np.ndarray) -> np.ndarray:
        """(customer, own-purchase, kit) volume of those counts."""
        return counts * self.unit


def nearest_marked(tree: Tree, up: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """Nearest strict ancestor with ``mark`` set, or the sentinel n (``mark[n]`` is False)."""
    n = up.size - 1
    near = np.full(n + 1, n, dtype=np.int64)
    for ids in tree.levels[1:]:
        p = up[ids]
        near[ids] = np.where(mark[p], p, near[p])
    return near


def climb(start: np.ndarray, parent: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """From each start, go up ``parent`` until a marked participant or the sentinel n."""
    n = parent.size - 1
    at = start.copy()
    todo = np.flatnonzero((at != n) & ~mark[at])
    while todo.size:
        at[todo] = parent[at[todo]]
        todo = todo[(at[todo] != n) & ~mark[at[todo]]]
    return at


def upline_pay(
    up: np.ndarray,
    eligible: np.ndarray,
    payers: np.ndarray,
    values: np.ndarray,
    rates: tuple[float, ...],
    breakage: dict[str, float],
    unlock: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pay ``rates[k-1] x value`` to the k-th upline of each payer (through ``up``).

    An upline that is not ``eligible`` (or whose ``unlock`` is below k) is not paid: that pay
    is breakage, as is pay for levels above the top of the tree. Returns pay per participant
    (length n) and the total rate paid on each payer's value.
    """
    n1 = up.size
    paid = np.zeros(payers.size)
    idx = np.arange(payers.size)
    a, v = payers, values
    rate_arr = np.asarray(rates, dtype=float)
    to: list[np.ndarray] = []
    amounts: list[np.ndarray] = []
    for k, rate in enumerate(rates, 1):
        a = up[a]
        top = a == n1 - 1
        if top.any():
            breakage["top_of_network"] += float(rate_arr[k - 1:].sum() * v[top].sum())
            keep = ~top
            a, v, idx = a[keep], v[keep], idx[keep]
        if a.size == 0:
            break
        ok = eligible[a]
        breakage["unqualified"] += rate * float(v[~ok].sum())
        if unlock is not None:
            opened = unlock[a] >= k
            breakage["locked_levels"] += rate * float(v[ok & ~opened].sum())
            ok &= opened
        if rate:
            to.append(a[ok])
            amounts.append(v[ok] * rate)
            paid[idx[ok]] += rate
    if not to:
        return np.zeros(n1 - 1), paid
    pay = np.bincount(np.concatenate(to), np.concatenate(amounts), minlength=n1)
    return pay[:-1], paid


def tagged(paid: np.ndarray, payers: np.ndarray, m: Month,
           customer_only: bool = False) -> np.ndarray:
    """(customer, own, enrollment) totals of pay at rate ``paid`` on each payer's volume."""
    out = np.zeros(3)
    for s, v in enumerate((m.vc,) if customer_only else (m.vc, m.vo, m.vk)):
        out[s] = float((paid * v[payers]).sum())
    return out


@dataclass
class _Context:
    """What every component of one month needs."""

    params: Params
    net: Network
    m: Month
    up: np.ndarray  # sponsor parent with the sentinel
    q: np.ndarray  # qualified, with the sentinel (False)
    rank: np.ndarray
    group: GroupCounts | None  # sponsor-tree subtree counts, when the plan has ranks
    breakage: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(
            ("unqualified", "top_of_network", "locked_levels", "binary_cap"), 0.0
        )
    )

    volume: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.volume = self.m.vc + self.m.vo + self.m.vk  # all commissionable volume


class VectorisedEngine:
    """Whole-array placement and payouts; see :mod:`evaluator.simulation.reference`."""

    name = "vectorised"

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Forced-tree placement with breadth-first spill-over."""
        place_forced(tree, recruits, sponsors)

    def pay(self, params: Params, net: Network, m: Month) -> MonthPay:
        """Every component of the plan for one month."""
        up = net.sponsor.up(m.n)
        group = GroupCounts(net.sponsor, m, params) if params.ranks else None
        ctx = _Context(params, net, m, up, np.append(m.qualified, False),
                       self._ranks(params, m, up, group), group)
        pay: dict[str, np.ndarray] = {}
        src: dict[str, np.ndarray] = {}
        for kind in params.components:
            pay[kind], src[kind] = getattr(self, "_" + kind)(ctx)
        return MonthPay(pay, src, ctx.breakage, ctx.rank)

    @staticmethod
    def _retail_margin(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        p = ctx.m.customers * ctx.params.margin_per_customer
        return p, np.array([p.sum(), 0.0, 0.0])

    @staticmethod
    def _retail_commission(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        p = ctx.m.customers * ctx.params.commission_per_customer
        return p, np.array([p.sum(), 0.0, 0.0])

    @staticmethod
    def _enrollment_bonus(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        c = ctx.params.components["enrollment_bonus"]
        new = ctx.m.new
        p, _ = upline_pay(ctx.up, ctx.q, new, np.ones(new.size), c.amounts, ctx.breakage)
        return p, np.array([0.0, 0.0, p.sum()])

    @staticmethod
    def _fast_start(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        c = ctx.params.components["fast_start"]
        value = m.vo + m.vk
        payers = np.flatnonzero(m.active & (m.t - m.join < c.months) & (value > 0))
        p, _ = upline_pay(ctx.up, ctx.q, payers, value[payers], c.rates, ctx.breakage)
        return p, np.array([0.0, 0.0, p.sum()])

    @staticmethod
    def _unilevel(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        c = ctx.params.components["unilevel"]
        customer_only = c.basis == "customer"
        value = m.vc if customer_only else ctx.volume
        payers = np.flatnonzero(value > 0)
        route = nearest_marked(ctx.net.sponsor, ctx.up, ctx.q) if c.compression else ctx.up
        unlock = np.append(ctx.params.unlock_table()[ctx.rank + 1], 0)
        p, paid = upline_pay(route, ctx.q, payers, value[payers], c.rates, ctx.breakage,
                             unlock)
        return p, tagged(paid, payers, m, customer_only)

    @staticmethod
    def _matrix(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        tree = ctx.net.matrix
        assert tree is not None
        c = ctx.params.components["matrix"]
        payers = np.flatnonzero(ctx.volume > 0)
        p, paid = upline_pay(tree.up(ctx.m.n), ctx.q, payers, ctx.volume[payers], c.rates,
                             ctx.breakage)
        return p, tagged(paid, payers, ctx.m)

    @staticmethod
    def _rank_bonus(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m = ctx.m
        bonus = np.array([r.monthly_bonus for r in ctx.params.ranks] + [0.0])
        held = bonus[ctx.rank]  # rank -1 picks the trailing 0
        p = np.where(m.qualified, held, 0.0)
        ctx.breakage["unqualified"] += float(held[~m.qualified].sum())
        return p, company_mix(m) * p.sum()

    @staticmethod
    def _ranks(params: Params, m: Month, up: np.ndarray,
               group: GroupCounts | None) -> np.ndarray:
        n = m.n
        rank = np.full(n, NO_RANK, dtype=np.int64)
        if group is None:
            return rank
        act = np.flatnonzero(m.active)
        vol = group.volumes(group.counts(act))
        gv = vol[0] + vol[1] + vol[2] if params.own_purchases_count else vol[0]
        legs = np.bincount(up[act], minlength=n + 1)[act]
        pv = m.pv[act]
        for r, spec in enumerate(params.ranks):
            ok = (
                reaches(pv, spec.min_personal_volume)
                & reaches(gv, spec.min_group_volume)
                & (legs >= spec.min_active_legs)
            )
            rank[act[ok]] = r
        return rank

    @staticmethod
    def _binary(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        m, params, net = ctx.m, ctx.params, ctx.net
        c = params.components["binary"]
        tree, carry = net.binary, net.carry
        assert tree is not None
        assert carry is not None
        n = m.n
        group = GroupCounts(tree, m, params)
        # Only the active can earn: legs (fresh volume plus carry-over, per source) for them.
        act = np.flatnonzero(m.active)
        legs = np.zeros((2, 3, act.size))
        for side in range(2):
            kids = tree.child[act, side]
            filled = kids >= 0
            legs[side][:, filled] = group.volumes(group.counts(kids[filled]))
            legs[side] += carry[side][:, act]
        totals = legs.sum(axis=1)
        matched = totals.min(axis=0)
        raw = (c.rate or 0.0) * matched
        capped = raw if c.monthly_cap is None else np.minimum(raw, c.monthly_cap)
        ctx.breakage["binary_cap"] += float((raw - capped).sum())
        qa = m.qualified[act]
        ctx.breakage["unqualified"] += float(capped[~qa].sum())
        earned = np.where(qa, capped, 0.0)
        pay = np.zeros(n)
        pay[act] = earned
        weaker = np.where(totals[0] <= totals[1], legs[0], legs[1])
        share = np.divide(earned, matched, out=np.zeros(act.size), where=matched > 0)
        sources = (weaker * share).sum(axis=1)
        if c.carryover:
            keep = 1 - np.divide(matched, totals, out=np.ones_like(totals), where=totals > 0)
            carry[:, :, act] = legs * keep[:, None, :]
        return pay, sources

    @staticmethod
    def _breakaway(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        params, m, up, q, rank = ctx.params, ctx.m, ctx.up, ctx.q, ctx.rank
        breakage = ctx.breakage
        c = params.components["breakaway"]
        n = m.n
        pay = np.zeros(n + 1)
        sources = np.zeros(3)
        if not params.ranks:
            return pay[:n], sources
        diff = np.array([r.differential_rate for r in params.ranks] + [0.0])
        qn = q[:n]
        rate = np.append(np.where(qn, diff[rank], 0.0), 0.0)
        top = len(params.ranks) - 1
        brk = np.append(qn & (rank == top), False)
        node = (rate > 0) | brk
        node[n] = False
        kids = np.flatnonzero(node)
        rp = np.full(n + 1, n, dtype=np.int64)
        rp[kids] = climb(up[kids], up, node)
        # Volume reaches the nearest rate-holder (or broken-away participant) at or above its
        # buyer: each one's subtree, less the subtrees of the nearest such participants below.
        group = ctx.group
        assert group is not None
        whole = group.counts(kids)
        own_group = whole.copy()
        below = rp[kids] != n
        local = np.searchsorted(kids, rp[kids][below])
        for s in range(3):
            np.subtract.at(own_group[s], local, whole[s, below])
        w3 = group.volumes(own_group)
        wt = w3.sum(axis=0)
        bp = np.full(n + 1, n, dtype=np.int64)
        bs = np.flatnonzero(brk)
        bp[bs] = climb(rp[bs], rp, brk)

        # Rank differential: each upline earns its rate minus the highest rate below it.
        own = rate[kids]
        pay[kids] += own * wt
        best = own.copy()
        at = rp[kids]
        idx = np.arange(kids.size)
        ceiling = rate.max()
        to: list[np.ndarray] = []
        amounts: list[np.ndarray] = []
        while True:
            live = (at != n) & (best[idx] < ceiling)
            at, idx = at[live], idx[live]
            if at.size == 0:
                break
            to.append(at)
            amounts.append(np.maximum(rate[at] - best[idx], 0.0) * wt[idx])
            best[idx] = np.maximum(best[idx], rate[at])
            at = rp[at]
        sources += (w3 * best).sum(axis=1)

        # Generation royalties on the group volume of breakaway legs.
        gens = c.generation_rates
        bself = climb(kids, rp, brk)
        grouped = bself != n
        g3 = np.stack([np.bincount(bself[grouped], w3[s, grouped], minlength=n + 1)[bs]
                       for s in range(3)])
        gt = g3.sum(axis=0)
        gen_rates = np.asarray(gens, dtype=float)
        a = bs
        gidx = np.arange(bs.size)
        for g, r in enumerate(gens):
            a = bp[a]
            topped = a == n
            if topped.any():
                breakage["top_of_network"] += float(gen_rates[g:].sum() * gt[gidx[topped]].sum())
                a, gidx = a[~topped], gidx[~topped]
            if a.size == 0:
                break
            to.append(a)
            amounts.append(r * gt[gidx])
            sources += r * g3[:, gidx].sum(axis=1)
        if to:
            pay += np.bincount(np.concatenate(to), np.concatenate(amounts), minlength=n + 1)
        return pay[:n], sources
