"""A return on one's own position and a pool are schema v1.1: stating "1" with one is an error
at its path; left out, the plan is "1.1" and keeps the component. Their cross-field checks name
the field in plain words."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_version, validate_plan
from tests.compat.helpers import assert_v1_1_round_trip
from tests.strategies import plans_with_position_or_pool

BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD", "packages": [{"name": "Ad package", "price": 289}]},
    "products": [{"name": "Phone line", "wholesale_price": 49.9, "retail_price": 49.9}],
    "compensation": {"components": [{"type": "unilevel", "rates": [0.05]}],
                     "ranks": [{"name": "Director", "min_group_volume": 1000}]},
}

RULES = {
    "position_return": {"type": "position_return", "rate_of_price": 0.05, "months_paid": 12,
                        "requires_task": "post one ad a day"},
    "pool": {"type": "pool", "share": 0.03, "rank": "Director", "split": "equal"},
}


def _with(component: dict[str, Any], version: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["components"].append(component)
    if version is not None:
        doc["schema_version"] = version
    return doc


@pytest.mark.parametrize("rule", RULES)
def test_stated_v1_with_the_component_is_an_error_at_its_path(rule: str) -> None:
    doc = _with(RULES[rule], "1")
    del doc["costs"]["packages"]  # packages are v1.1 too: leave only the component
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(doc)
    assert [e.path for e in raised.value.errors] == ["compensation.components[1]"]
    assert "plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("rule", RULES)
def test_the_component_without_a_version_is_v1_1_and_kept(rule: str) -> None:
    doc = _with(RULES[rule])
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(validate_plan(doc))
    assert plan.schema_version == "1.1"
    written = plan.to_dict()["compensation"]["components"][1]
    assert written.items() >= RULES[rule].items()  # normalised: the defaults filled in
    assert set(written) - set(RULES[rule]) <= {"per_month"}


def test_the_model_reads_the_fields() -> None:
    plan = Plan.from_dict(validate_plan(_with(RULES["position_return"])))
    c = plan.compensation.components[1]
    assert (c.rate_of_price, c.per_month, c.months_paid, c.requires_task) == (
        0.05, None, 12, "post one ad a day")
    doc = _with({"type": "position_return", "per_month": 20})
    c = Plan.from_dict(doc).compensation.components[1]
    assert (c.per_month, c.months_paid) == (20.0, None)  # null months_paid: while active
    c = Plan.from_dict(validate_plan(_with(RULES["pool"]))).compensation.components[1]
    assert (c.share, c.rank, c.split) == (0.03, "Director", "equal")


def _errors(component: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_with(component))
    return [(e.path, e.message) for e in raised.value.errors]


def test_a_position_return_needs_exactly_one_amount() -> None:
    [(path, message)] = _errors({"type": "position_return", "months_paid": 3})
    assert path == "compensation.components[1].per_month"
    assert "exactly one of per_month" in message
    assert "neither is given" in message
    [(path, message)] = _errors({"type": "position_return", "per_month": 5,
                                 "rate_of_price": 0.1})
    assert "both are given" in message


def test_a_position_return_out_of_range_is_named() -> None:
    errors = _errors({"type": "position_return", "rate_of_price": 1.5})
    assert [p for p, _ in errors] == ["compensation.components[1].rate_of_price"]
    errors = _errors({"type": "position_return", "per_month": 5, "months_paid": 0})
    assert [p for p, _ in errors] == ["compensation.components[1].months_paid"]


def test_a_pool_names_a_rank_of_the_plan() -> None:
    [(path, message)] = _errors({"type": "pool", "share": 0.03, "rank": "Diamond"})
    assert path == "compensation.components[1].rank"
    assert "'Diamond' is not one of the plan's ranks" in message
    assert "'Director'" in message
    errors = _errors({"type": "pool", "share": 0.03})
    assert errors
    assert errors[0][0].startswith("compensation.components[1]")
    errors = _errors({"type": "pool", "share": 0.03, "rank": "Director", "split": "by_volume"})
    assert [p for p, _ in errors] == ["compensation.components[1].split"]


@settings(max_examples=40, deadline=None)
@given(doc=plans_with_position_or_pool())
def test_any_plan_with_them_is_v1_1_and_round_trips(doc: dict[str, Any]) -> None:
    assert_v1_1_round_trip(doc)
