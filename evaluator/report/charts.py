"""Charts of an Evaluation as byte-stable SVG, drawn with matplotlib's object API (no pyplot).

Each chart plots figures that are already in the Evaluation dictionary (histogram counts, the
network timeline, pay shares, levels); nothing is recomputed. Text stays text
(``svg.fonttype = "none"``), ids are salted with a fixed value and the date is left out, so
the same Evaluation always gives the same bytes. Every chart carries a title and an
alternative text written from the same figures, for readers who cannot see it. A process keeps
the charts it drew, bounded (:data:`DRAWN_BYTES`, :data:`DRAWN_CHARTS`), so a report's HTML and
its PDF draw them once.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evaluator.report.view import level_word, money, number, percent

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "oppeval-report",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "path.simplify": False,
}
"""matplotlib settings used for every chart (applied inside a lock, never globally)."""

COLOURS = {
    "all": "#8c8c8c",
    "late": "#d9480f",
    "active": "#1c7ed6",
    "ever": "#5f3dc4",
    "saturation": "#c92a2a",
    "customer_sales": "#2b8a3e",
    "own_purchases": "#e67700",
    "enrollment": "#c92a2a",
    "low": "#2b8a3e",
    "elevated": "#e67700",
    "high": "#c92a2a",
    "unknown": "#868e96",
}
LEVEL_MARKERS = {"low": "o", "elevated": "^", "high": "s", "unknown": "X"}
LEVEL_COLUMNS = ("low", "elevated", "high", "unknown")
SOURCE_LABELS = {
    "customer_sales": "sales to customers",
    "own_purchases": "participants' own purchases",
    "enrollment": "joining fees and kits (enrollment)",
}

_LOCK = threading.Lock()
WIDTH = 6.6
"""Chart width in inches: the printable width of an A4 page with the report's margins."""


