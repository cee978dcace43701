"""The batch placement column (schema v1.1): it reaches a matrix or binary; errors name it."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons

MATRIX = {"plan_type": "matrix", "level_rates": "0.05;0.03", "matrix_width": "3"}


def _forced(doc: dict) -> dict:
    (forced,) = [c for c in doc["compensation"]["components"]
                 if c["type"] in ("matrix", "binary")]
    return forced


def test_placement_reaches_a_matrix_and_a_binary() -> None:
    (doc,) = documents(csv_text([BASE | MATRIX | {"placement": "first_open"}]))
    assert _forced(doc)["placement"] == "first_open"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.component("matrix").placement == "first_open"
    row = BASE | {"plan_type": "binary", "level_rates": "0.1", "placement": "first_open"}
    (doc,) = documents(csv_text([row]))
    assert Plan.from_dict(doc).compensation.component("binary").placement == "first_open"


def test_a_row_without_it_stays_v1() -> None:
    (doc,) = documents(csv_text([BASE | MATRIX]))
    assert "placement" not in _forced(doc)
    assert Plan.from_dict(doc).schema_version == "1"


def test_bad_placement_cells_name_the_column() -> None:
    got = reasons(csv_text([BASE | MATRIX | {"placement": "breadth_first"}]))
    assert len(got[2]) == 1
    assert got[2][0].startswith("placement: ")
    row = BASE | {"plan_type": "unilevel", "level_rates": "0.05", "placement": "first_open"}
    got = reasons(csv_text([row]))
    assert len(got[2]) == 1
    assert got[2][0].startswith("placement: ")
    assert "does not apply to plan_type unilevel" in got[2][0]
