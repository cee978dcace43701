"""How the indicators read schema v1.1's first-order bonuses and conditions on a bonus.

A first-order bonus of fixed amounts is a sum per head (a bounty, as an enrollment bonus is,
gated or not); one of rates pays on the product the recruit buys, which is not paying for
recruiting alone: its product part is pay from own purchases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluator.evaluation import evaluate_document
from evaluator.rubric import load_rubric, score
from tests.rubric.test_indicators import _indicators, _plan

RANKS = [{"name": "Director", "min_active_legs": 2}]


def _with(*components: dict[str, Any]) -> Any:
    return _plan(compensation__components=[{"type": "retail_margin"}, *components],
                 compensation__ranks=RANKS)


def test_a_first_order_bonus_on_product_is_not_a_bounty_per_head() -> None:
    plan = _with({"type": "first_order_bonus", "rates": [0.1], "min_recruit_order_volume": 100,
                  "requires_rank": "Director"})
    found = _indicators(plan)["pays_for_recruiting_alone"]
    assert found.value is False
    assert found.detail == (
        "Nothing is paid for a sign-up as such; pay needs product volume. The first-order bonus "
        "(10% of a recruit's first order, paid when the recruit's first order reaches 100 of "
        "volume and to a recruiter who holds the rank Director) is not a bounty per head: it "
        "pays on product the recruit buys, counted as pay from own purchases (from sales to "
        "customers only for the share the recruit uses), and on a kit or package as pay for "
        "recruiting.")
    levels = {i.indicator.id: i.level for i in score(load_rubric(), list(
        _indicators(plan).values())).indicators}
    assert levels["pays_for_recruiting_alone"] == "low"


def test_a_first_order_bonus_of_fixed_amounts_is_a_bounty_gated_or_not() -> None:
    plan = _with({"type": "first_order_bonus", "amounts": [40, 10],
                  "min_recruit_order_volume": 100})
    found = _indicators(plan)["pays_for_recruiting_alone"]
    assert found.value is True
    assert ("a first-order bonus of $50 per recruit (all levels), paid when the recruit's first "
            "order reaches 100 of volume, a fixed sum per head") in found.detail


def test_a_gated_enrollment_bonus_is_still_a_bounty() -> None:
    plan = _with({"type": "enrollment_bonus", "amounts": [50], "requires_rank": "Director"})
    found = _indicators(plan)["pays_for_recruiting_alone"]
    assert found.value is True
    assert "$50 per sign-up (all levels), paid to a recruiter who holds the rank Director" in (
        found.detail)


def test_recruiting_share_says_where_a_first_order_bonus_counts() -> None:
    plan = _with({"type": "first_order_bonus", "rates": [0.1]})
    found = _indicators(plan)["recruiting_reward_fraction"]
    assert found.value == 0.2
    assert found.detail.endswith("its part paid on the product they buy counts with own "
                                 "purchases.")
    without = _indicators(_with())["recruiting_reward_fraction"]
    assert "first-order" not in without.detail


def test_the_team_bonus_sample_is_not_read_as_a_bounty_its_v1_approximation_is() -> None:
    path = Path(__file__).resolve().parents[2] / "plan_samples" / "team_bonus_first_order.json"
    doc = json.loads(path.read_bytes())
    setting = {"max_participants": "2000", "runs": "1", "horizon_months": "24"}
    kept = evaluate_document(doc, overrides=setting, seed=7)
    assert kept.to_dict()["simulation"]["pay_by_component"]["first_order_bonus"] > 0
    assert kept.verdict == "Lower risk"
    # Schema v1 could only say "a bonus per sign-up": the team bonus as an enrollment bonus.
    v1 = {**doc, "schema_version": "1"}
    v1["compensation"] = {**doc["compensation"], "ranks": [
        {k: v for k, v in r.items() if k not in ("advancement_bonus", "fast_start_bonus",
                                                 "fast_start_within_months")}
        for r in doc["compensation"]["ranks"]]}
    v1["compensation"]["components"] = [
        {"type": "enrollment_bonus", "amounts": [3]} if c["type"] == "first_order_bonus" else c
        for c in doc["compensation"]["components"]]
    approximated = evaluate_document(v1, overrides=setting, seed=7)
    assert approximated.verdict == "High risk"
    assert "pays_for_recruiting_alone" in {o.indicator for o in
                                           approximated.score.overrides_applied}
