"""Every web route through the Flask test client, with CSRF enforced as in production."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from evaluator.resources import data_dir
from evaluator.web import SECURITY_HEADERS, create_app
from evaluator.web.service import WEB_LIMITS
from tests.web import pages
from tests.web.conftest import SMALL

SAMPLE = "autoship_unilevel_wellness"
SAMPLE_DOC = json.loads((data_dir("plan_samples") / f"{SAMPLE}.json").read_text("utf-8"))
COMPANY = SAMPLE_DOC["company"]["name"]
UNILEVEL = next(
    i for i, c in enumerate(SAMPLE_DOC["compensation"]["components"]) if c["type"] == "unilevel"
)
RATES = f"compensation.components[{UNILEVEL}].rates"


def offer_form(client: FlaskClient, sample: str = SAMPLE) -> dict[str, str]:
    """The offer form's values (CSRF token included) after picking a sample, made small."""
    response = client.get(f"/form?sample={sample}")
    assert response.status_code == 200
    values = pages.form(response.get_data(as_text=True), form_id="offer-form").values
    return {**values, **SMALL}


def evaluate(client: FlaskClient, values: dict[str, str]) -> tuple[int, str]:
    """Send the form; follow its redirect to the saved report (or get the form back)."""
    response = client.post("/evaluate", data=values, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def download_links(page: str) -> dict[str, str]:
    return {
        m[0]: html.unescape(m[1])
        for m in re.findall(r'href="(/reports/[\w-]+/download/(\w+))"', page)
        for m in [(m[1], m[0])]
    }


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/methodology", "/healthz", "/api/v1/openapi.json", "/nowhere",
                 "/static/app.css"):
        with client.get(path) as response:
            for name, value in SECURITY_HEADERS.items():
                assert response.headers[name] == value, (path, name)
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for path in ("/", f"/?sample={SAMPLE}", "/methodology"):
        page = client.get(path).get_data(as_text=True)
        assert "<style" not in page
        assert " style=" not in page
        assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []


def test_the_form_lists_every_sample_and_every_assumption(client: FlaskClient) -> None:
    page = client.get("/form").get_data(as_text=True)
    parsed = pages.parse(page)
    picker = pages.form(page, action="/form")
    assert picker.attrs["method"] == "get"
    picker_html = page.split('id="f-sample"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([a-z_]+)"', picker_html)
    assert SAMPLE in options
    assert len(options) == len(list(data_dir("plan_samples").glob("*.json")))
    offer = pages.form(page, form_id="offer-form")
    for name in ("market_size", "monthly_churn", "runs", "max_participants"):
        assert f"assumptions.{name}" in offer.names
        assert f"f-assumptions-{name}-hint" in parsed.ids
    assert "csrf_token" in offer.values
    for element_id, attrs in parsed.ids.items():
        if attrs["tag"] in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            assert f'for="{element_id}"' in page, f"input {element_id} has no label"


def test_a_sample_fills_the_form(client: FlaskClient) -> None:
    values = offer_form(client)
    assert values["company.name"] == COMPANY
    assert values["costs.enrollment_fee"] == str(SAMPLE_DOC["costs"]["enrollment_fee"])
    assert values[RATES] == ", ".join(
        str(r) for r in SAMPLE_DOC["compensation"]["components"][UNILEVEL]["rates"]
    )
    assert values[f"compensation.components[{UNILEVEL}].type"] == "unilevel"
    assert values["costs.autoship_required"] == "yes"


def test_an_unknown_sample_is_refused(client: FlaskClient) -> None:
    response = client.get("/form?sample=../../etc/passwd")
    assert response.status_code == 404
    assert "is not a bundled sample" in response.get_data(as_text=True)


def test_csrf_is_enforced_on_every_form(client: FlaskClient) -> None:
    values = offer_form(client)
    del values["csrf_token"]
    for path in ("/evaluate", "/upload", "/methodology"):
        response = client.post(path, data=values)
        assert response.status_code == 400, path
        assert "security token" in response.get_data(as_text=True)
    values["csrf_token"] = "forged"
    assert client.post("/evaluate", data=values).status_code == 400


def test_submitting_a_sample_shows_the_report_with_downloads(client: FlaskClient) -> None:
    status, page = evaluate(client, offer_form(client))
    assert status == 200
    assert COMPANY in page
    assert re.search(r"(Lower|Significant|High) risk", page)
    assert 'href="/report.css"' in page
    assert set(download_links(page)) == {"pdf", "html", "json", "csv"}


