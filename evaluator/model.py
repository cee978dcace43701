"""The typed, normalised, frozen plan: built only from a document that passed plan schema v1.

Defaults of the schema are applied here. ``None`` always means *unknown* and is never turned
into zero: an absent income disclosure, buyback or comparable price is evidence in itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from evaluator.schema import (
    COMPONENT_FIELDS,
    UNKNOWN_SIMULATED_AS,
    parse_plan,
    plan_version,
    v1_only,
    validate_plan,
)

ComponentType = Literal[
    "retail_margin",
    "retail_commission",
    "enrollment_bonus",
    "fast_start",
    "unilevel",
    "binary",
    "matrix",
    "breakaway",
    "rank_bonus",
    "matching_bonus",
    "first_order_bonus",
    "position_return",
    "pool",
]
"""For type checking only: tests/foundation/test_lists.py holds it equal to
:data:`evaluator.schema.COMPONENT_TYPES`, the schema's list."""


@dataclass(frozen=True)
class Company:
    """Who makes the offer."""

    name: str
    country: str | None = None
    website: str | None = None
    participants: int | None = None
    founded: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class MonthlyFee:
    """A named recurring monthly fee."""

    name: str
    amount: float


@dataclass(frozen=True)
class Package:
    """An enrollment package a recruit may choose on joining (schema v1.1).

    ``volume`` None: unknown (simulated as none); ``rank`` None: it gives no rank; ``share``
    None: the user does not know how many choose it (see :meth:`Costs.package_shares`).
    """

    name: str
    price: float
    volume: float | None = None
    rank: str | None = None
    share: float | None = None


@dataclass(frozen=True)
class Costs:
    """What participation costs; money in ``currency``, per month unless named otherwise."""

    currency: str
    enrollment_fee: float = 0.0
    starter_kit: float = 0.0
    inventory_package: float = 0.0
    annual_renewal_fee: float = 0.0
    monthly_fees: tuple[MonthlyFee, ...] = ()
    required_monthly_purchase: float = 0.0
    autoship_required: bool | None = None
    estimated_monthly_expenses: float = 0.0
    annual_event_costs: float = 0.0
    starter_kit_commissionable: bool | None = None
    """None: not known whether the kit generates pay (simulated as not)."""
    packages: tuple[Package, ...] = ()
    """Enrollment packages a recruit chooses from (none: the plan has no choice)."""

    @property
    def joining_cost(self) -> float:
        """Enrollment fee + starter kit + inventory package: what every recruit pays."""
        return self.enrollment_fee + self.starter_kit + self.inventory_package

    @property
    def startup_cost(self) -> float:
        """What joining costs: :attr:`joining_cost`, plus the expected package price.

        The expectation is over :meth:`package_shares` when the plan has packages.
        """
        if not self.packages:
            return self.joining_cost
        return self.joining_cost + sum(
            s * p.price for s, p in zip(self.package_shares(), self.packages, strict=True))

    def package_shares(self) -> tuple[float, ...]:
        """Share of recruits choosing each package: the user's estimates.

        The packages whose share is unknown split evenly what the known shares leave (all of it
        when none is known); validation keeps the known ones at most 1 in total.
        """
        known = sum(p.share for p in self.packages if p.share is not None)
        unknown = sum(1 for p in self.packages if p.share is None)
        rest = max(0.0, 1.0 - known) / unknown if unknown else 0.0
        return tuple(p.share if p.share is not None else rest for p in self.packages)

    @property
    def monthly_fees_total(self) -> float:
        """Sum of the recurring monthly fees."""
        return float(sum(f.amount for f in self.monthly_fees))


@dataclass(frozen=True)
class Product:
    """One product with its prices; ``volume`` None means price x commissionable fraction."""

    name: str
    wholesale_price: float
    retail_price: float
    volume: float | None = None
    comparable_market_price: float | None = None
    comparable_source: str | None = None
    business_volume: float | None = None  # schema v1.1 BV; None: the same as the volume


