"""Secrets, CSRF and headers: no secret key in the repository; every state-changing form needs
its CSRF token; every response of every route, errors included, carries the security headers;
an uploaded rubric is read with safe YAML only."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evaluator.resources import data_dir
from evaluator.web import CONTENT_SECURITY_POLICY, MAX_CONTENT_LENGTH, create_app
from tests.security.conftest import csrf_token, post_multipart

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
SMALL = "max_participants=200&runs=1&horizon_months=12"
SMALL_FORM = {"assumptions.max_participants": "200", "assumptions.runs": "1",
              "assumptions.horizon_months": "12"}
BATCH = (b"company_name,currency,wholesale_price,retail_price,plan_type\n"
         b"Row,USD,40,50,single_level\n")

Call = Callable[[FlaskClient], Any]


def _saved_report(client: FlaskClient) -> str:
    """Evaluate the sample through the form; the saved report's address."""
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (SAMPLE.read_bytes(), "plan.json"), **SMALL_FORM,
    })
    assert response.status_code == 303
    return str(response.headers["Location"])


def _token_of_report(client: FlaskClient) -> str:
    page = client.get(_saved_report(client)).get_data(as_text=True)
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the report page packs its submission"
    return match.group(1)


def _owner_post(client: FlaskClient, action: str, **fields: str) -> Any:
    """A saved report's owner form, sent with the delete token its first view shows."""
    report = _saved_report(client)
    page = client.get(report).get_data(as_text=True)
    match = re.search(r'id="delete-token">([^<]+)<', page)
    assert match, "the first view shows the delete token"
    return client.post(f"{report}/{action}", data={
        "csrf_token": csrf_token(client), "delete_token": match.group(1), **fields})


def _compare(client: FlaskClient, suffix: str = "") -> Any:
    first, second = _saved_report(client), _saved_report(client)
    ids = [first.rsplit("/", 1)[-1], second.rsplit("/", 1)[-1]]
    return client.get(f"/compare{suffix}?r={ids[0]}&r={ids[1]}")


ROUTES: dict[tuple[str, str], tuple[Call, int]] = {
    ("/static/<path:filename>", "GET"): (lambda c: c.get("/static/app.css"), 200),
    ("/", "GET"): (lambda c: c.get("/"), 200),
    ("/evaluate", "POST"): (lambda c: post_multipart(c, "/evaluate", {
        "csrf_token": csrf_token(c), "action": "add:products"}), 200),
    ("/upload", "POST"): (lambda c: post_multipart(c, "/upload", {
        "csrf_token": csrf_token(c), "mode": "fill",
        "plan_file": (SAMPLE.read_bytes(), "plan.json")}), 200),
    ("/download/<fmt>", "GET"): (
        lambda c: c.get(f"/download/csv?token={_token_of_report(c)}"), 200),
    ("/report.css", "GET"): (lambda c: c.get("/report.css"), 200),
    ("/methodology", "GET"): (lambda c: c.get("/methodology"), 200),
    ("/methodology", "POST"): (lambda c: post_multipart(c, "/methodology", {
        "csrf_token": csrf_token(c, "/methodology"),
        "rubric_file": ((data_dir("rubrics") / "pyramid-risk.yaml").read_bytes(), "r.yaml")}),
        200),
    ("/api/v1/evaluate", "POST"): (lambda c: c.post(
        f"/api/v1/evaluate?{SMALL}", data=SAMPLE.read_bytes(),
        content_type="application/json"), 200),
    ("/api/v1/openapi.json", "GET"): (lambda c: c.get("/api/v1/openapi.json"), 200),
    ("/api/v1/schemas/plan.json", "GET"): (lambda c: c.get("/api/v1/schemas/plan.json"), 200),
    ("/healthz", "GET"): (lambda c: c.get("/healthz"), 200),
    ("/batch", "GET"): (lambda c: c.get("/batch"), 200),
    ("/batch", "POST"): (lambda c: post_multipart(c, "/batch", {
        "csrf_token": csrf_token(c, "/batch"), "csv": (BATCH, "b.csv")}), 200),
    ("/api/v1/batch", "POST"): (lambda c: c.post(
        f"/api/v1/batch?{SMALL}", data=BATCH, content_type="text/csv"), 200),
    ("/reports", "GET"): (lambda c: c.get("/reports"), 200),
    ("/reports/<report_id>", "GET"): (lambda c: c.get(_saved_report(c)), 200),
    ("/reports/<report_id>/download/<fmt>", "GET"): (
        lambda c: c.get(_saved_report(c) + "/download/csv"), 200),
    ("/reports/<report_id>/delete", "POST"): (lambda c: _owner_post(c, "delete"), 200),
    ("/reports/<report_id>/public", "POST"): (
        lambda c: _owner_post(c, "public", public="yes"), 303),
    ("/compare", "GET"): (lambda c: _compare(c), 200),
    ("/compare/download/<fmt>", "GET"): (lambda c: _compare(c, "/download/csv"), 200),
    ("/compare.css", "GET"): (lambda c: c.get("/compare.css"), 200),
}
"""One request per route and method that succeeds, and its status."""

