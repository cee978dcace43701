"""Statistics of a run from its per-participant arrays, and their combination over runs.

Both engines end in the same :class:`~evaluator.simulation.network.RunData`, so one summary
serves both. Money per participant is in the plan's currency over that participant's tenure;
counts of people and company-wide money are multiplied by ``scale`` (people per simulated
participant). A figure that cannot be computed (no participants, no pay) is ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from evaluator.simulation.network import KINDS, MEMBER, PURCHASES, SOURCES, RunData

PERCENTILES = (5, 10, 25, 50, 75, 90, 95, 99)
VERDICT_READING = "with_use_credit"
"""The net income behind the verdict credits product used at its worth to the user: the FTC
expert in FTC v. Neora (2023) counted every purchase as a loss and the court did not accept
it; purchases made to qualify get no such credit (FTC staff guidance). The other reading is
``fraction_losing_money_without_use_credit``."""
HISTOGRAM_BINS = 20
INTERVAL = (5.0, 95.0)
INTERVAL_FIGURES = (
    "participants_ever",
    "fraction_losing_money",
    "median_net_income",
    "mean_net_income",
    "late_joiners.fraction_losing_money",
    "late_joiners.median_net_income",
    "top_1pct_pay_share",
    "top_10pct_pay_share",
    "gini",
    "fraction_recruited_nobody",
    "fraction_earning_nothing",
    "median_annual_gross_pay",
    "fraction_paid_nothing_by_company",
    "median_annual_pay_from_company",
    "payout_ratio",
    "pay_sources.customer_sales",
    "pay_sources.own_purchases",
    "pay_sources.enrollment",
)
COUNT_KEYS = frozenset({"participants_ever", "participants", "simulated_participants",
                        "projected_participants_ever"})


def _num(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def _percentiles(values: np.ndarray) -> dict[str, float | None]:
    if values.size == 0:
        return {f"p{p}": None for p in PERCENTILES}
    got = np.percentile(values, PERCENTILES)
    return {f"p{p}": _num(v) for p, v in zip(PERCENTILES, got, strict=True)}


def _group(net: np.ndarray, scale: float) -> dict[str, Any]:
    return {
        "participants": round(net.size * scale),
        "fraction_losing_money": _num((net < 0).mean()) if net.size else None,
        "median_net_income": _num(np.median(net)) if net.size else None,
    }


def _kind(run: RunData, code: int, net: np.ndarray) -> dict[str, Any]:
    """Outcomes of the participants of one kind (``None`` for each when there are none)."""
    return _outcomes(run, run.kind == code, net)


def _outcomes(run: RunData, mine: np.ndarray, net: np.ndarray) -> dict[str, Any]:
    """Outcomes of the participants where ``mine`` holds (``None`` for each when none)."""
    got = net[mine]
    if not got.size:
        return {"participants": 0, "fraction_losing_money": None,
                "fraction_losing_money_without_use_credit": None, "median_net_income": None,
                "mean_net_income": None, "fraction_recruited_nobody": None,
                "fraction_earning_nothing": None}
    return {
        "participants": round(got.size * run.params.scale),
        "fraction_losing_money": _num((got < 0).mean()),
        "fraction_losing_money_without_use_credit": _num(
            ((got - run.use_credit[mine]) < 0).mean()),
        "median_net_income": _num(np.median(got)),
        "mean_net_income": _num(got.mean()),
        "fraction_recruited_nobody": _num((run.recruits[mine] == 0).mean()),
        "fraction_earning_nothing": _num((run.pay[mine] <= 0).mean()),
    }


def _packages(run: RunData, net: np.ndarray) -> list[dict[str, Any]]:
    """Outcomes of those who chose each enrollment package, in the plan's order.

    Each entry is the package's ``name`` and :func:`_kind`'s figures for its buyers.
    """
    packages = run.params.packages
    if packages is None:
        return []
    out = []
    for p, name in enumerate(packages.names):
        mine = run.package == p
        out.append({"name": name, **_outcomes(run, mine, net)})
    return out


def _purchases(run: RunData) -> dict[str, Any]:
    """Money participants spent on product, company-wide, by why, and the shares."""
    total = sum(run.purchases.values())
    return {
        **{k: _num(run.purchases[k] * run.params.scale) for k in PURCHASES},
        "shares": {k: (_num(run.purchases[k] / total) if total > 0 else None)
                   for k in PURCHASES},
    }


def _sales(run: RunData) -> dict[str, Any]:
    """Company sales of product, to outside customers and to participants, and the shares.

    ``end_user_share`` counts what participants bought for their own use (demand-driven) with
    customers' orders as demand, as the Herbalife order counts verified personal consumption;
    ``non_participant_share`` counts customers' orders alone. Fees are not sales; kits and
    packages are sales to participants (required purchases).
    """
    own = sum(run.purchases.values())
    total = run.customer_sales + own
    return {
        "customers": _num(run.customer_sales * run.params.scale),
        "participants": _num(own * run.params.scale),
        "non_participant_share": _num(run.customer_sales / total) if total > 0 else None,
        "end_user_share": (_num((run.customer_sales + run.purchases["demand_driven"]) / total)
                           if total > 0 else None),
    }


def _bought(months: int, count: int, money: float) -> dict[str, Any]:
    """Share of ``months`` (active participant-months) spent buying to qualify, and its mean."""
    return {
        "participant_month_share": _num(count / months) if months > 0 else None,
        "mean_purchase": _num(money / count) if count else None,
    }


def _buying_to_qualify(run: RunData) -> dict[str, Any]:
    """How often participants bought to qualify, what it cost, who passed it up, and by kind.

    ``not_worth_it_share``: of the participant-months short of a target who would buy, the share
    that did not because qualifying had paid them less than the products' cost net of their worth.
    """
    count, money = run.top_ups
    short = count + run.top_ups_passed
    return {
        **_bought(int(run.months_active.sum()), count, money),
        "not_worth_it_share": _num(run.top_ups_passed / short) if short else None,
        "by_kind": {name: _bought(int(run.months_active[run.kind == code].sum()),
                                  *run.top_ups_by_kind[code])
                    for code, name in enumerate(KINDS)},
    }


def _customers(run: RunData) -> dict[str, Any]:
    """Outside customers served per active month: of every participant, and of partners.

    A partner is a participant who is not a discount member (Neora counts its preferred
    customers beside its active brand partners).
    """
    months = int(run.months_active.sum())
    partners = run.kind != MEMBER
    partner_months = int(run.months_active[partners].sum())
    return {
        "per_active_participant_month": (
            _num(run.customers_served.sum() / months) if months > 0 else None),
        "per_active_partner_month": (
            _num(run.customers_served[partners].sum() / partner_months)
            if partner_months > 0 else None),
    }


def top_share(pay: np.ndarray, fraction: float) -> float | None:
    """Share of all pay going to the top ``fraction`` of participants (at least one)."""
    total = pay.sum()
    if pay.size == 0 or total <= 0:
        return None
    k = max(1, math.ceil(fraction * pay.size))
    top = np.partition(pay, pay.size - k)[pay.size - k:]
    return _num(top.sum() / total)


def gini(pay: np.ndarray) -> float | None:
    """Gini coefficient of pay (0: equal; near 1: one person gets everything)."""
    total = pay.sum()
    if pay.size == 0 or total <= 0:
        return None
    x = np.sort(pay)
    i = np.arange(1, x.size + 1)
    return _num((2 * (i * x).sum()) / (x.size * total) - (x.size + 1) / x.size)


def summarise(run: RunData, engine: str) -> dict[str, Any]:
    """The ``simulation`` figures of one run."""
    p = run.params
    scale = p.scale
    horizon = p.horizon
    net = run.pay - run.cost
    late = run.join > horizon / 2
    company_breakage = sum(run.breakage.values())
    quarters = []
    quarter_of = np.maximum(run.join - 1, 0) // 3 + 1
    for qtr in range(1, math.ceil(horizon / 3) + 1):
        quarters.append({"quarter": qtr, **_group(net[quarter_of == qtr], scale)})
    months = np.maximum(run.months_active, 1)
    annual = run.pay * 12 / months
    annual_from_company = run.pay_from_company * 12 / months
    lo, hi = (np.percentile(net, [1, 99]) if net.size else (0.0, 0.0))
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    edges = np.linspace(lo, hi, HISTOGRAM_BINS + 1)
    clipped = np.clip(net, lo, hi)

    def hist(values: np.ndarray) -> list[int]:
        counts, _ = np.histogram(values, bins=edges)
        return [round(c * scale) for c in counts.tolist()]

    ever = [round(x * scale) for x in run.timeline_ever]
    sources = np.maximum(run.pay_sources, 0.0)
    source_total = float(sources.sum())
    out: dict[str, Any] = {
        "engine": engine,
        "runs": 1,
        "scale": scale,
        "projected_participants_ever": round(p.projected_ever),
        "simulated_participants": run.n,
        "participants_ever": round(run.n * scale),
        "fraction_losing_money": _num((net < 0).mean()),
        "median_net_income": _num(np.median(net)),
        "mean_net_income": _num(net.mean()),
        "net_income_percentiles": _percentiles(net),
        "late_joiners": {
            "definition": f"joined after month {horizon // 2} (the second half of the "
            f"{horizon}-month horizon)",
            **_group(net[late], scale),
            "mean_net_income": _num(net[late].mean()) if late.any() else None,
            "net_income_percentiles": _percentiles(net[late]),
        },
        "by_join_quarter": quarters,
        "top_1pct_pay_share": top_share(run.pay, 0.01),
        "top_10pct_pay_share": top_share(run.pay, 0.10),
        "gini": gini(run.pay),
        "fraction_recruited_nobody": _num((run.recruits == 0).mean()),
        "fraction_earning_nothing": _num((run.pay <= 0).mean()),
        "median_annual_gross_pay": _num(np.median(annual)),
        # What income disclosures count: pay from the company, retail margin (which
        # customers pay the participant) aside.
        "fraction_paid_nothing_by_company": _num((run.pay_from_company <= 0).mean()),
        "median_annual_pay_from_company": _num(np.median(annual_from_company)),
        # Shares of the tagged pay itself, so they lie in [0, 1] and sum to 1 even where the
        # per-participant rounding of total pay differs from the source totals in the last digits.
        "pay_sources": {
            s: (_num(v / source_total) if source_total > 0 else None)
            for s, v in zip(SOURCES, sources, strict=True)
        },
        "pay_by_component": {k: _num(v * scale) for k, v in run.pay_by_component.items()},
        "payout_ratio": (
            _num(run.company_pay / run.company_sales) if run.company_sales > 0 else None
        ),
        "company_sales": _num(run.company_sales * scale),
        "breakage": {
            "total": _num(company_breakage * scale),
            "by_cause": {k: _num(v * scale) for k, v in run.breakage.items()},
        },
        "timeline": {
            "month": list(range(horizon + 1)),
            "participants_ever": ever,
            "active": [round(x * scale) for x in run.timeline_active],
            "saturation": [_num(x / p.market) for x in run.timeline_ever],
        },
        "net_income_histogram": {
            "edges": [_num(e) for e in edges],
            "all": hist(clipped),
            "late": hist(clipped[late]),
        },
        # Every purchase counted as a loss, product used or not (the reading the Neora court
        # did not accept); fraction_losing_money credits product used at its worth.
        "fraction_losing_money_without_use_credit": _num(((net - run.use_credit) < 0).mean()),
        # Which reading the verdict's figures (fraction_losing_money and the rest) use.
        "verdict_reading": VERDICT_READING,
        "by_kind": {name: _kind(run, code, net) for code, name in enumerate(KINDS)},
        "purchases": _purchases(run),
        **({"by_package": _packages(run, net)} if p.packages is not None else {}),
        "customers": _customers(run),
        "sales": _sales(run),
        "buying_to_qualify": _buying_to_qualify(run),
        # Share of the own-purchase volume (which pay_sources.own_purchases is paid on) that
        # participants bought for their own use, not because the plan required or rewarded it.
        "own_purchase_volume_demand_share": (
            _num(run.own_volume[0] / sum(run.own_volume)) if sum(run.own_volume) > 0 else None
        ),
    }
    if run.matching_sources is not None:
        # The matching bonus's part of pay_sources: shares of all tagged pay, by source.
        matched = np.maximum(run.matching_sources, 0.0)
        out["matching_bonus_sources"] = {
            s: (_num(v / source_total) if source_total > 0 else None)
            for s, v in zip(SOURCES, matched, strict=True)
        }
    return out


def _mean(values: Sequence[Any], key: str) -> Any:
    """Mean of the same figure over runs.

    Numbers averaged (None ignored), dicts and lists of dicts by element, anything else taken from
    the first run.
    """
    first = values[0]
    if isinstance(first, dict):
        return {k: _mean([v[k] for v in values], k) for k in first}
    if isinstance(first, list) and first and isinstance(first[0], dict):
        return [_mean([v[i] for v in values], key) for i in range(len(first))]
    if isinstance(first, bool | str | list) or all(v == first for v in values):
        return first
    if all(v is None or isinstance(v, int | float) for v in values):
        nums = [v for v in values if v is not None]
        if not nums:
            return None
        mean = float(np.mean(nums))
        return round(mean) if key in COUNT_KEYS else mean
    return first


def _lookup(summary: dict[str, Any], dotted: str) -> Any:
    node: Any = summary
    for part in dotted.split("."):
        node = node[part]
    return node


def combine(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Figures over all runs: means, with the timeline and histogram of run 0.

    Each key figure also gets a 90% interval (5th to 95th percentile over runs) under ``intervals``.
    """
    out = {k: _mean([s[k] for s in summaries], k) for k in summaries[0]}
    out["runs"] = len(summaries)
    out["timeline"] = summaries[0]["timeline"]
    out["net_income_histogram"] = summaries[0]["net_income_histogram"]
    intervals: dict[str, dict[str, float | None]] = {}
    for figure in INTERVAL_FIGURES:
        nums = [v for v in (_lookup(s, figure) for s in summaries) if v is not None]
        if nums:
            low, high = np.percentile(nums, INTERVAL)
            intervals[figure] = {"mean": _num(np.mean(nums)), "low": _num(low),
                                 "high": _num(high)}
        else:
            intervals[figure] = {"mean": None, "low": None, "high": None}
    out["intervals"] = intervals
    return out
