"""Schema v1 stays valid forever, with the same results; v1.1 is told apart by its fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_schema_v1, plan_version, v1_only, validate_plan
from tests.compat.v1_results import RECORD, SAMPLES, digest
from tests.strategies import valid_plans

V1 = Draft202012Validator(plan_schema_v1())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_is_a_v1_plan_with_the_recorded_result(path: Any) -> None:
    doc = json.loads(path.read_bytes())
    assert not list(V1.iter_errors(doc)), "a bundled sample stopped being a schema v1 plan"
    assert Plan.from_dict(doc).schema_version == "1"
    assert digest(path) == json.loads(RECORD.read_text("utf-8"))[path.name]


@settings(max_examples=60, deadline=None)
@given(valid_plans())
def test_a_v1_plan_validates_and_normalises_as_v1(doc: dict[str, Any]) -> None:
    assert not list(V1.iter_errors(doc))
    plan = Plan.from_dict(validate_plan(doc))
    assert plan.schema_version == "1"
    normalised = plan.to_dict()
    assert not list(V1.iter_errors(normalised)), "the normalised v1 plan left schema v1"
    assert v1_only(normalised) == normalised


def _with_unknown_field() -> dict[str, Any]:
    doc = json.loads(SAMPLES[0].read_bytes())
    doc.pop("schema_version", None)
    doc["costs"]["not_a_field"] = 1
    return doc


def test_a_field_neither_schema_has_is_an_error_whatever_the_version() -> None:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_with_unknown_field())
    assert any(e.path.startswith("costs") for e in raised.value.errors)


def test_schema_version_one_point_one_is_accepted_and_kept() -> None:
    doc = json.loads(SAMPLES[0].read_bytes())
    doc["schema_version"] = "1.1"
    plan = Plan.from_dict(validate_plan(doc))
    assert plan.schema_version == "1.1" == plan_version(doc)
    assert plan.to_dict()["schema_version"] == "1.1"


def test_an_unknown_schema_version_names_the_field() -> None:
    doc = json.loads(SAMPLES[0].read_bytes())
    doc["schema_version"] = "2"
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(doc)
    assert [e.path for e in raised.value.errors] == ["schema_version"]
