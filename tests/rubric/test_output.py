"""The Evaluation JSON: schema-valid for every sample, canonical, deterministic, contract keys."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evaluator import ENGINE_VERSION
from evaluator.assumptions import SPECS
from evaluator.evaluation import (
    DEFAULT_SEED,
    Evaluation,
    evaluate_document,
    output_schema,
    round_significant,
    validate_output,
)
from evaluator.model import Plan
from evaluator.resources import data_dir, package_file
from evaluator.rubric import load_rubric

SMALL = {"max_participants": 2000, "runs": 2}
"""A smaller simulation for tests that evaluate the same plan several times."""

CONTRACT = {
    "economics": ["startup_cost", "monthly_cost", "first_year_cost", "retail_margin_fraction",
                  "price_premium_fraction", "break_even_customers_per_month",
                  "break_even_active_recruits", "payback_months"],
    "simulation": ["participants_ever", "fraction_losing_money", "median_net_income",
                   "top_1pct_pay_share", "fraction_recruited_nobody", "pay_sources",
                   "pay_by_component"],
}


WELLNESS_SHA256 = "676ae154431aa8a870c0c73d495b1ae33a55ae19bdbf69500588105d4cdda36c"
"""The input hash of plan_samples/autoship_unilevel_wellness.json (its plan as normalised)."""


def _floats(node: Any) -> list[float]:
    if isinstance(node, dict):
        return [f for v in node.values() for f in _floats(v)]
    if isinstance(node, list):
        return [f for v in node for f in _floats(v)]
    return [node] if isinstance(node, float) else []


def test_output_schema_is_shipped_in_the_package() -> None:
    assert package_file("output_schema.json").is_file()
    assert output_schema()["title"] == "Opportunity Evaluator evaluation"


@pytest.mark.parametrize("name", [p.stem for p in sorted(data_dir("plan_samples").glob("*.json"))])
def test_every_sample_validates_against_the_output_schema(
    sample_evaluations: dict[str, Evaluation], name: str
) -> None:
    text = sample_evaluations[name].to_json()
    doc = json.loads(text)
    assert validate_output(doc) == []


def test_contract_keys(sample_evaluations: dict[str, Evaluation]) -> None:
    evaluation = sample_evaluations["autoship_unilevel_wellness"]
    doc = json.loads(evaluation.to_json())
    assert doc["engine_version"] == ENGINE_VERSION
    assert doc["seed"] == DEFAULT_SEED
    # The input hash, as documented: SHA-256 of the normalised plan's canonical JSON (sorted
    # keys, no spaces, UTF-8), computed here from the published plan and pinned.
    canonical = json.dumps(doc["plan"], sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    assert doc["input_sha256"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert doc["input_sha256"] == WELLNESS_SHA256
    assert (doc["rubric"]["id"], doc["rubric"]["version"]) == ("pyramid-risk", "2026.1")
    for section, keys in CONTRACT.items():
        assert set(keys) <= set(doc[section]), section
    assert doc["simulation"]["late_joiners"].keys() >= {"fraction_losing_money"}
    assert set(doc["simulation"]["pay_sources"]) == {"customer_sales", "own_purchases",
                                                    "enrollment"}
    for name, assumption in doc["assumptions"].items():
        assert {"value", "unit", "source", "meaning"} <= set(assumption), name
    for indicator in doc["indicators"]:
        assert {"id", "label", "value", "unit", "source", "level", "weight", "why",
                "cite"} <= set(indicator)
        for cite in indicator["cite"]:
            assert doc["citations"][cite["key"]] == {k: v for k, v in cite.items() if k != "key"}
    assert 0 <= doc["score"]["value"] <= 100
    assert doc["score"]["verdict"] in ("Lower risk", "Significant risk", "High risk")
    assert doc["questions"]
    assert "not legal advice" in doc["disclaimer"]
    assert "cannot know" in doc["disclaimer"]


def test_json_text_is_canonical(sample_evaluations: dict[str, Evaluation]) -> None:
    text = sample_evaluations["party_plan"].to_json()
    assert text.endswith("}\n")
    assert text.startswith('{\n  "assumptions": {')
    doc = json.loads(text)
    assert json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text
    for value in _floats(doc):
        assert value == round_significant(value)
    # No float noise in the text: every decimal literal has at most 6 significant digits.
    for literal in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", text):
        mantissa = literal.lstrip("-").split("e")[0].replace(".", "").strip("0")
        assert len(mantissa) <= 6, literal


def test_round_significant() -> None:
    assert round_significant(0.123456789) == 0.123457
    assert round_significant(123456789.0) == 123457000.0
    assert round_significant(-0.000123456789) == -0.000123457
    assert round_significant(0.0) == 0.0


def test_same_input_rubric_and_seed_give_byte_identical_json() -> None:
    data = (data_dir("plan_samples") / "stairstep_breakaway.json").read_bytes()
    first = evaluate_document(data, overrides=SMALL, seed=7).to_json()
    second = evaluate_document(data, overrides=SMALL, seed=7).to_json()
    assert first == second
    other = json.loads(evaluate_document(data, overrides=SMALL, seed=8).to_json())
    assert other["seed"] == 8
    assert other["simulation"] != json.loads(first)["simulation"]


def test_equivalent_documents_share_the_input_hash() -> None:
    path = data_dir("plan_samples") / "party_plan.json"
    doc = json.loads(path.read_text("utf-8"))
    spaced = json.dumps(doc, indent=8).encode("utf-8")
    assert evaluate_document(spaced, overrides=SMALL).input_sha256 == Plan.from_dict(doc).sha256
    as_dict = evaluate_document(doc, overrides=SMALL)
    assert as_dict.to_json() == evaluate_document(path.read_bytes(), overrides=SMALL).to_json()


def test_overrides_are_recorded(tmp_path: Path) -> None:
    data = (data_dir("plan_samples") / "party_plan.json").read_bytes()
    doc = evaluate_document(data, overrides={**SMALL, "monthly_churn": "0.1"}).to_dict()
    churn = doc["assumptions"]["monthly_churn"]
    assert (churn["value"], churn["changed"], churn["default"]) == (0.1, True, 0.06)


def test_sensitivity_names_the_assumption_and_the_direction(
    sample_evaluations: dict[str, Evaluation],
) -> None:
    for evaluation in sample_evaluations.values():
        sensitivity = evaluation.to_dict()["sensitivity"]
        assert sensitivity["baseline"]["verdict"]
        # and the changes of the schema v1.1 rules the plan uses (packages, preferred customers)
        rules = {"package_load_response"} if evaluation.plan.costs.packages else set()
        if evaluation.plan.compensation.preferred_customers is not None:
            rules |= {"preferred_customer_share", "preferred_customer_tenure"}
        assert {c["assumption"] for c in sensitivity["changes"]} == {
            "customers_per_participant", "monthly_churn", "recruit_rate", "member_share",
            "recruit_pay_response", *rules,
        }
        flipped = [c for c in sensitivity["changes"] if c["flips"]]
        assert len(flipped) == len(sensitivity["flips"])
        assert sensitivity["stable"] is (not flipped)
        for change, sentence in zip(flipped, sensitivity["flips"], strict=True):
            assert change["verdict"] != sensitivity["baseline"]["verdict"]
            assert change["direction"] in ("riskier", "less risky")
            label = SPECS[change["assumption"]].label
            assert label[:1].lower() + label[1:] in sentence  # words, not the raw name
            assert change["assumption"] not in sentence
            assert change["direction"] in sentence


def test_a_verdict_that_flips_says_which_assumption_and_which_way(tmp_path: Path) -> None:
    """Score only the customer share of sales, which doubling customers lifts above half."""
    rubric_text = """
