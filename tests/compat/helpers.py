"""What every schema v1.1 feature's version test checks, in one place."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_version, validate_plan


def assert_v1_1_round_trip(doc: dict[str, Any]) -> tuple[Plan, PlanValidationError]:
    """``doc`` is "1.1" with its version left out, its model round-trips through the
    normalised document, and the same document stating "1" is refused, every error saying the
    field needs plan schema 1.1. Returns the plan and that refusal."""
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(validate_plan(doc))
    assert plan.schema_version == "1.1"
    assert Plan.from_dict(validate_plan(plan.to_dict())) == plan
    stated = copy.deepcopy(doc) | {"schema_version": "1"}
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(stated)
    assert all("plan schema 1.1" in e.message for e in raised.value.errors)
    return plan, raised.value
