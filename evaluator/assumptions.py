"""One table of assumptions: name, default, unit, meaning and source.

The same table feeds ``--set NAME=VALUE``, the web form, the report's appendix and the docs.
Defaults are grounded in docs/SOURCES.md (the keys in ``cites`` name its entries); where no
source gives a figure, the source says plainly that the value is the tool's choice to change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from evaluator.errors import AssumptionError, FieldError
from evaluator.numbers import Kind, NumberError, read_number


@dataclass(frozen=True)
class AssumptionSpec:
    """One row of the assumptions table."""

    name: str
    default: float
    unit: str
    meaning: str
    source: str
    minimum: float
    maximum: float
    integer: bool = False
    cites: tuple[str, ...] = ()
    label: str = ""
    used_by: str = ""
    """The schema v1.1 plan field whose rule alone reads this assumption ("": every plan).

    A plan without that field is not affected by it, so its evaluation leaves the row out."""

    @property
    def kind(self) -> Kind:
        """How typed text for this assumption is read (evaluator/numbers.py).

        A whole number, a fraction (range 0 to 1, ``6%`` allowed), an amount of money, or a number.
        """
        if self.integer:
            return "integer"
        if (self.minimum, self.maximum) == (0, 1):
            return "fraction"
        return "money" if self.unit.startswith("money") else "number"

    def parse(self, raw: Any) -> float | int:
        """Check and convert a user value; raise AssumptionError if bad.

        The value is text (read by evaluator/numbers.py) or a number.
        """
        where = f"assumptions.{self.name}"
        value: float
        if isinstance(raw, bool):
            raise AssumptionError([FieldError(where, f"{raw} is not a number", raw)])
        if isinstance(raw, str):
            try:
                value = read_number(raw, self.kind)
            except NumberError as exc:
                raise AssumptionError([FieldError(where, str(exc), raw)]) from None
        elif isinstance(raw, int | float):
            value = float(raw)
        else:
            raise AssumptionError([FieldError(where, f"{raw!r} is not a number", raw)])
        if not math.isfinite(value):
            raise AssumptionError([FieldError(where, f"{raw} is not a finite number", raw)])
        if self.integer and value != int(value):
            raise AssumptionError([FieldError(where, f"{raw} is not a whole number", raw)])
        if not self.minimum <= value <= self.maximum:
            raise AssumptionError(
                [
                    FieldError(
                        where,
                        f"{raw} is outside the allowed range {_fmt(self.minimum)} to "
                        f"{_fmt(self.maximum)} ({self.unit})",
                        raw,
                    )
                ]
            )
        return int(value) if self.integer else value


def _fmt(x: float) -> str:
    return f"{int(x):,}" if x == int(x) else f"{x:g}"


ASSUMPTIONS: tuple[AssumptionSpec, ...] = (
    AssumptionSpec(
        "market_size", 1_000_000, "people",
        "People the company can reach as participants or customers: the finite market that "
        "recruiting and retail demand both draw from.",
        "Tool default; no source gives a market size for an unnamed offer. Set it to the "
        "reachable population of the company's market. With the default initial network and "
        "recruiting rate a new network fills nearly all of it within the 60-month horizon, so "
        "late joiners face a saturated market (Gastwirth 1977).",
        1_000, 1e10, integer=True, cites=("gastwirth1977",), label="Market size",
    ),
    AssumptionSpec(
        "initial_participants", 1_000, "people",
        "Participants in the network at the start of the simulation (month 0).",
        "Tool default: a young company, 0.1% of the default market. Raise it to the company's "
        "reported size to model joining an established network.",
        1, 1_000_000, integer=True, label="Initial participants",
    ),
    AssumptionSpec(
        "recruit_rate", 0.35, "recruits per active participant per month (empty market)",
        "Chance that an active participant recruits someone in a month while the market is "
        "still empty; it falls in proportion as the market saturates (Bass-style imitation).",
        "Adoption in MLMs spreads almost entirely through interpersonal influence "
        "(Bosley & McKeage 2015). The rate is the tool's choice, no source gives one: at the "
        "default churn it makes a new network grow, fill about half the default market by "
        "month 28 and nearly all of it by month 60, so the simulation shows both the early "
        "growth and the saturation that late joiners meet (Gastwirth 1977: in a finite pool "
        "only the early joiners can expect to recruit anyone).",
        0, 2, cites=("bosley2015", "gastwirth1977"), label="Recruiting rate",
    ),
    AssumptionSpec(
        "monthly_churn", 0.06, "share of active participants per month",
        "Chance that an active participant quits in a month.",
        "Nearly half of Herbalife's distributors quit each year and most stop ordering in "
        "year one (Herbalife order 2016); Neora's median partner tenure was about 8 months; "
        "docs/SOURCES.md finds about 6% a month defensible.",
        0, 1, cites=("herbalife_order", "neora"), label="Monthly churn",
    ),
    AssumptionSpec(
        "loss_churn_boost", 0.04, "added share per month",
        "Extra monthly chance of quitting for a participant whose pay so far is below their "
        "costs so far.",
        "At least 94% of Fortune Hi-Tech participants did not renew after a year (FHTM 2013); "
        "the size of the extra is the tool's choice to change.",
        0, 1, cites=("fhtm",), label="Extra churn when losing money",
    ),
    AssumptionSpec(
        "customers_per_participant", 2.0, "retail customers per participant per month (mean)",
        "Average number of outside customers a participant serves in a month once their book "
        "of returning customers is built (see customer_tenure), at par prices (see "
        "price_elasticity); each buys one product a month, in the mix the products' prices "
        "draw. The typical participant has fewer (see customer_skew).",
        "The DSA counts about 6 customers per seller a year (DSA 2021-22); Neora had about 5 "
        "preferred customers per active partner (Neora 2023).",
        0, 100, cites=("dsa", "neora"), label="Customers per participant",
    ),
    AssumptionSpec(
        "customer_skew", 1.5, "log-normal sigma",
        "How unevenly customers are spread: 0 gives everyone the mean; larger values give "
        "most participants almost none and a few many.",
        "Half of Herbalife Sales Leaders averaged under $5 a month of retail sales "
        "(Herbalife order 2016): most sell almost nothing, a few sell a lot.",
        0, 4, cites=("herbalife_order",), label="Customer skew",
    ),
    AssumptionSpec(
        "extra_own_purchase", 0.0, "money per participant per month",
        "Product a participant buys for themselves beyond the required purchase.",
        "Tool default (none); raise it where participants are pushed to buy to reach a rank.",
        0, 100_000, label="Extra own purchases",
    ),
    AssumptionSpec(
        "personal_use_value", 0.0, "share of the required purchase",
        "Share of the required monthly purchase the person would have bought anyway at that "
        "price; it is not counted as a cost.",
        "Tool default: no credit unless the user says the product is worth its price to "
        "them.",
        0, 1, label="Personal-use value",
    ),
    AssumptionSpec(
        "horizon_months", 60, "months",
        "How long the simulated network runs.",
        "Tool default: five years, long enough to show saturation and late joiners.",
        6, 240, integer=True, label="Horizon",
    ),
    AssumptionSpec(
        "max_participants", 20_000, "simulated participants",
        "Most participants a simulated network holds. A deterministic mean-field projection "
        "of the model (expected recruits each month, churn at the base rate) gives the people "
        "ever joined by the horizon; when that exceeds this number, one simulated participant "
        "stands for projected / max_participants people (the scale), and the simulated "
        "market and initial network (at least 20 founders) are scaled down alike.",
        "Tool default: large enough for stable percentiles, top-1% shares and late-joiner "
        "figures, small enough to evaluate in about a second.",
        100, 5_000_000, integer=True, label="Simulated participants (most)",
    ),
    AssumptionSpec(
        "runs", 5, "runs",
        "Monte-Carlo runs, each with its own child seed; figures are reported as a mean with "
        "a 90% interval.",
        "Tool default.",
        1, 200, integer=True, label="Monte-Carlo runs",
    ),
    AssumptionSpec(
        "buy_to_qualify", 1.0, "share of participants",
        "Share of participants who buy the shortfall themselves to be paid when own purchases "
        "count toward qualification, they have at least one active recruit and their personal "
        "volume is short of what qualification (or the rank their group already earns) "
        "requires. The purchase is a cost, counts as their own-purchase volume and pays their "
        "upline as pay from own purchases.",
        "Pay on participants' own orders is the pattern courts found facially unrelated to "
        "retail sales (Webster v. Omnitrition 1996); FTC staff guidance warns that purchases "
        "incentivised to qualify or advance mean a substantial share of participants lose "
        "money. How many buy is the tool's choice: by default all who can.",
        0, 1, cites=("omnitrition", "ftc_guidance"), label="Buy to qualify",
    ),
    AssumptionSpec(
        "top_up_pay_check", 1, "0 or 1",
        "1: a participant short of a target buys the shortfall only when what qualifying paid "
        "them the last month they were qualified (pay from every component but retail margin "
        "and retail commission) exceeds the products' cost less their worth to them (their "
        "kind's use value of the price); one never qualified yet buys. The worth of what they "
        "buy is credited like other product they use. 0: everyone short buys, and the product "
        "is worth nothing to them (engine 0.3.0). Where ranks carry a bigger discount, what "
        "the rank saves on the month's own purchases and adds to the retail margin, over the "
        "months it lasts, counts too, and those whom qualifying earns no downline pay (members, "
        "anyone without an active recruit) buy toward such a rank when that beats the cost "
        "less the worth of the product they would use.",
        "FTC staff guidance counts purchases made to qualify as incentivised when the reward "
        "is what moves them; weighing last month's pay and a rank's discount against the net "
        "cost, and buying before the first qualified month, is the tool's choice.",
        0, 1, integer=True, cites=("ftc_guidance",), label="Buy to qualify only when it pays",
    ),
    AssumptionSpec(
        "hours_per_week", 0, "hours per week",
        "Hours a week the person puts into the business; with hour_value it prices their "
        "time in the bottom line. 0 means time is not counted.",
        "The tool's choice: none by default, so time is not counted unless you enter it (as "
        "true-cost calculators ask).",
        0, 168, label="Hours a week",
    ),
    AssumptionSpec(
        "hour_value", 0, "money per hour",
        "What an hour of the person's time is worth to them (a job's hourly pay, say); with "
        "hours_per_week it prices their time in the bottom line. 0 means time is not counted.",
        "The tool's choice: none by default, so time is not counted unless you enter it.",
        0, 10_000, label="Value of an hour",
    ),
    # The behaviour model: participants of three kinds, drawn at joining (see
    # evaluator.simulation.network). Setting member_share and seller_share to 0 makes
    # everyone a builder, who behaves as every participant did before the kinds existed.
    AssumptionSpec(
        "member_share", 0.73, "share of recruits",
        "Share of recruits who join as discount members: they buy for their own use, value "
        "what they buy, rarely recruit or sell, have no business expenses and buy to qualify "
        "only toward a rank whose bigger discount pays for itself. 0 (with seller_share 0) "
        "makes everyone a builder.",
        "herbalife_order: FTC v. Herbalife (2016): the company's own survey found about 73% "
        "of members joined primarily for the discount (complaint, as summarised by "
        "BehindMLM) [secondary].",
        0, 1, cites=("herbalife_order",), label="Discount members",
    ),
    AssumptionSpec(
        "seller_share", 0.5, "share of recruits who are not discount members",
        "Share of the other recruits who are part-time sellers (they sell, recruit little, "
        "pay business expenses); the rest are builders, who recruit, pay business expenses "
        "and buy to qualify and to advance. Founders are drawn alike.",
        "The tool's choice: herbalife_order: FTC v. Herbalife (2016) found about 22% of "
        "members had sponsored anyone (complaint, as summarised by BehindMLM) [secondary]; "
        "splitting the rest evenly leaves builders and members together near that share.",
        0, 1, cites=("herbalife_order",), label="Part-time sellers",
    ),
    AssumptionSpec(
        "member_recruit_factor", 0.01, "times a builder's recruiting",
        "How much a discount member recruits, as a multiple of a builder's recruiting. The "
        "kinds' factors are taken over their mean, so recruit_rate stays the average "
        "participant's rate.",
        "The tool's choice, set from herbalife_order: in FTC v. Herbalife (2016) about 22% of "
        "members had sponsored anyone and about 73% joined primarily for the discount "
        "(complaint, as summarised by BehindMLM) [secondary]. Even if no other member had "
        "sponsored anyone, at most 22/73 = 30% of those who joined for the discount had; "
        "with sellers and builders sponsoring as the model has them (about 60% and 85% of "
        "those in the network at the horizon), about 3%. At 0.01, of those in the network at "
        "the horizon on the sample modelled on the case (nutrition_club_plan), 21% to 24% "
        "have sponsored anyone over four seeds, 7% of its discount members; 0.1, the default "
        "before engine 0.8.0, gave 42% to 43% and 35%.",
        0, 10, cites=("herbalife_order",), label="Members' recruiting",
    ),
    AssumptionSpec(
        "seller_recruit_factor", 0.3, "times a builder's recruiting",
        "How much a part-time seller recruits, as a multiple of a builder's recruiting (see "
        "member_recruit_factor).",
        "The tool's choice: sellers mostly sell; no source gives their recruiting.",
        0, 10, label="Sellers' recruiting",
    ),
    AssumptionSpec(
        "member_customer_factor", 0.1, "times a builder's customers",
        "How many outside customers a discount member serves, as a multiple of a builder's. "
        "The kinds' factors are taken over their mean, so customers_per_participant stays "
        "the average participant's customers.",
        "The tool's choice: members buy for their own use and seldom sell "
        "(herbalife_order: FTC v. Herbalife (2016), about 73% joined for the discount) "
        "[secondary].",
        0, 10, cites=("herbalife_order",), label="Members' customers",
    ),
    AssumptionSpec(
        "seller_customer_factor", 1.5, "times a builder's customers",
        "How many outside customers a part-time seller serves, as a multiple of a builder's "
        "(see member_customer_factor).",
        "The tool's choice: selling is what sellers do; no source gives the figure.",
        0, 10, label="Sellers' customers",
    ),
    AssumptionSpec(
        "member_own_products", 1.0, "products per month (mean)",
        "Products a discount member buys each month at wholesale for their own use, beyond "
        "any required purchase (a demand-driven purchase).",
        "The tool's choice: members join for the discount on what they use "
        "(herbalife_order: FTC v. Herbalife (2016), about 73% joined for the discount) "
        "[secondary].",
        0, 100, cites=("herbalife_order",), label="Members' own use",
    ),
    AssumptionSpec(
        "seller_own_products", 0.5, "products per month (mean)",
        "Products a part-time seller buys each month at wholesale for their own use, beyond "
        "any required purchase (a demand-driven purchase).",
        "The tool's choice: no source gives the figure.",
        0, 100, label="Sellers' own use",
    ),
    AssumptionSpec(
        "builder_own_products", 0.5, "products per month (mean)",
        "Products a builder buys each month at wholesale for their own use, beyond any "
        "required purchase and any purchase made to qualify (a demand-driven purchase).",
        "The tool's choice: no source gives the figure.",
        0, 100, label="Builders' own use",
    ),
    AssumptionSpec(
        "member_use_value", 1.0, "share of the price",
        "What the product a discount member buys (required purchase included) is worth to "
        "them, as a share of its worth: its retail price, or a comparable product's price "
        "when lower. That worth is credited against what they paid.",
        "The tool's choice: a member who joined for the discount buys what they would buy "
        "anyway, at a discount; the Neora court (neora: FTC v. Neora (2023)) credited "
        "products participants use, Vander Nat & Keep (2002) do not. Both readings are "
        "reported.",
        0, 1, cites=("neora",), label="Members' value of product",
    ),
    AssumptionSpec(
        "seller_use_value", 0.75, "share of the price",
        "What a part-time seller's own-use products are worth to them, as a share of their "
        "worth (retail price, or a comparable product's when lower), credited against what "
        "they paid; their required purchase is credited at personal_use_value.",
        "The tool's choice: no source gives the figure.",
        0, 1, label="Sellers' value of product",
    ),
    AssumptionSpec(
        "builder_use_value", 0.5, "share of the price",
        "What a builder's own-use products are worth to them, as a share of their worth "
        "(retail price, or a comparable product's when lower), credited against what they "
        "paid; their required purchase is credited at personal_use_value.",
        "The tool's choice: builders buy partly to stay in the business; no source gives "
        "the figure.",
        0, 1, label="Builders' value of product",
    ),
    AssumptionSpec(
        "recruit_pay_response", 0.1, "added share of recruiting per product's worth of pay",
        "How much more participants recruit where a sign-up pays: a seller's and a builder's "
        "recruiting is multiplied by 1 + this x (the sponsor's pay for one sign-up: enrollment "
        "bonus, fast start, pay on a commissionable kit) / the mean retail price; a discount "
        "member's is not, so where a sign-up pays, recruiting shifts to sellers and builders. "
        "recruit_rate is multiplied by the kinds' mean response and divided as "
        "join_cost_response says.",
        "The tool's choice: FTC staff guidance (ftc_guidance: FTC, Business Guidance "
        "Concerning Multi-Level Marketing) holds that rewards for recruiting drive recruiting "
        "rather than sales; no source gives the size. That members, who join for the discount, "
        "do not recruit for pay is the tool's choice too. 0 (with join_cost_response 0) leaves "
        "recruit_rate as it is.",
        0, 10, cites=("ftc_guidance",), label="Recruiting answers to pay",
    ),
    AssumptionSpec(
        "join_cost_response", 0.02, "lost share of sign-ups per product's worth of cost",
        "How many fewer people join where joining costs more: recruit_rate is divided by "
        "1 + this x the start-up cost / the mean retail price.",
        "The tool's choice: no source gives how sign-ups fall with the cost of joining.",
        0, 10, label="Sign-ups answer to joining cost",
    ),
    AssumptionSpec(
        "package_load_response", 0.5, "added weight per rank step the package gives",
        "How much more recruits choose an enrollment package that gives a rank: a package's "
        "share (the plan's estimate) is weighted by 1 + this x the kind's recruiting factor "
        "(member_recruit_factor, seller_recruit_factor, a builder's 1) x the position of the "
        "rank it gives (1 for the first rank), then the shares are rescaled to add up to 1. "
        "The price above the cheapest package of a package that gives a rank is counted as "
        "an incentivised purchase. Only plans with enrollment packages use it.",
        "The tool's choice: FTC staff guidance (ftc_guidance: FTC, Business Guidance "
        "Concerning Multi-Level Marketing) counts purchases made to qualify or advance as "
        "incentivised, not as demand; BurnLounge's packages (burnlounge: 96.8% of package "
        "buyers became Moguls) show buyers loading up for what a package unlocks. No source "
        "gives the size. 0 keeps the plan's shares.",
        0, 10, cites=("ftc_guidance", "burnlounge"), label="Packages answer to what they unlock",
        used_by="costs.packages",
    ),
    # Retail demand (issue 18 item 3): customers answer to price and return for a tenure
    # (see evaluator.economics.retail_demand and evaluator.simulation.network).
    AssumptionSpec(
        "price_elasticity", 1.5, "share of customers lost per share of price premium",
        "How outside customers answer to price: a product at r times its comparable market "
        "price draws r to the power -elasticity as many customers as one at par, and "
        "customers choose among the plan's products in proportion to that pull. A product "
        "with no comparable price entered is taken to be at par (no loss). 0 makes price "
        "irrelevant.",
        "The tool's choice: docs/SOURCES.md finds no independent study of MLM price "
        "premiums; 1.5 is a moderate constant elasticity for a branded product beside close "
        "substitutes, so a product at twice its comparable's price keeps about 35% of the "
        "customers it would have at par.",
        0, 10, label="Customers answer to price",
    ),
    AssumptionSpec(
        "customer_tenure", 3.0, "months (mean)",
        "How long an outside customer keeps buying from the same participant: each month a "
        "customer returns with chance 1 - 1/tenure, and new customers come at "
        "customers_per_participant / tenure a month, so a participant builds up a book of "
        "about customers_per_participant. 1 makes every month's customers new strangers.",
        "neora: FTC v. Neora (2023): preferred customers' median tenure was about 2 months "
        "[secondary]; a mean of 3 months (a return chance of 2/3 a month) gives a median of "
        "2 months.",
        1, 120, cites=("neora",), label="Customer tenure",
    ),
    AssumptionSpec(
        "former_customer_share", 0.25, "share of those who quit",
        "Share of the participants who quit who stay on as customers of the person who "
        "recruited them, if that person is still active: they join that person's book of "
        "returning customers and, like any customer, return each month with chance "
        "1 - 1/customer_tenure. 0: those who quit never buy again (engine 0.4.0).",
        "The tool's choice: no source gives the share; it is kept below half because most of "
        "Herbalife's distributors stop ordering within their first year (herbalife_order: FTC "
        "v. Herbalife (2016)) [secondary].",
        0, 1, cites=("herbalife_order",), label="Former participants who stay customers",
    ),
    # Preferred customers (schema v1.1 compensation.preferred_customers; issue 19 rule 10).
    AssumptionSpec(
        "preferred_customer_share", 0.5, "share of customers",
        "In a plan with a preferred-customer program, the share of each participant's outside "
        "customers (customers_per_participant) who enrol as preferred customers: they keep "
        "their own book, with their own tenure (preferred_customer_tenure), and buy one "
        "product a month at the preferred price; the rest stay retail customers. Only plans "
        "with a preferred-customer program use it.",
        "The tool's choice: neora (FTC v. Neora, 2023) counts about 5 preferred customers "
        "per active partner but gives no count of its retail customers, so no source gives "
        "the split; one half is a middle guess.",
        0, 1, cites=("neora",), label="Share of customers who enrol as preferred",
        used_by="compensation.preferred_customers",
    ),
    AssumptionSpec(
        "preferred_customer_tenure", 3.0, "months (mean)",
        "How long a preferred customer keeps ordering: each month one returns with chance "
        "1 - 1/tenure, and new ones come at their share of customers_per_participant / "
        "tenure a month. Only plans with a preferred-customer program use it.",
        "neora: FTC v. Neora (2023): preferred customers' median tenure was about 2 months "
        "[secondary]; a mean of 3 months (a return chance of 2/3 a month) gives a median of "
        "2 months.",
        1, 120, cites=("neora",), label="Preferred customer tenure",
        used_by="compensation.preferred_customers",
    ),
)

SPECS: Mapping[str, AssumptionSpec] = MappingProxyType({a.name: a for a in ASSUMPTIONS})

BEHAVIOUR_NEUTRAL: Mapping[str, float] = MappingProxyType({
    "member_share": 0.0, "seller_share": 0.0, "builder_own_products": 0.0,
    "recruit_pay_response": 0.0, "join_cost_response": 0.0, "package_load_response": 0.0,
    "price_elasticity": 0.0, "customer_tenure": 1.0, "top_up_pay_check": 0,
    "former_customer_share": 0.0,
})
"""The behaviour model's neutral values: everyone a builder who buys only what the plan
requires and what qualifying takes, as every participant did before the kinds existed, and
customers who ignore price and are new strangers every month (engine 0.1.0); with these the
simulation reproduces that engine's results exactly."""


