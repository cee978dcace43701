"""The network scale model: state arrays, the month loop and the month's random draws.

One run simulates the company's network month by month from founding (month 0) to the
horizon. State is arrays with one element per participant ever joined; the three trees
(sponsor, matrix, binary) are :class:`Tree` objects. Random numbers come only from
:func:`draw_recruiting` and :func:`draw_month`, in a fixed order from the run's
``np.random.Generator``, so both engines consume identical draws.

What both engines share, here: the run parameters (:meth:`Params.build`: the scale, the
average order of :func:`evaluator.economics.average_order`, costs), the month loop
(:func:`run`: recruitment, customers, the month's customer, own-purchase and kit volumes
(:func:`month_inputs`), costs, churn with the loss boost, the payout cap and the rounding of
each participant's month (:func:`settle`)), the tree storage (:class:`Tree`, :class:`Carry`,
and for schema v1.1's one-time bonuses and conditions the arrays :class:`Network` keeps:
each recruit's enrollment order and the highest rank each participant has had one-time bonuses
for), the store of what ranks remember between months (:class:`RankHistory`, schema v1.1: each
engine decides what it writes there), which of a bonus's conditions apply
(:func:`needed_rank`, :func:`needs_first_orders`, :func:`pays_one_time`), and the tie tolerance
of every threshold (:func:`reaches`). What each :class:`Engine` decides on its own (six
methods): forced-tree placement (``place``, and ``grow``, which attaches the month's recruits to
every tree), personal volume and qualification (``qualify``), who buys how many products to
qualify (``top_up``), which of those who quit stay customers, and of whom
(``stay_customers``), and paid-as ranks (and the ranks kept, schema v1.1) with every
component's pay, sources and breakage (``pay``; it also records the month's recruits'
enrollment orders, and pays and records the one-time bonuses, each engine with its own code).
Comparing the engines cannot catch a misreading in the shared part:
tests/simulation/test_closed_form.py checks the average order and churn by hand.

Model decisions (each stated where a user could ask):

- Scale: one simulated participant stands for ``scale`` people, chosen so the simulated
  network holds about ``max_participants`` participants ever. A cheap deterministic
  mean-field projection of the same model (:func:`project`: each month expected recruits =
  active x ``recruit_rate`` x (1 - ever joined / market), then churn at the base rate
  ``monthly_churn``) gives the people ever joined by the horizon (``projected_ever``);
  ``scale = max(1, projected_ever / max_participants)``. The simulated market is
  ``round(market_size / scale)`` people and the initial network ``round(initial_participants
  / scale)``, but at least ``MIN_INITIAL`` (20) founders, or all of ``initial_participants``
  when there are fewer, so a scaled-down network does not start from one or two people.
  Arrays hold ``capacity = min(simulated market, max_participants)`` participants; the
  projection ignores the extra churn of those losing money, so a run seldom reaches that
  limit, and if it does, recruiting stops there.
  The initial participants are founders, each at the top of their own tree.
- Recruiting answers to the plan (:func:`plan_recruiting`): ``recruit_rate`` is multiplied
  by the kinds' mean pay response over ``(1 + join_cost_response x start-up cost / mean retail
  price)``, before the projection and the scale: more effort where a sign-up pays (enrollment
  bonus, fast start, pay on a commissionable kit: :func:`sign_up_pay`), fewer sign-ups where
  joining costs more. Sellers and builders answer to pay (``1 + recruit_pay_response x sign-up
  pay / mean retail price``), discount members do not (:func:`pay_responses`), so where a
  sign-up pays, recruiting also shifts from members to sellers and builders
  (:meth:`Kinds.recruit_factors`) and more people recruit nobody. With everyone a builder the
  multiplier is ``(1 + recruit_pay_response x sign-up pay / price) / (1 + join_cost_response
  x start-up cost / price)``.
- Kinds (:class:`Kinds`, docs/SOURCES.md ``herbalife_order``): each founder and each recruit is,
  by a uniform drawn at joining (:func:`draw_kinds`: for founders before month 1, for
  recruits right after the month's recruiting draw; only when the kinds are mixed), a
  discount member (``member_share``), a part-time seller (``seller_share`` of the rest) or a
  builder. A kind scales the recruiting rate (``member_recruit_factor``,
  ``seller_recruit_factor``, a builder's 1, all over their mean, so ``recruit_rate`` stays
  the average participant's rate and the projection above holds; :meth:`Kinds.recruit_factors`)
  and the mean customers (``member_customer_factor``, ``seller_customer_factor``, a
  builder's 1, also over their mean, so ``customers_per_participant`` stays the average
  participant's customers: :meth:`Kinds.customer_factors`) and buys ``{kind}_own_products``
  products a month at
  wholesale for their own use (demand-driven: fractional means an average; their volume is
  own-purchase volume). What is bought for use is credited at its worth (the mean over
  products of the retail price, or a comparable product's when lower; :func:`use_worth`) x
  ``{kind}_use_value``: for members everything they buy, the required purchase included;
  for sellers and builders their own-use products, their required purchase at
  ``personal_use_value`` as before. Members pay no business expenses or event costs and
  never buy to qualify for pay; they may buy to reach a rank's discount (below). The credit
  is out of the costs (the verdict's reading) and kept apart (``RunData.use_credit``) for the
  reading that counts every purchase as a loss. With
  :data:`evaluator.assumptions.BEHAVIOUR_NEUTRAL` (``member_share``, ``seller_share``,
  ``builder_own_products``, ``recruit_pay_response`` and ``join_cost_response`` all 0) no
  kind is drawn and a run is the run of engine 0.1.0, draw for draw.
- Recruiting (Bass-style imitation, docs/SOURCES.md ``bosley2015``): each participant active at
  the start of a month recruits ``floor(p + u)`` people, ``u`` uniform, with
  ``p = recruit_rate x (1 - participants ever / simulated market)``; recruits beyond the
  capacity are dropped, last recruiter first. Recruits join active in that month.
- Customers (docs/SOURCES.md ``neora``, ``herbalife_order``, ``dsa``): new customers are
  ``floor(X + u)`` per active participant, ``X`` log-normal with mean
  ``customers_per_participant x demand factor x (share of the market not yet recruited) x (1 -
  retention)`` (times the kind's factor) and sigma ``customer_skew``; of last month's customers
  ``floor(last x retention + u')`` return, ``retention = 1 - 1 / customer_tenure`` (a book that
  settles near the mean; a recruit starts with none, and a participant's customers leave with
  them). The month's customers never exceed the people not in the network. The demand factor
  and the product mix answer to price (:func:`evaluator.economics.retail_demand`): a product at
  ``r`` times its comparable market price pulls ``r ** -price_elasticity`` (1 with no comparable
  price: taken at par), the factor is the mean pull but at most 1, and a customer buys one
  product a month in the mix of the pulls (:func:`evaluator.economics.customer_order`: the
  mix's price and volume, each product's volume being its stated volume or price x
  ``commissionable_fraction``): at retail from the company (``retail_commission``) or from the
  participant, who bought it at wholesale (``retail_margin``). The indicators count the same
  order. With ``price_elasticity`` 0 and ``customer_tenure`` 1 customers are new strangers each
  month buying one average product, as in engine 0.1.0, and no extra uniform is drawn.
- Former participants as customers (``former_customer_share``, the tool's choice): after the
  month's churn, a participant ``i`` who quit stays a customer when ``frac(i x STAYS) <
  former_customer_share`` (an evenly spread fixed sequence, no random draw), of their sponsor
  if the sponsor is still active: they join the sponsor's book (one more customer last month)
  and return like any customer in it, with chance ``retention`` a month (with
  ``customer_tenure`` 1 nobody returns, so nobody stays). The cap on the month's customers
  counts them with the people not in the network. Each engine decides who stays and of whom
  (``Engine.stay_customers``); the month loop adds them to the books.
- Preferred customers (schema v1.1 ``compensation.preferred_customers``, docs/SOURCES.md
  ``neora``; :class:`Preferred`): ``preferred_customer_share`` (the tool's choice) of each
  participant's customers are preferred customers and the rest retail customers
  (``Params.customers_mean`` is the retail part). They keep a book of their own, drawn like
  the retail one (:func:`customer_counts`, after :func:`draw_month`: :func:`draw_preferred`'s
  normal and uniform per active participant for new ones, and a uniform for those who
  return with chance ``1 - 1 / preferred_customer_tenure``); the month's cap counts the
  retail customers already served. Each orders one product a month in the customers' mix from
  the company at retail less ``discount`` (:func:`evaluator.economics.preferred_order`):
  customer sales at that price, volume in the participant's personal and group volume unless
  ``counts_as_personal_volume`` is false (a last count row, :func:`count_volumes`), and never
  a retail customer for ``min_retail_customers``. The commission, ``commission_rate`` x that
  price an order (``Preferred.commission``), is pay of source customer sales that needs no
  qualification (:data:`UNQUALIFIED_PAY`), that the retail-share gate leaves alone
  (:data:`UNGATED`) and that the matching bonus does not match (it is not a component); each
  engine pays it itself. Only a plan with a program draws, so every other plan's draws are
  unchanged.
- Own purchases: every active participant buys ``required_monthly_purchase +
  extra_own_purchase`` at wholesale each month; a recruit buys the starter kit and inventory
  package in the month they join (commissionable only with ``starter_kit_commissionable``).
- Buying to qualify (docs/SOURCES.md ``omnitrition``, ``ftc_guidance``): when own purchases count,
  an active participant who is not a discount member, with at least one active personal
  recruit, enough retail customers and personal volume short of the target buys whole average
  products at wholesale (the mean wholesale price and the mean volume,
  :func:`evaluator.economics.average_order`) to reach it, unless that takes more than
  ``MAX_TOP_UP`` (100) products in a month: then they buy none. The target is
  ``min_personal_volume``, or the personal volume of the highest rank whose group-volume
  (before the top-up) and active-leg requirements they already meet, whichever is higher. Only
  a ``buy_to_qualify`` share of participants do: participant ``i`` does when ``frac(i x
  0.618...) < buy_to_qualify`` (an evenly spread fixed sequence, so the same people keep
  topping up, with no random draw). With ``top_up_pay_check`` (the default) they buy only when
  it pays: when what qualifying paid them the last month they were qualified (their pay from
  every component but retail margin and retail commission, after the payout cap, kept by the
  month loop in ``Month.expect``; NaN, and so buying, before their first qualified month)
  exceeds the products' cost less their worth to them (their kind's ``{kind}_use_value`` x
  :func:`use_worth` a product, ``Kinds.unit_worth``), beyond the tie tolerance of
  :func:`reaches` (:func:`pays_off`); the worth is credited to them like other product used.
  A rank's discount (schema v1.1 ``compensation.ranks[].discount``) counts too: when the
  products bought lift them from the rank they hold (the highest whose personal and group
  volume, active legs and team size they meet, or their package's if higher) to a rank with a
  bigger discount (the same rule with the products' volume added to their personal and group
  volume), what qualifying is worth adds, for :func:`discount_months` months, the higher
  rank's extra saving on their month's own purchases (the required purchase,
  ``extra_own_purchase`` and own-use products, at wholesale) and its extra retail margin on
  this month's customers (with a ``retail_margin`` component); the products themselves cost
  the higher rank's price. Without rank discounts the check is the one above, exactly.
  Ranks at or below the rank a participant's package gives set no target: they hold it
  whatever their volume.
- Buying to reach a discount (schema v1.1 rank discounts, with ``top_up_pay_check``): one of
  the ``buy_to_qualify`` share who does not buy to qualify for pay, because they are a
  discount member or have no active personal recruit or too few customers, and so gets no
  downline pay from qualifying, may still buy whole average products for a bigger discount
  alone (docs/SOURCES.md ``herbalife_order``: most members join for the discount; the rule
  is the tool's choice).
  Each rank above the one they hold (as above), with a bigger discount and whose active legs
  and team they have, is priced: the products that reach its personal and its group volume
  (their own purchases count in both), at most ``MAX_TOP_UP``. The products are worth the
  rank reached's extra saving on the month's own purchases and extra retail margin on this
  month's customers, for :func:`discount_months` months, as above; they cost the rank
  reached's price less their worth to the buyer (``Kinds.unit_worth``) on no more of them
  than the buyer would use for their own in those months (``{kind}_own_products`` x
  :func:`discount_months`): product beyond one's own use is worth nothing to a buyer who
  wants only the discount. The rank whose worth beats its cost by the most, beyond the tie
  tolerance of :func:`reaches`, is bought (the lower on a tie); none when no rank pays. Those
  who buy nothing this way are not counted in ``RunData.top_ups_passed``; of what they buy,
  only the products they would use are credited at their worth (``Engine.used``). A v1 plan has no
  rank discount, so this never applies to it. For a discount (this rule and the one above),
  a rank kept as the paid-as rank from earlier months (``rank_rules.pin`` "pay", within
  ``requalify_months``; read from :class:`RankHistory`) is held like a package's: nobody buys
  a discount they keep anyway.
  Those who pass it up are counted (``RunData.top_ups_passed``). The purchase is a cost and
  company sales, and counts as own-purchase volume for everyone paid on it. Each engine decides
  the top-ups, the pay check included, itself (``Engine.top_up``); the month loop keeps the
  expectations and the tallies by kind, shared.
- Personal volume for qualification counts own purchases unless the plan says
  ``own_purchases_count: false``; when the plan leaves it unknown, own purchases count, the
  common industry practice. Each engine decides qualification itself (``Engine.qualify``).
- Costs: ``startup_cost`` at joining, then ``monthly_cost + extra_own_purchase`` each active
  month (the joining month included), changed by kind as above, plus any purchase made to
  qualify. Purchases (``RunData.purchases``) are required (the required monthly purchase,
  kits and packages), demand-driven (own-use products) or incentivised (bought to qualify,
  and ``extra_own_purchase``, product pushed to reach a rank).
- Churn at the end of each month: ``monthly_churn``, plus ``loss_churn_boost`` for a
  participant whose pay so far is below their costs so far. Those who quit never return.
- Business volume (schema v1.1 ``products[].business_volume``): the month's volumes
  (:func:`month_inputs`, :func:`count_volumes`) are business volume, what every commission and
  the payout cap read; qualification, ranks, buying to qualify and the retail-share gate read
  the point volume (``Month.points``, ``count_volumes(..., points=True)``). A customer order, a
  month's own purchase and a product bought to qualify carry each figure as
  :func:`evaluator.economics.average_order` and :func:`evaluator.economics.customer_order`
  give it (``Params.business``); without the field both are the same arrays.
- Retail-share gate (schema v1.1 ``qualification.min_customer_share``): each engine decides
  it itself, in ``pay`` after every component (rule in :mod:`evaluator.simulation.reference`),
  from the month's volumes shared here; what it withholds is breakage ``customer_share``
  (:data:`GATE_CAUSE`, a cause only plans with a gate report).
- Payout cap: when the company's pay in a month (everything but retail margin, which the
  company does not pay) exceeds ``payout_cap_fraction`` x the month's commissionable volume,
  all of it is scaled down to the cap; the difference is breakage.
- Rates by rank (schema v1.1): each engine decides each participant's paid-as rank (with
  ``min_team_size``), the unilevel and binary rates and the retail margin of that rank, and
  the share of the wholesale price their rank's discount takes off their own purchases
  (``MonthPay.saving``); the month loop applies that share to the money of their own
  purchases (:func:`discount_savings`: the required purchase and ``extra_own_purchase``,
  products bought to qualify, own-use products; not kits or packages) and takes it off their
  costs, company sales and the purchases by why they were bought.
- Pay rules, paid-as ranks and placement are stated once, in
  :mod:`evaluator.simulation.reference`; :mod:`evaluator.simulation.payouts` computes the
  same with whole arrays.
- Company sales (for the payout ratio) are own purchases, customer orders and starter kits
  and packages at the price the company charges; fees are not sales.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol

import numpy as np

from evaluator.assumptions import Assumptions
from evaluator.economics import (
    Order,
    average_order,
    customer_margin,
    customer_order,
    customer_retail,
    monthly_cost,
    preferred_order,
    retail_demand,
    startup_cost,
)
from evaluator.model import Component, CustomerShare, Plan, Rank, RankRules
from evaluator.simulation import sharing

SOURCES = ("customer_sales", "own_purchases", "enrollment")
KINDS = ("member", "seller", "builder")  # participant kinds, by code 0, 1, 2
MEMBER, SELLER, BUILDER = range(3)
PURCHASES = ("required", "demand_driven", "incentivised")  # why participants bought
BREAKAGE_CAUSES = (
    "unqualified",
    "top_of_network",
    "locked_levels",
    "binary_cap",
    "payout_cap",
)
GATE_CAUSE = "customer_share"
"""The breakage cause of a retail-share gate (schema v1.1), present only in a plan with one."""
PREFERRED = "preferred_customers"
"""The pay key of the commission on preferred customers' orders (schema v1.1), a retail pay."""
UNGATED = ("retail_margin", "retail_commission", PREFERRED)
"""Components a retail-share gate leaves alone: pay on one's own customers, as qualification."""
UNMATCHED = ("retail_margin", "matching_bonus")
"""Components whose pay a matching bonus does not match: retail margin (the customer pays it,
not the company) and the matching bonus itself; every other component's pay is matched."""
NO_RANK = -1
PAY_DECIMALS = 6  # each participant's pay per month is rounded to a millionth (see settle)
PAY_SCALE = 10.0 ** PAY_DECIMALS


