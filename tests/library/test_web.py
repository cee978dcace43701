"""Saved reports through the web app, on SQLite and on PostgreSQL: post, redirect, get; the
report again after a restart; its downloads; delete with and without the token; public
listing; expiry; 20 clients at once; and a broken database's error page."""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evaluator.evaluation import evaluate_document
from evaluator.library.store import sqlite_url
from evaluator.report import RENDERERS
from evaluator.web import create_app
from evaluator.web.reports import DATABASE_FILE, saved_day
from tests.library.conftest import RECRUITING, RETAIL, SMALL, evaluate_plan, make_app, save_plan
from tests.security.conftest import csrf_token, post_multipart
from tests.security.test_headers import assert_security_headers
from tests.web.pages import parse

TOKEN = re.compile(r'id="delete-token">([^<]+)<')
SMALL_OVERRIDES = {k.removeprefix("assumptions."): v for k, v in SMALL.items()}


def delete_token(page: str) -> str:
    """The delete token a saved report's first view shows."""
    match = TOKEN.search(page)
    assert match, "the first view shows the delete token"
    return match.group(1)


def test_the_form_redirects_to_the_saved_report_which_shows_it(client: FlaskClient) -> None:
    response = evaluate_plan(client)
    assert response.status_code == 303
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Corrow Kitchen Direct" in text
    assert f"http://localhost{location}" in text, "the page names its permanent address"
    assert_security_headers(page)
    links = {a["href"] for a in parse(text).ids.values() if "href" in a}
    assert f"{location}/download/pdf" in text
    assert links, "the page has links"


