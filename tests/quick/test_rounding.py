"""One rounding rule: a sentence never rounds a figure differently from the table beside it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluator import indicators
from evaluator.evaluation import evaluate_document
from evaluator.report import view
from evaluator.report.html import render_html_fragment

SAMPLES = Path(__file__).resolve().parents[2] / "plan_samples"
PERCENT = re.compile(r"(?<![\d.])[<]?\d+(?:\.\d+)?%")


@pytest.mark.parametrize("share", [0.9994, 0.999, 0.623, 0.0951, 0.0004, 0.5, 0.0])
def test_sentences_and_tables_write_a_share_alike(share: float) -> None:
    assert indicators.pct(share) == view.percent(share)


class _Rows(HTMLParser):
    """The indicator table's rows, as the text of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.mark.parametrize("sample", ["autoship_unilevel_wellness", "recruiting_fee_plan"])
def test_a_rendered_report_never_contradicts_its_table(sample: str) -> None:
    doc = json.loads((SAMPLES / f"{sample}.json").read_text("utf-8"))
    evaluation = evaluate_document(doc, {"runs": 1, "max_participants": 1500,
                                         "horizon_months": 36})
    parser = _Rows()
    parser.feed(str(render_html_fragment(evaluation)))
    checked = 0
    for row in parser.rows:
        if len(row) < 4 or not PERCENT.fullmatch(row[1]):
            continue
        table, sentence = row[1], row[3]
        stated = PERCENT.findall(sentence)
        # a sentence that states the row's own figure states it as the table does
        near = [p for p in stated if abs(float(p.strip("<%")) - float(table.strip("<%"))) < 1]
        assert all(p == table for p in near), (row[0], table, sentence)
        checked += len(near)
    assert checked >= 3
