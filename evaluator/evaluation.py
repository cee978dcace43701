"""The Evaluation: one object holding everything the tool found about one plan.

:func:`evaluate` runs the pipeline (economics, simulation, indicators, rubric scoring) for a
plan and its assumptions, then derives the findings, the questions to ask the recruiter and
the verdict's sensitivity to single assumptions. :func:`evaluate_document` does the same from a
plan document (bytes, text or dict) and ``--set``-style overrides. :meth:`Evaluation.to_dict` is
the published JSON (``evaluator/output_schema.json``); :meth:`Evaluation.to_json` its canonical
text: sorted keys, floats rounded to 6 significant digits, 2-space indent, trailing newline.
Same input + rubric + seed gives byte-identical JSON.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import yaml
from jsonschema import Draft202012Validator

from evaluator import DEFAULT_SEED, ENGINE_VERSION
from evaluator.assumptions import SPECS, Assumptions
from evaluator.economics import Economics, compute_economics
from evaluator.indicators import compute_indicators
from evaluator.model import Plan
from evaluator.resources import package_file
from evaluator.rubric import LEVEL_POINTS, Rubric, Score, ScoredIndicator, load_rubric, score
from evaluator.schema import parse_plan
from evaluator.simulation import simulate_many

SIGNIFICANT_DIGITS = 6

SENSITIVITY_CHANGES: tuple[tuple[str, float], ...] = (
    ("customers_per_participant", 2.0),
    ("customers_per_participant", 0.5),
    ("monthly_churn", 2.0),
    ("monthly_churn", 0.5),
    ("recruit_rate", 2.0),
    ("recruit_rate", 0.5),
    ("member_share", 0.5),  # the share joining for the discount: one company's own survey
    ("recruit_pay_response", 3.0),  # how recruiting answers to pay: the tool's choice
)
"""One-assumption changes the verdict is re-scored under: (assumption, factor)."""

RULE_SENSITIVITY_CHANGES: tuple[tuple[str, float], ...] = (
    ("package_load_response", 3.0),  # how package choice answers to a rank: the tool's choice
    # Preferred customers (schema v1.1): the share who enrol as preferred is the tool's choice;
    # their tenure reads a median of about 2 months (neora) as a mean of 3.
    ("preferred_customer_share", 2.0),
    ("preferred_customer_share", 0.5),
    ("preferred_customer_tenure", 2.0),
    ("preferred_customer_tenure", 0.5),
)
"""Changes made only for a plan that uses the assumption's rule (``AssumptionSpec.used_by``)."""

SENSITIVITY_RUNS = 1
"""Monte-Carlo runs behind each sensitivity re-score (fewer than the main run, to stay fast).

The baseline and every change use the same seed, so they share their random draws (common
random numbers) and differ only by the assumption changed. The network size is left as it is:
a smaller ``max_participants`` would change the scale (people per simulated participant) and so
the model itself, not only its precision.
"""

MAX_FINDINGS = 5
MIN_FINDINGS = 3

DISCLAIMER = (
    "This evaluation is not legal advice and not a finding that any company is or is not a "
    "pyramid scheme. It applies a published rubric to the figures entered for this plan and to "
    "a simulation of a model network under the stated assumptions. It cannot know whether the "
    "company enforces its own rules, who really buys its products, what its participants "
    "actually earn and spend, or how a court or regulator would weigh the facts. Check every "
    "figure against the company's own documents and ask the questions listed."
)

LIMITATIONS: tuple[str, ...] = (
    "The plan's figures are only as accurate as what was entered; the tool does not check "
    "them against the company's documents.",
    "The simulation is a scale model with assumed recruiting, churn and customer demand; real "
    "networks differ, so its figures are indications with ranges, not forecasts.",
    "Safeguards written in a plan (retail rules, buyback) count only if enforced; the tool "
    "cannot see enforcement.",
    "The rubric's thresholds are judgements grounded in the cited cases and orders; settlement "
    "benchmarks bind only the company that settled.",
    "Taxes are not counted; the value of the participant's time is counted only when hours a "
    "week and the value of an hour are given, and personal use of the product only as far as "
    "the personal-use value assumed.",
)


