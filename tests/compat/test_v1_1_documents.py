"""Hypothesis properties of schema v1.1 documents as documents: drawn plans that use the new
rules (the simulation strategies' plans, several products included) normalise to a valid plan
and come back unchanged through the full form.

The schema-level strategies (tests/strategies.py) draw schema v1 documents; these properties
carry the same guarantees to every v1.1 field the simulation strategies draw.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.model import Plan
from evaluator.schema import UNKNOWN_SIMULATED_AS
from evaluator.web import formdata as fd
from tests.simulation.strategies import sim_plans

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

V1_1_PLANS = st.one_of(
    sim_plans(with_packages=True),
    sim_plans(binary_cycles=True),
    sim_plans(one_time=True, using=("first_order_bonus",)),
    sim_plans(by_rank=True, using=("unilevel", "binary")),
    sim_plans(customer_share=True),
    sim_plans(business_volume=True),
    sim_plans(ranks_over_time=True),
    sim_plans(dynamic_compression=True),
    sim_plans(first_open=True),
    sim_plans(preferred_customers=True),
    sim_plans(package_ranks=True, using=("unilevel", "binary")),
    sim_plans(using=("matching_bonus", "first_order_bonus", "position_return", "pool")),
)
"""Plans drawn to use each schema v1.1 rule the simulation strategies know, one flag each."""


def _without_version(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "schema_version"}


@PROPERTY
@given(plan=V1_1_PLANS)
def test_a_v1_1_plans_normalised_document_is_the_same_valid_plan(plan: Plan) -> None:
    """The normalised document (the report's "plan", a saved plan.json) is accepted as it is
    and gives back the same plan and input hash."""
    again = Plan.from_dict(plan.to_dict())
    assert again == plan
    assert again.sha256 == plan.sha256


@PROPERTY
@given(plan=V1_1_PLANS)
def test_a_v1_1_plan_comes_back_unchanged_through_the_form(plan: Plan) -> None:
    """Shown in the full form and submitted as it stands, a v1.1 plan is the same plan: every
    v1.1 field drawn has an input that shows and reads its value (the form leaves the version
    out; it follows from the fields used)."""
    shown = fd.state_from_document(plan.to_dict())
    read = Plan.from_dict(fd.to_document(fd.state_from_form(dict(shown.values)).compact()))
    assert _without_version(read.to_dict()) == _without_version(_as_the_form_reads(plan))


def _as_the_form_reads(plan: Plan) -> dict[str, Any]:
    """``plan``'s document with a v1.1 rule given as null (unknown) at what it is simulated as:
    the form's "I don't know" leaves such a rule out (so a plan without v1.1 rules stays v1),
    and the schema reads it as that value. The v1 rules' null comes back as null."""
    doc = plan.to_dict()
    for component in doc["compensation"]["components"]:
        for name, value in UNKNOWN_SIMULATED_AS.items():
            if name not in fd.NULL_WHEN_UNANSWERED and component.get(name, value) is None:
                component[name] = value
    return doc
