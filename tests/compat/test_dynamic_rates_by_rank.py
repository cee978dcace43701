"""Dynamic compression with rates by rank (schema v1.1) is accepted from JSON and the CSV."""

from __future__ import annotations

import copy
from typing import Any

from evaluator.model import Plan
from evaluator.schema import plan_errors
from tests.batch.test_rows import BASE as ROW
from tests.batch.test_rows import csv_text, documents

BASE: dict[str, Any] = {
    "company": {"name": "Example"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {
        "components": [{"type": "unilevel", "rates": [0.05], "compression": "dynamic"}],
        "ranks": [{"name": "Leader", "min_group_volume": 1000,
                   "unilevel_rates": [0.05, 0.04, 0.03], "unlocks_levels": 2}]},
}


def test_dynamic_compression_with_rates_by_rank_is_valid() -> None:
    doc = copy.deepcopy(BASE)
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.component("unilevel").compression == "dynamic"
    assert plan.compensation.ranks[0].unilevel_rates == (0.05, 0.04, 0.03)


def test_the_batch_row_takes_both() -> None:
    row = ROW | {"plan_type": "unilevel", "level_rates": "0.05", "compression": "dynamic",
                 "rank_name": "Leader", "rank_min_group_volume": "1000",
                 "rank_unilevel_rates": "0.05;0.04;0.03"}
    (doc,) = documents(csv_text([row]))
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.compensation.component("unilevel").compression == "dynamic"
    assert plan.compensation.ranks[0].unilevel_rates == (0.05, 0.04, 0.03)
