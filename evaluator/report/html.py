"""The HTML report: one Jinja template set for the standalone page, the web app and the PDF.

Templates live in ``templates/report/`` (``evaluator/_data/templates`` in a wheel). Every
value from the plan passes through Jinja's autoescaping, so plan text such as ``<script>``
is shown, never run. The page is self-contained: its style sheet is inlined and its charts are
SVG ``data:`` images, so it needs no network and no other file. The charts module (and with it
matplotlib) is imported when a report is first rendered, not with this module.

:func:`render_html_fragment` gives the report body alone (an ``<article>``) for a page that has
its own layout; the page must then link :data:`REPORT_CSS` itself (see :func:`report_css`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import jinja2
from markupsafe import Markup

from evaluator.report import view
from evaluator.resources import data_dir

PAGE_TEMPLATE = "report/report.html.j2"
BODY_TEMPLATE = "report/_body.html.j2"
APPENDIX_TEMPLATE = "report/appendix.html.j2"
FURNITURE_TEMPLATE = "report/furniture.html.j2"
PAGE1_QUESTIONS = 3
"""Questions shown on page 1 (beside the bottom line in money, page 1 holds three); the full list
follows the indicator table."""
PAGE1_FINDINGS = 5
"""Findings shown on page 1 (the Evaluation orders them, most important first)."""
SHORT_DISCLAIMER_CHARS = 260

PERCENTILE_ROWS = (
    ("p5", "5th percentile"),
    ("p10", "10th percentile"),
    ("p25", "25th percentile"),
    ("p50", "50th percentile (median)"),
    ("p75", "75th percentile"),
    ("p90", "90th percentile"),
    ("p95", "95th percentile"),
    ("p99", "99th percentile"),
)
ECONOMICS_ROWS = (
    ("startup_cost", "Start-up cost", "money"),
    ("monthly_cost", "Monthly cost of staying active", "money"),
    ("first_year_cost", "First-year cost", "money"),
    ("retail_margin_fraction", "Retail margin (share of the retail price)", "percent"),
    ("price_premium_fraction", "Price premium over comparable products", "percent"),
    ("profit_per_customer_per_month", "Pay per retail customer a month", "money"),
    ("break_even_customers_per_month", "Break-even: retail customers a month", "count"),
    ("pay_per_active_recruit_per_month", "Pay per active recruit a month", "money"),
    ("break_even_active_recruits", "Break-even: active recruits", "count"),
    ("payback_months", "Months to earn back the start-up cost", "count"),
)
VERDICT_SYMBOLS = {"low": "\u25cb", "elevated": "\u25d0", "high": "\u25cf", "other": "\u25c6"}


def _lenient(func: Callable[..., str]) -> Callable[..., str]:
    """A filter that reads a missing value (Jinja ``Undefined``) as ``None`` (unknown)."""

    @functools.wraps(func)
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, jinja2.Undefined):
            value = None
        return func(value, *args, **kwargs)

    return wrapper


def figure(value: Any, kind: str, currency: str = "") -> str:
    """A figure by kind: ``money``, ``percent``, ``count`` (None = never) or a plain number."""
    if kind == "money":
        return view.money(value, currency)
    if kind == "percent":
        return view.percent(value)
    if kind == "count":
        return view.count(value)
    return view.number(value)


def payback_class(months: Any) -> str:
    """Heat-map class of a payback cell; the cell's text always says the same in words."""
    if months is None:
        return "pb-never"
    if months <= 3:
        return "pb-fast"
    return "pb-year" if months <= 12 else "pb-slow"


def _rates(rates: Any) -> str:
    return ", ".join(view.percent(r) for r in rates or [])


def _placement_terms(component: Mapping[str, Any]) -> str:
    """A forced tree's spill-over when the plan states first-open or leaves it unknown."""
    if component.get("placement") == "first_open":
        return "; recruits spill over to the first open position, level by level, left to right"
    return _unstated(component, "placement")


_UNSTATED_WORDS = {
    "compression": "whether it compresses past unqualified uplines is not stated "
                   "(simulated without compression)",
    "carryover": "whether unpaid stronger-leg volume carries over is not stated "
                 "(simulated as not carried over)",
    "placement": "where a recruit goes once the sponsor's positions are full is not stated "
                 "(simulated in turn)",
    "breakaway_legs_in_group_volume": "whether legs that broke away still count toward the "
                                      "upline's group volume is not stated (simulated as "
                                      "counted)",
}
"""What the report says of a component field left null (unknown), and what it is simulated as
(:data:`evaluator.schema.UNKNOWN_SIMULATED_AS`)."""


