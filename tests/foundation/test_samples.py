"""The bundled sample plans: all valid, documented, generic, and together covering the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.model import Plan
from evaluator.schema import COMPONENT_TYPES, parse_plan, validate_plan

# Keys of docs/SOURCES.md, the only place citations may come from.
SOURCE_KEYS = {
    "koscot", "omnitrition", "amway1979", "burnlounge", "ftc_guidance", "vemma_order",
    "herbalife_order", "fhtm", "advocare", "telexfree", "zeekrewards", "neora", "ftc_ids_2024",
    "bizopp_rule", "aarp2018", "taylor2011", "keep2014", "bosley2015", "gastwirth1977",
    "reingewertz2021", "dsa",
}

# Real company names that the documented patterns come from; sample text must not use them.
REAL_NAMES = (
    "koscot", "omnitrition", "amway", "burnlounge", "vemma", "herbalife", "fortune hi-tech",
    "fhtm", "advocare", "telexfree", "zeekrewards", "rex venture", "neora", "nerium",
    "melaleuca",
)

CITATION = re.compile(r"^SOURCES: ([a-z0-9_]+(?:, [a-z0-9_]+)*) — \S")

REQUIRED_PATTERNS = {
    "retail_first_single_level.json",
    "party_plan.json",
    "retail_safeguards.json",
    "preferred_customer_buyback.json",
    "autoship_unilevel_wellness.json",
    "binary_commissionable_packages.json",
    "forced_matrix.json",
    "stairstep_breakaway.json",
    "recruiting_fee_plan.json",
    "qualifying_purchase_plan.json",
    "package_plan.json",
    "buy_in_plan.json",
    "ad_package_plan.json",
    "nutrition_club_plan.json",
}


def _doc(path: Path) -> dict[str, Any]:
    return parse_plan(path.read_bytes())


def _plans(paths: list[Path]) -> dict[str, Plan]:
    return {p.name: Plan.from_bytes(p.read_bytes()) for p in paths}


def _strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, f"{path}.{k}".lstrip("."))]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in _strings(v, f"{path}[{i}]")]
    return []


def test_every_required_pattern_is_bundled(sample_paths: list[Path]) -> None:
    assert {p.name for p in sample_paths} >= REQUIRED_PATTERNS


def test_every_sample_validates_and_builds_economics(sample_paths: list[Path]) -> None:
    for path in sample_paths:
        doc = _doc(path)
        assert validate_plan(doc) is doc, path.name
        plan = Plan.from_dict(doc)
        economics = compute_economics(plan, Assumptions.defaults())
        assert economics.startup_cost >= 0, path.name


def test_samples_are_pretty_printed_utf8_json(sample_paths: list[Path]) -> None:
    for path in sample_paths:
        text = path.read_text("utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n", path.name


def test_each_sample_states_its_pattern_and_cites_sources(sample_paths: list[Path]) -> None:
    for path in sample_paths:
        plan = Plan.from_bytes(path.read_bytes())
        notes = plan.company.notes or ""
        first = notes.split(". ")[0]
        assert 20 <= len(first) <= 90, (path.name, first)
        assert plan.sources, path.name
        for source in plan.sources:
            match = CITATION.match(source.citation)
            assert match, (path.name, source.citation)
            keys = set(match.group(1).split(", "))
            assert keys <= SOURCE_KEYS, (path.name, keys - SOURCE_KEYS)


def test_sample_text_names_no_real_company(sample_paths: list[Path]) -> None:
    for path in sample_paths:
        for where, text in _strings(_doc(path)):
            if re.fullmatch(r"sources\[\d+\]\.citation", where):
                # A citation names its docs/SOURCES.md key and nothing else of the case.
                text = CITATION.sub("", text)
            lowered = text.lower()
            assert not [n for n in REAL_NAMES if n in lowered], (path.name, where, text)


def test_samples_cover_all_nine_component_types(sample_paths: list[Path]) -> None:
    used = {c.type for plan in _plans(sample_paths).values() for c in plan.compensation.components}
    assert used == set(COMPONENT_TYPES)


def test_samples_cover_disclosures_claims_and_comparable_prices(sample_paths: list[Path]) -> None:
    plans = _plans(sample_paths).values()
    disclosures = [p.disclosures.income_disclosure for p in plans]
    assert any(d is not None and d.net_of_costs is False for d in disclosures)
    assert any(d is not None and d.net_of_costs is True for d in disclosures)
    assert any(d is None for d in disclosures), "an absent disclosure is a case too"
    assert any(p.disclosures.income_claims for p in plans)
    assert any(not p.disclosures.income_claims for p in plans)
    assert any(pr.comparable_market_price for p in plans for pr in p.products)
    assert any(p.costs.starter_kit_commissionable for p in plans)
    assert any(p.buyback.offered for p in plans)
    assert any(p.buyback.offered is None for p in plans)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Figures from docs/SOURCES.md, each pinned to the sample that cites it.
        ("recruiting_fee_plan.json", {"enrollment_fee": 250, "required_monthly_purchase": 100}),
        ("qualifying_purchase_plan.json", {"enrollment_fee": 59, "inventory_package": 1200}),
        ("binary_commissionable_packages.json",
         {"starter_kit": 600, "required_monthly_purchase": 150}),
        ("buy_in_plan.json", {"inventory_package": 2000}),
        ("ad_package_plan.json", {"enrollment_fee": 50, "inventory_package": 1375}),
    ],
)
def test_cited_figures(sample_paths: list[Path], name: str, expected: dict[str, float]) -> None:
    plan = _plans(sample_paths)[name]
    for field, value in expected.items():
        assert getattr(plan.costs, field) == value, field


def test_pattern_specific_fields(sample_paths: list[Path]) -> None:
    plans = _plans(sample_paths)
    safeguards = plans["retail_safeguards.json"]
    assert safeguards.compensation.qualification.min_retail_customers == 10
    assert safeguards.compensation.qualification.own_purchases_count is False
    assert safeguards.buyback.offered is True
    assert safeguards.costs.enrollment_fee == 0
    retail_first = plans["retail_first_single_level.json"]
    assert {c.type for c in retail_first.compensation.components} <= {
        "retail_margin", "retail_commission"
    }
    assert retail_first.buyback.refund_fraction == 0.9
    party = plans["party_plan.json"]
    assert party.costs.required_monthly_purchase == 0
    assert party.compensation.has("retail_commission")
    fee = plans["recruiting_fee_plan.json"].compensation.component("enrollment_bonus")
    assert fee is not None
    assert fee.amounts == (100.0,)
    binary = plans["binary_commissionable_packages.json"]
    assert binary.costs.starter_kit_commissionable
    assert binary.costs.autoship_required
    stairstep = plans["stairstep_breakaway.json"].compensation
    assert all(stairstep.has(k) for k in ("breakaway", "rank_bonus", "fast_start"))
    disclosure = plans["qualifying_purchase_plan.json"].disclosures.income_disclosure
    assert disclosure is not None
    assert disclosure.fraction_earning_nothing == 0.723
    wellness = plans["autoship_unilevel_wellness.json"]
    assert wellness.compensation.qualification.own_purchases_count is True
    assert wellness.costs.autoship_required is True
