"""Secrets, CSRF and headers: no secret key in the repository; every state-changing form needs
its CSRF token, which expires; every response of every route, errors included, carries the
security headers, under a real waitress server too (and what waitress writes itself is plain
text); downloads name any company's file; the API takes only its documented media types; an
uploaded rubric is read with safe YAML only."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from waitress.adjustments import Adjustments

from evaluator.errors import InputError
from evaluator.resources import data_dir
from evaluator.web import CONTENT_SECURITY_POLICY, CSRF_TIME_LIMIT, MAX_CONTENT_LENGTH, create_app
from evaluator.web.service import content_disposition
from tests.batch.helpers import job_page
from tests.files import project_files
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
    ("/form", "GET"): (lambda c: c.get("/form"), 200),
    ("/quick", "POST"): (lambda c: post_multipart(c, "/quick", {
        "csrf_token": csrf_token(c), "action": "form", "quick.customer_price": "60",
        "quick.your_price": "45"}), 200),
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
        "csrf_token": csrf_token(c, "/batch"), "csv": (BATCH, "b.csv")}), 303),
    ("/batch/<job_id>", "GET"): (lambda c: job_page(c, post_multipart(c, "/batch", {
        "csrf_token": csrf_token(c, "/batch"), "csv": (BATCH, "b.csv")})), 200),
    ("/batch/example.csv", "GET"): (lambda c: c.get("/batch/example.csv"), 200),
    ("/batch/example", "POST"): (lambda c: post_multipart(c, "/batch/example", {
        "csrf_token": csrf_token(c, "/batch")}), 303),
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
    ("/quick", "/", {"action": "evaluate"}),
    ("/upload", "/", {"mode": "fill", "plan_file": (b"{}", "plan.json")}),
    ("/methodology", "/methodology", {"rubric_file": (b"id: x", "r.yaml")}),
    ("/batch", "/batch", {"csv": (BATCH, "b.csv")}),
    ("/batch/example", "/batch", {}),
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
    assignment = re.compile(r"""SECRET_KEY["']?\s*[:=]\s*["'][^"']{8,}["']""")
    offenders = [
        name for name in map(str, project_files(ROOT))
        if (ROOT / name).is_file() and name.endswith((".py", ".toml", ".cfg", ".ini", ".env",
                                                     ".yaml", ".yml", ".json"))
        and assignment.search((ROOT / name).read_text("utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_secret_key_is_kept_in_the_instance_folder_or_read_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_SECRET_KEY", raising=False)
    first, second = create_app(), create_app()
    assert first.secret_key == second.secret_key  # a restart keeps report links working
    assert len(str(first.secret_key)) >= 32
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.read_text("ascii").strip() == first.secret_key
    assert key_file.stat().st_mode & 0o777 == 0o600
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


# ---------------------------------------------------------------- a real waitress server

OTHER_SCRIPTS = {
    "greek": "Ελληνική Ευεξία",
    "cyrillic": "Здоровье Плюс",
    "cjk": "健康生活株式会社",
    "arabic": "شركة الصحة",
    "hebrew": "בריאות טובה",
}
"""Company names outside Latin-1, one per script the attack used."""


@contextmanager
def waitress_server(app: Flask) -> Iterator[int]:
    """``app`` under a real waitress server (as ``oppeval serve`` runs it) on a free
    127.0.0.1 port, polled in a thread until the block ends; yields the port."""
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2, ident="oppeval")
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        stop.set()
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)  # the listening socket, the trigger, every channel


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is on a raw socket; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def plan_named(name: str) -> bytes:
    plan = json.loads(SAMPLE.read_bytes())
    plan["company"]["name"] = name
    return json.dumps(plan, ensure_ascii=False).encode("utf-8")


def assert_names_file(disposition: str, name: str, fmt: str) -> None:
    """``disposition`` is Latin-1-safe, with an ASCII ``filename=`` and the company's own name
    in RFC 5987 ``filename*=``."""
    disposition.encode("ascii")
    assert disposition.startswith("attachment; ")
    fallback = re.search(r'filename="([^"]*)"', disposition)
    exact = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert fallback, disposition
    assert exact, disposition
    assert re.fullmatch(rf"[A-Za-z0-9._-]+\.{fmt}", fallback.group(1))
    assert unquote(exact.group(1)).startswith("-".join(name.lower().split()))
    assert unquote(exact.group(1)).endswith(f"-report.{fmt}")


