"""The CSV's columns for schema v1.1's preferred customers and return on one's position: in
every row, filled from the economics for a plan that has them, empty for one that does not."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.evaluation import Evaluation
from evaluator.model import Plan
from evaluator.report.csv import ECONOMICS_V1_1_COLUMNS, FIXED_COLUMNS, csv_columns, flat_row
from tests.report.helpers import render

NAMES = ("preferred_customer_share", "preferred_pay_per_order", "preferred_pay_per_customer",
         "position_return_per_month", "position_return_months_paid",
         "position_return_first_year")

# One product at wholesale 100 and retail 200; 10% retail commission; preferred customers at
# 25% off retail (150 an order) paid 20% of it; 5% a month of the starter kit's 200 returned
# for as long as one stays active.
PLAN: dict[str, Any] = {
    "company": {"name": "Both"},
    "costs": {"currency": "USD", "starter_kit": 200, "required_monthly_purchase": 100},
    "products": [{"name": "Box", "wholesale_price": 100, "retail_price": 200}],
    "compensation": {
        "components": [{"type": "retail_commission", "rate": 0.1},
                       {"type": "unilevel", "rates": [0.1]},
                       {"type": "position_return", "rate_of_price": 0.05}],
        "preferred_customers": {"discount": 0.25, "commission_rate": 0.2},
    },
}


def _with_economics(evaluation: Evaluation, doc: dict[str, Any]) -> dict[str, Any]:
    """The evaluation's dictionary with the economics of ``doc`` (no simulation run)."""
    ev = copy.deepcopy(evaluation.to_dict())
    assumptions = Assumptions.from_overrides({"preferred_customer_share": 0.5,
                                              "price_elasticity": 0})
    ev["economics"] = compute_economics(Plan.from_dict(doc), assumptions).to_dict()
    return ev


def test_every_row_has_the_columns_after_the_economics() -> None:
    fixed = [name for name, _ in FIXED_COLUMNS]
    assert [name for name, _ in ECONOMICS_V1_1_COLUMNS] == list(NAMES)
    at = fixed.index("payback_months") + 1
    assert fixed[at:at + len(NAMES)] == list(NAMES)
    assert fixed[at + len(NAMES)] == "participants_ever"


def test_a_v1_plan_leaves_them_empty(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    assert "preferred_customers" not in ev["economics"]
    assert "position_return" not in ev["economics"]
    (row,) = csv.DictReader(io.StringIO(render("csv", evaluation).decode("utf-8")))
    assert set(NAMES) <= set(csv_columns(ev))
    assert {name: row[name] for name in NAMES} == dict.fromkeys(NAMES, "")


def test_the_worked_plan_fills_them(evaluation: Evaluation) -> None:
    row = flat_row(_with_economics(evaluation, PLAN))
    assert {name: row[name] for name in NAMES} == {
        "preferred_customer_share": "0.5",
        "preferred_pay_per_order": "30",  # 0.2 x 200 x (1 - 0.25)
        "preferred_pay_per_customer": "25",  # 0.5 x (0.1 x 200) + 0.5 x 30
        "position_return_per_month": "10",  # 0.05 x 200
        "position_return_months_paid": "",  # every month while active
        "position_return_first_year": "120",  # 12 x 10
    }


def test_a_return_with_a_term_and_no_program(evaluation: Evaluation) -> None:
    doc = copy.deepcopy(PLAN)
    del doc["compensation"]["preferred_customers"]
    doc["compensation"]["components"][2]["months_paid"] = 5
    row = flat_row(_with_economics(evaluation, doc))
    assert {name: row[name] for name in NAMES} == {
        "preferred_customer_share": "",
        "preferred_pay_per_order": "",
        "preferred_pay_per_customer": "",
        "position_return_per_month": "10",
        "position_return_months_paid": "5",
        "position_return_first_year": "50",  # 5 months of 10
    }


def test_the_samples_rows_read_their_economics(
        evaluation_of: Callable[[str], Evaluation]) -> None:
    preferred = evaluation_of("neora_preferred_customers")
    (row,) = csv.DictReader(io.StringIO(render("csv", preferred).decode("utf-8")))
    figures = preferred.to_dict()["economics"]["preferred_customers"]
    assert float(row["preferred_customer_share"]) == figures["share"] == 0.5
    assert float(row["preferred_pay_per_customer"]) == pytest.approx(figures["pay_per_customer"],
                                                                    rel=1e-5)
    assert row["position_return_per_month"] == ""
    returns = evaluation_of("ad_package_returns")
    (row,) = csv.DictReader(io.StringIO(render("csv", returns).decode("utf-8")))
    held = returns.to_dict()["economics"]["position_return"]
    assert row["position_return_months_paid"] == "12"
    assert held["months_paid"] == 12
    assert float(row["position_return_first_year"]) == pytest.approx(held["first_year"], rel=1e-5)
    assert row["preferred_pay_per_order"] == ""


def test_their_cells_are_neutralised(evaluation: Evaluation) -> None:
    ev = _with_economics(evaluation, PLAN)
    ev["economics"]["preferred_customers"]["share"] = "=1+1"
    ev["economics"]["position_return"]["per_month"] = "@SUM(A1)"
    ev["economics"]["position_return"]["first_year"] = -120.5
    row = flat_row(ev)
    assert row["preferred_customer_share"] == "'=1+1"
    assert row["position_return_per_month"] == "'@SUM(A1)"
    assert row["position_return_first_year"] == "-120.5"  # a plain number stays a number
