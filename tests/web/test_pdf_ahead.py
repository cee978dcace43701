"""A result page's PDF laid out ahead of its download: bounded, once per result, never waited for
by a visitor's request, and carried to the download through the app's PDF cache."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest

from evaluator.report import RENDERERS, view
from evaluator.web import create_app, service


def _app(**config: Any) -> Any:
    app = create_app({"TESTING": True, "OPPEVAL_PDF_AHEAD": True, **config})
    app.app_context().push()
    return app


def _stub(monkeypatch: pytest.MonkeyPatch, gate: threading.Event | None = None) -> list[Any]:
    """A PDF renderer that records each call's plan name and report date (and may wait)."""
    calls: list[Any] = []

    def stub(ev: Any, fileobj: io.BufferedIOBase) -> None:
        calls.append((ev["name"], view.report_date()))
        if gate is not None:
            gate.wait(10)
        fileobj.write(b"%PDF-" + ev["name"].encode())

    monkeypatch.setattr(RENDERERS["pdf"], "render", stub)
    return calls


def test_it_is_off_unless_asked_for_in_tests() -> None:
    assert create_app({"TESTING": True}).config["OPPEVAL_PDF_AHEAD"] is False
    app = create_app({"TESTING": True})
    with app.app_context():
        assert service.render_pdf_ahead({"name": "a"}) is False


def test_the_pdf_laid_out_ahead_serves_the_download(monkeypatch: pytest.MonkeyPatch) -> None:
    _app()
    calls = _stub(monkeypatch)
    day = dt.date(2026, 3, 4)
    with view.dated(day):
        assert service.render_pdf_ahead({"name": "a"}) is True
        service.pdf_ahead().wait(service.pdf_cache_key({"name": "a"}), 10)
        assert service.render_pdf_ahead({"name": "a"}) is False  # kept already
        body, media = service.render({"name": "a"}, "pdf")
    assert (body, media) == (b"%PDF-a", "application/pdf")
    assert calls == [("a", day)]  # laid out once, ahead, as of the request's report date


def test_one_at_a_time_once_per_result_and_a_download_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _app()
    gate = threading.Event()
    calls = _stub(monkeypatch, gate)
    assert service.render_pdf_ahead({"name": "a"}) is True
    assert service.render_pdf_ahead({"name": "b"}) is False  # one at a time per app
    threading.Timer(0.3, gate.set).start()
    body, _ = service.render({"name": "a"}, "pdf")  # waits for the one being laid out
    assert body == b"%PDF-a"
    assert [name for name, _ in calls] == ["a"]
    service.pdf_cache().put(service.pdf_cache_key({"name": "a"}), b"")  # (forget it: 0 bytes)
    assert service.render_pdf_ahead({"name": "a"}) is False  # never twice for one result


def test_it_never_takes_a_slot_a_visitor_would_wait_for(monkeypatch: pytest.MonkeyPatch) -> None:
    _app(OPPEVAL_CONCURRENT_WORK=1)
    calls = _stub(monkeypatch)
    with service.heavy_work():
        assert service.render_pdf_ahead({"name": "a"}) is False
    assert calls == []
    assert service.render_pdf_ahead({"name": "a"}) is True  # the first refusal did not count
    service.pdf_ahead().wait(service.pdf_cache_key({"name": "a"}), 10)
    assert calls == [("a", view.report_date())]


def test_showing_a_saved_report_lays_its_pdf_out_ahead_for_the_download(
    pdf_renders: list[int],
) -> None:
    """Through the app: the form's result page starts the PDF, and the download is that PDF,
    laid out once, as of the report's saved day (the same bytes as one laid out on click)."""
    from tests.web.test_routes import download_links, evaluate, offer_form

    app = create_app({"TESTING": True, "OPPEVAL_PDF_AHEAD": True})
    client = app.test_client()
    calls = pdf_renders
    status, page = evaluate(client, offer_form(client))
    assert status == 200
    assert len(app.extensions["oppeval_pdf_ahead"]._claimed) == 1
    key = next(iter(app.extensions["oppeval_pdf_ahead"]._claimed))
    app.extensions["oppeval_pdf_ahead"].wait(key, 120)
    ahead = client.get(download_links(page)["pdf"]).get_data()
    assert ahead.startswith(b"%PDF")
    assert len(calls) == 1
    assert app.extensions["oppeval_pdfs"].bytes == len(ahead)
    app.extensions.pop("oppeval_pdfs")  # forget it: the next download lays it out on click
    clicked = client.get(download_links(page)["pdf"]).get_data()
    assert len(calls) == 2
    assert clicked == ahead