id: share-only
version: "1"
title: Customer share only
citations:
  vemma_order: {title: "FTC v. Vemma", year: 2016, url: "https://example.org/vemma"}
indicators:
  - id: customer_share_of_sales
    weight: 1
    bands: [{max: 0.5, level: high}, {level: low}]
    why: Vemma order benchmark.
    cite: [vemma_order]
    question: What share of sales go to non-participants?
verdicts: [{max: 30, label: Lower risk}, {max: 60, label: Significant risk}, {label: High risk}]
"""
    path = tmp_path / "share-only.yaml"
    path.write_text(rubric_text, "utf-8")
    data = (data_dir("plan_samples") / "stairstep_breakaway.json").read_bytes()
    result = evaluate_document(data, overrides=SMALL, rubric=load_rubric(path))
    # 2 customers x mean wholesale 45 = 90 of customer sales vs a 100 required purchase: 47%
    assert result.verdict == "High risk"
    sensitivity = result.to_dict()["sensitivity"]
    doubled = next(
        c for c in sensitivity["changes"]
        if c["assumption"] == "customers_per_participant" and c["factor"] == 2.0
    )
    assert (doubled["from"], doubled["to"]) == (2.0, 4.0)
    assert (doubled["verdict"], doubled["flips"], doubled["direction"]) == (
        "Lower risk", True, "less risky",
    )
    assert sensitivity["flips"] == [
        "With customers per participant at 4 instead of 2, the verdict would be Lower risk "
        "instead of High risk (less risky)."
    ]
    assert sensitivity["stable"] is False


def test_questions_ask_about_what_the_plan_leaves_unknown(default_rubric: Any) -> None:
    doc = {
        "company": {"name": "Quiet Co"},
        "costs": {"currency": "USD"},
        "products": [{"name": "Tin", "wholesale_price": 30, "retail_price": 50}],
        "compensation": {"components": [{"type": "retail_margin"}],
                         "qualification": {"own_purchases_count": False}},
    }
    questions = evaluate_document(doc, overrides=SMALL).to_dict()["questions"]

    def asked(ind_id: str) -> bool:
        entry = default_rubric.indicator(ind_id)
        return entry.question in questions

    # no buyback terms, no reported customer share, no income disclosure: all asked
    assert asked("buyback_refund_fraction")
    assert asked("reported_retail_fraction")
    assert asked("income_disclosure_published")
    # the terms of a disclosure that does not exist are not
    assert not asked("income_disclosure_net_of_costs")
    assert not asked("disclosure_rosier_than_simulation")
    assert len(questions) == len(set(questions))


def test_byte_identical_across_processes(tmp_path: Path) -> None:
    """Two separate processes with different hash seeds write the same bytes."""
    plan = data_dir("plan_samples") / "package_plan.json"
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run{hash_seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", "from evaluator.cli import main; main()",
             "evaluate", str(plan), "-o", str(out),
             "--set", "max_participants=2000", "--set", "runs=2"],
            check=True, env=env, capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["input_sha256"] == Plan.from_bytes(plan.read_bytes()).sha256
