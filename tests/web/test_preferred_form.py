"""Preferred customers (schema v1.1) in the web form: filled from the sample, entered, evaluated,
refused if incomplete."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.forms import document
from tests.web.test_routes import evaluate, offer_form

AT = "compensation.preferred_customers"


def test_the_bundled_preferred_sample_fills_the_program(client: FlaskClient) -> None:
    values = offer_form(client, "neora_preferred_customers")
    assert values[f"{AT}.discount"] == "0.15"
    assert values[f"{AT}.commission_rate"] == "0.2"
    assert values[f"{AT}.counts_as_personal_volume"] == ""
    assert document(values)["compensation"]["preferred_customers"] == {
        "discount": 0.15, "commission_rate": 0.2}


def test_the_preferred_sample_fills_the_form_and_is_evaluated_with_its_program(
        client: FlaskClient) -> None:
    values = offer_form(client, "preferred_customer_buyback") | {
        f"{AT}.discount": "0.15", f"{AT}.commission_rate": "0.2"}
    assert document(values)["compensation"]["preferred_customers"] == {
        "discount": 0.15, "commission_rate": 0.2}
    status, page = evaluate(client, values)
    assert status == 200
    assert "Preferred customers" in page
    assert "buy at 15% off the retail price; the participant earns 20% of what they pay" in page
    assert "(not stated: counted)" in page


def test_a_program_without_its_commission_is_refused_beside_it(client: FlaskClient) -> None:
    values = offer_form(client, "preferred_customer_buyback") | {f"{AT}.discount": "0.15"}
    status, page = evaluate(client, values)
    assert status == 422
    assert "commission_rate" in page or "Commission on a preferred customer" in page