@dataclass(frozen=True)
class Buyback:
    """Repurchase of unsold inventory; ``offered`` None means unknown."""

    offered: bool | None = None
    refund_fraction: float | None = None
    window_days: int | None = None


@dataclass(frozen=True)
class Qualification:
    """What a participant must do each month to earn downline pay."""

    min_personal_volume: float = 0.0
    own_purchases_count: bool | None = None
    min_retail_customers: int = 0
    # The retail-share gate (schema v1.1); None: no gate.
    min_customer_share: CustomerShare | None = None


@dataclass(frozen=True)
class CustomerShare:
    """A retail-share gate on downline pay (schema v1.1).

    ``share`` of the volume (``of`` "own": one's personal volume; "downline": one's sponsor
    group's, oneself included) must be customer volume; below it ``mode`` "full" pays no
    downline pay that month and "pro_rata" scales it by the share reached over ``share``.
    """

    share: float
    of: Literal["own", "downline"] = "downline"
    mode: Literal["full", "pro_rata"] = "full"

    def factor(self, customer_volume: float, volume: float) -> float:
        """The part of downline pay kept with this ``customer_volume`` out of ``volume``.

        No volume at all reaches a share of 0 only.
        """
        if self.share <= 0:
            return 1.0
        reached = customer_volume / volume if volume > 0 else 0.0
        if reached >= self.share - 1e-9 * max(1.0, self.share):
            return 1.0
        return reached / self.share if self.mode == "pro_rata" else 0.0


@dataclass(frozen=True)
class Component:
    """One pay component. Only the fields of its ``type`` are meaningful.

    ``rates``/``amounts`` are per level (level 1 = personal enrollees; for a matching bonus, per
    generation of enrollees); ``generation_rates`` are per breakaway generation.
    """

    type: ComponentType
    rate: float | None = None
    rates: tuple[float, ...] = ()
    amounts: tuple[float, ...] = ()
    months: int = 1
    basis: Literal["all", "customer"] = "all"
    compression: bool | str = False  # "dynamic" (schema v1.1): by level qualification
    monthly_cap: float | None = None
    carryover: bool = False
    width: int | None = None
    # Forced-tree spill-over (schema v1.1; matrix and binary): "in_turn" or "first_open".
    placement: Literal["in_turn", "first_open"] = "in_turn"
    generation_rates: tuple[float, ...] = ()
    # Breakaway (schema v1.1): whether broken-away legs' volume counts toward ranks' group volume.
    breakaway_legs_in_group_volume: bool = True
    # Binary cycles (schema v1.1); None: the rule is not used.
    cycle_volume_left: float | None = None
    cycle_volume_right: float | None = None
    cycle_pay: float | None = None
    carry_cap: float | None = None
    unqualified_legs: Literal["carry", "flush"] | None = None
    # Conditions on a bonus (schema v1.1; enrollment, first-order, fast-start and matching
    # bonuses): a rank the earner must hold that month (None: none), and the volume the
    # recruit's enrollment order must reach (0: any).
    requires_rank: str | None = None
    min_recruit_order_volume: float = 0.0
    # Return on one's own position (schema v1.1): per_month or rate_of_price (of the joining
    # price) each month, for ``months_paid`` months from joining (None: while active).
    per_month: float | None = None
    rate_of_price: float | None = None
    months_paid: int | None = None
    requires_task: str | None = None
    # Pool (schema v1.1): ``share`` of company volume split ``split`` among ``rank`` and above.
    share: float | None = None
    rank: str | None = None
    split: Literal["equal"] = "equal"
    # The fields the plan gave as null (unknown): simulated at their defaults above, written
    # back as null in the normalised plan (:data:`evaluator.schema.UNKNOWN_SIMULATED_AS`).
    unstated: tuple[str, ...] = ()

    @property
    def levels(self) -> int:
        """How many levels deep this component pays (0 for single-level components)."""
        return max(len(self.rates), len(self.amounts), len(self.generation_rates))

    @property
    def cycles(self) -> tuple[float, float] | None:
        """A binary's (left, right) volume per cycle, or None when it pays on the weaker leg."""
        if self.cycle_volume_left is None or self.cycle_volume_right is None:
            return None
        return (self.cycle_volume_left, self.cycle_volume_right)

    @property
    def binary_rules(self) -> bool:
        """Whether a binary uses a schema v1.1 rule: cycles, a carry cap or unqualified legs."""
        return (self.cycles is not None or self.carry_cap is not None
                or self.unqualified_legs is not None)

    @property
    def pay_per_cycle(self) -> float:
        """Money one binary cycle pays: ``cycle_pay``, else the rate on the smaller side."""
        if self.cycle_pay is not None:
            return self.cycle_pay
        cycles = self.cycles
        return (self.rate or 0.0) * (min(cycles) if cycles is not None else 1.0)