@dataclass(frozen=True)
class Assumptions:
    """The assumption values in force, and which of them the user changed."""

    values: Mapping[str, float | int]
    changed: frozenset[str] = frozenset()

    @classmethod
    def defaults(cls) -> Assumptions:
        """Every assumption at its default."""
        return cls(MappingProxyType({a.name: _default(a) for a in ASSUMPTIONS}))

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None = None) -> Assumptions:
        """Defaults with user overrides (name -> text or number); every bad one reported."""
        return cls.defaults().with_overrides(overrides or {})

    def with_overrides(self, overrides: Mapping[str, Any]) -> Assumptions:
        """A copy with ``overrides`` applied; raises AssumptionError listing every bad one."""
        values = dict(self.values)
        errors: list[FieldError] = []
        changed = set(self.changed)
        for name, raw in overrides.items():
            spec = SPECS.get(name)
            if spec is None:
                errors.append(
                    FieldError(
                        f"assumptions.{name}",
                        "is not an assumption; known names are " + ", ".join(SPECS),
                        raw,
                    )
                )
                continue
            try:
                value = spec.parse(raw)
            except AssumptionError as exc:
                errors.extend(exc.errors)
                continue
            values[name] = value
            if value != _default(spec):
                changed.add(name)
            else:
                changed.discard(name)
        if errors:
            raise AssumptionError(errors)
        return Assumptions(MappingProxyType(values), frozenset(changed))

    def __getitem__(self, name: str) -> Any:
        """The value of assumption ``name``."""
        return self.values[name]

    def to_dict(self, uses: Callable[[str], bool] | None = None
                ) -> dict[str, dict[str, Any]]:
        """``name -> {value, unit, source, meaning, default, changed, cites}`` for the output.

        With ``uses`` (whether the plan has a field, :meth:`evaluator.model.Plan.uses`), a row
        whose rule the plan does not use (:attr:`AssumptionSpec.used_by`) is left out.
        """
        return {
            a.name: {
                "label": a.label,
                "value": self.values[a.name],
                "default": _default(a),
                "unit": a.unit,
                "meaning": a.meaning,
                "source": a.source,
                "cites": list(a.cites),
                "changed": a.name in self.changed,
            }
            for a in ASSUMPTIONS
            if not a.used_by or uses is None or uses(a.used_by)
        }


def _default(spec: AssumptionSpec) -> float | int:
    return int(spec.default) if spec.integer else float(spec.default)


def parse_set_options(pairs: Iterable[str]) -> dict[str, str]:
    """``["market_size=5000", ...]`` -> ``{"market_size": "5000"}``; bad syntax is reported."""
    out: dict[str, str] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            errors.append(FieldError("--set", f"{pair!r} is not NAME=VALUE", pair))
            continue
        out[name.strip()] = value.strip()
    if errors:
        raise AssumptionError(errors)
    return out