def _unstated(component: Mapping[str, Any], name: str) -> str:
    """``; <words>`` when the plan gave ``name`` as null (unknown), else empty."""
    return f"; {_UNSTATED_WORDS[name]}" if name in component and component[name] is None else ""


def component_terms(component: Mapping[str, Any], currency: str) -> str:
    """One pay component's terms in words, with the conditions on it (schema v1.1)."""
    return _terms(component, currency) + _condition_terms(component)


def _condition_terms(component: Mapping[str, Any]) -> str:
    """A bonus's schema v1.1 conditions in words (empty without any)."""
    words = []
    if component.get("requires_rank"):
        words.append(f"paid only to an earner who holds the rank {component['requires_rank']} "
                     "(or a higher one)")
    if component.get("min_recruit_order_volume"):
        words.append("only on recruits whose first order reaches "
                     f"{view.number(component['min_recruit_order_volume'])} of volume")
    return "; " + "; ".join(words) if words else ""


def _terms(component: Mapping[str, Any], currency: str) -> str:
    """One pay component's terms in words, conditions aside."""
    kind = component.get("type")
    basis = "customer orders only" if component.get("basis") == "customer" else "all orders"
    if kind == "retail_margin":
        return "buy at wholesale, resell at retail and keep the difference"
    if kind == "retail_commission":
        return f"{view.percent(component.get('rate'))} of each order a customer places"
    if kind == "enrollment_bonus":
        amounts = ", ".join(view.money(a, currency) for a in component.get("amounts") or [])
        return f"per new recruit, by level: {amounts}"
    if kind == "fast_start":
        return (
            f"by level: {_rates(component.get('rates'))} of a new recruit's orders for their "
            f"first {view.counted(component.get('months'), 'month')}"
        )
    if kind == "unilevel":
        compression = ("; compression by level (uplines with the level locked are skipped)"
                       if component.get("compression") == "dynamic"
                       else "; compression" if component.get("compression")
                       else _unstated(component, "compression"))
        return f"by level: {_rates(component.get('rates'))} of {basis}{compression}"
    if kind == "binary":
        cap = component.get("monthly_cap")
        cap_text = f"; capped at {view.money(cap, currency)} a month" if cap else ""
        carry = ("; unmatched volume carries over" if component.get("carryover")
                 else _unstated(component, "carryover"))
        if _binary_rules_used(component):
            return (_binary_terms(component, currency) + cap_text + _binary_carry(component)
                    + _placement_terms(component))
        return (f"{view.percent(component.get('rate'))} of the weaker leg's volume{cap_text}"
                f"{carry}{_placement_terms(component)}")
    if kind == "matrix":
        return (
            f"{view.number(component.get('width'))}-wide matrix, by level: "
            f"{_rates(component.get('rates'))}{_placement_terms(component)}"
        )
    if kind == "breakaway":
        left_out = ("; legs that broke away no longer count toward the upline's group volume"
                    if component.get("breakaway_legs_in_group_volume") is False
                    else _unstated(component, "breakaway_legs_in_group_volume"))
        return f"by breakaway generation: {_rates(component.get('generation_rates'))}{left_out}"
    if kind == "rank_bonus":
        return "differentials and monthly bonuses of the ranks below"
    if kind == "first_order_bonus":
        if component.get("rates"):
            return (f"by level: {_rates(component.get('rates'))} of a new recruit's first order "
                    "(their purchases and kit or package in the month they join), once")
        amounts = ", ".join(view.money(a, currency) for a in component.get("amounts") or [])
        return f"per new recruit's first order, by level: {amounts}, once"
    if kind == "matching_bonus":
        return (
            f"by generation of enrollees: {_rates(component.get('rates'))} of what each earns "
            "in a month (every component but retail margin)"
        )
    if kind in ("position_return", "pool"):
        return _position_pool_terms(component, currency)
    return ", ".join(f"{k}: {v}" for k, v in component.items() if k != "type")


