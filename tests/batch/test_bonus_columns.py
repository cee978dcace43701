"""The batch columns of the schema v1.1 bonus rules: each reaches the plan, errors name it."""

from __future__ import annotations

from evaluator.model import Plan
from tests.batch.test_rows import BASE, csv_text, documents, reasons


def test_matching_bonus_rates_become_a_matching_bonus() -> None:
    (doc,) = documents(csv_text([BASE | {"matching_bonus_rates": "0.1;0.05"}]))
    assert doc["compensation"]["components"][-1] == {"type": "matching_bonus",
                                                     "rates": [0.1, 0.05]}
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.component("matching_bonus").rates == (0.1, 0.05)


def test_a_bad_matching_rate_names_its_column() -> None:
    got = reasons(csv_text([BASE | {"matching_bonus_rates": "0.1;x"}]))
    assert got == {2: ["matching_bonus_rates: level 2: 'x' is not a number"]}
