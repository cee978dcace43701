"""The report library in Debian's chromium, on SQLite and on PostgreSQL: a visitor evaluates two
offers, bookmarks each, comes back after the server restarts, compares them on one page and
downloads the comparison as a PDF; the pages fit a phone and break no Content-Security-Policy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import served
from tests.library.conftest import SMALL, make_app
from tests.report.helpers import pdftotext

pytestmark = pytest.mark.browser

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def evaluate_sample(page: Page, base: str, sample: str) -> str:
    """Fill the form with a sample, make it small, evaluate; the saved report's address."""
    page.goto(f"{base}/?sample={sample}")
    page.locator("#s-assumptions > summary").click()
    for name, value in SMALL.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.get_by_role("button", name="Evaluate this offer").click()
    expect(page).to_have_url(re.compile(r"/reports/[A-Za-z0-9_-]{22}$"))
    expect(page.locator("#delete-token")).to_have_text(re.compile(r"^[A-Za-z0-9_-]{22}$"))
    return page.url


def watch_policy(page: Page) -> list[str]:
    """Console messages about a Content-Security-Policy violation (should stay empty)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text
            else None)
    return seen


def test_evaluate_two_bookmark_restart_compare_and_download_the_pdf(
        browser: Browser, database_url: str, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = watch_policy(page)
    app = make_app(database_url)
    with served(app) as base:
        first = evaluate_sample(page, base, "retail_first_single_level")
        second = evaluate_sample(page, base, "recruiting_fee_plan")
        page.go_back()  # to the second form, then to the first report: no "resend the form?"
        page.go_back()
        expect(page).to_have_url(first)
        expect(page.locator("h1").first).to_contain_text("Corrow Kitchen Direct")
    app.extensions["oppeval_library"].close()
    page.goto("about:blank")
    app = make_app(database_url)
    with served(app) as base:
        restarted = [url.replace(url.split("/reports/")[0], base) for url in (first, second)]
        for url, company in zip(restarted, ("Corrow Kitchen Direct", "Callbridge Connect"),
                                strict=True):
            page.goto(url)
            expect(page.locator("article.report h1")).to_have_text(company)
            expect(page.locator("#delete-token")).to_have_count(0)
        page.get_by_label("Compare with another saved report (its address)").fill(restarted[0])
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page.locator(".compare-summary")).to_contain_text(
            "Corrow Kitchen Direct (offer B) costs a typical recruit less")
        headers = page.locator("table.compare").first.locator("thead th")
        expect(headers).to_have_text(["Figure", re.compile("Offer A: Callbridge Connect"),
                                      re.compile("Offer B: Corrow Kitchen Direct")])
        with page.expect_download() as info:
            page.get_by_role("link", name="PDF").click()
        target = tmp_path / "comparison.pdf"
        info.value.save_as(target)
        text = " ".join(pdftotext(target.read_bytes(), tmp_path).split())
        assert "Corrow Kitchen Direct (offer B) costs a typical recruit less" in text
    app.extensions["oppeval_library"].close()
    assert violations == []
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_saved_report_and_the_comparison_fit_the_screen(
        browser: Browser, tmp_path: Path, width: int) -> None:
    from evaluator.library.store import sqlite_url

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    violations = watch_policy(page)
    app = make_app(sqlite_url(tmp_path / "reports.sqlite3"))
    with served(app) as base:
        first = evaluate_sample(page, base, "retail_first_single_level")
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"library-report-{width}.png"))
        for part in (".saved", ".report-actions"):  # the report body below is the report's own
            assert page.locator(part).evaluate("e => e.getBoundingClientRect().right") <= width
        second = evaluate_sample(page, base, "recruiting_fee_plan")
        ids = [u.rsplit("/", 1)[-1] for u in (first, second)]
        page.goto(f"{base}/compare?r={ids[0]}&r={ids[1]}")
        expect(page.locator(".compare-summary")).to_be_visible()
        page.screenshot(path=str(RESULTS / f"library-compare-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{base}/reports")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    app.extensions["oppeval_library"].close()
    assert violations == []
    context.close()
