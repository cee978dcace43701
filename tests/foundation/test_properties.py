"""Hypothesis properties of validation, the model and the economics."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.assumptions import Assumptions
from evaluator.economics import PAYBACK_CUSTOMERS, Economics, compute_economics
from evaluator.errors import FieldError, PlanValidationError
from evaluator.model import Plan
from evaluator.schema import parse_plan
from tests.strategies import broken_plans, valid_plans

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

COSTS = (
    "enrollment_fee",
    "starter_kit",
    "inventory_package",
    "annual_renewal_fee",
    "required_monthly_purchase",
    "estimated_monthly_expenses",
    "annual_event_costs",
    "monthly_fees",
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12,
)


def _build(raw: bytes, *, parse_only: bool = False) -> Plan | dict[str, Any] | PlanValidationError:
    """The plan (or parsed document) from ``raw``, or the refusal; any other error propagates."""
    try:
        return parse_plan(raw) if parse_only else Plan.from_bytes(raw)
    except PlanValidationError as exc:
        return exc


def _never_is_infinite(value: int | None) -> float:
    """Break-even figures use None for "never": order it above every number."""
    return math.inf if value is None else value


def _figures(e: Economics, *, recruits: bool) -> list[float]:
    """The break-even figures that must not fall when a cost rises."""
    figures = [e.break_even_customers_per_month, e.payback_months]
    figures += [row[0] for row in e.payback_table]  # no recruits: pay does not depend on costs
    if recruits:
        figures.append(e.break_even_active_recruits)
        figures += [cell for row in e.payback_table for cell in row]
    return [_never_is_infinite(f) for f in figures]


def _raise_cost(doc: dict[str, Any], cost: str, amount: float) -> dict[str, Any]:
    raised = copy.deepcopy(doc)
    costs = raised["costs"]
    if cost == "monthly_fees":
        extra = {"name": "extra", "amount": amount}
        costs["monthly_fees"] = [*costs.get("monthly_fees", []), extra]
    else:
        costs[cost] = costs.get(cost, 0) + amount
    return raised


@PROPERTY
@given(
    doc=valid_plans(),
    cost=st.sampled_from(COSTS),
    amount=st.floats(min_value=0.01, max_value=10_000, allow_nan=False),
    personal_use=st.sampled_from(["0", "0.5"]),
)
def test_raising_a_cost_never_lowers_a_break_even_figure(
    doc: dict[str, Any], cost: str, amount: float, personal_use: str
) -> None:
    """Every cost pushes every break-even figure up or leaves it alone.

    The one exception is written into the definition (README.md, "Economics"): a higher required
    purchase is also the *recruit's* higher purchase, so it raises the pay per active recruit
    and may lower the recruits needed. Recruit figures are held to the property for every
    other cost.
    """
    assumptions = Assumptions.from_overrides({"personal_use_value": personal_use})
    before = compute_economics(Plan.from_dict(doc), assumptions)
    after = compute_economics(Plan.from_dict(_raise_cost(doc, cost, amount)), assumptions)
    recruits = cost != "required_monthly_purchase"
    for old, new in zip(
        _figures(before, recruits=recruits), _figures(after, recruits=recruits), strict=True
    ):
        assert new >= old
    assert after.startup_cost >= before.startup_cost
    assert after.monthly_cost >= before.monthly_cost
    assert after.first_year_cost > before.first_year_cost or personal_use == "1"


@PROPERTY
@given(doc=valid_plans())
def test_every_valid_plan_builds_and_has_sane_economics(doc: dict[str, Any]) -> None:
    plan = Plan.from_dict(doc)
    assert Plan.from_bytes(json.dumps(doc)) == plan
    assert Plan.from_dict(plan.to_dict()) == plan, "the normalised plan is itself a valid plan"
    e = compute_economics(plan, Assumptions.defaults())
    assert e.first_year_cost == e.startup_cost + 12 * e.monthly_cost
    assert 0 <= e.retail_margin_fraction <= 1
    assert len(e.payback_table) == len(PAYBACK_CUSTOMERS)
    json.dumps(e.to_dict(), allow_nan=False)


@PROPERTY
@given(case=broken_plans())
def test_every_broken_plan_is_refused_naming_its_path(
    case: tuple[dict[str, Any] | bytes, str],
) -> None:
    doc, path = case
    outcome = _build(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    assert isinstance(outcome, PlanValidationError), f"accepted a plan broken at {path!r}"
    assert outcome.errors
    assert all(isinstance(e, FieldError) for e in outcome.errors)
    assert path in {e.path for e in outcome.errors}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        out += [p for k, v in node.items() for p in _paths(v, (*prefix, k))]
    elif isinstance(node, list):
        out += [p for i, v in enumerate(node) for p in _paths(v, (*prefix, i))]
    return out


@PROPERTY
@given(doc=valid_plans(), data=st.data())
def test_any_document_builds_a_plan_or_fails_with_field_errors(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    """Replace any node of a valid plan with any JSON value: never a traceback."""
    paths = _paths(doc)[1:]
    where = data.draw(st.sampled_from(paths))
    node = doc
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = data.draw(json_values)
    outcome = _build(json.dumps(doc).encode())
    if isinstance(outcome, Plan):
        compute_economics(outcome, Assumptions.defaults())
    else:
        assert outcome.errors
        assert all(isinstance(e, FieldError) and e.message for e in outcome.errors)


@PROPERTY
@given(raw=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_parse_or_fail_with_field_errors(raw: bytes) -> None:
    outcome = _build(raw, parse_only=True)
    if isinstance(outcome, PlanValidationError):
        assert all(isinstance(e, FieldError) for e in outcome.errors)

