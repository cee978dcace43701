"""Batch test helpers: a small simulation, and a batch of every sample plus broken rows."""

from __future__ import annotations

import csv
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.batch import BatchSettings, RowOutcome, score_row
from evaluator.batch_rows import SourceRow
from evaluator.resources import data_dir

SMALL: Mapping[str, str] = {"max_participants": "300", "runs": "1", "horizon_months": "24"}
"""A tiny simulation: the batch machinery is under test here, not the simulation."""

SMALL_SET = [arg for name, value in SMALL.items() for arg in ("--set", f"{name}={value}")]

INLINE = {
    "company_name": "Inline Unilevel",
    "currency": "USD",
    "enrollment_fee": "49",
    "required_monthly_purchase": "100",
    "wholesale_price": "40",
    "retail_price": "50",
    "plan_type": "unilevel",
    "level_rates": "0.05;0.05;0.03",
}


@dataclass(frozen=True)
class Batch:
    """A batch CSV on disk and what each of its rows must become."""

    path: Path
    expected: dict[int, tuple[str, str, str]]
    """row -> (status, error columns, start of the errors cell); "" matches anything."""


def write_csv(path: Path, header: list[str], rows: list[list[str] | dict[str, str]]) -> Path:
    """Write ``rows`` (lists of cells, or dicts by column) under ``header``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row if isinstance(row, list) else [row.get(n, "") for n in header])
    return path


def make_every_kind(root: Path) -> Batch:
    """Every bundled sample (as plan_file rows), every plan type inline, and broken rows."""
    folder = root / "offers"
    folder.mkdir()
    samples = sorted(data_dir("plan_samples").glob("*.json"))
    for sample in samples:
        shutil.copy(sample, folder / sample.name)
    (folder / "broken.json").write_text('{"company": ', "utf-8")
    (folder / "invalid.json").write_text(
        '{"company": {"name": "X"}, "costs": {"currency": "USD"}, "products": [], '
        '"compensation": {"components": [{"type": "retail_margin"}]}}', "utf-8")
    header = [*INLINE, "matrix_width", "rank_min_group_volume", "notes", "plan_file"]
    rows: list[list[str] | dict[str, str]] = []
    expected: dict[int, tuple[str, str, str]] = {}

    def add(row: list[str] | dict[str, str], status: str, columns: str = "",
            errors: str = "") -> None:
        rows.append(row)
        expected[len(rows) + 1] = (status, columns, errors)

    for sample in samples:
        add({"plan_file": sample.name}, "scored")
    add(INLINE, "scored")
    add(INLINE | {"company_name": "Inline Binary", "plan_type": "binary", "level_rates": "0.1"},
        "scored")
    add(INLINE | {"company_name": "Inline Matrix", "plan_type": "matrix", "matrix_width": "3"},
        "scored")
    add(INLINE | {"company_name": "Inline Breakaway", "plan_type": "breakaway",
                  "rank_min_group_volume": "2000"}, "scored")
    add(INLINE | {"company_name": "Inline Single", "plan_type": "single_level",
                  "level_rates": ""}, "scored")
    add(INLINE | {"company_name": '=HYPERLINK("http://example.invalid","x")',
                  "notes": "+SUM(A1:A9)"}, "scored")
    add(INLINE | {"enrollment_fee": "forty"}, "invalid", "enrollment_fee",
        "enrollment_fee: 'forty' is not a number")
    add(INLINE | {"level_rates": "0.05;1.5"}, "invalid", "level_rates",
        "level_rates: level 2: 1.5 is outside the allowed range 0 to 1: did you mean 1.5%?")
    add(INLINE | {"company_name": "@evil", "plan_type": ""}, "invalid", "plan_type",
        "plan_type: is required")
    add({"plan_file": "missing.json"}, "invalid", "plan_file",
        "plan_file: 'missing.json' does not exist")
    add({"plan_file": "broken.json"}, "invalid", "plan_file",
        "plan_file: broken.json: not valid JSON")
    add({"plan_file": "invalid.json"}, "invalid", "plan_file",
        "plan_file: invalid.json: products: is empty")
    add({"plan_file": "../outside.json"}, "invalid", "plan_file",
        "plan_file: '../outside.json' leaves the CSV's folder")
    add([], "invalid", "", "the row is empty")
    add(list(header), "invalid", "", "the row repeats the header")
    add([*INLINE.values(), "", "", "", "", "surplus"], "invalid", "",
        "the row has 13 cells but the header has 12 columns")
    add(INLINE | {"company_name": "Last row"}, "scored")
    return Batch(write_csv(folder / "offers.csv", header, rows), expected)


ENDS_ITS_WORKER = "Ends its worker"
"""The company name of a row whose scoring ends the worker process (see :func:`score_or_end`)."""


def score_or_end(source: SourceRow, settings: BatchSettings) -> RowOutcome:
    """Score a row like the batch does, except that the row named :data:`ENDS_ITS_WORKER`
    ends the process scoring it at once, every time (as the system killing it would).

    Worker processes receive the function to run from the batch process by name, so a test
    that puts this function in place of ``evaluator.batch.score_row`` there has every worker
    run it.
    """
    if source.label == ENDS_ITS_WORKER:
        os._exit(70)
    return score_row(source, settings)


JOB_WAIT = 120
"""Most seconds a test waits for a web batch job to finish."""


def job_page(client: Any, response: Any) -> Any:
    """The finished page of the batch job a ``POST /batch`` started (303 to its address).

    Reloads the job's page, as the browser's meta refresh does, until it no longer refreshes;
    any other response (a refusal) is returned as it is.
    """
    if response.status_code != 303:
        return response
    location = response.headers["Location"]
    deadline = time.monotonic() + JOB_WAIT
    while True:
        page = client.get(location)
        if 'http-equiv="refresh"' not in page.get_data(as_text=True):
            return page
        assert time.monotonic() < deadline, f"the batch job at {location} did not finish"
        time.sleep(0.05)