@dataclass(frozen=True)
class Evaluation:
    """Everything found about one plan under one rubric, assumptions and seed."""

    engine_version: str
    seed: int
    engine: str
    plan: Plan
    assumptions: Assumptions
    economics: Economics
    simulation: Mapping[str, Any]
    rubric: Rubric
    score: Score
    findings: tuple[dict[str, Any], ...]
    questions: tuple[str, ...]
    sensitivity: Mapping[str, Any]
    bottom_line: Mapping[str, Any]

    @property
    def input_sha256(self) -> str:
        """SHA-256 of the canonical normalised plan."""
        return self.plan.sha256

    @property
    def verdict(self) -> str:
        """The verdict label."""
        return self.score.verdict

    @property
    def indicators(self) -> tuple[ScoredIndicator, ...]:
        """Every indicator with the rubric's judgement."""
        return self.score.indicators

    def to_dict(self) -> dict[str, Any]:
        """The published Evaluation dictionary, floats rounded as in the canonical JSON."""
        used = sorted({c["key"] for s in self.indicators for c in s.cite})
        out = {
            "engine_version": self.engine_version,
            "seed": self.seed,
            "input_sha256": self.input_sha256,
            "rubric": self.rubric.to_dict(),
            "plan": self.plan.to_dict(),
            "assumptions": self.assumptions.to_dict(self.plan.uses),
            "economics": self.economics.to_dict(),
            "simulation": dict(self.simulation),
            "indicators": [s.to_dict() for s in self.indicators],
            "score": self.score.to_dict(),
            "findings": [dict(f) for f in self.findings],
            "questions": list(self.questions),
            "sensitivity": dict(self.sensitivity),
            "bottom_line": dict(self.bottom_line),
            "next_steps": {"steps": list(NEXT_STEPS), "source": dict(NEXT_STEPS_SOURCE)},
            "citations": {k: self.rubric.citations[k].to_dict() for k in self.rubric.citations},
            "cited": used,
            "disclaimer": DISCLAIMER,
            "limitations": list(LIMITATIONS),
            "environment": environment(),
        }
        return canonical(out)

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys, 2-space indent, trailing newline)."""
        return dumps(self.to_dict())


def environment() -> dict[str, str]:
    """Versions of Python and of the libraries that shape the numbers.

    numpy draws and sums the simulation, PyYAML reads the rubric's thresholds. They are the same
    on one machine, so the JSON stays byte-identical for the same input there.
    """
    return {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
    }


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (0.0 stays 0.0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def canonical(node: Any) -> Any:
    """A JSON-ready copy: tuples to lists, floats to 6 significant digits, -0.0 to 0.0."""
    if isinstance(node, Mapping):
        return {str(k): canonical(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [canonical(v) for v in node]
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return round_significant(float(node)) + 0.0
    if hasattr(node, "item"):  # a numpy scalar
        return canonical(node.item())
    raise TypeError(f"cannot put {type(node).__name__} into the Evaluation JSON")


def dumps(doc: Mapping[str, Any]) -> str:
    """Canonical JSON text of an already-canonical dictionary."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@cache
def output_schema() -> dict[str, Any]:
    """The published JSON Schema of the Evaluation."""
    return json.loads(package_file("output_schema.json").read_text("utf-8"))


def validate_output(doc: Mapping[str, Any]) -> list[str]:
    """Every way ``doc`` departs from the output schema (empty when it conforms)."""
    validator = Draft202012Validator(output_schema())
    return sorted(
        f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in validator.iter_errors(doc)
    )


# ---------------------------------------------------------------------------------------------
# The pipeline


def _judge(
    plan: Plan, assumptions: Assumptions, rubric: Rubric, simulation: dict[str, Any]
) -> tuple[Economics, Score]:
    """Economics and score for one set of assumptions and its simulation."""
    economics = compute_economics(plan, assumptions)
    indicators = compute_indicators(plan, economics, simulation, assumptions)
    return economics, score(rubric, indicators)


