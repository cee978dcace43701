"""The JSON API, the OpenAPI document and the health check."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from pypdf import PdfReader

from evaluator.assumptions import SPECS
from evaluator.resources import data_dir
from evaluator.schema import plan_schema

SAMPLE = data_dir("plan_samples") / "autoship_unilevel_wellness.json"
SMALL = "max_participants=1500&runs=2&horizon_months=36"


def post(client: FlaskClient, body: bytes | str, query: str = SMALL) -> Any:
    return client.post(f"/api/v1/evaluate?{query}", data=body,
                       content_type="application/json")


def assert_error_shape(response: Any, status: int) -> list[dict[str, str]]:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert set(body) == {"errors"}
    assert body["errors"]
    for error in body["errors"]:
        assert set(error) == {"path", "message"}
        assert isinstance(error["path"], str)
        assert error["message"]
    return body["errors"]


def test_a_plan_is_evaluated_to_json_without_a_csrf_token() -> None:
    from evaluator.web import create_app

    client = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0}).test_client()
    response = post(client, SAMPLE.read_bytes(), f"{SMALL}&seed=3")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["seed"] == 3
    assert doc["score"]["verdict"] in ("Lower risk", "Significant risk", "High risk")
    assert doc["assumptions"]["runs"]["value"] == 2
    from evaluator.evaluation import validate_output

    assert validate_output(doc) == []
    again = post(client, SAMPLE.read_bytes(), f"{SMALL}&seed=3")
    assert again.data == response.data, "same input, rubric and seed: byte-identical JSON"


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("pdf", "application/pdf"), ("csv", "text/csv"), ("html", "text/html")],
)
def test_every_format(client: FlaskClient, fmt: str, media_type: str) -> None:
    response = post(client, SAMPLE.read_bytes(), f"{SMALL}&format={fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    if fmt == "pdf":
        assert response.data.startswith(b"%PDF")
        assert len(PdfReader(io.BytesIO(response.data)).pages) >= 2
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 1
    else:
        assert "<html" in response.get_data(as_text=True)


def test_an_invalid_plan_gives_every_error_with_its_path(client: FlaskClient) -> None:
    doc = json.loads(SAMPLE.read_text("utf-8"))
    doc["costs"]["enrollment_fee"] = -5
    doc["products"][0]["retail_price"] = 0
    doc["surprise"] = True
    errors = assert_error_shape(post(client, json.dumps(doc)), 422)
    paths = [e["path"] for e in errors]
    assert paths == ["costs.enrollment_fee", "products[0].retail_price", "surprise"]
    assert errors[0]["message"] == "-5 is negative; amounts cannot be negative"


def test_bad_parameters_are_named(client: FlaskClient) -> None:
    errors = assert_error_shape(
        post(client, SAMPLE.read_bytes(), "format=docx&runs=0&seed=x&rubric=nope&colour=red"), 422
    )
    paths = {e["path"] for e in errors}
    assert paths == {"format", "assumptions.runs", "seed", "rubric", "colour"}


def test_the_web_limits_apply_to_the_api(client: FlaskClient) -> None:
    errors = assert_error_shape(post(client, SAMPLE.read_bytes(), "max_participants=1000000"), 422)
    assert errors[0]["path"] == "assumptions.max_participants"
    assert "web limit of 50,000" in errors[0]["message"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    client: FlaskClient, body: bytes
) -> None:
    errors = assert_error_shape(post(client, body), 400)
    assert errors[0]["path"] == ""


def test_an_oversized_body_is_refused(client: FlaskClient) -> None:
    body = b'{"company": {"name": "' + b"x" * 1_100_000 + b'"}}'
    errors = assert_error_shape(post(client, body), 413)
    assert "limit" in errors[0]["message"]
    assert_error_shape(post(client, b" " * (3 * 1024 * 1024)), 413)


def test_api_errors_for_unknown_routes_and_methods_are_json(client: FlaskClient) -> None:
    assert_error_shape(client.get("/api/v1/evaluate"), 405)
    assert_error_shape(client.get("/api/v1/nothing"), 404)


def test_healthz(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["samples"] == len(list(data_dir("plan_samples").glob("*.json")))
    assert "pyramid-risk" in body["rubrics"]


# ---------------------------------------------------------------- the OpenAPI document


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _schema(doc: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for a component schema, its references resolved inside the document."""
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    )


def test_the_openapi_document_is_well_formed(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    for ref in _refs(doc):
        assert _resolve(doc, ref) is not None
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert doc["components"]["schemas"]["Plan"]["properties"] == plan_schema()["properties"]
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            operation_ids.append(op["operationId"])
            assert op["responses"]
            for code, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code)
                assert response["description"]
            for parameter in op.get("parameters", []):
                assert parameter["in"] in {"query", "path", "header", "cookie"}
                assert parameter["name"]
                Draft202012Validator.check_schema(parameter["schema"])
    assert len(operation_ids) == len(set(operation_ids))


def test_the_openapi_document_covers_every_api_route(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_the_openapi_document_matches_what_the_api_does(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/evaluate"]["post"]
    names = {p["name"] for p in op["parameters"]}
    assert names == {"format", "seed", "rubric", *SPECS}
    assert set(next(p for p in op["parameters"] if p["name"] == "format")["schema"]["enum"]) == {
        "json", "pdf", "html", "csv"}
    bad = post(client, b'{"company": {}}')
    _schema(doc, "Errors").validate(bad.get_json())
    assert str(bad.status_code) in op["responses"]
    good = post(client, SAMPLE.read_bytes())
    _schema(doc, "Evaluation").validate(good.get_json())
    for parameter in op["parameters"]:
        if parameter["name"] in SPECS:
            spec = SPECS[parameter["name"]]
            assert parameter["schema"]["default"] == spec.default
            assert spec.unit in parameter["description"]


def test_the_plan_schema_is_served(client: FlaskClient) -> None:
    assert client.get("/api/v1/schemas/plan.json").get_json() == plan_schema()


def test_an_openapi_tool_reads_every_operation(client: FlaskClient) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = [r.ok() for r in schemathesis.openapi.from_dict(doc).get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == {
        (method.upper(), path) for path, item in doc["paths"].items() for method in item
    }


def test_an_unexpected_failure_is_a_json_500_without_details(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import evaluator.evaluation
    from evaluator.web import create_app

    client = create_app({"PROPAGATE_EXCEPTIONS": False}).test_client()
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(evaluator.evaluation, "evaluate_document", broken)
    response = post(client, SAMPLE.read_bytes(), SMALL)
    errors = assert_error_shape(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert errors[0]["path"] == ""
