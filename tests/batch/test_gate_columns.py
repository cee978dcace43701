"""The batch columns of the retail-share gate (schema v1.1): each reaches the plan, errors name
the column."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons


def _gate(row: dict[str, str]) -> object:
    (doc,) = documents(csv_text([row]))
    return doc["compensation"].get("qualification", {}).get("min_customer_share")


def test_gate_columns_reach_the_plan() -> None:
    row = BASE | {"min_customer_share": "70%", "customer_share_of": "own",
                  "customer_share_mode": "pro_rata"}
    assert _gate(row) == {"share": 0.7, "of": "own", "mode": "pro_rata"}
    (doc,) = documents(csv_text([row]))
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    gate = plan.compensation.qualification.min_customer_share
    assert (gate.share, gate.of, gate.mode) == (0.7, "own", "pro_rata")


def test_a_share_alone_is_the_whole_groups_volume_and_no_downline_pay() -> None:
    (doc,) = documents(csv_text([BASE | {"min_customer_share": "0.51"}]))
    gate = Plan.from_dict(doc).compensation.qualification.min_customer_share
    assert (gate.share, gate.of, gate.mode) == (0.51, "downline", "full")


def test_a_row_without_a_gate_stays_v1() -> None:
    (doc,) = documents(csv_text([BASE]))
    assert _gate(BASE) is None
    assert Plan.from_dict(doc).schema_version == "1"


def test_bad_gate_cells_name_their_columns() -> None:
    got = reasons(csv_text([BASE | {"min_customer_share": "1.5"}]))
    assert got[2][0].startswith("min_customer_share: ")
    got = reasons(csv_text([BASE | {"min_customer_share": "0.5", "customer_share_of": "team"}]))
    assert got[2] == ["customer_share_of: 'team' is not one of own, downline"]
    got = reasons(csv_text([BASE | {"min_customer_share": "0.5", "customer_share_mode": "half"}]))
    assert got[2][0].startswith("customer_share_mode: ")
    got = reasons(csv_text([BASE | {"customer_share_mode": "full"}]))
    assert got[2] == ["min_customer_share: is required but missing"]
