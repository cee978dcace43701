"""Offers side by side: 2 to 4 evaluations in, a :class:`Comparison` out.

The evaluations are made under one set of assumptions, one rubric and one seed; the comparison
carries the sentence that says which costs a recruit less.

Pure: it reads the published Evaluation dictionaries (``Evaluation.to_dict()`` or the canonical
JSON parsed) and computes no figure of its own beyond picking, ordering and comparing them.
The front doors (``GET /compare`` and ``oppeval compare``) evaluate the plans; the renderers in
``evaluator/report/comparison.py`` format the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluator.report import view

MIN_OFFERS = 2
MAX_OFFERS = 4
"""A comparison holds 2 to 4 offers."""

LETTERS = "ABCD"

SECTIONS: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("What joining costs", (
        ("Start-up cost", "money", ("economics", "startup_cost")),
        ("Monthly cost of staying active", "money", ("economics", "monthly_cost")),
        ("First-year cost", "money", ("economics", "first_year_cost")),
    )),
    ("Break-even", (
        ("Retail customers a month to break even", "count",
         ("economics", "break_even_customers_per_month")),
        ("Active recruits to break even", "count", ("economics", "break_even_active_recruits")),
        ("Months to earn back the start-up cost", "count", ("economics", "payback_months")),
    )),
    ("The bottom line", (
        ("Median participant's net income over the horizon", "money",
         ("simulation", "median_net_income")),
        ("Mean participant's net income over the horizon", "money",
         ("simulation", "mean_net_income")),
        ("Participants who lose money", "percent", ("simulation", "fraction_losing_money")),
        ("Median yearly pay from the company", "money",
         ("simulation", "median_annual_pay_from_company")),
    )),
    ("Where the money comes from", (
        ("Pay from sales to customers", "percent", ("simulation", "pay_sources", "customer_sales")),
        ("Pay from participants' own purchases", "percent",
         ("simulation", "pay_sources", "own_purchases")),
        ("Pay from enrolling recruits", "percent", ("simulation", "pay_sources", "enrollment")),
    )),
    ("Late joiners", (
        ("Late joiners who lose money", "percent",
         ("simulation", "late_joiners", "fraction_losing_money")),
        ("Late joiners' median net income", "money",
         ("simulation", "late_joiners", "median_net_income")),
    )),
    ("Verdict", (
        ("Risk score", "number", ("score", "value")),
        ("Verdict", "text", ("score", "verdict")),
    )),
)
"""Section title -> rows of (label, kind, path in the Evaluation dictionary)."""


@dataclass(frozen=True)
class Offer:
    """One compared offer: its letter, company, currency and verdict."""

    letter: str
    name: str
    currency: str
    verdict: str
    verdict_level: str


@dataclass(frozen=True)
class Row:
    """One figure for every offer; ``kind`` is money, percent, count, number or text."""

    key: str
    label: str
    kind: str
    values: tuple[Any, ...]

    @property
    def differs(self) -> bool:
        """Whether the offers' values are not all the same."""
        return len({repr(v) for v in self.values}) > 1