@dataclass(frozen=True)
class Rank:
    """A rank: what it takes, and what it pays.

    ``advancement_bonus`` and ``fast_start_bonus`` (schema v1.1) are paid once each, by the
    ``rank_bonus`` component, the first month the rank is held while qualified; the fast-start
    bonus only when that month is one of the first ``fast_start_within_months`` (the join month
    first).
    """

    name: str
    min_personal_volume: float = 0.0
    min_group_volume: float = 0.0
    min_active_legs: int = 0
    differential_rate: float = 0.0
    monthly_bonus: float = 0.0
    unlocks_levels: int | None = None
    advancement_bonus: float = 0.0
    fast_start_bonus: float = 0.0
    fast_start_within_months: int | None = None

    @property
    def one_time(self) -> bool:
        """Whether reaching this rank pays anything once (an advancement or fast-start bonus)."""
        return self.advancement_bonus > 0 or self.fast_start_bonus > 0

    def in_time(self, months_since_joining: int) -> bool:
        """Whether the rank, reached ``months_since_joining`` after joining, earns its fast start.

        0 is the join month.
        """
        within = self.fast_start_within_months
        return within is not None and months_since_joining < within
    # Rates by rank (schema v1.1); None: the rank below's, else the component's or the products'.
    min_team_size: int = 0
    """Active participants anywhere in the downline (oneself not counted) the rank needs."""
    discount: float | None = None
    """Share off the retail price a participant at this rank buys at (the stairstep discount)."""
    unilevel_rates: tuple[float, ...] | None = None
    """Unilevel rates per level at this rank, in place of the component's."""
    binary_rate: float | None = None
    """The binary's rate at this rank, in place of the component's."""
    # Qualification over time and leg limits (schema v1.1; the defaults are v1's rules).
    qualify_months: int = 1  # the monthly requirements met this many months in a row
    min_lifetime_volume: float = 0.0  # personal volume since joining, this month's included
    max_leg_share: float | None = None  # most of min_group_volume one leg may give


@dataclass(frozen=True)
class RankRules:
    """Whether a rank once reached is kept (schema v1.1 ``compensation.rank_rules``).

    ``pin``: "none" (v1: the rank qualified for each month), "title" (the highest rank reached
    is kept as a title; pay follows the month's rank) or "pay" (it is a floor on the paid-as
    rank). ``requalify_months``: a kept rank lapses to the highest rank qualified for within
    that many months (None: kept for good).
    """

    pin: str = "none"
    requalify_months: int | None = None

    @property
    def pins(self) -> bool:
        """Whether ranks are kept once reached."""
        return self.pin != "none"


@dataclass(frozen=True)
class PreferredCustomers:
    """A preferred-customer program (schema v1.1 ``compensation.preferred_customers``).

    Customers enrolled under a participant, not participants themselves, who buy at the retail
    price less ``discount``; the participant earns ``commission_rate`` of what they pay. Their
    orders count as the participant's volume unless ``counts_as_personal_volume`` is False.
    """

    discount: float
    commission_rate: float
    counts_as_personal_volume: bool | None = None  # None (not stated): counted