def round_pay(x: np.ndarray | float) -> np.ndarray:
    """``x`` rounded to a millionth of the currency, a half-millionth upward.

    The rule both engines follow wherever pay is rounded. A sum that lands on a half-millionth
    (a 5% rate on half of 41.6875 of volume does) can come out a binary digit above or below it
    in the two engines, which add in different orders; rounding half upward with a tolerance
    (a ten-trillionth of the amount, at least a trillionth of the currency: far above
    that noise, far below a millionth) gives both the same millionth. Elsewhere it is the
    nearest millionth, as ``np.round`` gives.
    """
    y = np.asarray(x, dtype=float) * PAY_SCALE
    if y.ndim == 0:
        return np.floor(y + 0.5 + np.maximum(1e-6, np.abs(y) * 1e-13)) / PAY_SCALE
    # The same operations in the same order, in place in two arrays rather than six.
    tolerance = np.abs(y)
    tolerance *= 1e-13
    np.maximum(1e-6, tolerance, out=tolerance)
    y += 0.5
    y += tolerance
    np.floor(y, out=y)
    y /= PAY_SCALE
    return y
GOLDEN = (math.sqrt(5) - 1) / 2  # the evenly spread sequence that picks who buys to qualify
STAYS = math.sqrt(2) - 1
"""The evenly spread sequence that picks which of those who quit stay customers: participant
``i`` does when ``frac(i x STAYS) < former_customer_share`` (another irrational than
:data:`GOLDEN`, so it does not pick the same people as buying to qualify)."""
MAX_TOP_UP = 100  # most products anyone buys in a month to qualify
# Pay that needs no qualification (a return on one's own position is paid to every holder).
UNQUALIFIED_PAY = ("retail_margin", "retail_commission", PREFERRED,
                   "position_return")
PRUNE_AT = 0.8  # levels are pruned once at most this share of those they hold is alive
MIN_INITIAL = 20  # fewest founders a scaled-down network starts from (see the module docstring)


def project(market: float, initial: float, recruit_rate: float, churn: float,
            horizon: int) -> list[float]:
    """Mean-field projection of people ever joined at the end of each month 0..horizon.

    The same recruiting rule as a run, with expected values instead of draws: each month
    ``active x recruit_rate x (1 - ever / market)`` people join (at most the rest of the
    market), then the base ``churn`` share of the active quit. Deterministic and cheap; it
    ignores the extra churn of those losing money, so it is an upper estimate.
    """
    ever = active = min(float(initial), float(market))
    out = [ever]
    for _ in range(horizon):
        joined = min(active * recruit_rate * (1 - ever / market), market - ever)
        ever += joined
        active = (active + joined) * (1 - churn)
        out.append(ever)
    return out


def sign_up_pay(plan: Plan) -> float:
    """What the sponsor of one recruit is paid for the sign-up itself, at level 1.

    The enrollment bonus, the fast-start share of the recruit's kit and own purchases over the
    fast-start months, the first-order bonus (schema v1.1) on the kit and a month's own
    purchase, and the first unilevel and matrix rates on a commissionable kit. A bonus whose
    ``min_recruit_order_volume`` that first order does not reach counts nothing; one that
    ``requires_rank`` counts in full (the sponsor may hold it).
    """
    comp = plan.compensation
    costs = plan.costs
    kit = costs.starter_kit + costs.inventory_package
    kit_volume = kit * comp.commissionable_fraction if costs.starter_kit_commissionable else 0.0
    if costs.packages:  # the volume of the package a recruit buys, expected over the shares
        kit_volume += sum(s * (p.volume or 0.0)
                          for s, p in zip(costs.package_shares(), costs.packages, strict=True))
    own_volume = costs.required_monthly_purchase * plan.business_volume_per_money("wholesale")
    pay = 0.0
    first_order = kit_volume + own_volume  # the recruit's order in the month they join
    bonus = comp.component("enrollment_bonus")
    if bonus is not None and bonus.amounts and reaches(first_order,
                                                       bonus.min_recruit_order_volume):
        pay += bonus.amounts[0]
    fast = comp.component("fast_start")
    if fast is not None and fast.rates and reaches(first_order, fast.min_recruit_order_volume):
        pay += fast.rates[0] * (kit_volume + fast.months * own_volume)
    first = comp.component("first_order_bonus")
    if first is not None and reaches(first_order, first.min_recruit_order_volume):
        pay += first.rates[0] * first_order if first.rates else first.amounts[0]
    for kind in ("unilevel", "matrix"):
        c = comp.component(kind)
        if c is not None and c.rates and not (kind == "unilevel" and c.basis == "customer"):
            pay += c.rates[0] * kit_volume
    return pay


def sign_up_pay_ratio(plan: Plan) -> float:
    """The sponsor's pay for one sign-up in products' worth: :func:`sign_up_pay` / mean retail."""
    price = plan.mean_retail
    return sign_up_pay(plan) / price if price > 0 else 0.0


def kind_shares(assumptions: Assumptions) -> tuple[float, float, float]:
    """The shares of members, sellers and builders among those who join."""
    member = float(assumptions["member_share"])
    seller = (1 - member) * float(assumptions["seller_share"])
    return (member, seller, 1 - member - seller)


def pay_responses(assumptions: Assumptions, pay_ratio: float) -> tuple[float, float, float]:
    """Each kind's recruiting multiplied by what a sign-up pays (``pay_ratio``, products' worth).

    ``1 + recruit_pay_response x pay_ratio`` for sellers and builders, who recruit for pay; 1
    for discount members, who join for the discount and recruit (rarely) whatever it pays.
    """
    response = 1 + float(assumptions["recruit_pay_response"]) * pay_ratio
    return (1.0, response, response)