@dataclass(frozen=True)
class Chart:
    """One chart: an id for anchors, a title, alternative text and the SVG document."""

    id: str
    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI, for an ``<img>`` that any page policy can show."""
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


def _svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
    return buffer.getvalue()


def _money_axis(currency: str) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: money(x, currency))


def _percent_axis() -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: percent(x))


def income_distribution(ev: Mapping[str, Any]) -> Chart | None:
    """Histogram of net income after costs: every participant, with late joiners overlaid."""
    sim = ev.get("simulation") or {}
    hist = sim.get("net_income_histogram") or {}
    edges: Sequence[float] = hist.get("edges") or []
    every: Sequence[float] = hist.get("all") or []
    late: Sequence[float] = hist.get("late") or []
    if len(edges) < 2 or len(every) != len(edges) - 1:
        return None
    currency = ev.get("economics", {}).get("currency", "")
    late_info = sim.get("late_joiners") or {}
    title = "Net income after costs over the horizon"
    fig = Figure(figsize=(WIDTH, 2.7))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.86, bottom=0.17)
    ax = fig.add_subplot()
    ax.stairs(every, edges, fill=True, color=COLOURS["all"], label="all participants")
    if len(late) == len(every):
        ax.stairs(late, edges, fill=True, color=COLOURS["late"], hatch="////",
                  label="late joiners")
    ax.axvline(0, color="black", linewidth=1, linestyle="--", label="break-even (0)")
    ax.xaxis.set_major_formatter(_money_axis(currency))
    ax.xaxis.set_major_locator(MaxNLocator(7))
    ax.set_xlabel(f"net income after costs ({currency}); left of the dashed line = lost money")
    ax.set_ylabel("people")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3, borderaxespad=0.2)
    alt = (
        f"Histogram of simulated net income after costs. "
        f"{percent(sim.get('fraction_losing_money'))} of all participants lose money, "
        f"median {money(sim.get('median_net_income'), currency)}; "
        f"{percent(late_info.get('fraction_losing_money'))} of late joiners lose money, "
        f"median {money(late_info.get('median_net_income'), currency)}."
    )
    return Chart("chart-income", title, alt, _svg(fig, title))


def network_growth(ev: Mapping[str, Any]) -> Chart | None:
    """Participants (ever joined and active) and market saturation, month by month."""
    timeline = (ev.get("simulation") or {}).get("timeline") or {}
    months: Sequence[int] = timeline.get("month") or []
    if not months:
        return None
    title = "Network growth and market saturation"
    fig = Figure(figsize=(WIDTH, 2.5))
    fig.subplots_adjust(left=0.11, right=0.98, top=0.88, bottom=0.17, wspace=0.28)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    if timeline.get("participants_ever"):
        left.plot(months, timeline["participants_ever"], color=COLOURS["ever"],
                  label="ever joined", linewidth=1.6)
    if timeline.get("active"):
        left.plot(months, timeline["active"], color=COLOURS["active"], linestyle="--",
                  label="active", linewidth=1.6)
    left.set_title("Participants", loc="left", y=1.0, pad=6)
    left.set_xlabel("month")
    left.set_ylabel("people")
    left.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number(x)))
    left.legend(loc="upper left")
    saturation = timeline.get("saturation") or []
    if saturation:
        right.plot(months, saturation, color=COLOURS["saturation"], linewidth=1.6)
        right.set_ylim(0, max(1.0, max(saturation)))
        right.yaxis.set_major_formatter(_percent_axis())
    right.set_title("Share of the market reached", loc="left", y=1.0, pad=6)
    right.set_xlabel("month")
    alt = (
        f"Line charts over {number(months[-1])} months: participants ever joined "
        f"reach {number((timeline.get('participants_ever') or [None])[-1])} and active "
        f"participants end at {number((timeline.get('active') or [None])[-1])}; the share "
        f"of the market reached ends at {percent((saturation or [None])[-1])}."
    )
    return Chart("chart-growth", title, alt, _svg(fig, title))


def pay_sources(ev: Mapping[str, Any]) -> Chart | None:
    """Where the pay comes from (three sources) and pay by plan component."""
    sim = ev.get("simulation") or {}
    sources: Mapping[str, float] = sim.get("pay_sources") or {}
    components: Mapping[str, float] = sim.get("pay_by_component") or {}
    if not sources and not components:
        return None
    currency = ev.get("economics", {}).get("currency", "")
    title = "Where the pay comes from"
    fig = Figure(figsize=(WIDTH, 2.3))
    left = fig.add_axes((0.3, 0.14, 0.2, 0.72))
    right = fig.add_axes((0.71, 0.14, 0.2, 0.72))
    keys = [k for k in SOURCE_LABELS if sources.get(k) is not None]
    labels = [SOURCE_LABELS[k] for k in keys]
    values = [sources[k] for k in keys]
    bars = left.barh(labels, values, color=[COLOURS[k] for k in keys])
    left.bar_label(bars, labels=[percent(v) for v in values], padding=3, fontsize=8)
    left.set_xlim(0, 1.15)
    left.xaxis.set_major_formatter(_percent_axis())
    left.invert_yaxis()
    left.set_title("Share of all pay, by source", loc="left", y=1.0, pad=6)
    names = sorted(components, key=lambda k: (-components[k], k))
    amounts = [components[k] for k in names]
    cbars = right.barh([n.replace("_", " ") for n in names], amounts, color="#495057")
    right.bar_label(cbars, labels=[money(v, currency) for v in amounts], padding=3, fontsize=7.5)
    right.invert_yaxis()
    right.set_xlim(0, max(amounts, default=0) * 1.6 or 1)
    right.set_xticks([])
    right.spines["bottom"].set_visible(False)
    right.set_title("Total pay by plan component", loc="left", y=1.0, pad=6)
    parts = "; ".join(f"{SOURCE_LABELS[k]} {percent(sources[k])}" for k in keys)
    comp = "; ".join(f"{n.replace('_', ' ')} {money(components[n], currency)}" for n in names)
    alt = f"Bar charts. Share of all pay by source: {parts}. Pay by plan component: {comp}."
    return Chart("chart-pay", title, alt, _svg(fig, title))


def join_quarters(ev: Mapping[str, Any]) -> Chart | None:
    """Share losing money by the quarter in which people joined."""
    rows: Sequence[Mapping[str, Any]] = (ev.get("simulation") or {}).get("by_join_quarter") or []
    rows = [r for r in rows if r.get("fraction_losing_money") is not None]
    if not rows:
        return None
    title = "Share losing money, by when they joined"
    fig = Figure(figsize=(WIDTH, 2.1))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.84, bottom=0.22)
    ax = fig.add_subplot()
    quarters = [r["quarter"] for r in rows]
    values = [r["fraction_losing_money"] for r in rows]
    ax.bar(quarters, values, color=COLOURS["late"], width=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent_axis())
    ax.set_xlabel("quarter of joining (1 = the network's first three months)")
    ax.set_title(title, loc="left", y=1.0, pad=8)
    alt = (
        f"Bar chart by quarter of joining: {percent(values[0])} of those joining in quarter "
        f"{number(quarters[0])} lose money, against {percent(values[-1])} of those joining in "
        f"quarter {number(quarters[-1])}; quarters in which nobody joined have no bar."
    )
    return Chart("chart-quarters", title, alt, _svg(fig, title))


def indicator_levels(ev: Mapping[str, Any]) -> Chart | None:
    """Every indicator the rubric scores, at its level, with shape, colour and the level word.

    Labels and columns are drawn as plain text rather than axis ticks, which keeps this
    chart (one row per indicator) quick to draw. Indicators the rubric gives no weight are
    left out (the indicator table lists them as not scored).
    """
    indicators = [i for i in ev.get("indicators") or [] if i.get("weight")]
    if not indicators:
        return None
    title = "Indicator levels"
    rows = len(indicators)
    height = 0.75 + 0.21 * rows
    fig = Figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0.44, 0.08 / height, 0.55, 1 - 0.62 / height))
    ax.set_axis_off()
    ax.set_xlim(-0.4, len(LEVEL_COLUMNS) + 0.55)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.vlines(range(len(LEVEL_COLUMNS)), -0.5, rows - 0.5, color="#dee2e6", linewidth=0.8)
    for column, word in enumerate(LEVEL_COLUMNS):
        ax.text(column, -0.7, word, ha="center", va="bottom", fontsize=8)
    label_at = ax.get_yaxis_transform()
    words = [level_word(ind.get("level")) for ind in indicators]
    for row, (ind, word) in enumerate(zip(indicators, words, strict=True)):
        column = LEVEL_COLUMNS.index(word)
        ax.text(-0.02, row, str(ind.get("label") or ind.get("id")), transform=label_at,
                ha="right", va="center", fontsize=7.5)
        ax.text(column + 0.12, row, f"{word} (weight {number(ind.get('weight'))})",
                ha="left", va="center", fontsize=7)
    for word in LEVEL_COLUMNS:
        at = [row for row, w in enumerate(words) if w == word]
        if at:
            ax.scatter([LEVEL_COLUMNS.index(word)] * len(at), at, marker=LEVEL_MARKERS[word],
                       s=45, color=COLOURS[word], zorder=3)
    fig.text(0.01, 1 - 0.08 / height, title, ha="left", va="top", fontsize=9.5)
    names: dict[str, list[str]] = {}
    for ind, word in zip(indicators, words, strict=True):
        names.setdefault(word, []).append(str(ind.get("label") or ind.get("id")))
    alt = "Indicator levels. " + " ".join(
        f"{word.capitalize()}: {', '.join(names[word])}." for word in LEVEL_COLUMNS
        if word in names
    )
    return Chart("chart-levels", title, alt, _svg(fig, title))


CHARTS: tuple[Callable[[Mapping[str, Any]], Chart | None], ...] = (
    income_distribution,
    join_quarters,
    network_growth,
    pay_sources,
    indicator_levels,
)
"""Every chart of the report, in reading order."""

PAPER_CHARTS = tuple(chart for chart in CHARTS if chart is not indicator_levels)
"""The charts of the PDF: the levels chart repeats the indicator table beside it, so on paper
the table stands alone (and the chart is not drawn)."""


DRAWN_BYTES = 4_000_000
"""Most bytes of SVG the process keeps of charts it drew (the tool's choice; a report's five
charts are about 60 kB), so the PDF of a report just shown as HTML does not draw its charts
again; the least recently used go first."""

DRAWN_CHARTS = 128
"""Most charts (drawn, or found to have no figures) the process keeps, whatever their bytes."""

_drawn: OrderedDict[tuple[str, str], Chart | None] = OrderedDict()
_drawn_bytes = 0


def _chart_bytes(chart: Chart | None) -> int:
    return 0 if chart is None else len(chart.svg.encode("utf-8"))


def evaluation_key(ev: Mapping[str, Any]) -> str:
    """What a chart is drawn from, hashed: the whole Evaluation dictionary."""
    text = json.dumps(ev, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def drawn_charts() -> tuple[int, int]:
    """How many drawn charts the process keeps, and their SVG's bytes together."""
    with _LOCK:
        return len(_drawn), _drawn_bytes