@dataclass(frozen=True)
class Compensation:
    """The compensation plan."""

    components: tuple[Component, ...]
    commissionable_fraction: float = 1.0
    qualification: Qualification = field(default_factory=Qualification)
    ranks: tuple[Rank, ...] = ()
    payout_cap_fraction: float | None = None
    rank_rules: RankRules = field(default_factory=RankRules)
    preferred_customers: PreferredCustomers | None = None  # schema v1.1; None: no program

    def rank_values(self, name: Literal["discount", "unilevel_rates", "binary_rate"],
                    below: Any = None) -> tuple[Any, ...]:
        """A rate by rank (schema v1.1) for everyone: index 0 below every rank, then each rank.

        A rank without the field has the highest lower rank's value; below every rank (and
        below the first rank that sets it), ``below``.
        """
        out = [below]
        for r in self.ranks:
            value = getattr(r, name)
            out.append(out[-1] if value is None else value)
        return tuple(out)

    def rates_by_rank(self, name: Literal["discount", "unilevel_rates", "binary_rate"]) -> bool:
        """Whether any rank sets that rate by rank (schema v1.1)."""
        return any(getattr(r, name) is not None for r in self.ranks)

    def component(self, kind: str) -> Component | None:
        """The component of that type, or None when the plan has none."""
        return next((c for c in self.components if c.type == kind), None)

    def has(self, kind: str) -> bool:
        """Whether the plan has a component of that type."""
        return self.component(kind) is not None

    def rank_index(self, name: str | None) -> int:
        """Index in ``ranks`` of the rank called ``name``; -1 for None.

        Validation has checked that every rank a plan names exists.
        """
        return -1 if name is None else [r.name for r in self.ranks].index(name)


@dataclass(frozen=True)
class IncomeBracket:
    """One row of an income disclosure: share of participants with gross pay in [min, max]."""

    fraction: float
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class IncomeDisclosure:
    """A published income disclosure statement; every field may be unknown."""

    year: int | None = None
    fraction_earning_nothing: float | None = None
    median_annual_gross: float | None = None
    mean_annual_gross: float | None = None
    net_of_costs: bool | None = None
    brackets: tuple[IncomeBracket, ...] = ()


@dataclass(frozen=True)
class Disclosures:
    """What the company discloses or claims."""

    income_disclosure: IncomeDisclosure | None = None
    income_claims: tuple[str, ...] | None = None
    """None: not known (none entered); ``()``: the plan says no claims were made."""
    reported_retail_fraction: float | None = None


@dataclass(frozen=True)
class SourceNote:
    """Where the user read a field's value."""

    field: str
    citation: str


