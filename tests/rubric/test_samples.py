"""Every sample plan against plan_samples/expected.yaml (default rubric, assumptions and seed).

The samples run at the default simulation size: the whole corpus evaluates in a few seconds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.evaluation import Evaluation, evaluate_document
from evaluator.indicators import Indicator
from evaluator.resources import data_dir
from evaluator.rubric import Rubric, score

EXPECTED: dict[str, Any] = yaml.safe_load(
    (data_dir("plan_samples") / "expected.yaml").read_text("utf-8")
)["samples"]


def test_every_sample_has_expectations(sample_paths: list[Path]) -> None:
    assert {p.stem for p in sample_paths} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_verdict_and_key_levels(
    sample_evaluations: dict[str, Evaluation], name: str
) -> None:
    evaluation = sample_evaluations[name]
    expected = EXPECTED[name]
    levels = {s.id: s.level for s in evaluation.indicators}
    assert {k: levels[k] for k in expected["levels"]} == expected["levels"]
    assert evaluation.verdict == expected["verdict"], evaluation.score.to_dict()


DOCUMENTED_CASES = {
    "koscot", "omnitrition", "amway1979", "burnlounge", "vemma_order", "herbalife_order",
    "fhtm", "advocare", "telexfree", "neora",
}
"""Cases in docs/SOURCES.md whose plan structure the sources describe."""


def test_every_documented_case_has_a_sample_citing_it(default_rubric: Rubric) -> None:
    cases = {name: e["case"] for name, e in EXPECTED.items() if "case" in e}
    assert set(cases.values()) == DOCUMENTED_CASES
    for name, case in cases.items():
        assert case in default_rubric.citations
        doc = json.loads((data_dir("plan_samples") / f"{name}.json").read_text("utf-8"))
        assert any(case in s["citation"] for s in doc["sources"]), name


def test_recruiting_driven_samples_score_above_retail_first(
    sample_evaluations: dict[str, Evaluation],
) -> None:
    groups: dict[str, list[float]] = {"retail-first": [], "recruiting-driven": []}
    for name, expected in EXPECTED.items():
        groups[expected["group"]].append(sample_evaluations[name].score.value)
    assert len(groups["retail-first"]) >= 4
    assert min(groups["recruiting-driven"]) > max(groups["retail-first"])


def test_verdict_follows_the_group(sample_evaluations: dict[str, Evaluation]) -> None:
    verdicts = {"retail-first": "Lower risk", "recruiting-driven": "High risk"}
    for name, expected in EXPECTED.items():
        assert sample_evaluations[name].verdict == verdicts[expected["group"]], name


def _retail_plan_with_costly_entry() -> dict[str, Any]:
    """The retail-first sample with a costly entry and hype, but no recruiting reward.

    A USD 500 enrollment fee, a USD 200 monthly back-office fee, own purchases that count
    toward qualification, no buyback, prices 2.5 times the comparable products' and an income
    claim without any disclosure of typical results: many costs flagged, none of the red
    flags that force the verdict (pay for recruiting alone, few sales to outsiders).
    """
    doc = json.loads((data_dir("plan_samples") / "retail_first_single_level.json").read_text())
    doc["company"]["name"] = "Costly entry, retail pay"
    doc["costs"]["enrollment_fee"] = 500
    doc["costs"]["monthly_fees"] = [{"name": "back office", "amount": 200}]
    doc["buyback"]["offered"] = False
    doc["compensation"]["qualification"]["own_purchases_count"] = True
    for product in doc["products"]:
        product["comparable_market_price"] = round(product["retail_price"] * 0.4, 2)
    del doc["disclosures"]["income_disclosure"]
    doc["disclosures"]["income_claims"] = ["Earn a six-figure income from home"]
    return doc


def _with_a_deep_unilevel(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with a six-level unilevel on every order added to its pay."""
    doc = json.loads(json.dumps(doc))
    doc["company"]["name"] = "Costly entry, deep unilevel"
    doc["compensation"]["components"].append(
        {"type": "unilevel", "rates": [0.05, 0.05, 0.05, 0.03, 0.03, 0.02]}
    )
    return doc


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_retail_plan_with_costly_entry, id="costly-entry"),
        pytest.param(lambda: _with_a_deep_unilevel(_retail_plan_with_costly_entry()),
                     id="costly-entry-deep-unilevel"),
    ],
)
def test_plans_between_the_groups_get_the_middle_verdict(build: Any) -> None:
    """No sample lands in "Significant risk"; these plans, built here, do (by score alone)."""
    evaluation = evaluate_document(build())
    result = evaluation.score
    assert 30 < result.value <= 50, result.to_dict()
    assert result.band_verdict == "Significant risk"
    assert not result.overrides_applied
    assert evaluation.verdict == "Significant risk"


