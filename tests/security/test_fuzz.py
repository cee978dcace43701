"""Generated plans, valid and broken in every way, through validate, evaluate, every renderer,
the command line and the API: no traceback, every refusal names the field."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from evaluator.evaluation import evaluate_document
from evaluator.web import create_app
from tests.security.fuzzing import SEED, SMALL, check_html, check_plan, render
from tests.strategies import broken_plans, valid_plans

FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate],  # a failure is shown as found
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
"""Plans the fuzz benchmark once found a problem with in the simulation (numeric warnings, or
JSON off the output schema: ``simulation.pay_sources.customer_sales`` above 1), kept as
regressions; the file name says which."""
HOSTILE_NAMES = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
                 "=cmd|' /C calc'!A0", "{{ 7*7 }}", "</style><script>x</script>"]
CLIENT = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0}).test_client()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_plans_the_fuzzing_once_caught_now_pass_every_door(path: Path) -> None:
    outcome = check_plan(path.read_bytes(), None, client=CLIENT)
    assert outcome.kind == "valid", outcome.detail


@FUZZ
@given(valid_plans())
def test_valid_plans_pass_every_cheap_door_and_the_api(doc: dict[str, Any]) -> None:
    outcome = check_plan(doc, None, client=CLIENT)
    assert outcome.kind == "valid", outcome.detail


@settings(FUZZ, max_examples=60)
@given(broken_plans())
def test_broken_plans_are_refused_naming_the_field_everywhere(
    case: tuple[dict[str, Any] | bytes, str],
) -> None:
    doc, path = case
    outcome = check_plan(doc, path, expensive=True, client=CLIENT)
    assert outcome.kind == "refused", outcome.detail


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(valid_plans())
def test_valid_plans_render_to_html_and_pdf_and_through_the_command_line(
    doc: dict[str, Any],
) -> None:
    outcome = check_plan(doc, None, expensive=True)
    assert outcome.kind == "valid", outcome.detail


@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.sampled_from(HOSTILE_NAMES), valid_plans())
def test_hostile_company_names_are_escaped_in_the_html_report(
    name: str, doc: dict[str, Any],
) -> None:
    doc["company"]["name"] = name
    evaluation = evaluate_document(doc, overrides=SMALL, seed=SEED)
    page = render(evaluation, "html").decode("utf-8")
    check_html(page, evaluation.to_dict())
    if "{{" in name:
        assert html.escape(name, quote=False) in page, "template syntax is shown, not run"