@dataclass(frozen=True)
class Plan:
    """A validated, normalised plan (schema v1)."""

    company: Company
    costs: Costs
    products: tuple[Product, ...]
    compensation: Compensation
    buyback: Buyback = field(default_factory=Buyback)
    disclosures: Disclosures = field(default_factory=Disclosures)
    sources: tuple[SourceNote, ...] = ()
    schema_version: str = "1"

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Plan:
        """Build from a plan document; raises PlanValidationError listing every problem."""
        validate_plan(doc)
        return _build_plan(doc)

    @classmethod
    def from_bytes(cls, data: bytes | str) -> Plan:
        """Parse and build from JSON bytes or text."""
        return cls.from_dict(parse_plan(data))

    def to_dict(self) -> dict[str, Any]:
        """The normalised plan document: every field present, defaults applied."""
        out = asdict(self)
        out["compensation"]["components"] = [
            _component_dict(c) for c in self.compensation.components
        ]
        out = _lists(out)
        return v1_only(out) if self.schema_version == "1" else out

    def uses(self, path: str) -> bool:
        """Whether the plan sets the field at dotted ``path`` (``costs.packages``) to anything.

        An empty list, null, 0 or false is not using it.
        """
        node: Any = self.to_dict()
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return bool(node)

    def canonical_json(self) -> str:
        """Canonical JSON of the normalised plan (sorted keys, no spaces)."""
        return canonical_json(self.to_dict())

    @property
    def sha256(self) -> str:
        """SHA-256 of the canonical normalised plan: the evaluation's input hash."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def product_volume(self, product: Product, price: float) -> float:
        """Commissionable volume of buying ``product`` at ``price``."""
        if product.volume is not None:
            return product.volume
        return price * self.compensation.commissionable_fraction

    def product_business_volume(self, product: Product, price: float) -> float:
        """Business volume (what commissions are paid on) of buying ``product`` at ``price``.

        Its stated ``business_volume`` (schema v1.1), else its volume (:meth:`product_volume`).
        """
        if product.business_volume is not None:
            return product.business_volume
        return self.product_volume(product, price)

    @property
    def business_volume_differs(self) -> bool:
        """Whether some product states a business volume (schema v1.1) apart from its volume."""
        return any(p.business_volume is not None for p in self.products)

    def business_volume_per_money(self, at: Literal["wholesale", "retail"] = "wholesale"
                                  ) -> float:
        """Business volume per unit of money, averaged over products, as :meth:`volume_per_money`.

        The volume per money itself when no product states a business volume.
        """
        if not self.business_volume_differs:
            return self.volume_per_money(at)
        ratios = []
        for p in self.products:
            price = p.wholesale_price if at == "wholesale" else p.retail_price
            if price > 0 and (p.business_volume is not None or p.volume is not None):
                ratios.append(self.product_business_volume(p, price) / price)
            else:
                ratios.append(self.compensation.commissionable_fraction)
        return sum(ratios) / len(ratios)

    @property
    def mean_wholesale(self) -> float:
        """Mean wholesale price over products."""
        return sum(p.wholesale_price for p in self.products) / len(self.products)

    @property
    def mean_retail(self) -> float:
        """Mean retail price over products."""
        return sum(p.retail_price for p in self.products) / len(self.products)

    def volume_per_money(self, at: Literal["wholesale", "retail"] = "wholesale") -> float:
        """Commissionable volume per unit of money spent, averaged over products.

        Used to turn a money amount (a required purchase, a customer order) into volume. A
        product with a stated ``volume`` contributes volume / price; others contribute the
        commissionable fraction. Zero-priced products (a referral service bought at 0) fall
        back to the commissionable fraction.
        """
        ratios = []
        for p in self.products:
            price = p.wholesale_price if at == "wholesale" else p.retail_price
            if p.volume is not None and price > 0:
                ratios.append(p.volume / price)
            else:
                ratios.append(self.compensation.commissionable_fraction)
        return sum(ratios) / len(ratios)


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, compact separators, UTF-8 text, finite numbers only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _lists(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_lists(v) for v in node]
    return node


def _component_dict(c: Component) -> dict[str, Any]:
    """Component ``c`` as a normalised document: every field of its type, its default applied.

    A first-order bonus gives rates or amounts, never both, and the schema refuses an empty
    list, so only the one it gives is written: the normalised plan is itself a valid plan.
    """
    out: dict[str, Any] = {"type": c.type}
    for name in COMPONENT_FIELDS[c.type]:
        value = getattr(c, name)
        if c.type == "first_order_bonus" and name in ("rates", "amounts") and not value:
            continue
        out[name] = (None if name in c.unstated
                     else list(value) if isinstance(value, tuple) else value)
    return out


def _known(k: Mapping[str, Any], name: str) -> Any:
    """Component ``k``'s ``name``, or what it is simulated as when absent or null (unknown)."""
    value = k.get(name)
    return UNKNOWN_SIMULATED_AS[name] if value is None else value


def _num(value: Any, default: float = 0.0) -> float:
    return float(default if value is None else value)


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