ERRORS: dict[str, tuple[Call, int]] = {
    "404 page": (lambda c: c.get("/no-such-page"), 404),
    "404 api": (lambda c: c.get("/api/v1/no-such-thing"), 404),
    "405 page": (lambda c: c.get("/evaluate"), 405),
    "405 api": (lambda c: c.get("/api/v1/evaluate"), 405),
    "413 page": (lambda c: c.post("/upload", data=b"x" * (MAX_CONTENT_LENGTH + 1),
                                  content_type="application/octet-stream"), 413),
    "413 api": (lambda c: c.post("/api/v1/evaluate", data=b" " * (MAX_CONTENT_LENGTH + 1),
                                 content_type="application/json"), 413),
    "422 page": (lambda c: c.get("/download/json?token=broken"), 422),
    "404 report": (lambda c: c.get("/reports/" + "A" * 22), 404),
    "422 compare": (lambda c: c.get("/compare?r=nothing"), 422),
    "422 api": (lambda c: c.post("/api/v1/evaluate", data=b'{"schema_version": "1"}',
                                 content_type="application/json"), 422),
    "400 csrf": (lambda c: c.post("/evaluate", data={"action": "evaluate"}), 400),
}


def assert_security_headers(response: Any) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy or "script-src" not in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy") == "same-origin"


def test_every_route_is_covered(app: Flask) -> None:
    rules = {(rule.rule, method) for rule in app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == set(ROUTES)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[1]} {r[0]}")
def test_every_route_sends_the_security_headers(client: FlaskClient,
                                               route: tuple[str, str]) -> None:
    call, status = ROUTES[route]
    with call(client) as response:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        assert_security_headers(response)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_every_error_sends_the_security_headers(client: FlaskClient, name: str) -> None:
    call, status = ERRORS[name]
    response = call(client)
    assert response.status_code == status
    assert_security_headers(response)
    if name.startswith("405"):
        assert response.headers["Allow"]


def test_an_unexpected_failure_is_a_plain_500_with_the_headers_and_no_detail() -> None:
    app = create_app({"TESTING": False})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("internal detail /etc/secret-path")

    for path in ("/boom",):
        response = app.test_client().get(path)
        assert response.status_code == 500
        assert_security_headers(response)
        body = response.get_data(as_text=True)
        assert "internal detail" not in body
        assert "Traceback" not in body


def test_the_standalone_html_report_allows_only_its_own_style_by_hash(
        client: FlaskClient) -> None:
    response = client.post(f"/api/v1/evaluate?{SMALL}&format=html", data=SAMPLE.read_bytes(),
                           content_type="application/json")
    assert response.status_code == 200
    assert_security_headers(response)
    policy = response.headers["Content-Security-Policy"]
    assert "'sha256-" in policy
    assert policy != CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(("path", "page", "fields"), [
    ("/evaluate", "/", {"action": "evaluate"}),
    ("/upload", "/", {"mode": "fill", "plan_file": (b"{}", "plan.json")}),
    ("/methodology", "/methodology", {"rubric_file": (b"id: x", "r.yaml")}),
    ("/batch", "/batch", {"csv": (BATCH, "b.csv")}),
])
def test_every_state_changing_form_needs_its_csrf_token(
        client: FlaskClient, path: str, page: str, fields: dict[str, Any]) -> None:
    for token in (None, "forged-token"):
        data = dict(fields) if token is None else {**fields, "csrf_token": token}
        response = post_multipart(client, path, data)
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
    good = post_multipart(client, path, {**fields, "csrf_token": csrf_token(client, page)})
    assert good.status_code != 400 or "security token" not in good.get_data(as_text=True)


def test_a_token_from_another_visitor_is_refused(app: Flask) -> None:
    alice, mallory = app.test_client(), app.test_client()
    stolen = csrf_token(mallory)
    response = post_multipart(alice, "/evaluate", {"csrf_token": stolen, "action": "evaluate"})
    assert response.status_code == 400


def test_no_secret_key_is_in_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assignment = re.compile(r"""SECRET_KEY["']?\s*[:=]\s*["'][^"']{8,}["']""")
    offenders = [
        name for name in tracked
        if (ROOT / name).is_file() and name.endswith((".py", ".toml", ".cfg", ".ini", ".env",
                                                     ".yaml", ".yml", ".json"))
        and assignment.search((ROOT / name).read_text("utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_secret_key_is_generated_per_instance_or_read_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_SECRET_KEY", raising=False)
    first, second = create_app(), create_app()
    assert first.secret_key != second.secret_key
    assert len(str(first.secret_key)) >= 32
    monkeypatch.setenv("OPPEVAL_SECRET_KEY", "k" * 40)
    assert create_app().secret_key == "k" * 40
    assert create_app().debug is False


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:builtins.open",
    "!!python/object/new:builtins.open",
    "!!python/name:os.system",
])
def test_an_uploaded_rubric_with_a_python_tag_is_refused(
        client: FlaskClient, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "created-by-yaml"
    text = f"id: {tag} ['{marker}', 'w']\nversion: '1'\n".encode()
    response = post_multipart(client, "/methodology", {
        "csrf_token": csrf_token(client, "/methodology"), "rubric_file": (text, "evil.yaml")})
    assert response.status_code == 422
    assert "not valid YAML" in response.get_data(as_text=True)
    assert not marker.exists()
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (SAMPLE.read_bytes(), "plan.json"), "rubric_file": (text, "evil.yaml"),
        **SMALL_FORM})
    assert response.status_code == 422
    assert not marker.exists()


def test_rubric_aliases_cannot_expand_a_small_file(client: FlaskClient) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
              for i in range(8)]
    text = "\n".join(lines).encode()
    response = post_multipart(client, "/methodology", {
        "csrf_token": csrf_token(client, "/methodology"), "rubric_file": (text, "bomb.yaml")})
    assert response.status_code == 422
    assert "aliases" in response.get_data(as_text=True)
