"""The batch breakaway_legs_in_group_volume column (schema v1.1): it reaches a breakaway."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons

BREAKAWAY = {"plan_type": "breakaway", "level_rates": "0.04;0.03", "rank_name": "Director",
             "rank_min_group_volume": "2500", "rank_differential_rate": "0.1"}
COLUMN = "breakaway_legs_in_group_volume"


def _breakaway(doc: dict) -> dict:
    (component,) = [c for c in doc["compensation"]["components"] if c["type"] == "breakaway"]
    return component


def test_the_column_reaches_the_breakaway() -> None:
    (doc,) = documents(csv_text([BASE | BREAKAWAY | {COLUMN: "false"}]))
    assert _breakaway(doc)[COLUMN] is False
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert not plan.compensation.component("breakaway").breakaway_legs_in_group_volume


def test_a_row_without_it_stays_v1() -> None:
    (doc,) = documents(csv_text([BASE | BREAKAWAY]))
    assert COLUMN not in _breakaway(doc)
    assert Plan.from_dict(doc).schema_version == "1"


def test_bad_cells_name_the_column() -> None:
    got = reasons(csv_text([BASE | BREAKAWAY | {COLUMN: "sometimes"}]))
    assert len(got[2]) == 1
    assert got[2][0].startswith(f"{COLUMN}: ")
    row = BASE | {"plan_type": "unilevel", "level_rates": "0.05", COLUMN: "false"}
    got = reasons(csv_text([row]))
    assert len(got[2]) == 1
    assert got[2][0].startswith(f"{COLUMN}: ")
    assert "does not apply to plan_type unilevel" in got[2][0]