def _position_pool_terms(component: Mapping[str, Any], currency: str) -> str:
    """The terms of a return on one's own position or a pool (schema v1.1), in plain words."""
    if component.get("type") == "pool":
        return (
            f"{view.percent(component.get('share'))} of the whole company's volume each month, "
            f"split equally among the qualified at rank {component.get('rank')} or above"
        )
    months = component.get("months_paid")
    if component.get("per_month") is not None:
        amount = f"{view.money(component.get('per_month'), currency)} each month"
    else:
        share = view.percent(component.get("rate_of_price"))
        amount = f"{share} of the price paid to join each month"
    paid = (f"for {view.counted(months, 'month')} from joining" if months is not None
            else "while active")
    task = f", for: {component['requires_task']}" if component.get("requires_task") else ""
    return (
        f"{amount}, {paid}{task}, for holding a position rather than for any sale (no customer "
        "pays for it: counted as paid from recruits' money)"
    )
def customer_share_terms(gate: Mapping[str, Any]) -> str:
    """A retail-share gate (schema v1.1 ``qualification.min_customer_share``) in words."""
    whose = "one's own volume" if gate.get("of") == "own" else (
        "one's whole group's volume (one's own included)")
    below = ("downline pay is scaled down in proportion to the share reached"
             if gate.get("mode") == "pro_rata" else "no downline pay that month")
    return (f"at least {view.percent(gate.get('share'))} of {whose} sold to customers outside "
            f"the network; below it, {below} (retail margin and commission on one's own "
            "customers are kept)")


def preferred_customer_terms(program: Mapping[str, Any]) -> str:
    """A preferred-customer program (schema v1.1 ``compensation.preferred_customers``) in words."""
    counted = program.get("counts_as_personal_volume")
    volume = ("their orders do not count as the participant's volume" if counted is False
              else "their orders count as the participant's personal and group volume"
              + (" (not stated: counted)" if counted is None else ""))
    return (f"customers enrolled under a participant buy at {view.percent(program.get('discount'))}"
            f" off the retail price; the participant earns "
            f"{view.percent(program.get('commission_rate'))} of what they pay (customer sales); "
            f"{volume}; they are not retail customers for the qualifying count")


_BINARY_RULES = ("cycle_volume_left", "cycle_volume_right", "cycle_pay", "carry_cap",
                 "unqualified_legs")
"""The binary's schema v1.1 fields (cycles, carry cap, unqualified legs)."""


def _binary_rules_used(component: Mapping[str, Any]) -> bool:
    return any(component.get(name) is not None for name in _BINARY_RULES)


def _binary_terms(component: Mapping[str, Any], currency: str) -> str:
    """What a binary with schema v1.1 rules pays, in words."""
    left, right = component.get("cycle_volume_left"), component.get("cycle_volume_right")
    rate = view.percent(component.get("rate"))
    if left is None or right is None:
        return f"{rate} of the weaker leg's volume"
    per = (view.money(component["cycle_pay"], currency)
           if component.get("cycle_pay") is not None
           else f"{rate} of {view.number(min(left, right))} volume")
    return (f"{per} per whole cycle of {view.number(left)} left-leg and "
            f"{view.number(right)} right-leg volume")


def _binary_carry(component: Mapping[str, Any]) -> str:
    """What a binary with schema v1.1 rules carries over, in words."""
    text = _unstated(component, "carryover")
    if component.get("carryover"):
        text = "; volume the cycles leave carries over"
        if component.get("carry_cap") is not None:
            text += f", at most {view.number(component['carry_cap'])} a leg"
    legs = component.get("unqualified_legs")
    if legs == "carry":
        text += "; an unqualified member's legs carry over whole"
    elif legs == "flush":
        text += "; an unqualified member's leg volume is lost"
    return text


def bands_text(indicator: Mapping[str, Any], currency: str = "") -> str:
    """The rubric's thresholds for a scored indicator, from the bands the indicator carries."""
    parts = []
    for band in indicator["bands"]:
        bound = band.get("max")
        level = view.level_word(band.get("level"))
        if bound is None:
            parts.append(f"otherwise {level}" if parts else f"always {level}")
        elif indicator.get("unit") == "yes/no":
            parts.append(f"{view.yes_no(bound >= 1)}: {level}")
        else:
            shown = view.indicator_value({**indicator, "value": bound}, currency)
            parts.append(f"up to {shown}: {level}")
    if indicator.get("unknown"):
        handling = indicator["unknown"]
        parts.append("unknown: not scored" if handling == "skip" else f"unknown: {handling}")
    return "; ".join(parts)


