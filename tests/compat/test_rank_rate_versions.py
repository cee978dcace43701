"""Rates by rank are v1.1: stating "1" with one is an error at its field; left out, "1.1";
a v1 plan with ranks keeps its normalised form and input hash."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.resources import data_dir
from evaluator.schema import plan_version, validate_plan

BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {"components": [{"type": "unilevel", "rates": [0.05]},
                                    {"type": "binary", "rate": 0.1}],
                     "ranks": [{"name": "Supervisor", "min_group_volume": 1000}]},
}

FIELDS = {"discount": 0.5, "unilevel_rates": [0.05, 0.04], "binary_rate": 0.12,
          "min_team_size": 5}


def _with(field: str, version: str | None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["ranks"][0][field] = FIELDS[field]
    if version is not None:
        doc["schema_version"] = version
    return doc


@pytest.mark.parametrize("field", FIELDS)
def test_stated_v1_with_a_rate_by_rank_is_an_error_at_the_field(field: str) -> None:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_with(field, "1"))
    assert [e.path for e in raised.value.errors] == [f"compensation.ranks[0].{field}"]
    assert "plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("field", FIELDS)
def test_a_rate_by_rank_without_a_version_is_v1_1_and_kept(field: str) -> None:
    doc = _with(field, None)
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.to_dict()["compensation"]["ranks"][0][field] == FIELDS[field]


def test_a_v1_plan_with_ranks_keeps_its_normalised_form() -> None:
    plan = Plan.from_dict(copy.deepcopy(BASE))
    assert plan.schema_version == "1"
    rank = plan.to_dict()["compensation"]["ranks"][0]
    assert not {"discount", "unilevel_rates", "binary_rate", "min_team_size"} & rank.keys()
    sample = json.loads((data_dir("plan_samples") / "nutrition_club_plan.json").read_bytes())
    assert "discount" not in Plan.from_dict(sample).to_dict()["compensation"]["ranks"][0]


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"discount": 1}, "discount", "would make every product free"),
    ({"discount": 1.5}, "discount", "more than the maximum of 1"),
    ({"unilevel_rates": []}, "unilevel_rates", ""),
    ({"binary_rate": -0.1}, "binary_rate", ""),
])
def test_bad_rates_by_rank_are_errors_at_the_field(change: dict[str, Any], path: str,
                                                    words: str) -> None:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["ranks"][0].update(change)
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(doc)
    (error,) = raised.value.errors
    assert error.path == f"compensation.ranks[0].{path}"
    assert words in error.message


def test_a_binary_rate_by_rank_is_refused_beside_a_fixed_cycle_pay() -> None:
    doc = _with("binary_rate", None)
    doc["compensation"]["components"][1] = {"type": "binary", "cycle_volume_left": 100,
                                            "cycle_volume_right": 100, "cycle_pay": 20}
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(doc)
    (error,) = raised.value.errors
    assert error.path == "compensation.ranks[0].binary_rate"
    assert "fixed cycle_pay" in error.message
