"""The v1.1 rank rules and dynamic compression are v1.1; their cross-field checks; v1 unchanged."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_errors, plan_version, validate_plan

BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {"components": [{"type": "unilevel", "rates": [0.05]},
                                    {"type": "rank_bonus"}],
                     "ranks": [{"name": "Director", "min_group_volume": 1000}]},
}

USES = {
    "compensation.ranks[0].qualify_months": lambda c: c["ranks"][0].update(qualify_months=3),
    "compensation.ranks[0].min_lifetime_volume":
        lambda c: c["ranks"][0].update(min_lifetime_volume=500),
    "compensation.ranks[0].max_leg_share": lambda c: c["ranks"][0].update(max_leg_share=0.5),
    "compensation.rank_rules": lambda c: c.update(rank_rules={"pin": "title"}),
    "compensation.components[0].compression":
        lambda c: c["components"][0].update(compression="dynamic"),
}
"""The path an explicit schema v1 names -> how a plan uses the rule there."""


def _using(path: str, version: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    USES[path](doc["compensation"])
    if version is not None:
        doc["schema_version"] = version
    return doc


@pytest.mark.parametrize("path", USES)
def test_stated_v1_with_the_rule_is_an_error_at_its_path(path: str) -> None:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_using(path, "1"))
    assert [e.path for e in raised.value.errors] == [path]
    assert "is part of plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("path", USES)
def test_left_out_the_version_is_1_1(path: str) -> None:
    doc = _using(path)
    assert plan_errors(doc) == []
    assert plan_version(doc) == "1.1"
    assert Plan.from_dict(doc).schema_version == "1.1"


def test_a_v1_plan_normalises_without_the_new_fields() -> None:
    plan = Plan.from_dict(copy.deepcopy(BASE))
    assert plan.schema_version == "1"
    normalised = plan.to_dict()
    assert "rank_rules" not in normalised["compensation"]
    assert set(normalised["compensation"]["ranks"][0]) == {
        "name", "min_personal_volume", "min_group_volume", "min_active_legs",
        "differential_rate", "monthly_bonus", "unlocks_levels"}
    assert normalised["compensation"]["components"][0]["compression"] is False


def test_a_v1_1_plan_normalises_with_their_defaults() -> None:
    normalised = Plan.from_dict(_using("compensation.rank_rules")).to_dict()
    assert normalised["compensation"]["rank_rules"] == {"pin": "title",
                                                        "requalify_months": None}
    assert normalised["compensation"]["ranks"][0]["qualify_months"] == 1
    assert normalised["compensation"]["ranks"][0]["max_leg_share"] is None


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"rank_rules": {"requalify_months": 12}}, "compensation.rank_rules.requalify_months",
     "pin is none"),
    ({"rank_rules": {"pin": "pay"}, "ranks": [],
      "components": [{"type": "unilevel", "rates": [0.05]}]},
     "compensation.rank_rules.pin", "the plan has no ranks"),
    ({"rank_rules": {"pin": "forever"}}, "compensation.rank_rules.pin",
     "is not one of none, title, pay"),
    ({"ranks": [{"name": "Director", "max_leg_share": 0}]},
     "compensation.ranks[0].max_leg_share", "0"),
    ({"ranks": [{"name": "Director", "qualify_months": 0}]},
     "compensation.ranks[0].qualify_months", "0"),
])
def test_bad_rank_rules_are_named_at_their_field(change: dict[str, Any], path: str,
                                                 words: str) -> None:
    doc = copy.deepcopy(BASE)
    doc["compensation"].update(change)
    errors = plan_errors(doc)
    assert [e.path for e in errors] == [path]
    assert words in errors[0].message