def short_title(title: Any) -> str:
    """A source's short name for a table cell: its title up to the first comma."""
    text = str(title or "")
    head = text.split(",", 1)[0].strip()
    return head if len(head) <= 70 else head[:69] + "…"


def _why(ev: Mapping[str, Any], findings: list[Mapping[str, Any]]) -> str:
    """One sentence on why the verdict is what it is, from the score and the findings."""
    score = ev.get("score") or {}
    levels = score.get("levels") or {}
    total = len(ev.get("indicators") or [])
    high = levels.get("high", 0)
    sentence = (
        f"{view.number(high)} of the {view.number(total)} indicators "
        f"{'is' if high == 1 else 'are'} at the high level and "
        f"{view.number(levels.get('elevated', 0))} elevated"
    )
    labels = [view.plain_label(f["label"]) for f in findings
              if f["label"] and f["level"] in ("high", "elevated")]
    if labels:
        sentence += "; the main reasons: " + "; ".join(labels[:2])
    labels_by_id = {i.get("id"): view.plain_label(i.get("label"))
                    for i in ev.get("indicators") or []}
    for override in score.get("overrides_applied") or []:
        label = labels_by_id.get(override.get("indicator")) or override.get("indicator")
        sentence += (
            f". A red flag sets the verdict to at least {override.get('verdict')}: "
            f"{label} is at the {view.level_word(override.get('level'))} level of risk"
        )
    return sentence + "."


def _short_disclaimer(text: str) -> str:
    """The disclaimer's first sentences, within a length that fits on page 1."""
    if len(text) <= SHORT_DISCLAIMER_CHARS:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    short = sentences[0]
    for sentence in sentences[1:]:
        if len(short) + 1 + len(sentence) > SHORT_DISCLAIMER_CHARS:
            break
        short = f"{short} {sentence}"
    return short


def _figures_date(ev: Mapping[str, Any], paper: bool = False) -> str:
    """What the plan says about when its figures were read.

    On ``paper`` (the PDF) the plan's sources follow this table instead of the citations.
    """
    plan = ev.get("plan") or {}
    parts = []
    disclosure = (plan.get("disclosures") or {}).get("income_disclosure") or {}
    if disclosure.get("year"):
        parts.append(f"income disclosure for {disclosure['year']}")
    if plan.get("sources"):
        parts.append("see “Where the plan's figures were read” "
                     + ("below" if paper else "under Sources"))
    elif (plan.get("company") or {}).get("notes"):
        parts.append("see the plan's notes under “The plan as entered”")
    return "; ".join(parts) if parts else "not stated in the plan"


@functools.cache
def environment() -> jinja2.Environment:
    """The report's Jinja environment (autoescaping on for every template)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    filters: dict[str, Callable[..., str]] = {
        "money": view.money,
        "down_up": view.down_up,
        "percent": view.percent,
        "number": view.number,
        "count": view.count,
        "counted": view.counted,
        "yes_no": view.yes_no,
        "level_symbol": view.level_symbol,
        "level_word": view.level_word,
        "indicator_value": view.indicator_value,
        "verdict_class": view.verdict_class,
        "verdict_symbol": lambda v: VERDICT_SYMBOLS[view.verdict_class(v)],
        "payback_class": payback_class,
        "figure": figure,
        "short_title": short_title,
        "component_terms": component_terms,
        "rates": _rates,
        "customer_share_terms": customer_share_terms,
        "preferred_customer_terms": preferred_customer_terms,
        "bands_text": bands_text,
    }
    env.filters.update({name: _lenient(f) for name, f in filters.items()})
    return env


def report_css_path() -> Path:
    """The report's style sheet (screen and print rules)."""
    return data_dir("templates") / "report" / "report.css"


@functools.cache
def report_css() -> str:
    """The report's style sheet as text, for a page that serves it from its own address."""
    return report_css_path().read_text(encoding="utf-8")


