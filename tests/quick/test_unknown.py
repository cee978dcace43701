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


def test_a_component_rule_left_null_stays_null_in_the_plan_and_is_simulated_at_its_default(
) -> None:
    from evaluator.model import Plan
    from evaluator.schema import UNKNOWN_SIMULATED_AS

    doc = copy.deepcopy(PLAN)
    doc["schema_version"] = "1.1"
    doc["compensation"]["components"] += [
        {"type": "matrix", "width": 2, "rates": [0.05], "placement": None},
        {"type": "breakaway", "generation_rates": [0.04],
         "breakaway_legs_in_group_volume": None},
    ]
    doc["compensation"]["ranks"] = [{"name": "Leader", "min_group_volume": 1000}]
    plan = Plan.from_dict(doc)
    given = {name: value for c in plan.to_dict()["compensation"]["components"]
             for name, value in c.items() if name in UNKNOWN_SIMULATED_AS}
    assert given == dict.fromkeys(UNKNOWN_SIMULATED_AS)  # every one written back as null
    simulated = {name: getattr(c, name) for c in plan.compensation.components
                 for name in c.unstated}
    assert simulated == UNKNOWN_SIMULATED_AS
    assert Plan.from_dict(plan.to_dict()) == plan  # the normalised plan reads back the same
    stated = copy.deepcopy(doc)
    for c in stated["compensation"]["components"]:
        for name in UNKNOWN_SIMULATED_AS:
            if name in c:
                c[name] = UNKNOWN_SIMULATED_AS[name]
    assert Plan.from_dict(stated).sha256 != plan.sha256  # unknown is not the same input


def test_the_report_says_a_component_rule_left_null_is_not_stated() -> None:
    from evaluator.report.html import _UNSTATED_WORDS, component_terms, render_html_fragment
    from evaluator.schema import UNKNOWN_SIMULATED_AS

    assert _UNSTATED_WORDS.keys() == UNKNOWN_SIMULATED_AS.keys()
    unilevel, binary = PLAN["compensation"]["components"][1:]
    assert "whether it compresses past unqualified uplines is not stated" in component_terms(
        unilevel, "USD")
    assert "carries over is not stated" in component_terms(binary, "USD")
    assert "not stated" not in component_terms(dict(unilevel, compression=False), "USD")
    assert "not stated" not in component_terms({"type": "binary", "rate": 0.1}, "USD")
    matrix = {"type": "matrix", "width": 2, "rates": [0.05], "placement": None}
    assert "is not stated (simulated in turn)" in component_terms(matrix, "USD")
    breakaway = {"type": "breakaway", "generation_rates": [0.04],
                 "breakaway_legs_in_group_volume": None}
    assert "(simulated as counted)" in component_terms(breakaway, "USD")
    page = str(render_html_fragment(evaluate_document(PLAN, SMALL)))
    assert "(simulated without compression)" in page


def test_the_form_writes_i_dont_know_as_null_and_shows_a_left_out_rule_as_no() -> None:
    from evaluator.web import formdata as fd
    from tests.web.forms import BASE_FORM, document

    unilevel = {**BASE_FORM, "compensation.components[0].type": "unilevel",
                "compensation.components[0].rates": "5%"}
    assert document(unilevel)["compensation"]["components"][0]["compression"] is None
    no = document(unilevel | {"compensation.components[0].compression": "no"})
    assert no["compensation"]["components"][0]["compression"] is False
    left_out = {**PLAN, "compensation": {"components": [{"type": "unilevel", "rates": [0.1]}]}}
    shown = fd.state_from_document(left_out)
    assert shown.get("compensation.components[0].compression") == "no"  # the schema's default
