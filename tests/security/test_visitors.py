"""Visitors share the server fairly and learn nothing of each other: each app keeps its own
state, each visitor only their own cached evaluations, heavy work takes turns first come first
served (a web batch row by row, within a budget for the whole batch), and an uploaded rubric is
parsed only in a heavy-work slot."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import evaluator.batch
import evaluator.evaluation
from evaluator.assumptions import Assumptions
from evaluator.resources import data_dir
from evaluator.web import advocates, create_app, service
from evaluator.web import batch as web_batch
from evaluator.web.service import RubricChoice, Slots
from tests.security.conftest import csrf_token, error_messages, post_multipart
from tests.web import pages
from tests.web.conftest import SMALL

SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
SMALL_QUERY = "max_participants=200&runs=1&horizon_months=12"
BATCH = "company_name,currency,wholesale_price,retail_price,plan_type\n"
ROW = "Row Co,USD,40,50,single_level\n"
RUBRIC_TEXT = (data_dir("rubrics") / "pyramid-risk.yaml").read_text("utf-8")
WAIT = 30
"""Most seconds a test waits for another thread to reach a point."""


def counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, label: str,
            log: list[str], before: Callable[[], None] | None = None) -> None:
    """Replace ``module.name`` by the same function that first appends ``label`` to ``log``."""
    real = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log.append(label)
        if before is not None:
            before()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def wait_until(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` came true within :data:`WAIT` seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def someone_waits(app: Flask) -> bool:
    """Whether a request waits for one of the app's heavy-work slots now."""
    slots = app.extensions.get("oppeval_heavy_slots")
    return bool(getattr(slots, "_waiting", None))


def form_evaluation(client: FlaskClient) -> str:
    """Evaluate the sample from the offer form; the saved report's page it redirects to."""
    page = client.get(f"/form?sample={SAMPLE.stem}").get_data(as_text=True)
    values = {**pages.form(page, form_id="offer-form").values, **SMALL}
    response = client.post("/evaluate", data=values, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_two_apps_in_one_process_share_no_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    counted(monkeypatch, evaluator.evaluation, "evaluate_document", "evaluated", log)
    doc = json.loads(SAMPLE.read_text("utf-8"))
    overrides = {"max_participants": "200", "runs": "1", "horizon_months": "12"}
    for app in (create_app({"TESTING": True}), create_app({"TESTING": True})):
        for _ in range(2):
            with app.test_request_context("/evaluate", method="POST"):
                service.session[service.VISITOR] = "the same visitor"
                service.evaluate(doc, overrides, 5, RubricChoice())
    assert log == ["evaluated", "evaluated"]  # once per app; the second time from its cache


def test_a_visitor_reuses_only_their_own_evaluations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another visitor's request is not answered from the cache (so its speed cannot tell
    whether someone evaluated the same plan); the visitor's own downloads evaluate nothing."""
    log: list[str] = []
    counted(monkeypatch, evaluator.evaluation, "evaluate_document", "evaluated", log)
    app = create_app({"TESTING": True})
    first, second = app.test_client(), app.test_client()
    page = form_evaluation(first)
    assert log == ["evaluated"]
    form_evaluation(second)
    assert log == ["evaluated"] * 2
    link = next(m for m in page.split('"')
                if m.startswith("/reports/") and m.endswith("/download/json"))
    assert first.get(link).status_code == 200
    assert log == ["evaluated"] * 2  # the visitor's own download: from the saved report


def test_the_api_keeps_no_state_and_caches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    counted(monkeypatch, evaluator.evaluation, "evaluate_document", "evaluated", log)
    client = create_app({"TESTING": True}).test_client()
    for _ in range(2):
        response = client.post(f"/api/v1/evaluate?{SMALL_QUERY}&seed=4",
                               data=SAMPLE.read_bytes(), content_type="application/json")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert log == ["evaluated"] * 2


def test_a_freed_slot_goes_to_the_longest_waiter_not_back_to_its_holder() -> None:
    slots = Slots(1)
    slots.acquire()
    order: list[str] = []

    def waiter() -> None:
        slots.acquire()
        order.append("waiter")
        slots.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert wait_until(lambda: bool(slots._waiting))
    slots.release()
    slots.acquire()  # at once, as a web batch asks for its next row's slot
    order.append("holder again")
    slots.release()
    thread.join(WAIT)
    assert order == ["waiter", "holder again"]


