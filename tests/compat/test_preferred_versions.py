"""A preferred-customer program is schema v1.1: any plan with one is "1.1" when the version is
left out, round-trips through the model, and stating "1" is an error at the program."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_version, validate_plan
from tests.strategies import plans_with_preferred_customers


@settings(max_examples=40, deadline=None)
@given(doc=plans_with_preferred_customers())
def test_any_plan_with_a_program_is_v1_1_and_round_trips(doc: dict[str, Any]) -> None:
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(validate_plan(doc))
    assert plan.schema_version == "1.1"
    program = plan.compensation.preferred_customers
    assert program is not None
    assert program.discount == doc["compensation"]["preferred_customers"]["discount"]
    assert Plan.from_dict(validate_plan(plan.to_dict())) == plan
    stated = copy.deepcopy(doc) | {"schema_version": "1"}
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(stated)
    assert all("plan schema 1.1" in e.message for e in raised.value.errors)
    assert any(e.path.startswith("compensation.preferred_customers")
               for e in raised.value.errors)
