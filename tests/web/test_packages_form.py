"""Enrollment packages (schema v1.1) in the web form: typed rows, unknowns, errors beside them."""

from __future__ import annotations

from flask.testing import FlaskClient

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import document

FORM = {
    "company.name": "Tiers",
    "costs.currency": "USD",
    "costs.packages[0].name": "Basic",
    "costs.packages[0].price": "$30",
    "costs.packages[0].volume": "0",
    "costs.packages[0].share": "25%",
    "costs.packages[1].name": "VIP",
    "costs.packages[1].price": "430",
    "costs.packages[1].rank": "Owner",
    "products[0].name": "Album",
    "products[0].wholesale_price": "9",
    "products[0].retail_price": "10",
    "compensation.components[0].type": "retail_commission",
    "compensation.components[0].rate": "10%",
    "compensation.ranks[0].name": "Owner",
}


def test_packages_typed_in_the_form_become_the_plan_s_packages() -> None:
    doc = document(FORM)
    assert doc["costs"]["packages"] == [
        {"name": "Basic", "price": 30, "volume": 0, "share": 0.25},
        {"name": "VIP", "price": 430, "rank": "Owner"},  # volume, share: don't know
    ]
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.costs.packages[1].volume is None
    assert plan.costs.package_shares() == (0.25, 0.75)


def test_a_package_error_is_shown_beside_its_field() -> None:
    state = fd.state_from_form({**FORM, "costs.packages[1].rank": "Emperor"}).compact()
    errors = plan_errors(fd.to_document(state))
    placed = fd.place_errors(errors, fd.field_labels(state))
    (message,) = placed.by_field["costs.packages[1].rank"]
    assert "'Emperor' is not a rank of compensation.ranks" in message
    assert fd.field_labels(state)["costs.packages[1].rank"] == (
        "Package 2: Rank the package gives")


def test_the_form_page_offers_package_rows(client: FlaskClient) -> None:
    page = client.get("/form").get_data(as_text=True)
    assert 'data-list="costs.packages"' in page
    assert 'value="add:costs.packages"' in page  # "Add a package"
    assert 'name="costs.packages[__i__].share"' in page  # the row a new package gets
