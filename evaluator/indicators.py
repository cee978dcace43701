"""Indicators: named, measured values with provenance, computed from plan, economics and simulation.

Each indicator is a pure function registered under a stable snake_case ID; it returns a value
and one plain sentence stating the figure. :func:`compute_indicators` runs them all in registry
order. A value of ``None`` means *unknown* (the plan does not say, or the figure does not exist)
and is never replaced by zero; the rubric decides how an unknown is judged. Yes/no indicators
carry ``True``/``False``. Indicators hold no thresholds: judging a value is the rubric's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from evaluator import formatting
from evaluator.assumptions import Assumptions
from evaluator.economics import (
    Economics,
    average_order,
    customer_order,
    discounted_price,
    entry_discount,
    preferred_order,
    retail_demand,
    typical_customers,
)
from evaluator.formatting import counted
from evaluator.model import Plan
from evaluator.simulation.network import MAX_TOP_UP

Source = Literal["input", "assumption", "simulation", "economics", "disclosure"]
Value = float | int | bool | None


@dataclass(frozen=True)
class Indicator:
    """One measured value: ``{id, label, value, unit, source, detail}``."""

    id: str
    label: str
    value: Value
    unit: str
    source: Source
    detail: str
    applicable: bool = True
    """False when the value is unknown only because what it measures does not exist (a
    disclosure's terms when there is no disclosure): nothing to ask about it."""

    def to_dict(self) -> dict[str, Any]:
        """The published indicator shape."""
        return {
            "id": self.id,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Inputs:
    """What every indicator function reads: plan, economics, simulation dict, assumptions."""

    plan: Plan
    economics: Economics
    simulation: Mapping[str, Any]
    assumptions: Assumptions

    @property
    def currency(self) -> str:
        """The plan's currency code."""
        return self.plan.costs.currency

    def money(self, amount: float | None) -> str:
        """An amount in the plan's currency, written by the one money formatter.

        The formatter is evaluator/formatting.py's: ``$1,234``, ``EUR 12.50``.
        """
        if amount is None:
            return "an unknown amount"
        return formatting.money(amount, self.currency)

    def sim(self, *keys: str) -> Any:
        """A nested simulation figure, or None when the simulation does not report it."""
        node: Any = self.simulation
        for key in keys:
            if not isinstance(node, Mapping) or node.get(key) is None:
                return None
            node = node[key]
        return node


def pct(fraction: float | None) -> str:
    """A share written by the one percent formatter (evaluator/formatting.py): ``62.3%``."""
    if fraction is None:
        return "unknown"
    return formatting.percent(fraction)


Compute = Callable[[Inputs], tuple[Value, str]]
Applies = Callable[[Inputs], bool]


@dataclass(frozen=True)
class IndicatorSpec:
    """A registered indicator: ID, label, unit (``{currency}`` is filled in) and source."""

    id: str
    label: str
    unit: str
    source: Source
    compute: Compute
    applies: Applies | None = None

    def __call__(self, inputs: Inputs) -> Indicator:
        """The indicator worked out from ``inputs``."""
        value, detail = self.compute(inputs)
        return Indicator(
            self.id, self.label, value, self.unit.format(currency=inputs.currency), self.source,
            detail, self.applies is None or self.applies(inputs),
        )


_REGISTRY: dict[str, IndicatorSpec] = {}


def indicator(
    ind_id: str, label: str, unit: str, source: Source, applies: Applies | None = None
) -> Callable[[Compute], Compute]:
    """Register an indicator function under a stable ID.

    ``applies`` says whether what the indicator measures exists for a plan (default: always).
    """

    def register(fn: Compute) -> Compute:
        if ind_id in _REGISTRY:
            raise ValueError(f"indicator {ind_id!r} is registered twice")
        _REGISTRY[ind_id] = IndicatorSpec(ind_id, label, unit, source, fn, applies)
        return fn

    return register


def compute_indicators(
    plan: Plan,
    economics: Economics,
    simulation: Mapping[str, Any],
    assumptions: Assumptions | None = None,
) -> list[Indicator]:
    """Every registered indicator for one plan, in registry order.

    ``assumptions`` are those the economics and simulation used (default: every assumption
    at its default); only the typical number of customers is read from them directly.
    """
    inputs = Inputs(plan, economics, simulation, assumptions or Assumptions.defaults())
    return [spec(inputs) for spec in _REGISTRY.values()]


# ---------------------------------------------------------------------------------------------
# Costs


@indicator("startup_cost", "Start-up cost", "{currency}", "economics")
def _startup_cost(x: Inputs) -> tuple[Value, str]:
    c = x.plan.costs
    value = x.economics.startup_cost
    if c.packages:
        return value, (
            f"Joining costs {x.money(value)} up front on average over the packages recruits "
            f"choose: enrollment fee {x.money(c.enrollment_fee)}, starter kit "
            f"{x.money(c.starter_kit)}, and a package of "
            + ", ".join(f"{p.name} {x.money(p.price)}" for p in c.packages) + "."
        )
    return value, (
        f"Joining costs {x.money(value)} up front: enrollment fee {x.money(c.enrollment_fee)}, "
        f"starter kit {x.money(c.starter_kit)}, inventory package {x.money(c.inventory_package)}."
    )


@indicator("monthly_cost", "Monthly cost of staying active", "{currency} per month", "economics")
def _monthly_cost(x: Inputs) -> tuple[Value, str]:
    value = x.economics.monthly_cost
    return value, (
        f"Staying active costs {x.money(value)} a month (fees, required purchases, expenses, "
        f"renewal and events), {x.money(x.economics.first_year_cost)} in the first year "
        "with the start-up cost."
    )


def customer_volume(plan: Plan, customers: float,
                    shares: tuple[float, ...] | None = None) -> float:
    """Commissionable volume a month from ``customers`` customers.

    Each buys one product in the customers' mix (``shares``; None: every product alike), as the
    simulation counts it (:func:`evaluator.economics.customer_order`).
    """
    return customers * customer_order(plan, shares).volume


def customer_sales(plan: Plan, customers: float,
                   shares: tuple[float, ...] | None = None) -> float:
    """Company sales a month from ``customers`` customers buying one product each in the mix."""
    return customers * customer_order(plan, shares).money


def _typical(x: Inputs) -> tuple[float, tuple[float, ...] | None]:
    """The typical participant's customers a month and the mix they buy (price-elastic)."""
    demand = retail_demand(x.plan, float(x.assumptions["price_elasticity"]))
    return typical_customers(x.plan, x.assumptions), demand.shares


def preferred_share(x: Inputs) -> float:
    """The share of the typical participant's customers who are preferred customers.

    ``preferred_customer_share`` in a plan with a preferred-customer program (schema v1.1), else
    0. Preferred customers buy at the preferred price (:func:`evaluator.economics.preferred_order`)
    and, as in the simulation, their orders are personal volume unless the plan says they do
    not count, and they count as no retail customer for ``min_retail_customers``.
    """
    if x.plan.compensation.preferred_customers is None:
        return 0.0
    return float(x.assumptions["preferred_customer_share"])


def qualifying_purchase(plan: Plan, customers: float,
                        shares: tuple[float, ...] | None = None, preferred: float = 0.0) -> float:
    """Money a month a participant must spend on product themselves to stay qualified for pay.

    The larger of the required monthly purchase and, when own purchases count toward
    qualification and ``customers`` meet ``min_retail_customers``, the wholesale cost of the
    average products (:func:`evaluator.economics.average_order`) that make up the minimum
    personal volume ``customers`` retail customers a month leave uncovered, unless that
    takes more than ``MAX_TOP_UP`` products a month. The simulation's buy-to-qualify rule
    alike: nobody buys more than that, and nobody short of the customers buys at all
    (buying cannot qualify them). With a rank discount (schema v1.1) a newcomer holds
    (:func:`evaluator.economics.entry_discount`), at that rank's price. ``preferred``: preferred
    customers a month (schema v1.1), whose orders add to the personal volume when they count.
    """
    required = plan.costs.required_monthly_purchase
    q = plan.compensation.qualification
    unit = average_order(plan, "wholesale")
    if (q.own_purchases_count and q.min_personal_volume > 0 and unit.volume > 0
            and customers >= q.min_retail_customers):
        gap = q.min_personal_volume - customer_volume(plan, customers, shares)
        program = plan.compensation.preferred_customers
        if preferred and program is not None and program.counts_as_personal_volume is not False:
            gap -= preferred * preferred_order(plan, shares).volume
        products = gap / unit.volume
        # As in the simulation, nobody buys more than MAX_TOP_UP products a month to qualify.
        if products <= MAX_TOP_UP:
            required = max(required, products * unit.money)
    discount = entry_discount(plan)  # a newcomer's rank discount (schema v1.1), if any
    return required if discount is None else required * discounted_price(plan, discount)


def _simulated_top_ups(x: Inputs) -> str:
    """What the simulated participants bought to qualify, as a sentence ("" when not simulated).

    The simulated reading beside the structural one: how often people short of a target bought
    the shortfall, what it cost, and how often they passed it up as not worth it.
    """
    btq = x.sim("buying_to_qualify")
    if btq is None or btq.get("participant_month_share") is None:
        return ""
    passed = btq.get("not_worth_it_share")
    if btq.get("mean_purchase") is None and passed is None:
        return ""  # nobody was ever short of a target they could buy their way to
    why = (f" In {pct(passed)} of the months someone was short of a target they did not buy, "
           "because qualifying had paid them less than the product cost them."
           if passed is not None else "")
    if btq.get("mean_purchase") is None:
        return f" In the simulation nobody bought product only to qualify.{why}"
    return (
        f" In the simulation participants bought product only to qualify in "
        f"{pct(btq['participant_month_share'])} of their active months, about "
        f"{x.money(btq['mean_purchase'])} each time (incentivised purchases, FTC guidance).{why}"
    )


@indicator("pay_to_play_purchase", "Purchase required to stay qualified (pay-to-play)",
           "{currency} per month", "economics")
def _pay_to_play(x: Inputs) -> tuple[Value, str]:
    value, detail = _required_to_qualify(x)
    return value, detail + _simulated_top_ups(x)


def _required_to_qualify(x: Inputs) -> tuple[float, str]:
    """The structural reading: what the plan's rules make the typical participant buy."""
    customers, shares = _typical(x)
    share = preferred_share(x)
    value = qualifying_purchase(x.plan, customers * (1 - share), shares, customers * share)
    c = x.plan.costs
    if value <= 0:
        q = x.plan.compensation.qualification
        covered = ""
        if q.own_purchases_count and q.min_personal_volume > 0:
            covered = (
                f" ({customers:.3g} customers a month, as assumed at these prices, cover the "
                "qualifying volume)"
                if customers >= q.min_retail_customers
                else f" ({customers:.3g} customers a month, as assumed at these prices, are "
                "fewer than the "
                f"{q.min_retail_customers} qualifying needs, so buying product cannot "
                "qualify you)"
            )
        return 0.0, (
            f"No purchase of your own is required to stay active or qualify for pay{covered}."
        )
    autoship = " on auto-ship" if c.autoship_required else ""
    if value > c.required_monthly_purchase:
        how = (
            "to reach the personal volume of "
            f"{x.plan.compensation.qualification.min_personal_volume:g} that qualifies you for "
            f"pay, beyond what {customers:.3g} customers a month buy"
        )
    else:
        how = "to stay active or qualify for pay, whether or not you sell it"
    return value, f"You must buy about {x.money(value)} of product a month{autoship} {how}."


@indicator("customer_share_of_sales", "Share of sales going to non-participants",
           "share of sales", "economics")
def _customer_share_of_sales(x: Inputs) -> tuple[Value, str]:
    customers, shares = _typical(x)
    share = preferred_share(x)
    retail = customers * (1 - share)
    outside = customer_sales(x.plan, retail, shares)
    if share:  # preferred customers are outside customers, at the preferred price
        outside += customers * share * preferred_order(x.plan, shares).money
    own = (qualifying_purchase(x.plan, retail, shares, customers * share)
           + x.assumptions["extra_own_purchase"])
    if outside + own <= 0:
        return None, "Neither customers nor participants buy anything, so the share is unknown."
    value = outside / (outside + own)
    of_them = (f" ({customers * share:.3g} of them preferred customers, at the preferred price)"
               if share else "")
    detail = (
        f"A participant with {customers:.3g} customers a month{of_them} brings the company "
        f"{x.money(outside)} of customer sales and buys {x.money(own)} themselves: "
        f"{pct(value)} of the sales go to people outside the network (kits not counted)."
        + _simulated_sales(x)
    )
    gate = x.plan.compensation.qualification.min_customer_share
    if gate is None:
        return value, detail
    if gate.of == "downline" and gate.mode == "full" and gate.share > value:
        # The Vemma order's safeguard: no pay on a downline whose volume is not mostly sold to
        # customers. Every sale downline pay is earned on then goes at least that share outside.
        return gate.share, (
            f"{detail} But the plan pays no downline pay in a month unless at least "
            f"{pct(gate.share)} of one's whole group's volume is sold to customers outside the "
            f"network (a retail-share gate like the Vemma order's), so the sales that earn "
            f"downline pay go at least {pct(gate.share)} to non-participants. Ask how the "
            "company verifies those customers: a rule counts only if it is enforced."
        )
    whose = "one's own volume" if gate.of == "own" else "one's group's volume"
    how = ("scales downline pay down below it" if gate.mode == "pro_rata"
           else "pays no downline pay below it")
    return value, (
        f"{detail} The plan's retail-share gate ({pct(gate.share)} of {whose} sold to "
        f"customers, and it {how}) does not make the sales that earn downline pay mostly "
        "customer sales: only a gate on the whole group's volume that withholds all downline "
        "pay below it does that."
    )


def _simulated_sales(x: Inputs) -> str:
    """The simulated network's share of sales to outside customers, both readings of own use.

    Shown beside the typical participant's figure, which the indicator keeps: the simulated
    share is set mostly by how many outside customers a filling market leaves (the calibration
    table, benchmarks/calibration.py, shows the simulated customers per partner below the
    documented figure), so it is not firm enough to set the rubric's High-risk floor alone.
    """
    outside = x.sim("sales", "non_participant_share")
    if outside is None:
        return ""
    end_user = x.sim("sales", "end_user_share")
    return (
        f" Simulated: {pct(outside)} of product sales went outside the network "
        f"({pct(end_user)} with own use counted as demand); it depends on how full the market "
        "gets, so the score uses the typical participant's figure."
    )


@indicator("own_purchases_count", "Own purchases count toward qualification", "yes/no", "input")
def _own_purchases_count(x: Inputs) -> tuple[Value, str]:
    value = x.plan.compensation.qualification.own_purchases_count
    if value is None:
        return None, "The plan does not say whether your own purchases count toward qualification."
    if value:
        volume = x.plan.compensation.qualification.min_personal_volume
        threshold = f" (at least {volume:g} a month)" if volume > 0 else ""
        return True, (
            f"Your own purchases count toward the personal volume{threshold} that qualifies "
            "you and your upline for pay, so buying product yourself can stand in for selling it."
        )
    return False, "Only sales to customers count toward qualification, not your own purchases."


# ---------------------------------------------------------------------------------------------
# Recruiting rewards


def headhunting_fee(plan: Plan) -> float:
    """Money paid per person signed up, on sign-up, summed over levels (enrollment bonus)."""
    bonus = plan.compensation.component("enrollment_bonus")
    return float(sum(bonus.amounts)) if bonus is not None else 0.0


def first_order_bounty(plan: Plan) -> float:
    """Money a first-order bonus (schema v1.1) pays per recruit, summed over levels.

    Only a bonus of fixed amounts: a fixed sum per head, however much the recruit buys. One of
    rates pays on product volume, so it is 0 here.
    """
    bonus = plan.compensation.component("first_order_bonus")
    return float(sum(bonus.amounts)) if bonus is not None else 0.0


def _conditions(x: Inputs, kind: str) -> str:
    """The plain words of a bonus's schema v1.1 conditions (empty without any)."""
    c = x.plan.compensation.component(kind)
    if c is None:
        return ""
    words = []
    if c.min_recruit_order_volume > 0:
        words.append(f"when the recruit's first order reaches {c.min_recruit_order_volume:g} "
                     "of volume")
    if c.requires_rank is not None:
        words.append(f"to a recruiter who holds the rank {c.requires_rank}")
    return ", paid " + " and ".join(words) if words else ""


def _first_order_reading(x: Inputs) -> str:
    """What a first-order bonus of rates (schema v1.1) is, in plain words (empty without one).

    It pays a share of the product volume a recruit orders on joining: pay on a participant's
    own purchase (Omnitrition: not a sale to an ultimate user unless the recruit uses the
    product), not a fixed sum per head; the simulation counts its product part with own
    purchases and its kit part with recruiting.
    """
    c = x.plan.compensation.component("first_order_bonus")
    if c is None or not c.rates:
        return ""
    return (
        f" The first-order bonus ({_rates_text(c.rates)} of a recruit's first order"
        f"{_conditions(x, 'first_order_bonus')}) is not a bounty per head: it pays on product "
        "the recruit buys, counted as pay from own purchases (from sales to customers only for "
        "the share the recruit uses), and on a kit or package as pay for recruiting."
    )


def _rates_text(rates: tuple[float, ...]) -> str:
    return " / ".join(pct(r) for r in rates)


def paying_packages(plan: Plan) -> tuple[str, ...]:
    """Names of the enrollment packages (schema v1.1) that generate commissionable volume."""
    return tuple(p.name for p in plan.costs.packages if p.volume and p.price > 0)


@indicator("starter_kit_commissionable", "Starter kit or package generates pay", "yes/no", "input")
def _kit_commissionable(x: Inputs) -> tuple[Value, str]:
    c = x.plan.costs
    if c.packages:
        return _packages_commissionable(x)
    kit = c.starter_kit + c.inventory_package
    if c.starter_kit_commissionable and kit > 0:
        return True, (
            f"The {x.money(kit)} starter kit or package a recruit buys generates commissionable "
            "volume, so the recruiter and upline are paid for the sign-up itself."
        )
    if kit <= 0:
        return False, "A recruit buys no starter kit or package, so none can generate pay."
    if c.starter_kit_commissionable is None:
        return None, (
            f"It is not known whether the {x.money(kit)} starter kit or package a recruit buys "
            "generates pay for the recruiter and upline."
        )
    return False, "A recruit's starter kit or package does not generate pay for anyone."


def _packages_commissionable(x: Inputs) -> tuple[Value, str]:
    """:func:`_kit_commissionable` for a plan with enrollment packages."""
    c = x.plan.costs
    paying = paying_packages(x.plan)
    kit_pays = bool(c.starter_kit_commissionable and c.starter_kit > 0)
    if paying or kit_pays:
        what = []
        if paying:
            what.append(f"the {', '.join(paying)} package{'s' if len(paying) > 1 else ''}")
        if kit_pays:
            what.append("the starter kit")
        return True, (
            f"What a recruit buys on joining ({' and '.join(what)}) generates commissionable "
            "volume, so the recruiter and upline are paid for the sign-up itself."
        )
    unknown = [p.name for p in c.packages if p.volume is None and p.price > 0]
    if unknown or (c.starter_kit > 0 and c.starter_kit_commissionable is None):
        return None, (
            "It is not known whether what a recruit buys on joining (" +
            ", ".join(unknown + (["the starter kit"] if c.starter_kit > 0
                                 and c.starter_kit_commissionable is None else []))
            + ") generates pay for the recruiter and upline."
        )
    return False, "No enrollment package or kit a recruit buys generates pay for anyone."


@indicator("pays_for_recruiting_alone", "Pays for recruiting alone", "yes/no", "input")
def _pays_for_recruiting(x: Inputs) -> tuple[Value, str]:
    fee = headhunting_fee(x.plan)
    c = x.plan.costs
    kit = c.starter_kit + c.inventory_package
    reasons = []
    if fee > 0:
        reasons.append(f"an enrollment bonus of {x.money(fee)} per sign-up (all levels)"
                       f"{_conditions(x, 'enrollment_bonus')}")
    bounty = first_order_bounty(x.plan)
    if bounty > 0:
        reasons.append(f"a first-order bonus of {x.money(bounty)} per recruit (all levels)"
                       f"{_conditions(x, 'first_order_bonus')}, a fixed sum per head however "
                       "much of the product anyone uses")
    if c.starter_kit_commissionable and kit > 0:
        reasons.append(f"pay on the recruit's {x.money(kit)} starter kit or package")
    paying = paying_packages(x.plan)
    if paying:
        reasons.append(f"pay on the volume of the recruit's enrollment package "
                       f"({', '.join(paying)})")
    reading = _first_order_reading(x)
    if reasons:
        return True, (
            "The plan pays for signing people up, whether or not anyone sells to a customer: "
            + " and ".join(reasons) + "." + reading
        )
    return False, "Nothing is paid for a sign-up as such; pay needs product volume." + reading


def position_return_paid(plan: Plan) -> str | None:
    """What the plan's return on one's own position pays, in words; None when it pays nothing."""
    c = next((k for k in plan.compensation.components if k.type == "position_return"), None)
    if c is None:
        return None
    costs = plan.costs
    months = (f"for {c.months_paid} month{'s' if c.months_paid != 1 else ''} from joining"
              if c.months_paid is not None else "every month while active")
    if c.per_month is not None:
        if c.per_month <= 0:
            return None
        amount = formatting.money(c.per_month, costs.currency)
    else:
        prices = [p.price for p in costs.packages] or [costs.starter_kit + costs.inventory_package]
        if not c.rate_of_price or max(prices) <= 0:
            return None
        amount = f"{pct(c.rate_of_price)} of the price paid to join"
    task = f", for: {c.requires_task}" if c.requires_task else ""
    return f"{amount} a month {months}{task}"


@indicator("pays_return_on_position", "Pays a return on one's own position", "yes/no", "input")
def _pays_return_on_position(x: Inputs) -> tuple[Value, str]:
    paid = position_return_paid(x.plan)
    if paid is not None:
        return True, (
            f"The plan pays {paid}, for holding a position or package rather than for any "
            "sale; no customer pays for it, so it can only come from the money later recruits "
            "bring in."
        )
    if x.plan.schema_version == "1":
        return None, (
            "Plan schema v1 cannot state a return on one's own position (pay for holding a "
            "package or posting ads), so whether the plan pays one is not known."
        )
    return False, "The plan as entered pays nothing for merely holding a position or package."


@indicator("recruiting_reward_fraction", "Share of pay from recruiting", "share of all pay",
           "simulation")
def _recruiting_share(x: Inputs) -> tuple[Value, str]:
    value = x.sim("pay_sources", "enrollment")
    if value is None:
        return None, "The simulation paid nothing, so the share from recruiting is unknown."
    matching = _matching_beyond_enrollment(x)
    value += matching
    also = (
        f" It counts the {pct(matching)} of pay that were matching bonuses on recruits' pay "
        "from sales and purchases: a matching bonus pays for having recruited the earner."
        if x.sim("matching_bonus_sources") is not None else ""
    )
    if x.plan.compensation.has("first_order_bonus"):
        also += (" A first-order bonus counts here for its part paid on recruits' kits and "
                 "packages; its part paid on the product they buy counts with own purchases.")
    if position_return_paid(x.plan) is not None:
        also += (" It counts the returns on participants' own positions: no sale funds them, "
                 "so they are paid from the money recruits bring in.")
    return value, (
        f"In the simulation {pct(value)} of all pay came from recruiting: enrollment bonuses, "
        f"fast-start bonuses and pay on recruits' kits and packages.{also}"
    )


def _matching_beyond_enrollment(x: Inputs) -> float:
    """Share of all pay paid as matching bonuses on matched pay that is not from enrollment.

    Their enrollment part is in ``pay_sources.enrollment`` already; 0 without a matching bonus.
    """
    return sum(x.sim("matching_bonus_sources", s) or 0.0
               for s in ("customer_sales", "own_purchases"))


@indicator("customer_sales_pay_fraction", "Share of pay from sales to customers",
           "share of all pay", "simulation")
def _customer_share(x: Inputs) -> tuple[Value, str]:
    value = x.sim("pay_sources", "customer_sales")
    own = x.sim("pay_sources", "own_purchases")
    if value is None:
        return None, "The simulation paid nothing, so the share from customer sales is unknown."
    demand = x.sim("own_purchase_volume_demand_share")
    credited = ""
    if demand and own:
        # Pay on what participants bought for their own use, not because the plan required
        # or rewarded it, is pay on real demand (the verdict's reading of personal use), in
        # the share of the own-purchase volume those purchases are.
        used = own * demand
        value = value + used
        own = own - used
        credited = (
            f" That counts as customer sales the {pct(used)} of pay on what participants "
            "bought for their own use, as the Herbalife order counts verified "
            "personal-consumption sales; the rest of own purchases were required or "
            "made to qualify."
        )
    why = x.sim("purchases", "shares")
    bought = ""
    if why is not None and why.get("required") is not None:
        bought = (
            f" Bought: {pct(why['required'])} required, {pct(why['demand_driven'])} own use, "
            f"{pct(why['incentivised'])} to qualify or advance."
        )
    return value, (
        f"In the simulation {pct(value)} of all pay came from sales to people outside the "
        f"network and {pct(own)} from participants' own purchases.{credited}{bought}"
    )


@indicator("reported_retail_fraction", "Reported share of sales to non-participants",
           "share of sales", "disclosure")
def _reported_retail(x: Inputs) -> tuple[Value, str]:
    value = x.plan.disclosures.reported_retail_fraction
    if value is None:
        return None, "The company does not report what share of its sales go to non-participants."
    return value, f"The company reports that {pct(value)} of its sales go to non-participants."


# ---------------------------------------------------------------------------------------------
# Retail economics


@indicator("retail_margin", "Retail profit per sale", "share of the retail price", "economics")
def _retail_margin(x: Inputs) -> tuple[Value, str]:
    profit = x.economics.profit_per_customer_per_month
    value = profit / x.plan.mean_retail
    return value, (
        f"Selling one product to a customer earns you {x.money(profit)}, {pct(value)} of its "
        "retail price (margin and retail commission)."
    )


@indicator("price_premium_fraction", "Price premium over a comparable product",
           "share above the comparable price", "economics")
def _premium(x: Inputs) -> tuple[Value, str]:
    value = x.economics.price_premium_fraction
    if value is None:
        return None, "No comparable product price was entered, so the price premium is unknown."
    sources = [p.comparable_source for p in x.plan.products if p.comparable_source]
    where = f" ({'; '.join(sources)})" if sources else ""
    side = "above" if value >= 0 else "below"
    return value, (
        f"The retail price is {pct(abs(value))} {side} a comparable product{where}: "
        "customers outside the network would pay that much more."
    )


@indicator("break_even_customers_per_month", "Customers needed each month to break even",
           "customers per month (count)", "economics")
def _be_customers(x: Inputs) -> tuple[Value, str]:
    value = x.economics.break_even_customers_per_month
    if value is None:
        return None, (
            "Never: a sale to a customer earns you nothing, so no number of customers covers "
            f"the {x.money(x.economics.monthly_cost)} monthly cost."
        )
    pref = x.economics.preferred_customers  # schema v1.1: customers in the assumed mix
    who = counted(value, "retail customer") if pref is None else (
        f"{counted(value, 'customer')} ({pct(pref.share)} of them preferred customers, as "
        "assumed)")
    return value, (
        f"You need {who} every month to cover the "
        f"{x.money(x.economics.monthly_cost)} monthly cost{_less_return(x)}."
    )


def _less_return(x: Inputs) -> str:
    """What the break-even sentences add for a return on one's own position (schema v1.1).

    ``, less the $20 a month return on your own position`` for a return paid every month while
    active (:attr:`evaluator.economics.PositionReturn.for_good`), which the break-even figures
    subtract from the monthly cost; empty otherwise.
    """
    held = x.economics.position_return
    if held is None or held.for_good == 0:
        return ""
    return f", less the {x.money(held.for_good)} a month return on your own position"


@indicator("payback_months", "Months to earn back the start-up cost", "months (count)",
           "economics")
def _payback(x: Inputs) -> tuple[Value, str]:
    value = x.economics.payback_months
    held = x.economics.position_return  # schema v1.1: paid whatever one sells
    counting = "" if held is None else (
        f", counting the return on your own position ({x.money(held.per_month)} a month "
        + (f"for {counted(held.months, 'month')} from joining)" if held.months is not None
           else "while active)"))
    if value is None:
        if held is not None:
            return None, (
                "Never: with the assumed typical number of customers and no recruits"
                f"{counting}, pay never adds up to the start-up cost after the monthly cost."
            )
        return None, (
            "Never: with the assumed typical number of customers and no recruits, monthly pay "
            "does not cover the monthly cost, so the start-up cost is never earned back."
        )
    return value, (
        f"With the assumed typical number of customers and no recruits{counting}, earning "
        f"back the {x.money(x.economics.startup_cost)} start-up cost takes "
        f"{counted(value, 'month')}."
    )


@indicator("break_even_active_recruits", "Active recruits needed each month to break even",
           "recruits (count)", "economics")
def _be_recruits(x: Inputs) -> tuple[Value, str]:
    value = x.economics.break_even_active_recruits
    if value is None:
        return None, (
            "Recruits' purchases pay you nothing directly, so recruiting cannot cover costs."
        )
    less = _less_return(x)
    return value, (
        f"Covering the {x.money(x.economics.monthly_cost)} monthly cost{less}{',' if less else ''}"
        f" from recruits' required purchases takes {counted(value, 'active personal recruit')}."
    )


@indicator("recruitment_depth_exceeding_market", "Downline depth that exceeds the market",
           "levels (count)", "economics")
def _depth(x: Inputs) -> tuple[Value, str]:
    r = x.economics.recruitment
    value = r.get("depth_exceeding_market")
    if value is None:
        return None, (
            "No one needs more than one active recruit to break even, so the recruitment "
            "chain need not outgrow the market."
        )
    return value, (
        f"If everyone needs {r['recruits_needed_each']} active recruits to break even, level "
        f"{value} of a downline holds more people than the {r['market_size']:,}-person market: "
        f"{r['people_below_needed']:,} people would have to join below you."
    )


@indicator("paid_levels", "Number of paid levels", "levels (count)", "input")
def _levels(x: Inputs) -> tuple[Value, str]:
    comp = x.plan.compensation
    depth = max((c.levels for c in comp.components), default=0)
    # a rank's own unilevel rates (schema v1.1) pay as many levels as the list holds
    depth = max([depth, *(len(r.unilevel_rates or ()) for r in comp.ranks)])
    unlocked = max((r.unlocks_levels or 0 for r in comp.ranks), default=0)
    value = max(depth, unlocked, 1 if comp.components else 0)
    return value, f"The plan pays on {value} level{'s' if value != 1 else ''} of the downline."


@indicator("buyback_refund_fraction", "Buyback of unsold product", "share of price refunded",
           "input")
def _buyback(x: Inputs) -> tuple[Value, str]:
    b = x.plan.buyback
    if b.offered is None:
        return None, "The plan does not say whether unsold product can be returned for a refund."
    if not b.offered:
        return 0.0, "Unsold product cannot be returned for a refund."
    if b.refund_fraction is None:
        return None, "A buyback is offered, but the share of the price refunded is not stated."
    window = f" within {b.window_days} days" if b.window_days else ""
    return b.refund_fraction, (
        f"Unsold product can be returned{window} for {pct(b.refund_fraction)} of what you paid."
    )


# ---------------------------------------------------------------------------------------------
# Outcomes in the simulation


@indicator("fraction_losing_money", "Participants losing money", "share of participants",
           "simulation")
def _losing(x: Inputs) -> tuple[Value, str]:
    value = x.sim("fraction_losing_money")
    median = x.sim("median_net_income")
    if value is None:
        return None, "The simulation had no participants to count."
    return value, (
        f"In the simulation {pct(value)} of everyone who joined lost money once costs are "
        f"counted; the median result was {x.money(median)}."
    )


@indicator("late_joiner_fraction_losing_money", "Late joiners losing money",
           "share of late joiners", "simulation")
def _late_losing(x: Inputs) -> tuple[Value, str]:
    value = x.sim("late_joiners", "fraction_losing_money")
    median = x.sim("late_joiners", "median_net_income")
    definition = x.sim("late_joiners", "definition") or "joined in the second half"
    if value is None:
        return None, f"In the simulation nobody {definition}."
    return value, (
        f"Of participants who {definition}, {pct(value)} lost money; the median result was "
        f"{x.money(median)}."
    )


@indicator("top_1pct_pay_share", "Share of all pay going to the top 1%", "share of all pay",
           "simulation")
def _top1(x: Inputs) -> tuple[Value, str]:
    value = x.sim("top_1pct_pay_share")
    top10 = x.sim("top_10pct_pay_share")
    if value is None:
        return None, "The simulation paid nobody, so the share of the top 1% is unknown."
    return value, (
        f"The top 1% of participants received {pct(value)} of all pay in the simulation "
        f"(the top 10% received {pct(top10)})."
    )


@indicator("fraction_recruited_nobody", "Participants who recruited nobody",
           "share of participants", "simulation")
def _recruited_nobody(x: Inputs) -> tuple[Value, str]:
    value = x.sim("fraction_recruited_nobody")
    if value is None:
        return None, "The simulation had no participants to count."
    return value, f"In the simulation {pct(value)} of participants never recruited anyone."


# ---------------------------------------------------------------------------------------------
# Disclosures and claims


@indicator("income_disclosure_published", "Income disclosure published", "yes/no", "disclosure")
def _ids_published(x: Inputs) -> tuple[Value, str]:
    d = x.plan.disclosures.income_disclosure
    if d is None:
        return False, "No income disclosure statement was entered for this company."
    year = f" for {d.year}" if d.year else ""
    return True, f"The company publishes an income disclosure statement{year}."


def _has_disclosure(x: Inputs) -> bool:
    return x.plan.disclosures.income_disclosure is not None


@indicator("income_disclosure_net_of_costs", "Income disclosure counts participants' costs",
           "yes/no", "disclosure", applies=_has_disclosure)
def _ids_net(x: Inputs) -> tuple[Value, str]:
    d = x.plan.disclosures.income_disclosure
    if d is None or d.net_of_costs is None:
        return None, "It is not known whether the income disclosure subtracts participants' costs."
    if d.net_of_costs:
        return True, "The income disclosure reports earnings after participants' costs."
    return False, (
        "The income disclosure reports gross pay before participants' costs, so it overstates "
        "what they keep."
    )


@indicator("disclosed_fraction_earning_nothing", "Disclosed share earning nothing",
           "share of participants", "disclosure", applies=_has_disclosure)
def _ids_nothing(x: Inputs) -> tuple[Value, str]:
    d = x.plan.disclosures.income_disclosure
    if d is None or d.fraction_earning_nothing is None:
        return None, "The plan does not state what share of participants earned nothing."
    median = (
        f"; median annual gross pay {x.money(d.median_annual_gross)}"
        if d.median_annual_gross is not None
        else ""
    )
    return d.fraction_earning_nothing, (
        f"The company's own disclosure says {pct(d.fraction_earning_nothing)} of participants "
        f"earned nothing{median}."
    )


@indicator("disclosure_rosier_than_simulation", "Disclosure rosier than the simulation",
           "share of participants", "disclosure", applies=_has_disclosure)
def _ids_vs_sim(x: Inputs) -> tuple[Value, str]:
    d = x.plan.disclosures.income_disclosure
    # Income disclosures count what the company paid; retail margin, which customers pay the
    # participant, is not in them, so the simulation's figures here leave it out too.
    simulated = x.sim("fraction_paid_nothing_by_company")
    if d is None or d.fraction_earning_nothing is None or simulated is None:
        return None, "There is no disclosed share earning nothing to hold against the simulation."
    gap = simulated - d.fraction_earning_nothing
    sim_median = x.sim("median_annual_pay_from_company")
    medians = ""
    if d.median_annual_gross is not None and sim_median is not None:
        medians = (
            f" Median annual gross pay from the company: disclosed "
            f"{x.money(d.median_annual_gross)}, simulated {x.money(sim_median)}."
        )
    reading = ""
    if gap < 0:
        reading = (
            " The disclosure is bleaker than the simulation, so the simulation's assumptions "
            "may be too generous for this plan."
        )
    elif gap > 0:
        reading = " The disclosure is rosier than a simulation of the plan it describes."
    return gap, (
        f"The disclosure says {pct(d.fraction_earning_nothing)} earned nothing; the simulation "
        f"of this plan shows {pct(simulated)} paid nothing by the company (retail margin, "
        f"which income disclosures leave out, aside), {pct(abs(gap)).removesuffix('%')} "
        "percentage points "
        f"{'more' if gap >= 0 else 'fewer'}.{medians}{reading}"
    )


@indicator("income_claims_without_typical_results", "Income claims without typical results",
           "claims (count)", "disclosure")
def _claims(x: Inputs) -> tuple[Value, str]:
    claims = x.plan.disclosures.income_claims
    d = x.plan.disclosures.income_disclosure
    typical = d is not None and d.median_annual_gross is not None
    if claims is None:
        return None, "Whether the offer comes with income claims is not known: none were entered."
    if not claims:
        return 0, "No income claims were made, as entered."
    quoted = "; ".join(f"“{c}”" for c in claims[:3])
    if typical:
        return 0, (
            f"Income claims ({quoted}) sit beside a disclosure of typical (median) pay of "
            f"{x.money(d.median_annual_gross if d else None)} a year."
        )
    return len(claims), (
        f"{len(claims)} income claim{'s' if len(claims) != 1 else ''} ({quoted}) "
        "without the typical participant's results beside them."
    )


INDICATORS: Mapping[str, IndicatorSpec] = MappingProxyType(_REGISTRY)
"""Every indicator the tool computes, by ID, in the order they are reported."""
