"""Every page of the app on a desktop and a phone: no axe-core violation, no sideways scroll.

axe-core comes from the project's own package.json (``npm ci`` in scripts/test.sh puts it in
node_modules/). Each page is opened once per viewport; the report page is reached as a visitor
reaches it (a sample, a small simulation, the Evaluate button), the batch results page by
running the bundled web example.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import SMALL

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE_WIDTH = VIEWPORTS["phone"]["width"]


def open_report(page: Page) -> None:
    """A sample evaluated with a small simulation, through the form: the saved report."""
    page.goto("/form")
    page.get_by_label("Sample offer").select_option("autoship_unilevel_wellness")
    page.get_by_role("button", name="Fill the form with this sample").click()
    page.locator("#s-assumptions > summary").click()
    for name, value in SMALL.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.get_by_role("button", name="Evaluate this offer").click()
    expect(page.locator(".verdict-label")).to_be_visible()


def open_batch_results(page: Page) -> None:
    """The batch page after running the example it offers."""
    page.goto("/batch")
    page.get_by_role("button", name="Score the web example").click()
    # The job page reloads itself every few seconds until the rows are done.
    expect(page.locator("#batch-summary")).to_contain_text("scored", timeout=180_000)


def open_comparison(page: Page) -> None:
    """The saved report just opened, compared with itself (the compare page needs 2 ids)."""
    report_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"/compare?r={report_id}&r={report_id}")
    expect(page.locator("main")).to_be_visible()


PAGES: dict[str, Callable[[Page], object]] = {
    "quick": lambda page: page.goto("/"),
    "form": lambda page: page.goto("/form"),
    "report": open_report,
    "compare": open_comparison,
    "public-reports": lambda page: page.goto("/reports"),
    "methodology": lambda page: page.goto("/methodology"),
    "batch": lambda page: page.goto("/batch"),
    "batch-results": open_batch_results,
}


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def viewport_page(request: pytest.FixtureRequest, browser: Browser,
                  base_url: str) -> Iterator[tuple[str, Page]]:
    """One browser page per viewport, shared by the pages checked at that size."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=base_url)
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's violations on the page as it stands (rule id, impact, the elements)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # as the page's CSP allows no inline script
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violation_and_no_sideways_scroll(viewport_page: tuple[str, Page],
                                                  name: str) -> None:
    size, page = viewport_page
    PAGES[name](page)
    assert AXE.is_file(), "axe-core is missing: run `npm ci` at the repository root"
    assert axe_violations(page) == [], f"{name} at {size}"
    if size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{name} is {width} px wide on a {PHONE_WIDTH} px phone"


def test_a_removed_row_can_be_put_back_with_what_was_typed(page: Page) -> None:
    """Removing a row asks nothing, so it can be undone: the Undo button puts it back whole."""
    page.goto("/form")
    page.get_by_label("Sample offer").select_option("autoship_unilevel_wellness")
    page.get_by_role("button", name="Fill the form with this sample").click()
    products = page.locator("#s-products > .rows > .row")
    count = products.count()
    page.get_by_role("button", name="Add a product").click()
    products.nth(count).get_by_label("Product name").fill("Herbal tea, 20 bags")
    products.nth(count).get_by_role("button", name="Remove product").click()
    expect(products).to_have_count(count)
    undo = page.get_by_role("button", name=f"Undo: put product {count + 1} back")
    expect(undo).to_be_focused()
    assert axe_violations(page) == []
    undo.click()
    expect(products).to_have_count(count + 1)
    expect(page.locator(f'[name="products[{count}].name"]')).to_have_value("Herbal tea, 20 bags")
    expect(page.locator(".undo-removal")).to_have_count(0)
