"""One-time bonuses and conditions on a bonus (schema v1.1): versions, defaults, errors.

Stating "1" with one is an error at its path; left out, the plan is "1.1"; a v1 plan's
normalised form does not change; cross-field mistakes are errors at the field, in plain words.
"""

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
    "compensation": {
        "components": [{"type": "enrollment_bonus", "amounts": [50]}, {"type": "rank_bonus"}],
        "ranks": [{"name": "Leader", "min_active_legs": 1, "monthly_bonus": 20}],
    },
}


def _doc(version: str | None = None, **change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    comp = doc["compensation"]
    comp["components"][0].update(change.get("bonus", {}))
    comp["ranks"][0].update(change.get("rank", {}))
    comp["components"] += change.get("add", [])
    if version is not None:
        doc["schema_version"] = version
    return doc


RULES: dict[str, tuple[dict[str, Any], str]] = {
    "advancement_bonus": ({"rank": {"advancement_bonus": 100}},
                          "compensation.ranks[0].advancement_bonus"),
    "fast_start_bonus": ({"rank": {"fast_start_bonus": 50, "fast_start_within_months": 3}},
                         "compensation.ranks[0].fast_start_bonus "
                         "compensation.ranks[0].fast_start_within_months"),
    "requires_rank": ({"bonus": {"requires_rank": "Leader"}},
                      "compensation.components[0].requires_rank"),
    "min_recruit_order_volume": ({"bonus": {"min_recruit_order_volume": 100}},
                                 "compensation.components[0].min_recruit_order_volume"),
    "first_order_bonus": ({"add": [{"type": "first_order_bonus", "rates": [0.2]}]},
                          "compensation.components[2]"),
}
"""Rule -> (the change that uses it, the paths an explicit schema v1 names, by spaces)."""


@pytest.mark.parametrize("rule", RULES)
def test_stated_v1_with_the_rule_is_an_error_at_its_path(rule: str) -> None:
    change, path = RULES[rule]
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(_doc("1", **change))
    assert [e.path for e in raised.value.errors] == path.split()
    assert "plan schema 1.1" in raised.value.errors[0].message


@pytest.mark.parametrize("rule", RULES)
def test_the_rule_without_a_version_is_v1_1(rule: str) -> None:
    change, _ = RULES[rule]
    doc = _doc(**change)
    assert plan_version(doc) == "1.1"
    assert Plan.from_dict(doc).schema_version == "1.1"


def test_a_v1_plan_keeps_its_normalised_form() -> None:
    plan = Plan.from_dict(_doc("1"))
    written = plan.to_dict()["compensation"]
    assert "requires_rank" not in written["components"][0]
    assert "min_recruit_order_volume" not in written["components"][0]
    assert "advancement_bonus" not in written["ranks"][0]
    assert "fast_start_bonus" not in written["ranks"][0]


def test_v1_1_defaults_are_written_out() -> None:
    plan = Plan.from_dict(_doc(**RULES["first_order_bonus"][0]))
    written = plan.to_dict()["compensation"]
    assert written["components"][0]["requires_rank"] is None
    assert written["components"][0]["min_recruit_order_volume"] == 0
    assert written["ranks"][0]["advancement_bonus"] == 0
    assert written["ranks"][0]["fast_start_bonus"] == 0
    assert written["ranks"][0]["fast_start_within_months"] is None
    assert written["components"][2] == {"type": "first_order_bonus", "rates": [0.2],
                                        "requires_rank": None,
                                        "min_recruit_order_volume": 0}


@pytest.mark.parametrize("given", [{"rates": [0.2, 0.05]}, {"amounts": [50.0]}])
def test_a_first_order_bonus_plan_normalises_to_a_valid_plan(given: dict[str, Any]) -> None:
    """The normalised document (the report's "plan", the saved plan.json) is itself accepted:
    it keeps the one of rates and amounts the plan gives and leaves out the other (an empty
    list is an error), so the same plan and input hash come back."""
    plan = Plan.from_dict(_doc(add=[{"type": "first_order_bonus", **given}]))
    written = plan.to_dict()
    (bonus,) = [c for c in written["compensation"]["components"]
                if c["type"] == "first_order_bonus"]
    (kept,) = given
    assert bonus[kept] == given[kept]
    assert ({"rates", "amounts"} - {kept}).isdisjoint(bonus)
    again = Plan.from_dict(written)
    assert again == plan
    assert again.sha256 == plan.sha256


def _errors(doc: dict[str, Any]) -> dict[str, str]:
    return {e.path: e.message for e in plan_errors(doc)}


def test_an_unknown_required_rank_is_an_error_at_the_field() -> None:
    errors = _errors(_doc(bonus={"requires_rank": "Diamond"}))
    assert errors == {"compensation.components[0].requires_rank":
                      "'Diamond' is not a rank of compensation.ranks; name one of them (Leader)"}


def test_a_first_order_bonus_gives_rates_or_amounts() -> None:
    both = _errors(_doc(add=[{"type": "first_order_bonus", "rates": [0.1], "amounts": [5]}]))
    assert list(both) == ["compensation.components[2].amounts"]
    assert "either a share of the order (rates) or money per order" in both[
        "compensation.components[2].amounts"]
    neither = _errors(_doc(add=[{"type": "first_order_bonus"}]))
    assert list(neither) == ["compensation.components[2].rates"]
    assert "give rates" in neither["compensation.components[2].rates"]


def test_one_time_rank_bonuses_need_a_rank_bonus_component() -> None:
    doc = _doc(rank={"advancement_bonus": 100, "fast_start_bonus": 5,
                     "fast_start_within_months": 1})
    doc["compensation"]["components"].pop()  # the rank_bonus
    errors = _errors(doc)
    assert sorted(errors) == ["compensation.ranks[0].advancement_bonus",
                              "compensation.ranks[0].fast_start_bonus"]
    assert 'add {"type": "rank_bonus"}' in errors["compensation.ranks[0].advancement_bonus"]


def test_a_fast_start_bonus_needs_both_figures() -> None:
    errors = _errors(_doc(rank={"fast_start_bonus": 5}))
    assert list(errors) == ["compensation.ranks[0].fast_start_within_months"]
    assert errors["compensation.ranks[0].fast_start_within_months"].startswith(
        "is needed with a fast_start_bonus")
    errors = _errors(_doc(rank={"fast_start_within_months": 2}))
    assert errors["compensation.ranks[0].fast_start_within_months"].startswith(
        "is given without a fast_start_bonus")