def test_a_web_batch_takes_turns_with_other_visitors_row_by_row(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With one slot, a visitor who asks while a batch's first row runs is evaluated before
    the batch's second row, not after the whole batch."""
    app = create_app({"TESTING": True, "OPPEVAL_CONCURRENT_WORK": 1,
                      "OPPEVAL_RECENT_EVALUATIONS": 0})
    log: list[str] = []

    def first_row_waits_for_the_visitor() -> None:
        if log.count("row") == 1:
            wait_until(lambda: someone_waits(app))

    counted(monkeypatch, evaluator.batch, "evaluate", "row", log,
            first_row_waits_for_the_visitor)
    counted(monkeypatch, evaluator.evaluation, "evaluate_document", "visitor", log)
    statuses: dict[str, int] = {}

    def batch() -> None:
        response = app.test_client().post(f"/api/v1/batch?{SMALL_QUERY}",
                                          data=BATCH + ROW * 3, content_type="text/csv")
        statuses["batch"] = response.status_code

    def visitor() -> None:
        response = app.test_client().post(f"/api/v1/evaluate?{SMALL_QUERY}",
                                          data=SAMPLE.read_bytes(),
                                          content_type="application/json")
        statuses["visitor"] = response.status_code

    batch_thread = threading.Thread(target=batch)
    batch_thread.start()
    assert wait_until(lambda: "row" in log)
    visitor_thread = threading.Thread(target=visitor)
    visitor_thread.start()
    batch_thread.join(WAIT * 4)
    visitor_thread.join(WAIT * 4)
    assert statuses == {"batch": 200, "visitor": 200}
    assert log == ["row", "visitor", "row", "row"]


def test_a_web_batch_over_its_total_budget_is_refused_up_front(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """100 rows each within the per-evaluation budget, together over the batch's budget."""
    log: list[str] = []
    counted(monkeypatch, evaluator.batch, "evaluate", "row", log)
    rows = web_batch.MAX_ROWS
    each = service.evaluation_cost(
        Assumptions.from_overrides({"max_participants": "25000"}))
    assert each <= service.EVALUATION_BUDGET < rows * each
    assert rows * each > web_batch.BATCH_BUDGET
    message = (f"this batch would simulate up to {rows * each:,} participant-months "
               f"({rows:,} rows of up to {each:,} each); the web's time budget per batch is "
               f"{web_batch.BATCH_BUDGET:,} participant-months")
    response = client.post("/api/v1/batch?max_participants=25000", data=BATCH + ROW * rows,
                           content_type="text/csv")
    assert response.status_code == 413
    assert any(m.startswith(message) for m in error_messages(response))
    assert log == []


def test_the_web_default_fits_the_batch_budget_at_the_row_limit() -> None:
    each = service.evaluation_cost(Assumptions.from_overrides({}))
    assert web_batch.MAX_ROWS * each <= web_batch.BATCH_BUDGET


@pytest.mark.parametrize("where", ["/methodology", "/evaluate"])
def test_an_uploaded_rubric_is_parsed_only_in_a_heavy_work_slot(
        where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"TESTING": True, "OPPEVAL_CONCURRENT_WORK": 1,
                      "OPPEVAL_RECENT_EVALUATIONS": 0})
    log: list[str] = []
    counted(monkeypatch, advocates, "parse_rubric_text", "parsed", log)
    counted(monkeypatch, service, "parse_rubric_text", "parsed", log)
    client = app.test_client()
    if where == "/methodology":
        token = csrf_token(client, "/methodology")

        def send() -> Any:
            return post_multipart(client, "/methodology", {
                "csrf_token": token, "rubric_file": (RUBRIC_TEXT.encode(), "mine.yaml")})
    else:
        page = client.get(f"/form?sample={SAMPLE.stem}").get_data(as_text=True)
        values = {**pages.form(page, form_id="offer-form").values, **SMALL,
                  "rubric": "uploaded", "rubric_text": RUBRIC_TEXT}

        def send() -> Any:
            return client.post("/evaluate", data=values)

    held, release = threading.Event(), threading.Event()

    def hold_the_only_slot() -> None:
        with app.app_context(), service.heavy_work():
            held.set()
            release.wait(WAIT)

    holder = threading.Thread(target=hold_the_only_slot)
    holder.start()
    assert held.wait(WAIT)
    statuses: list[int] = []
    sender = threading.Thread(target=lambda: statuses.append(send().status_code))
    sender.start()
    queued = wait_until(lambda: someone_waits(app))
    parsed_while_held = list(log)
    release.set()
    holder.join(WAIT)
    sender.join(WAIT * 4)
    assert queued, "the upload did not wait for the slot"
    assert parsed_while_held == []
    assert statuses == [200 if where == "/methodology" else 303]  # the form saves, redirects
    assert "parsed" in log