def evaluate(
    plan: Plan,
    assumptions: Assumptions | None = None,
    *,
    rubric: Rubric | None = None,
    seed: int = DEFAULT_SEED,
    engine: str = "vectorised",
) -> Evaluation:
    """Evaluate a plan: economics, simulation, indicators, score, findings, questions."""
    assumptions = assumptions if assumptions is not None else Assumptions.defaults()
    rubric = rubric if rubric is not None else load_rubric()
    # The main simulation and every sensitivity re-run, all at once (so their runs can share
    # the cores).
    small, changes = _sensitivity_sets(assumptions, plan)
    main, *others = simulate_many(
        plan, [assumptions, small, *(c.assumptions for c in changes)], seed, engine)
    simulation = main.to_dict()
    economics, result = _judge(plan, assumptions, rubric, simulation)
    return Evaluation(
        engine_version=ENGINE_VERSION,
        seed=seed,
        engine=engine,
        plan=plan,
        assumptions=assumptions,
        economics=economics,
        simulation=simulation,
        rubric=rubric,
        score=result,
        findings=tuple(findings(result)),
        questions=tuple(questions(result)),
        sensitivity=_sensitivity(plan, rubric, small, changes,
                                 [o.to_dict() for o in others]),
        bottom_line=bottom_line(economics, assumptions, simulation),
    )


def evaluate_document(
    doc_or_bytes: bytes | str | Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    rubric: Rubric | None = None,
    engine: str = "vectorised",
) -> Evaluation:
    """Evaluate a plan document (JSON bytes/text or a parsed dict) with assumption overrides."""
    doc = (
        parse_plan(doc_or_bytes)
        if isinstance(doc_or_bytes, bytes | str)
        else dict(doc_or_bytes)
    )
    plan = Plan.from_dict(doc)
    assumptions = Assumptions.from_overrides(overrides)
    return evaluate(
        plan,
        assumptions,
        rubric=rubric,
        seed=DEFAULT_SEED if seed is None else seed,
        engine=engine,
    )


# ---------------------------------------------------------------------------------------------
# The bottom line in money, and what to do next

WEEKS_PER_MONTH = 52 / 12
"""Weeks in an average month, to turn hours a week into hours a month."""


def bottom_line(
    economics: Economics, assumptions: Assumptions, simulation: Mapping[str, Any]
) -> dict[str, Any]:
    """What joining now is likely to do to the joiner's money, in the plan's currency.

    ``typical_month`` is a month's pay from the assumed typical number of retail customers
    (``customers_assumed``: ``customers_per_participant`` x the demand factor of the plan's
    prices, ``Economics.typical_customers``, as payback counts them; no recruits) less the
    monthly cost; ``first_year`` is twelve such months less the start-up cost. With preferred
    customers (schema v1.1) the pay per customer is that of the assumed mix
    (``Economics.pay_per_customer``). A return on one's own position (schema v1.1,
    ``economics.position_return``) is in ``first_year`` for the months of the first year it is
    paid, and in ``typical_month`` only when it is paid every month while active. Time is
    counted only when both ``hours_per_week`` and ``hour_value`` are above 0
    (``time_cost_per_month``, and ``first_year_with_time``; both null otherwise).
    ``top_10pct_late`` is the 90th percentile of net results (after costs, over
    their time in) of the simulated people who joined in the second half of the horizon, and
    ``median_late`` their median.
    """
    customers = economics.typical_customers
    month = customers * economics.pay_per_customer - economics.monthly_cost
    first_year = 12 * month - economics.startup_cost
    held = economics.position_return
    if held is not None:  # paid whatever one sells (schema v1.1)
        first_year += held.first_year
        month += held.for_good
    hours, value = float(assumptions["hours_per_week"]), float(assumptions["hour_value"])
    counted = hours > 0 and value > 0
    time_cost = hours * WEEKS_PER_MONTH * value if counted else None
    late = simulation.get("late_joiners") or {}
    percentiles = late.get("net_income_percentiles") or {}
    return {
        "currency": economics.currency,
        "customers_assumed": customers,
        "typical_month": month,
        "first_year": first_year,
        "time_counted": counted,
        "time_cost_per_month": time_cost,
        "first_year_with_time": first_year - 12 * time_cost if time_cost is not None else None,
        "median_late": late.get("median_net_income"),
        "top_10pct_late": percentiles.get("p90"),
        "late_definition": late.get("definition"),
    }