@pytest.mark.parametrize("script", sorted(OTHER_SCRIPTS))
def test_a_company_name_outside_latin1_downloads_through_waitress(app: Flask, script: str) -> None:
    name = OTHER_SCRIPTS[script]
    with waitress_server(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("POST", f"/api/v1/evaluate?{SMALL}&format=csv", body=plan_named(name),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
    assert response.status == 200, body[:300]
    assert response.getheader("X-Frame-Options") == "DENY"
    assert "default-src 'none'" in response.getheader("Content-Security-Policy", "")
    assert_names_file(response.getheader("Content-Disposition", ""), name, "csv")
    assert name in body.decode("utf-8")


def test_a_pdf_download_of_a_greek_company_answers_through_waitress(app: Flask) -> None:
    name = OTHER_SCRIPTS["greek"]
    client = app.test_client()
    saved = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (plan_named(name), "plan.json"), **SMALL_FORM,
    })
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]
    with waitress_server(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", saved.headers["Location"] + "/download/pdf")
        response = connection.getresponse()
        body = response.read()
        connection.close()
    assert response.status == 200, body[:300]
    assert body.startswith(b"%PDF")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert_names_file(response.getheader("Content-Disposition", ""), name, "pdf")


def test_the_download_name_keeps_its_letters_in_ascii_where_it_can() -> None:
    assert content_disposition("café-crème-report.pdf") == (
        "attachment; filename=\"cafe-creme-report.pdf\"; "
        "filename*=UTF-8''caf%C3%A9-cr%C3%A8me-report.pdf"
    )
    assert content_disposition("健康-report.csv").startswith('attachment; filename="report.csv"')


WAITRESS_ERRORS = {
    "malformed request line": (b"GET / HTTP/1.1 <script>alert(1)</script>\r\n\r\n", 400),
    # just over waitress's limit, so it has read the whole request when it answers
    "oversized header": (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: "
                         + b"<b>" * (Adjustments.max_request_header_size // 3 + 20)
                         + b"\r\n\r\n", 431),
    "bad chunking": (b"POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"<zz>\r\n{}\r\n0\r\n\r\n", 400),
}
"""Requests waitress refuses itself, before the app sees them, and the status it answers."""


@pytest.mark.parametrize("name", sorted(WAITRESS_ERRORS))
def test_the_errors_waitress_writes_itself_are_plain_text_without_the_request(
        app: Flask, name: str) -> None:
    """SECURITY.md says exactly this: the app's responses carry the security headers; these
    few, written by waitress before the app is reached, are short plain text that quotes
    nothing of the request, and do not carry them."""
    request, status = WAITRESS_ERRORS[name]
    with waitress_server(app) as port:
        got, headers, body = raw_exchange(port, request)
        ok, app_headers, _ = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                                b"Connection: close\r\n\r\n")
    assert got == status
    assert headers["content-type"].startswith("text/plain")
    assert body.endswith(b"(generated by oppeval)")
    assert b"<" not in body
    assert "content-security-policy" not in headers
    assert ok == 200
    assert "frame-ancestors 'none'" in app_headers["content-security-policy"]
    assert app_headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- cookies and token lifetime


def test_the_session_cookie_is_secure_only_when_the_setting_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_SECURE_COOKIES", raising=False)
    plain = create_app({"TESTING": True}).test_client().get("/")
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "HttpOnly" in plain.headers["Set-Cookie"]
    monkeypatch.setenv("OPPEVAL_SECURE_COOKIES", "1")
    secure = create_app({"TESTING": True}).test_client().get("/")
    cookie = secure.headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_csrf_token_expires_after_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from itsdangerous import TimestampSigner

    monkeypatch.delenv("OPPEVAL_CSRF_TIME_LIMIT", raising=False)
    assert create_app().config["WTF_CSRF_TIME_LIMIT"] == CSRF_TIME_LIMIT
    monkeypatch.setenv("OPPEVAL_CSRF_TIME_LIMIT", "600")
    app = create_app({"TESTING": True})
    client = app.test_client()
    token = csrf_token(client)
    now = TimestampSigner.get_timestamp(TimestampSigner("k"))
    fields = {"csrf_token": token, "action": "add:products"}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + 599)
    assert post_multipart(client, "/evaluate", fields).status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + 601)
    late = post_multipart(client, "/evaluate", fields)
    assert late.status_code == 400
    assert "security token" in late.get_data(as_text=True)
    assert_security_headers(late)


@pytest.mark.parametrize(("variable", "value"), [
    ("OPPEVAL_SECURE_COOKIES", "maybe"),
    ("OPPEVAL_CSRF_TIME_LIMIT", "0"),
    ("OPPEVAL_CSRF_TIME_LIMIT", "8h"),
    ("OPPEVAL_CSRF_TIME_LIMIT", "²"),
])
def test_a_setting_that_cannot_be_read_is_refused_naming_it(
        monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InputError) as caught:
        create_app()
    assert [e.path for e in caught.value.errors] == [variable]
    assert repr(value) in str(caught.value)


# ---------------------------------------------------------------- the API's media types

CROSS_SITE_BODIES = {
    "text/plain": "text/plain",
    "url-encoded": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=x",
    "none": None,
}
"""What a form on another site can send (no preflight), and a body without a type."""


@pytest.mark.parametrize("sent", sorted(CROSS_SITE_BODIES))
@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/api/v1/evaluate", SAMPLE.read_bytes(), "application/json"),
    ("/api/v1/batch", BATCH, "text/csv"),
], ids=["evaluate", "batch"])
def test_the_api_refuses_a_body_that_is_not_its_documented_media_type(
        client: FlaskClient, sent: str, path: str, body: bytes, expected: str) -> None:
    content_type = CROSS_SITE_BODIES[sent]
    response = client.post(f"{path}?{SMALL}", data=body,
                           headers={"Content-Type": content_type} if content_type else {})
    assert response.status_code == 415
    assert_security_headers(response)
    assert response.get_json() == {"errors": [{
        "path": "Content-Type",
        "message": (f"is {content_type.split(';')[0]!r}" if content_type else "is missing")
        + f"; this operation takes a body of {expected}",
    }]}
    document = client.get("/api/v1/openapi.json").get_json()
    assert "415" in document["paths"][path]["post"]["responses"]