def test_downloads_reproduce_the_evaluation_shown(client: FlaskClient) -> None:
    values = offer_form(client)
    values["assumptions.market_size"] = "250000"
    values["seed"] = "7"
    _, page = evaluate(client, values)
    links = download_links(page)

    data = client.get(links["json"])
    assert data.status_code == 200
    assert data.headers["Content-Disposition"].startswith("attachment;")
    doc = json.loads(data.data)
    assert doc["seed"] == 7
    assert doc["assumptions"]["market_size"]["value"] == 250000
    assert doc["assumptions"]["market_size"]["changed"] is True
    assert doc["score"]["verdict"] in page
    uncached = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0}).test_client()
    again = uncached.get(links["json"])
    assert again.data == data.data, "the link evaluates the same input to the same bytes"

    pdf = client.get(links["pdf"])
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert doc["score"]["verdict"] in text

    rows = list(csv.DictReader(io.StringIO(client.get(links["csv"]).get_data(as_text=True))))
    assert len(rows) == 1

    page_html = client.get(links["html"])
    assert page_html.headers["Content-Type"].startswith("text/html")
    assert "sha256-" in page_html.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page_html.headers["Content-Security-Policy"]


def test_a_damaged_download_link_is_refused(client: FlaskClient) -> None:
    response = client.get("/download/pdf?token=not-a-token")
    assert response.status_code == 422
    assert "damaged" in response.get_data(as_text=True)
    assert client.get("/download/exe?token=x").status_code == 404


def test_a_bad_fee_is_shown_beside_its_field_with_every_value_kept(client: FlaskClient) -> None:
    values = offer_form(client)
    values["costs.enrollment_fee"] = "-49"
    values[RATES] = "0.05, abc"
    values["assumptions.market_size"] = "123456"
    status, page = evaluate(client, values)
    assert status == 422
    assert pages.text_of(page, "f-costs-enrollment_fee-error") == (
        "-49 is negative; amounts cannot be negative"
    )
    assert pages.text_of(page, f"f-compensation-components-{UNILEVEL}-rates-error") == (
        "item 2: 'abc' is not a number"
    )
    summary = pages.text_of(page, "form-errors")
    assert "Enrollment fee (one-time) -49 is negative; amounts cannot be negative" in summary
    assert "costs.enrollment_fee" not in summary
    kept = pages.form(page, form_id="offer-form").values
    for name in ("costs.enrollment_fee", "company.name", "costs.starter_kit",
                 RATES, "products[0].name",
                 "assumptions.market_size", "assumptions.runs"):
        assert kept[name] == values[name], name
    assert pages.parse(page).ids["f-costs-enrollment_fee"]["aria-invalid"] == "true"


def test_a_share_typed_as_a_whole_number_asks_did_you_mean_a_percentage(
    client: FlaskClient,
) -> None:
    values = offer_form(client)
    values[RATES] = "10, 5"
    status, page = evaluate(client, values)
    assert status == 422
    message = pages.text_of(page, f"f-compensation-components-{UNILEVEL}-rates-error")
    assert message.startswith("item 1: 10 is outside the allowed range 0 to 1: did you mean 10%?")
    assert "maximum" not in message


def test_the_messages_are_the_command_lines_without_their_paths(client: FlaskClient) -> None:
    from evaluator.schema import plan_errors
    from evaluator.web import formdata

    values = offer_form(client)
    values["products[0].retail_price"] = "0"
    values["costs.currency"] = "usd"
    _, page = evaluate(client, values)
    doc = formdata.to_document(formdata.state_from_form(values).compact())
    errors = plan_errors(doc)
    assert len(errors) == 2
    summary = pages.text_of(page, "form-errors")
    for error in errors:
        assert error.message in summary
        assert error.path not in summary  # the form speaks in labels; the API keeps paths


def test_an_empty_form_names_what_is_required(client: FlaskClient) -> None:
    values = pages.form(client.get("/form").get_data(as_text=True), form_id="offer-form").values
    status, page = evaluate(client, values)
    assert status == 422
    assert pages.text_of(page, "f-company-name-error") == "is required but missing"
    assert "is empty; at least one item is required" in pages.text_of(page, "s-products-errors")