NEXT_STEPS: tuple[str, ...] = (
    "Take your time. Do not sign or pay anything at a meeting, a call or a chat, whatever the"
    " deadline or the bonus for joining today.",
    "Ask for the company's income disclosure statement, and read what most people earn, not "
    "what the top earners make, and whether it counts their costs.",
    "Talk to people who left, not only to the person recruiting you: ask what they spent, "
    "what they earned and why they stopped.",
    "Ask how much of the pay comes from sales to customers who are not in the business, and "
    "whether you must buy product to stay active or earn bonuses.",
    "Look the company up with your state attorney general and consumer protection office, and"
    " search for complaints and court cases.",
    "If you were misled or lost money, report it to the FTC at ReportFraud.ftc.gov and to "
    "your state attorney general.",
)
"""What to do before joining, as FTC staff guidance on multi-level marketing advises."""

NEXT_STEPS_SOURCE: Mapping[str, str] = {
    "title": "FTC staff, Business Guidance Concerning Multi-Level Marketing (Jan. 2018; "
             "updated 2024)",
    "url": "https://www.ftc.gov/business-guidance/resources/"
           "business-guidance-concerning-multi-level-marketing",
}
"""Where :data:`NEXT_STEPS` come from (``ftc_guidance`` in the project's source list)."""


# ---------------------------------------------------------------------------------------------
# Findings, questions, sensitivity


def _importance(s: ScoredIndicator) -> tuple[float, float, float]:
    """Most points first, then the higher level, then the heavier weight.

    On a tie of points the higher level comes first (a high finding reads before an elevated one of
    equal weight x level), then the heavier weight.
    """
    level = 0.0 if s.level is None else LEVEL_POINTS[s.level]
    return (s.points, level, s.weight)


def findings(result: Score) -> list[dict[str, Any]]:
    """The indicators that matter most (3-5), each as one plain sentence with its figure.

    Indicators at elevated or high come first, by weight x level; when fewer than three are,
    the heaviest-weighted scored indicators fill the list.
    """
    ranked = sorted(
        (s for s in result.indicators if s.weight > 0 and s.level is not None),
        key=_importance,
        reverse=True,
    )
    risky = [s for s in ranked if s.points > 0][:MAX_FINDINGS]
    chosen = risky if len(risky) >= MIN_FINDINGS else ranked[:MIN_FINDINGS]
    return [
        {"id": s.id, "label": s.indicator.label, "level": s.level, "text": s.indicator.detail}
        for s in chosen
    ]


def questions(result: Score) -> list[str]:
    """Questions to ask the recruiter, most important first.

    The rubric's question for every indicator at elevated or high (by weight x level), then
    for every plan field or disclosure the plan leaves unknown (by weight; not for the terms
    of a disclosure that does not exist); each question once.
    """
    risky = sorted(
        (s for s in result.indicators if s.question and s.points > 0),
        key=_importance,
        reverse=True,
    )
    unknown = sorted(
        (
            s
            for s in result.indicators
            if s.question
            and s.indicator.value is None
            and s.indicator.applicable
            and s.indicator.source in ("input", "disclosure")
            and s.points == 0
        ),
        key=lambda s: s.weight,
        reverse=True,
    )
    out: list[str] = []
    for s in (*risky, *unknown):
        if s.question not in out:
            out.append(s.question or "")
    return out


