"""Named YAML cases per indicator (tests/rubric_cases/<id>.yaml): value -> level, default rubric."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.indicators import INDICATORS
from evaluator.rubric import Rubric

CASES_DIR = Path(__file__).resolve().parent.parent / "rubric_cases"


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        assert doc["indicator"] == path.stem, f"{path.name} names {doc['indicator']!r}"
        for case in doc["cases"]:
            params.append(
                pytest.param(
                    doc["indicator"], case["value"], case["level"],
                    id=f"{doc['indicator']}-{case['name']}",
                )
            )
    return params


@pytest.mark.parametrize(("indicator_id", "value", "level"), _load_cases())
def test_case(default_rubric: Rubric, indicator_id: str, value: Any, level: str | None) -> None:
    entry = default_rubric.indicator(indicator_id)
    assert entry is not None, f"{indicator_id} is not in the default rubric"
    assert entry.level_for(value) == level


def test_every_indicator_has_cases() -> None:
    files = {p.stem for p in CASES_DIR.glob("*.yaml")}
    assert files == set(INDICATORS)


def test_every_case_file_covers_unknown_or_is_never_unknown() -> None:
    """Each indicator that can be unknown has a case saying how the unknown is judged."""
    can_be_unknown = {
        "customer_sales_pay_fraction", "recruiting_reward_fraction", "own_purchases_count",
        "reported_retail_fraction", "price_premium_fraction", "break_even_customers_per_month",
        "payback_months", "break_even_active_recruits", "recruitment_depth_exceeding_market",
        "buyback_refund_fraction", "late_joiner_fraction_losing_money", "top_1pct_pay_share",
        "income_disclosure_net_of_costs", "disclosed_fraction_earning_nothing",
        "disclosure_rosier_than_simulation", "pays_return_on_position",
    }
    for ind_id in sorted(can_be_unknown):
        doc = yaml.safe_load((CASES_DIR / f"{ind_id}.yaml").read_text("utf-8"))
        assert any(c["value"] is None for c in doc["cases"]), ind_id