def plan_recruiting(plan: Plan, assumptions: Assumptions) -> float:
    """How the plan moves the average participant's recruiting.

    The kinds' mean pay response (:func:`pay_responses`, weighted by each kind's share and
    recruiting factor: members' does not answer to pay) over ``1 + join_cost_response x start-up
    cost / price``, money counted in products' worth (``price``: the mean retail price). More effort
    where a sign-up pays (:func:`sign_up_pay`), fewer sign-ups where joining costs more; exactly 1
    with both responses 0. With everyone a builder it is ``(1 + recruit_pay_response x sign-up pay
    / price) / (1 + join_cost_response x start-up cost / price)``.
    """
    pay_response = float(assumptions["recruit_pay_response"])
    cost_response = float(assumptions["join_cost_response"])
    if pay_response == 0 and cost_response == 0:
        return 1.0
    price = plan.mean_retail
    if price <= 0:
        return 1.0
    shares = kind_shares(assumptions)
    factor = _kind_factors(assumptions)
    responses = pay_responses(assumptions, sign_up_pay_ratio(plan))
    plain = sum(s * f for s, f in zip(shares, factor, strict=True))
    responded = sum(s * f * r for s, f, r in zip(shares, factor, responses, strict=True))
    mean = responded / plain if plain > 0 else responses[BUILDER]
    return mean / (1 + cost_response * startup_cost(plan) / price)


def _kind_factors(assumptions: Assumptions) -> tuple[float, float, float]:
    """Each kind's recruiting as a multiple of a builder's (a builder's is 1)."""
    return (float(assumptions["member_recruit_factor"]),
            float(assumptions["seller_recruit_factor"]), 1.0)


def use_worth(plan: Plan) -> float:
    """What product bought at wholesale is worth to its user, per unit of money paid.

    This is before their use-value share: the mean over products of the retail price (what they
    would pay as a customer), or a comparable product's price when that is lower, over the mean
    wholesale price (0 when products cost nothing: no money to credit).
    """
    if plan.mean_wholesale <= 0:
        return 0.0
    worth = [min(p.retail_price, p.comparable_market_price or p.retail_price)
             for p in plan.products]
    return sum(worth) / len(worth) / plan.mean_wholesale


def _over_their_mean(assumptions: Assumptions,
                     factor: list[float]) -> tuple[float, float, float]:
    """The kinds' ``factor`` (member, seller, builder) over its mean.

    The mean is across the kinds a participant may be (:func:`kind_shares`); 1 each when
    everyone is a builder, 0 each when the mean is 0.
    """
    member, seller, builder = kind_shares(assumptions)
    if member == 0 and seller == 0:
        return (1.0, 1.0, 1.0)
    mean = member * factor[0] + seller * factor[1] + builder * factor[2]
    if mean <= 0:
        return (0.0, 0.0, 0.0)
    return (factor[0] / mean, factor[1] / mean, factor[2] / mean)


@dataclass(frozen=True)
class Kinds:
    """What sets the three kinds of participant apart, per kind code.

    The kinds are member, seller and builder: see the module docstring.
    """

    member_share: float
    seller_share: float  # of the recruits who are not members
    recruit_factor: tuple[float, float, float]
    customer_factor: tuple[float, float, float]
    own_products: tuple[float, float, float]  # demand-driven products a month
    monthly: tuple[float, float, float]  # each active month's cost
    use_credit: tuple[float, float, float]  # each active month's worth of product used
    unit_worth: tuple[float, float, float] = (0.0, 0.0, 0.0)  # a product bought to qualify

    @staticmethod
    def recruit_factors(assumptions: Assumptions,
                        pay_ratio: float = 0.0) -> tuple[float, float, float]:
        """Each kind's recruiting as a multiple of the (plan-adjusted) ``recruit_rate``.

        The kinds' factors (a builder's is 1) times their pay response to ``pay_ratio`` (what a
        sign-up pays, in products' worth: :func:`pay_responses`, members' 1) over their mean
        across the kinds a participant may be, so that the rate stays the average participant's
        (and the projection holds); all 0 when no kind recruits, 1 when everyone is a builder.
        Where a sign-up pays, recruiting shifts from members to sellers and builders.
        """
        response = pay_responses(assumptions, pay_ratio)
        return _over_their_mean(assumptions, [
            f * r for f, r in zip(_kind_factors(assumptions), response, strict=True)])

    @staticmethod
    def customer_factors(assumptions: Assumptions) -> tuple[float, float, float]:
        """Each kind's customers as a multiple of ``customers_per_participant``.

        The kinds' factors (``member_customer_factor``, ``seller_customer_factor``, a
        builder's 1) over their mean across the kinds a participant may be, so that
        ``customers_per_participant`` stays the average participant's customers, as its
        meaning and its sources (customers per seller, per active partner) say; all 0 when no
        kind has customers, 1 when everyone is a builder. Engine 0.6.0 and earlier used the
        factors as they are, which gave the average participant 0.41 of it at the defaults.
        """
        return _over_their_mean(assumptions, [float(assumptions["member_customer_factor"]),
                                              float(assumptions["seller_customer_factor"]), 1.0])

    @property
    def mixed(self) -> bool:
        """Whether anyone joins as anything but a builder (else no kind is drawn)."""
        return self.member_share > 0 or self.seller_share > 0

    @classmethod
    def build(cls, plan: Plan, assumptions: Assumptions, monthly: float,
              unit: Order) -> Kinds:
        """Per-kind behaviour from the assumptions.

        ``monthly``: a builder's monthly cost without own-use purchases; ``unit``: one product at
        wholesale.
        """
        a = assumptions
        own = [float(a[f"{k}_own_products"]) for k in KINDS]
        value = [float(a[f"{k}_use_value"]) for k in KINDS]
        worth = use_worth(plan)
        # Business expenses and event costs, which members do not have.
        expenses = plan.costs.estimated_monthly_expenses + plan.costs.annual_event_costs / 12
        required = plan.costs.required_monthly_purchase
        required_credit = required * float(a["personal_use_value"])  # sellers', builders'
        credit = [own[k] * unit.money * worth * value[k] + required_credit for k in range(3)]
        # A member values the required purchase like the rest of what they buy.
        credit[MEMBER] = (own[MEMBER] * unit.money + required) * worth * value[MEMBER]
        spent = [own[k] * unit.money for k in range(3)]
        costs = [monthly + spent[k] - (credit[k] - required_credit) for k in range(3)]
        costs[MEMBER] = (monthly - expenses + required_credit + spent[MEMBER]
                         - credit[MEMBER])
        if not own[BUILDER]:  # exactly the monthly cost of everyone before kinds existed
            costs[BUILDER] = monthly
        return cls(
            member_share=float(a["member_share"]),
            seller_share=float(a["seller_share"]),
            recruit_factor=cls.recruit_factors(a, sign_up_pay_ratio(plan)),
            customer_factor=cls.customer_factors(a),
            own_products=(own[0], own[1], own[2]),
            monthly=(costs[0], costs[1], costs[2]),
            use_credit=(credit[0], credit[1], credit[2]),
            unit_worth=(unit.money * worth * value[0], unit.money * worth * value[1],
                        unit.money * worth * value[2]),
        )

    def of(self, u: np.ndarray) -> np.ndarray:
        """Kind codes of recruits from their uniforms.

        Member when ``u < member_share``, seller when below ``member_share + (1 - member_share) x
        seller_share``, else builder.
        """
        seller_below = self.member_share + (1 - self.member_share) * self.seller_share
        return np.where(u < self.member_share, MEMBER,
                        np.where(u < seller_below, SELLER, BUILDER)).astype(np.int8)


@dataclass(frozen=True)
class Packages:
    """The plan's enrollment packages as a run uses them, per package (schema v1.1).

    Each founder and recruit chooses one by a uniform drawn at joining (:func:`draw_packages`,
    right after the kinds' draw; only for a plan with packages). Kind ``k`` chooses package ``p``
    with probability proportional to ``share_p x (1 + package_load_response x factor_k x
    step_p)``: ``share_p`` the user's estimate (:meth:`evaluator.model.Costs.package_shares`),
    ``step_p`` the position of the rank the package gives in the plan's ranks (1 for the first;
    0 for none), ``factor_k`` the kind's recruiting factor as entered (``member_recruit_factor``,
    ``seller_recruit_factor``, a builder's 1): those who set out to build load up the most.
    """

    names: tuple[str, ...]
    money: tuple[float, ...]  # price
    volume: tuple[float, ...]  # commissionable volume in the month bought (unknown: none)
    rank: tuple[int, ...]  # the rank given, NO_RANK for none
    loaded: tuple[float, ...]  # the part of the price bought to unlock a rank (incentivised)
    below: tuple[tuple[float, ...], ...]  # per kind code: cumulative choice probabilities

    @classmethod
    def build(cls, plan: Plan, assumptions: Assumptions) -> Packages | None:
        """The packages of ``plan`` (None when it has none)."""
        packages = plan.costs.packages
        if not packages:
            return None
        ranks = [r.name for r in plan.compensation.ranks]
        rank = tuple(ranks.index(p.rank) if p.rank is not None else NO_RANK for p in packages)
        cheapest = min(p.price for p in packages)
        response = float(assumptions["package_load_response"])
        factors = (float(assumptions["member_recruit_factor"]),
                   float(assumptions["seller_recruit_factor"]), 1.0)
        shares = plan.costs.package_shares()
        below = []
        for factor in factors:
            weights = [s * (1 + response * factor * (r + 1)) for s, r in
                       zip(shares, rank, strict=True)]
            total = sum(weights)
            running, cumulative = 0.0, []
            for w in weights:
                running += w / total
                cumulative.append(running)
            below.append(tuple(cumulative))
        return cls(
            names=tuple(p.name for p in packages),
            money=tuple(p.price for p in packages),
            volume=tuple(p.volume or 0.0 for p in packages),
            rank=rank,
            loaded=tuple(p.price - cheapest if r != NO_RANK else 0.0
                         for p, r in zip(packages, rank, strict=True)),
            below=tuple(below),
        )

    @property
    def counted(self) -> int:
        """How many packages carry volume rows in subtree counts (all, or none without volume)."""
        return len(self.volume) if any(self.volume) else 0

    def of(self, u: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Package index of each joiner from their uniform ``u`` and kind code ``kind``.

        The first package whose cumulative probability for that kind exceeds ``u``.
        """
        below = np.asarray(self.below)[kind]  # (joiner, package)
        return np.minimum((u[:, None] >= below).sum(axis=1), len(self.money) - 1).astype(np.int8)


def draw_packages(rng: np.random.Generator, joiners: int) -> np.ndarray:
    """One uniform per joiner, which :meth:`Packages.of` turns into their package.

    Drawn right after the kinds' draw, only for a plan with packages.
    """
    return rng.random(joiners)


@dataclass(frozen=True)
class Preferred:
    """A plan's preferred-customer program as the month loop runs it (schema v1.1).

    See the module docstring. ``mean``: the preferred customers a participant has on average
    (their share of ``customers_per_participant`` x the demand factor); ``retention``: the
    chance one returns next month; ``money`` and ``volume``: one preferred order (one product at
    the preferred price, :func:`evaluator.economics.preferred_order`); ``commission``: the
    participant's pay on one such order; ``business``: its business volume (what commissions
    read, schema v1.1); ``counted``: whether it counts as the enrolling participant's volume
    (personal and group volume, and what downline pay is paid on).
    """

    share: float
    mean: float
    retention: float
    money: float
    volume: float
    commission: float
    business: float = 0.0
    counted: bool = True

    @classmethod
    def build(cls, plan: Plan, assumptions: Assumptions,
              shares: tuple[float, ...] | None) -> Preferred | None:
        """The program's run parameters; None when the plan has none (``mean`` set by Params)."""
        program = plan.compensation.preferred_customers
        if program is None:
            return None
        order = preferred_order(plan, shares)
        return cls(share=float(assumptions["preferred_customer_share"]), mean=0.0,
                   retention=1 - 1 / float(assumptions["preferred_customer_tenure"]),
                   money=order.money, volume=order.volume,
                   commission=program.commission_rate * order.money,
                   business=order.business_volume,
                   counted=program.counts_as_personal_volume is not False)


