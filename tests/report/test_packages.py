"""Enrollment packages (schema v1.1) in the report: as entered, and each one's cost and outcome."""

from __future__ import annotations

from collections.abc import Callable

from evaluator.evaluation import Evaluation
from tests.report.helpers import flat, render
from tests.report.test_html import Outline


def _text(evaluation: Evaluation) -> str:
    page = Outline()
    page.feed(render("html", evaluation).decode("utf-8"))
    return flat(" ".join(page.text))


def test_the_report_shows_each_package_s_cost_and_outcome(
        evaluation_of: Callable[[str], Evaluation]) -> None:
    evaluation = evaluation_of("package_tiers_plan")
    text = _text(evaluation)
    assert "Each enrollment package: what it costs and what happens to its buyers" in text
    out = evaluation.to_dict()
    for package, buyers in zip(out["economics"]["packages"],
                               out["simulation"]["by_package"], strict=True):
        assert package["name"] == buyers["name"]
    assert "VIP (gives the rank Owner)" in text
    # VIP: 430 up front, then the 7 a month online store: 430 + 12 x 7 = 514 in the first year
    assert "VIP (gives the rank Owner) 48.4% (not known: an even split of the rest) $430 $514" \
        in text
    # Then the monthly cost at the rank held (Owner: no discount, so the 7 of the store) and
    # the active recruits to break even (never: the plan requires no purchase, so a recruit's
    # volume pays nothing).
    assert "$430 $514 $7 (Owner) never" in text
    assert "Enrollment package: Basic" in text  # the plan as entered


def test_a_v1_report_has_no_package_table(evaluation_of: Callable[[str], Evaluation]) -> None:
    assert "Each enrollment package" not in _text(evaluation_of("package_plan"))