def test_rows_are_added_and_removed_without_javascript(client: FlaskClient) -> None:
    values = offer_form(client)
    count = sum(1 for k in values if re.fullmatch(r"compensation\.components\[\d+\]\.type", k))
    status, page = evaluate(client, {**values, "action": "add:compensation.components"})
    assert status == 200
    added = pages.form(page, form_id="offer-form").values
    assert added[f"compensation.components[{count}].type"] == ""
    assert added["company.name"] == COMPANY
    added[f"compensation.components[{count}].type"] = "retail_commission"
    added[f"compensation.components[{count}].rate"] = "0.1"
    _, page = evaluate(client, {**added, "action": "remove:compensation.components:0"})
    left = pages.form(page, form_id="offer-form").values
    types = [left[f"compensation.components[{i}].type"] for i in range(count)]
    assert types[0] == values["compensation.components[1].type"]
    assert types[-1] == "retail_commission"
    assert f"compensation.components[{count}].type" not in left


def test_the_web_limits_are_named_when_exceeded(client: FlaskClient) -> None:
    values = offer_form(client)
    values["assumptions.max_participants"] = "5000000"
    values["assumptions.runs"] = "200"
    status, page = evaluate(client, values)
    assert status == 422
    message = pages.text_of(page, "f-assumptions-max_participants-error")
    assert f"web limit of {WEB_LIMITS['max_participants']:,}" in message
    assert f"web limit of {WEB_LIMITS['runs']:,}" in pages.text_of(page, "f-assumptions-runs-error")


def test_a_bad_assumption_and_seed_are_shown_beside_them(client: FlaskClient) -> None:
    values = {**offer_form(client), "assumptions.monthly_churn": "2", "seed": "-1"}
    status, page = evaluate(client, values)
    assert status == 422
    assert "outside the allowed range 0 to 1" in pages.text_of(
        page, "f-assumptions-monthly_churn-error"
    )
    assert "is not a whole number" in pages.text_of(page, "f-seed-error")
    assert 'id="s-assumptions" open' in page