@dataclass(frozen=True)
class Section:
    """A titled group of rows."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator whose level is not the same for every offer."""

    id: str
    label: str
    unit: str
    values: tuple[Any, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """The offers, their figures by section, the indicators that differ, and the summary."""

    offers: tuple[Offer, ...]
    sections: tuple[Section, ...]
    indicators: tuple[IndicatorRow, ...]
    same_indicators: int
    summary: str
    horizon_months: Any
    seed: Any
    engine_version: str
    rubric: str
    changed_assumptions: tuple[tuple[str, Any, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data (for JSON or tests)."""
        return {
            "offers": [vars(o) for o in self.offers],
            "sections": [
                {"title": s.title,
                 "rows": [{"key": r.key, "label": r.label, "kind": r.kind,
                           "values": list(r.values), "differs": r.differs} for r in s.rows]}
                for s in self.sections
            ],
            "indicators": [
                {"id": i.id, "label": i.label, "unit": i.unit, "values": list(i.values),
                 "levels": list(i.levels)}
                for i in self.indicators
            ],
            "same_indicators": self.same_indicators,
            "summary": self.summary,
            "horizon_months": self.horizon_months,
            "seed": self.seed,
            "engine_version": self.engine_version,
            "rubric": self.rubric,
            "changed_assumptions": [list(a) for a in self.changed_assumptions],
        }


def _offer(letter: str, ev: Mapping[str, Any]) -> Offer:
    score = ev.get("score") or {}
    return Offer(
        letter=letter,
        name=str(view.lookup(ev, ("plan", "company", "name")) or f"Offer {letter}"),
        currency=str(view.lookup(ev, ("economics", "currency")) or ""),
        verdict=str(score.get("verdict") or ""),
        verdict_level=str(score.get("verdict_level") or ""),
    )


def _indicator_rows(evs: Sequence[Mapping[str, Any]]) -> tuple[list[IndicatorRow], int]:
    by_offer = [{i.get("id"): i for i in ev.get("indicators") or []} for ev in evs]
    order: list[str] = []
    for table in by_offer:
        order += [key for key in table if key not in order]
    rows, same = [], 0
    for key in order:
        found = [table.get(key) or {} for table in by_offer]
        levels = tuple(str(f.get("level") or "not scored") for f in found)
        if len(set(levels)) == 1:
            same += 1
            continue
        first = next(f for f in found if f)
        rows.append(IndicatorRow(id=str(key), label=str(first.get("label") or key),
                                 unit=str(first.get("unit") or ""),
                                 values=tuple(f.get("value") for f in found), levels=levels))
    return rows, same


def _money(ev: Mapping[str, Any], offer: Offer, *path: str) -> str:
    return view.money(view.lookup(ev, path), offer.currency)


def summary_sentence(evs: Sequence[Mapping[str, Any]], offers: Sequence[Offer]) -> str:
    """Which offer costs a recruit less (the median participant's net income) and why."""
    currencies = sorted({o.currency for o in offers})
    if len(currencies) > 1:
        return (
            "The offers are priced in different currencies (" + ", ".join(currencies) + "), "
            "so this comparison does not say which costs a recruit less; compare each figure "
            "in its own currency."
        )
    medians = [view.lookup(ev, ("simulation", "median_net_income")) for ev in evs]
    if any(m is None for m in medians):
        return ("The median participant's net income is unknown for at least one offer, so "
                "this comparison does not say which costs a recruit less.")
    horizon = view.lookup(evs[0], ("assumptions", "horizon_months", "value"))
    period = "the horizon" if horizon is None else f"the {view.number(horizon)} months simulated"
    if len(set(medians)) == 1:
        return (f"No offer costs a typical recruit less: the median participant of each ends "
                f"{period} at {_money(evs[0], offers[0], 'simulation', 'median_net_income')}.")
    best = max(range(len(evs)), key=lambda i: (medians[i], -i))
    worst = min(range(len(evs)), key=lambda i: (medians[i], i))
    b, w = offers[best], offers[worst]
    others = "the others" if len(evs) > 2 else w.name
    least = "less" if len(evs) == 2 else "least"
    sentence = (
        f"{b.name} (offer {b.letter}) costs a typical recruit {least}: its median participant "
        f"ends {period} at {_money(evs[best], b, 'simulation', 'median_net_income')}, against "
        f"{_money(evs[worst], w, 'simulation', 'median_net_income')} for {w.name} "
        f"(offer {w.letter})"
    )
    reasons = _reasons(evs[best], evs[worst], b, w)
    if reasons:
        return f"{sentence}, because " + "; ".join(reasons) + "."
    return (f"{sentence}. It is not that joining is cheaper: its pay, not its cost, leaves the "
            f"typical participant better off than with {others}.")


def _reasons(best: Mapping[str, Any], worst: Mapping[str, Any], b: Offer, w: Offer) -> list[str]:
    reasons = []
    cost_b = view.lookup(best, ("economics", "first_year_cost"))
    cost_w = view.lookup(worst, ("economics", "first_year_cost"))
    if cost_b is not None and cost_w is not None and cost_b < cost_w:
        reasons.append(f"its first year costs {view.money(cost_b, b.currency)} against "
                       f"{view.money(cost_w, w.currency)}")
    sales_b = view.lookup(best, ("simulation", "pay_sources", "customer_sales"))
    sales_w = view.lookup(worst, ("simulation", "pay_sources", "customer_sales"))
    if sales_b is not None and sales_w is not None and sales_b > sales_w:
        reasons.append(f"more of its pay comes from sales to customers ({view.percent(sales_b)} "
                       f"against {view.percent(sales_w)})")
    losing_b = view.lookup(best, ("simulation", "fraction_losing_money"))
    losing_w = view.lookup(worst, ("simulation", "fraction_losing_money"))
    if losing_b is not None and losing_w is not None and losing_b < losing_w:
        reasons.append(f"fewer of its participants lose money ({view.percent(losing_b)} "
                       f"against {view.percent(losing_w)})")
    return reasons


def compare(evaluations: Sequence[Mapping[str, Any]]) -> Comparison:
    """Compare 2 to 4 Evaluation dictionaries made under the same assumptions, rubric and seed."""
    if not MIN_OFFERS <= len(evaluations) <= MAX_OFFERS:
        raise ValueError(f"a comparison holds {MIN_OFFERS} to {MAX_OFFERS} offers, "
                         f"not {len(evaluations)}")
    evs = list(evaluations)
    offers = tuple(_offer(letter, ev) for letter, ev in zip(LETTERS, evs, strict=False))
    sections = tuple(
        Section(title, tuple(
            Row(key=".".join(path), label=label, kind=kind,
                values=tuple(view.lookup(ev, path) for ev in evs))
            for label, kind, path in rows
        ))
        for title, rows in SECTIONS
    )
    indicators, same = _indicator_rows(evs)
    first = evs[0]
    rubric = first.get("rubric") or {}
    changed = tuple(
        (str(spec.get("label") or name), spec.get("value"), str(spec.get("unit") or ""))
        for name, spec in (first.get("assumptions") or {}).items()
        if isinstance(spec, Mapping) and spec.get("changed")
    )
    return Comparison(
        offers=offers,
        sections=sections,
        indicators=tuple(indicators),
        same_indicators=same,
        summary=summary_sentence(evs, offers),
        horizon_months=view.lookup(first, ("assumptions", "horizon_months", "value")),
        seed=first.get("seed"),
        engine_version=str(first.get("engine_version") or ""),
        rubric=f"{rubric.get('title') or rubric.get('id') or 'rubric'} "
               f"(version {rubric.get('version')})",
        changed_assumptions=changed,
    )
