"""The report's "plan as entered" shows rates by rank (schema v1.1) in a table of their own."""

from __future__ import annotations

from evaluator.evaluation import evaluate_document
from evaluator.resources import data_dir
from tests.report.test_bonus_terms import SMALL, _rows


def test_the_stairstep_sample_shows_its_rates_by_rank() -> None:
    rows = _rows("rank_rates_stairstep.json")
    assert ["Rank", "Discount off retail", "Unilevel rates", "Binary rate",
            "Team size needed"] in rows
    assert ["Distributor", "25%", "", "", ""] in rows
    assert ["Senior Consultant", "35%", "", "", ""] in rows
    assert ["Supervisor", "50%", "5%, 2%, 1%", "", ""] in rows
    assert ["World Team", "50%", "", "", "10"] in rows


def test_a_plan_without_rates_by_rank_has_no_such_table() -> None:
    rows = _rows("nutrition_club_plan.json")
    assert not any(r and r[0] == "Rank" and "Discount off retail" in r for r in rows)


def test_the_sample_evaluates_to_the_same_bytes_twice() -> None:
    data = (data_dir("plan_samples") / "rank_rates_stairstep.json").read_bytes()
    first = evaluate_document(data, overrides=SMALL, seed=3).to_json()
    assert evaluate_document(data, overrides=SMALL, seed=3).to_json() == first
