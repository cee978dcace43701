"""Breakaway legs left out of group volume (schema v1.1) in the full form and the report."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.report.html import component_terms
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

BREAKAWAY = {
    **BASE_FORM,
    "compensation.components[0].type": "breakaway",
    "compensation.components[0].generation_rates": "4%, 3%",
    "compensation.ranks[0].name": "Director",
    "compensation.ranks[0].min_group_volume": "2500",
    "compensation.ranks[0].differential_rate": "10%",
}
FIELD = "compensation.components[0].breakaway_legs_in_group_volume"


def test_unanswered_it_stays_v1() -> None:
    doc = document(BREAKAWAY)
    assert "breakaway_legs_in_group_volume" not in doc["compensation"]["components"][0]
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1"
    assert plan.compensation.component("breakaway").breakaway_legs_in_group_volume


def test_no_is_entered_and_read_back() -> None:
    doc = document(BREAKAWAY | {FIELD: "no"})
    assert doc["compensation"]["components"][0]["breakaway_legs_in_group_volume"] is False
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert not plan.compensation.component("breakaway").breakaway_legs_in_group_volume
    assert fd.state_from_document(doc).get(FIELD) == "no"


def test_the_question_is_worded_for_people() -> None:
    (field,) = [f for f in fd.COMPONENTS.fields if f.key == "breakaway_legs_in_group_volume"]
    assert field.label == "Breakaway legs count toward group volume"
    assert [value for value, _ in field.choices] == ["", "yes", "no"]
    assert "top rank" in field.hint


def test_breakaway_terms() -> None:
    breakaway = {"type": "breakaway", "generation_rates": [0.04, 0.03]}
    assert component_terms(breakaway | {"breakaway_legs_in_group_volume": False},
                           "USD").endswith(
        "; legs that broke away no longer count toward the upline's group volume")
    for shown in (breakaway, breakaway | {"breakaway_legs_in_group_volume": True}):
        assert "group volume" not in component_terms(shown, "USD")
