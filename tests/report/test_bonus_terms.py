"""The report's "plan as entered" states the schema v1.1 bonus rules in words."""

from __future__ import annotations

from html.parser import HTMLParser

from evaluator.evaluation import evaluate_document
from evaluator.report.html import render_page
from evaluator.resources import data_dir

SMALL = {"max_participants": "300", "runs": "1", "horizon_months": "6"}


class _Rows(HTMLParser):
    """Every table row's cells, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _rows(sample: str) -> list[list[str]]:
    data = (data_dir("plan_samples") / sample).read_bytes()
    parser = _Rows()
    parser.feed(render_page(evaluate_document(data, overrides=SMALL, seed=1)))
    return parser.rows


def test_the_matching_bonus_sample_shows_its_terms() -> None:
    assert ["matching bonus", "by generation of enrollees: 20%, 10%, 5% of what each earns in "
            "a month (every component but retail margin)"] in _rows("binary_matching_bonus.json")


def test_the_retail_share_gate_sample_shows_its_gate() -> None:
    assert ["Retail-share gate", "at least 51% of one's whole group's volume (one's own "
            "included) sold to customers outside the network; below it, no downline pay that "
            "month (retail margin and commission on one's own customers are kept)"] in \
        _rows("retail_share_gate_binary.json")


def test_the_pinned_ranks_sample_shows_its_rank_rules() -> None:
    rows = _rows("stairstep_pinned_ranks.json")
    (director,) = [r for r in rows if r and r[0] == "Rank: Director"]
    assert director[1].endswith("; at most 50% of its group volume from one leg")
    (executive,) = [r for r in rows if r and r[0] == "Rank: Executive"]
    assert executive[1].endswith(
        "; at most 50% of its group volume from one leg; all met 3 months in a row")
    assert ["Ranks kept once reached", "the highest rank reached is kept as a title; pay "
            "follows the rank qualified for each month; it lapses unless requalified within 12 "
            "months"] in rows


def test_a_v1_sample_shows_no_rank_rules() -> None:
    rows = _rows("stairstep_breakaway.json")
    assert not [r for r in rows if r and r[0] == "Ranks kept once reached"]
    (director,) = [r for r in rows if r and r[0] == "Rank: Director"]
    assert "one leg" not in director[1]
    assert "in a row" not in director[1]


def test_compression_terms() -> None:
    from evaluator.report.html import component_terms
    unilevel = {"type": "unilevel", "rates": [0.05], "basis": "all"}
    assert component_terms(unilevel | {"compression": True}, "USD").endswith("; compression")
    assert component_terms(unilevel | {"compression": "dynamic"}, "USD").endswith(
        "; compression by level (uplines with the level locked are skipped)")
    assert "compression" not in component_terms(unilevel | {"compression": False}, "USD")
