"""One-time bonuses and conditions on a bonus (schema v1.1) in the form, both ways."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

FORM = {
    **BASE_FORM,
    "compensation.components[0].type": "first_order_bonus",
    "compensation.components[0].rates": "10%, 5%",
    "compensation.components[0].requires_rank": "Director",
    "compensation.components[0].min_recruit_order_volume": "100",
    "compensation.components[0].months": "3",  # another type's field: dropped
    "compensation.components[1].type": "rank_bonus",
    "compensation.ranks[0].name": "Director",
    "compensation.ranks[0].min_active_legs": "2",
    "compensation.ranks[0].advancement_bonus": "500",
    "compensation.ranks[0].fast_start_bonus": "250",
    "compensation.ranks[0].fast_start_within_months": "3",
}


def test_the_rules_are_entered_and_read_back() -> None:
    doc = document(FORM)
    comp = doc["compensation"]
    assert comp["components"][0] == {"type": "first_order_bonus", "rates": [0.1, 0.05],
                                     "requires_rank": "Director",
                                     "min_recruit_order_volume": 100}
    assert comp["ranks"][0] == {"name": "Director", "min_active_legs": 2,
                                "advancement_bonus": 500, "fast_start_bonus": 250,
                                "fast_start_within_months": 3}
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1.1"
    back = fd.state_from_document(doc)
    assert back.get("compensation.components[0].requires_rank") == "Director"
    assert back.get("compensation.components[0].min_recruit_order_volume") == "100"
    assert back.get("compensation.ranks[0].fast_start_within_months") == "3"


def test_the_form_offers_the_first_order_bonus_and_the_conditions_by_their_titles() -> None:
    (choice,) = [f for f in fd.COMPONENTS.fields if f.key == "type"]
    assert ("first_order_bonus", "First-order bonus (on a recruit's enrollment order)") in \
        choice.choices
    (rank,) = [f for f in fd.COMPONENTS.fields if f.key == "requires_rank"]
    assert rank.label == "Rank the earner must hold"
    assert set(rank.types) == {"enrollment_bonus", "first_order_bonus", "fast_start",
                               "matching_bonus"}
    (amounts,) = [f for f in fd.COMPONENTS.fields if f.key == "amounts"]
    assert "first_order_bonus" in amounts.types
    labels = {f.key: f.label for f in fd.RANKS.fields}
    assert labels["advancement_bonus"] == "Rank-advancement bonus"
