"""The closed-form economics count a return on one's own position (schema v1.1, issue 19 rule 12),
against worked examples whose arithmetic is written out."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics, payback, position_return
from evaluator.evaluation import bottom_line
from evaluator.model import Plan
from evaluator.resources import data_dir

# A USD 50 fee and two ad packages at even shares; one product sold at 49.90 with a 10% retail
# commission: 4.99 a customer a month. No monthly cost.
ADS: dict[str, Any] = {
    "schema_version": "1.1",
    "company": {"name": "Example Ads"},
    "costs": {"currency": "USD", "enrollment_fee": 50,
              "packages": [{"name": "Ad package", "price": 289},
                           {"name": "Family ad package", "price": 1375}]},
    "products": [{"name": "Phone line", "wholesale_price": 49.9, "retail_price": 49.9}],
    "compensation": {"components": [
        {"type": "retail_commission", "rate": 0.1},
        {"type": "position_return", "rate_of_price": 0.05, "months_paid": 12},
    ]},
}
DEFAULTS = Assumptions.defaults()


def _plan(doc: dict[str, Any]) -> Plan:
    return Plan.from_dict(copy.deepcopy(doc))


def _with_return(**component: Any) -> dict[str, Any]:
    doc = copy.deepcopy(ADS)
    doc["compensation"]["components"][1] = {"type": "position_return", **component}
    return doc


def test_a_return_on_the_package_price_for_a_term() -> None:
    e = compute_economics(_plan(ADS), DEFAULTS)
    # Expected package price (289 + 1375) / 2 = 832; 5% of it = 41.60 a month for 12 months.
    assert e.position_return is not None
    assert e.position_return.to_dict() == pytest.approx(
        {"per_month": 41.6, "months_paid": 12, "first_year": 499.2})
    # Start-up 50 + 832 = 882. Two customers a month (no comparable price: at par) x 4.99 =
    # 9.98. Twelve months at 9.98 + 41.60 = 51.58 make 618.96; 263.04 is left, which 9.98 a
    # month earns back in ceil(26.36) = 27 more: 39 months (ceil(882 / 9.98) = 89 without).
    assert e.startup_cost == pytest.approx(882)
    assert e.payback_months == 39
    # Each package at its own return: 339 / (9.98 + 14.45) = 13.9 > 12 months, so 12 months
    # make 293.16, 45.84 is left: ceil(4.59) = 5 more, 17. The family package: 1,425 - 12 x
    # (9.98 + 68.75) = 480.24 left, ceil(48.12) = 49 more, 61.
    assert [p["payback_months"] for p in e.packages] == [17, 61]
    # The customers a month that earn the first year back, the first year's return counted:
    # (339 - 12 x 14.45) / (12 x 4.99) = 165.60 / 59.88 = 2.77, 3; (1,425 - 12 x 68.75) /
    # 59.88 = 600 / 59.88 = 10.02, 11 (6 and 24 without the return).
    assert [p["break_even_customers_first_year"] for p in e.packages] == [3, 11]
    # With no customers nothing is earned after the term: 12 x 41.60 = 499.20 < 882, never.
    assert e.payback_table[0][0] is None
    # One customer: 12 x (4.99 + 41.60) = 559.08, 322.92 left at 4.99: ceil(64.71) = 65 more.
    assert e.payback_table[1][0] == 77
    # A return with a term covers no month for good: break-even is what sales must cover (0
    # here, as the plan has no monthly cost), and the formula says so.
    assert "position_return" in e.provenance["payback_months"].uses
    assert "position_return" not in e.provenance["break_even_customers_per_month"].uses


def test_a_return_paid_while_active_lowers_break_even() -> None:
    doc = _with_return(per_month=20)
    doc["costs"]["estimated_monthly_expenses"] = 50
    e = compute_economics(_plan(doc), DEFAULTS)
    # Monthly cost 50, of which the return covers 20: ceil(30 / 4.99) = ceil(6.01) = 7
    # customers (ceil(50 / 4.99) = 11 without it).
    assert e.monthly_cost == pytest.approx(50)
    assert e.break_even_customers_per_month == 7
    # Two customers: 9.98 + 20 - 50 = -20.02 a month, never.
    assert e.payback_months is None
    # Seven customers: 34.93 + 20 - 50 = 4.93 a month: ceil(882 / 4.93) = 179.
    assert e.payback_table[7][0] == 179
    assert e.position_return is not None
    assert e.position_return.to_dict() == {"per_month": 20, "months_paid": None,
                                           "first_year": 240}
    assert "position_return" in e.provenance["break_even_customers_per_month"].uses
    # The bottom line: a typical month 9.98 + 20 - 50 = -20.02; the first year 12 x (9.98 -
    # 50) + 240 - 882 = -1122.24.
    line = bottom_line(e, DEFAULTS, {})
    assert line["typical_month"] == pytest.approx(-20.02)
    assert line["first_year"] == pytest.approx(-1122.24)


def test_a_return_that_covers_the_cost_needs_no_customers() -> None:
    doc = _with_return(per_month=60)
    doc["costs"]["estimated_monthly_expenses"] = 50
    e = compute_economics(_plan(doc), DEFAULTS)
    assert e.break_even_customers_per_month == 0
    # No customers: 60 - 50 = 10 a month: ceil(882 / 10) = 89.
    assert e.payback_table[0][0] == 89


def test_the_bottom_line_counts_a_term_only_in_the_first_year() -> None:
    e = compute_economics(_plan(_with_return(per_month=30, months_paid=3)), DEFAULTS)
    line = bottom_line(e, DEFAULTS, {})
    # A typical month is 9.98 (the return stops after 3 months); the first year is 12 x 9.98
    # + 3 x 30 - 882 = -672.24.
    assert line["typical_month"] == pytest.approx(9.98)
    assert line["first_year"] == pytest.approx(-672.24)


def test_a_return_on_the_kit_without_packages() -> None:
    doc = copy.deepcopy(ADS)
    del doc["costs"]["packages"]
    doc["costs"].update(starter_kit=100, inventory_package=300)
    held = position_return(_plan(doc))
    # 5% of starter kit 100 + inventory package 300 = 20 a month.
    assert held is not None
    assert (held.per_month, held.months, held.per_package) == (pytest.approx(20), 12, ())


@pytest.mark.parametrize(("startup", "net", "extra", "months", "expected"), [
    (100, 10, 0, None, 10),      # no return: ceil(100 / 10)
    (100, 10, 15, None, 4),      # while active: ceil(100 / 25)
    (100, 10, 15, 3, 6),         # 3 x 25 = 75, 25 left at 10: 3 + 3
    (100, 10, 15, 4, 4),         # ceil(100 / 25) = 4 <= 4: within the term
    (100, 0, 15, 4, None),       # 60 by the end of the term, nothing after
    (0, -5, 15, 4, 0),           # nothing to earn back, and the first month is positive
    (100, -5, 15, 12, 10),       # 10 a month in the term: ceil(100 / 10) = 10 <= 12
    (100, -5, 15, 6, None),      # 60 by the end of the term, then losing money
])
def test_payback_with_a_return_for_a_term(startup: float, net: float, extra: float,
                                          months: int | None, expected: int | None) -> None:
    assert payback(startup, net, extra, months) == expected


def test_a_plan_without_a_return_has_no_position_return_figure() -> None:
    doc = copy.deepcopy(ADS)
    del doc["compensation"]["components"][1]
    out = compute_economics(_plan(doc), DEFAULTS).to_dict()
    assert "position_return" not in out
    assert "position_return" not in out["provenance"]


def test_the_sample_evaluation_carries_it_and_fits_the_output_schema() -> None:
    from evaluator.evaluation import evaluate_document, validate_output

    data = (data_dir("plan_samples") / "ad_package_returns.json").read_bytes()
    out = evaluate_document(data, overrides={"max_participants": "500", "runs": "1",
                                             "horizon_months": "12"}).to_dict()
    assert out["economics"]["position_return"]["per_month"] == pytest.approx(41.6)
    assert out["economics"]["payback_months"] == 39
    assert validate_output(json.loads(json.dumps(out))) == []


def test_the_payback_indicator_says_it_counts_the_return() -> None:
    from evaluator.evaluation import evaluate_document

    data = (data_dir("plan_samples") / "ad_package_returns.json").read_bytes()
    out = evaluate_document(data, overrides={"max_participants": "500", "runs": "1",
                                             "horizon_months": "12"}).to_dict()
    (payback_indicator,) = [i for i in out["indicators"] if i["id"] == "payback_months"]
    assert payback_indicator["value"] == 39
    assert payback_indicator["detail"] == (
        "With the assumed typical number of customers and no recruits, counting the return on "
        "your own position ($41.60 a month for 12 months from joining), earning back the $882 "
        "start-up cost takes 39 months.")


def _detail(doc: dict[str, Any], indicator_id: str) -> tuple[Any, str]:
    from evaluator.indicators import compute_indicators

    plan = _plan(doc)
    economics = compute_economics(plan, DEFAULTS)
    (found,) = [i for i in compute_indicators(plan, economics, {}, DEFAULTS)
                if i.id == indicator_id]
    return found.value, found.detail


def test_the_break_even_sentences_say_the_return_covers_part_of_the_cost() -> None:
    # Monthly cost 50, of which a return of 20 a month while active covers 20: 7 customers at
    # 4.99 (34.93) cover the 30 left, not the whole 50, and the sentence says so.
    doc = _with_return(per_month=20)
    doc["costs"]["estimated_monthly_expenses"] = 50
    assert _detail(doc, "break_even_customers_per_month") == (7, (
        "You need 7 retail customers every month to cover the $50 monthly cost, less the $20 "
        "a month return on your own position."))
    doc["compensation"]["components"].append({"type": "unilevel", "rates": [0.1]})
    doc["costs"]["required_monthly_purchase"] = 100
    # Monthly cost 150 (the 100 purchase, no use value by default); 10% of a recruit's 100 is
    # 10 a recruit: ceil((150 - 20) / 10) = 13.
    value, detail = _detail(doc, "break_even_active_recruits")
    assert value == 13
    assert detail == (
        "Covering the $150 monthly cost, less the $20 a month return on your own position, "
        "from recruits' required purchases takes 13 active personal recruits.")


def test_the_break_even_sentences_leave_a_return_for_a_term_out() -> None:
    # A return for a term covers no month for good: the sentence names the whole cost.
    doc = _with_return(per_month=20, months_paid=3)
    doc["costs"]["estimated_monthly_expenses"] = 50
    assert _detail(doc, "break_even_customers_per_month") == (11, (
        "You need 11 retail customers every month to cover the $50 monthly cost."))


def test_the_payback_sentence_counts_one_month_in_the_singular() -> None:
    _, detail = _detail(_with_return(per_month=900, months_paid=1), "payback_months")
    assert "($900 a month for 1 month from joining)" in detail


def test_the_package_formulas_name_the_return_and_the_gate() -> None:
    # The packages' figures count the package's own return and a retail-share gate's kept part
    # (package_figures); their formula said ceil(monthly_cost / pay_per_active_recruit) and
    # ceil(first_year_cost / (12 x profit per customer)) all the same.
    doc = _with_return(per_month=20)
    doc["costs"]["estimated_monthly_expenses"] = 50
    doc["costs"]["required_monthly_purchase"] = 100
    doc["compensation"]["components"].append({"type": "unilevel", "rates": [0.1]})
    doc["compensation"]["qualification"] = {"min_customer_share": {"share": 0.5,
                                                                  "mode": "pro_rata"}}
    e = compute_economics(_plan(doc), DEFAULTS)
    assert e.customer_share_gate is not None
    assert e.customer_share_gate["kept"] < 1
    formula = e.provenance["packages"].formula
    assert ("break_even_active_recruits = ceil((monthly_cost - the package's return) / "
            "(pay_per_active_recruit_per_month x customer_share_gate.kept))") in formula
    assert ("break_even_customers_first_year = ceil((first_year_cost - the package's return "
            "over the first year) / (12 x profit per customer))") in formula
    assert {"position_return", "customer_share_gate"} <= set(e.provenance["packages"].uses)
    # The figures are what the formula says: the Ad package's monthly cost 150, its return 20,
    # 10 a recruit x kept.
    kept = e.customer_share_gate["kept"]
    first = e.packages[0]
    assert first["break_even_active_recruits"] == math.ceil(round(130 / (10 * kept), 9))
    assert first["break_even_customers_first_year"] == math.ceil(
        round((first["first_year_cost"] - 240) / (12 * 4.99), 9))


def test_the_package_formulas_without_a_return_or_gate_stay_plain() -> None:
    doc = copy.deepcopy(ADS)
    del doc["compensation"]["components"][1]
    formula = compute_economics(_plan(doc), DEFAULTS).provenance["packages"].formula
    assert ("break_even_active_recruits = ceil(monthly_cost / "
            "pay_per_active_recruit_per_month)") in formula
    assert "break_even_customers_first_year = ceil(first_year_cost / (12 x profit per " \
        "customer))" in formula
