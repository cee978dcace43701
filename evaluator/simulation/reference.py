"""The reference engine: every qualification, placement and payout rule.

It applies them participant by participant.

This is the oracle the vectorised engine is tested against, written to be read: plain loops
over Python lists, one rule at a time, in the words a plan's documents use. It is plain, not
slow on purpose: it is slow because it visits every participant and upline one at a time in
Python, so it is meant for small networks.

What it decides on its own, from the rules below (the vectorised engine decides the same with
whole arrays): which quitters stay customers and of whom
(:meth:`ReferenceEngine.stay_customers`), personal volume and qualification
(:meth:`ReferenceEngine.qualify`), who buys
how many products to qualify (:meth:`ReferenceEngine.top_up`: the buyers' sequence, the
targets from ranks, group volume, active legs and team size, the whole products short),
paid-as ranks, the unilevel levels each rank opens, the rates by rank (schema v1.1: each
rank's unilevel and binary rates, its retail margin and the share of the wholesale price its
discount saves), forced-tree placement, every component's pay, its sources and breakage by
cause.

What it shares with the vectorised engine (in :mod:`evaluator.simulation.network`, so a
misreading there is not caught by comparing the engines; tests/simulation/test_closed_form.py
checks the average order and churn by hand): the run parameters (``Params.build``: the scale,
the average order, costs, the kinds' recruiting and customer factors over their mean), the
month loop (recruiting, the random draws and their order,
customers, the month's customer, own-purchase and kit volumes, costs, churn with the loss
boost, the payout cap and the rounding of each participant's month, turning the share a
rank's discount saves into money off each one's own purchases, and each participant's
enrollment package, whose price a return on one's own position may pay a share of, and
schema v1.1's preferred customers: their books, draws and volume, and the price, volume and
commission of one preferred order, ``Params.preferred``), the tree
storage (``Tree.attach``: parents, depths), the binary carry-over store, the stores of schema
v1.1's kept figures (``Network.first_order``, ``Network.bonus_rank``: each engine fills and
reads them with its own code) and the rank history store (``RankHistory``: what each engine
writes there, it decides itself), and the tie tolerance of
every threshold (``reaches``), so both engines decide a tie alike. The rules:

- Qualification (:meth:`ReferenceEngine.qualify`): personal volume is customer volume, plus
  own-purchase and kit volume unless the plan says own purchases do not count; a participant
  earns downline pay in a month only when active, with personal volume >=
  ``min_personal_volume`` and at least ``min_retail_customers`` customers. Retail margin and
  retail commission on one's own customers need no qualification.
- Business volume (schema v1.1): every payout below reads the month's business volume
  (``m.vc``, ``m.vo``, ``m.vk`` and the shared ``count_volumes``); personal volume for
  qualification and ranks, group volume for ranks, buying to qualify and the retail-share gate
  read the point volume (``m.pv``, ``Month.personal_parts``). The month loop (shared) gives both.
- Retail-share gate (schema v1.1 ``qualification.min_customer_share``;
  :meth:`ReferenceEngine._gate`): each month, the share reached is customer volume over all
  volume (customer, own-purchase and kit, after buying to qualify), one's own (``of`` "own")
  or summed over one's whole sponsor subtree, oneself included ("downline"); no volume
  reaches nothing. Below ``share``, a participant's downline pay (every component but retail
  margin and retail commission, the pay qualification gates) is lost ("full") or scaled by
  the share reached over ``share`` ("pro_rata"); it is applied after every component and
  before the matching bonus, which matches the pay kept and is gated in turn. What is lost
  is breakage (cause ``customer_share``), taken from each component's sources in the
  proportion of its pay. The gate leaves qualification itself (compression, ranks, the
  binary's legs) alone. The vectorised engine decides the same with whole arrays.
- Former participants as customers (:meth:`ReferenceEngine.stay_customers`): after the month's
  churn, each participant who quit, one by one, stays a customer when ``frac(id x STAYS) <
  former_customer_share``, of their sponsor if that sponsor is still active; the month loop
  (shared) puts them in the sponsor's book of returning customers.
- Buying to qualify (before qualification is decided; see :meth:`ReferenceEngine.top_up`):
  a participant short of the personal volume they need buys the missing whole products; the
  purchase is their own-purchase volume, paid on up the line like any own purchase.
  Discount members never buy to qualify for pay; their own-use products, like everyone's, are in
  their own-purchase volume already (the month loop's, shared). With ``top_up_pay_check`` a
  participant buys only when what qualifying paid them the last month they were qualified (the
  month loop's ``Month.expect``, shared; never qualified yet: they buy) exceeds the products'
  cost less their worth to them (``Kinds.unit_worth``): decided here participant by
  participant with :func:`~evaluator.simulation.network.pays_off`. With rank discounts
  (schema v1.1) the worth adds what the discount of the rank the products lift them to saves
  over the rank they hold (:meth:`ReferenceEngine._rank_met`, this month's volumes, legs and
  team, or their package's rank if higher): on the month's own purchases at wholesale and,
  with ``retail_margin``, on this month's customers, for ``Params.discount_months`` months
  (shared: 1, or how long a kept rank lasts), and the products cost the higher rank's price.
  The rank a participant's package gives, and the ranks below it, set them no target.
- Buying to reach a discount (schema v1.1 rank discounts, with ``top_up_pay_check``;
  :meth:`ReferenceEngine._buy_for_discount`): one of the buyers' share who does not buy to
  qualify for pay (a discount member, or without an active recruit or enough customers) buys
  the whole products that reach a rank with a bigger discount, when the rank's extra saving
  on the month's own purchases and extra margin on this month's customers, for
  ``Params.discount_months`` months, beats the products' price at that rank less their worth
  to the buyer on no more of them than the buyer would use in those months; of several ranks,
  the one worth the most over its cost (the lower on a tie).
- Paid-as rank: the highest rank (the last in the plan's list) whose personal volume, group
  volume (own personal volume plus the whole sponsor downline's), active legs (active
  personal enrollees) and team size (schema v1.1 ``min_team_size``: active participants
  anywhere in the sponsor downline, oneself not counted) the participant meets this month
  while active; or, if higher, the rank their enrollment package gives (schema v1.1
  ``costs.packages[].rank``), held while active from the month they join. That paid-as rank
  is what every rank-dependent rule below reads, so a package's rank brings its buyer that
  rank's discount, unilevel and binary rates, differential rate, unlocked levels, bonuses and
  pools.
- Rates by rank (schema v1.1, :meth:`ReferenceEngine._by_rank`): a rank's ``discount``,
  ``unilevel_rates`` and ``binary_rate`` are its own, else the highest lower rank's, else (below
  every rank that sets one) the plan's own: the products' wholesale prices, the unilevel's
  ``rates``, the binary's ``rate``. A participant at a rank with a discount pays retail x (1 -
  discount) for what they buy: of the wholesale price of their own purchases they do not pay
  1 - (1 - discount) x mean retail / mean wholesale (negative when the products' own discount
  is larger; the month loop applies it to the money), and their retail margin is discount x
  the retail price of a customer's order.
- Ranks over time and leg limits (schema v1.1; :meth:`ReferenceEngine._ranks`): a rank with
  ``max_leg_share`` counts at most that share of its ``min_group_volume`` from any one leg (a
  personal enrollee's sponsor subtree); a rank with ``min_lifetime_volume`` needs that much
  personal volume since joining (this month's included); a rank with ``qualify_months`` N is
  paid only in the N-th month in a row of meeting its monthly requirements. With
  ``rank_rules.pin`` the highest rank qualified for (within the last ``requalify_months``
  months, when given) is kept: as the title ("title", the rank the report counts at the end)
  or as the paid-as rank ("pay": its differential rate, unlocked levels and monthly bonus,
  paid while active and personally qualified). With the breakaway's
  ``breakaway_legs_in_group_volume`` false, one who broke away (qualified at the top rank)
  takes their group's volume out of every upline's group volume and legs
  (:meth:`ReferenceEngine._ranks_without_breakaway_legs`). Buying to qualify aims at the
  monthly volumes alone (it ignores these rules).
- Enrollment packages (schema v1.1): a recruit's package adds its volume to their kit volume in
  the month they join (the month loop's, shared), and so to every volume paid on up the line;
  in a binary leg, the recruits who bought each package are counted apart.
- Placement in a forced tree (matrix of ``width``, binary of two legs): the recruit takes the
  first free position under the sponsor; under a full position, recruits spill over to its
  children in turn (first child, second, ..., then the first again; each position keeps its
  own turn), recursively. So the lines under a position take one recruit each in turn and fill
  evenly; this is not a level-by-level, left-to-right search for the first open position (with
  width 2, the 7th to 10th recruits of participant 0 go under 3, 4, 5 and 6, one per line, and
  the 11th under 3 again). With ``placement`` "first_open" (schema v1.1) it is that search: the
  recruit takes the first position with room among the sponsor and everyone below, level by
  level, each level left to right (the 7th and 8th go under 3, the 9th and 10th under 4, the
  11th under 5). This engine searches with a queue of its own, one recruit at a time.
- retail_margin: customers x (mean retail - mean wholesale), or at a rank with a discount
  customers x discount x mean retail (both in the customers' mix). retail_commission: rate x
  customers x mean retail. Source: customer sales.
- preferred customers (schema v1.1 ``compensation.preferred_customers``;
  :meth:`ReferenceEngine._preferred_customers`): each participant is paid, for each of their
  preferred customers this month, the commission on one order (``commission_rate`` x one
  product in the customers' mix at retail less ``discount``). It needs no qualification, the
  retail-share gate leaves it alone and the matching bonus does not match it, like retail
  commission on one's own customers. Source: customer sales.
- enrollment_bonus: for each recruit of the month, ``amounts[k-1]`` to the k-th sponsor
  upline. fast_start: ``rates[k-1]`` x the recruit's own purchase and kit volume to the k-th
  sponsor upline during the recruit's first ``months`` months. Source: enrollment.
- unilevel: ``rates[k-1]`` x the payer's volume (``basis`` "all": customer, own and kit
  volume; "customer": customer volume only) to the k-th sponsor upline, who must be qualified
  and have level k unlocked by their rank (:meth:`ReferenceEngine._levels_open`); with
  compression, unqualified uplines (those who quit included) are skipped and do not count as a
  level. With rates by rank the rate is the k-th of the upline's rank's list (of the
  unilevel's ``rates`` for those below, and those who quit): a level past the end of that list
  pays nothing and is owed nothing; unqualified and locked pay is breakage at that rate, and
  levels above the top of the network are breakage at the unilevel's own ``rates``.
  With "dynamic" compression (schema v1.1), an upline whose rank has not unlocked level k is
  skipped too, so level k goes to the k-th upline, counting only those paid, who is qualified
  and has level k unlocked (no pay is then "locked_levels" or "unqualified" breakage). With
  rates by rank as well, an upline whose rank's list stops before level k has not unlocked it
  either (their rank is not paid that level) and is skipped alike; the one paid level k is
  paid their own rank's k-th rate, and levels above the top of the network are breakage at
  the unilevel's own ``rates``.
- matrix: ``rates[k-1]`` x volume to the k-th upline in the matrix, if qualified.
- binary: each active participant's left and right legs hold the volume of the two subtrees
  below them plus carry-over; pay is rate (their rank's ``binary_rate``, schema v1.1, else
  the component's) x the weaker leg, at most ``monthly_cap``, to the qualified; with
  carry-over the stronger leg's unmatched volume (per source) is kept for
  next month, and lost when the participant quits. Sources follow the weaker leg's volume.
  A leg's volume is its people counted (customers, active, new, products bought to qualify,
  active members and sellers) and turned into volume by the shared ``count_volumes``, as
  the vectorised engine does, so a tie between legs is the same tie in both.
- binary cycles (schema v1.1, when the binary states cycle volumes, a carry cap or what
  happens to an unqualified member's legs; :meth:`ReferenceEngine._binary_rules`): with cycle
  volumes x (left) and y (right), the legs make n = min(floor(left / x), floor(right / y))
  whole cycles, each paying ``cycle_pay`` or else rate x min(x, y) (the rank's rate, with
  rates by rank); they use n x x of the left
  leg and n x y of the right. Without cycle volumes, the weaker leg's volume is matched on
  both legs and pays the rate, as above. Pay is at most ``monthly_cap`` and follows the volume
  of the leg that limits the cycles (left / x against right / y; the weaker leg without
  cycles). An unqualified member's pay is breakage; with ``unqualified_legs`` "carry" they make
  no cycles (no pay, no breakage) and keep both legs whole; with "flush" both legs are lost.
  With carry-over, each leg keeps what the cycles left of it (per source, in its shares), at
  most ``carry_cap`` of volume (scaled down across sources).
- breakaway: each qualified participant's differential rate is their rank's; on every unit of
  volume, going up from its buyer (included), each participant earns their rate minus the
  highest rate below them on that path, if positive (the stairstep). A qualified participant
  at the top rank has broken away; their group volume is the volume whose nearest
  broken-away participant on the path up (themselves included) is them. Broken-away
  participants above earn ``generation_rates[g-1]`` on the group volume of the g-th
  broken-away participant below them (counting only broken-away participants).
- rank_bonus: the held rank's ``monthly_bonus`` to the qualified; attributed to sources in
  the shares of the month's volume. One-time bonuses (schema v1.1, paid by rank_bonus): in a
  month a participant is qualified and holds a rank above the highest one they have been paid
  one-time bonuses for, they are paid, for every rank above that one up to the one held
  (lowest first), its ``advancement_bonus`` and, when the month is one of the first
  ``fast_start_within_months`` from joining (``t - join < fast_start_within_months``), its
  ``fast_start_bonus``; that rank is then theirs for good (``Network.bonus_rank``). A month
  not qualified pays nothing and loses nothing (no breakage): the bonuses wait.
- first_order_bonus (schema v1.1): for each recruit of the month, whose enrollment order (own
  purchase and kit volume this month) reaches ``min_recruit_order_volume``, ``rates[k-1]`` x
  that order, or ``amounts[k-1]``, to the k-th sponsor upline. Source: the own-purchase part
  of the order is own purchases, the kit part enrollment (a fixed amount split in the
  order's shares; an order of nothing: enrollment).
- Conditions on a bonus (schema v1.1; enrollment, first-order, fast-start and matching
  bonuses): with ``requires_rank``, an upline who is qualified but holds a lower paid-as rank
  than the one named (ranks count in the plan's order) is not paid: breakage
  "unqualified", as for an unqualified upline. With ``min_recruit_order_volume``, a recruit
  whose enrollment order (kept from the month they joined, ``Network.first_order``) did not
  reach it triggers nothing: no enrollment or first-order bonus on them, no fast start on
  their purchases, their pay not matched; not breakage, since nothing was due.
- matching_bonus (paid after every other component): each participant's matched pay is what
  they earned this month, before the payout cap, from every component but retail margin and
  the matching bonus itself (``UNMATCHED``), rounded to a millionth of the currency;
  ``rates[k-1]`` x that, rounded alike, to the k-th sponsor upline (level 1: the one who
  enrolled them), who must be qualified, without compression. (Every rounding of pay, like
  each participant's month's, is the one rule ``network.round_pay``: the nearest millionth, a
  half-millionth upward, so the two engines' sums agree at a tie.) Source: the matched
  pay's, in the shares of the whole month's matched pay (customer, own-purchase, enrollment).
- position_return (schema v1.1): every active participant, qualified or not (no sale is
  asked), is paid ``per_month``, or ``rate_of_price`` x the price they paid to join (their
  enrollment package's price when the plan has packages, else the starter kit plus the
  inventory package), in each month from the month they joined (counted as the first) for
  ``months_paid`` months (null: every month while active). No sale funds it, so its source is
  enrollment: the money recruits bring in.
- pool (schema v1.1): ``share`` x the month's whole commissionable volume (customer, own and
  kit volume of every active participant), rounded to a millionth, split equally among the
  qualified participants whose paid-as rank is ``rank`` or higher; each share rounded to a
  millionth (a split's remainder below it is not paid nor counted). With nobody to share it
  the pool is breakage (unqualified). Source: the month's volume shares (customer,
  own-purchase, kit: enrollment), as for rank bonuses.
- Pay the rates would give to an unqualified participant (for pay that follows volume up the
  tree: also one who quit), to a level locked by rank, above the top of the network, or
  above the binary cap is breakage, by that cause; the payout cap's cut is added by the month
  loop. Rank bonuses and binary pay a participant who quit would have had are not breakage.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from evaluator.model import Component
from evaluator.simulation.network import (
    GATE_CAUSE,
    GOLDEN,
    MAX_TOP_UP,
    MEMBER,
    NO_RANK,
    PREFERRED,
    SELLER,
    STAYS,
    UNGATED,
    UNMATCHED,
    Month,
    MonthPay,
    Network,
    Params,
    RankHistory,
    Tree,
    count_volumes,
    grow_one_by_one,
    needed_rank,
    new_breakage,
    pays_off,
    reaches,
    round_pay,
    whole_cycles,
)


class ReferenceEngine:
    """One participant at a time; the oracle for :class:`VectorisedEngine`."""

    name = "reference"
    threads = 1  # one participant at a time, one thing at a time
    passed_up = 0  # those the last top_up found short who did not buy: it did not pay
    used: np.ndarray | None = None  # of the last top_up's products, those worth their use

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Place each recruit in id order, spilling over under full positions."""
        w = tree.width
        parents = []
        for recruit, sponsor in zip(recruits.tolist(), sponsors.tolist(), strict=True):
            at = sponsor
            if tree.first_open:
                at = self._first_open(tree, sponsor)
            while tree.nchild[at] == w:
                nxt = int(tree.child[at, tree.turn[at] % w])
                tree.turn[at] += 1
                at = nxt
            tree.child[at, tree.nchild[at]] = recruit
            tree.nchild[at] += 1
            parents.append(at)
        tree.attach(recruits, np.array(parents, dtype=np.int64))  # depths, orders

    @staticmethod
    def _first_open(tree: Tree, sponsor: int) -> int:
        """The first position with room among ``sponsor`` and everyone below.

        A queue: level by level, each position's children left to right.
        """
        queue = deque([sponsor])
        while True:
            at = queue.popleft()
            if tree.nchild[at] < tree.width:
                return at
            queue.extend(int(tree.child[at, k]) for k in range(tree.width))

    @staticmethod
    def stay_customers(params: Params, net: Network, gone: np.ndarray,
                       active: np.ndarray) -> np.ndarray:
        """Each quitter, one by one: whether they stay a customer, and of whom.

        Quitter ``i`` stays when ``frac(i x STAYS)`` is below ``former_customer_share``; they
        then buy from the one who recruited them, if that one is still active (a founder was
        recruited by nobody, so a founder who quits buys from nobody).
        """
        to = []
        for i in gone.tolist():
            if math.modf(i * STAYS)[0] >= params.former_customer_share:
                continue
            sponsor = int(net.sponsor.parent[i])
            if sponsor >= 0 and bool(active[sponsor]):
                to.append(sponsor)
        return np.array(to, dtype=np.int64)

    def grow(self, net: Network, recruits: np.ndarray, sponsors: np.ndarray,
             act: np.ndarray) -> None:
        """The sponsor tree, then each forced tree, one after the other."""
        grow_one_by_one(self, net, recruits, sponsors)

    @staticmethod
    def qualify(params: Params, customers: np.ndarray, vc: np.ndarray, vo: np.ndarray,
                vk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Personal volume and qualification, one participant at a time.

        Rule: personal volume is the participant's customer volume, plus their own-purchase
        and kit volume unless the plan says own purchases do not count. They qualify with
        personal volume of at least ``min_personal_volume`` and at least
        ``min_retail_customers`` customers.
        """
        counts_own = params.own_purchases_count
        pv = []
        qualified = []
        for c, v_c, v_o, v_k in zip(customers.tolist(), vc.tolist(), vo.tolist(), vk.tolist(),
                                    strict=True):
            personal = v_c + v_o + v_k if counts_own else v_c
            pv.append(personal)
            qualified.append(bool(reaches(personal, params.min_personal_volume))
                             and c >= params.min_retail_customers)
        return np.array(pv, dtype=float), np.array(qualified, dtype=bool)

    def top_up(self, params: Params, net: Network, m: Month) -> np.ndarray:
        """Products each active participant buys to qualify, one participant at a time.

        Rule (stated in :mod:`evaluator.simulation.network`): an active participant with an
        active personal recruit, enough retail customers and personal volume short of the
        target, who is one of the ``buy_to_qualify`` share, buys the whole products that
        reach it. The target is ``min_personal_volume``, or the personal volume of the highest
        rank above their package's whose group-volume, active-leg and team requirements they
        meet, if higher. With the pay check, a rank discount reached counts (module docstring).
        """
        n = m.n
        parent = net.sponsor.parent[:n].tolist()
        active = m.mask()[:n].tolist()
        customers = m.spread(m.customers).tolist()
        pv = m.spread(m.pv).tolist()
        share = params.buy_to_qualify
        kind = m.spread(m.kinds()).tolist()
        buys = [(share >= 1 or math.modf(i * GOLDEN)[0] < share) and kind[i] != MEMBER
                for i in range(n)]
        group = self._group_volumes(parent, pv)
        legs = self._active_legs(parent, active)
        team = self._team_sizes(parent, active)
        units = [0] * n
        expect = m.spread(m.expect, math.nan).tolist() if m.expect is not None else None
        worth = params.kinds.unit_worth
        package = m.spread(m.package, -1).tolist() if m.package is not None else [-1] * n
        given = [params.packages.rank[package[i]]
                 if params.packages is not None and package[i] >= 0 else NO_RANK
                 for i in range(n)]
        discount = self._by_rank(params, "discount", None)
        for_discount = (params.top_up_pay_check and params.discount_price is not None
                        and bool(params.ranks) and expect is not None)
        # For a discount, a rank kept as the paid-as rank from earlier months is held too.
        held_anyway = list(given)
        if params.discount_price is not None and expect is not None:
            kept = self._kept_before(params, net, m.t, n)
            held_anyway = [max(g, k) for g, k in zip(given, kept, strict=True)]
        self.passed_up = 0
        used: list[float] | None = None  # products worth their use, when not all are
        for i in range(n):
            in_share = share >= 1 or math.modf(i * GOLDEN)[0] < share
            if not (active[i] and legs[i] > 0 and buys[i]
                    and customers[i] >= params.min_retail_customers):
                # Not buying to qualify for pay: a member, or without an active recruit or
                # enough customers. One of the buyers' share may still buy for a discount.
                if active[i] and in_share and for_discount:
                    units[i] = self._buy_for_discount(params, pv[i], group[i], legs[i],
                                                      team[i], held_anyway[i], kind[i],
                                                      customers[i], discount)
                    if units[i]:  # only what they would use is worth its use to them
                        if used is None:
                            used = [math.nan] * n
                        used[i] = min(units[i], params.kinds.own_products[kind[i]]
                                      * params.discount_months)
                continue
            target = params.min_personal_volume
            for r, spec in enumerate(params.ranks):
                if r <= given[i]:
                    continue  # their package gives this rank whatever their volume
                if (reaches(group[i], spec.min_group_volume) and legs[i] >= spec.min_active_legs
                        and team[i] >= spec.min_team_size):
                    target = max(params.min_personal_volume, spec.min_personal_volume)
            if not reaches(pv[i], target):
                products = (target - pv[i]) / params.unit_volume - 1e-9  # whole ones, below
                units[i] = math.ceil(products) if products <= MAX_TOP_UP else 0
            # Only when it pays: what qualifying paid them last time (and what the discount of
            # the rank the products lift them to saves) against the products' cost less what
            # the products are worth to them.
            if units[i] and expect is not None:
                price = params.unit_money
                value = expect[i]
                if params.discount_price is not None:
                    extra = units[i] * params.unit_volume
                    held = self._rank_met(params, pv[i], group[i], legs[i], team[i],
                                          held_anyway[i])
                    reached = self._rank_met(params, pv[i] + extra, group[i] + extra, legs[i],
                                             team[i], held_anyway[i])
                    save_held = self._saving(params, discount[held])
                    save_reached = self._saving(params, discount[reached])
                    # This month's own purchases at wholesale: the required purchase and
                    # extra_own_purchase, and the own-use products of their kind.
                    own = params.own_money
                    if params.kinds.own_products[kind[i]]:
                        own += params.kinds.own_products[kind[i]] * params.unit_money
                    added = (save_reached - save_held) * own
                    if "retail_margin" in params.components:
                        added += customers[i] * (self._margin(params, discount[reached])
                                                 - self._margin(params, discount[held]))
                    value += added * params.discount_months
                    price = params.unit_money * (1 - save_reached)
                net_cost = units[i] * (price - worth[kind[i]])
                if not pays_off(value, net_cost):
                    units[i] = 0
                    self.passed_up += 1
        self.used = None
        if used is not None:
            self.used = np.array([float(units[i]) if math.isnan(u) else u
                                  for i, u in enumerate(used)])[m.act]
        return np.array(units, dtype=np.int64)[m.act]

    def _buy_for_discount(self, params: Params, pv: float, group: float, legs: int, team: int,
                          given: int, kind: int, customers: int,
                          discount: list[float | None]) -> int:
        """Products one participant buys for a bigger rank discount alone (0: none).

        Rule (stated in :mod:`evaluator.simulation.network`, "buying to reach a discount"):
        each rank above the one they hold, with a bigger saving and whose active legs and team
        they have, is priced: the whole products that reach both its personal and its group
        volume (their own purchases count in both), at most ``MAX_TOP_UP``. Those products are
        worth, for ``discount_months`` months, the saving of the rank they reach over the rank
        held on the month's own purchases, and its extra retail margin on their customers;
        they cost the price at the rank reached, less their worth to the buyer on no more of
        them than the buyer would use in those months. The rank worth the most over its cost
        is bought, the lower one on a tie; nothing when no rank is worth its cost.
        """
        held = self._rank_met(params, pv, group, legs, team, given)
        own = params.own_money
        if params.kinds.own_products[kind]:
            own += params.kinds.own_products[kind] * params.unit_money
        would_use = params.kinds.own_products[kind] * params.discount_months
        best_units, best_value = 0, -math.inf
        for r, spec in enumerate(params.ranks):
            if r <= held or not (legs >= spec.min_active_legs and team >= spec.min_team_size):
                continue
            if not self._saving(params, discount[r]) > self._saving(params, discount[held]):
                continue
            short = max(spec.min_personal_volume - pv, spec.min_group_volume - group)
            products = math.ceil(short / params.unit_volume - 1e-9)
            if products <= 0 or products > MAX_TOP_UP:
                continue
            extra = products * params.unit_volume
            reached = self._rank_met(params, pv + extra, group + extra, legs, team, given)
            saved = self._saving(params, discount[reached])
            gain = (saved - self._saving(params, discount[held])) * own
            if "retail_margin" in params.components:
                gain += customers * (self._margin(params, discount[reached])
                                     - self._margin(params, discount[held]))
            gain *= params.discount_months
            cost = (products * (params.unit_money * (1 - saved))
                    - params.kinds.unit_worth[kind] * min(products, would_use))
            if not reaches(cost, gain) and gain - cost > best_value:
                best_units, best_value = products, gain - cost
        return best_units

    @staticmethod
    def _kept_before(params: Params, net: Network, t: int, n: int) -> list[int]:
        """The paid-as rank each participant id keeps from earlier months (NO_RANK: none).

        With ``rank_rules.pin`` "pay": the highest rank last qualified for within the last
        ``requalify_months`` months (any month, when not given), read from the rank history.
        """
        kept = [NO_RANK] * n
        history, rules = net.history, params.rank_rules
        if history is None or rules.pin != "pay":
            return kept
        for i in range(n):
            for r in range(len(params.ranks)):
                last = int(history.last[r, i])
                if last > 0 and (rules.requalify_months is None
                                 or t - last < rules.requalify_months):
                    kept[i] = r
        return kept

    @staticmethod
    def _rank_met(params: Params, pv: float, group: float, legs: int, team: int,
                  given: int) -> int:
        """The highest rank whose monthly personal and group volume, legs and team are met.

        Or the rank ``given`` by the participant's package, when higher. Rules over months
        (``qualify_months``, lifetime volume, leg limits, kept ranks) are left out, as buying
        to qualify leaves them out.
        """
        held = NO_RANK
        for r, spec in enumerate(params.ranks):
            if (reaches(pv, spec.min_personal_volume) and reaches(group, spec.min_group_volume)
                    and legs >= spec.min_active_legs and team >= spec.min_team_size):
                held = r
        return max(held, given)

    @staticmethod
    def _saving(params: Params, discount: float | None) -> float:
        """Share of the wholesale price a rank's ``discount`` takes off own purchases."""
        if discount is None or params.discount_price is None:
            return 0.0
        return 1 - (1 - discount) * params.discount_price

    @staticmethod
    def _margin(params: Params, discount: float | None) -> float:
        """Retail margin on one customer at a rank's ``discount`` (None: at wholesale)."""
        if discount is None:
            return params.margin_per_customer
        return discount * params.retail_per_customer

    @staticmethod
    def _group_volumes(parent: list[int], pv: list[float]) -> list[float]:
        """Personal volume summed over each participant's sponsor subtree."""
        group = list(pv)
        for i in range(len(parent) - 1, -1, -1):  # a sponsor always has a smaller id
            if parent[i] >= 0:
                group[parent[i]] += group[i]
        return group

    @staticmethod
    def _team_sizes(parent: list[int], active: list[bool]) -> list[int]:
        """Active participants anywhere in each participant's sponsor downline (not oneself)."""
        team = [0] * len(parent)
        for i in range(len(parent)):
            if not active[i]:
                continue
            at = parent[i]
            while at >= 0:
                team[at] += 1
                at = parent[at]
        return team

    @staticmethod
    def _by_rank(params: Params, name: str, below: object) -> list:
        """A rate by rank for each rank (schema v1.1).

        Its own, else the highest lower rank's, else ``below``; the last entry, ``below``, is
        for no rank (``NO_RANK`` is -1).
        """
        out = []
        current = below
        for spec in params.ranks:
            if getattr(spec, name) is not None:
                current = getattr(spec, name)
            out.append(current)
        return [*out, below]

    @staticmethod
    def _active_legs(parent: list[int], active: list[bool]) -> list[int]:
        """Active personal recruits of each participant."""
        legs = [0] * len(parent)
        for i in range(len(parent)):
            if parent[i] >= 0 and active[i]:
                legs[parent[i]] += 1
        return legs

    def pay(self, params: Params, net: Network, m: Month) -> MonthPay:
        """Every component of the plan for one month, participant by participant."""
        n = m.n
        parent = net.sponsor.parent[:n].tolist()
        # One entry per participant id; those not active have nothing.
        active = m.mask()[:n].tolist()
        qualified = m.mask(m.qualified)[:n].tolist()
        customers = m.spread(m.customers).tolist()
        vc, vo, vk = (m.spread(v).tolist() for v in (m.vc, m.vo, m.vk))
        pv = m.spread(m.pv).tolist()
        breakage = new_breakage(params)
        rank, title = self._ranks(
            params, parent, active, pv,
            m.spread(m.package, -1).tolist() if m.package is not None else None,
            net.history, m.t, qualified)
        comps = params.components
        pay: dict[str, np.ndarray] = {}
        src: dict[str, np.ndarray] = {}
        first_order = net.first_order
        if first_order is not None:  # this month's recruits' enrollment orders, kept
            for recruit in m.new.tolist():
                first_order[recruit] = vo[recruit] + vk[recruit]

        discount = self._by_rank(params, "discount", None)
        if "retail_margin" in comps:
            got = []
            for i in range(n):
                d = discount[rank[i]] if params.discount_price is not None else None
                if d is None:  # bought at the products' wholesale prices
                    got.append(customers[i] * params.margin_per_customer)
                else:  # bought at retail x (1 - discount): the discount is the margin
                    got.append(customers[i] * (d * params.retail_per_customer))
            pay["retail_margin"] = np.array(got)
            src["retail_margin"] = np.array([sum(got), 0.0, 0.0])
        if "retail_commission" in comps:
            got = [customers[i] * params.commission_per_customer for i in range(n)]
            pay["retail_commission"] = np.array(got)
            src["retail_commission"] = np.array([sum(got), 0.0, 0.0])
        if "enrollment_bonus" in comps:
            c = comps["enrollment_bonus"]
            earners = self._earners(params, c, qualified, rank)
            got = [0.0] * n
            for recruit in m.new.tolist():
                if self._ordered(net, recruit, c):
                    self._up_the_line(recruit, 1.0, c.amounts, parent, earners, got, breakage)
            pay["enrollment_bonus"] = np.array(got)
            src["enrollment_bonus"] = np.array([0.0, 0.0, sum(got)])
        if "fast_start" in comps:
            c = comps["fast_start"]
            earners = self._earners(params, c, qualified, rank)
            got = [0.0] * n
            join = m.join[:n].tolist()
            for i in range(n):
                value = vo[i] + vk[i]
                if (active[i] and m.t - join[i] < c.months and value > 0
                        and self._ordered(net, i, c)):
                    self._up_the_line(i, value, c.rates, parent, earners, got, breakage)
            pay["fast_start"] = np.array(got)
            src["fast_start"] = np.array([0.0, 0.0, sum(got)])
        if "unilevel" in comps:
            pay["unilevel"], src["unilevel"] = self._unilevel(
                params, parent, qualified, rank, vc, vo, vk, breakage
            )
        if "matrix" in comps and net.matrix is not None:
            rates = comps["matrix"].rates
            mparent = net.matrix.parent[:n].tolist()
            got = [0.0] * n
            tags = [0.0, 0.0, 0.0]
            for i in range(n):
                if vc[i] + vo[i] + vk[i] > 0:
                    paid = self._up_the_line(i, vc[i] + vo[i] + vk[i], rates, mparent,
                                             qualified, got, breakage)
                    tags = [tags[0] + paid * vc[i], tags[1] + paid * vo[i],
                            tags[2] + paid * vk[i]]
            pay["matrix"] = np.array(got)
            src["matrix"] = np.array(tags)
        if "binary" in comps and net.binary is not None:
            pay["binary"], src["binary"] = self._binary(params, net, m, active, qualified,
                                                        breakage, rank)
        if "breakaway" in comps:
            pay["breakaway"], src["breakaway"] = self._breakaway(
                params, parent, qualified, rank, vc, vo, vk, breakage
            )
        if "rank_bonus" in comps:
            got = [0.0] * n
            for i in range(n):
                if rank[i] != NO_RANK:
                    bonus = params.ranks[rank[i]].monthly_bonus
                    if qualified[i]:
                        got[i] = bonus
                    else:
                        breakage["unqualified"] += bonus
            if net.bonus_rank is not None:
                self._one_time_bonuses(params, net.bonus_rank, m, qualified, rank, got)
            pay["rank_bonus"] = np.array(got)
            src["rank_bonus"] = self._volume_shares(vc, vo, vk) * sum(got)
        if "first_order_bonus" in comps:
            pay["first_order_bonus"], src["first_order_bonus"] = self._first_order_bonus(
                params, net, m, parent, self._earners(params, comps["first_order_bonus"],
                                                      qualified, rank), vo, vk, breakage)
        if "position_return" in comps:
            pay["position_return"], src["position_return"] = self._position_return(
                params, m, active)
        if "pool" in comps:
            pay["pool"], src["pool"] = self._pool(params, qualified, rank, vc, vo, vk, breakage)
        if params.preferred is not None:  # preferred customers' orders (schema v1.1)
            pay[PREFERRED], src[PREFERRED] = self._preferred_customers(params, m)
        pc, po, pk = (m.spread(v).tolist() for v in m.personal_parts())
        kept = self._gate(params, parent, active, pc, po, pk)
        if kept is not None:  # before the matching bonus, which matches the pay kept
            for kind in [k for k in pay if k not in UNGATED]:
                self._apply_gate(kind, kept, pay, src, breakage)
        if "matching_bonus" in comps:  # last: it matches the pay worked out above
            c = comps["matching_bonus"]
            matched = [self._ordered(net, i, c) for i in range(n)]
            pay["matching_bonus"], src["matching_bonus"] = self._matching_bonus(
                params, parent, self._earners(params, c, qualified, rank), matched, pay, src,
                breakage)
            if kept is not None:
                self._apply_gate("matching_bonus", kept, pay, src, breakage)
        act = m.act
        saving = None
        if params.discount_price is not None:  # the share of the wholesale price not paid
            saving = []
            for i in act.tolist():
                d = discount[rank[i]]
                saving.append(0.0 if d is None else 1 - (1 - d) * params.discount_price)
        return MonthPay({k: v[act] for k, v in pay.items()}, src, breakage,
                        np.array(rank, dtype=np.int64)[act],
                        None if saving is None else np.array(saving),
                        np.array(title, dtype=np.int64)[act] if title is not None else None)

    @staticmethod
    def _one_time_bonuses(params: Params, bonus_rank: np.ndarray, m: Month,
                          qualified: list[bool], rank: list[int], got: list[float]) -> None:
        """Add each rank's one-time bonuses to ``got`` (see the rules).

        ``bonus_rank`` keeps, per participant, the highest rank they have been paid them for.
        """
        join = m.join[:len(got)].tolist()
        for i in range(len(got)):
            done = int(bonus_rank[i])
            if not qualified[i] or rank[i] <= done:
                continue
            once = 0.0
            for k in range(done + 1, rank[i] + 1):  # every rank passed, lowest first
                spec = params.ranks[k]
                once += spec.advancement_bonus
                if spec.fast_start_bonus > 0 and spec.in_time(m.t - join[i]):
                    once += spec.fast_start_bonus
            got[i] += once
            bonus_rank[i] = rank[i]

    @staticmethod
    def _earners(params: Params, c: Component, qualified: list[bool],
                 rank: list[int]) -> list[bool]:
        """Who may be paid bonus ``c``: the qualified, holding the rank it requires if any."""
        need = needed_rank(params, c)
        return [qualified[i] and rank[i] >= need for i in range(len(qualified))]

    @staticmethod
    def _ordered(net: Network, recruit: int, c: Component) -> bool:
        """Whether ``recruit``'s enrollment order reached bonus ``c``'s minimum (if any)."""
        if c.min_recruit_order_volume <= 0 or net.first_order is None:
            return True
        return bool(reaches(float(net.first_order[recruit]), c.min_recruit_order_volume))

    def _first_order_bonus(
        self,
        params: Params,
        net: Network,
        m: Month,
        parent: list[int],
        earners: list[bool],
        vo: list[float],
        vk: list[float],
        breakage: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray]:
        """The first-order bonus on this month's recruits' enrollment orders (see the rules)."""
        c = params.components["first_order_bonus"]
        got = [0.0] * len(parent)
        tags = [0.0, 0.0, 0.0]
        for recruit in m.new.tolist():
            order = vo[recruit] + vk[recruit]
            if not reaches(order, c.min_recruit_order_volume):
                continue
            if c.rates:
                paid = self._up_the_line(recruit, order, c.rates, parent, earners, got,
                                         breakage)
                tags[1] += paid * vo[recruit]
                tags[2] += paid * vk[recruit]
            else:
                paid = self._up_the_line(recruit, 1.0, c.amounts, parent, earners, got,
                                         breakage)
                own = paid * vo[recruit] / order if order > 0 else 0.0
                tags[1] += own
                tags[2] += paid * vk[recruit] / order if order > 0 else paid
        return np.array(got), np.array(tags)

    @classmethod
    def _gate(cls, params: Params, parent: list[int], active: list[bool], vc: list[float],
              vo: list[float], vk: list[float]) -> list[float] | None:
        """The part of downline pay each participant keeps under the retail-share gate.

        Rule: the share reached is customer volume over all volume (customer, own-purchase
        and kit), one's own (``of`` "own") or summed over one's sponsor subtree, oneself
        included ("downline"); no volume reaches nothing. At or above ``share`` all is kept;
        below it nothing ("full") or the share reached over ``share`` ("pro_rata").
        """
        gate = params.customer_share
        if gate is None:
            return None
        n = len(parent)
        customer = [vc[i] if active[i] else 0.0 for i in range(n)]
        volume = [vc[i] + vo[i] + vk[i] if active[i] else 0.0 for i in range(n)]
        if gate.of == "downline":
            customer = cls._group_volumes(parent, customer)
            volume = cls._group_volumes(parent, volume)
        kept = []
        for i in range(n):
            reached = customer[i] / volume[i] if volume[i] > 0 else 0.0
            if gate.share <= 0 or reaches(reached, gate.share):
                kept.append(1.0)
            elif gate.mode == "pro_rata":
                kept.append(reached / gate.share)
            else:
                kept.append(0.0)
        return kept

    @staticmethod
    def _apply_gate(kind: str, kept: list[float], pay: dict[str, np.ndarray],
                    src: dict[str, np.ndarray], breakage: dict[str, float]) -> None:
        """Each participant keeps ``kept`` of their ``kind`` pay; the rest is breakage.

        The component's sources shrink in the proportion of its pay kept.
        """
        before = pay[kind].tolist()
        after = [before[i] * kept[i] for i in range(len(before))]
        lost = sum(before) - sum(after)
        breakage[GATE_CAUSE] += lost
        if sum(before) > 0:
            src[kind] = src[kind] * (sum(after) / sum(before))
        pay[kind] = np.array(after)

    @staticmethod
    def _preferred_customers(params: Params, m: Month) -> tuple[np.ndarray, np.ndarray]:
        """The commission on each participant's preferred customers' orders (see the rules)."""
        program = params.preferred
        assert program is not None
        assert m.preferred is not None
        preferred = m.spread(m.preferred).tolist()
        got = []
        for i in range(m.n):
            orders = preferred[i]  # one product a month each, at the preferred price
            got.append(orders * program.commission)
        return np.array(got), np.array([sum(got), 0.0, 0.0])

    @staticmethod
    def _matching_bonus(
        params: Params,
        parent: list[int],
        qualified: list[bool],
        matched_ok: list[bool],
        pay: dict[str, np.ndarray],
        src: dict[str, np.ndarray],
        breakage: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray]:
        """The matching bonus on the month's pay of every other component (see the rules).

        ``pay`` holds each matched component's pay by participant id, ``src`` its sources;
        ``qualified`` says who may be paid it and ``matched_ok`` whose pay is matched.
        """
        rates = params.components["matching_bonus"].rates
        matched = [k for k in params.components if k in pay and k not in UNMATCHED]
        n = len(parent)
        got = [0.0] * n
        whole = 0.0
        for i in range(n):
            earned = 0.0
            for k in matched:  # in the plan's order
                earned += float(pay[k][i])
            whole += earned
            earned = float(round_pay(earned))
            if earned <= 0 or not matched_ok[i]:
                continue
            shares = [float(round_pay(rate * earned)) for rate in rates]
            at = i
            for g, share in enumerate(shares):
                at = parent[at]
                if at < 0:
                    breakage["top_of_network"] += sum(shares[g:])
                    break
                if qualified[at]:
                    got[at] += share
                else:
                    breakage["unqualified"] += share
        tags = [0.0, 0.0, 0.0]
        for k in matched:
            tags = [tags[s] + float(src[k][s]) for s in range(3)]
        part = sum(got) / whole if whole > 0 else 0.0
        return np.array(got), np.array([t * part for t in tags])

    @staticmethod
    def _position_return(params: Params, m: Month, active: list[bool]
                         ) -> tuple[np.ndarray, np.ndarray]:
        """The return on each participant's own position (see the rules), by participant id."""
        c = params.components["position_return"]
        n = m.n
        join = m.join[:n].tolist()
        package = m.spread(m.package, -1).tolist() if m.package is not None else [-1] * n
        got = [0.0] * n
        for i in range(n):
            if not active[i]:
                continue
            if c.months_paid is not None and m.t - join[i] >= c.months_paid:
                continue
            if c.per_month is not None:
                got[i] = c.per_month
            else:
                assert c.rate_of_price is not None
                price = (params.packages.money[int(package[i])]
                         if params.packages is not None and package[i] >= 0
                         else params.kit_money)
                got[i] = c.rate_of_price * price
        return np.array(got), np.array([0.0, 0.0, sum(got)])

    @staticmethod
    def _pool(params: Params, qualified: list[bool], rank: list[int], vc: list[float],
              vo: list[float], vk: list[float], breakage: dict[str, float]
              ) -> tuple[np.ndarray, np.ndarray]:
        """The pool: its share of the month's volume, split equally (see the rules)."""
        c = params.components["pool"]
        at = [r.name for r in params.ranks].index(c.rank)
        n = len(qualified)
        volume = 0.0
        for i in range(n):
            volume += vc[i] + vo[i] + vk[i]
        pool = float(round_pay((c.share or 0.0) * volume))
        sharers = [i for i in range(n) if qualified[i] and rank[i] >= at]
        got = [0.0] * n
        if not sharers:
            breakage["unqualified"] += pool
        else:
            each = float(round_pay(pool / len(sharers)))
            for i in sharers:
                got[i] = each
        return np.array(got), ReferenceEngine._volume_shares(vc, vo, vk) * sum(got)

    @staticmethod
    def _volume_shares(vc: list[float], vo: list[float], vk: list[float]) -> np.ndarray:
        """The month's (customer, own-purchase, kit) shares of its volume.

        All own purchases when there is none.
        """
        totals = [sum(vc), sum(vo), sum(vk)]
        whole = sum(totals)
        if whole <= 0:
            return np.array([0.0, 1.0, 0.0])
        return np.array([t / whole for t in totals])

    @staticmethod
    def _levels_open(params: Params, held: int) -> int | None:
        """Unilevel levels paid to a participant holding rank ``held`` (``NO_RANK``: none).

        ``None``: every level.

        Rule: when no rank sets ``unlocks_levels``, every level is paid to everyone;
        otherwise a participant is paid the levels the highest rank they hold (or one below
        it) unlocks, and below every such rank only level 1 (personal enrollees).
        """
        if all(r.unlocks_levels is None for r in params.ranks):
            return None
        opened = 1
        for r in params.ranks[: held + 1]:
            if r.unlocks_levels is not None:
                opened = r.unlocks_levels
        return opened

    @classmethod
    def _ranks(cls, params: Params, parent: list[int], active: list[bool],
               pv: list[float], package: list[int] | None = None,
               history: RankHistory | None = None, t: int = 0,
               qualified: list[bool] | None = None,
               ) -> tuple[list[int], list[int] | None]:
        """Paid-as rank of every participant id, and the title rank when ranks are kept.

        Rules (schema v1.1 beside v1's): a rank's group volume counts at most ``max_leg_share``
        x its ``min_group_volume`` from any one leg (a personal enrollee's whole sponsor
        subtree); its monthly requirements (personal volume, that group volume, active legs, and
        lifetime personal volume of at least ``min_lifetime_volume``, this month's included) must
        be met ``qualify_months`` months in a row, this one included. The month's rank is the
        highest rank so qualified for (or the package's, if higher). With ``rank_rules.pin``
        the participant keeps the highest rank qualified for in any month (within the last
        ``requalify_months`` months, this one included, when given): as the title only
        ("title") or as the paid-as rank ("pay"). With the breakaway's
        ``breakaway_legs_in_group_volume`` false (``qualified`` is then needed), see
        :meth:`_ranks_without_breakaway_legs`.
        """
        n = len(parent)
        rank = [NO_RANK] * n
        if not params.ranks:
            return rank, None
        if params.breakaway_legs_left_out:
            assert qualified is not None
            return cls._ranks_without_breakaway_legs(params, parent, active, pv, qualified,
                                                     package, history, t)
        group = cls._group_volumes(parent, pv)
        legs = cls._active_legs(parent, active)
        team = cls._team_sizes(parent, active)
        # Each rank's group volume, a leg's volume counted up to the rank's leg limit.
        counted = []
        for spec in params.ranks:
            if spec.max_leg_share is None:
                counted.append(group)
                continue
            most = spec.max_leg_share * spec.min_group_volume
            limited = list(group)
            for c in range(n):
                if parent[c] >= 0 and group[c] > most:
                    limited[parent[c]] -= group[c] - most
            counted.append(limited)
        for i in range(n):
            if active[i]:
                rank[i] = cls._month_rank(params, i, pv[i], [c[i] for c in counted], legs[i],
                                          team[i], package, history)
        rules = params.rank_rules
        if history is None or not rules.pins:
            return rank, None
        title = list(rank)
        for i in range(n):
            if active[i]:
                title[i] = cls._kept_rank(params, i, rank[i], history, t)
        if rules.pin == "pay":
            return title, title
        return rank, title

    @classmethod
    def _ranks_without_breakaway_legs(
            cls, params: Params, parent: list[int], active: list[bool], pv: list[float],
            qualified: list[bool], package: list[int] | None, history: RankHistory | None,
            t: int) -> tuple[list[int], list[int] | None]:
        """Ranks when legs that broke away are left out of group volume (schema v1.1).

        Rule: a participant has broken away when qualified at the top rank (their paid-as rank,
        as the breakaway component reads it). Their group volume (their own and their whole
        sponsor downline's, less that of those below them who broke away) then counts toward
        nobody's group volume above them: not as group volume, nor as a leg's volume under
        ``max_leg_share``. Everything else is as in :meth:`_ranks`. Whether someone broke away
        depends on their own downline alone, so ranks are decided from the bottom of the tree
        up: participants in descending id order (a sponsor always has a smaller id), each
        one's group volume complete when their turn comes.
        """
        n = len(parent)
        top = len(params.ranks) - 1
        legs = cls._active_legs(parent, active)
        team = cls._team_sizes(parent, active)
        group = list(pv)  # each one's children's counted group volume added as they are done
        caps = [None if spec.max_leg_share is None else spec.max_leg_share * spec.min_group_volume
                for spec in params.ranks]
        over = [[0.0] * n for _ in params.ranks]  # volume over each rank's leg limit, per id
        rank = [NO_RANK] * n
        pins = history is not None and params.rank_rules.pins
        title = list(rank) if pins else None
        for i in range(n - 1, -1, -1):
            paid_as = NO_RANK
            if active[i]:
                counted = [group[i] - over[r][i] for r in range(len(params.ranks))]
                rank[i] = cls._month_rank(params, i, pv[i], counted, legs[i], team[i], package,
                                          history)
                paid_as = rank[i]
                if title is not None:
                    assert history is not None
                    title[i] = cls._kept_rank(params, i, rank[i], history, t)
                    if params.rank_rules.pin == "pay":
                        paid_as = title[i]
            p = parent[i]
            if p < 0:
                continue
            leg = 0.0 if qualified[i] and paid_as == top else group[i]  # broke away: left out
            group[p] += leg
            for r, most in enumerate(caps):
                if most is not None and leg > most:
                    over[r][p] += leg - most
        if title is not None and params.rank_rules.pin == "pay":
            return title, title
        return rank, title

    @staticmethod
    def _month_rank(params: Params, i: int, pv: float, counted: list[float], legs: int,
                    team: int, package: list[int] | None, history: RankHistory | None) -> int:
        """Participant ``i``'s rank this month (they are active), keeping their history.

        ``counted``: their group volume as each rank counts it.
        """
        rank = NO_RANK
        lifetime = pv
        if history is not None:
            history.lifetime[i] += pv
            lifetime = float(history.lifetime[i])
        for r, spec in enumerate(params.ranks):
            met = (reaches(pv, spec.min_personal_volume)
                   and reaches(counted[r], spec.min_group_volume)
                   and legs >= spec.min_active_legs
                   and team >= spec.min_team_size
                   and reaches(lifetime, spec.min_lifetime_volume))
            months = 1 if met else 0
            if history is not None:
                months = int(history.streak[r, i]) + 1 if met else 0
                history.streak[r, i] = months
            if met and months >= spec.qualify_months:
                rank = r
        # The rank the participant's package gives, when higher.
        given = params.packages.rank if params.packages is not None else ()
        if package is not None and package[i] >= 0 and given[package[i]] > rank:
            rank = given[package[i]]
        return rank

    @staticmethod
    def _kept_rank(params: Params, i: int, rank: int, history: RankHistory, t: int) -> int:
        """The highest rank participant ``i`` (active, at ``rank`` this month) keeps.

        Ranks qualified for in any month, or within the last ``requalify_months``; this
        month's are recorded.
        """
        for r in range(rank + 1):
            history.last[r, i] = t
        kept = rank
        window = params.rank_rules.requalify_months
        for r in range(len(params.ranks)):
            last = int(history.last[r, i])
            if last > 0 and (window is None or t - last < window):
                kept = r
        return kept

    @staticmethod
    def _up_the_line(
        payer: int,
        value: float,
        rates: tuple[float, ...],
        parent: list[int],
        qualified: list[bool],
        got: list[float],
        breakage: dict[str, float],
    ) -> float:
        """Pay ``rates[k-1] x value`` to the k-th upline; returns the total rate paid."""
        paid = 0.0
        at = payer
        for k, rate in enumerate(rates, 1):
            at = parent[at]
            if at < 0:
                breakage["top_of_network"] += sum(rates[k - 1:]) * value
                break
            if qualified[at]:
                got[at] += rate * value
                paid += rate
            else:
                breakage["unqualified"] += rate * value
        return paid

    @staticmethod
    def _unilevel(
        params: Params,
        parent: list[int],
        qualified: list[bool],
        rank: list[int],
        vc: list[float],
        vo: list[float],
        vk: list[float],
        breakage: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray]:
        c = params.components["unilevel"]
        n = len(parent)
        opened = [ReferenceEngine._levels_open(params, rank[i]) for i in range(n)]
        # Rates by the payee's rank (schema v1.1): theirs, the highest lower rank's, else the
        # component's (the last entry, for no rank); a rank is paid as many levels as its list.
        rates_of = ReferenceEngine._by_rank(params, "unilevel_rates", c.rates)
        levels = max(len(r) for r in rates_of)
        got = [0.0] * n
        tags = [0.0, 0.0, 0.0]
        for i in range(n):
            parts = (vc[i], 0.0, 0.0) if c.basis == "customer" else (vc[i], vo[i], vk[i])
            value = sum(parts)
            if value <= 0:
                continue
            at = i
            for k in range(1, levels + 1):
                at = parent[at]
                if c.compression == "dynamic":  # skip whoever cannot be paid level k
                    while at >= 0 and not (qualified[at]
                                           and (opened[at] is None or opened[at] >= k)
                                           and len(rates_of[rank[at]]) >= k):
                        at = parent[at]
                elif c.compression:
                    while at >= 0 and not qualified[at]:
                        at = parent[at]
                if at < 0:  # counted at the component's rates
                    breakage["top_of_network"] += sum(c.rates[k - 1:]) * value
                    break
                own = rates_of[rank[at]]
                if k > len(own):
                    continue  # a level this payee's rank is not paid at: nothing owed
                rate = own[k - 1]
                if not qualified[at]:
                    breakage["unqualified"] += rate * value
                elif opened[at] is not None and opened[at] < k:
                    breakage["locked_levels"] += rate * value
                else:
                    got[at] += rate * value
                    tags = [tags[0] + rate * parts[0], tags[1] + rate * parts[1],
                            tags[2] + rate * parts[2]]
        return np.array(got), np.array(tags)

    @staticmethod
    def _binary(
        params: Params,
        net: Network,
        m: Month,
        active: list[bool],
        qualified: list[bool],
        breakage: dict[str, float],
        rank: list[int],
    ) -> tuple[np.ndarray, np.ndarray]:
        c = params.components["binary"]
        tree = net.binary
        assert tree is not None
        assert net.carry is not None
        n = len(active)
        bparent = tree.parent[:n].tolist()
        # Own + subtree counts (customers, active, new, products bought to qualify, active
        # members and sellers when the kinds are mixed, and new recruits by package when a
        # package carries volume), turned into volume per source by the shared count_volumes.
        customers = m.spread(m.customers).tolist()
        units = m.spread(m.units).tolist()
        kind = m.spread(m.kinds()).tolist()
        join = m.join[:n].tolist()
        by_kind = params.kinds.mixed
        counted = params.packages.counted if params.packages is not None else 0
        package = m.spread(m.package, -1).tolist() if m.package is not None else [-1] * n
        preferred = (m.spread(m.preferred).tolist()
                     if m.preferred is not None and params.preferred is not None
                     and params.preferred.counted else None)
        below = []
        for i in range(n):
            new = int(active[i] and join[i] == m.t)
            row = [customers[i], int(active[i]), new, units[i]]
            if by_kind:
                row += [int(active[i] and kind[i] == MEMBER), int(active[i] and kind[i] == SELLER)]
            row += [int(new and package[i] == p) for p in range(counted)]
            if preferred is not None:  # their orders count as volume (schema v1.1)
                row.append(preferred[i])
            below.append(row)
        for i in range(n - 1, -1, -1):  # a position is always filled after its parent's
            p = bparent[i]
            if p >= 0:
                below[p] = [a + b for a, b in zip(below[p], below[i], strict=True)]
        none = [0.0, 0.0, 0.0]
        got = [0.0] * n
        tags = [0.0, 0.0, 0.0]
        # The binary rate by each one's rank (schema v1.1; the component's below every rank).
        rates = ReferenceEngine._by_rank(params, "binary_rate", c.rate or 0.0)
        by_rank = any(r.binary_rate is not None for r in params.ranks)
        carried = net.carry.of(np.arange(n))  # (leg, source, participant)
        kept = np.zeros((2, 3, n))  # what is carried into next month
        for i in range(n):
            if not active[i]:
                continue  # only the active earn; nothing is owed to those who quit
            legs = []
            for side in range(2):
                kid = int(tree.child[i, side])
                fresh = (count_volumes(params, np.array(below[kid])[:, None])[:, 0].tolist()
                         if kid >= 0 else none)
                legs.append([fresh[s] + float(carried[side, s, i]) for s in range(3)])
            rate = rates[rank[i]]
            if c.binary_rules:
                got[i], paid, kept_i = ReferenceEngine._binary_rules(
                    c, legs, qualified[i], breakage, rate if by_rank else None)
                tags = [tags[s] + paid[s] for s in range(3)]
                for side in range(2):
                    for s in range(3):
                        kept[side, s, i] = kept_i[side][s]
                continue
            left, right = sum(legs[0]), sum(legs[1])
            matched = min(left, right)
            earned = rate * matched
            if c.monthly_cap is not None and earned > c.monthly_cap:
                breakage["binary_cap"] += earned - c.monthly_cap
                earned = c.monthly_cap
            weaker = legs[0] if left <= right else legs[1]
            if qualified[i]:
                got[i] = earned
                if matched > 0:
                    tags = [tags[s] + earned * weaker[s] / matched for s in range(3)]
            else:
                breakage["unqualified"] += earned
            if c.carryover:
                for side, total in enumerate((left, right)):
                    for s in range(3):
                        if total > 0:
                            kept[side, s, i] = legs[side][s] * (1 - matched / total)
        if c.carryover:
            net.carry.keep(np.arange(n), kept)
        return np.array(got), np.array(tags)

    @staticmethod
    def _binary_rules(c: Component, legs: list[list[float]], qualified: bool,
                      breakage: dict[str, float], rate: float | None = None
                      ) -> tuple[float, list[float], list[list[float]]]:
        """One participant's binary month under schema v1.1's rules.

        ``legs`` is (side, source) with carry-over added; ``rate``: their rank's rate (None:
        the component's). Returns the pay, its sources and what
        each leg carries into next month (side, source). The rules are in this module's
        docstring (binary cycles).
        """
        total = [sum(legs[0]), sum(legs[1])]
        if c.cycles is None:
            matched = min(total)
            used = [matched, matched]
            raw = (c.rate or 0.0 if rate is None else rate) * matched
            lead = 0 if total[0] <= total[1] else 1
        else:
            x, y = c.cycles
            cycles = min(float(whole_cycles(total[0], x)), float(whole_cycles(total[1], y)))
            used = [cycles * x, cycles * y]
            raw = (c.pay_per_cycle if rate is None else rate * min(x, y)) * cycles
            lead = 0 if total[0] / x <= total[1] / y else 1
        if not qualified and c.unqualified_legs == "carry":
            used, raw = [0.0, 0.0], 0.0
        earned = raw
        if c.monthly_cap is not None and raw > c.monthly_cap:
            breakage["binary_cap"] += raw - c.monthly_cap
            earned = c.monthly_cap
        paid = [0.0, 0.0, 0.0]
        if not qualified:
            breakage["unqualified"] += earned
            earned = 0.0
        elif total[lead] > 0:
            paid = [legs[lead][s] * (earned / total[lead]) for s in range(3)]
        kept = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        if not c.carryover or (not qualified and c.unqualified_legs == "flush"):
            return earned, paid, kept
        for side in range(2):
            if total[side] > 0:
                keep = max(1 - used[side] / total[side], 0.0)
                kept[side] = [legs[side][s] * keep for s in range(3)]
            whole = sum(kept[side])
            if c.carry_cap is not None and whole > c.carry_cap:
                kept[side] = [v * (c.carry_cap / whole) for v in kept[side]]
        return earned, paid, kept

    @staticmethod
    def _breakaway(
        params: Params,
        parent: list[int],
        qualified: list[bool],
        rank: list[int],
        vc: list[float],
        vo: list[float],
        vk: list[float],
        breakage: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray]:
        gens = params.components["breakaway"].generation_rates
        n = len(parent)
        got = [0.0] * n
        tags = [0.0, 0.0, 0.0]
        if not params.ranks:
            return np.array(got), np.array(tags)
        top = len(params.ranks) - 1
        rate = [
            params.ranks[rank[i]].differential_rate
            if qualified[i] and rank[i] != NO_RANK
            else 0.0
            for i in range(n)
        ]
        broke = [qualified[i] and rank[i] == top for i in range(n)]
        group = [[0.0, 0.0, 0.0] for _ in range(n)]
        for i in range(n):
            parts = (vc[i], vo[i], vk[i])
            value = sum(parts)
            if value <= 0:
                continue
            best = 0.0
            at = i
            while at >= 0:
                if rate[at] > best:
                    got[at] += (rate[at] - best) * value
                    tags = [tags[s] + (rate[at] - best) * parts[s] for s in range(3)]
                    best = rate[at]
                at = parent[at]
            at = i
            while at >= 0 and not broke[at]:
                at = parent[at]
            if at >= 0:
                group[at] = [group[at][s] + parts[s] for s in range(3)]
        for b in range(n):
            if not broke[b]:
                continue
            volume = sum(group[b])
            g = 0
            at = parent[b]
            while at >= 0 and g < len(gens):
                if broke[at]:
                    got[at] += gens[g] * volume
                    tags = [tags[s] + gens[g] * group[b][s] for s in range(3)]
                    g += 1
                at = parent[at]
            if g < len(gens):
                breakage["top_of_network"] += sum(gens[g:]) * volume
        return np.array(got), np.array(tags)
