"""The vectorised engine: placement and payouts of every component with whole-array operations.

No per-participant Python loop: uplines are reached by jumping through parent arrays one level
at a time over all payers at once, pay is gathered with ``np.bincount``, subtree volumes are
rolled up depth level by depth level (deepest first), and "nearest qualifying upline" arrays
are filled top-down depth level by depth level. Each rule is documented once, in
:mod:`evaluator.simulation.reference`, which computes the same rules participant by
participant; the differential tests hold the two to the same results.
"""

from __future__ import annotations

import numpy as np

from evaluator.simulation.network import (
    NO_RANK,
    Month,
    MonthPay,
    Network,
    Params,
    Tree,
    company_mix,
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
        tree.attach(r[put], a[put])
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


def subtree_sums(tree: Tree, up: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each participant's value plus all of their descendants' (length n + 1, sentinel 0)."""
    n = up.size - 1
    s = np.zeros(n + 1)
    s[:n] = values
    for ids in reversed(tree.levels[1:]):
        np.add.at(s, up[ids], s[ids])
    s[n] = 0.0
    return s


def nearest_marked(tree: Tree, up: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """Nearest strict ancestor with ``mark`` set, or the sentinel n (``mark[n]`` is False)."""
    n = up.size - 1
    near = np.full(n + 1, n, dtype=np.int64)
    for ids in tree.levels[1:]:
        p = up[ids]
        near[ids] = np.where(mark[p], p, near[p])
    return near


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
    pay = np.zeros(n1)
    paid = np.zeros(payers.size)
    idx = np.arange(payers.size)
    a, v = payers, values
    rate_arr = np.asarray(rates, dtype=float)
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
            pay += np.bincount(a[ok], v[ok] * rate, minlength=n1)
            paid[idx[ok]] += rate
    return pay[:-1], paid


class VectorisedEngine:
    """Whole-array placement and payouts; see :mod:`evaluator.simulation.reference`."""

    name = "vectorised"

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Forced-tree placement with breadth-first spill-over."""
        place_forced(tree, recruits, sponsors)

    def pay(self, params: Params, net: Network, m: Month) -> MonthPay:
        """Every component of the plan for one month."""
        n = m.n
        up = net.sponsor.up(n)
        q = np.append(m.qualified, False)
        vol = m.vc + m.vo + m.vk
        breakage = {"unqualified": 0.0, "top_of_network": 0.0, "locked_levels": 0.0,
                    "binary_cap": 0.0}
        pay: dict[str, np.ndarray] = {}
        src: dict[str, np.ndarray] = {}
        rank = self._ranks(params, net, m, up)
        comps = params.components

        if "retail_margin" in comps:
            pay["retail_margin"] = m.customers * params.margin_per_customer
            src["retail_margin"] = np.array([pay["retail_margin"].sum(), 0.0, 0.0])
        if "retail_commission" in comps:
            pay["retail_commission"] = m.customers * params.commission_per_customer
            src["retail_commission"] = np.array([pay["retail_commission"].sum(), 0.0, 0.0])
        if "enrollment_bonus" in comps:
            c = comps["enrollment_bonus"]
            p, _ = upline_pay(up, q, m.new, np.ones(m.new.size), c.amounts, breakage)
            pay["enrollment_bonus"] = p
            src["enrollment_bonus"] = np.array([0.0, 0.0, p.sum()])
        if "fast_start" in comps:
            c = comps["fast_start"]
            fresh = m.active & (m.t - m.join < c.months)
            value = m.vo + m.vk
            payers = np.flatnonzero(fresh & (value > 0))
            p, _ = upline_pay(up, q, payers, value[payers], c.rates, breakage)
            pay["fast_start"] = p
            src["fast_start"] = np.array([0.0, 0.0, p.sum()])
        if "unilevel" in comps:
            c = comps["unilevel"]
            customer_only = c.basis == "customer"
            value = m.vc if customer_only else vol
            payers = np.flatnonzero(value > 0)
            route = nearest_marked(net.sponsor, up, q) if c.compression else up
            unlock = np.append(params.unlock_table()[rank + 1], 0)
            p, paid = upline_pay(route, q, payers, value[payers], c.rates, breakage, unlock)
            pay["unilevel"] = p
            own = 0.0 if customer_only else float(paid @ m.vo[payers])
            kit = 0.0 if customer_only else float(paid @ m.vk[payers])
            src["unilevel"] = np.array([float(paid @ m.vc[payers]), own, kit])
        if "matrix" in comps and net.matrix is not None:
            c = comps["matrix"]
            payers = np.flatnonzero(vol > 0)
            p, paid = upline_pay(net.matrix.up(n), q, payers, vol[payers], c.rates, breakage)
            pay["matrix"] = p
            src["matrix"] = np.array(
                [float(paid @ m.vc[payers]), float(paid @ m.vo[payers]),
                 float(paid @ m.vk[payers])]
            )
        if "binary" in comps and net.binary is not None:
            pay["binary"], src["binary"] = self._binary(params, net, m, q, breakage)
        if "breakaway" in comps:
            pay["breakaway"], src["breakaway"] = self._breakaway(params, net, m, up, q, rank,
                                                                 breakage)
        if "rank_bonus" in comps:
            bonus = np.array([r.monthly_bonus for r in params.ranks] + [0.0])
            held = bonus[rank]  # rank -1 picks the trailing 0
            p = np.where(m.qualified, held, 0.0)
            breakage["unqualified"] += float(held[~m.qualified].sum())
            pay["rank_bonus"] = p
            src["rank_bonus"] = company_mix(m) * p.sum()
        return MonthPay(pay, src, breakage, rank)

    @staticmethod
    def _ranks(params: Params, net: Network, m: Month, up: np.ndarray) -> np.ndarray:
        n = m.n
        rank = np.full(n, NO_RANK, dtype=np.int64)
        if not params.ranks:
            return rank
        gv = subtree_sums(net.sponsor, up, m.pv)[:n]
        legs = np.bincount(up[:n][m.active], minlength=n + 1)[:n]
        for r, spec in enumerate(params.ranks):
            ok = (
                m.active
                & (m.pv >= spec.min_personal_volume)
                & (gv >= spec.min_group_volume)
                & (legs >= spec.min_active_legs)
            )
            rank[ok] = r
        return rank

    @staticmethod
    def _binary(
        params: Params, net: Network, m: Month, q: np.ndarray, breakage: dict[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        c = params.components["binary"]
        tree = net.binary
        assert tree is not None
        assert net.carry is not None
        n = m.n
        bup = tree.up(n)
        child = np.where(tree.child[:n] < 0, n, tree.child[:n])
        legs = np.empty((n, 2, 3))
        for s, v in enumerate((m.vc, m.vo, m.vk)):
            sums = subtree_sums(tree, bup, v)
            legs[:, 0, s] = sums[child[:, 0]]
            legs[:, 1, s] = sums[child[:, 1]]
        legs += net.carry[:n]
        totals = legs.sum(axis=2)
        matched = totals.min(axis=1)
        raw = (c.rate or 0.0) * matched
        capped = raw if c.monthly_cap is None else np.minimum(raw, c.monthly_cap)
        breakage["binary_cap"] += float((raw - capped).sum())
        qn = q[:n]
        breakage["unqualified"] += float(capped[~qn].sum())
        pay = np.where(qn, capped, 0.0)
        weaker_left = totals[:, 0] <= totals[:, 1]
        weaker = np.where(weaker_left[:, None], legs[:, 0, :], legs[:, 1, :])
        wt = weaker.sum(axis=1)
        share = np.divide(pay, wt, out=np.zeros(n), where=wt > 0)
        sources = (weaker * share[:, None]).sum(axis=0)
        if c.carryover:
            keep = 1 - np.divide(matched[:, None], totals, out=np.ones((n, 2)),
                                 where=totals > 0)
            net.carry[:n] = legs * keep[:, :, None] * m.active[:, None, None]
        return pay, sources

    @staticmethod
    def _breakaway(
        params: Params,
        net: Network,
        m: Month,
        up: np.ndarray,
        q: np.ndarray,
        rank: np.ndarray,
        breakage: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray]:
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
        rp = nearest_marked(net.sponsor, up, node)
        bp = nearest_marked(net.sponsor, up, brk)
        vols = np.stack((m.vc, m.vo, m.vk))
        payers = np.flatnonzero(vols.sum(axis=0) > 0)
        entry = np.where(node[payers], payers, rp[payers])
        inside = entry != n
        entry, payers = entry[inside], payers[inside]
        kids = np.flatnonzero(node)
        w3 = np.stack([np.bincount(entry, vols[s, payers], minlength=n + 1)[kids]
                       for s in range(3)])
        wt = w3.sum(axis=0)

        # Rank differential: each upline earns its rate minus the highest rate below it.
        own = rate[kids]
        pay[kids] += own * wt
        best = own.copy()
        at = rp[kids]
        idx = np.arange(kids.size)
        ceiling = rate.max()
        while True:
            live = (at != n) & (best[idx] < ceiling)
            at, idx = at[live], idx[live]
            if at.size == 0:
                break
            gain = np.maximum(rate[at] - best[idx], 0.0)
            pay += np.bincount(at, gain * wt[idx], minlength=n + 1)
            best[idx] = np.maximum(best[idx], rate[at])
            at = rp[at]
        sources += w3 @ best

        # Generation royalties on the group volume of breakaway legs.
        gens = c.generation_rates
        bself = np.where(brk[kids], kids, bp[kids])
        grouped = bself != n
        bs = np.flatnonzero(brk)
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
            pay += np.bincount(a, r * gt[gidx], minlength=n + 1)
            sources += r * g3[:, gidx].sum(axis=1)
        return pay[:n], sources

