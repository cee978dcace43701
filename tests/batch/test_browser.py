"""The batch page in a real browser: upload a CSV, read the table, download the results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.batch.helpers import INLINE, write_csv

pytestmark = pytest.mark.browser

JOB_TIMEOUT_MS = 180_000
"""How long a test waits for a job page to finish (the page reloads itself until then; five
rows take well over Playwright's default 5 s on a shared machine)."""


def test_upload_a_csv_read_every_row_and_download_the_results(page: Page,
                                                              tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offers.csv", list(INLINE),
                     [INLINE, INLINE | {"company_name": "Bad Fee", "enrollment_fee": "lots"}])
    page.goto("/batch")
    page.set_input_files("#f-csv", str(path))
    page.click("#score-batch")
    expect(page.locator("#batch-summary")).to_contain_text("2 rows: 1 scored, 1 invalid",
                                                          timeout=JOB_TIMEOUT_MS)
    rows = page.locator("#batch-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("enrollment_fee: 'lots' is not a number")
    with page.expect_download() as info:
        page.click("#download-csv")
    saved = tmp_path / "results.csv"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "offers-results.csv"
    results = pd.read_csv(saved, dtype=str, keep_default_na=False)
    assert list(results["row"]) == ["2", "3"]
    assert list(results["status"]) == ["scored", "invalid"]


def test_the_bundled_web_example_scores_every_row_and_says_why(page: Page) -> None:
    """The example the page offers has no plan_file rows, so every row scores on the web; each
    scored row says which red flag set its floor, or that none did."""
    page.goto("/batch")
    page.get_by_role("button", name="Score the web example").click()
    expect(page.locator("#batch-summary")).to_contain_text("5 rows: 5 scored, 0 invalid",
                                                          timeout=JOB_TIMEOUT_MS)
    reasons = page.locator("#batch-rows tbody tr td:last-child").all_inner_texts()
    assert len(reasons) == 5
    for reason in reasons:
        assert reason.startswith(("Red flag: ", "Score ")), reason
    assert any("sets the verdict to at least High risk" in r for r in reasons)
    assert any(r.endswith("no red flag applied.") for r in reasons)
