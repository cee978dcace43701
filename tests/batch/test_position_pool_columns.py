"""The batch columns of a return on one's own position and a pool (schema v1.1): each reaches
the plan, and an error names the column."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons


def test_position_return_columns_become_a_position_return() -> None:
    row = BASE | {"position_return_rate_of_price": "0.05", "position_return_months_paid": "12",
                  "position_return_task": "post one ad a day"}
    (doc,) = documents(csv_text([row]))
    assert doc["compensation"]["components"][-1] == {
        "type": "position_return", "rate_of_price": 0.05, "months_paid": 12,
        "requires_task": "post one ad a day"}
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    c = plan.compensation.component("position_return")
    assert (c.rate_of_price, c.months_paid) == (0.05, 12)


def test_a_position_return_without_an_amount_names_its_column() -> None:
    got = reasons(csv_text([BASE | {"position_return_months_paid": "12"}]))
    [message] = got[2]
    assert message.startswith("position_return_per_month: ")
    assert "exactly one of per_month" in message


def test_pool_columns_become_a_pool_of_the_rows_rank() -> None:
    row = BASE | {"rank_name": "Director", "rank_min_group_volume": "1000", "pool_share": "0.02"}
    (doc,) = documents(csv_text([row]))
    assert doc["compensation"]["components"][-1] == {"type": "pool", "share": 0.02,
                                                     "rank": "Director"}
    assert Plan.from_dict(doc).compensation.component("pool").rank == "Director"


def test_a_pool_rank_not_in_the_plan_names_its_column() -> None:
    row = BASE | {"rank_name": "Director", "pool_share": "0.02", "pool_rank": "Diamond"}
    got = reasons(csv_text([row]))
    [message] = got[2]
    assert message.startswith("pool_rank: 'Diamond' is not one of the plan's ranks")
    got = reasons(csv_text([BASE | {"pool_share": "1.5", "rank_name": "Director"}]))
    assert got[2][0].startswith("pool_share: ")
