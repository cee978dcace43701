"""Web batch jobs: the 303 to the job's address, progress while it runs, the result after,
another visitor's job refused, an expired job forgotten and the per-visitor limit."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evaluator.web import batch as web_batch
from evaluator.web import create_app
from evaluator.web.batch import MAX_JOBS_PER_VISITOR, REFRESH_SECONDS, BatchJobs
from tests.batch.helpers import INLINE, SMALL, job_page, write_csv
from tests.batch.test_web import Page


class Gate:
    """Holds each row's scoring until the test lets it through (a slow evaluation)."""

    def __init__(self) -> None:
        self.passes = threading.Semaphore(0)
        self.closed = False

    def open(self, rows: int = 1) -> None:
        for _ in range(rows):
            self.passes.release()

    def open_all(self) -> None:
        self.closed = False
        self.open(100)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    real = web_batch.score_row

    def slow_score_row(*args: Any, **kwargs: Any) -> Any:
        assert gate.passes.acquire(timeout=60), "the test never let the row through"
        return real(*args, **kwargs)

    monkeypatch.setattr(web_batch, "score_row", slow_score_row)
    yield gate
    gate.open_all()  # no job thread is left waiting after the test


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Flask:
    app = create_app({"TESTING": True, "OPPEVAL_DEFAULT_OVERRIDES": dict(SMALL)})
    app.extensions["oppeval_batch_jobs"] = BatchJobs(60, clock=clock)
    return app


@pytest.fixture
def upload(tmp_path: Path) -> bytes:
    """Two rows: one scored, one invalid (a bad number)."""
    return write_csv(tmp_path / "two.csv", list(INLINE), [
        INLINE, INLINE | {"company_name": "Bad Fee", "enrollment_fee": "lots"},
    ]).read_bytes()


def start(client: FlaskClient, data: bytes) -> Any:
    token = Page(client.get("/batch").get_data(as_text=True)).token
    return client.post("/batch", data={"csrf_token": token, "csv": (io.BytesIO(data), "two.csv")},
                       content_type="multipart/form-data")


def wait_for(client: FlaskClient, location: str, text: str) -> str:
    """The job's page once it shows ``text`` (the job's thread runs beside the test)."""
    deadline = time.monotonic() + 60
    while True:
        html = client.get(location).get_data(as_text=True)
        if text in html:
            return html
        assert time.monotonic() < deadline, f"{location} never showed {text!r}"
        time.sleep(0.02)


def test_a_job_shows_its_progress_then_its_results(app: Flask, gate: Gate, upload: bytes) -> None:
    client = app.test_client()
    response = start(client, upload)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/batch/[A-Za-z0-9_-]{22}", location)

    running = client.get(location)
    assert running.status_code == 200
    html = running.get_data(as_text=True)
    assert "0 of 2 rows done." in html
    assert f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' in html
    assert 'id="batch-rows"' not in html
    assert running.headers["Content-Security-Policy"]

    gate.open(1)
    html = wait_for(client, location, "1 of 2 rows done.")
    assert 'http-equiv="refresh"' in html

    gate.open(1)
    finished = job_page(client, response)
    assert finished.status_code == 200
    page = Page(finished.get_data(as_text=True))
    assert page.summary.startswith("2 rows: 1 scored, 1 invalid; ")
    assert [r[0] for r in page.rows[1:]] == ["2", "3"]
    assert page.rows[1][2] in {"Lower risk", "Significant risk", "High risk"}
    assert page.rows[1][5], "a scored row says which red flag set its verdict"
    assert "enrollment_fee: 'lots' is not a number" in page.rows[2][5]
    assert page.links["download-csv"].startswith("data:text/csv;charset=utf-8;base64,")
    assert "stay at this address for 1 minute after" in finished.get_data(as_text=True)
    # Reloading a finished job shows the same page again.
    assert client.get(location).get_data(as_text=True) == finished.get_data(as_text=True)


def test_another_visitors_job_is_not_found(app: Flask, gate: Gate, upload: bytes) -> None:
    owner, stranger = app.test_client(), app.test_client()
    location = start(owner, upload).headers["Location"]
    assert stranger.get(location).status_code == 404
    gate.open(2)
    wait_for(owner, location, 'id="batch-rows"')
    assert stranger.get(location).status_code == 404
    assert owner.get("/batch/not-a-job").status_code == 404


def test_a_finished_job_is_forgotten_after_its_time(app: Flask, clock: Clock, gate: Gate,
                                                    upload: bytes) -> None:
    client = app.test_client()
    location = start(client, upload).headers["Location"]
    clock.now += 3600  # a running job is never dropped, however long it runs
    assert client.get(location).status_code == 200
    gate.open(2)
    wait_for(client, location, 'id="batch-rows"')
    clock.now += 59
    assert client.get(location).status_code == 200
    clock.now += 1
    assert client.get(location).status_code == 404


def test_a_visitor_may_keep_only_so_many_running_jobs(app: Flask, gate: Gate,
                                                      upload: bytes) -> None:
    client = app.test_client()
    locations = [start(client, upload).headers["Location"] for _ in range(MAX_JOBS_PER_VISITOR)]
    refused = start(client, upload)
    assert refused.status_code == 429
    assert (f"you have {MAX_JOBS_PER_VISITOR} batches running; wait for one to finish"
            in Page(refused.get_data(as_text=True)).errors[0])
    # Another visitor may still start one.
    other = app.test_client()
    assert start(other, upload).status_code == 303
    # Once a job has finished, a new one takes the place of the oldest finished one.
    gate.open_all()
    for location in locations:
        wait_for(client, location, 'id="batch-rows"')
    again = start(client, upload)
    assert again.status_code == 303
    assert client.get(locations[0]).status_code == 404
    assert client.get(locations[1]).status_code == 200


def test_a_refused_batch_starts_no_job(app: Flask, gate: Gate) -> None:
    client = app.test_client()
    response = start(client, b"company_name\n" + b"A\n" * (web_batch.MAX_ROWS + 1))
    assert response.status_code == 413
    assert len(app.extensions["oppeval_batch_jobs"]) == 0


@pytest.mark.parametrize(("seconds", "words"), [
    (1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (600, "10 minutes"),
])
def test_how_long_a_job_is_kept_is_said_in_the_right_number(seconds: float, words: str) -> None:
    assert web_batch.kept_for(seconds) == words


def test_a_one_row_summary_says_row() -> None:
    from evaluator.batch import BatchSummary

    assert BatchSummary().text() == "0 rows: 0 scored, 0 invalid"
    summary = BatchSummary()
    summary.rows = 1
    summary.scored = 1
    assert summary.text() == "1 row: 1 scored, 0 invalid"
