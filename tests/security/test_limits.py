"""Hard limits: every size a visitor controls is bounded, and each refusal names the limit and
its value (request size, plan size, nesting, simulation size, the time budget per evaluation,
batch rows and bytes, rubric size, form inputs multipart or url-encoded, form rows, row numbers,
report tokens)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import Signer

from evaluator.evaluation import SENSITIVITY_CHANGES
from evaluator.resources import data_dir
from evaluator.rubric import MAX_RUBRIC_BYTES
from evaluator.schema import MAX_NESTING, MAX_PLAN_BYTES
from evaluator.web import MAX_CONTENT_LENGTH, MAX_FORM_PARTS
from evaluator.web import batch as web_batch
from evaluator.web.formdata import max_rows, state_from_document
from evaluator.web.service import EVALUATION_BUDGET, WEB_LIMITS
from evaluator.web.submission import MAX_TOKEN_BYTES, TOKEN_SALT
from tests.security.conftest import csrf_token, error_messages, post_multipart

SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
SMALL = "max_participants=200&runs=1&horizon_months=12"
OVER_BUDGET = {"max_participants": "50000", "runs": "10", "horizon_months": "120"}
BATCH_HEADER = "company_name,currency,wholesale_price,retail_price,plan_type\n"
BATCH_ROW = "Row Co,USD,40,50,single_level\n"


def api(client: FlaskClient, body: bytes, query: str = SMALL) -> Any:
    return client.post(f"/api/v1/evaluate?{query}", data=body, content_type="application/json")


def padded_plan(size: int) -> bytes:
    """The sample plan grown to ``size`` bytes with spaces (still valid JSON)."""
    data = SAMPLE.read_bytes().rstrip()
    return data[:-1] + b" " * (size - len(data)) + b"}"


def test_a_request_over_the_size_limit_is_refused_naming_it(client: FlaskClient) -> None:
    body = b"x" * (MAX_CONTENT_LENGTH + 1)
    response = client.post("/evaluate", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert f"limit of {MAX_CONTENT_LENGTH // (1024 * 1024)} MB" in response.get_data(as_text=True)
    response = api(client, body)
    assert response.status_code == 413
    assert any(f"{MAX_CONTENT_LENGTH // (1024 * 1024)} MB" in m for m in error_messages(response))


def test_a_plan_over_the_size_limit_is_refused_naming_it(client: FlaskClient) -> None:
    response = api(client, padded_plan(MAX_PLAN_BYTES + 1))
    assert response.status_code == 413
    assert error_messages(response) == [
        f"the plan is {MAX_PLAN_BYTES + 1:,} bytes; the limit is {MAX_PLAN_BYTES:,}"
    ]
    token = csrf_token(client)
    response = post_multipart(client, "/upload", {
        "csrf_token": token, "mode": "fill",
        "plan_file": (padded_plan(MAX_PLAN_BYTES + 1), "big.json"),
    })
    assert response.status_code == 422
    assert f"the limit is {MAX_PLAN_BYTES:,} bytes" in response.get_data(as_text=True)


def test_a_plan_at_the_size_limit_is_still_read(client: FlaskClient) -> None:
    assert api(client, padded_plan(MAX_PLAN_BYTES)).status_code == 200


def test_deep_nesting_is_refused_naming_the_limit(client: FlaskClient) -> None:
    doc = json.loads(SAMPLE.read_bytes())
    node: Any = 1
    for _ in range(MAX_NESTING + 5):
        node = [node]
    doc["company"]["notes"] = node
    response = api(client, json.dumps(doc).encode())
    assert response.status_code == 400
    assert any(f"the limit is {MAX_NESTING}" in m for m in error_messages(response))


@pytest.mark.parametrize("name", sorted(WEB_LIMITS))
def test_each_simulation_size_limit_is_refused_naming_it(client: FlaskClient, name: str) -> None:
    response = api(client, SAMPLE.read_bytes(), f"{name}={WEB_LIMITS[name] + 1}")
    assert response.status_code == 422
    messages = error_messages(response)
    assert any(m.startswith(f"assumptions.{name}: ") and
               f"web limit of {WEB_LIMITS[name]:,}" in m for m in messages), messages


def test_the_time_budget_is_refused_up_front_from_the_api(client: FlaskClient) -> None:
    query = "&".join(f"{k}={v}" for k, v in OVER_BUDGET.items())
    response = api(client, SAMPLE.read_bytes(), query)
    assert response.status_code == 422
    (message,) = error_messages(response)
    assert message.startswith("assumptions.max_participants: ")
    assert f"time budget per evaluation is {EVALUATION_BUDGET:,} participant-months" in message
    # 50,000 x 120 months x (10 runs + 1 sensitivity baseline run + 1 run per change)
    runs = 10 + 1 + len(SENSITIVITY_CHANGES)
    assert f"{50_000 * 120 * runs:,} participant-months" in message


def test_the_time_budget_is_refused_from_the_form(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = post_multipart(client, "/upload", {
        "csrf_token": token, "mode": "evaluate",
        "plan_file": (SAMPLE.read_bytes(), "plan.json"),
        **{f"assumptions.{k}": v for k, v in OVER_BUDGET.items()},
    })
    assert response.status_code == 422
    assert (f"time budget per evaluation is {EVALUATION_BUDGET:,} participant-months"
            in response.get_data(as_text=True))


def test_the_time_budget_applies_to_every_web_batch_row(client: FlaskClient) -> None:
    query = "&".join(f"{k}={v}" for k, v in OVER_BUDGET.items())
    response = client.post(f"/api/v1/batch?{query}", data=BATCH_HEADER + BATCH_ROW,
                           content_type="text/csv")
    assert response.status_code == 413
    assert any(f"{EVALUATION_BUDGET:,}" in m for m in error_messages(response))


def test_the_largest_single_web_limits_fit_the_budget() -> None:
    from evaluator.assumptions import Assumptions
    from evaluator.web.service import evaluation_cost

    for name, limit in WEB_LIMITS.items():
        assert evaluation_cost(Assumptions.from_overrides({name: limit})) <= EVALUATION_BUDGET


def test_batch_rows_over_the_web_limit_are_refused_naming_it(client: FlaskClient) -> None:
    rows = web_batch.MAX_ROWS + 1
    body = BATCH_HEADER + BATCH_ROW * rows
    response = client.post("/api/v1/batch", data=body, content_type="text/csv")
    assert response.status_code == 413
    assert error_messages(response) == [
        f"the CSV has {rows:,} rows; the web limit is {web_batch.MAX_ROWS:,} rows "
        "(use oppeval batch for more)"
    ]
    token = csrf_token(client, "/batch")
    response = post_multipart(client, "/batch", {"csrf_token": token,
                                           "csv": (body.encode(), "big.csv")})
    assert response.status_code == 413
    assert f"the web limit is {web_batch.MAX_ROWS:,} rows" in response.get_data(as_text=True)


def test_batch_bytes_over_the_web_limit_are_refused_naming_it(client: FlaskClient) -> None:
    body = BATCH_HEADER + "#" * web_batch.MAX_BYTES
    response = client.post("/api/v1/batch", data=body, content_type="text/csv")
    assert response.status_code == 413
    assert any(f"the web limit is {web_batch.MAX_BYTES:,} bytes" in m
               for m in error_messages(response))


def test_a_rubric_over_the_size_limit_is_refused_naming_it(client: FlaskClient) -> None:
    text = b"id: big\n" + b"#" * MAX_RUBRIC_BYTES
    token = csrf_token(client, "/methodology")
    response = post_multipart(client, "/methodology", {"csrf_token": token,
                                                 "rubric_file": (text, "big.yaml")})
    assert response.status_code == 422
    assert f"the limit is {MAX_RUBRIC_BYTES:,}" in response.get_data(as_text=True)
    token = csrf_token(client)
    response = post_multipart(client, "/upload", {
        "csrf_token": token, "mode": "evaluate",
        "plan_file": (SAMPLE.read_bytes(), "plan.json"),
        "rubric_file": (text, "big.yaml"),
    })
    assert response.status_code == 422
    assert f"the limit is {MAX_RUBRIC_BYTES:,}" in response.get_data(as_text=True)


def test_a_form_with_too_many_inputs_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client)
    data = {"csrf_token": token, **{f"x{i}": "1" for i in range(MAX_FORM_PARTS + 1)}}
    response = post_multipart(client, "/evaluate", data)
    assert response.status_code == 413
    assert f"more than the limit of {MAX_FORM_PARTS:,} inputs" in response.get_data(as_text=True)


def test_a_compressed_report_token_cannot_unpack_past_its_limit(
        app: Flask, client: FlaskClient) -> None:
    bomb = zlib.compress(b'{"plan": "' + b"a" * (MAX_TOKEN_BYTES * 4) + b'"}', 9)
    payload = base64.urlsafe_b64encode(bomb).rstrip(b"=")
    # signed with the app's own key, as if the server had issued it
    signer = Signer(app.secret_key, salt=TOKEN_SALT, digest_method=hashlib.sha256)
    token = signer.sign(payload).decode("ascii")
    assert len(token) < 100_000
    response = client.get(f"/download/json?token={token}")
    assert response.status_code == 422
    assert "the report link is damaged or incomplete" in response.get_data(as_text=True)


def test_heavy_work_queues_at_the_concurrency_limit_instead_of_failing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from evaluator import evaluation
    from evaluator.web import create_app

    app = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0,
                      "OPPEVAL_CONCURRENT_WORK": 1})
    running, most = [0], [0]
    lock = threading.Lock()
    real = evaluation.evaluate_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(evaluation, "evaluate_document", counted)
    statuses: list[int] = []

    def visitor(seed: int) -> None:
        response = api(app.test_client(), SAMPLE.read_bytes(), f"{SMALL}&seed={seed}")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=visitor, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert most[0] == 1


def test_a_batch_cell_over_the_limit_makes_its_row_invalid_naming_it(
        client: FlaskClient) -> None:
    from evaluator.batch_rows import MAX_CELL_CHARS

    body = BATCH_HEADER + "X" * (MAX_CELL_CHARS + 1) + ",USD,40,50,single_level\n"
    response = client.post(f"/api/v1/batch?{SMALL}", data=body, content_type="text/csv")
    assert response.status_code == 200
    (row,) = response.get_json()["rows"]
    assert row["status"] == "invalid"
    assert row["errors"] == [{"path": "company_name", "message":
                              f"is {MAX_CELL_CHARS + 1:,} characters long; at most "
                              f"{MAX_CELL_CHARS:,} are allowed"}]


def empty_products_plan(count: int) -> bytes:
    """The sample plan with ``count`` empty products (the attack: 100,000 in about 300 kB)."""
    plan = json.loads(SAMPLE.read_bytes())
    plan["products"] = [{}] * count
    return json.dumps(plan, separators=(",", ":")).encode("utf-8")


def product_rows(page: str) -> int:
    """Product rows the form page shows (outside its row template)."""
    return len(re.findall(r'<input type="text" id="f-products-\d+-name"', page))


def test_an_uploaded_plan_of_too_many_items_fills_the_form_only_as_far_as_a_plan_may_go(
        client: FlaskClient) -> None:
    most = max_rows("products")
    state = state_from_document(json.loads(empty_products_plan(100_000)))
    assert state.rows["products"] == most
    assert state.too_long == {"products": 100_000}
    # the page, at a size the plan validator lists the errors of quickly
    body = empty_products_plan(1_000)
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "fill", "plan_file": (body, "many.json")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert product_rows(page) == most
    assert (f"has 1,000 items; a plan has at most {most}, so the form shows only the first "
            f"{most}") in page


def test_a_url_encoded_form_of_too_many_inputs_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client)
    body = urlencode({"csrf_token": token,
                      **{f"products[{i}].name": "x" for i in range(60_000)}})
    assert len(body) < MAX_CONTENT_LENGTH
    response = client.post("/evaluate", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert f"more than the limit of {MAX_FORM_PARTS:,} inputs" in response.get_data(as_text=True)
    fits = urlencode({"csrf_token": token, "action": "evaluate",
                      **{f"x{i}": "1" for i in range(MAX_FORM_PARTS - 2)}})
    assert client.post("/evaluate", data=fits,
                       content_type="application/x-www-form-urlencoded").status_code == 422


def test_a_form_of_more_rows_than_a_plan_may_have_keeps_the_first_and_says_so(
        client: FlaskClient) -> None:
    most = max_rows("products")
    response = client.post("/evaluate", data={
        "csrf_token": csrf_token(client), "action": "evaluate",
        **{f"products[{i}].name": f"P{i}" for i in range(3_000)}})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert product_rows(page) == most
    assert f'value="P{most - 1}"' in page
    assert f'value="P{most}"' not in page
    assert "has 3,000 items; a plan has at most" in page


def test_a_list_at_its_limit_gets_no_more_rows(client: FlaskClient) -> None:
    most = max_rows("compensation.components")
    response = client.post("/evaluate", data={
        "csrf_token": csrf_token(client), "action": "add:compensation.components",
        **{f"compensation.components[{i}].type": "unilevel" for i in range(most)}})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"has {most} rows, the most a plan may have; no row was added" in page
    assert len(re.findall(r'<select id="f-compensation-components-\d+-type"', page)) == most


@pytest.mark.parametrize("action", [
    "remove:products:²", "remove:products:٣", "remove:products:" + "9" * 5000,
    "remove:products:-1", "remove:nothing:0", "add:nothing",
])
def test_a_button_with_an_odd_row_number_is_refused_plainly(
        client: FlaskClient, action: str) -> None:
    response = client.post("/evaluate", data={
        "csrf_token": csrf_token(client), "action": action, "products[0].name": "Kept tea"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Traceback" not in page
    assert "no row was removed" in page or "is not a list of this form" in page
    assert 'value="Kept tea"' in page


@pytest.mark.parametrize("name", [
    "products[" + "1" * 5000 + "].name", "products[²].name", "products[٣].name",
    "products[1\n].name",
])
def test_an_input_whose_row_number_is_not_ascii_digits_is_not_a_row(
        client: FlaskClient, name: str) -> None:
    response = client.post("/evaluate", data={
        "csrf_token": csrf_token(client), "action": "add:products", name: "Odd",
        "products[0].name": "Kept tea"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Kept tea"' in page
    assert 'value="Odd"' not in page
    assert product_rows(page) == 2
