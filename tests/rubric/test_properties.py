"""Hypothesis properties of the evaluation over any valid plan (a small simulation for speed)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings

from evaluator.evaluation import evaluate_document, validate_output
from evaluator.indicators import INDICATORS
from evaluator.model import Plan
from tests.strategies import valid_plans

TINY = {"max_participants": 200, "runs": 1, "horizon_months": 12}
"""The smallest simulation that still exercises every stage: properties need many plans."""


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_plans())
def test_every_valid_plan_gives_a_schema_valid_evaluation(doc: dict[str, Any]) -> None:
    """The whole pipeline, from the document's bytes: a valid plan always gives an evaluation,
    schema-valid, of the plan's own input hash."""
    evaluation = evaluate_document(json.dumps(doc).encode(), overrides=TINY, seed=1)
    out = json.loads(evaluation.to_json())
    assert out["input_sha256"] == Plan.from_dict(doc).sha256
    assert validate_output(out) == []
    assert [i["id"] for i in out["indicators"]] == list(INDICATORS)
    for indicator in out["indicators"]:
        value = indicator["value"]
        assert value is None or isinstance(value, bool) or math.isfinite(value)
        if indicator["level"] is None:
            assert value is None or indicator["weight"] == 0 or indicator["bands"] is None
    assert 0 <= out["score"]["value"] <= 100
    assert out["score"]["verdict"] in ("Lower risk", "Significant risk", "High risk")
    if out["score"]["overrides_applied"]:
        assert out["score"]["verdict"] == "High risk"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_plans())
def test_a_commissionable_kit_or_sign_up_bonus_is_always_high_risk(doc: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(doc))
    doc["compensation"]["components"] = [
        c for c in doc["compensation"]["components"] if c["type"] != "enrollment_bonus"
    ] + [{"type": "enrollment_bonus", "amounts": [25]}]
    evaluation = evaluate_document(doc, overrides=TINY)
    assert evaluation.verdict == "High risk"