def _position_and_pool(k: dict[str, Any]) -> dict[str, Any]:
    """The position-return and pool fields of component ``k`` (schema v1.1), for Component."""
    if k["type"] == "position_return":
        months = k.get("months_paid")
        return {"per_month": _opt(k.get("per_month")),
                "rate_of_price": _opt(k.get("rate_of_price")),
                "months_paid": None if months is None else int(months),
                "requires_task": k.get("requires_task")}
    if k["type"] == "pool":
        return {"share": float(k["share"]), "rank": k["rank"], "split": k.get("split", "equal")}
    return {}
def _preferred_customers(doc: dict[str, Any] | None) -> PreferredCustomers | None:
    if doc is None:
        return None
    return PreferredCustomers(discount=float(doc["discount"]),
                              commission_rate=float(doc["commission_rate"]),
                              counts_as_personal_volume=doc.get("counts_as_personal_volume"))


def _customer_share(gate: dict[str, Any] | None) -> CustomerShare | None:
    """The retail-share gate of a plan document (None when it states none)."""
    if not gate:
        return None
    return CustomerShare(share=float(gate["share"]), of=gate.get("of", "downline"),
                         mode=gate.get("mode", "full"))


def _build_plan(doc: dict[str, Any]) -> Plan:
    c = doc["costs"]
    costs = Costs(
        currency=c["currency"],
        enrollment_fee=_num(c.get("enrollment_fee")),
        starter_kit=_num(c.get("starter_kit")),
        inventory_package=_num(c.get("inventory_package")),
        annual_renewal_fee=_num(c.get("annual_renewal_fee")),
        monthly_fees=tuple(
            MonthlyFee(f["name"], float(f["amount"])) for f in c.get("monthly_fees") or ()
        ),
        required_monthly_purchase=_num(c.get("required_monthly_purchase")),
        autoship_required=c.get("autoship_required"),
        estimated_monthly_expenses=_num(c.get("estimated_monthly_expenses")),
        annual_event_costs=_num(c.get("annual_event_costs")),
        starter_kit_commissionable=c.get("starter_kit_commissionable"),
        packages=tuple(
            Package(name=k["name"], price=float(k["price"]), volume=_opt(k.get("volume")),
                    rank=k.get("rank"), share=_opt(k.get("share")))
            for k in c.get("packages") or ()
        ),
    )
    products = tuple(
        Product(
            name=p["name"],
            wholesale_price=float(p["wholesale_price"]),
            retail_price=float(p["retail_price"]),
            volume=_opt(p.get("volume")),
            comparable_market_price=_opt(p.get("comparable_market_price")),
            comparable_source=p.get("comparable_source"),
            business_volume=_opt(p.get("business_volume")),
        )
        for p in doc["products"]
    )
    comp = doc["compensation"]
    q = comp.get("qualification") or {}
    components = tuple(
        Component(
            type=k["type"],
            rate=_opt(k.get("rate")),
            rates=tuple(float(r) for r in k.get("rates") or ()),
            amounts=tuple(float(a) for a in k.get("amounts") or ()),
            months=int(k.get("months", 1)),
            basis=k.get("basis", "all"),
            compression=(
                "dynamic" if k.get("compression") == "dynamic"
                else bool(_known(k, "compression"))),
            monthly_cap=_opt(k.get("monthly_cap")),
            carryover=bool(_known(k, "carryover")),
            width=k.get("width"),
            placement=_known(k, "placement"),
            generation_rates=tuple(float(r) for r in k.get("generation_rates") or ()),
            breakaway_legs_in_group_volume=_known(k, "breakaway_legs_in_group_volume"),
            cycle_volume_left=_opt(k.get("cycle_volume_left")),
            cycle_volume_right=_opt(k.get("cycle_volume_right")),
            cycle_pay=_opt(k.get("cycle_pay")),
            carry_cap=_opt(k.get("carry_cap")),
            unqualified_legs=k.get("unqualified_legs"),
            requires_rank=k.get("requires_rank"),
            min_recruit_order_volume=_num(k.get("min_recruit_order_volume")),
            **_position_and_pool(k),
            unstated=tuple(name for name in UNKNOWN_SIMULATED_AS
                           if name in k and k[name] is None),
        )
        for k in comp["components"]
    )
    ranks = tuple(
        Rank(
            name=r["name"],
            min_personal_volume=_num(r.get("min_personal_volume")),
            min_group_volume=_num(r.get("min_group_volume")),
            min_active_legs=int(r.get("min_active_legs", 0)),
            differential_rate=_num(r.get("differential_rate")),
            monthly_bonus=_num(r.get("monthly_bonus")),
            unlocks_levels=r.get("unlocks_levels"),
            advancement_bonus=_num(r.get("advancement_bonus")),
            fast_start_bonus=_num(r.get("fast_start_bonus")),
            fast_start_within_months=r.get("fast_start_within_months"),
            min_team_size=int(r.get("min_team_size") or 0),
            discount=_opt(r.get("discount")),
            unilevel_rates=(None if r.get("unilevel_rates") is None
                            else tuple(float(v) for v in r["unilevel_rates"])),
            binary_rate=_opt(r.get("binary_rate")),
            qualify_months=int(r.get("qualify_months", 1)),
            min_lifetime_volume=_num(r.get("min_lifetime_volume")),
            max_leg_share=_opt(r.get("max_leg_share")),
        )
        for r in comp.get("ranks") or ()
    )
    compensation = Compensation(
        components=components,
        commissionable_fraction=_num(comp.get("commissionable_fraction"), 1.0),
        qualification=Qualification(
            min_personal_volume=_num(q.get("min_personal_volume")),
            own_purchases_count=q.get("own_purchases_count"),
            min_retail_customers=int(q.get("min_retail_customers", 0)),
            min_customer_share=_customer_share(q.get("min_customer_share")),
        ),
        ranks=ranks,
        payout_cap_fraction=_opt(comp.get("payout_cap_fraction")),
        rank_rules=RankRules(
            pin=(comp.get("rank_rules") or {}).get("pin", "none"),
            requalify_months=(comp.get("rank_rules") or {}).get("requalify_months"),
        ),
        preferred_customers=_preferred_customers(comp.get("preferred_customers")),
    )
    b = doc.get("buyback") or {}
    buyback = Buyback(
        offered=b.get("offered"),
        refund_fraction=_opt(b.get("refund_fraction")),
        window_days=b.get("window_days"),
    )
    d = doc.get("disclosures") or {}
    ids = d.get("income_disclosure")
    disclosure = None
    if ids is not None:
        disclosure = IncomeDisclosure(
            year=ids.get("year"),
            fraction_earning_nothing=_opt(ids.get("fraction_earning_nothing")),
            median_annual_gross=_opt(ids.get("median_annual_gross")),
            mean_annual_gross=_opt(ids.get("mean_annual_gross")),
            net_of_costs=ids.get("net_of_costs"),
            brackets=tuple(
                IncomeBracket(
                    fraction=float(br["fraction"]), min=_opt(br.get("min")), max=_opt(br.get("max"))
                )
                for br in ids.get("brackets") or ()
            ),
        )
    disclosures = Disclosures(
        income_disclosure=disclosure,
        income_claims=(None if d.get("income_claims") is None
                       else tuple(d["income_claims"])),
        reported_retail_fraction=_opt(d.get("reported_retail_fraction")),
    )
    co = doc["company"]
    company = Company(
        name=co["name"],
        country=co.get("country"),
        website=co.get("website"),
        participants=co.get("participants"),
        founded=co.get("founded"),
        notes=co.get("notes"),
    )
    return Plan(
        company=company,
        costs=costs,
        products=products,
        compensation=compensation,
        buyback=buyback,
        disclosures=disclosures,
        sources=tuple(SourceNote(s["field"], s["citation"]) for s in doc.get("sources") or ()),
        schema_version=plan_version(doc),
    )
