"""Fixtures for the web tests: the app with CSRF on, a live server, Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evaluator.report import RENDERERS
from evaluator.web import create_app
from tests.browser import served

SMALL = {
    "assumptions.max_participants": "1500",
    "assumptions.runs": "2",
    "assumptions.horizon_months": "36",
}
"""A small simulation, so each evaluation in a test takes a fraction of a second."""

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def pdf_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry for every PDF the renderer lays out from now on (the PDF is still made)."""
    calls: list[int] = []
    real = RENDERERS["pdf"].render

    def counting(ev: Any, fileobj: Any) -> None:
        calls.append(1)
        real(ev, fileobj)

    monkeypatch.setattr(RENDERERS["pdf"], "render", counting)
    return calls


@pytest.fixture
def app() -> Flask:
    """The app as it runs in production (CSRF enforced), in testing mode."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served on 127.0.0.1 on a free port, for the browser tests (no PDF laid out ahead
    of its download: each report shown would cost a PDF's layout in the background)."""
    with served(create_app({"OPPEVAL_PDF_AHEAD": False})) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Where Playwright's ``page.goto("/")`` goes."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Downloads allowed; a laptop-sized window unless a test asks for a phone."""
    return {**browser_context_args, "accept_downloads": True,
            "viewport": {"width": 1280, "height": 900}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep a full-page screenshot of every failed browser test in test-results/."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{item.name}.png"), full_page=True)
