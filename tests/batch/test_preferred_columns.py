"""The batch columns of schema v1.1 preferred customers: they reach the plan, errors name them."""

from __future__ import annotations

from evaluator.model import Plan, PreferredCustomers
from tests.batch.test_rows import BASE, csv_text, documents, reasons


def test_preferred_columns_become_a_program() -> None:
    (doc,) = documents(csv_text([BASE | {"preferred_discount": "0.15",
                                         "preferred_commission_rate": "0.2",
                                         "preferred_counts_as_volume": "false"}]))
    assert doc["compensation"]["preferred_customers"] == {
        "discount": 0.15, "commission_rate": 0.2, "counts_as_personal_volume": False}
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.preferred_customers == PreferredCustomers(0.15, 0.2, False)


def test_no_preferred_columns_no_program() -> None:
    (doc,) = documents(csv_text([BASE]))
    assert "preferred_customers" not in doc["compensation"]
    assert Plan.from_dict(doc).compensation.preferred_customers is None


def test_a_bad_preferred_discount_names_its_column() -> None:
    got = reasons(csv_text([BASE | {"preferred_discount": "1.5",
                                    "preferred_commission_rate": "0.2"}]))
    assert list(got) == [2]
    assert any("preferred_discount" in r for r in got[2]), got