@dataclass(frozen=True)
class Params:
    """Everything one run needs, derived once from the plan and the assumptions."""

    horizon: int
    capacity: int  # participants the arrays hold
    market: int  # the simulated market (people)
    scale: float  # people per simulated participant
    projected_ever: float  # the mean-field projection of people ever joined (real people)
    initial: int
    recruit_rate: float
    churn: float
    loss_churn_boost: float
    customers_mean: float  # customers_per_participant x the demand factor of the prices
    customer_skew: float
    customer_retention: float  # chance a customer returns next month: 1 - 1 / customer_tenure
    own_money: float  # each active month's required purchase and extra_own_purchase
    extra_money: float  # the extra_own_purchase part of it
    own_volume: float
    kit_money: float
    kit_volume: float
    order_money: float
    order_volume: float
    margin_per_customer: float
    commission_per_customer: float
    startup: float
    monthly: float
    min_personal_volume: float
    own_purchases_count: bool
    min_retail_customers: int
    buy_to_qualify: float
    kinds: Kinds
    unit_money: float  # one product bought to qualify: the mean wholesale price
    unit_volume: float  # and the mean volume (economics.average_order)
    payout_cap_fraction: float | None
    components: dict[str, Component]
    ranks: tuple[Rank, ...]
    packages: Packages | None = None  # enrollment packages (schema v1.1), None without
    # Rates by rank (schema v1.1): a participant at a rank with a discount pays this x (1 -
    # discount) of the wholesale price of what they buy (mean retail / mean wholesale; None:
    # no rank sets a discount, or products cost nothing at wholesale), and earns discount x
    # this retail price per customer as retail margin.
    discount_price: float | None = None
    retail_per_customer: float = 0.0
    customer_share: CustomerShare | None = None  # the retail-share gate (schema v1.1)
    # Business volume (schema v1.1 products[].business_volume), what commissions are paid on,
    # of a customer order, a month's own purchase and one product; None: the point volume.
    business: tuple[float, float, float] | None = None
    top_up_pay_check: bool = False  # buy to qualify only when it pays (assumption)
    former_customer_share: float = 0.0  # of those who quit, the share who stay customers
    rank_rules: RankRules = field(default_factory=RankRules)  # kept ranks (schema v1.1)
    preferred: Preferred | None = None  # the preferred-customer program (schema v1.1)
    # Months the pay check of buying to qualify counts a rank's discount for (discount_months).
    discount_months: float = 1.0

    @classmethod
    def build(cls, plan: Plan, assumptions: Assumptions) -> Params:
        """Derive the run parameters (see the module docstring for each decision)."""
        market = int(assumptions["market_size"])
        initial = int(assumptions["initial_participants"])
        rate = float(assumptions["recruit_rate"]) * plan_recruiting(plan, assumptions)
        churn = float(assumptions["monthly_churn"])
        horizon = int(assumptions["horizon_months"])
        most = int(assumptions["max_participants"])
        projected = project(market, initial, rate, churn, horizon)[-1]
        scale = max(1.0, projected / most)
        sim_initial = min(initial, market, max(MIN_INITIAL, round(initial / scale)))
        sim_market = max(sim_initial, round(market / scale))
        capacity = max(sim_initial, min(sim_market, most))
        comp = plan.compensation
        costs = plan.costs
        components = {c.type: c for c in comp.components}
        margin = "retail_margin" in components
        commission = components.get("retail_commission")
        extra = float(assumptions["extra_own_purchase"])
        own_money = costs.required_monthly_purchase + extra
        kit_money = costs.starter_kit + costs.inventory_package
        demand = retail_demand(plan, float(assumptions["price_elasticity"]))
        order = customer_order(plan, demand.shares)
        unit = average_order(plan, "wholesale")
        preferred = Preferred.build(plan, assumptions, demand.shares)
        customers_mean = float(assumptions["customers_per_participant"]) * demand.factor
        return cls(
            horizon=horizon,
            capacity=capacity,
            market=sim_market,
            scale=scale,
            projected_ever=projected,
            initial=sim_initial,
            recruit_rate=rate,
            churn=churn,
            loss_churn_boost=float(assumptions["loss_churn_boost"]),
            customers_mean=customers_mean * (1 - preferred.share if preferred else 1.0),
            customer_skew=float(assumptions["customer_skew"]),
            customer_retention=1 - 1 / float(assumptions["customer_tenure"]),
            former_customer_share=float(assumptions["former_customer_share"]),
            own_money=own_money,
            extra_money=extra,
            own_volume=own_money * plan.volume_per_money("wholesale"),
            kit_money=kit_money,
            kit_volume=(
                kit_money * comp.commissionable_fraction
                if costs.starter_kit_commissionable
                else 0.0
            ),
            order_money=order.money,
            order_volume=order.volume,
            margin_per_customer=customer_margin(plan, demand.shares) if margin else 0.0,
            commission_per_customer=(
                (commission.rate or 0.0) * customer_retail(plan, demand.shares)
                if commission is not None else 0.0
            ),
            startup=plan.costs.joining_cost,  # a package's price is added by who buys which
            monthly=monthly_cost(plan, assumptions) + extra,
            min_personal_volume=comp.qualification.min_personal_volume,
            own_purchases_count=comp.qualification.own_purchases_count is not False,
            min_retail_customers=comp.qualification.min_retail_customers,
            buy_to_qualify=float(assumptions["buy_to_qualify"]),
            kinds=Kinds.build(plan, assumptions, monthly_cost(plan, assumptions) + extra,
                              unit),
            unit_money=unit.money,
            unit_volume=unit.volume,
            payout_cap_fraction=comp.payout_cap_fraction,
            components=components,
            ranks=comp.ranks,
            packages=Packages.build(plan, assumptions),
            discount_price=(plan.mean_retail / plan.mean_wholesale
                            if comp.rates_by_rank("discount") and plan.mean_wholesale > 0
                            else None),
            retail_per_customer=customer_retail(plan, demand.shares),
            customer_share=comp.qualification.min_customer_share,
            business=(
                (order.business_volume,
                 own_money * plan.business_volume_per_money("wholesale"),
                 unit.business_volume)
                if plan.business_volume_differs else None),
            top_up_pay_check=bool(assumptions["top_up_pay_check"]),
            rank_rules=comp.rank_rules,
            preferred=(None if preferred is None
                       else replace(preferred, mean=customers_mean * preferred.share)),
            discount_months=discount_months(comp.rank_rules, churn, horizon),
        )

    @property
    def ranks_over_time(self) -> bool:
        """Whether ranks depend on past months, so a run keeps a :class:`RankHistory`.

        Schema v1.1: months in a row, lifetime volume, kept ranks.
        """
        return bool(self.ranks) and (
            self.rank_rules.pins
            or any(r.qualify_months > 1 or r.min_lifetime_volume > 0 for r in self.ranks))

    @property
    def breakaway_legs_left_out(self) -> bool:
        """Whether legs that broke away are left out of ranks' group volume (schema v1.1)."""
        c = self.components.get("breakaway")
        return bool(self.ranks) and c is not None and not c.breakaway_legs_in_group_volume

    @property
    def tops_up(self) -> bool:
        """Whether anyone can buy to qualify.

        Own purchases count, some participants buy, a product carries volume and some personal
        volume is required.
        """
        return (
            self.own_purchases_count
            and self.buy_to_qualify > 0
            and self.unit_volume > 0
            and (self.min_personal_volume > 0
                 or any(r.min_personal_volume > 0 for r in self.ranks))
        )


class Tree:
    """A tree over participant ids: parent (-1 at the top), depth, and the ids at each depth.

    Subtree totals roll up from the deepest level to the top (:meth:`roll_up`): one
    scatter-add into the parents per level. The ids at each depth (``levels``, ascending, and
    their parents, ``level_up``) live in buffers that grow by doubling, so a month's recruits
    are appended without copying the levels; they are kept only with ``keep_levels``, for
    trees that need them. A forced tree (matrix or binary) also has ``width`` positions under
    each participant (``child``, -1 when free), how many are filled (``nchild``) and the
    spill-over turn (``turn``: which child the next overflowing recruit is passed to, modulo
    the width).
    """

    def __init__(self, capacity: int, width: int = 0, keep_levels: bool = False) -> None:
        """An empty tree for ``capacity`` ids, with ``width`` positions each when forced."""
        self.width = width
        self.capacity = capacity
        self.keep_levels = keep_levels
        self.attached = 0  # participants in the tree (ids 0..attached-1)
        self.parent = np.full(capacity, -1, dtype=np.int64)
        # ``up``: the parent, with the top (and the sentinel itself) pointing at a sentinel
        # participant ``capacity`` who is never active, qualified or ranked. 32-bit ids (the
        # assumptions cap a network at 5 million) halve the memory the upline walks read.
        self.up = np.full(capacity + 1, capacity, dtype=np.int32)
        self.depth = np.zeros(capacity, dtype=np.int32)
        self._level_ids: list[np.ndarray] = []  # per depth: a buffer of ids, then
        self._level_ups: list[np.ndarray] = []  # their parents; the first _filled[d] are used
        self._filled: list[int] = []
        if width:
            # 32-bit, like ``up``: ids and counts stay far below 2**31.
            self.child = np.full((capacity, width), -1, dtype=np.int32)
            self.nchild = np.zeros(capacity, dtype=np.int32)
            self.turn = np.zeros(capacity, dtype=np.int32)
        # Spill-over rule (schema v1.1 ``placement``): False, in turn; True, the first open
        # position below the sponsor, level by level and left to right (set by Network.empty).
        self.first_open = False

    @property
    def held(self) -> int:
        """How many participants the levels hold."""
        return sum(self._filled)

    @property
    def levels(self) -> list[np.ndarray]:
        """The ids at each depth (top first), ascending."""
        return [b[:k] for b, k in zip(self._level_ids, self._filled, strict=True)]

    @property
    def level_up(self) -> list[np.ndarray]:
        """The parents of ``levels``, alike (the sentinel at depth 0)."""
        return [b[:k] for b, k in zip(self._level_ups, self._filled, strict=True)]

    def attach(self, ids: np.ndarray, parents: np.ndarray) -> None:
        """Record ``parents`` (-1: a top) for ``ids``.

        ``ids`` are ascending, following every id already attached.

        A parent is either attached already or earlier in ``ids`` (a recruit placed under a
        recruit of the same month).
        """
        if ids.size == 0:
            return
        self.attached = int(ids[-1]) + 1
        self.parent[ids] = parents
        self.up[ids] = np.where(parents < 0, self.capacity, parents)
        if parents.max() < ids[0]:  # every parent attached before: one generation
            self.depth[ids] = np.where(parents < 0, 0, self.depth[np.maximum(parents, 0)] + 1)
            if self.keep_levels:
                self._add_to_levels(ids)
            return
        # Generations within the batch: 0 = parent attached before, g = parent in g - 1.
        k = np.minimum(np.searchsorted(ids, parents), ids.size - 1)
        batch_index = np.where(ids[k] == parents, k, -1)
        gen = np.zeros(ids.size, dtype=np.int64)
        inside = batch_index >= 0
        while True:
            g = np.where(inside, gen[np.maximum(batch_index, 0)] + 1, 0)
            if np.array_equal(g, gen):
                break
            gen = g
        for g in range(int(gen.max()) + 1):  # depths, a generation after the other
            here = ids[gen == g]
            p = self.parent[here]
            self.depth[here] = np.where(p < 0, 0, self.depth[np.maximum(p, 0)] + 1)
        if self.keep_levels:
            self._add_to_levels(ids)

    def _add_to_levels(self, ids: np.ndarray) -> None:
        depth = self.depth[ids]
        # Ascending ids within each depth; a stable sort of 16-bit keys is a radix sort (the
        # same order, faster), which depths below 2**16 allow.
        keys = depth.astype(np.uint16) if int(depth.max()) < 2**16 else depth
        by_depth = np.argsort(keys, kind="stable")
        ids, depth = ids[by_depth], depth[by_depth]
        ups = self.up[ids]
        bounds = (np.flatnonzero(depth[1:] != depth[:-1]) + 1).tolist()
        starts = [0, *bounds]
        for d, lo, hi in zip(depth[starts].tolist(), starts, [*bounds, ids.size], strict=True):
            new = ids[lo:hi]
            if d == len(self._filled):
                self._level_ids.append(np.empty(max(1024, new.size), dtype=np.int64))
                self._level_ups.append(np.empty(max(1024, new.size), dtype=np.int64))
                self._filled.append(0)
            used, end = self._filled[d], self._filled[d] + new.size
            if end > self._level_ids[d].size:  # double the buffers
                room = max(end, 2 * self._level_ids[d].size)
                for buffers in (self._level_ids, self._level_ups):
                    grown = np.empty(room, dtype=np.int64)
                    grown[:used] = buffers[d][:used]
                    buffers[d] = grown
            self._level_ids[d][used:end] = new
            self._level_ups[d][used:end] = ups[lo:hi]
            self._filled[d] = end

    def prune(self, alive: np.ndarray) -> None:
        """Keep in the levels only the ids where ``alive`` (over ids) holds.

        This is done only when that drops at least a fifth of them.

        For the sponsor tree, with ``alive``: someone in the subtree is active. Nobody who
        quit comes back or gains a recruit, so a subtree with nobody active stays so: its
        totals are zero and nobody active has an upline in it, for ever after. Dropping
        those (mostly the many who quit without recruiting) keeps the roll-ups and the
        top-down passes to the part of the tree that can still matter.
        """
        if np.count_nonzero(alive) > PRUNE_AT * self.held:
            return
        for d, filled in enumerate(self._filled):
            ids = self._level_ids[d][:filled]
            keep = alive[ids]
            kept = int(np.count_nonzero(keep))
            ups = self._level_ups[d][:filled][keep]
            self._level_ids[d][:kept] = ids[keep]
            self._level_ups[d][:kept] = ups
            self._filled[d] = kept

    def roll_up(self, *totals: np.ndarray) -> None:
        """Turn each array of per-participant values (indexed by id) into subtree totals, in place.

        Deepest level first, each participant's total is added to its parent's. One array after
        the other: a whole roll-up of one array keeps to its own memory (levels in the inner loop,
        several arrays at each level, thrash the cache).
        """
        levels = [(self._level_ids[d][: self._filled[d]], self._level_ups[d][: self._filled[d]])
                  for d in range(len(self._filled) - 1, 0, -1)]
        for values in totals:
            for ids, ups in levels:
                np.add.at(values, ups, values[ids])


