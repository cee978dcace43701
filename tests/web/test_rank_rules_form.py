"""The schema v1.1 rank rules (time, leg limit, kept ranks) in the form, both ways."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

FORM = {
    **BASE_FORM,
    "compensation.components[0].type": "rank_bonus",
    "compensation.ranks[0].name": "Director",
    "compensation.ranks[0].min_group_volume": "2500",
}


def test_a_plan_without_the_rules_stays_v1() -> None:
    doc = document(FORM)
    assert "rank_rules" not in doc["compensation"]
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1"


def test_the_rank_rules_are_entered_and_read_back() -> None:
    form = FORM | {"compensation.ranks[0].qualify_months": "3",
                   "compensation.ranks[0].min_lifetime_volume": "5000",
                   "compensation.ranks[0].max_leg_share": "50%",
                   "compensation.rank_rules.pin": "title",
                   "compensation.rank_rules.requalify_months": "12"}
    doc = document(form)
    comp = doc["compensation"]
    assert comp["ranks"][0] == {"name": "Director", "min_group_volume": 2500,
                                "qualify_months": 3, "min_lifetime_volume": 5000,
                                "max_leg_share": 0.5}
    assert comp["rank_rules"] == {"pin": "title", "requalify_months": 12}
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.rank_rules.requalify_months == 12
    back = fd.state_from_document(doc)
    assert back.get("compensation.rank_rules.pin") == "title"
    assert back.get("compensation.ranks[0].max_leg_share") == "0.5"
    assert back.get("compensation.ranks[0].qualify_months") == "3"


def test_the_kept_rank_choice_is_worded_for_people() -> None:
    (pin,) = [f for f in fd.RANK_RULES.fields if f.key == "pin"]
    assert [value for value, _ in pin.choices] == ["", "title", "pay"]
    assert pin.label == "A rank once reached is kept"


def test_dynamic_compression_is_entered_and_read_back() -> None:
    form = {k: v for k, v in FORM.items() if not k.startswith("compensation.ranks")} | {
        "compensation.components[0].type": "unilevel",
        "compensation.components[0].rates": "5%, 3%",
        "compensation.components[0].compression": "dynamic"}
    doc = document(form)
    assert doc["compensation"]["components"][0]["compression"] == "dynamic"
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1.1"
    assert fd.state_from_document(doc).get("compensation.components[0].compression") == \
        "dynamic"
    yes = document(
        form | {"compensation.components[0].compression": "yes"})
    assert yes["compensation"]["components"][0]["compression"] is True
    assert Plan.from_dict(yes).schema_version == "1"
