"""Hypothesis strategies for simulation tests: small plans that exercise every component (with
one to three products, some of stated volume, some with a comparable price), and assumptions
for small, fast networks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.model import Plan

rate = st.sampled_from([0.0, 0.02, 0.05, 0.1, 0.25])
rates = st.lists(rate, min_size=1, max_size=5)
money = st.sampled_from([0, 10, 25, 50, 100, 199.5])


@st.composite
def component(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """One component of ``kind`` with drawn parameters."""
    c: dict[str, Any] = {"type": kind}
    if kind == "retail_commission":
        c["rate"] = draw(rate)
    elif kind == "enrollment_bonus":
        c["amounts"] = draw(st.lists(money, min_size=1, max_size=4))
    elif kind == "fast_start":
        c["rates"] = draw(rates)
        c["months"] = draw(st.integers(1, 4))
    elif kind == "unilevel":
        c["rates"] = draw(rates)
        c["basis"] = draw(st.sampled_from(["all", "customer"]))
        c["compression"] = draw(st.booleans())
    elif kind == "binary":
        c["rate"] = draw(rate)
        c["monthly_cap"] = draw(st.none() | st.sampled_from([5, 50, 500]))
        c["carryover"] = draw(st.booleans())
        if draw(st.booleans()):
            c.update(draw(binary_rules(c["carryover"])))
            if "cycle_pay" in c:
                del c["rate"]
    elif kind == "matrix":
        c["width"] = draw(st.integers(2, 4))
        c["rates"] = draw(rates)
    elif kind == "breakaway":
        c["generation_rates"] = draw(st.lists(rate, min_size=1, max_size=3))
        if draw(st.booleans()):  # schema v1.1: whether breakaway legs count toward ranks
            c["breakaway_legs_in_group_volume"] = draw(st.sampled_from([True, False, None]))
    elif kind == "matching_bonus":
        c["rates"] = draw(st.lists(rate, min_size=1, max_size=3))
    elif kind == "first_order_bonus":
        if draw(st.booleans()):
            c["rates"] = draw(st.lists(rate, min_size=1, max_size=3))
        else:
            c["amounts"] = draw(st.lists(money, min_size=1, max_size=3))
    elif kind == "position_return":
        c.update(draw(position_return()))
    elif kind == "pool":  # its rank is drawn with the plan's ranks (sim_plans)
        c["share"] = draw(st.sampled_from([0.0, 0.01, 0.03, 0.1]))
        c["split"] = "equal"
    return c


CONDITIONED = ("enrollment_bonus", "first_order_bonus", "fast_start", "matching_bonus")


@st.composite
def bonus_rules(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """Schema v1.1's one-time bonuses and conditions, drawn into the plan ``doc``.

    Each rank may get an advancement bonus and a fast-start bonus (the plan then pays them by
    a rank_bonus); each enrollment, first-order, fast-start or matching bonus may require a
    rank and a minimum first order of its recruits (volumes around one month's purchase).
    """
    comp = doc["compensation"]
    names = [r["name"] for r in comp["ranks"]]
    for r in comp["ranks"]:
        if draw(st.booleans()):
            r["advancement_bonus"] = draw(money)
        if draw(st.booleans()):
            r["fast_start_bonus"] = draw(st.sampled_from([10, 25, 100]))
            r["fast_start_within_months"] = draw(st.integers(1, 4))
    one_time = any("advancement_bonus" in r or "fast_start_bonus" in r for r in comp["ranks"])
    if one_time and not any(c["type"] == "rank_bonus" for c in comp["components"]):
        comp["components"].append({"type": "rank_bonus"})
    for c in comp["components"]:
        if c["type"] not in CONDITIONED:
            continue
        if names and draw(st.booleans()):
            c["requires_rank"] = draw(st.sampled_from(names))
        if draw(st.booleans()):
            c["min_recruit_order_volume"] = draw(st.sampled_from([0, 10, 38, 100, 250]))


@st.composite
def position_return(draw: st.DrawFn) -> dict[str, Any]:
    """Schema v1.1's return on one's own position: an amount or a share of the joining price
    a month, for some months or while active, with or without a task named."""
    out: dict[str, Any] = (
        {"per_month": draw(money)} if draw(st.booleans())
        else {"rate_of_price": draw(st.sampled_from([0.01, 0.05, 0.125, 1.0]))})
    out["months_paid"] = draw(st.none() | st.integers(1, 6))
    if draw(st.booleans()):
        out["requires_task"] = "post one ad a day"
    return out


@st.composite
def binary_rules(draw: st.DrawFn, carryover: bool, force: bool = False) -> dict[str, Any]:
    """Schema v1.1's binary rules: cycles (1:1, 1:2, 2:1, odd sizes), a fixed pay per cycle,
    a carry cap and what happens to an unqualified member's legs, each drawn or left out.

    ``force``: at least one of them (cycles, or else what happens to unqualified legs).
    """
    out: dict[str, Any] = {}
    cycles = draw(st.booleans())
    if force and not cycles:
        out["unqualified_legs"] = draw(st.sampled_from(["flush", "carry"] if carryover
                                                       else ["flush"]))
    if cycles:
        out["cycle_volume_left"], out["cycle_volume_right"] = draw(st.sampled_from(
            [(100, 100), (100, 200), (200, 100), (30, 45), (0.1, 0.1), (38, 38)]))
        if draw(st.booleans()):
            out["cycle_pay"] = draw(st.sampled_from([0, 5, 25, 12.5]))
    if carryover and draw(st.booleans()):
        out["carry_cap"] = draw(st.sampled_from([0, 50, 500, 5000]))
    legs = draw(st.sampled_from([None, "flush", "carry"] if carryover else [None, "flush"]))
    if legs is not None:
        out.setdefault("unqualified_legs", legs)
    return out


@st.composite
def ranks(draw: st.DrawFn, at_least: int = 0) -> list[dict[str, Any]]:
    """Up to three ranks with thresholds that small networks reach."""
    out = []
    for i in range(draw(st.integers(at_least, 3))):
        out.append({
            "name": f"Rank {i + 1}",
            "min_personal_volume": draw(st.sampled_from([0, 50, 100])),
            "min_group_volume": draw(st.sampled_from([0, 200, 500, 1500])),
            "min_active_legs": draw(st.integers(0, 2)),
            "differential_rate": draw(rate),
            "monthly_bonus": draw(money),
            "unlocks_levels": draw(st.none() | st.integers(0, 4)),
        })
    return out


@st.composite
def rank_rates(draw: st.DrawFn, unilevel: bool, binary: bool) -> dict[str, Any]:
    """Rates by rank (schema v1.1) for one rank, each drawn or left out.

    A discount, a team size, unilevel rates (with a unilevel) and a binary rate (with a binary
    paid at a rate).
    """
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["discount"] = draw(st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.9]))
    if draw(st.booleans()):
        out["min_team_size"] = draw(st.sampled_from([0, 1, 3, 10]))
    if unilevel and draw(st.booleans()):
        out["unilevel_rates"] = draw(rates)
    if binary and draw(st.booleans()):
        out["binary_rate"] = draw(rate)
    return out


@st.composite
def rank_over_time(draw: st.DrawFn) -> dict[str, Any]:
    """Schema v1.1 rank fields: months in a row, lifetime volume and a leg limit."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["qualify_months"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        out["min_lifetime_volume"] = draw(st.sampled_from([0, 100, 400, 2000]))
    if draw(st.booleans()):
        out["max_leg_share"] = draw(st.sampled_from([0.3, 0.5, 0.6, 1.0]))
    return out


@st.composite
def rank_rules(draw: st.DrawFn) -> dict[str, Any]:
    """Schema v1.1 ``compensation.rank_rules``: kept ranks, for good or for a few months."""
    pin = draw(st.sampled_from(["none", "title", "pay"]))
    out: dict[str, Any] = {"pin": pin}
    if pin != "none" and draw(st.booleans()):
        out["requalify_months"] = draw(st.integers(1, 6))
    return out


@st.composite
def product(draw: st.DrawFn) -> dict[str, Any]:
    """One product; half of them state their own volume."""
    wholesale = draw(st.sampled_from([0, 10, 20, 48, 100]))
    out: dict[str, Any] = {"name": "P", "wholesale_price": wholesale,
                           "retail_price": wholesale + draw(st.sampled_from([1, 16, 50]))}
    if draw(st.booleans()):
        out["volume"] = draw(st.sampled_from([0, 20, 38]))
    comparable = draw(st.sampled_from([None, 0.5, 1.0, 2.0]))  # x the retail price
    if comparable is not None:
        out["comparable_market_price"] = out["retail_price"] * comparable
    return out


KINDS = ("retail_margin", "retail_commission", "enrollment_bonus", "fast_start", "unilevel",
         "binary", "matrix", "breakaway", "rank_bonus", "matching_bonus", "first_order_bonus",
         "position_return", "pool")


@st.composite
def packages(draw: st.DrawFn, rank_names: list[str],
             ranked: bool = False) -> list[dict[str, Any]]:
    """One to three enrollment packages (schema v1.1), some with volume, a rank or a share.

    ``ranked``: the last package gives a rank (one of ``rank_names``, which then has one).
    """
    count = draw(st.integers(2 if ranked else 1, 3))
    out: list[dict[str, Any]] = []
    for i in range(count):
        p: dict[str, Any] = {"name": f"Package {i + 1}", "price": draw(money)}
        if draw(st.booleans()):
            p["volume"] = draw(st.sampled_from([0, 50, 400]))
        if rank_names and (draw(st.booleans()) or (ranked and i == count - 1)):
            p["rank"] = draw(st.sampled_from(rank_names))
        out.append(p)
    if draw(st.booleans()):  # the first package's share known, the rest split evenly
        out[0]["share"] = 1.0 if count == 1 else draw(st.sampled_from([0.2, 0.5, 0.8]))
    return out


@st.composite
def sim_plans(draw: st.DrawFn, with_packages: bool = False,
              using: tuple[str, ...] = (), binary_cycles: bool = False,
              one_time: bool = False, by_rank: bool = False,
              customer_share: bool = False, business_volume: bool = False,
              ranks_over_time: bool = False, dynamic_compression: bool = False,
              first_open: bool = False, preferred_customers: bool = False,
              package_ranks: bool = False, breakaway_legs: bool = False) -> Plan:
    """A valid plan with a random set of components, ranks and qualification rules.

    ``with_packages``: with enrollment packages (schema v1.1) instead of an inventory package.
    ``using``: component types the plan always has (after the drawn ones).
    ``binary_cycles``: the plan has a binary that uses schema v1.1's rules (cycles, a carry
    cap, unqualified legs).
    ``one_time``: the plan has ranks and draws schema v1.1's one-time bonuses and conditions on
    a bonus (:func:`bonus_rules`); without it, half the plans draw them.
    ``by_rank``: at least one rank, each with rates by rank (schema v1.1) drawn.
    ``customer_share``: the plan has a retail-share gate (schema v1.1), of any share, whose
    volume and mode.
    ``business_volume``: two or three products, some stating a business volume (schema v1.1)
    apart from their point volume, at least one.
    ``ranks_over_time``: at least one rank, its rules over time and leg limits drawn (schema
    v1.1: months in a row, lifetime volume, a leg limit; kept ranks).
    ``dynamic_compression``: the plan has a unilevel with compression by level qualification
    (schema v1.1 ``"dynamic"``); with ``by_rank`` too, at least one rank has unilevel rates.
    ``first_open``: the plan has a matrix or a binary (or both), at least one of them placing
    recruits in the first open position (schema v1.1 ``placement``), the other drawn.
    ``preferred_customers``: the plan has a preferred-customer program (schema v1.1); without
    it, a quarter of the plans draw one.
    ``package_ranks``: enrollment packages, at least one giving a rank, and rates by rank
    (``by_rank``, discounts included, so what a package unlocks pays and buying to qualify
    weighs discounts, and members and those without a recruit buy for a discount alone),
    with kept ranks drawn (``rank_rules``, which set how long a discount reached by buying
    counts).
    ``breakaway_legs``: the plan has a breakaway whose legs that broke away are left out of
    group volume (schema v1.1 ``breakaway_legs_in_group_volume`` false), and half the time a
    leg limit on its ranks.
    """
    if package_ranks:
        with_packages = by_rank = True
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=len(KINDS), unique=True))
    kinds += [k for k in using if k not in kinds]
    if dynamic_compression and "unilevel" not in kinds:
        kinds.append("unilevel")
    if binary_cycles and "binary" not in kinds:
        kinds.append("binary")
    if breakaway_legs and "breakaway" not in kinds:
        kinds.append("breakaway")
    if first_open and not {"matrix", "binary"} & set(kinds):
        kinds.append(draw(st.sampled_from(["matrix", "binary"])))
    doc = {
        "company": {"name": "Drawn"},
        "costs": {
            "currency": "USD",
            "enrollment_fee": draw(money),
            "starter_kit": draw(money),
            "inventory_package": draw(money),
            "required_monthly_purchase": draw(money),
            "estimated_monthly_expenses": draw(money),
            "starter_kit_commissionable": draw(st.booleans()),
        },
        "products": draw(st.lists(product(), min_size=1, max_size=3)),
        "compensation": {
            "commissionable_fraction": draw(st.sampled_from([0.5, 0.8, 1.0])),
            "qualification": {
                "min_personal_volume": draw(st.sampled_from([0, 0, 50, 100])),
                "own_purchases_count": draw(st.none() | st.booleans()),
                "min_retail_customers": draw(st.sampled_from([0, 0, 1])),
            },
            "components": [draw(component(k)) for k in kinds],
            "ranks": draw(ranks(1 if {"rank_bonus", "breakaway", "pool"} & set(kinds) or one_time
                                or by_rank or ranks_over_time else 0)),
            "payout_cap_fraction": draw(st.none() | st.sampled_from([0.1, 0.45, 0.9])),
        },
    }
    for c in doc["compensation"]["components"]:
        if c["type"] == "pool":
            c["rank"] = draw(st.sampled_from([r["name"] for r in doc["compensation"]["ranks"]]))
    if with_packages:
        doc["costs"]["inventory_package"] = 0
        names = [r["name"] for r in doc["compensation"]["ranks"]]
        doc["costs"]["packages"] = draw(packages(names, ranked=package_ranks))
        if package_ranks:
            doc["compensation"]["rank_rules"] = draw(rank_rules())
    if business_volume:
        more = draw(st.lists(product(), min_size=1, max_size=2))
        doc["products"] = (doc["products"] + more)[:3]
        bvs = draw(st.lists(st.sampled_from([None, 0, 15, 30, 120]),
                            min_size=len(doc["products"]), max_size=len(doc["products"])))
        bvs[0] = bvs[0] if bvs[0] is not None else 30
        for item, bv in zip(doc["products"], bvs, strict=True):
            if bv is not None:
                item["business_volume"] = bv
    if customer_share:
        doc["compensation"]["qualification"]["min_customer_share"] = {
            "share": draw(st.sampled_from([0.0, 0.3, 0.5, 2 / 3, 0.7, 1.0])),
            "of": draw(st.sampled_from(["own", "downline"])),
            "mode": draw(st.sampled_from(["full", "pro_rata"])),
        }
    if dynamic_compression:
        unilevel = next(c for c in doc["compensation"]["components"] if c["type"] == "unilevel")
        unilevel["compression"] = "dynamic"
    if breakaway_legs:
        comp = doc["compensation"]
        next(c for c in comp["components"] if c["type"] == "breakaway")[
            "breakaway_legs_in_group_volume"] = False
        # A top rank small networks reach often, so some legs break away.
        comp["ranks"][-1].update(min_group_volume=draw(st.sampled_from([200, 300, 500])),
                                 min_active_legs=draw(st.integers(0, 1)))
        if draw(st.booleans()):
            draw(st.sampled_from(comp["ranks"]))["max_leg_share"] = draw(
                st.sampled_from([0.3, 0.5, 0.6, 1.0]))
    if ranks_over_time:
        comp = doc["compensation"]
        for r in comp["ranks"]:
            r.update(draw(rank_over_time()))
        comp["rank_rules"] = draw(rank_rules())
    if binary_cycles:
        binary = next(c for c in doc["compensation"]["components"] if c["type"] == "binary")
        for key in ("cycle_volume_left", "cycle_volume_right", "cycle_pay", "carry_cap",
                    "unqualified_legs"):
            binary.pop(key, None)
        binary["rate"] = draw(rate)
        binary.update(draw(binary_rules(binary["carryover"], force=True)))
        if "cycle_pay" in binary:
            binary.pop("rate", None)
    if first_open:
        forced = [c for c in doc["compensation"]["components"]
                  if c["type"] in ("matrix", "binary")]
        for c in forced:
            c["placement"] = draw(st.sampled_from(["in_turn", "first_open", None]))
        draw(st.sampled_from(forced))["placement"] = "first_open"
    if one_time or draw(st.booleans()):
        draw(bonus_rules(doc))
    if preferred_customers or draw(st.integers(0, 3)) == 0:
        doc["compensation"]["preferred_customers"] = {
            "discount": draw(st.sampled_from([0.0, 0.1, 0.25, 1.0])),
            "commission_rate": draw(st.sampled_from([0.0, 0.05, 0.2, 0.35])),
            # Their orders in the participant's volume: not stated (counted), counted, or not.
            "counts_as_personal_volume": draw(st.none() | st.booleans()),
        }
    if by_rank:
        comps = {c["type"]: c for c in doc["compensation"]["components"]}
        paid_at_rate = "binary" in comps and "cycle_pay" not in comps["binary"]
        for r in doc["compensation"]["ranks"]:
            r.update(draw(rank_rates("unilevel" in comps, paid_at_rate)))
        if dynamic_compression and not any("unilevel_rates" in r
                                           for r in doc["compensation"]["ranks"]):
            draw(st.sampled_from(doc["compensation"]["ranks"]))["unilevel_rates"] = draw(rates)
    return Plan.from_dict(doc)