class Carry:
    """Binary carry-over: the volume (leg, source) each participant carries into the next month.

    It is kept side by side for those who carry any, in id order (so a month reads and replaces it
    in two passes, without touching a row per participant ever joined).
    """

    def __init__(self) -> None:
        """Start with nobody carrying anything."""
        self.ids = np.zeros(0, dtype=np.int64)  # ascending
        self.volume = np.zeros((2, 3, 0))  # (leg, source, participant)

    def of(self, ids: np.ndarray) -> np.ndarray:
        """(leg, source, participant) volume carried by ``ids`` (ascending).

        0 for those who carry none.
        """
        if self.ids.size == 0:
            return np.zeros((2, 3, ids.size))
        at = np.minimum(np.searchsorted(self.ids, ids), self.ids.size - 1)
        out = np.take(self.volume, at, axis=2)
        out[:, :, self.ids[at] != ids] = 0.0
        return out

    def keep(self, ids: np.ndarray, volume: np.ndarray) -> None:
        """From now on ``ids`` (ascending) carry ``volume`` (leg, source, participant).

        Nobody else carries anything.
        """
        self.ids, self.volume = ids, volume


def needs_first_orders(params: Params) -> bool:
    """Whether a bonus is paid only on recruits whose enrollment order reached a volume."""
    return any(c.min_recruit_order_volume > 0 for c in params.components.values())


def pays_one_time(params: Params) -> bool:
    """Whether the plan pays a rank's one-time bonuses (by its ``rank_bonus`` component)."""
    return "rank_bonus" in params.components and any(r.one_time for r in params.ranks)


def needed_rank(params: Params, c: Component) -> int:
    """The index of the rank a bonus ``requires_rank`` (held that month, or a later one).

    NO_RANK (every rank index reaches it) when it needs none.
    """
    if c.requires_rank is None:
        return NO_RANK
    return [r.name for r in params.ranks].index(c.requires_rank)


def ordered_enough(first_order: np.ndarray | None, ids: np.ndarray, c: Component) -> np.ndarray:
    """Which of the recruits ``ids`` placed an enrollment order reaching ``c``'s minimum.

    The minimum is ``min_recruit_order_volume``; without one, all of them.
    """
    if c.min_recruit_order_volume <= 0 or first_order is None:
        return np.ones(ids.size, dtype=bool)
    return np.asarray(reaches(first_order[ids], c.min_recruit_order_volume), dtype=bool)


class RankHistory:
    """What ranks remember from month to month (schema v1.1), over participant ids.

    ``streak[r]``: the months in a row, up to last month, in which the participant met rank
    ``r``'s monthly requirements; ``lifetime``: their personal volume since joining, up to last
    month; ``last[r]``: the last month they qualified for rank ``r`` or a higher one (0: never).
    Both engines read and write it, each deciding the rules itself (in
    :mod:`evaluator.simulation.reference`); only plans that use the rules keep one.
    """

    def __init__(self, capacity: int, ranks: int) -> None:
        """Nothing remembered yet, for ``capacity`` ids and ``ranks`` ranks."""
        self.streak = np.zeros((ranks, capacity), dtype=np.int32)
        self.lifetime = np.zeros(capacity)
        self.last = np.zeros((ranks, capacity), dtype=np.int32)


def _forced(tree: Tree, component: Component) -> Tree:
    """``tree`` set to spill over as ``component``'s ``placement`` says."""
    tree.first_open = component.placement == "first_open"
    return tree


@dataclass
class Network:
    """The trees of one run: sponsor (who enrolled whom), matrix and binary placement."""

    sponsor: Tree
    matrix: Tree | None
    binary: Tree | None
    carry: Carry | None  # binary carry-over volume
    # Schema v1.1, kept only for plans that use them (see :func:`needs_first_orders`): each
    # participant's enrollment order (own-purchase and kit volume in their join month), and
    # the highest rank whose one-time bonuses they have been paid (NO_RANK: none yet).
    first_order: np.ndarray | None = None
    bonus_rank: np.ndarray | None = None
    history: RankHistory | None = None  # ranks over time (schema v1.1), when the plan has them

    @classmethod
    def empty(cls, params: Params) -> Network:
        """Trees for the plan's components, sized for the simulated market."""
        cap = params.capacity
        matrix = params.components.get("matrix")
        binary = params.components.get("binary")
        return cls(
            sponsor=Tree(cap, keep_levels=True),
            matrix=(  # the matrix needs no subtree totals, so no levels
                _forced(Tree(cap, int(matrix.width or 2)), matrix)
                if matrix is not None else None
            ),
            binary=(_forced(Tree(cap, 2, keep_levels=True), binary)
                    if binary is not None else None),
            carry=Carry() if binary else None,
            first_order=np.zeros(cap) if needs_first_orders(params) else None,
            bonus_rank=(np.full(cap, NO_RANK, dtype=np.int64) if pays_one_time(params)
                        else None),
            history=(RankHistory(cap, len(params.ranks)) if params.ranks_over_time else None),
        )

    def record_first_orders(self, m: Month, order: np.ndarray) -> None:
        """Keep the enrollment order of month ``m``'s recruits, ``order`` per active."""
        if self.first_order is not None and m.new.size:
            self.first_order[m.new] = order[np.searchsorted(m.act, m.new)]

    def forced_trees(self) -> Iterable[Tree]:
        """The placement trees in use: binary first, then matrix.

        Binary comes first because more of a month waits on it: its counts and legs.
        """
        return [t for t in (self.binary, self.matrix) if t is not None]


@dataclass
class Month:
    """One month's inputs to the payouts.

    Per-participant figures are for the active only, aligned with ``act`` (their ids,
    ascending): nobody else buys, sells or earns. ``sentinel`` is the index one past every
    participant (the trees' top); masks over ids have that extra, always-False element.
    """

    t: int
    n: int
    sentinel: int
    act: np.ndarray  # ids of the active
    new: np.ndarray  # ids that joined this month (all active)
    join: np.ndarray  # join month of every participant (indexed by id)
    customers: np.ndarray  # int, per active
    vc: np.ndarray  # customer-sales volume, per active
    vo: np.ndarray  # own-purchase volume, per active
    vk: np.ndarray  # starter kit / package volume, per active
    pv: np.ndarray  # personal volume for qualification and ranks, per active
    qualified: np.ndarray  # bool, per active
    units: np.ndarray  # products bought to qualify, per active (their volume is in vo)
    kind: np.ndarray | None = None  # kind code per active (None: all builders)
    package: np.ndarray | None = None  # package index per active (None: the plan has none)
    # (customer, own-purchase, kit) point volume per active, when it differs from ``vc``,
    # ``vo``, ``vk`` (business volume, schema v1.1); None: the same.
    points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    # Preferred customers per active (schema v1.1 compensation.preferred_customers); None: the
    # plan has no program. Their orders are in ``vc`` (and ``points``) when the plan counts
    # them as the participant's volume (``Preferred.counted``), else in no volume.
    preferred: np.ndarray | None = None

    def personal_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(customer, own-purchase, kit) point volume per active: what qualification counts."""
        return self.points if self.points is not None else (self.vc, self.vo, self.vk)
    # What qualifying paid each active the last month they were qualified (NaN: never yet);
    # set by the month loop before buying to qualify (None: nobody's expectation is known).
    expect: np.ndarray | None = None

    def kinds(self) -> np.ndarray:
        """Kind code per active (all builders when the month has none)."""
        if self.kind is None:
            return np.full(self.act.size, BUILDER, dtype=np.int8)
        return self.kind

    def mask(self, per_active: np.ndarray | None = None) -> np.ndarray:
        """Over ids (and the sentinel): True for the active (where ``per_active`` holds)."""
        out = np.zeros(self.sentinel + 1, dtype=bool)
        out[self.act if per_active is None else self.act[per_active]] = True
        return out

    def spread(self, per_active: np.ndarray, fill: float = 0) -> np.ndarray:
        """A per-active array as one value per participant id 0..n-1 (``fill`` elsewhere)."""
        out = np.full(self.n, fill, dtype=per_active.dtype)
        out[self.act] = per_active
        return out


@dataclass
class MonthPay:
    """One month's payouts before the payout cap, as an engine computes them."""

    pay: dict[str, np.ndarray]  # component type -> pay per active participant
    sources: dict[str, np.ndarray]  # component type -> (customer, own, enrollment) totals
    breakage: dict[str, float]
    rank: np.ndarray  # paid-as rank per active participant, -1 for none
    # Per active: the share of the wholesale price of their own purchases they do not pay, by
    # the discount of their rank (schema v1.1; negative when it is less than the products'
    # own); None when no rank sets a discount.
    saving: np.ndarray | None = None
    title: np.ndarray | None = None  # the rank held as a title, when ranks are kept (v1.1)


