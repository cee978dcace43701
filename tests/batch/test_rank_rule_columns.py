"""The batch columns of the schema v1.1 rank rules: each reaches the plan, errors name it."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons

RANK = {"rank_name": "Director", "rank_min_group_volume": "2500", "rank_monthly_bonus": "100"}


def test_rank_rule_columns_reach_the_plan() -> None:
    row = BASE | RANK | {"rank_qualify_months": "3", "rank_min_lifetime_volume": "5000",
                         "rank_max_leg_share": "0.5", "rank_pin": "pay",
                         "rank_requalify_months": "12"}
    (doc,) = documents(csv_text([row]))
    comp = doc["compensation"]
    assert comp["ranks"][0]["qualify_months"] == 3
    assert comp["ranks"][0]["min_lifetime_volume"] == 5000
    assert comp["ranks"][0]["max_leg_share"] == 0.5
    assert comp["rank_rules"] == {"pin": "pay", "requalify_months": 12}
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.rank_rules.pin == "pay"
    assert plan.compensation.ranks[0].qualify_months == 3


def test_a_row_without_them_stays_v1() -> None:
    (doc,) = documents(csv_text([BASE | RANK]))
    assert "rank_rules" not in doc["compensation"]
    assert Plan.from_dict(doc).schema_version == "1"


def test_bad_rank_rule_cells_name_their_columns() -> None:
    got = reasons(csv_text([BASE | RANK | {"rank_pin": "forever"}]))
    assert len(got[2]) == 1
    assert got[2][0].startswith("rank_pin: ")
    got = reasons(csv_text([BASE | RANK | {"rank_requalify_months": "12"}]))
    assert len(got[2]) == 1
    assert got[2][0].startswith("rank_requalify_months: ")
    assert "pin is none" in got[2][0]
    got = reasons(csv_text([BASE | RANK | {"rank_max_leg_share": "1.5"}]))
    assert got[2][0].startswith("rank_max_leg_share: ")


def test_compression_dynamic_column() -> None:
    row = BASE | {"plan_type": "unilevel", "level_rates": "0.05;0.03", "compression": "Dynamic"}
    (doc,) = documents(csv_text([row]))
    (unilevel,) = [c for c in doc["compensation"]["components"] if c["type"] == "unilevel"]
    assert unilevel["compression"] == "dynamic"
    assert Plan.from_dict(doc).schema_version == "1.1"
    (doc,) = documents(csv_text([row | {"compression": "true"}]))
    (unilevel,) = [c for c in doc["compensation"]["components"] if c["type"] == "unilevel"]
    assert unilevel["compression"] is True
    assert Plan.from_dict(doc).schema_version == "1"
    got = reasons(csv_text([row | {"compression": "sometimes"}]))
    assert got[2][0].startswith("compression: ")