@st.composite
def small_assumptions(draw: st.DrawFn) -> Assumptions:
    """Assumptions for networks of at most a few hundred participants over a year or two."""
    return Assumptions.from_overrides({
        "max_participants": draw(st.integers(100, 300)),
        "market_size": draw(st.sampled_from([1000, 3000])),
        "initial_participants": draw(st.integers(30, 200)),
        "recruit_rate": draw(st.sampled_from([0.15, 0.3, 0.6, 1.2])),
        "monthly_churn": draw(st.sampled_from([0.0, 0.03, 0.1])),
        "loss_churn_boost": draw(st.sampled_from([0.0, 0.05])),
        "customers_per_participant": draw(st.sampled_from([0.5, 1, 3])),
        "customer_skew": draw(st.sampled_from([0, 1.5])),
        "extra_own_purchase": draw(st.sampled_from([0, 40])),
        "buy_to_qualify": draw(st.sampled_from([0.0, 0.5, 1.0])),
        # Buying to qualify only when it pays, or whenever short (engine 0.3.0).
        "top_up_pay_check": draw(st.sampled_from([0, 1])),
        "horizon_months": draw(st.integers(6, 18)),
        "runs": 1,
        # The behaviour model: neutral (everyone a builder) or mixed kinds.
        "member_share": draw(st.sampled_from([0.0, 0.3, 0.73])),
        # Retail demand: price-blind or price-elastic, strangers or returning customers.
        "price_elasticity": draw(st.sampled_from([0.0, 1.5, 3.0])),
        "customer_tenure": draw(st.sampled_from([1.0, 3.0, 12.0])),
        # Those who quit never buy again, or some stay customers of their sponsor.
        "former_customer_share": draw(st.sampled_from([0.0, 0.25, 1.0])),
        "seller_share": draw(st.sampled_from([0.0, 0.5])),
        "member_recruit_factor": draw(st.sampled_from([0.0, 0.01, 0.1, 1.0])),
        "seller_recruit_factor": draw(st.sampled_from([0.3, 2.0])),
        "member_customer_factor": draw(st.sampled_from([0.0, 0.1])),
        "seller_customer_factor": draw(st.sampled_from([1.0, 1.5])),
        "member_own_products": draw(st.sampled_from([0.0, 1.0, 2.5])),
        "seller_own_products": draw(st.sampled_from([0.0, 0.5])),
        "builder_own_products": draw(st.sampled_from([0.0, 0.5])),
        "member_use_value": draw(st.sampled_from([0.0, 1.0])),
        "builder_use_value": draw(st.sampled_from([0.0, 0.5])),
        "seller_use_value": draw(st.sampled_from([0.0, 0.75])),
        "package_load_response": draw(st.sampled_from([0.0, 0.5, 3.0])),
        # Preferred customers (schema v1.1): none, half or all of the customers; strangers
        # every month or returning.
        "preferred_customer_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "preferred_customer_tenure": draw(st.sampled_from([1.0, 3.0, 12.0])),
    })
