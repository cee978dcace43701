"""Closed-form economics of joining, from the plan and the assumptions alone (no randomness).

Definitions follow README.md's "Economics" section exactly. Every figure carries its
provenance: the plan fields and assumptions it used and the formula, so a report can say where
each number comes from. A division by zero means "never" and is ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from evaluator.assumptions import Assumptions
from evaluator.model import Component, Plan

PAYBACK_CUSTOMERS = tuple(range(11))
PAYBACK_RECRUITS = tuple(range(6))
MAX_DEPTH_SHOWN = 40


def startup_cost(plan: Plan) -> float:
    """enrollment_fee + starter_kit + inventory_package."""
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


@dataclass(frozen=True)
class Order:
    """One average product bought at one price level.

    What it costs and the volume it carries.
    """

    money: float
    volume: float


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
    return Order(sum(prices) / len(prices), sum(volumes) / len(volumes))


def customer_order(plan: Plan) -> Order:
    """What one customer's order of one average product brings the company and its volume.

    With ``retail_margin`` the participant buys the product at wholesale to resell it;
    otherwise the customer orders from the company at retail.
    """
    return average_order(plan, "wholesale" if plan.compensation.has("retail_margin")
                         else "retail")


def profit_per_customer(plan: Plan) -> float:
    """Pay per retail customer per month: margin and/or commission, averaged over products."""
    margin = plan.compensation.has("retail_margin")
    commission = plan.compensation.component("retail_commission")
    total = 0.0
    for p in plan.products:
        if margin:
            total += p.retail_price - p.wholesale_price
        if commission is not None and commission.rate is not None:
            total += commission.rate * p.retail_price
    return total / len(plan.products)


def required_purchase_volume(plan: Plan) -> float:
    """Commissionable volume of one month's required purchase."""
    return plan.costs.required_monthly_purchase * plan.volume_per_money("wholesale")


def pay_per_active_recruit(plan: Plan) -> float:
    """Level-1 pay per active recruit per month (unilevel + matrix level 1, binary half).

    As README.md's "Economics" section defines it, the first unilevel rate counts even when
    the unilevel's ``basis`` is ``"customer"`` (where a recruit's own purchase would in fact
    pay nothing); the simulation applies the basis faithfully.
    """
    volume = required_purchase_volume(plan)
    comp = plan.compensation
    rate = 0.0
    for kind in ("unilevel", "matrix"):
        c = comp.component(kind)
        if c is not None and c.rates:
            rate += c.rates[0]
    pay = volume * rate
    binary = comp.component("binary")
    if binary is not None and binary.cycles is not None:
        pay += binary_cycle_pay(binary, volume)
    elif binary is not None and binary.rate is not None:
        pay += binary.rate * volume / 2
    return pay


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


def payback(startup: float, monthly_net: float) -> int | None:
    """Months to earn back the start-up cost at ``monthly_net``; None when never."""
    if monthly_net <= 0:
        return None
    return 0 if startup <= 0 else _whole_units(startup / monthly_net)


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


def compute_economics(plan: Plan, assumptions: Assumptions) -> Economics:
    """Every economics figure of README.md's "Economics" section for one plan."""
    c = plan.costs
    start = startup_cost(plan)
    monthly = monthly_cost(plan, assumptions)
    first_year = start + 12 * monthly
    products = plan.products
    margin_fraction = sum((p.retail_price - p.wholesale_price) / p.retail_price for p in products)
    margin_fraction /= len(products)
    comparable = [p for p in products if p.comparable_market_price]
    premium = (
        sum(p.retail_price / p.comparable_market_price - 1 for p in comparable) / len(comparable)
        if comparable
        else None
    )
    per_customer = profit_per_customer(plan)
    per_recruit = pay_per_active_recruit(plan)
    be_customers = _ceil_div(monthly, per_customer)
    be_recruits = _ceil_div(monthly, per_recruit)
    typical = assumptions["customers_per_participant"]
    payback_now = payback(start, typical * per_customer - monthly)
    table = tuple(
        tuple(
            payback(start, n * per_customer + r * per_recruit - monthly)
            for r in PAYBACK_RECRUITS
        )
        for n in PAYBACK_CUSTOMERS
    )
    breakdown = {
        "monthly_fees": c.monthly_fees_total,
        "required_purchase": c.required_monthly_purchase * (1 - assumptions["personal_use_value"]),
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
            "mean over products of (retail - wholesale if retail_margin) "
            "+ (rate x retail if retail_commission)",
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
             "assumptions.customers_per_participant"),
            "ceil(startup_cost / (customers_per_participant x profit per customer "
            "- monthly_cost)); never when that is <= 0",
        ),
        "recruitment": Figure(
            ("break_even_active_recruits", "assumptions.market_size"),
            "level d of a downline holds k**d people, k = break_even_active_recruits",
        ),
    }
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
    )
