"""Schema v1.1's binary cycles: how they are told apart from v1, and how bad ones are refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.economics import pay_per_active_recruit
from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.report.html import component_terms
from evaluator.schema import plan_errors, plan_version

BASE: dict[str, Any] = {
    "company": {"name": "Cycles"},
    "costs": {"currency": "USD", "required_monthly_purchase": 100},
    "products": [{"name": "Box", "wholesale_price": 100, "retail_price": 200}],
    "compensation": {"components": [{"type": "binary", "rate": 0.1, "carryover": True}]},
}
RULES: dict[str, Any] = {
    "cycle_volume_left": 100,
    "cycle_volume_right": 200,
    "carry_cap": 500,
    "unqualified_legs": "flush",
}


def _doc(**binary: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    component = doc["compensation"]["components"][0]
    component.update(binary)
    for key in [k for k, v in component.items() if v is None]:
        del component[key]
    return doc


def _errors(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in plan_errors(doc)]


@pytest.mark.parametrize("field", list(RULES))
def test_a_cycle_field_makes_the_plan_one_point_one(field: str) -> None:
    fields = ({field: RULES[field]} if not field.startswith("cycle_volume")
              else {k: RULES[k] for k in ("cycle_volume_left", "cycle_volume_right")})
    doc = _doc(**fields)
    assert plan_version(doc) == "1.1"
    assert Plan.from_dict(doc).schema_version == "1.1"
    stated = {**doc, "schema_version": "1"}
    paths = [path for path, _ in _errors(stated)]
    assert paths == sorted(f"compensation.components[0].{k}" for k in fields)
    assert all("schema 1.1" in message for _, message in _errors(stated))


def test_a_v1_binary_normalises_without_the_cycle_fields() -> None:
    plan = Plan.from_dict(_doc())
    assert plan.schema_version == "1"
    assert plan.to_dict()["compensation"]["components"][0] == {
        "type": "binary", "rate": 0.1, "monthly_cap": None, "carryover": True}
    assert not plan.compensation.components[0].binary_rules


def test_a_fixed_amount_per_cycle_needs_no_rate_but_needs_the_cycle_volumes() -> None:
    doc = _doc(rate=None, cycle_pay=25, cycle_volume_left=100, cycle_volume_right=100)
    assert _errors(doc) == []
    normalised = Plan.from_dict(doc).to_dict()  # its rate is null: still a valid plan
    assert normalised["compensation"]["components"][0]["rate"] is None
    assert _errors(normalised) == []
    del doc["compensation"]["components"][0]["cycle_volume_right"]
    assert _errors(doc) == [("compensation.components[0].cycle_volume_right",
                             "is required when cycle_pay and cycle_volume_left is given: a "
                             "cycle takes volume from both legs")]
    no_pay = _doc()
    no_pay["compensation"]["components"][0].pop("rate")
    assert _errors(no_pay) == [("compensation.components[0].rate", "is required but missing")]


def test_cycle_rules_that_contradict_each_other_name_the_field() -> None:
    both = _doc(cycle_pay=25, cycle_volume_left=100, cycle_volume_right=100)
    assert [p for p, _ in _errors(both)] == ["compensation.components[0].cycle_pay"]
    no_carry = _doc(carryover=False, carry_cap=100, unqualified_legs="carry")
    assert [p for p, _ in _errors(no_carry)] == ["compensation.components[0].carry_cap",
                                                 "compensation.components[0].unqualified_legs"]
    assert "carryover is not true" in _errors(no_carry)[0][1]
    with pytest.raises(PlanValidationError):
        Plan.from_dict(_doc(cycle_volume_left=0, cycle_volume_right=100))
    bad = _doc(unqualified_legs="keep")
    assert [p for p, _ in _errors(bad)] == ["compensation.components[0].unqualified_legs"]


def test_economics_pays_a_recruit_in_cycles() -> None:
    # A recruit's 100 of volume, half on each leg: 50 / 200 of a 1:2 cycle at 25 a cycle.
    plan = Plan.from_dict(_doc(rate=None, cycle_pay=25, cycle_volume_left=100,
                               cycle_volume_right=200))
    assert pay_per_active_recruit(plan) == pytest.approx(25 * 50 / 200)
    # A 1:1 cycle paid at the rate is the weaker-leg rule's rate x volume / 2.
    even = Plan.from_dict(_doc(cycle_volume_left=100, cycle_volume_right=100))
    assert pay_per_active_recruit(even) == pytest.approx(pay_per_active_recruit(
        Plan.from_dict(_doc())))


def test_the_report_states_the_cycle_rules() -> None:
    component = Plan.from_dict(_doc(rate=None, cycle_pay=25, cycle_volume_left=100,
                                    cycle_volume_right=200, carry_cap=500,
                                    unqualified_legs="flush")).to_dict()
    text = component_terms(component["compensation"]["components"][0], "USD")
    assert text == ("$25 per whole cycle of 100 left-leg and 200 right-leg volume; volume "
                    "the cycles leave carries over, at most 500 a leg; an unqualified member's "
                    "leg volume is lost")
    v1 = component_terms(Plan.from_dict(_doc()).to_dict()["compensation"]["components"][0],
                         "USD")
    assert v1 == "10% of the weaker leg's volume; unmatched volume carries over"