def forget_drawn_charts() -> None:
    """Forget every kept chart."""
    global _drawn_bytes
    with _LOCK:
        _drawn.clear()
        _drawn_bytes = 0


def render_charts(
    ev: Mapping[str, Any], charts: Sequence[Callable[[Mapping[str, Any]], Chart | None]] = CHARTS
) -> list[Chart]:
    """Each chart of ``charts`` the Evaluation has figures for (one without them is left out).

    A chart this process drew from the same Evaluation (by :func:`evaluation_key`) is kept
    (within :data:`DRAWN_BYTES`) and given again, not drawn twice: the HTML report and the PDF
    show the same charts.
    """
    global _drawn_bytes
    key = evaluation_key(ev)
    drawn = []
    with _LOCK:
        for chart in charts:
            slot = (chart.__name__, key)
            if slot in _drawn:
                _drawn.move_to_end(slot)
                drawn.append(_drawn[slot])
                continue
            with matplotlib.rc_context(RC):
                made = chart(ev)
            drawn.append(made)
            if _chart_bytes(made) <= DRAWN_BYTES:
                _drawn[slot] = made
                _drawn_bytes += _chart_bytes(made)
            while _drawn_bytes > DRAWN_BYTES or len(_drawn) > DRAWN_CHARTS:
                _, dropped = _drawn.popitem(last=False)
                _drawn_bytes -= _chart_bytes(dropped)
    return [c for c in drawn if c is not None]
