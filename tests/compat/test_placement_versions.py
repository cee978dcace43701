"""Forced-tree placement (schema v1.1 ``placement``) is v1.1; bad values named at the field."""

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
    "compensation": {"components": [{"type": "matrix", "width": 3, "rates": [0.05]},
                                    {"type": "binary", "rate": 0.1}]},
}


def _placing(index: int, placement: Any, version: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["components"][index]["placement"] = placement
    if version is not None:
        doc["schema_version"] = version
    return doc


@pytest.mark.parametrize("index", [0, 1])
def test_stated_v1_with_placement_is_an_error_at_its_path(index: int) -> None:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_placing(index, "first_open", "1"))
    assert [e.path for e in raised.value.errors] == [
        f"compensation.components[{index}].placement"]
    assert "is part of plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("placement", ["first_open", "in_turn", None])
def test_left_out_the_version_is_1_1(index: int, placement: str | None) -> None:
    doc = _placing(index, placement)
    assert plan_errors(doc) == []
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.components[index].placement == (placement or "in_turn")


def test_a_v1_plan_normalises_without_placement() -> None:
    plan = Plan.from_dict(copy.deepcopy(BASE))
    assert plan.schema_version == "1"
    assert plan.compensation.components[0].placement == "in_turn"
    for c in plan.to_dict()["compensation"]["components"]:
        assert "placement" not in c


def test_a_v1_1_plan_normalises_with_its_placement() -> None:
    components = Plan.from_dict(_placing(0, "first_open")).to_dict()["compensation"][
        "components"]
    assert components[0]["placement"] == "first_open"
    assert components[1]["placement"] == "in_turn"


def test_a_bad_placement_is_named_at_its_field() -> None:
    errors = plan_errors(_placing(0, "breadth_first"))
    assert [e.path for e in errors] == ["compensation.components[0].placement"]
    assert "is not one of in_turn, first_open, null" in errors[0].message
