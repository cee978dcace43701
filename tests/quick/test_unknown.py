"""Unknown stays unknown: an unanswered yes/no question or an empty claims list is scored
unknown and never stated as a fact; the API accepts ``null`` for every optional yes/no field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.evaluation import evaluate_document
from evaluator.schema import plan_errors

SMALL = {"runs": 1, "max_participants": 400, "horizon_months": 12}

PLAN: dict[str, Any] = {
    "schema_version": "1",
    "company": {"name": "Unknowns"},
    "costs": {"currency": "USD", "starter_kit": 99, "required_monthly_purchase": 129},
    "products": [{"name": "Shake", "wholesale_price": 45, "retail_price": 60}],
    "compensation": {"components": [{"type": "retail_margin"},
                                    {"type": "unilevel", "rates": [0.1], "compression": None},
                                    {"type": "binary", "rate": 0.1, "carryover": None}]},
}


def _indicators(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = evaluate_document(doc, SMALL).to_dict()
    return {i["id"]: i for i in out["indicators"]}


@pytest.mark.parametrize("value", [None, "absent"])
def test_kit_pay_left_unanswered_is_unknown(value: Any) -> None:
    doc = copy.deepcopy(PLAN)
    if value is None:
        doc["costs"]["starter_kit_commissionable"] = None
    assert plan_errors(doc) == []
    found = _indicators(doc)["starter_kit_commissionable"]
    assert found["value"] is None
    assert found["level"] is None
    assert "not known" in found["detail"]
    assert "does not generate pay" not in found["detail"]


def test_kit_pay_answered_no_is_no() -> None:
    doc = copy.deepcopy(PLAN)
    doc["costs"]["starter_kit_commissionable"] = False
    found = _indicators(doc)["starter_kit_commissionable"]
    assert found["value"] is False
    assert "does not generate pay" in found["detail"]


def test_no_claims_entered_is_unknown_but_an_empty_list_says_none_were_made() -> None:
    found = _indicators(PLAN)["income_claims_without_typical_results"]
    assert found["value"] is None
    assert "not known" in found["detail"]
    assert "No income claims were recorded" not in found["detail"]
    none_made = copy.deepcopy(PLAN)
    none_made["disclosures"] = {"income_claims": []}
    assert _indicators(none_made)["income_claims_without_typical_results"]["value"] == 0


def test_every_optional_yes_no_field_accepts_null() -> None:
    doc = copy.deepcopy(PLAN)
    doc["costs"].update(autoship_required=None, starter_kit_commissionable=None)
    doc["buyback"] = {"offered": None}
    doc["compensation"]["qualification"] = {"own_purchases_count": None}
    doc["disclosures"] = {"income_claims": None,
                          "income_disclosure": {"net_of_costs": None}}
    assert plan_errors(doc) == []


def test_the_api_takes_null_for_unknown_and_scores_it_unknown() -> None:
    import json

    from evaluator.web import create_app

    doc = copy.deepcopy(PLAN)
    doc["costs"].update(autoship_required=None, starter_kit_commissionable=None)
    doc["disclosures"] = {"income_claims": None}
    client = create_app({"TESTING": True}).test_client()
    response = client.post("/api/v1/evaluate?max_participants=400&runs=1&horizon_months=12",
                           data=json.dumps(doc), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    found = {i["id"]: i for i in response.get_json()["indicators"]}
    assert found["starter_kit_commissionable"]["value"] is None
    assert found["income_claims_without_typical_results"]["value"] is None


def test_the_report_says_not_known_for_unanswered_kit_pay_and_claims() -> None:
    from evaluator.report.html import render_html_fragment

    page = str(render_html_fragment(evaluate_document(PLAN, SMALL)))
    assert "whether it earns pay for the recruiter: not known" in page
    assert "not known (none entered)" in page
    assert "No income claims were recorded" not in page