def test_the_evaluate_form_itself_redirects_there(client: FlaskClient) -> None:
    page = client.get("/form?sample=retail_first_single_level").get_data(as_text=True)
    form = next(f for f in parse(page).forms if f.attrs.get("action") == "/evaluate")
    response = client.post("/evaluate", data={**form.values, **SMALL, "action": "evaluate"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/reports/")


def test_a_saved_report_is_shown_again_after_a_restart(database_url: str) -> None:
    first = make_app(database_url)
    report_id = save_plan(first.test_client())
    client = first.test_client()
    before = client.get(f"/reports/{report_id}").get_data()
    first.extensions["oppeval_library"].close()
    restarted = make_app(database_url)
    after = restarted.test_client().get(f"/reports/{report_id}")
    assert after.status_code == 200
    assert strip_forms(after.get_data()) == strip_forms(before)
    restarted.extensions["oppeval_library"].close()


def strip_forms(page: bytes) -> bytes:
    """A page without its per-session CSRF tokens (the rest must be the same)."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b"", page)


def test_the_delete_token_is_shown_once(client: FlaskClient) -> None:
    report_id = save_plan(client)
    first = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert len(delete_token(first)) == 22
    second = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert TOKEN.search(second) is None
    assert delete_token(first) not in second


def test_delete_needs_the_token(client: FlaskClient) -> None:
    report_id = save_plan(client)
    token = delete_token(client.get(f"/reports/{report_id}").get_data(as_text=True))
    stranger = client.application.test_client()
    refused = stranger.post(f"/reports/{report_id}/delete", data={
        "csrf_token": csrf_token(stranger), "delete_token": "guessed-token"})
    assert refused.status_code == 403
    assert "nothing was changed" in refused.get_data(as_text=True)
    assert_security_headers(refused)
    assert client.get(f"/reports/{report_id}").status_code == 200
    no_csrf = stranger.post(f"/reports/{report_id}/delete", data={"delete_token": token})
    assert no_csrf.status_code == 400
    deleted = stranger.post(f"/reports/{report_id}/delete", data={
        "csrf_token": csrf_token(stranger), "delete_token": token})
    assert deleted.status_code == 200
    gone = client.get(f"/reports/{report_id}")
    assert gone.status_code == 404
    assert "No saved report has this address" in gone.get_data(as_text=True)
    assert client.get(f"/reports/{report_id}/download/json").status_code == 404


def test_saved_downloads_equal_what_the_evaluation_renders(database_url: str) -> None:
    fresh = json.loads(evaluate_document(RETAIL.read_bytes(), overrides=SMALL_OVERRIDES,
                                         seed=None).to_json())
    app = make_app(database_url)
    report_id = save_plan(app.test_client())
    before = app.test_client().get(f"/reports/{report_id}/download/json").get_data()
    app.extensions["oppeval_library"].close()
    restarted = make_app(database_url)
    # the stored JSON is what every format renders from; the PDF (slow) is checked on SQLite
    formats = ("json", "csv", "html", "pdf") if database_url.startswith("sqlite") else (
        "json", "csv", "html")
    for fmt in formats:
        response = restarted.test_client().get(f"/reports/{report_id}/download/{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert_security_headers(response)
        expected = io.BytesIO()
        RENDERERS[fmt].render(fresh, expected)
        assert response.get_data() == expected.getvalue(), fmt
    assert before == restarted.test_client().get(f"/reports/{report_id}/download/json").get_data()
    restarted.extensions["oppeval_library"].close()


def test_reports_are_listed_only_when_their_author_makes_them_public(
        client: FlaskClient) -> None:
    report_id = save_plan(client)
    token = delete_token(client.get(f"/reports/{report_id}").get_data(as_text=True))
    assert report_id not in client.get("/reports").get_data(as_text=True)
    wrong = client.post(f"/reports/{report_id}/public", data={
        "csrf_token": csrf_token(client), "delete_token": "nope", "public": "yes"})
    assert wrong.status_code == 403
    made = client.post(f"/reports/{report_id}/public", data={
        "csrf_token": csrf_token(client), "delete_token": token, "public": "yes"})
    assert made.status_code == 303
    listing = client.get("/reports")
    assert f"/reports/{report_id}" in listing.get_data(as_text=True)
    assert_security_headers(listing)
    assert "kept until its author deletes it" in client.get(made.headers["Location"]).get_data(
        as_text=True)
    client.post(f"/reports/{report_id}/public", data={
        "csrf_token": csrf_token(client), "delete_token": token, "public": "no"})
    assert report_id not in client.get("/reports").get_data(as_text=True)


def test_an_expired_report_is_gone(app: Flask, client: FlaskClient) -> None:
    report_id = save_plan(client)
    store = app.extensions["oppeval_library"]
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "it will be deleted on" in page
    saved_at = store.fetch(report_id).created_at
    store.clock = lambda: saved_at + 90 * 86_400 + 1
    assert client.get(f"/reports/{report_id}").status_code == 404
    assert store.count() == 1
    save_plan(client)
    assert store.count() == 1, "saving purged the expired report"


def test_the_kept_days_come_from_the_setting(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "OPPEVAL_REPORT_DAYS": "7",
                      "OPPEVAL_DATABASE_URL": sqlite_url(tmp_path / "r.sqlite3")})
    assert app.extensions["oppeval_library"].keep_days == 7
    with pytest.raises(ValueError, match="OPPEVAL_REPORT_DAYS must be a whole number"):
        create_app({"TESTING": True, "OPPEVAL_REPORT_DAYS": "soon"})


def test_twenty_clients_save_at_once_and_nothing_is_lost(app: Flask) -> None:
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(c) for c in clients]
    start = threading.Barrier(20)
    locations: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    plan = RETAIL.read_bytes()

    def send(number: int) -> None:
        start.wait()
        response = post_multipart(clients[number], "/upload", {
            "csrf_token": tokens[number], "mode": "evaluate",
            "plan_file": (plan, "plan.json"), **SMALL, "seed": str(number)})
        with lock:
            if response.status_code == 303:
                locations.append(response.headers["Location"])
            else:
                failures.append(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(locations)) == 20
    seeds = set()
    for location in locations:
        report = clients[0].get(f"{location}/download/json")
        assert report.status_code == 200
        seeds.add(report.get_json()["seed"])
    assert seeds == set(range(20))
    assert app.extensions["oppeval_library"].count() == 20


def test_a_corrupt_database_gives_a_clear_error_page(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    path.write_bytes(b"junk, not SQLite " * 500)
    app = make_app(sqlite_url(path))
    client = app.test_client()
    for response in (client.get("/reports/" + "A" * 22), client.get("/reports"),
                     client.get("/compare?r=" + "A" * 22 + "&r=" + "B" * 22)):
        assert response.status_code == 503
        text = response.get_data(as_text=True)
        assert "The report library is unavailable" in text
        assert "Traceback" not in text
        assert str(path) not in text
        assert_security_headers(response)
    refused = evaluate_plan(client, **{"seed": "4242"})
    assert refused.status_code == 503
    text = refused.get_data(as_text=True)
    assert "The report library cannot be read or written" in text
    assert 'value="4242"' in text, "what was typed is kept"
    assert_security_headers(refused)
    app.extensions["oppeval_library"].close()


def test_a_missing_database_file_after_start_gives_the_error_page(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    app = make_app(sqlite_url(folder / "reports.sqlite3"))
    client = app.test_client()
    report_id = save_plan(client)
    app.extensions["oppeval_library"].close()
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    folder.write_text("a file where the database folder was")
    response = client.get(f"/reports/{report_id}")
    assert response.status_code == 503
    assert "The report library is unavailable" in response.get_data(as_text=True)
    assert_security_headers(response)


def test_the_default_database_is_in_the_instance_folder_never_served(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    store = app.extensions["oppeval_library"]
    database = Path(store.url.database)
    assert database == Path(app.instance_path) / DATABASE_FILE
    assert not database.resolve().is_relative_to(Path(app.static_folder).resolve())
    client = app.test_client()
    for path in (f"/static/{DATABASE_FILE}", f"/static/../../instance/{DATABASE_FILE}",
                 f"/{DATABASE_FILE}", f"/reports/{DATABASE_FILE}"):
        assert client.get(path).status_code == 404, path


def test_a_database_under_the_static_folder_is_refused(tmp_path: Path) -> None:
    static = Path(create_app({"TESTING": True}).static_folder)
    with pytest.raises(ValueError, match="must not name a file under the served static folder"):
        create_app({"TESTING": True, "OPPEVAL_DATABASE_URL": sqlite_url(static / "r.sqlite3")})


def test_a_report_too_large_to_store_is_refused_naming_the_limit(app: Flask,
                                                                 client: FlaskClient) -> None:
    app.extensions["oppeval_library"].max_bytes = 10_000
    response = evaluate_plan(client, RECRUITING)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "limit of 10,000 bytes a saved report may hold" in text
    assert app.extensions["oppeval_library"].count() == 0


def test_a_saved_report_keeps_its_day_whenever_it_is_shown(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its pages and downloads carry the day it was saved, so they are the same bytes on any
    later day (the render date was printed before: a saved HTML changed the next day)."""
    report_id = save_plan(client)
    saved = app.extensions["oppeval_library"].fetch(report_id)
    today = client.get(f"/reports/{report_id}/download/html").get_data()
    assert saved_day(saved).isoformat().encode() in today
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2208988800")  # 2040-01-01: "a later day"
    later = client.get(f"/reports/{report_id}/download/html").get_data()
    assert later == today
    assert b"2040-01-01" not in client.get(f"/reports/{report_id}").get_data()
