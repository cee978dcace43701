"""The quick check's routes: the first page, its answers kept on an error, and the report."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web import pages

PITCH = {
    "quick.start_cost": "$99", "quick.monthly_purchase": "$129", "quick.autoship": "yes",
    "quick.your_price": "45", "quick.customer_price": "60", "quick.own_customers": "25%",
    "quick.how_customers_buy": "resell", "quick.signup_bonus": "$50",
    "quick.team_levels": "10%, 5%, 5%",
}
SMALL_QUICK = {"assumptions.hours_per_week": "10", "assumptions.hour_value": "15"}


def _post(client: FlaskClient, values: dict[str, str]) -> tuple[int, str]:
    token = pages.form(client.get("/").get_data(as_text=True), form_id="quick-form").values
    response = client.post("/quick", data={**token, **values}, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_the_first_page_is_the_quick_check_and_every_yes_no_has_dont_know(
    client: FlaskClient,
) -> None:
    page = client.get("/").get_data(as_text=True)
    parsed = pages.form(page, form_id="quick-form")
    for name in ("quick.autoship", "quick.own_orders_count", "quick.start_pays_recruiter",
                 "quick.ranks", "quick.how_customers_buy"):
        assert parsed.values[name] == "", name  # "I don't know" is the answer given
    assert "I don&#39;t know" in page or "I don't know" in page
    assert 'type="checkbox"' not in page


def test_a_bad_answer_is_shown_beside_its_question_with_every_answer_kept(
    client: FlaskClient,
) -> None:
    status, page = _post(client, {**PITCH, "quick.own_customers": "25", "action": "evaluate"})
    assert status == 422
    assert "did you mean 25%?" in pages.text_of(page, "f-quick-own_customers-error")
    kept = pages.form(page, form_id="quick-form").values
    assert kept["quick.start_cost"] == "$99"
    assert kept["quick.team_levels"] == "10%, 5%, 5%"
    assert "compensation." not in pages.text_of(page, "quick-errors")


def test_the_report_puts_the_bottom_line_first_and_keeps_unknowns_unknown(
    client: FlaskClient,
) -> None:
    status, page = _post(client, {**PITCH, **SMALL_QUICK, "action": "evaluate"})
    assert status == 200
    text = pages.text_of(page, "h-bottom-line").strip()
    assert text == "The bottom line if you join now"
    first = page.index('class="bottom-line"')
    assert first < page.index('class="verdict ')
    assert "counting your time" in page
    kit = pages.text_of(page, "ind-starter_kit_commissionable")
    assert "not known" in kit
    assert "does not generate pay" not in kit
    assert "What to do next" in page
    assert "ReportFraud.ftc.gov" in page


def test_an_old_sample_address_goes_on_to_the_full_form(client: FlaskClient) -> None:
    """``/?sample=<name>`` was the full form's address; it now leads there, filled."""
    response = client.get("/?sample=autoship_unilevel_wellness")
    assert response.status_code == 301
    assert response.headers["Location"] == "/form?sample=autoship_unilevel_wellness"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Verdalune Wellness" in page
