"""A return on one's own position and a pool (schema v1.1) can be entered in the form and read
back from a plan."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import document

FORM = {
    "company.name": "Acme",
    "costs.currency": "USD",
    "costs.starter_kit": "300",
    "products[0].name": "Phone line",
    "products[0].wholesale_price": "49.90",
    "products[0].retail_price": "49.90",
    "compensation.components[0].type": "enrollment_bonus",
    "compensation.components[0].amounts": "100",
    "compensation.ranks[0].name": "Director",
    "compensation.ranks[0].min_group_volume": "1000",
}


def test_a_position_return_is_entered_and_read_back() -> None:
    form = FORM | {"compensation.components[1].type": "position_return",
                   "compensation.components[1].rate_of_price": "5%",
                   "compensation.components[1].months_paid": "12",
                   "compensation.components[1].requires_task": "post one ad a day",
                   "compensation.components[1].share": "0.5"}  # a pool's field: dropped
    doc = document(form)
    assert doc["compensation"]["components"][1] == {
        "type": "position_return", "rate_of_price": 0.05, "months_paid": 12,
        "requires_task": "post one ad a day"}
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1.1"
    back = fd.state_from_document(doc)
    assert back.get("compensation.components[1].months_paid") == "12"
    assert back.get("compensation.components[1].requires_task") == "post one ad a day"


def test_a_position_return_left_without_months_is_paid_while_active() -> None:
    form = FORM | {"compensation.components[1].type": "position_return",
                   "compensation.components[1].per_month": "25"}
    doc = document(form)
    assert doc["compensation"]["components"][1] == {"type": "position_return", "per_month": 25}
    assert Plan.from_dict(doc).compensation.component("position_return").months_paid is None


def test_a_pool_is_entered_with_its_rank_and_split() -> None:
    form = FORM | {"compensation.components[1].type": "pool",
                   "compensation.components[1].share": "2%",
                   "compensation.components[1].rank": "Director",
                   "compensation.components[1].split": "equal"}
    doc = document(form)
    assert doc["compensation"]["components"][1] == {"type": "pool", "share": 0.02,
                                                    "rank": "Director", "split": "equal"}
    assert plan_errors(doc) == []
    back = fd.state_from_document(doc)
    assert back.get("compensation.components[1].rank") == "Director"


def test_a_pool_naming_no_rank_of_the_plan_is_an_error_at_its_field() -> None:
    form = FORM | {"compensation.components[1].type": "pool",
                   "compensation.components[1].share": "2%",
                   "compensation.components[1].rank": "Diamond"}
    doc = document(form)
    assert [e.path for e in plan_errors(doc)] == ["compensation.components[1].rank"]


def test_the_form_offers_both_by_their_schema_titles() -> None:
    (choice,) = [f for f in fd.COMPONENTS.fields if f.key == "type"]
    labels = dict(choice.choices)
    assert labels["position_return"].startswith("Return on one's own position")
    assert labels["pool"].startswith("Pool")
    (rank,) = [f for f in fd.COMPONENTS.fields if f.key == "rank"]
    assert rank.types == ("pool",)