def test_a_plan_file_fills_the_form_or_is_evaluated(client: FlaskClient, sample_paths) -> None:
    token = pages.form(client.get("/form").get_data(as_text=True), action="/upload").values
    plan = next(p for p in sample_paths if p.stem == SAMPLE).read_bytes()
    response = client.post(
        "/upload",
        data={**token, "mode": "fill", "plan_file": (io.BytesIO(plan), "plan.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    filled = pages.form(response.get_data(as_text=True), form_id="offer-form").values
    assert filled["company.name"] == COMPANY

    response = client.post(
        "/upload",
        data={**token, **SMALL, "mode": "evaluate", "plan_file": (io.BytesIO(plan), "plan.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert set(download_links(response.get_data(as_text=True))) == {"pdf", "html", "json", "csv"}


def test_a_broken_plan_file_is_refused_with_its_reason(client: FlaskClient) -> None:
    token = pages.form(client.get("/form").get_data(as_text=True), action="/upload").values
    response = client.post(
        "/upload",
        data={**token, "mode": "evaluate", "plan_file": (io.BytesIO(b'{"company": '), "x.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert pages.text_of(response.get_data(as_text=True), "f-plan_file-error").startswith(
        "x.json: not valid JSON"
    )
    invalid = json.dumps({"company": {"name": "Solo"}, "costs": {"currency": "USD",
                                                                  "enrollment_fee": -1}})
    response = client.post(
        "/upload",
        data={**token, "mode": "fill", "plan_file": (io.BytesIO(invalid.encode()), "y.json")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert pages.form(page, form_id="offer-form").values["company.name"] == "Solo"
    assert "is negative" in pages.text_of(page, "f-costs-enrollment_fee-error")


def test_change_the_figures_returns_to_the_filled_form(client: FlaskClient) -> None:
    values = {**offer_form(client), "assumptions.recruit_rate": "0.2", "seed": "11"}
    _, page = evaluate(client, values)
    back = pages.form(page, action="/upload").values
    response = client.post("/upload", data=back)
    assert response.status_code == 200
    filled = pages.form(response.get_data(as_text=True), form_id="offer-form").values
    assert filled["company.name"] == COMPANY
    assert filled["assumptions.recruit_rate"] == "0.2"
    assert filled["seed"] == "11"


def test_the_methodology_page_is_generated_from_the_rubric(client: FlaskClient) -> None:
    from evaluator.rubric import load_rubric

    rubric = load_rubric()
    page = client.get("/methodology").get_data(as_text=True)
    for indicator in rubric.indicators:
        assert f'id="ind-{indicator.id}"' in page
    for key, citation in rubric.citations.items():
        assert f'id="cite-{key}"' in page
        assert citation.title in html.unescape(page)
    for verdict in rubric.verdicts:
        assert verdict.label in page
    assert client.get("/methodology?rubric=nope").status_code == 404


def _rubric_text() -> str:
    from evaluator.resources import data_dir
    from evaluator.rubric import DEFAULT_RUBRIC

    return (data_dir("rubrics") / DEFAULT_RUBRIC).read_text("utf-8")


def test_an_uploaded_rubric_is_checked(client: FlaskClient) -> None:
    token = pages.form(client.get("/methodology").get_data(as_text=True),
                       action="/methodology").values
    good = _rubric_text().replace("id: pyramid-risk", "id: my-own-view", 1)
    response = client.post(
        "/methodology",
        data={**token, "rubric_file": (io.BytesIO(good.encode()), "mine.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "my-own-view" in response.get_data(as_text=True)

    bad = good.replace("weight:", "weight: -1 #", 1)
    response = client.post(
        "/methodology",
        data={**token, "rubric_file": (io.BytesIO(bad.encode()), "mine.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert re.search(r"mine\.yaml: indicators\[0\]\.weight", response.get_data(as_text=True))


def test_the_form_scores_with_an_uploaded_rubric(client: FlaskClient) -> None:
    values = offer_form(client)
    good = _rubric_text().replace("id: pyramid-risk", "id: my-own-view", 1)
    response = client.post(
        "/evaluate",
        data={**values, "rubric_file": (io.BytesIO(good.encode()), "mine.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    doc = json.loads(client.get(download_links(page)["json"]).data)
    assert doc["rubric"]["id"] == "my-own-view"

    response = client.post(
        "/evaluate",
        data={**values, "rubric_file": (io.BytesIO(b"id: [unclosed"), "broken.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not valid YAML" in pages.text_of(response.get_data(as_text=True), "f-rubric-error")


def test_a_request_over_the_size_limit_is_refused(client: FlaskClient) -> None:
    response = client.post("/evaluate", data={"company.name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_plan_text_is_escaped(client: FlaskClient) -> None:
    values = offer_form(client)
    values["company.name"] = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    values["costs.enrollment_fee"] = "<b>bold</b>"
    status, page = evaluate(client, values)
    assert status == 422
    assert "<script>alert(1)" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("path", ["/", "/methodology"])
def test_there_is_no_debug_mode(client: FlaskClient, path: str) -> None:
    assert client.application.debug is False
    assert client.get(path).status_code == 200


def test_downloads_reuse_the_evaluation_just_shown(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evaluator.evaluation

    calls = []
    real = evaluator.evaluation.evaluate_document

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluator.evaluation, "evaluate_document", counting)
    _, page = evaluate(client, offer_form(client))
    assert client.get(download_links(page)["csv"]).status_code == 200
    assert client.get(download_links(page)["json"]).status_code == 200
    assert len(calls) == 1


def test_a_bundled_rubric_can_be_chosen(client: FlaskClient) -> None:
    from evaluator.web.service import bundled_rubrics

    stem, rubric = bundled_rubrics()[-1]
    _, page = evaluate(client, {**offer_form(client), "rubric": stem})
    doc = json.loads(client.get(download_links(page)["json"]).data)
    assert doc["rubric"]["id"] == rubric.id


def test_a_form_with_the_most_products_the_schema_allows_is_read(client: FlaskClient) -> None:
    values = offer_form(client)
    for i in range(1, 200):
        values[f"products[{i}].name"] = f"Product {i}"
        values[f"products[{i}].wholesale_price"] = "10"
        values[f"products[{i}].retail_price"] = "15"
        values[f"products[{i}].comparable_source"] = "a shop"
    status, page = evaluate(client, values)
    assert status == 200, pages.text_of(page, "form-errors") if status == 422 else status
    assert "Product 199" in page


def test_an_uploaded_rubric_is_kept_when_the_form_comes_back(client: FlaskClient) -> None:
    values = {**offer_form(client), "costs.enrollment_fee": "-1"}
    good = _rubric_text().replace("id: pyramid-risk", "id: kept-view", 1)
    response = client.post(
        "/evaluate",
        data={**values, "rubric_file": (io.BytesIO(good.encode()), "kept.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    again = pages.form(response.get_data(as_text=True), form_id="offer-form").values
    assert again["rubric"] == "uploaded"
    assert "id: kept-view" in again["rubric_text"]
    status, page = evaluate(client, {**again, "costs.enrollment_fee": "49"})
    assert status == 200
    assert json.loads(client.get(download_links(page)["json"]).data)["rubric"]["id"] == "kept-view"