def context(
    evaluation: Any, links: Mapping[str, str] | None = None, *, paper: bool = False,
    page1_questions: int = PAGE1_QUESTIONS,
) -> dict[str, Any]:
    """Everything the templates read: the Evaluation dictionary, its charts and its wording.

    ``paper`` (the PDF) draws only the charts of ``PAPER_CHARTS`` and gives the templates
    ``paper`` (tables laid out for the printed page's width). ``page1_questions``: how many
    questions the summary shows (the rest are under "all questions to ask").
    """
    from evaluator.report.charts import CHARTS, PAPER_CHARTS, render_charts  # matplotlib

    ev = view.evaluation_dict(evaluation)
    findings = list(ev["findings"])[:PAGE1_FINDINGS]
    score = ev.get("score") or {}
    company = ((ev.get("plan") or {}).get("company") or {}).get("name") or "an offer"
    return {
        "ev": ev,
        "cur": (ev.get("economics") or {}).get("currency", ""),
        "charts": render_charts(ev, PAPER_CHARTS if paper else CHARTS),
        "links": dict(links or {}),
        "paper": paper,
        "why": _why(ev, findings),
        "method": {"verdicts": ev["rubric"]["verdicts"], "overrides": ev["rubric"]["overrides"]},
        "labels": {i.get("id"): i.get("label") for i in ev.get("indicators") or []},
        "findings": findings,
        "page1_questions": page1_questions,
        "disclaimer_short": _short_disclaimer(str(ev.get("disclaimer") or "")),
        "percentile_rows": PERCENTILE_ROWS,
        "economics_rows": ECONOMICS_ROWS,
        "figures_date": _figures_date(ev, paper),
        "report_date": view.report_date().isoformat(),
        "reproduce": view.reproduce_command(ev),
        "title": f"{company}: due-diligence report ({score.get('verdict', 'no verdict')})",
        "generator": f"Opportunity Evaluator (oppeval) {ev.get('engine_version', '')}".strip(),
        "css": Markup(report_css()),
    }


def render_page(
    evaluation: Any, links: Mapping[str, str] | None = None, *, paper: bool = False
) -> str:
    """The complete standalone HTML page (``paper``: the PDF's, see :func:`render_paper`)."""
    return environment().get_template(PAGE_TEMPLATE).render(
        context(evaluation, links, paper=paper)
    )


def render_paper(evaluation: Any, page1_questions: int = PAGE1_QUESTIONS) -> tuple[str, str]:
    """The two pages the PDF is laid out from: the report, and its appendix.

    The report leaves out the reference sections the appendix holds (assumptions, methodology,
    sources); its summary shows ``page1_questions`` questions.
    """
    ctx = context(evaluation, paper=True, page1_questions=page1_questions)
    env = environment()
    return (env.get_template(PAGE_TEMPLATE).render(ctx),
            env.get_template(APPENDIX_TEMPLATE).render(ctx))


def page_rules(css: str) -> str:
    """The top-level ``@page`` rules of a style sheet (what lays out the page margins)."""
    rules, depth, start = [], 0, None
    for index, char in enumerate(css):
        if depth == 0 and char == "@" and css.startswith("@page", index):
            start = index
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and start is not None:
                rules.append(css[start:index + 1])
                start = None
    return "\n".join(rules)


def render_furniture(evaluation: Any, pages: int) -> str:
    """A page of ``pages`` empty pages with the PDF's running header and footer (``pages`` >= 1).

    Its style sheet is the report's ``@page`` rules alone.
    """
    ev = view.evaluation_dict(evaluation)
    name = ((ev.get("plan") or {}).get("company") or {}).get("name")
    return environment().get_template(FURNITURE_TEMPLATE).render(
        running=name or "", pages=max(1, pages), css=Markup(page_rules(report_css())))


def render_html_fragment(evaluation: Any, **links: str) -> Markup:
    """The report body (``<article class="report">``) for a page with its own layout.

    ``links`` are download links shown under the title, e.g.
    ``render_html_fragment(ev, PDF="/download/abc.pdf", CSV="/download/abc.csv")``.
    The page must link the style sheet (:func:`report_css`) itself.
    """
    html = environment().get_template(BODY_TEMPLATE).render(context(evaluation, links))
    return Markup(html)


class HtmlRenderer:
    """The standalone HTML page, UTF-8."""

    name = "html"
    binary = False
    media_type = "text/html; charset=utf-8"
    extension = "html"

    def render(self, evaluation: Any, fileobj: IO[Any]) -> None:
        """Write the page to ``fileobj`` (text stream, or binary stream as UTF-8)."""
        view.write_text(fileobj, render_page(evaluation))
