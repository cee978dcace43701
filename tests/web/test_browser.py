"""The web app in Debian's chromium, as a first-time visitor uses it (Playwright).

Failed tests leave a full-page screenshot in test-results/ (see conftest.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.web.conftest import SMALL

pytestmark = pytest.mark.browser

SAMPLE = "autoship_unilevel_wellness"
VERDICT = re.compile(r"(Lower risk|Significant risk|High risk)")


def pick_sample(page: Page, sample: str = SAMPLE) -> None:
    """Open the full form and fill it with a sample, as a visitor would."""
    page.goto("/form")
    page.get_by_label("Sample offer").select_option(sample)
    page.get_by_role("button", name="Fill the form with this sample").click()
    expect(page.get_by_role("status")).to_contain_text("sample plan")


def make_small(page: Page) -> None:
    """Open the assumptions and shrink the simulation (the browser tests test the web, not it)."""
    page.locator("#s-assumptions > summary").click()
    for name, value in SMALL.items():
        page.locator(f'[name="{name}"]').fill(value)


def test_pick_a_sample_see_the_verdict_and_download_a_pdf(page: Page, tmp_path: Path) -> None:
    pick_sample(page)
    make_small(page)
    page.get_by_role("button", name="Evaluate this offer").click()
    verdict = page.locator(".verdict-label")
    expect(verdict).to_contain_text(VERDICT)
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF report").first.click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    shown = VERDICT.search(verdict.inner_text())
    assert shown is not None
    assert shown.group(1) in reader.pages[0].extract_text()


def test_a_bad_fee_is_shown_beside_its_field_and_the_rest_is_kept(page: Page) -> None:
    pick_sample(page)
    make_small(page)
    company = page.get_by_label("Company or offer name").input_value()
    kit = page.get_by_label("Starter kit (one-time)").input_value()
    fees = page.locator("#s-costs-monthly_fees > .rows > .row")
    n_fees = fees.count()
    page.locator('[name="assumptions.market_size"]').fill("300000")
    fee = page.get_by_label("Enrollment fee (one-time)")
    fee.fill("-49")
    fee.press("Enter")  # Enter evaluates; it never adds or removes a row

    field = page.locator(".field", has=page.locator("#f-costs-enrollment_fee"))
    expect(field.locator(".error-message")).to_have_text(
        "-49 is negative; amounts cannot be negative"
    )
    expect(page.locator("#f-costs-enrollment_fee")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.get_by_label("Enrollment fee (one-time)")).to_have_value("-49")
    expect(page.get_by_label("Company or offer name")).to_have_value(company)
    expect(page.get_by_label("Starter kit (one-time)")).to_have_value(kit)
    expect(page.locator('[name="assumptions.market_size"]')).to_have_value("300000")
    expect(fees).to_have_count(n_fees)
    page.locator("#form-errors a").first.click()
    expect(page.locator("#f-costs-enrollment_fee")).to_be_focused()


def test_add_and_remove_a_component_and_a_product_row(page: Page) -> None:
    pick_sample(page)
    make_small(page)
    components = page.locator("#s-compensation-components > .rows > .row")
    products = page.locator("#s-products > .rows > .row")
    n_components, n_products = components.count(), products.count()

    page.get_by_role("button", name="Add a pay component").click()
    expect(components).to_have_count(n_components + 1)
    new = components.nth(n_components)
    type_select = new.get_by_label("Type")
    expect(type_select).to_be_focused()
    type_select.select_option("binary")
    expect(new.get_by_label("Rate", exact=True)).to_be_visible()
    expect(new.get_by_label("Rates per level")).to_be_hidden()
    type_select.select_option("matrix")
    expect(new.get_by_label("Matrix width")).to_be_visible()
    expect(new.get_by_label("Rate", exact=True)).to_be_hidden()
    new.get_by_role("button", name=re.compile("Remove pay component")).click()
    expect(components).to_have_count(n_components)

    page.get_by_role("button", name="Add a product").click()
    expect(products).to_have_count(n_products + 1)
    row = products.nth(n_products)
    expect(row.locator("legend")).to_have_text(f"Product {n_products + 1}")
    row.get_by_label("Product name").fill("Herbal tea, 20 bags")
    row.get_by_label("Price a participant pays").fill("9")
    row.get_by_label("Price a customer pays").fill("12")
    products.nth(0).get_by_role("button", name=re.compile("Remove product")).click()
    expect(products).to_have_count(n_products)
    expect(page.locator('[name="products[0].name"]')).to_have_count(1)
    expect(page.locator(f'[name="products[{n_products - 1}].name"]')).to_have_value(
        "Herbal tea, 20 bags"
    )
    page.get_by_role("button", name="Evaluate this offer").click()
    expect(page.locator(".verdict-label")).to_contain_text(VERDICT)
    expect(page.locator("article.report")).to_contain_text("Herbal tea, 20 bags")


def test_a_changed_assumption_is_in_the_reports_assumptions_table(page: Page) -> None:
    pick_sample(page)
    make_small(page)
    page.get_by_label(re.compile(r"^Monthly churn")).fill("0.09")
    page.get_by_role("button", name="Evaluate this offer").click()
    row = page.locator("table.assumptions tr", has=page.locator("code", has_text="monthly_churn"))
    expect(row).to_contain_text("0.09")
    expect(row).to_contain_text("changed")
    untouched = page.locator("table.assumptions tr",
                             has=page.locator("code", has_text="market_size"))
    expect(untouched).not_to_contain_text("changed")


def test_rows_work_with_javascript_off(browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    try:
        pick_sample(page)
        components = page.locator("#s-compensation-components > .rows > .row")
        count = components.count()
        page.get_by_role("button", name="Add a pay component").click()
        expect(components).to_have_count(count + 1)
        expect(page.get_by_label("Company or offer name")).not_to_have_value("")
        components.nth(0).get_by_role("button", name=re.compile("Remove pay component")).click()
        expect(components).to_have_count(count)
    except Exception:
        Path("test-results").mkdir(exist_ok=True)
        page.screenshot(path="test-results/test_rows_work_with_javascript_off.png",
                        full_page=True)
        raise
    finally:
        context.close()


def test_readable_on_a_phone(browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        pick_sample(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the form is {width}px wide on a 390px screen"
        make_small(page)
        page.get_by_role("button", name="Evaluate this offer").click()
        expect(page.locator(".verdict-label")).to_contain_text(VERDICT)
        box = page.locator(".verdict").bounding_box()
        assert box is not None
        assert box["width"] <= 390
    except Exception:
        Path("test-results").mkdir(exist_ok=True)
        page.screenshot(path="test-results/test_readable_on_a_phone.png", full_page=True)
        raise
    finally:
        context.close()


def test_keyboard_alone_reaches_the_form(page: Page) -> None:
    page.goto("/form")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_label("Sample offer").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Fill the form with this sample")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("sample plan")


def test_no_page_breaks_its_content_security_policy(page: Page) -> None:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    pick_sample(page)
    make_small(page)
    page.get_by_role("button", name="Evaluate this offer").click()
    expect(page.locator(".verdict-label")).to_contain_text(VERDICT)
    images = page.locator("article.report img")
    assert images.count() >= 1
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.goto("/methodology")
    violations = [m for m in messages if "Content Security Policy" in m]
    assert violations == []


def test_the_standalone_html_report_styles_itself_under_its_policy(
    page: Page, live_server: str
) -> None:
    plan = (Path(__file__).resolve().parents[2] / "plan_samples" / f"{SAMPLE}.json").read_bytes()
    response = page.request.post(
        f"{live_server}/api/v1/evaluate?format=html&runs=2&max_participants=1500",
        data=plan, headers={"Content-Type": "application/json"},
    )
    assert response.ok
    assert "sha256-" in response.headers["content-security-policy"]
    body, headers = response.body(), response.headers
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.route(f"{live_server}/standalone", lambda route: route.fulfill(
        status=200, headers=headers, body=body))
    page.goto(f"{live_server}/standalone")
    border = page.evaluate("getComputedStyle(document.querySelector('.verdict')).borderTopStyle")
    assert border == "solid", "the report's own style sheet applies"
    assert [m for m in messages if "Content Security Policy" in m] == []