def _changed_value(name: str, current: float, factor: float) -> float | int:
    spec = SPECS[name]
    value = min(max(current * factor, spec.minimum), spec.maximum)
    return round(value) if spec.integer else round(value, 6)


class _Change(NamedTuple):
    """One sensitivity change: the assumption, its factor, its new value, the changed set."""

    name: str
    factor: float
    after: float | int
    assumptions: Assumptions


def _sensitivity_sets(assumptions: Assumptions, plan: Plan
                      ) -> tuple[Assumptions, list[_Change]]:
    """The baseline of the sensitivity re-runs and each change that moves its value.

    The baseline is ``SENSITIVITY_RUNS`` runs; each change alters one assumption. The
    :data:`RULE_SENSITIVITY_CHANGES` are made only when ``plan`` uses their rule.
    """
    runs = min(int(assumptions["runs"]), SENSITIVITY_RUNS)
    small = assumptions.with_overrides({"runs": runs})
    changes: list[_Change] = []
    for name, factor in SENSITIVITY_CHANGES + tuple(
            c for c in RULE_SENSITIVITY_CHANGES if plan.uses(SPECS[c[0]].used_by)):
        after = _changed_value(name, small[name], factor)
        if after != small[name]:
            changes.append(_Change(name, factor, after, small.with_overrides({name: after})))
    return small, changes


def sensitivity(
    plan: Plan, assumptions: Assumptions, rubric: Rubric, seed: int, engine: str
) -> dict[str, Any]:
    """Re-score under plausible one-assumption changes and record every verdict that flips.

    The re-runs use at most ``SENSITIVITY_RUNS`` Monte-Carlo runs (same seed, same network
    size) to stay fast, so each change is compared with a baseline re-run with those runs, not
    with the main result.
    """
    small, changes = _sensitivity_sets(assumptions, plan)
    simulations = simulate_many(plan, [small, *(c.assumptions for c in changes)], seed,
                                engine)
    return _sensitivity(plan, rubric, small, changes, [s.to_dict() for s in simulations])


def _sensitivity(plan: Plan, rubric: Rubric, small: Assumptions, changes: list[_Change],
                 simulations: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`sensitivity` from the simulations of the baseline and of each change."""
    runs = int(small["runs"])
    _, base = _judge(plan, small, rubric, simulations[0])
    out: list[dict[str, Any]] = []
    for (name, factor, after, varied_set), simulation in zip(changes, simulations[1:],
                                                            strict=True):
        before = small[name]
        _, varied = _judge(plan, varied_set, rubric, simulation)
        direction = _direction(rubric, base.verdict, varied.verdict)
        out.append(
            {
                "assumption": name,
                "factor": factor,
                "from": before,
                "to": after,
                "score": varied.value,
                "verdict": varied.verdict,
                "flips": direction is not None,
                "direction": direction,
            }
        )
    flips = [
        f"With {_worded(c['assumption'])} at {c['to']:g} instead of {c['from']:g}, the verdict "
        f"would be {c['verdict']} instead of {base.verdict} ({c['direction']})."
        for c in out
        if c["flips"]
    ]
    return {
        "method": (
            "Each assumption below was changed on its own and the plan re-scored with "
            f"{runs} Monte-Carlo run{'s' if runs != 1 else ''} (same seed and network size); "
            "verdicts are compared with a baseline re-scored the same way."
        ),
        "baseline": {"score": base.value, "verdict": base.verdict, "runs": runs},
        "changes": out,
        "flips": flips,
        "stable": not flips,
    }


def _worded(name: str) -> str:
    """An assumption as a reader sees it: its label in lower case (``monthly churn``)."""
    label = SPECS[name].label if name in SPECS else ""
    return label[:1].lower() + label[1:] if label else name.replace("_", " ")


def _direction(rubric: Rubric, before: str, after: str) -> str | None:
    """``"riskier"``/``"less risky"`` when the verdict changes, else None."""
    if before == after:
        return None
    return "riskier" if rubric.verdict_rank(after) > rubric.verdict_rank(before) else "less risky"

