"""The batch columns of rates by rank (schema v1.1): each reaches the plan, errors name it."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons

RANK = {"rank_name": "Supervisor", "rank_min_group_volume": "2500", "rank_min_team_size": "4",
        "rank_discount": "0.5", "rank_unilevel_rates": "0.05;0.04;0.03"}


def test_rank_rate_columns_reach_the_rank() -> None:
    (doc,) = documents(csv_text([BASE | {"plan_type": "unilevel", "level_rates": "0.05"}
                                 | RANK]))
    assert doc["compensation"]["ranks"] == [{
        "name": "Supervisor", "min_group_volume": 2500.0, "min_team_size": 4, "discount": 0.5,
        "unilevel_rates": [0.05, 0.04, 0.03]}]
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    rank = plan.compensation.ranks[0]
    assert (rank.discount, rank.unilevel_rates, rank.min_team_size) == (
        0.5, (0.05, 0.04, 0.03), 4)


def test_rank_binary_rate_reaches_the_rank() -> None:
    (doc,) = documents(csv_text([BASE | {"plan_type": "binary", "level_rates": "0.1",
                                         "rank_binary_rate": "0.15"}]))
    assert doc["compensation"]["ranks"] == [{"name": "Rank 1", "binary_rate": 0.15}]
    assert Plan.from_dict(doc).compensation.ranks[0].binary_rate == 0.15


def test_rank_rate_errors_name_their_columns() -> None:
    got = reasons(csv_text([
        BASE | {"plan_type": "unilevel", "level_rates": "0.05", "rank_discount": "1"},
        BASE | {"plan_type": "matrix", "level_rates": "0.05", "matrix_width": "3",
                "rank_unilevel_rates": "0.1"},
        BASE | {"plan_type": "unilevel", "level_rates": "0.05", "rank_binary_rate": "0.1"},
    ]))
    assert got[2] == ["rank_discount: 1 would make every product free at this rank; a discount "
                      "is a share off the retail price, at least 0 and below 1"]
    assert got[3] == ["rank_unilevel_rates: gives unilevel rates for this rank, but the plan "
                      "has no unilevel component; add one or leave the rates out"]
    assert got[4] == ["rank_binary_rate: gives a binary rate for this rank, but the plan has "
                      "no binary component; add one or leave the rate out"]
