"""A preferred-customer program is schema v1.1: any plan with one is "1.1" when the version is
left out, round-trips through the model, and stating "1" is an error at the program."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from tests.compat.helpers import assert_v1_1_round_trip
from tests.strategies import plans_with_preferred_customers


@settings(max_examples=40, deadline=None)
@given(doc=plans_with_preferred_customers())
def test_any_plan_with_a_program_is_v1_1_and_round_trips(doc: dict[str, Any]) -> None:
    plan, refused = assert_v1_1_round_trip(doc)
    program = plan.compensation.preferred_customers
    assert program is not None
    assert program.discount == doc["compensation"]["preferred_customers"]["discount"]
    assert any(e.path.startswith("compensation.preferred_customers") for e in refused.errors)