LEVELS = {"elevated": 50, "high": 100}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_and_questions_carry_the_evidence(
    sample_evaluations: dict[str, Evaluation], name: str
) -> None:
    out = sample_evaluations[name].to_dict()
    judged = {i["id"]: i for i in out["indicators"]}
    assert 3 <= len(out["findings"]) <= 5
    for finding in out["findings"]:
        assert finding["text"] == judged[finding["id"]]["detail"]
        assert finding["level"] == judged[finding["id"]]["level"]
    risky = sorted(
        (i for i in judged.values() if i["level"] in ("elevated", "high") and i["weight"] > 0),
        # most points first, then the higher level, then the heavier weight (as documented)
        key=lambda i: (
            -i["weight"] * LEVELS[i["level"]],
            -LEVELS[i["level"]],
            -i["weight"],
        ),
    )
    for indicator in risky:
        assert indicator["question"] in out["questions"]
    if risky:
        assert out["questions"][0] == risky[0]["question"]
    if EXPECTED[name]["group"] == "recruiting-driven":
        assert out["findings"][0]["level"] == "high"


def _without_a_purchase_to_qualify(evaluation: Evaluation) -> list[Indicator]:
    """The evaluation's indicators with pay_to_play_purchase read as no purchase (0)."""
    return [replace(s.indicator, value=0.0) if s.id == "pay_to_play_purchase" else s.indicator
            for s in evaluation.indicators]


def test_advocacy_rubric_scores_every_sample(
    sample_evaluations: dict[str, Evaluation], advocacy_rubric: Rubric
) -> None:
    """The advocacy rubric judges the same indicators its own way, and still ranks the groups.

    Two exceptions, each for a reason of the advocacy rubric's own:

    - A plan that pays a return on one's own position: Taylor's five flags do not name that
      pattern, and a return paid to every holder spreads pay evenly (top_1pct_pay_share
      low), so the advocacy rubric ranks it with the worst retail-first sample; it must still
      see many red flags.
    - A retail-first plan whose typical participant must buy some product to qualify: red
      flag 3 (pay_to_play_purchase, weight 3) is high at any amount, where the default rubric
      calls an amount under 100 a month elevated. neora_preferred_customers is one: half of
      its typical partner's customers are preferred (the tool's choice), their orders at 15%
      off carry 15% less volume, and the partner is left about 1.5 PV short of 100, about
      USD 1.51 a month of product. Such a plan must have that flag high under the advocacy
      rubric and not high under the default one, and read as no purchase it must rank below
      every recruiting-driven sample: the one flag, not the rest of the plan, moves it.
    """
    labels = [v.label for v in advocacy_rubric.verdicts]
    scores: dict[str, list[float]] = {"retail-first": [], "recruiting-driven": []}
    flagged: dict[str, float] = {}
    for name, evaluation in sample_evaluations.items():
        result = score(advocacy_rubric, [s.indicator for s in evaluation.indicators])
        assert result.verdict in labels
        if EXPECTED[name]["group"] == "recruiting-driven":
            assert result.verdict != "Few red flags", name
        if evaluation.plan.compensation.component("position_return") is not None:
            assert result.verdict == "Many red flags", name
            continue
        levels = {s.id: s.level for s in result.indicators}
        if EXPECTED[name]["group"] == "retail-first" and levels["pay_to_play_purchase"] == "high":
            default_levels = {s.id: s.level for s in evaluation.indicators}
            assert default_levels["pay_to_play_purchase"] != "high", name
            flagged[name] = score(advocacy_rubric,
                                  _without_a_purchase_to_qualify(evaluation)).value
            continue
        scores[EXPECTED[name]["group"]].append(result.value)
    assert min(scores["recruiting-driven"]) > max(scores["retail-first"])
    assert set(flagged) == {"neora_preferred_customers"}
    for name, value in flagged.items():
        assert min(scores["recruiting-driven"]) > value, name
