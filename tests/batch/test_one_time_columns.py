"""The batch columns of one-time bonuses and conditions on a bonus (schema v1.1)."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons

RANK = {"rank_name": "Director", "rank_min_active_legs": "2"}


def test_first_order_bonus_columns_with_their_conditions() -> None:
    row = BASE | RANK | {"first_order_bonus_rates": "0.2;0.05",
                         "first_order_bonus_requires_rank": "Director",
                         "first_order_bonus_min_recruit_order_volume": "100"}
    (doc,) = documents(csv_text([row]))
    assert doc["compensation"]["components"][-1] == {
        "type": "first_order_bonus", "rates": [0.2, 0.05], "requires_rank": "Director",
        "min_recruit_order_volume": 100}
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.component("first_order_bonus").requires_rank == "Director"


def test_a_gated_enrollment_bonus_and_the_ranks_one_time_bonuses() -> None:
    row = BASE | RANK | {"enrollment_bonus": "50",
                         "enrollment_bonus_min_recruit_order_volume": "150",
                         "rank_advancement_bonus": "500", "rank_fast_start_bonus": "250",
                         "rank_fast_start_within_months": "3"}
    (doc,) = documents(csv_text([row]))
    comps = {c["type"]: c for c in doc["compensation"]["components"]}
    assert comps["enrollment_bonus"] == {"type": "enrollment_bonus", "amounts": [50],
                                         "min_recruit_order_volume": 150}
    assert "rank_bonus" in comps  # the one-time bonuses are paid by it
    (rank,) = doc["compensation"]["ranks"]
    assert (rank["advancement_bonus"], rank["fast_start_bonus"],
            rank["fast_start_within_months"]) == (500, 250, 3)
    assert Plan.from_dict(doc).compensation.ranks[0].one_time


def test_a_condition_without_its_bonus_names_its_column() -> None:
    got = reasons(csv_text([BASE | {"fast_start_requires_rank": "Director"}]))
    assert got == {2: ["fast_start_requires_rank: is a condition on the fast start, and the row "
                       "has none (leave it empty or fill that bonus's columns)"]}


def test_an_unknown_required_rank_names_its_column() -> None:
    got = reasons(csv_text([BASE | RANK | {"enrollment_bonus": "50",
                                           "enrollment_bonus_requires_rank": "Diamond"}]))
    assert got == {2: ["enrollment_bonus_requires_rank: 'Diamond' is not a rank of "
                       "compensation.ranks; name one of them (Director)"]}
