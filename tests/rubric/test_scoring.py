"""Scoring: weighted mean of levels, unknown handling, verdict bands, overrides as floors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.evaluation import evaluate_document
from evaluator.indicators import Indicator
from evaluator.resources import data_dir
from evaluator.rubric import Rubric, load_rubric, parse_rubric, score

CITATIONS = {"koscot": {"title": "In re Koscot", "year": 1975, "url": "https://example.org/k"}}


def _rubric(
    indicators: list[dict[str, Any]], overrides: list[dict[str, Any]] | None = None
) -> Rubric:
    doc = {
        "id": "test",
        "version": "1",
        "title": "Test rubric",
        "citations": CITATIONS,
        "indicators": indicators,
        "verdicts": [{"max": 30, "label": "Lower"}, {"max": 60, "label": "Middle"},
                     {"label": "Upper"}],
        "overrides": overrides or [],
    }
    return parse_rubric(doc, "test.yaml")


def _entry(ind_id: str, weight: float, unknown: str = "skip") -> dict[str, Any]:
    return {
        "id": ind_id,
        "weight": weight,
        "bands": [{"max": 0.1, "level": "low"}, {"max": 0.5, "level": "elevated"},
                  {"level": "high"}],
        "why": "because",
        "cite": ["koscot"],
        "question": f"What about {ind_id}?",
        "unknown": unknown,
    }


def _ind(ind_id: str, value: float | bool | None) -> Indicator:
    return Indicator(ind_id, ind_id, value, "share", "simulation", f"{ind_id} is {value}.")


def test_weighted_mean_of_levels() -> None:
    rubric = _rubric([_entry("recruiting_reward_fraction", 3), _entry("top_1pct_pay_share", 1)])
    # elevated (50) x 3 + high (100) x 1 = 250 over weight 4 = 62.5
    result = score(rubric, [_ind("recruiting_reward_fraction", 0.3),
                            _ind("top_1pct_pay_share", 0.9)])
    assert result.value == pytest.approx(62.5)
    assert result.verdict == "Upper"
    assert dict(result.levels) == {"low": 0, "elevated": 1, "high": 1, "unknown": 0}
    first = result.indicators[0].to_dict()
    assert first["cite"] == [{"key": "koscot", **CITATIONS["koscot"]}]
    assert first["weight"] == 3
    assert first["question"] == "What about recruiting_reward_fraction?"


def test_unknown_skip_leaves_the_weight_out() -> None:
    rubric = _rubric([_entry("recruiting_reward_fraction", 3), _entry("top_1pct_pay_share", 1)])
    result = score(rubric, [_ind("recruiting_reward_fraction", None),
                            _ind("top_1pct_pay_share", 0.3)])
    assert result.value == pytest.approx(50.0)
    assert result.indicators[0].level is None
    assert result.levels["unknown"] == 1


def test_unknown_elevated_counts_as_elevated_never_as_zero() -> None:
    rubric = _rubric([_entry("recruiting_reward_fraction", 1, unknown="elevated"),
                      _entry("top_1pct_pay_share", 1)])
    result = score(rubric, [_ind("recruiting_reward_fraction", None),
                            _ind("top_1pct_pay_share", 0.0)])
    assert result.indicators[0].level == "elevated"
    assert result.value == pytest.approx(25.0)


def test_zero_weight_is_shown_not_scored() -> None:
    rubric = _rubric([_entry("recruiting_reward_fraction", 0), _entry("top_1pct_pay_share", 1)])
    result = score(rubric, [_ind("recruiting_reward_fraction", 0.9),
                            _ind("top_1pct_pay_share", 0.0)])
    assert result.indicators[0].level == "high"
    assert result.value == 0.0
    assert result.verdict == "Lower"


def test_indicator_outside_the_rubric_is_shown_unjudged() -> None:
    rubric = _rubric([_entry("top_1pct_pay_share", 1)])
    result = score(rubric, [_ind("recruiting_reward_fraction", 0.9),
                            _ind("top_1pct_pay_share", 0.0)])
    unjudged = result.indicators[0].to_dict()
    assert (unjudged["level"], unjudged["weight"], unjudged["cite"]) == (None, 0, [])
    assert result.value == 0.0


def test_yes_no_values_compare_as_one_and_zero() -> None:
    entry = _entry("pays_for_recruiting_alone", 1)
    entry["bands"] = [{"max": 0, "level": "low"}, {"level": "high"}]
    rubric = _rubric([entry])
    assert score(rubric, [_ind("pays_for_recruiting_alone", True)]).value == 100
    assert score(rubric, [_ind("pays_for_recruiting_alone", False)]).value == 0


def test_override_sets_a_floor_not_a_ceiling() -> None:
    flag = _entry("pays_for_recruiting_alone", 1)
    flag["bands"] = [{"max": 0, "level": "low"}, {"level": "high"}]
    rubric = _rubric(
        [flag, _entry("top_1pct_pay_share", 9)],
        overrides=[{"indicator": "pays_for_recruiting_alone", "level": "high",
                    "verdict": "Middle"}],
    )
    raised = score(rubric, [_ind("pays_for_recruiting_alone", True),
                            _ind("top_1pct_pay_share", 0.0)])
    assert raised.value == pytest.approx(10.0)
    assert (raised.band_verdict, raised.verdict) == ("Lower", "Middle")
    assert (raised.verdict_rank, raised.verdict_level) == (1, "elevated")
    assert [o.indicator for o in raised.overrides_applied] == ["pays_for_recruiting_alone"]
    higher = score(rubric, [_ind("pays_for_recruiting_alone", True),
                            _ind("top_1pct_pay_share", 0.9)])
    assert higher.verdict == "Upper"
    assert higher.to_dict()["verdict_level"] == "high"
    untouched = score(rubric, [_ind("pays_for_recruiting_alone", False),
                               _ind("top_1pct_pay_share", 0.0)])
    assert untouched.verdict == "Lower"
    assert (untouched.verdict_rank, untouched.verdict_level) == (0, "low")
    assert untouched.overrides_applied == ()


def test_score_boundaries_fall_in_the_lower_band() -> None:
    rubric = _rubric([_entry("top_1pct_pay_share", 1)])
    assert rubric.verdict_for(30.0) == "Lower"
    assert rubric.verdict_for(30.0001) == "Middle"
    assert rubric.verdict_for(60.0) == "Middle"
    assert rubric.verdict_for(100.0) == "Upper"


def test_custom_rubric_changes_the_result_as_written(tmp_path: Path) -> None:
    """A rubric that scores only the number of paid levels, 2+ levels high, flips a sample."""
    plan = (data_dir("plan_samples") / "party_plan.json").read_bytes()
    default = evaluate_document(plan, overrides={"max_participants": 2000, "runs": 2})
    assert default.verdict == "Lower risk"

    doc = yaml.safe_load((data_dir("rubrics") / "pyramid-risk.yaml").read_text("utf-8"))
    levels = next(i for i in doc["indicators"] if i["id"] == "paid_levels")
    levels["weight"] = 1
    levels["bands"] = [{"max": 1, "level": "low"}, {"level": "high"}]
    doc["indicators"] = [levels]
    doc["id"] = "levels-only"
    doc["overrides"] = []
    path = tmp_path / "levels-only.yaml"
    path.write_text(yaml.safe_dump(doc), "utf-8")
    custom = load_rubric(path)

    result = evaluate_document(plan, overrides={"max_participants": 2000, "runs": 2},
                               rubric=custom)
    paid_levels = next(s for s in result.indicators if s.id == "paid_levels")
    assert paid_levels.indicator.value == 2
    assert paid_levels.level == "high"
    assert result.score.value == 100.0
    assert result.verdict == "High risk"
    assert result.to_dict()["rubric"]["id"] == "levels-only"
    unscored = [s for s in result.indicators if s.id != "paid_levels"]
    assert all(s.level is None and s.weight == 0 for s in unscored)
