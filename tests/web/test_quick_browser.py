"""The recruit's quick check in Debian's chromium: the pitch of issue 20 entered on a desktop
and on a phone, the bottom line in money read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PITCH: tuple[tuple[str, str], ...] = (
    ("What does it cost to start?", "$99"),
    ("What must you buy each month to stay active?", "$129"),
    ("What do you pay for the product?", "45"),
    ("What do customers pay for it?", "60"),
    ("What do you earn on your own customers?", "25%"),
    ("What do you get for each person you sign up?", "$50"),
    ("What do you earn on your team, level by level?", "10%, 5%, 5%"),
)
"""'$99 to start, $129/month autoship; retail $60, you pay $45; 25% on your own customers,
10% on level 1, 5% on levels 2 and 3, $50 fast-start bonus per sign-up.'"""

DOWN = re.compile(r"down about \$[0-9,]+")


def enter_the_pitch(page: Page) -> int:
    """Type the pitch into the quick check with the keyboard; the controls used."""
    page.goto("/")
    used = 0
    for label, value in PITCH:
        page.get_by_label(label, exact=True).fill(value)
        used += 1
    page.get_by_role("group", name="Is that an automatic monthly order (autoship)?") \
        .get_by_label("Yes").check()
    page.get_by_label("I buy the product and resell it to them").check()
    return used + 2


def read_the_bottom_line(page: Page) -> str:
    page.get_by_role("button", name="Show what joining would cost me").click()
    line = page.locator(".bottom-first-year")
    expect(line).to_contain_text(DOWN, timeout=60_000)
    return line.inner_text()


def _run(browser: Browser, base_url: str, viewport: dict[str, int], name: str,
         **options: bool) -> tuple[int, str]:
    context = browser.new_context(viewport=viewport, base_url=base_url, **options)
    page = context.new_page()
    try:
        used = enter_the_pitch(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the quick check is {width}px wide"
        Path("test-results").mkdir(exist_ok=True)
        page.screenshot(path=f"test-results/quick-{name}.png", full_page=True)
        text = read_the_bottom_line(page)
        page.screenshot(path=f"test-results/quick-{name}-result.png")
        return used, text
    finally:
        context.close()


def test_the_pitch_on_a_desktop_gives_the_bottom_line_in_money(browser: Browser,
                                                                base_url: str) -> None:
    used, text = _run(browser, base_url, {"width": 1280, "height": 900}, "desktop")
    assert used == 9
    assert "In your first year you would be down about $" in text


def test_the_pitch_on_a_phone_fits_the_screen(browser: Browser, base_url: str) -> None:
    _, text = _run(browser, base_url, {"width": 390, "height": 844}, "phone",
                   is_mobile=True, has_touch=True)
    assert DOWN.search(text)


def test_the_pitch_takes_few_tab_stops(page: Page) -> None:
    """Every control of the visible quick check is one tab stop (a radio group is one)."""
    page.goto("/")
    page.locator("#quick-form").focus()
    stops = page.evaluate("""() => {
        const form = document.getElementById('quick-form');
        const radios = new Set();
        let n = 0;
        for (const el of form.querySelectorAll('input, select, button, summary, a[href]')) {
            if (el.type === 'hidden' || el.tabIndex < 0 || !el.checkVisibility()) continue;
            if (el.type === 'radio') { if (radios.has(el.name)) continue; radios.add(el.name); }
            n += 1;
        }
        return n;
    }""")
    print(f"quick check tab stops: {stops}")
    assert stops <= 20


def test_the_full_form_opens_filled_with_the_answers(page: Page) -> None:
    enter_the_pitch(page)
    page.get_by_role("button", name="Open the full form with these answers").click()
    expect(page.get_by_role("status")).to_contain_text("quick-check answers ($99: the starter kit")
    expect(page.get_by_label("Starter kit (one-time)")).to_have_value("99")
    expect(page.get_by_label("Required purchase (per month)")).to_have_value("129")
