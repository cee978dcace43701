"""Breakaway legs left out of group volume (schema v1.1) is v1.1; bad values named at the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_errors, plan_version, validate_plan

FIELD = "breakaway_legs_in_group_volume"
BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {"components": [{"type": "breakaway", "generation_rates": [0.04]}],
                     "ranks": [{"name": "Director", "min_group_volume": 2500,
                                "differential_rate": 0.1}]},
}


def _with(value: Any, version: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["components"][0][FIELD] = value
    if version is not None:
        doc["schema_version"] = version
    return doc


def test_stated_v1_with_it_is_an_error_at_its_path() -> None:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_with(False, "1"))
    assert [e.path for e in raised.value.errors] == [f"compensation.components[0].{FIELD}"]
    assert "is part of plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize(("value", "counted"), [(False, False), (True, True), (None, True)])
def test_left_out_the_version_is_1_1(value: bool | None, counted: bool) -> None:
    doc = _with(value)
    assert plan_errors(doc) == []
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.components[0].breakaway_legs_in_group_volume is counted


def test_a_v1_plan_normalises_without_it() -> None:
    plan = Plan.from_dict(copy.deepcopy(BASE))
    assert plan.schema_version == "1"
    assert FIELD not in plan.to_dict()["compensation"]["components"][0]


def test_a_v1_1_plan_normalises_with_it() -> None:
    (component,) = Plan.from_dict(_with(False)).to_dict()["compensation"]["components"]
    assert component[FIELD] is False


def test_a_bad_value_is_named_at_its_field() -> None:
    errors = plan_errors(_with("no"))
    assert [e.path for e in errors] == [f"compensation.components[0].{FIELD}"]
