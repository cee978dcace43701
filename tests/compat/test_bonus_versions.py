"""The v1.1 bonus rules are v1.1: stating "1" with one is an error at its path; left out, "1.1"."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_version, validate_plan

BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {"components": [{"type": "unilevel", "rates": [0.05]}]},
}

RULES = {
    "matching_bonus": ({"type": "matching_bonus", "rates": [0.1, 0.05]},
                       "compensation.components[1]"),
}
"""Rule -> (the component using it, the path an explicit schema v1 names)."""


def _with(component: dict[str, Any], version: str | None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["components"].append(component)
    if version is not None:
        doc["schema_version"] = version
    return doc


@pytest.mark.parametrize("rule", RULES)
def test_stated_v1_with_a_bonus_rule_is_an_error_at_its_path(rule: str) -> None:
    component, path = RULES[rule]
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_with(component, "1"))
    assert [e.path for e in raised.value.errors] == [path]
    assert "plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("rule", RULES)
def test_a_bonus_rule_without_a_version_is_v1_1_and_kept(rule: str) -> None:
    component, _ = RULES[rule]
    doc = _with(component, None)
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    written = plan.to_dict()["compensation"]["components"][1]
    # Normalised: with the defaults of the conditions every bonus of its kind takes (no rank
    # required, any first order).
    assert written == component | {"requires_rank": None, "min_recruit_order_volume": 0.0}
