"""Enrollment packages (schema v1.1 ``costs.packages``): validation, versions and economics."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.errors import PlanValidationError
from evaluator.model import Plan
from evaluator.schema import plan_version, validate_plan

DOC: dict[str, Any] = {
    "company": {"name": "Packages"},
    "costs": {"currency": "USD", "enrollment_fee": 50, "required_monthly_purchase": 100,
              "packages": [{"name": "Basic", "price": 100, "share": 0.75},
                           {"name": "VIP", "price": 500, "volume": 400, "rank": "Mogul"}]},
    "products": [{"name": "Box", "wholesale_price": 100, "retail_price": 150}],
    "compensation": {"components": [{"type": "retail_margin"}, {"type": "rank_bonus"}],
                     "ranks": [{"name": "Mogul", "monthly_bonus": 20}]},
}


def doc(**costs: Any) -> dict[str, Any]:
    out = copy.deepcopy(DOC)
    out["costs"].update(costs)
    return out


def errors(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PlanValidationError) as raised:
        validate_plan(document)
    return {e.path: e.message for e in raised.value.errors}


def test_packages_are_schema_one_point_one() -> None:
    assert plan_version(doc()) == "1.1"
    assert Plan.from_dict(doc()).schema_version == "1.1"
    stated = doc()
    stated["schema_version"] = "1"
    found = errors(stated)
    assert list(found) == ["costs.packages"]
    assert 'set schema_version to "1.1"' in found["costs.packages"]


def test_a_package_must_name_a_rank_the_plan_has() -> None:
    bad = doc()
    bad["costs"]["packages"][1]["rank"] = "Emperor"
    assert "'Emperor' is not a rank of compensation.ranks" in errors(bad)[
        "costs.packages[1].rank"]


def test_package_shares_must_add_up() -> None:
    over = doc()
    over["costs"]["packages"][1]["share"] = 0.5
    assert "add up to 1.25" in errors(over)["costs.packages[1].share"]
    short = doc()
    short["costs"]["packages"][1]["share"] = 0.2
    assert "must add up to 1" in errors(short)["costs.packages[1].share"]


def test_packages_and_an_inventory_package_are_not_both_given() -> None:
    assert "costs.inventory_package" in errors(doc(inventory_package=300))
    assert validate_plan(doc(inventory_package=0))


def test_package_names_are_unique() -> None:
    twice = doc()
    twice["costs"]["packages"][1]["name"] = "Basic"
    assert "used twice" in errors(twice)["costs.packages[1].name"]


def test_unknown_shares_split_what_the_known_leave() -> None:
    plan = Plan.from_dict(doc())
    assert plan.costs.package_shares() == (0.75, 0.25)
    none_known = doc()
    for p in none_known["costs"]["packages"]:
        p.pop("share", None)
    assert Plan.from_dict(none_known).costs.package_shares() == (0.5, 0.5)


def test_economics_per_package_and_the_expected_start_up_cost() -> None:
    e = compute_economics(Plan.from_dict(doc()), Assumptions.defaults())
    # monthly cost 100 (the required purchase); profit per customer 150 - 100 = 50.
    assert e.monthly_cost == 100
    # 50 + 0.75 x 100 + 0.25 x 500
    assert e.startup_cost == pytest.approx(250.0)
    basic, vip = e.to_dict()["packages"]
    assert (basic["startup_cost"], basic["first_year_cost"]) == (150.0, 1350.0)
    assert (vip["startup_cost"], vip["first_year_cost"]) == (550.0, 1750.0)
    # ceil(first-year cost / (12 x 50)): 1350 / 600 -> 3; 1750 / 600 -> 3
    assert basic["break_even_customers_first_year"] == 3
    assert vip["break_even_customers_first_year"] == 3
    # default customers_per_participant x 50 - 100 a month never pays back
    typical = Assumptions.defaults()["customers_per_participant"]
    assert (typical * 50 - 100 <= 0) == (basic["payback_months"] is None)
    assert (vip["share"], vip["share_known"], vip["rank"]) == (0.25, False, "Mogul")


def test_a_v1_plan_has_no_package_figures() -> None:
    v1 = copy.deepcopy(DOC)
    del v1["costs"]["packages"]
    assert "packages" not in compute_economics(Plan.from_dict(v1),
                                               Assumptions.defaults()).to_dict()


SMALL = {"max_participants": "500", "runs": "1", "horizon_months": "12"}


def test_package_loading_is_stated_and_swept_only_where_a_plan_has_packages() -> None:
    from evaluator.evaluation import evaluate_document

    with_packages = evaluate_document(json.dumps(DOC).encode(), overrides=SMALL).to_dict()
    row = with_packages["assumptions"]["package_load_response"]
    assert (row["value"], row["unit"]) == (0.5, "added weight per rank step the package gives")
    swept = [c for c in with_packages["sensitivity"]["changes"]
             if c["assumption"] == "package_load_response"]
    assert [(c["from"], c["to"]) for c in swept] == [(0.5, 1.5)]
    v1 = copy.deepcopy(DOC)
    del v1["costs"]["packages"]
    without = evaluate_document(json.dumps(v1).encode(), overrides=SMALL).to_dict()
    assert "package_load_response" not in without["assumptions"]
    assert all(c["assumption"] != "package_load_response"
               for c in without["sensitivity"]["changes"])


def test_loading_moves_builders_to_the_package_that_gives_a_rank() -> None:
    from evaluator.simulation import run_once

    plan = Plan.from_dict(doc())
    shares = []
    for response in (0, 3):
        a = Assumptions.from_overrides({**SMALL, "member_share": 0, "seller_share": 0,
                                        "package_load_response": response})
        run = run_once(plan, a, 5)
        shares.append(float((run.package == 1).mean()))
        if response:  # a VIP's price above Basic's buys a rank: incentivised
            assert run.purchases["incentivised"] >= 400 * int((run.package == 1).sum())
    # 0.25 of builders choose VIP as the plan says; with 3, weight 0.25 x 4 against 0.75
    assert shares[0] == pytest.approx(0.25, abs=0.08)
    assert shares[1] == pytest.approx(1 / 1.75, abs=0.08)
