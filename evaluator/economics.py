"""Closed-form economics of joining, from the plan and the assumptions alone (no randomness).

Definitions follow README.md's "Economics" section exactly. Every figure carries its
provenance: the plan fields and assumptions it used and the formula, so a report can say where
each number comes from. A division by zero means "never" and is ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from evaluator.assumptions import Assumptions
from evaluator.model import Component, Package, Plan

PAYBACK_CUSTOMERS = tuple(range(11))
PAYBACK_RECRUITS = tuple(range(6))
MAX_DEPTH_SHOWN = 40


def startup_cost(plan: Plan) -> float:
    """enrollment_fee + starter_kit + inventory_package (+ the expected package price).

    With enrollment packages the expectation is over the shares choosing each
    (:meth:`evaluator.model.Costs.package_shares`); :func:`package_figures` gives each one's.
    """
    return plan.costs.startup_cost


def monthly_cost(plan: Plan, assumptions: Assumptions) -> float:
    """Monthly cost of staying active (README.md, "Economics")."""
    c = plan.costs
    return (
        c.monthly_fees_total
        + c.required_monthly_purchase * (1 - assumptions["personal_use_value"])
        + c.estimated_monthly_expenses
        + (c.annual_renewal_fee + c.annual_event_costs) / 12
    )


def entry_rank(plan: Plan) -> int | None:
    """The rank of the typical new participant: an index into the plan's ranks, or None.

    The highest rank a new participant with no recruits holds on their required purchase alone
    (its personal and group volume; no active legs, no team) from their first month: a rank
    (schema v1.1) met only after ``qualify_months`` months in a row, or whose
    ``min_lifetime_volume`` one month's purchase does not reach, is not theirs yet, as in the
    simulation's rank rules. Often the first rank, an entry rank with no requirements. None
    when they hold none (the tool's choice: the economics are for someone joining now).
    """
    volume = required_purchase_volume(plan)
    if plan.compensation.qualification.own_purchases_count is False:
        volume = 0.0
    held = None
    for i, r in enumerate(plan.compensation.ranks):
        if r.min_active_legs > 0 or r.min_team_size > 0:
            break
        if volume < r.min_personal_volume or volume < r.min_group_volume:
            break
        if r.qualify_months > 1 or volume < r.min_lifetime_volume:  # not in the first month
            break
        held = i
    return held


def package_rank(plan: Plan, package: Package) -> int | None:
    """The rank a new participant who buys ``package`` holds from joining (schema v1.1).

    The rank the package gives (``costs.packages[].rank``) or the newcomer's own
    (:func:`entry_rank`), whichever is higher, as the simulation's paid-as rank takes the higher
    of the package's and the one qualified for; None when neither is a rank.
    """
    given = plan.compensation.rank_index(package.rank) if package.rank is not None else None
    entry = entry_rank(plan)
    held = [r for r in (given, entry) if r is not None]
    return max(held) if held else None


def rank_discount(plan: Plan, held: int | None) -> float | None:
    """The discount (schema v1.1) of rank ``held`` (an index into the plan's ranks, or None).

    None when that rank has no discount (nor any rank below it) or ``held`` is None: they buy
    at the products' wholesale prices. None too when the products cost nothing at wholesale (a
    referral service): the simulation then applies no discount.
    """
    if held is None or plan.mean_wholesale <= 0:
        return None
    return plan.compensation.rank_values("discount")[held + 1]


def entry_discount(plan: Plan) -> float | None:
    """The rank discount (schema v1.1) of the typical new participant (:func:`entry_rank`).

    See :func:`rank_discount`.
    """
    return rank_discount(plan, entry_rank(plan))


def discounted_price(plan: Plan, discount: float) -> float:
    """What one unit of money's worth at wholesale costs at retail x (1 - ``discount``).

    The mean retail price x (1 - discount) over the mean wholesale price; 1 when products cost
    nothing at wholesale (no money to scale).
    """
    if plan.mean_wholesale <= 0:
        return 1.0
    return (1 - discount) * plan.mean_retail / plan.mean_wholesale


@dataclass(frozen=True)
class Order:
    """One average product bought at one price level.

    What it costs and the volume it carries.
    """

    money: float
    volume: float
    business_volume: float  # what commissions are paid on (schema v1.1 BV; else the volume)


def average_order(plan: Plan, at: Literal["wholesale", "retail"]) -> Order:
    """One average product bought at ``at`` prices.

    The mean price and the mean volume over the plan's products, each product's volume being its
    stated ``volume`` or its price x ``commissionable_fraction``.

    The one definition of "a product" that the indicators and the simulation both buy: a
    customer's order (:func:`customer_order`) and a product bought to qualify (at wholesale).
    """
    prices = [p.wholesale_price if at == "wholesale" else p.retail_price for p in plan.products]
    volumes = [plan.product_volume(p, price)
               for p, price in zip(plan.products, prices, strict=True)]
    if not plan.business_volume_differs:
        return Order(sum(prices) / len(prices), sum(volumes) / len(volumes),
                     sum(volumes) / len(volumes))
    business = [plan.product_business_volume(p, price)
                for p, price in zip(plan.products, prices, strict=True)]
    return Order(sum(prices) / len(prices), sum(volumes) / len(volumes),
                 sum(business) / len(business))


@dataclass(frozen=True)
class RetailDemand:
    """How outside customers answer to the plan's prices (assumption ``price_elasticity``).

    ``pull``: per product, (retail price / comparable market price) to the power -elasticity (1
    for a product with no comparable price: taken to be at par). ``factor``: the share of
    ``customers_per_participant`` a participant keeps, the mean pull but at most 1 (at or below
    par a participant's reach, not the price, limits their customers). ``shares``: the mix of
    the products customers buy, each product's pull over their sum; None when every product
    pulls alike (customers buy every product alike: the plain mean over products).
    """

    pull: tuple[float, ...]
    factor: float
    shares: tuple[float, ...] | None
    comparable_known: tuple[bool, ...]


def retail_demand(plan: Plan, elasticity: float) -> RetailDemand:
    """Customers' answer to price: the demand factor and the product mix (:class:`RetailDemand`)."""
    known = tuple(bool(p.comparable_market_price) and p.retail_price > 0 for p in plan.products)
    if elasticity == 0:
        return RetailDemand(tuple(1.0 for _ in plan.products), 1.0, None, known)
    pull = tuple(
        (p.retail_price / p.comparable_market_price) ** -elasticity if k else 1.0
        for p, k in zip(plan.products, known, strict=True)
    )
    total = sum(pull)
    shares = None if all(w == pull[0] for w in pull) else tuple(w / total for w in pull)
    return RetailDemand(pull, min(1.0, total / len(pull)), shares, known)


def _mix(plan: Plan, values: list[float], shares: tuple[float, ...] | None) -> float:
    """The mean of per-product ``values``, weighted by ``shares`` (None: the plain mean)."""
    if shares is None:
        return sum(values) / len(values)
    return sum(v * w for v, w in zip(values, shares, strict=True))


def customer_order(plan: Plan, shares: tuple[float, ...] | None = None) -> Order:
    """What one customer's order of one product brings the company and its volume.

    The product is the plan's products in the customers' mix (``shares``, from
    :func:`retail_demand`; None: every product alike, :func:`average_order`). With
    ``retail_margin`` the participant buys the product at wholesale to resell it; otherwise the
    customer orders from the company at retail.
    """
    at: Literal["wholesale", "retail"] = (
        "wholesale" if plan.compensation.has("retail_margin") else "retail")
    if shares is None:
        return average_order(plan, at)
    prices = [p.wholesale_price if at == "wholesale" else p.retail_price for p in plan.products]
    volumes = [plan.product_volume(p, price)
               for p, price in zip(plan.products, prices, strict=True)]
    business = [plan.product_business_volume(p, price)
                for p, price in zip(plan.products, prices, strict=True)]
    return Order(_mix(plan, prices, shares), _mix(plan, volumes, shares),
                 _mix(plan, business, shares))


def preferred_order(plan: Plan, shares: tuple[float, ...] | None = None) -> Order:
    """What one preferred customer's order of one product brings the company, and its volume.

    Schema v1.1 ``compensation.preferred_customers``: the product in the customers' mix
    (``shares``; None: every product alike), ordered from the company at the retail price less
    the program's ``discount``; its volume is the product's stated volume, else that price x
    ``commissionable_fraction`` (:meth:`evaluator.model.Plan.product_volume`). Zero without a
    program.
    """
    program = plan.compensation.preferred_customers
    if program is None:
        return Order(0.0, 0.0, 0.0)
    prices = [p.retail_price * (1 - program.discount) for p in plan.products]
    volumes = [plan.product_volume(p, price)
               for p, price in zip(plan.products, prices, strict=True)]
    business = [plan.product_business_volume(p, price)
                for p, price in zip(plan.products, prices, strict=True)]
    return Order(_mix(plan, prices, shares), _mix(plan, volumes, shares),
                 _mix(plan, business, shares))


@dataclass(frozen=True)
class PreferredPay:
    """What a participant is paid per customer when some are preferred customers (schema v1.1).

    ``share``: the share of their customers who are preferred (``preferred_customer_share``);
    ``per_order``: the commission on one preferred order (``commission_rate`` x one product in
    the customers' mix at the preferred price, :func:`preferred_order`); ``per_customer``:
    ``(1 - share) x`` the pay per retail customer ``+ share x per_order``, the pay per customer
    of the assumed mix, which the break-even and payback figures count customers in.
    """

    share: float
    per_order: float
    per_customer: float

    def to_dict(self) -> dict[str, Any]:
        """``{share, pay_per_order, pay_per_customer}``."""
        return {"share": self.share, "pay_per_order": self.per_order,
                "pay_per_customer": self.per_customer}


def preferred_pay(plan: Plan, assumptions: Assumptions, shares: tuple[float, ...] | None,
                  retail: float) -> PreferredPay | None:
    """:class:`PreferredPay` with ``retail`` the pay per retail customer; None without a program."""
    program = plan.compensation.preferred_customers
    if program is None:
        return None
    share = float(assumptions["preferred_customer_share"])
    per_order = program.commission_rate * preferred_order(plan, shares).money
    return PreferredPay(share, per_order, (1 - share) * retail + share * per_order)


def customer_retail(plan: Plan, shares: tuple[float, ...] | None = None) -> float:
    """The retail price a customer pays for one product in the customers' mix (``shares``)."""
    return _mix(plan, [p.retail_price for p in plan.products], shares)


def customer_margin(plan: Plan, shares: tuple[float, ...] | None = None) -> float:
    """Retail minus wholesale price of one product in the customers' mix (``shares``)."""
    if shares is None:
        return plan.mean_retail - plan.mean_wholesale
    return _mix(plan, [p.retail_price - p.wholesale_price for p in plan.products], shares)


def profit_per_customer(plan: Plan, shares: tuple[float, ...] | None = None,
                        discount: float | None = None) -> float:
    """Pay per retail customer per month: margin and/or commission on the customers' mix.

    ``shares``: the mix (:func:`retail_demand`); None: every product alike. ``discount``: a
    rank's discount off retail (schema v1.1), the margin in place of retail - wholesale.
    """
    margin = plan.compensation.has("retail_margin")
    if discount is not None:
        commission = plan.compensation.component("retail_commission")
        rate = commission.rate if commission is not None and commission.rate else 0.0
        return (discount if margin else 0.0) * customer_retail(plan, shares) + (
            rate * customer_retail(plan, shares))
    commission = plan.compensation.component("retail_commission")
    rate = commission.rate if commission is not None else None
    if shares is None:
        total = 0.0
        for p in plan.products:
            if margin:
                total += p.retail_price - p.wholesale_price
            if rate is not None:
                total += rate * p.retail_price
        return total / len(plan.products)
    values = [(p.retail_price - p.wholesale_price if margin else 0.0)
              + (rate * p.retail_price if rate is not None else 0.0) for p in plan.products]
    return _mix(plan, values, shares)


def typical_customers(plan: Plan, assumptions: Assumptions) -> float:
    """Customers a month of the typical participant.

    ``customers_per_participant`` x the demand factor of the plan's prices (:func:`retail_demand`).
    """
    demand = retail_demand(plan, float(assumptions["price_elasticity"]))
    return float(assumptions["customers_per_participant"]) * demand.factor


def required_purchase_volume(plan: Plan) -> float:
    """Commissionable (business) volume of one month's required purchase."""
    return plan.costs.required_monthly_purchase * plan.business_volume_per_money("wholesale")


ENTRY: Literal["entry"] = "entry"  # pay_per_active_recruit: at the newcomer's rank


def pay_per_active_recruit(plan: Plan, rank: int | Literal["entry"] | None = ENTRY) -> float:
    """Level-1 pay per active recruit per month (unilevel + matrix level 1, binary half).

    At the rates of ``rank`` (an index into the plan's ranks; None: below every rank; by
    default the newcomer's, :func:`entry_rank`) where ranks set their own (schema v1.1). As
    README.md's "Economics" section defines it, the first unilevel rate counts even when the
    unilevel's ``basis`` is ``"customer"`` (where a recruit's own purchase would in fact pay
    nothing); the simulation applies the basis faithfully.
    """
    volume = required_purchase_volume(plan)
    comp = plan.compensation
    held = entry_rank(plan) if rank == ENTRY else rank
    rate = 0.0
    for kind in ("unilevel", "matrix"):
        c = comp.component(kind)
        if c is not None and c.rates:
            rates = c.rates
            if kind == "unilevel" and held is not None:  # the newcomer's rank's (schema v1.1)
                rates = comp.rank_values("unilevel_rates", c.rates)[held + 1]
            rate += rates[0]
    pay = volume * rate
    binary = comp.component("binary")
    if binary is not None and held is not None and comp.rates_by_rank("binary_rate"):
        binary = replace(binary, rate=comp.rank_values("binary_rate", binary.rate)[held + 1])
    if binary is not None and binary.cycles is not None:
        pay += binary_cycle_pay(binary, volume)
    elif binary is not None and binary.rate is not None:
        pay += binary.rate * volume / 2
    return pay


def customer_share_gate(plan: Plan, assumptions: Assumptions,
                        customers: float) -> dict[str, float] | None:
    """What a retail-share gate (schema v1.1) leaves of downline pay with ``customers`` a month.

    None without a gate. The share reached is the customer volume of ``customers`` orders
    (:func:`customer_order`, in the price-elastic mix) over that plus the volume of the
    required monthly purchase and ``extra_own_purchase`` at wholesale and of the
    ``builder_own_products`` average products (:func:`average_order`) the typical participant,
    a builder, buys for their own use, which the simulation counts as own-purchase volume too;
    a downline of people alike reaches the same share, so ``of`` does not change it here. With
    preferred customers (schema v1.1) ``customers`` are in the assumed mix, as the simulation
    draws them: ``preferred_customer_share`` of them order at the preferred price
    (:func:`preferred_order`), their volume customer volume unless
    ``counts_as_personal_volume`` is false (then in no volume at all), and the rest are retail
    orders. ``kept`` is the part of downline pay kept
    (:meth:`evaluator.model.CustomerShare.factor`), as in the simulation.
    """
    gate = plan.compensation.qualification.min_customer_share
    if gate is None:
        return None
    shares = retail_demand(plan, float(assumptions["price_elasticity"])).shares
    program = plan.compensation.preferred_customers
    if program is None:
        customer = customers * customer_order(plan, shares).volume
    else:
        share = float(assumptions["preferred_customer_share"])
        customer = customers * (1 - share) * customer_order(plan, shares).volume
        if program.counts_as_personal_volume is not False:
            customer += customers * share * preferred_order(plan, shares).volume
    own = ((plan.costs.required_monthly_purchase + float(assumptions["extra_own_purchase"]))
           * plan.volume_per_money("wholesale")
           # own-use products: own-purchase volume in the simulation (count_volumes)
           + float(assumptions["builder_own_products"]) * average_order(plan, "wholesale").volume)
    total = customer + own
    return {"customers": customers, "share_required": gate.share,
            "share_reached": customer / total if total > 0 else 0.0,
            "kept": gate.factor(customer, total)}


def binary_cycle_pay(binary: Component, volume: float) -> float:
    """Binary pay on ``volume`` split evenly over two legs, in cycles (schema v1.1).

    Each leg gets volume / 2, which makes volume / 2 / max(left, right) cycles (fractions of
    a cycle count, as their remainder carries or, without carry-over, averages out over
    recruits), each paying the pay per cycle. With a 1:1 cycle paid at a rate, this is the
    weaker-leg rule's rate x volume / 2.
    """
    cycles = binary.cycles
    assert cycles is not None
    return binary.pay_per_cycle * volume / 2 / max(cycles)


def _whole_units(quotient: float) -> int | None:
    """Ceil of a positive quotient, at least 1; None when it is too large to be a number.

    Rounding to 9 decimals first keeps float error (0.30000000000000004 / 0.1) from adding a
    unit; the floor of 1 keeps a tiny positive amount owed from rounding to "none needed".
    """
    if not math.isfinite(quotient):
        return None
    return max(1, math.ceil(round(quotient, 9)))


def _ceil_div(numerator: float, denominator: float) -> int | None:
    """ceil(n / d) in whole units; None ("never") when d <= 0; 0 when nothing is owed."""
    if numerator <= 0:
        return 0
    if denominator <= 0:
        return None
    return _whole_units(numerator / denominator)


def payback(startup: float, monthly_net: float, extra: float = 0.0,
            months: int | None = None) -> int | None:
    """Months to earn back the start-up cost at ``monthly_net``; None when never.

    ``extra``: more paid each month for the first ``months`` months from joining (None: every
    month), a return on one's own position (schema v1.1 :func:`position_return`): the months
    are counted at ``monthly_net + extra`` while it is paid and at ``monthly_net`` after.
    """
    if months is None or extra == 0:
        monthly_net += extra
        if monthly_net <= 0:
            return None
        return 0 if startup <= 0 else _whole_units(startup / monthly_net)
    paid = monthly_net + extra
    if paid > 0 and months > 0:
        if startup <= 0:
            return 0
        within = _whole_units(startup / paid)
        if within is not None and within <= months:
            return within
    left = startup - months * paid  # what is still owed when the return stops
    if monthly_net <= 0:
        return None
    return months + (_whole_units(left / monthly_net) if left > 0 else 0)


@dataclass(frozen=True)
class PositionReturn:
    """What a return on one's own position (schema v1.1 ``position_return``) pays a joiner.

    ``per_month``: the component's ``per_month``, or ``rate_of_price`` x the price paid to join
    (the expected package price, the packages' prices weighted by the share choosing each as
    in ``startup_cost``, with ``costs.packages``; else starter_kit + inventory_package), as the
    simulation pays every active holder, qualified or not. ``months``: months paid from joining,
    the joining month the first (None: every month while active). ``per_package``: each
    package's buyer's ``per_month`` (empty without packages).
    """

    per_month: float
    months: int | None
    per_package: tuple[float, ...] = ()

    @property
    def for_good(self) -> float:
        """What it pays a month for as long as one stays active: 0 when it stops after a term."""
        return self.per_month if self.months is None else 0.0

    @property
    def first_year(self) -> float:
        """What it pays over the first twelve months of someone who stays active."""
        return self.per_month * (12 if self.months is None else min(12, self.months))

    def to_dict(self) -> dict[str, Any]:
        """``{per_month, months_paid, first_year}`` (months_paid None: every month while active)."""
        return {"per_month": self.per_month, "months_paid": self.months,
                "first_year": self.first_year}


def position_return(plan: Plan) -> PositionReturn | None:
    """The plan's return on one's own position for a joiner (:class:`PositionReturn`), or None."""
    c = plan.compensation.component("position_return")
    if c is None:
        return None
    costs = plan.costs
    if c.per_month is not None:
        per_package = tuple(c.per_month for _ in costs.packages)
        return PositionReturn(c.per_month, c.months_paid, per_package)
    rate = c.rate_of_price or 0.0
    if costs.packages:
        per_package = tuple(rate * p.price for p in costs.packages)
        expected = sum(share * pay for share, pay
                       in zip(costs.package_shares(), per_package, strict=True))
        return PositionReturn(expected, c.months_paid, per_package)
    return PositionReturn(rate * (costs.starter_kit + costs.inventory_package), c.months_paid)


def discounted_monthly_cost(plan: Plan, assumptions: Assumptions,
                            discount: float | None) -> tuple[float, float]:
    """The monthly cost and its required-purchase part, at a rank's ``discount``.

    The required purchase bought at retail x (1 - ``discount``) (schema v1.1); None: at
    wholesale, :func:`monthly_cost`.
    """
    monthly = monthly_cost(plan, assumptions)
    required = plan.costs.required_monthly_purchase * (1 - assumptions["personal_use_value"])
    if discount is not None:  # the required purchase at the rank's price
        saved = required * (1 - discounted_price(plan, discount))
        monthly -= saved
        required -= saved
    return monthly, required


def package_figures(plan: Plan, assumptions: Assumptions, typical_customers: float,
                    kept: float = 1.0) -> tuple[dict[str, Any], ...]:
    """Each enrollment package's cost and break-even, for someone who chooses it.

    A package's buyer holds from joining the rank it gives, or the newcomer's own rank if
    higher (:func:`package_rank`, ``rank_held``); every figure is at that rank's discount and
    rates (schema v1.1 ``compensation.ranks[]``), as the plan's own figures are at the
    newcomer's. ``discount``: that rank's discount (None: none, the products' wholesale
    prices); ``monthly_cost`` at it; ``profit_per_customer_per_month`` at it
    (:func:`profit_per_customer`, in the customers' price-elastic mix);
    ``pay_per_active_recruit_per_month`` at that rank's unilevel and binary rates
    (:func:`pay_per_active_recruit`); ``break_even_active_recruits`` = ceil(monthly cost / that
    pay x ``kept``, the part of downline pay a retail-share gate leaves, 1 without one).
    ``startup_cost`` = enrollment_fee + starter_kit + price; ``first_year_cost`` = that + 12 x
    the monthly cost; ``payback_months`` as for the plan (``typical_customers`` customers, no
    recruits; None: never); ``break_even_customers_first_year`` = ceil(first-year cost / (12 x
    profit per customer)), the customers a month that earn the first year back (None: never).
    With preferred customers (schema v1.1) customers are counted in the assumed mix
    (:func:`preferred_pay`, on that rank's pay per retail customer) in payback and
    ``break_even_customers_first_year``. A return on one's own position (schema v1.1) counts at
    the package's own return (:attr:`PositionReturn.per_package`): in payback for its term, in
    ``break_even_customers_first_year`` for its first-year months, and in
    ``break_even_active_recruits`` when it is paid every month while active. Empty for a plan
    without packages.
    """
    out = []
    joining = plan.costs.joining_cost
    shares = retail_demand(plan, float(assumptions["price_elasticity"])).shares
    names = [r.name for r in plan.compensation.ranks]
    pays_back = position_return(plan)
    returns = (pays_back.per_package if pays_back is not None
               else tuple(0.0 for _ in plan.costs.packages))
    months = pays_back.months if pays_back is not None else None
    for share, p, back in zip(plan.costs.package_shares(), plan.costs.packages, returns,
                              strict=True):
        held = package_rank(plan, p)
        discount = rank_discount(plan, held)
        monthly, _ = discounted_monthly_cost(plan, assumptions, discount)
        per_customer = profit_per_customer(plan, shares, discount)
        preferred = preferred_pay(plan, assumptions, shares, per_customer)
        customer_pay = per_customer if preferred is None else preferred.per_customer
        per_recruit = pay_per_active_recruit(plan, held)
        uncovered = monthly - (back if months is None else 0.0)
        first_year_back = back * (12 if months is None else min(12, months))
        start = joining + p.price
        first_year = start + 12 * monthly
        out.append({
            "name": p.name,
            "price": p.price,
            "share": share,
            "share_known": p.share is not None,
            "volume": p.volume,
            "rank": p.rank,
            "rank_held": names[held] if held is not None else None,
            "discount": discount,
            "monthly_cost": monthly,
            "profit_per_customer_per_month": per_customer,
            "pay_per_active_recruit_per_month": per_recruit,
            "break_even_active_recruits": _ceil_div(uncovered, per_recruit * kept),
            "startup_cost": start,
            "first_year_cost": first_year,
            "payback_months": payback(start, typical_customers * customer_pay - monthly,
                                      back, months),
            "break_even_customers_first_year": _ceil_div(first_year - first_year_back,
                                                         12 * customer_pay),
        })
    return tuple(out)


@dataclass(frozen=True)
class Figure:
    """Where an economics figure comes from."""

    uses: tuple[str, ...]
    formula: str


@dataclass(frozen=True)
class Economics:
    """The economics of joining, with provenance for each figure."""

    currency: str
    startup_cost: float
    monthly_cost: float
    first_year_cost: float
    retail_margin_fraction: float
    price_premium_fraction: float | None
    profit_per_customer_per_month: float
    break_even_customers_per_month: int | None
    pay_per_active_recruit_per_month: float
    break_even_active_recruits: int | None
    payback_months: int | None
    payback_table: tuple[tuple[int | None, ...], ...]
    recruitment: dict[str, Any]
    monthly_cost_breakdown: dict[str, float]
    provenance: dict[str, Figure] = field(default_factory=dict)
    packages: tuple[dict[str, Any], ...] = ()  # per enrollment package (package_figures)
    # The retail-share gate's figures for the typical participant (customer_share_gate).
    customer_share_gate: dict[str, float] | None = None
    # The return on one's own position a joiner is paid (schema v1.1; position_return).
    position_return: PositionReturn | None = None
    # Pay per customer with preferred customers among them (schema v1.1; preferred_pay).
    preferred_customers: PreferredPay | None = None
    # The typical participant's customers a month (typical_customers), which payback and the
    # bottom line count; not in to_dict (the JSON keeps the assumption and the prices).
    typical_customers: float = 0.0

    @property
    def pay_per_customer(self) -> float:
        """Pay per customer a month in the assumed mix: retail, or with preferred customers."""
        if self.preferred_customers is None:
            return self.profit_per_customer_per_month
        return self.preferred_customers.per_customer

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; contract keys at the top level."""
        return {
            "currency": self.currency,
            "startup_cost": self.startup_cost,
            "monthly_cost": self.monthly_cost,
            "first_year_cost": self.first_year_cost,
            "monthly_cost_breakdown": dict(self.monthly_cost_breakdown),
            "retail_margin_fraction": self.retail_margin_fraction,
            "price_premium_fraction": self.price_premium_fraction,
            "profit_per_customer_per_month": self.profit_per_customer_per_month,
            "break_even_customers_per_month": self.break_even_customers_per_month,
            "pay_per_active_recruit_per_month": self.pay_per_active_recruit_per_month,
            "break_even_active_recruits": self.break_even_active_recruits,
            "payback_months": self.payback_months,
            "payback_table": {
                "customers": list(PAYBACK_CUSTOMERS),
                "active_recruits": list(PAYBACK_RECRUITS),
                "months": [list(row) for row in self.payback_table],
            },
            "recruitment": self.recruitment,
            **({"packages": [dict(p) for p in self.packages]} if self.packages else {}),
            **({"customer_share_gate": dict(self.customer_share_gate)}
               if self.customer_share_gate is not None else {}),
            **({"position_return": self.position_return.to_dict()}
               if self.position_return is not None else {}),
            **({"preferred_customers": self.preferred_customers.to_dict()}
               if self.preferred_customers is not None else {}),
            "provenance": {
                k: {"uses": list(v.uses), "formula": v.formula} for k, v in self.provenance.items()
            },
        }


def recruitment_math(recruits_needed: int | None, market_size: int) -> dict[str, Any]:
    """Where the downline ends if everyone needs k active recruits (level d holds k**d people).

    ``levels`` lists, for each depth d, the people at that level and the cumulative people
    below the evaluated person needed for everyone above level d to break even, up to the
    first level that exceeds the market. ``depth_exceeding_market`` is None when k <= 1
    (the downline never outgrows the market, or nobody needs recruits).
    """
    out: dict[str, Any] = {
        "recruits_needed_each": recruits_needed,
        "market_size": market_size,
        "depth_exceeding_market": None,
        "people_below_needed": None,
        "levels": [],
    }
    if recruits_needed is None or recruits_needed <= 1:
        return out
    k = recruits_needed
    cumulative = 0
    for depth in range(1, MAX_DEPTH_SHOWN + 1):
        size = k**depth
        cumulative += size
        out["levels"].append({"depth": depth, "people": size, "cumulative": cumulative})
        if size > market_size:
            out["depth_exceeding_market"] = depth
            out["people_below_needed"] = cumulative
            break
    return out


def _packages_provenance(held: PositionReturn | None, gated: bool) -> Figure:
    """The formula of the packages' figures (:func:`package_figures`).

    ``held``: the plan's return on one's own position (schema v1.1), which each package's
    figures count at the package's own return; ``gated``: whether a retail-share gate's
    ``kept`` scales the pay per recruit.
    """
    uses: tuple[str, ...] = (
        "costs.packages", "compensation.ranks[]", "monthly_cost", "profit_per_customer_per_month",
        "pay_per_active_recruit_per_month", "assumptions.customers_per_participant")
    cost, first_year = "monthly_cost", "first_year_cost"
    if held is not None:
        uses = (*uses, "position_return")
        first_year = "(first_year_cost - the package's return over the first year)"
        if held.months is None:  # paid every month while active: it covers part of each month
            cost = "(monthly_cost - the package's return)"
    recruit = "pay_per_active_recruit_per_month"
    if gated:
        uses = (*uses, "customer_share_gate")
        recruit = f"({recruit} x customer_share_gate.kept)"
    returns = ("; the package's return: rate_of_price x its price, or per_month"
               if held is not None else "")
    return Figure(
        uses,
        "per package, at the discount and rates of rank_held (the rank the package gives, "
        "or the newcomer's if higher): monthly_cost, profit_per_customer_per_month and "
        "pay_per_active_recruit_per_month as above at that rank; break_even_active_recruits "
        f"= ceil({cost} / {recruit}); startup_cost = enrollment_fee + starter_kit + price; "
        "first_year_cost = startup_cost + 12 x monthly_cost; payback_months as above; "
        f"break_even_customers_first_year = ceil({first_year} / (12 x profit per customer))"
        f"{returns}",
    )


def _preferred_provenance(provenance: dict[str, Figure], packages: bool) -> None:
    """The formulas of the figures preferred customers (schema v1.1) change."""
    per = "preferred_customers.pay_per_customer"
    provenance["preferred_customers"] = Figure(
        ("compensation.preferred_customers.discount",
         "compensation.preferred_customers.commission_rate", "products[].retail_price",
         "assumptions.preferred_customer_share", "profit_per_customer_per_month"),
        "share = preferred_customer_share; pay_per_order = commission_rate x retail price "
        "in the customers' mix x (1 - discount); pay_per_customer = (1 - share) x "
        "profit_per_customer_per_month + share x pay_per_order",
    )
    provenance["break_even_customers_per_month"] = Figure(
        ("monthly_cost", "preferred_customers"), f"ceil(monthly_cost / {per})")
    provenance["payback_months"] = Figure(
        ("startup_cost", "monthly_cost", "preferred_customers",
         "assumptions.customers_per_participant", "assumptions.price_elasticity"),
        f"ceil(startup_cost / (customers_per_participant x demand factor x {per} - "
        "monthly_cost)); never when that is <= 0",
    )
    if packages:
        provenance["packages"] = Figure(
            (*provenance["packages"].uses, "preferred_customers"),
            provenance["packages"].formula.replace("profit per customer", per),
        )


def _position_return_provenance(provenance: dict[str, Figure], held: PositionReturn,
                                gated: bool, preferred: bool) -> None:
    """The formulas of the figures a return on one's own position (schema v1.1) changes."""
    per = ("preferred_customers.pay_per_customer" if preferred
           else "profit_per_customer_per_month")
    uses = ("compensation.components (position_return)", "costs.packages[].price",
            "costs.packages[].share", "costs.starter_kit", "costs.inventory_package")
    provenance["position_return"] = Figure(
        uses,
        "per_month = per_month, or rate_of_price x the price paid to join (the packages' "
        "prices weighted by the share choosing each, else starter_kit + inventory_package); "
        "paid for months_paid months from joining (null: every month while active); "
        "first_year = per_month x min(12, months_paid)",
    )
    provenance["payback_months"] = Figure(
        (*provenance["payback_months"].uses, "position_return"),
        f"the first month by which customers_per_participant x demand factor x {per} - "
        "monthly_cost, plus position_return.per_month in each of the first months_paid "
        "months, adds up to startup_cost; never when it does not",
    )
    if held.months is not None:
        return  # a return with a term covers no monthly cost for good: break-even unchanged
    provenance["break_even_customers_per_month"] = Figure(
        ("monthly_cost", per.split(".")[0], "position_return"),
        f"ceil((monthly_cost - position_return.per_month) / {per}); 0 when the return covers "
        "the monthly cost",
    )
    kept = " x customer_share_gate.kept" if gated else ""
    provenance["break_even_active_recruits"] = Figure(
        ("monthly_cost", "pay_per_active_recruit_per_month", "position_return",
         *(("customer_share_gate",) if gated else ())),
        f"ceil((monthly_cost - position_return.per_month) / (pay_per_active_recruit_per_month"
        f"{kept})); 0 when the return covers the monthly cost",
    )


def compute_economics(plan: Plan, assumptions: Assumptions) -> Economics:
    """Every economics figure of README.md's "Economics" section for one plan."""
    c = plan.costs
    start = startup_cost(plan)
    discount = entry_discount(plan)
    monthly, required = discounted_monthly_cost(plan, assumptions, discount)
    first_year = start + 12 * monthly
    products = plan.products
    margin_fraction = sum((p.retail_price - p.wholesale_price) / p.retail_price for p in products)
    margin_fraction /= len(products)
    if discount is not None:
        margin_fraction = discount
    comparable = [p for p in products if p.comparable_market_price]
    premium = (
        sum(p.retail_price / p.comparable_market_price - 1 for p in comparable) / len(comparable)
        if comparable
        else None
    )
    demand = retail_demand(plan, float(assumptions["price_elasticity"]))
    per_customer = profit_per_customer(plan, demand.shares, discount)
    # With preferred customers (schema v1.1) customers are counted in the assumed mix.
    preferred = preferred_pay(plan, assumptions, demand.shares, per_customer)
    customer_pay = per_customer if preferred is None else preferred.per_customer
    per_recruit = pay_per_active_recruit(plan)
    # A return on one's own position (schema v1.1) is paid whatever one sells: it counts toward
    # payback for its term, and toward break-even only when it is paid for as long as one stays.
    held = position_return(plan)
    back = 0.0 if held is None else held.per_month
    term = None if held is None else held.months
    uncovered = monthly - (0.0 if held is None else held.for_good)
    be_customers = _ceil_div(uncovered, customer_pay)
    typical = typical_customers(plan, assumptions)
    gate = customer_share_gate(plan, assumptions, typical)
    # A retail-share gate keeps only part of the downline pay of those short of its share.
    be_recruits = _ceil_div(uncovered, per_recruit * (1.0 if gate is None else gate["kept"]))
    payback_now = payback(start, typical * customer_pay - monthly, back, term)
    table = tuple(
        tuple(
            payback(start, n * customer_pay + r * per_recruit * kept - monthly, back, term)
            for r in PAYBACK_RECRUITS
        )
        for n in PAYBACK_CUSTOMERS
        for got in [customer_share_gate(plan, assumptions, n)]
        for kept in [1.0 if got is None else got["kept"]]
    )
    breakdown = {
        "monthly_fees": c.monthly_fees_total,
        "required_purchase": required,
        "expenses": c.estimated_monthly_expenses,
        "renewal_and_events": (c.annual_renewal_fee + c.annual_event_costs) / 12,
    }
    cost_fields = (
        "costs.monthly_fees",
        "costs.required_monthly_purchase",
        "costs.estimated_monthly_expenses",
        "costs.annual_renewal_fee",
        "costs.annual_event_costs",
        "assumptions.personal_use_value",
    )
    customer_fields = (
        "products[].retail_price",
        "products[].wholesale_price",
        "products[].comparable_market_price",
        "assumptions.price_elasticity",
        "compensation.components (retail_margin, retail_commission)",
    )
    binary = plan.compensation.component("binary")
    binary_cycles = binary is not None and binary.cycles is not None
    recruit_fields = (
        "costs.required_monthly_purchase",
        "products[].volume",
        "compensation.commissionable_fraction",
        "compensation.components (unilevel, matrix, binary)",
    )
    provenance = {
        "startup_cost": Figure(
            ("costs.enrollment_fee", "costs.starter_kit", "costs.inventory_package"),
            "enrollment_fee + starter_kit + inventory_package",
        ),
        "monthly_cost": Figure(
            cost_fields,
            "sum(monthly_fees) + required_monthly_purchase x (1 - personal_use_value) "
            "+ estimated_monthly_expenses + (annual_renewal_fee + annual_event_costs) / 12",
        ),
        "first_year_cost": Figure(
            ("startup_cost", "monthly_cost"), "startup_cost + 12 x monthly_cost"
        ),
        "retail_margin_fraction": Figure(
            ("products[].retail_price", "products[].wholesale_price"),
            "mean over products of (retail - wholesale) / retail",
        ),
        "price_premium_fraction": Figure(
            ("products[].retail_price", "products[].comparable_market_price"),
            "mean over products with a comparable price of retail / comparable - 1",
        ),
        "profit_per_customer_per_month": Figure(
            customer_fields,
            "mean over products, in the mix customers buy (each product's share: its pull "
            "(retail / comparable) ** -price_elasticity over the sum), of (retail - wholesale "
            "if retail_margin) + (rate x retail if retail_commission)",
        ),
        "break_even_customers_per_month": Figure(
            ("monthly_cost", "profit_per_customer_per_month"),
            "ceil(monthly_cost / profit_per_customer_per_month)",
        ),
        "pay_per_active_recruit_per_month": Figure(
            recruit_fields,
            "required purchase volume x (unilevel rate 1 + matrix rate 1) "
            + ("+ binary pay per cycle x volume / 2 / the larger cycle volume"
               if binary_cycles else "+ binary rate x volume / 2"),
        ),
        "break_even_active_recruits": Figure(
            ("monthly_cost", "pay_per_active_recruit_per_month"),
            "ceil(monthly_cost / pay_per_active_recruit_per_month)",
        ),
        "payback_months": Figure(
            ("startup_cost", "monthly_cost", "profit_per_customer_per_month",
             "assumptions.customers_per_participant", "assumptions.price_elasticity"),
            "ceil(startup_cost / (customers_per_participant x demand factor x profit per "
            "customer - monthly_cost)); never when that is <= 0 (demand factor: the mean "
            "over products of (retail / comparable) ** -price_elasticity, at most 1)",
        ),
        "recruitment": Figure(
            ("break_even_active_recruits", "assumptions.market_size"),
            "level d of a downline holds k**d people, k = break_even_active_recruits",
        ),
    }
    if discount is not None:
        provenance["monthly_cost"] = Figure(
            (*cost_fields, "compensation.ranks[].discount", "products[].retail_price"),
            "as without ranks, the required purchase at the entry rank's price: x (1 - "
            "discount) x mean retail / mean wholesale",
        )
        provenance["retail_margin_fraction"] = Figure(
            ("compensation.ranks[].discount",),
            "the entry rank's discount off retail (the highest rank a new participant with no "
            "recruits holds on their required purchase alone)",
        )
        provenance["profit_per_customer_per_month"] = Figure(
            (*customer_fields, "compensation.ranks[].discount"),
            "mean retail price in the customers' mix x (the entry rank's discount if "
            "retail_margin + rate if retail_commission)",
        )
    if c.packages:
        provenance["startup_cost"] = Figure(
            ("costs.enrollment_fee", "costs.starter_kit", "costs.packages[].price",
             "costs.packages[].share"),
            "enrollment_fee + starter_kit + the packages' prices weighted by the share "
            "choosing each",
        )
        provenance["packages"] = _packages_provenance(held, gate is not None)
    if gate is not None:
        gate_uses = ("compensation.qualification.min_customer_share",
                     "assumptions.customers_per_participant", "costs.required_monthly_purchase",
                     "assumptions.extra_own_purchase", "assumptions.builder_own_products")
        customer_volume = "customer volume"
        if preferred is not None:
            gate_uses = (*gate_uses, "compensation.preferred_customers",
                         "assumptions.preferred_customer_share")
            customer_volume = (
                "customer volume (customers x (1 - preferred_customer_share) retail orders, "
                "plus customers x preferred_customer_share orders at the preferred price "
                "unless counts_as_personal_volume is false)")
        provenance["customer_share_gate"] = Figure(
            gate_uses,
            f"share_reached = {customer_volume} / (customer volume + volume of the required "
            "purchase, extra_own_purchase and builder_own_products average products); kept = 1 "
            "at or above the share, else 0 (full) or share_reached / share (pro_rata)",
        )
        provenance["break_even_active_recruits"] = Figure(
            ("monthly_cost", "pay_per_active_recruit_per_month", "customer_share_gate"),
            "ceil(monthly_cost / (pay_per_active_recruit_per_month x customer_share_gate.kept))",
        )
    if preferred is not None:
        _preferred_provenance(provenance, bool(c.packages))
    if held is not None:
        _position_return_provenance(provenance, held, gate is not None, preferred is not None)
    return Economics(
        currency=c.currency,
        startup_cost=start,
        monthly_cost=monthly,
        first_year_cost=first_year,
        retail_margin_fraction=margin_fraction,
        price_premium_fraction=premium,
        profit_per_customer_per_month=per_customer,
        break_even_customers_per_month=be_customers,
        pay_per_active_recruit_per_month=per_recruit,
        break_even_active_recruits=be_recruits,
        payback_months=payback_now,
        payback_table=table,
        recruitment=recruitment_math(be_recruits, int(assumptions["market_size"])),
        monthly_cost_breakdown=breakdown,
        provenance=provenance,
        packages=package_figures(plan, assumptions, typical,
                                 1.0 if gate is None else gate["kept"]),
        customer_share_gate=gate,
        position_return=held,
        preferred_customers=preferred,
        typical_customers=typical,
    )