class Engine(Protocol):
    """What an engine decides on its own.

    See the module docstring for what it shares. Forced-tree placement (:meth:`place`,
    :meth:`grow`), qualification (:meth:`qualify`), buying to qualify (:meth:`top_up`) and a month's
    payouts (:meth:`pay`).
    """

    name: str
    threads: int  # threads a big month's independent work may use (1: none side by side)
    passed_up: int  # set by top_up: those short of the target who did not buy, as not worth it
    # Set by top_up: per active, how many of the products bought are worth their use to the
    # buyer (None: all of them); fewer for those who buy for a discount alone.
    used: np.ndarray | None

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Place ``recruits`` (ascending ids) in a forced tree under their ``sponsors``."""

    def grow(self, net: Network, recruits: np.ndarray, sponsors: np.ndarray,
             act: np.ndarray) -> None:
        """The month's ``recruits`` join the sponsor tree under their ``sponsors``.

        They are placed in every forced tree (as :func:`grow_one_by_one` does). An engine may finish
        a forced tree's placement in the background, by the time :meth:`pay` reads it, in a month
        big enough for that to pay (``act``: the month's active ids, recruits included), and get
        ready for the month.
        """

    def qualify(self, params: Params, customers: np.ndarray, vc: np.ndarray, vo: np.ndarray,
                vk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Personal volume and whether each active participant qualifies for downline pay.

        Both are for this month, per active, from their customers and their customer, own-purchase
        and kit volumes (the rules are in :mod:`evaluator.simulation.reference`). It keeps no state:
        the month loop may call it on another thread while :meth:`grow` runs.
        """

    def top_up(self, params: Params, net: Network, month: Month) -> np.ndarray:
        """Products each active participant buys to qualify this month, per active.

        See the module docstring.
        """

    def pay(self, params: Params, net: Network, month: Month) -> MonthPay:
        """Payouts through every component of the plan for one month."""

    def stay_customers(self, params: Params, net: Network, gone: np.ndarray,
                       active: np.ndarray) -> np.ndarray:
        """Who gains a returning customer from the month's quitters ``gone`` (ascending ids).

        One id per quitter who stays a customer, their sponsor's (repeated for each such
        quitter), and only sponsors still ``active`` (over ids, after the month's churn); see
        the module docstring.
        """


def grow_one_by_one(engine: Engine, net: Network, recruits: np.ndarray,
                    sponsors: np.ndarray) -> None:
    """Attach ``recruits`` to the sponsor tree, then place them in each forced tree."""
    net.sponsor.attach(recruits, sponsors)
    for tree in net.forced_trees():
        engine.place(tree, recruits, sponsors)


def new_breakage(params: Params | None = None) -> dict[str, float]:
    """Breakage by cause for an engine to fill (the payout cap's is added by :func:`settle`).

    With ``params`` of a plan with a retail-share gate, its cause (:data:`GATE_CAUSE`) too.
    """
    out = dict.fromkeys((c for c in BREAKAGE_CAUSES if c != "payout_cap"), 0.0)
    if params is not None and params.customer_share is not None:
        out[GATE_CAUSE] = 0.0
    return out


def discount_months(rules: RankRules, churn: float, horizon: int) -> float:
    """Months the discount of a rank reached by buying to qualify is worth to the buyer.

    The pay check of buying to qualify (schema v1.1 ``compensation.ranks[].discount``) counts
    the discount for the months the rank lasts once reached. 1 when the paid-as rank is decided
    each month (``rank_rules.pin`` "none" or "title", which pays the month's rank): the
    discount is that month's. With ``pin`` "pay" the rank reached is kept as the paid-as rank
    for as long as the participant stays, 1 / ``monthly_churn`` months on average at the base
    churn, and at most ``requalify_months`` when given and at most the horizon: the least of
    the three, and at least 1.
    """
    if rules.pin != "pay":
        return 1.0
    months = float(horizon)
    if rules.requalify_months is not None:
        months = min(months, float(rules.requalify_months))
    if churn > 0:
        months = min(months, 1 / churn)
    return max(1.0, months)


def pays_off(expected: float, net_cost: float) -> bool:
    """Whether a purchase that costs ``net_cost`` is worth what qualifying is ``expected`` to pay.

    ``expected`` NaN (never qualified yet) is taken as worth it; otherwise it must exceed the
    cost by more than the tie tolerance of :func:`reaches`, so both engines decide ties alike.
    """
    return math.isnan(expected) or not reaches(net_cost, expected)


def reaches(value: np.ndarray | float, threshold: np.ndarray | float) -> np.ndarray | bool:
    """``value >= threshold``, forgiving last-digit differences (relative 1e-9).

    The differences are those of adding the same volumes in another order; forgiving them, both
    engines decide ties alike.
    """
    if isinstance(threshold, np.ndarray):
        return value >= threshold - 1e-9 * np.maximum(1.0, np.abs(threshold))
    return value >= threshold - 1e-9 * max(1.0, abs(threshold))


def whole_cycles(volume: np.ndarray | float, size: float) -> np.ndarray | float:
    """Whole binary cycles of ``size`` in ``volume``, forgiving last digits as :func:`reaches` does.

    So 0.3 of volume holds 3 cycles of 0.1 in both engines, whatever order its parts were added in.
    """
    return np.floor(volume / size + 1e-9)


def draw_recruiting(rng: np.random.Generator, recruiters: int) -> np.ndarray:
    """The month's first draw: one uniform per participant active at the start of it."""
    return rng.random(recruiters)


def draw_month(rng: np.random.Generator, active: int, returning: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The month's second draw, per active participant.

    Customer normal, customer and churn uniforms, always in this order, then (only with
    ``returning`` customers) a uniform that rounds how many of last month's customers return.
    """
    z = rng.standard_normal(active)
    u = rng.random((3 if returning else 2, active))
    return z, u[0], u[1], (u[2] if returning else None)


@dataclass
class RunData:
    """Per-participant results and monthly totals of one run (simulated units)."""

    params: Params
    n: int
    join: np.ndarray
    left: np.ndarray  # month quit, horizon + 1 when still active at the end
    months_active: np.ndarray
    pay: np.ndarray
    pay_from_company: np.ndarray  # the part of ``pay`` the company paid (no retail margin)
    cost: np.ndarray  # product used counted at its worth (the verdict's reading)
    use_credit: np.ndarray  # that worth: cost + use_credit counts every purchase as a loss
    kind: np.ndarray  # kind code (MEMBER, SELLER, BUILDER)
    package: np.ndarray  # package index (-1 for all when the plan has none)
    customers_last: np.ndarray  # customers in one's last active month (the horizon's if active)
    customers_served: np.ndarray  # customer-months served over one's tenure
    purchases: dict[str, float]  # money participants spent on product, by why (PURCHASES)
    customer_sales: float  # what outside customers' orders brought the company
    top_ups: tuple[int, float]  # participant-months that bought to qualify, and the money
    own_volume: tuple[float, float]  # own-purchase volume: demand-driven, required/incentivised
    recruits: np.ndarray
    rank: np.ndarray
    best_rank: np.ndarray  # the highest paid-as rank held in any month (NO_RANK: none)
    pay_by_component: dict[str, float]
    pay_sources: np.ndarray  # (customer, own, enrollment) totals
    breakage: dict[str, float]
    company_pay: float
    company_sales: float
    timeline_ever: list[int] = field(default_factory=list)
    timeline_active: list[int] = field(default_factory=list)
    # The matching bonus's (customer, own, enrollment) totals; None without one.
    matching_sources: np.ndarray | None = None
    top_ups_passed: int = 0  # participant-months short of the target who did not buy (not worth it)
    top_ups_by_kind: tuple[tuple[int, float], ...] = ((0, 0.0), (0, 0.0), (0, 0.0))  # per kind code


def month_inputs(
    params: Params,
    engine: Engine,
    t: int,
    n: int,
    act: np.ndarray,
    new: np.ndarray,
    join: np.ndarray,
    customers: np.ndarray,
    units: np.ndarray | None = None,
    before: Month | None = None,
    kind: np.ndarray | None = None,
    package: np.ndarray | None = None,
    preferred: np.ndarray | None = None,
) -> Month:
    """A month's volumes, with the personal volume and qualification the ``engine`` decides.

    They come from who is active (``act``), who is new, how many customers each active participant
    has and how many products each bought to qualify (``units``; none when omitted); the engine
    decides from them with :meth:`Engine.qualify`. See the module docstring. ``before``: the same
    month before buying to qualify, whose customer and kit volumes are reused. ``kind``: each
    participant's kind code, over ids (omitted: all builders); own-use products add to own-purchase
    volume. ``package``: each participant's package index, over ids (omitted: the plan has none);
    a recruit's package adds its volume to their kit volume in the month they join.
    ``preferred``: preferred customers per active (schema v1.1; omitted: none, or with
    ``before`` its own).
    """
    if units is None:
        units = np.zeros(act.size, dtype=np.int64)
    kind_act = None if kind is None else kind[act]
    vo = params.own_volume + units * params.unit_volume
    use = own_use_products(params, kind_act)
    if use is not None:
        vo = vo + use * params.unit_volume
    if before is not None:
        vc, vk = before.personal_parts()[0], before.vk
        preferred = before.preferred
    else:
        vc = customers * params.order_volume
        if counted_preferred(params, preferred):
            vc = vc + preferred * params.preferred.volume
        kit = params.kit_volume
        if params.packages is not None and package is not None and new.size:
            kit = kit + np.take(np.asarray(params.packages.volume), package[act])
        vk = (np.where(join[act] == t, kit, 0.0) if new.size
              else np.zeros(act.size))
    package_act = None if package is None or params.packages is None else package[act]
    pv, qualified = engine.qualify(params, customers, vc, vo, vk)
    points = None
    if params.business is not None:  # commissions on business volume, the same purchases
        points = (vc, vo, vk)
        order_bv, own_bv, unit_bv = params.business
        vc = customers * order_bv
        if counted_preferred(params, preferred):
            vc = vc + preferred * params.preferred.business
        vo = own_bv + units * unit_bv
        if use is not None:
            vo = vo + use * unit_bv
    return Month(t, n, params.capacity, act, new, join, customers, vc, vo, vk, pv, qualified,
                 units, kind_act, package_act, points, preferred)


def counted_preferred(params: Params, preferred: np.ndarray | None) -> bool:
    """Whether preferred customers' orders count as their participant's volume this month."""
    return preferred is not None and params.preferred is not None and params.preferred.counted


def preferred_volume(params: Params, month: Month) -> float:
    """The month's preferred-customer business volume left out of every participant's volume.

    Schema v1.1: commissionable volume for the payout cap (0 without a program, or when the plan
    counts the orders as participants' volume: then they are in ``Month.vc`` already).
    """
    if (month.preferred is None or params.preferred is None
            or counted_preferred(params, month.preferred)):
        return 0.0
    return float(month.preferred.sum()) * params.preferred.business


def count_volumes(params: Params, counts: np.ndarray, points: bool = False) -> np.ndarray:
    """(customer, own-purchase, kit) volume of groups of participants from their counts.

    Rows: customers, active, new, products bought to qualify[, active members, active sellers when
    the kinds are mixed][, new recruits who bought each package, when a package carries volume
    (:attr:`Packages.counted`)][, preferred customers, when their orders count as volume (schema
    v1.1)]; shape (3, columns). Own-use products are each kind's count x that
    kind's products a month. Both engines turn a subtree's counts into its volume with this, so
    their sums agree to the last digit. Business volume (what commissions are paid on), or with
    ``points`` the point volume qualification and ranks count (the same without schema v1.1
    ``products[].business_volume``).
    """
    order_volume, own_volume, unit_volume = (
        (params.order_volume, params.own_volume, params.unit_volume)
        if points or params.business is None else params.business)
    # Each row built in place, adding its terms in the order written (the same sums); each
    # term is worked out in one of two working rows (``term``, ``other``), not a fresh array.
    size = counts.shape[1]
    out = np.empty((3, size))
    customer, own, kit = out
    term, other = np.empty((2, size))
    np.multiply(counts[1], own_volume, out=own)
    own += np.multiply(counts[3], unit_volume, out=term)
    use = params.kinds.own_products
    bought = params.packages
    packages = bought.counted if bought is not None else 0
    np.multiply(counts[2], params.kit_volume, out=kit)
    np.multiply(counts[0], order_volume, out=customer)
    rows = counts.shape[0]
    program = params.preferred
    if program is not None and program.counted:  # the last row: preferred customers
        rows -= 1
        customer += np.multiply(counts[rows], (
            program.volume if points or params.business is None else program.business),
            out=term)
    if bought is not None and packages:
        first = rows - packages
        for p, volume in enumerate(bought.volume):
            kit += np.multiply(counts[first + p], volume, out=term)
    if rows - packages > 4:
        builders = np.subtract(counts[1], counts[4])
        builders -= counts[5]
        # (members x their use + sellers x theirs + builders x theirs) x unit volume
        np.multiply(counts[4], use[MEMBER], out=term)
        term += np.multiply(counts[5], use[SELLER], out=other)
        term += np.multiply(builders, use[BUILDER], out=other)
        term *= unit_volume
        own += term
    elif use[BUILDER]:
        np.multiply(counts[1], use[BUILDER], out=term)
        term *= unit_volume
        own += term
    return out


def own_use_products(params: Params, kind_act: np.ndarray | None) -> np.ndarray | None:
    """Demand-driven products each active participant buys this month by kind, per active.

    The mean, possibly fractional; None when nobody buys any.
    """
    own = params.kinds.own_products
    if not any(own):
        return None
    if kind_act is None:  # all builders
        return np.full(1, own[BUILDER]) if own[BUILDER] else None
    return np.take(np.asarray(own), kind_act)


def draw_kinds(rng: np.random.Generator, recruits: int) -> np.ndarray:
    """One uniform per recruit, which :meth:`Kinds.of` turns into their kind.

    Drawn between the month's two draws, only when the kinds are mixed.
    """
    return rng.random(recruits)


def _draw_inputs(params: Params, engine: Engine, rng: np.random.Generator, t: int, n: int,
                 act: np.ndarray, new: np.ndarray, join: np.ndarray, kind: np.ndarray,
                 package: np.ndarray, book: np.ndarray,
                 preferred_book: np.ndarray, former: int = 0) -> tuple[Month, np.ndarray]:
    """The month's draws, its inputs before buying to qualify, and the churn uniforms.

    The draws are those of :func:`draw_month`, then, with a preferred-customer program, those
    of :func:`draw_preferred`; ``book`` and ``preferred_book``: each participant's customers and
    preferred customers last month (over ids), of whom some return (:func:`customer_counts`);
    ``former``: those who quit and stayed customers, so far.
    """
    returning = params.customer_retention > 0
    z, u_customers, u_churn, u_kept = draw_month(rng, act.size, returning)
    kind_act = kind[act] if params.kinds.mixed else None
    customers = customer_counts(params, n, z, u_customers, kind_act,
                                (book[act], u_kept) if returning else None, former)
    preferred = None
    program = params.preferred
    if program is not None:
        z, u_new, u_back = draw_preferred(rng, act.size, program.retention > 0)
        preferred = customer_counts(
            params, n, z, u_new, kind_act,
            (preferred_book[act], u_back) if u_back is not None else None, former,
            book=(program.mean, program.retention, int(customers.sum())))
    return month_inputs(params, engine, t, n, act, new, join, customers, kind=kind,
                        package=package, preferred=preferred), u_churn


def draw_preferred(rng: np.random.Generator, active: int, returning: bool
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The month's preferred-customer draw (schema v1.1), after :func:`draw_month`.

    Per active participant: a normal and a uniform for new preferred customers, then (only with
    ``returning`` ones) a uniform that rounds how many of last month's return. Only a plan with a
    preferred-customer program draws it, so every other plan's draws are unchanged.
    """
    z = rng.standard_normal(active)
    u = rng.random((2 if returning else 1, active))
    return z, u[0], (u[1] if returning else None)


def customer_counts(params: Params, n: int, z: np.ndarray, u: np.ndarray,
                    kind_act: np.ndarray | None = None,
                    kept: tuple[np.ndarray, np.ndarray] | None = None,
                    former: int = 0,
                    book: tuple[float, float, int] | None = None) -> np.ndarray:
    """The month's customers per active participant from their ``z`` and ``u`` draws.

    ``z`` is the normal draw and ``u`` the uniform; the mean is scaled by each one's kind
    (``kind_act``; None: all builders). With returning customers (``kept``: last month's
    customers per active and a uniform each), ``floor(last x retention + uniform)`` of them
    return, and the new ones come at the mean x (1 - retention), so a book settles near the
    mean. New customers come from the people who never joined; the month's customers never
    exceed those people and the ``former`` participants who stayed customers, less those
    already customers this month. ``book``: another book's (mean, retention, people already
    customers this month), the preferred customers' (schema v1.1); omitted: the retail
    customers'.
    """
    mean_of, retention, taken = (
        (params.customers_mean, params.customer_retention, 0) if book is None else book)
    free = params.market - n
    cap = free + former - taken
    mean = mean_of * free / params.market
    if kind_act is not None:
        mean = mean * np.take(np.asarray(params.kinds.customer_factor), kind_act)
    if kept is not None:
        mean = mean * (1 - retention)
    s = params.customer_skew
    x = mean * np.exp(s * z - s * s / 2)
    c = np.floor(x + u).astype(np.int64)
    if kept is not None:
        last, u_kept = kept
        c += np.floor(last * retention + u_kept).astype(np.int64)
    total = int(c.sum())
    if total > cap:
        c = np.floor(c * (max(cap, 0) / total)).astype(np.int64)
    return c


def _stay_customers(params: Params, engine: Engine, net: Network, gone: np.ndarray,
                    active: np.ndarray, book: np.ndarray) -> int:
    """Those of the month's quitters who stay customers join their sponsor's book.

    The engine decides who (:meth:`Engine.stay_customers`); each adds one customer to the
    sponsor's last month, so they return next month like any customer in the book. Returns
    how many stayed.
    """
    to = engine.stay_customers(params, net, gone, active)
    np.add.at(book, to, book.dtype.type(1))  # (a Python 1 makes ufunc.at slower)
    return int(to.size)


@dataclass
class Settled:
    """One month's pay after the payout cap.

    Company-wide totals, and each participant's amounts (:meth:`amounts`).
    """

    month: MonthPay
    factor: float  # the payout cap's scaling of the company's pay (1: not reached)
    by_component: dict[str, float]
    sources: np.ndarray  # (customer, own, enrollment)
    breakage: dict[str, float]
    company: float  # pay the company pays (all but retail margin)

    def amounts(self, part: slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Pay, and the part of it the company pays, of the active participants in ``part``.

        The company pays all but retail margin; each amount is rounded to a millionth of the
        currency.

        Element by element, so any parts give the same amounts as the whole.
        """
        company = np.zeros(self.month.rank[part].size)
        for k, arr in self.month.pay.items():
            if k != "retail_margin":
                company += arr[part]
        if self.factor != 1.0:
            company *= self.factor
        total = company
        if "retail_margin" in self.month.pay:
            total = company + self.month.pay["retail_margin"][part]
        return round_pay(total), round_pay(company)


def settle(params: Params, mp: MonthPay, volume: float) -> Settled:
    """Apply the payout cap.

    Each participant's month is rounded to a millionth of the currency (:meth:`Settled.amounts`).

    When the company's pay (everything but retail margin, which the company does not pay)
    exceeds ``payout_cap_fraction`` x the month's commissionable volume, all of it is scaled
    down to the cap and the difference is breakage. The two engines add the same amounts in
    different orders, so their sums can differ in the last binary digit; rounding each
    participant's month (far below a cent, far above that noise) makes them agree exactly on
    every participant's pay, and so on every later decision (churn) that depends on it.
    Company-wide totals are not rounded.
    """
    sums = {k: float(arr.sum()) for k, arr in mp.pay.items()}
    company = sum(v for k, v in sums.items() if k != "retail_margin")
    factor = 1.0
    breakage = dict(mp.breakage)
    if params.payout_cap_fraction is not None:
        limit = params.payout_cap_fraction * volume
        if company > limit:
            factor = limit / company
            breakage["payout_cap"] = company - limit
    sources = np.zeros(3)
    for k, src in mp.sources.items():
        sources += src * (1.0 if k == "retail_margin" else factor)
    return Settled(
        month=mp,
        factor=factor,
        by_component={
            k: v * (1.0 if k == "retail_margin" else factor) for k, v in sums.items()
        },
        sources=sources,
        breakage=breakage,
        company=company * factor,
    )


def _month_end(params: Params, settled: Settled, act: np.ndarray, u_churn: np.ndarray,
               totals: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
               kind: np.ndarray, quits: np.ndarray, saved: np.ndarray | None,
               part: slice) -> None:
    """The month's pay, costs and product used, and who quits, for the active in ``part``.

    Pay, costs and use are added to the (pay, pay from the company, cost, use credit) ``totals``
    (over ids); who quits goes into ``quits``. ``saved``: per active, money the rank discount
    took off their own purchases (None: no discount).
    """
    pay, from_company, cost, credit = totals
    got, company = settled.amounts(part)
    ids = act[part]
    np.add.at(pay, ids, got)  # (faster than += on an index array)
    np.add.at(from_company, ids, company)
    if saved is not None:  # own purchases at a rank's discount
        np.subtract.at(cost, ids, saved[part])
    k = params.kinds
    if k.mixed:
        kinds = kind[ids]
        np.add.at(cost, ids, np.take(np.asarray(k.monthly), kinds))
        np.add.at(credit, ids, np.take(np.asarray(k.use_credit), kinds))
    else:
        # (numpy scalars: ufunc.at is slower with a Python number)
        np.add.at(cost, ids, np.float64(k.monthly[BUILDER]))
        np.add.at(credit, ids, np.float64(k.use_credit[BUILDER]))
    losing = pay[ids] < cost[ids]
    np.less(u_churn[part], params.churn + params.loss_churn_boost * losing, out=quits[part])


def discount_savings(params: Params, month: Month, saving: np.ndarray,
                     use: np.ndarray | None, purchases: dict[str, float]) -> np.ndarray:
    """Money each active participant's rank discount takes off their own purchases this month.

    ``saving`` (per active, from the engine) is the share of the wholesale price they do not
    pay; it applies to the required purchase and ``extra_own_purchase``, products bought to
    qualify and own-use products (``use``, per active or one for all), not to kits or packages
    (bought on joining). ``purchases`` is lowered by the same money, by why it was bought.
    """
    units = month.units * params.unit_money
    used = (np.zeros(1) if use is None else use) * params.unit_money
    required = params.own_money - params.extra_money
    saved = saving * (params.own_money + units + used)
    purchases["required"] -= float((saving * required).sum())
    purchases["incentivised"] -= float((saving * (params.extra_money + units)).sum())
    purchases["demand_driven"] -= float((saving * used).sum())
    return saved
def _tally_top_ups(params: Params, kinds: np.ndarray, units: np.ndarray,
                   by_kind: list[list[float]], credit: np.ndarray, ids: np.ndarray,
                   used: np.ndarray | None = None) -> None:
    """Count the month's purchases to qualify by kind and credit the product's worth to its buyers.

    ``kinds``, ``units`` (products bought), ``ids`` and ``used`` (how many of them are worth
    their use to the buyer; None: all) are per buyer; the worth of a product to a buyer is
    their kind's ``unit_worth``.
    """
    bought = units * params.unit_money
    for k in range(3):
        mine = kinds == k
        if mine.any():
            by_kind[k][0] += int(mine.sum())
            by_kind[k][1] += float(bought[mine].sum())
    if params.top_up_pay_check:  # else worth nothing to them, as in engine 0.3.0
        worth = np.take(np.asarray(params.kinds.unit_worth), kinds)
        np.add.at(credit, ids, (units if used is None else used) * worth)


def _learn(settled: Settled, month: Month, earned: np.ndarray) -> None:
    """Keep, for each qualified participant, what qualifying paid them this month.

    That is their pay from every component but those that need no qualification
    (``UNQUALIFIED_PAY``: retail margin, the commissions on one's own retail and preferred
    customers, a return on one's position), after the payout cap, rounded to a millionth (as
    :meth:`Settled.amounts`) so both engines keep the same figure.
    """
    got = np.zeros(month.act.size)
    for kind, paid in settled.month.pay.items():
        if kind not in UNQUALIFIED_PAY:
            got += paid
    got *= settled.factor
    earned[month.act[month.qualified]] = round_pay(got[month.qualified])


def _package_money(packages: Packages, chosen: np.ndarray) -> float:
    """What the joiners who chose ``chosen`` (package indices) paid for their packages."""
    return float(np.take(np.asarray(packages.money), chosen).sum())


def _buy_packages(packages: Packages, ids: np.ndarray, package: np.ndarray, cost: np.ndarray,
                  purchases: dict[str, float]) -> None:
    """The joiners ``ids`` pay for their packages (over ids in ``package``).

    The price is a cost to each; in ``purchases`` the part bought to unlock a rank (above the
    cheapest package's price, :attr:`Packages.loaded`) is incentivised, the rest required.
    """
    chosen = package[ids]
    money = np.take(np.asarray(packages.money), chosen)
    loaded = float(np.take(np.asarray(packages.loaded), chosen).sum())
    cost[ids] += money
    purchases["required"] += float(money.sum()) - loaded
    purchases["incentivised"] += loaded


def run(params: Params, rng: np.random.Generator, engine: Engine) -> RunData:
    """Simulate one run of the network from founding to the horizon."""
    cap = params.capacity
    horizon = params.horizon
    net = Network.empty(params)
    join = np.zeros(cap, dtype=np.int64)
    left = np.full(cap, horizon + 1, dtype=np.int64)
    active = np.zeros(cap, dtype=bool)
    pay = np.zeros(cap)
    from_company = np.zeros(cap)
    cost = np.zeros(cap)
    credit = np.zeros(cap)  # worth of the product used, already out of ``cost``
    kind = np.full(cap, BUILDER, dtype=np.int8)
    package = np.full(cap, -1, dtype=np.int8)
    book = np.zeros(cap, dtype=np.int64)  # each one's customers in their last active month
    served = np.zeros(cap, dtype=np.int64)  # customer-months each one has served
    former = 0  # those who quit and stayed customers of their sponsor, ever
    preferred_book = np.zeros(cap, dtype=np.int64)  # the same of preferred customers (v1.1)
    kinds = params.kinds
    recruit_factor = np.asarray(kinds.recruit_factor)
    recruits = np.zeros(cap, dtype=np.int64)
    rank = np.full(cap, NO_RANK, dtype=np.int64)
    best_rank = np.full(cap, NO_RANK, dtype=np.int64)  # kept only when the plan has ranks
    purchases = dict.fromkeys(PURCHASES, 0.0)
    own_volume = [0.0, 0.0]  # own-purchase volume: demand-driven (own use), the rest
    by_component = dict.fromkeys(params.components, 0.0)
    if params.preferred is not None:
        by_component[PREFERRED] = 0.0
    sources = np.zeros(3)
    breakage = dict.fromkeys(BREAKAGE_CAUSES, 0.0)
    if params.customer_share is not None:
        breakage[GATE_CAUSE] = 0.0
    company_pay = company_sales = 0.0
    customer_sales = 0.0  # what customers' orders brought the company (in company_sales)
    top_up_months = 0  # participant-months that bought to qualify
    top_up_money = 0.0  # and what they spent on it
    passed_up = 0  # participant-months short of the target who did not buy: it did not pay
    top_ups_by_kind = [[0, 0.0], [0, 0.0], [0, 0.0]]  # the same, per kind code
    earned = np.full(cap, np.nan)  # pay needing qualification, the last month qualified
    matching = np.zeros(3) if "matching_bonus" in params.components else None

    n = params.initial
    founders = np.arange(n)
    tops = np.full(n, -1, dtype=np.int64)
    net.sponsor.attach(founders, tops)
    for tree in net.forced_trees():
        tree.attach(founders, tops)
    if kinds.mixed:  # founders are of every kind, like everyone after them
        kind[:n] = kinds.of(draw_kinds(rng, n))
    if params.packages is not None:  # and choose packages like everyone after them
        package[:n] = params.packages.of(draw_packages(rng, n), kind[:n])
    active[:n] = True
    cost[:n] = params.startup
    company_sales += n * params.kit_money
    purchases["required"] += n * params.kit_money
    if params.packages is not None:
        _buy_packages(params.packages, founders, package, cost, purchases)
        company_sales += _package_money(params.packages, package[founders])
    ever = [n]
    still = [n]

    for t in range(1, horizon + 1):
        # Recruitment by those active at the start of the month.
        recruiters = np.flatnonzero(active[:n])
        p = params.recruit_rate * (1 - n / params.market)
        if kinds.mixed:
            p = p * np.take(recruit_factor, kind[recruiters])
        counts = np.floor(p + draw_recruiting(rng, recruiters.size)).astype(np.int64)
        room = cap - n
        if counts.sum() > room:
            before = np.cumsum(counts) - counts
            counts = np.clip(room - before, 0, counts)
        sponsors = np.repeat(recruiters, counts)
        new = np.arange(n, n + sponsors.size)
        join[new] = t
        if kinds.mixed:
            kind[new] = kinds.of(draw_kinds(rng, new.size))
        if params.packages is not None:
            package[new] = params.packages.of(draw_packages(rng, new.size), kind[new])
        n += new.size
        act = np.concatenate((recruiters, new))  # ascending: recruits have the newest ids

        # Customers and purchases: in a big month drawn on another thread while the
        # recruits join the trees (nothing else touches the generator meanwhile).
        draws = partial(_draw_inputs, params, engine, rng, t, n, act, new, join, kind, package,
                        book, preferred_book, former)
        drawn = (sharing.pool(engine.threads).submit(draws)
                 if sharing.side_by_side(engine.threads, act.size) else None)
        engine.grow(net, new, sponsors, act)
        np.add.at(recruits, recruiters, counts)  # (faster than += on an index array)
        active[new] = True
        cost[new] += params.startup
        if params.packages is not None:
            _buy_packages(params.packages, new, package, cost, purchases)
        month, u_churn = draws() if drawn is None else drawn.result()
        customers = month.customers
        book[act] = customers
        served[act] += customers
        if month.preferred is not None:  # preferred customers are outside customers too
            preferred_book[act] = month.preferred
            served[act] += month.preferred
        if params.tops_up:
            if params.top_up_pay_check:
                month.expect = earned[act]
            units = engine.top_up(params, net, month)
            passed_up += engine.passed_up
            if units.any():
                month = month_inputs(params, engine, t, n, act, new, join, customers, units,
                                     month, kind, package)
                bought = units * params.unit_money
                buying = np.flatnonzero(units)
                cost[act[buying]] += bought[buying]
                company_sales += float(bought.sum())
                purchases["incentivised"] += float(bought.sum())
                top_up_months += int(buying.size)
                top_up_money += float(bought.sum())
                used = None if engine.used is None else engine.used[buying]
                _tally_top_ups(params, month.kinds()[buying], units[buying], top_ups_by_kind,
                               credit, act[buying], used)

        mp = engine.pay(params, net, month)
        if params.ranks:
            np.maximum.at(best_rank, act, mp.rank)
        settled = settle(params, mp, float(month.vc.sum() + month.vo.sum() + month.vk.sum())
                         + preferred_volume(params, month))
        if params.tops_up and params.top_up_pay_check:
            _learn(settled, month, earned)
        for ctype, amount in settled.by_component.items():
            by_component[ctype] += amount
        sources += settled.sources
        if matching is not None:
            matching += settled.month.sources["matching_bonus"] * settled.factor
        company_pay += settled.company
        for cause, amount in settled.breakage.items():
            breakage[cause] += amount
        month_customer_sales = int(customers.sum()) * params.order_money
        if month.preferred is not None:  # sales to non-participants at the preferred price
            month_customer_sales += int(month.preferred.sum()) * params.preferred.money
        customer_sales += month_customer_sales
        company_sales += (
            act.size * params.own_money
            + month_customer_sales
            + new.size * params.kit_money
        )
        if params.packages is not None:
            company_sales += _package_money(params.packages, package[new])
        purchases["required"] += (act.size * (params.own_money - params.extra_money)
                                  + new.size * params.kit_money)
        purchases["incentivised"] += act.size * params.extra_money
        use = own_use_products(params, month.kind)
        if use is not None:
            used = float(use.sum())
            company_sales += used * params.unit_money
            purchases["demand_driven"] += used * params.unit_money
            own_volume[0] += used * params.unit_volume
        # The rest counted apart, not as all own volume less own use: that difference can fall
        # a rounding below zero when nothing else is bought (a demand share above 1).
        own_volume[1] += (act.size * params.own_volume
                          + float(month.units.sum()) * params.unit_volume)
        saved = None
        if mp.saving is not None:  # own purchases at the discount of one's rank
            saved = discount_savings(params, month, mp.saving, use, purchases)
            company_sales -= float(saved.sum())

        # Costs and churn.
        # (Nothing is read again of those who quit, carry-over included: they never come
        # back, so it is lost with them.)
        quits = np.empty(act.size, dtype=bool)
        sharing.in_parts(engine.threads, act.size, partial(  # each id in one part
            _month_end, params, settled, act, u_churn, (pay, from_company, cost, credit), kind,
            quits, saved))
        gone = act[quits]
        active[gone] = False
        left[gone] = t
        if params.former_customer_share > 0 and params.customer_retention > 0:
            former += _stay_customers(params, engine, net, gone, active, book)
        ever.append(n)
        still.append(int(act.size - gone.size))
        if t == horizon:  # the ranks held at the end
            rank[act] = mp.rank if mp.title is None else mp.title
            rank[gone] = NO_RANK

    # Active from the join month (founders: the first) to the month quit or the horizon.
    months_active = np.minimum(left[:n], horizon) - np.maximum(join[:n], 1) + 1

    return RunData(
        params=params,
        n=n,
        join=join[:n].copy(),
        left=left[:n].copy(),
        months_active=months_active,
        pay=pay[:n].copy(),
        pay_from_company=from_company[:n].copy(),
        cost=cost[:n].copy(),
        use_credit=credit[:n].copy(),
        kind=kind[:n].copy(),
        package=package[:n].copy(),
        customers_last=book[:n] + preferred_book[:n],
        customers_served=served[:n].copy(),
        purchases=purchases,
        customer_sales=customer_sales,
        top_ups=(top_up_months, top_up_money),
        top_ups_passed=passed_up,
        top_ups_by_kind=tuple((int(c), float(m)) for c, m in top_ups_by_kind),
        own_volume=(own_volume[0], own_volume[1]),
        recruits=recruits[:n].copy(),
        rank=rank[:n].copy(),
        best_rank=best_rank[:n].copy(),
        pay_by_component=by_component,
        pay_sources=sources,
        breakage=breakage,
        company_pay=company_pay,
        company_sales=company_sales,
        timeline_ever=ever,
        timeline_active=still,
        matching_sources=matching,
    )
