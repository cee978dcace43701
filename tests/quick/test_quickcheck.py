"""The quick check's mapping: a recruiter's pitch in, one plan field per statement out."""

from __future__ import annotations

from evaluator import quickcheck
from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.model import Plan
from evaluator.schema import plan_errors

PITCH = {
    "quick.start_cost": "$99",
    "quick.monthly_purchase": "$129",
    "quick.autoship": "yes",
    "quick.your_price": "45",
    "quick.customer_price": "60",
    "quick.own_customers": "25%",
    "quick.how_customers_buy": "resell",
    "quick.signup_bonus": "$50",
    "quick.team_levels": "10%, 5%, 5%",
}
"""The 19-year-old's pitch of issue 20, as typed into the quick check."""


def test_the_pitch_becomes_one_component_per_statement() -> None:
    result = quickcheck.build(PITCH)
    assert result.errors == []
    doc = result.document
    assert plan_errors(doc) == []
    assert doc["costs"] == {"currency": "USD", "starter_kit": 99,
                            "required_monthly_purchase": 129, "autoship_required": True}
    assert doc["products"] == [{"name": "Product", "retail_price": 60, "wholesale_price": 45}]
    assert doc["compensation"]["components"] == [
        {"type": "retail_margin"},
        {"type": "enrollment_bonus", "amounts": [50]},
        {"type": "unilevel", "rates": [0.1, 0.05, 0.05], "basis": "all"},
    ]
    said = dict(result.became)
    assert "counted once" in said["What do you earn on your own customers?"]
    assert "enrollment bonus" in said["What do you get for each person you sign up?"]


def test_own_customers_share_is_a_commission_only_when_customers_order_from_the_company() -> None:
    result = quickcheck.build({**PITCH, "quick.how_customers_buy": "company"})
    kinds = [c["type"] for c in result.document["compensation"]["components"]]
    assert kinds == ["retail_commission", "enrollment_bonus", "unilevel"]
    assert "retail_margin" not in kinds
    assert result.document["compensation"]["components"][0]["rate"] == 0.25


def test_the_share_on_own_customers_is_never_counted_twice() -> None:
    """Today's full form let the 25% be a margin and a commission: break-even fell 9 -> 5."""
    for how in ("resell", "company", ""):
        doc = quickcheck.build({**PITCH, "quick.how_customers_buy": how}).document
        kinds = {c["type"] for c in doc["compensation"]["components"]}
        assert len(kinds & {"retail_margin", "retail_commission"}) == 1, how
    plan = Plan.from_dict(quickcheck.build(PITCH).document)
    economics = compute_economics(plan, Assumptions.defaults())
    assert economics.profit_per_customer_per_month == 15
    assert economics.break_even_customers_per_month == 9


def test_dont_know_leaves_every_yes_no_field_out() -> None:
    doc = quickcheck.build({**PITCH, "quick.autoship": ""}).document
    assert "autoship_required" not in doc["costs"]
    assert "starter_kit_commissionable" not in doc["costs"]
    assert "qualification" not in doc["compensation"]
    said = dict(quickcheck.build(PITCH).became)
    assert said["Does your recruiter earn on what you pay to start?"].startswith("not known")


def test_a_bad_answer_is_named_by_its_question_in_plain_words() -> None:
    result = quickcheck.build({**PITCH, "quick.own_customers": "25", "quick.start_cost": "9 9"})
    paths = {e.path: e.message for e in result.errors}
    assert "did you mean 25%?" in paths["quick.own_customers"]
    assert "spaces" in paths["quick.start_cost"] or "not a number" in paths["quick.start_cost"]


def test_a_quick_check_with_no_way_to_be_paid_is_refused() -> None:
    result = quickcheck.build({"quick.customer_price": "60"})
    assert [e.path for e in result.errors] == ["quick.own_customers"]


def test_a_refused_share_is_not_also_reported_as_no_way_to_be_paid() -> None:
    result = quickcheck.build({"quick.customer_price": "60", "quick.own_customers": "25"})
    assert [e.path for e in result.errors] == ["quick.own_customers"]
