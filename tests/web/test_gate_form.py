"""The retail-share gate (schema v1.1) in the web form: filled from a sample, kept on submit."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.test_routes import evaluate, offer_form

AT = "compensation.qualification.min_customer_share"


def test_the_gate_sample_fills_the_form_and_is_evaluated_with_its_gate(
        client: FlaskClient) -> None:
    values = offer_form(client, "retail_share_gate_binary")
    assert values[f"{AT}.share"] == "0.51"
    assert values[f"{AT}.of"] == "downline"
    assert values[f"{AT}.mode"] == "full"
    status, page = evaluate(client, values)
    assert status == 200
    assert "Retail-share gate" in page
    assert "at least 51% of one&#39;s whole group&#39;s volume" in page


def test_a_gate_share_above_one_is_refused_beside_its_field(client: FlaskClient) -> None:
    values = offer_form(client, "retail_share_gate_binary") | {f"{AT}.share": "1.5"}
    status, page = evaluate(client, values)
    assert status == 422
    assert 'href="#f-compensation-qualification-min_customer_share-share"' in page
    assert "1.5 is outside the allowed range 0 to 1: did you mean 1.5%?" in page
    assert "Retail-share gate" not in page
