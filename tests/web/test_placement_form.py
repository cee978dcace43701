"""Forced-tree placement (schema v1.1) in the full form, both ways, and in the report's terms."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.report.html import component_terms
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

MATRIX = {
    **BASE_FORM,
    "compensation.components[0].type": "matrix",
    "compensation.components[0].width": "3",
    "compensation.components[0].rates": "5%, 3%",
}


def test_a_matrix_without_placement_stays_v1() -> None:
    doc = document(MATRIX)
    assert "placement" not in doc["compensation"]["components"][0]
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1"


def test_first_open_is_entered_and_read_back() -> None:
    doc = document(MATRIX | {"compensation.components[0].placement": "first_open"})
    assert doc["compensation"]["components"][0]["placement"] == "first_open"
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).compensation.component("matrix").placement == "first_open"
    assert fd.state_from_document(doc).get("compensation.components[0].placement") == \
        "first_open"


def test_the_placement_choice_is_worded_for_people() -> None:
    (placement,) = [f for f in fd.COMPONENTS.fields if f.key == "placement"]
    assert [value for value, _ in placement.choices] == ["", "in_turn", "first_open"]
    assert placement.label == "Spill-over placement"


def test_placement_terms() -> None:
    matrix = {"type": "matrix", "width": 2, "rates": [0.1]}
    assert component_terms(matrix | {"placement": "first_open"}, "USD").endswith(
        "; recruits spill over to the first open position, level by level, left to right")
    assert "spill" not in component_terms(matrix | {"placement": "in_turn"}, "USD")
    binary = {"type": "binary", "rate": 0.1}
    assert "first open position" in component_terms(binary | {"placement": "first_open"}, "USD")
    assert "spill" not in component_terms(binary, "USD")
