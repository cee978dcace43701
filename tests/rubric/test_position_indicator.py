"""The pays_return_on_position indicator (schema v1.1) and how the default rubric judges it."""

from __future__ import annotations

from typing import Any

from evaluator.rubric import Rubric, score
from tests.rubric.test_indicators import SIMULATION, _indicators, _plan

ADS = {"type": "position_return", "rate_of_price": 0.05, "months_paid": 12,
       "requires_task": "post one ad a day"}
PACKAGES = [{"name": "Ad package", "price": 289}, {"name": "Family package", "price": 1375}]


def _with(component: dict[str, Any], **changes: Any) -> dict[str, Any]:
    found = _indicators(_plan(compensation__components=[{"type": "retail_margin"}, component],
                              **changes))
    return {k: (v.value, v.detail) for k, v in found.items()}


def test_a_return_on_ones_package_is_found_and_worded() -> None:
    value, detail = _with(ADS, costs={"currency": "USD", "packages": PACKAGES})[
        "pays_return_on_position"]
    assert value is True
    assert detail.startswith("The plan pays 5% of the price paid to join a month for 12 months "
                             "from joining, for: post one ad a day, for holding a position")


def test_a_fixed_amount_while_active() -> None:
    value, detail = _with({"type": "position_return", "per_month": 25})["pays_return_on_position"]
    assert value is True
    assert "$25 a month every month while active" in detail


def test_a_return_of_nothing_is_not_one() -> None:
    assert _with({"type": "position_return", "per_month": 0})["pays_return_on_position"][0] is False
    # A share of a price of nothing: no packages, no kit, no inventory.
    assert _with({"type": "position_return", "rate_of_price": 0.1})[
        "pays_return_on_position"][0] is False


def test_v1_plan_cannot_say_so_it_stays_unknown() -> None:
    found = _indicators(_plan())["pays_return_on_position"]
    assert found.value is None
    assert "schema v1 cannot state" in found.detail
    # A v1.1 plan (here: with a pool) that lists no such return: no.
    pool = _plan(compensation__components=[{"type": "pool", "share": 0.02, "rank": "Star"}],
                 compensation__ranks=[{"name": "Star"}])
    assert _indicators(pool)["pays_return_on_position"].value is False


def test_recruiting_share_says_it_counts_the_returns() -> None:
    detail = _with(ADS, costs={"currency": "USD", "starter_kit": 100})[
        "recruiting_reward_fraction"][1]
    assert "returns on participants' own positions" in detail
    assert "returns on" not in _indicators(_plan())["recruiting_reward_fraction"].detail


def test_the_rubric_sets_high_risk_on_a_return_and_skips_the_unknown(
        default_rubric: Rubric) -> None:
    plan = _plan(compensation__components=[{"type": "retail_margin"}, ADS],
                 costs={"currency": "USD", "packages": PACKAGES})
    found = _indicators(plan, SIMULATION)
    raised = score(default_rubric, list(found.values()))
    assert raised.verdict == "High risk"
    assert "pays_return_on_position" in [o.indicator for o in raised.overrides_applied]
    v1 = score(default_rubric, list(_indicators(_plan(), SIMULATION).values()))
    entry = next(s for s in v1.indicators if s.id == "pays_return_on_position")
    assert entry.level is None  # unknown: skipped, not scored as "no"
    assert "pays_return_on_position" not in [o.indicator for o in v1.overrides_applied]
