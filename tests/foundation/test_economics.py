"""Economics (README.md, "Economics") against worked examples whose arithmetic is written out."""

from __future__ import annotations

import math
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import (
    PAYBACK_CUSTOMERS,
    PAYBACK_RECRUITS,
    Economics,
    Order,
    _ceil_div,
    average_order,
    compute_economics,
    customer_order,
    payback,
    recruitment_math,
)
from evaluator.model import Plan

# --- Example A: an auto-ship unilevel plan ------------------------------------------------------
WELLNESS: dict[str, Any] = {
    "company": {"name": "Example Wellness"},
    "costs": {
        "currency": "USD", "enrollment_fee": 49, "starter_kit": 199, "inventory_package": 0,
        "annual_renewal_fee": 29, "monthly_fees": [{"name": "back office", "amount": 25}],
        "required_monthly_purchase": 120, "autoship_required": True,
        "estimated_monthly_expenses": 60, "annual_event_costs": 300,
    },
    "products": [{"name": "Shake 30-day", "wholesale_price": 48, "retail_price": 64,
                  "volume": 38, "comparable_market_price": 30}],
    "compensation": {
        "commissionable_fraction": 0.8,
        "components": [{"type": "retail_margin"},
                       {"type": "unilevel", "rates": [0.05, 0.05, 0.05, 0.03, 0.02]}],
    },
}


def _economics(doc: dict[str, Any], **overrides: Any) -> Economics:
    return compute_economics(Plan.from_dict(doc), Assumptions.from_overrides(overrides))


def test_example_a_costs() -> None:
    e = _economics(WELLNESS)
    # startup = enrollment 49 + kit 199 + inventory 0 = 248
    assert e.startup_cost == 248
    # monthly = fees 25 + purchase 120 x (1 - 0) + expenses 60 + (renewal 29 + events 300) / 12
    #         = 205 + 329 / 12 = 205 + 27.41666... = 232.41666...
    assert e.monthly_cost == pytest.approx(232.4166667)
    assert e.monthly_cost_breakdown == pytest.approx(
        {"monthly_fees": 25, "required_purchase": 120, "expenses": 60,
         "renewal_and_events": 27.4166667}
    )
    # first year = 248 + 12 x 232.41666... = 248 + 2789 = 3037
    assert e.first_year_cost == pytest.approx(3037)


def test_example_a_personal_use_value_credits_part_of_the_purchase() -> None:
    e = _economics(WELLNESS, personal_use_value="0.5")
    # monthly = 25 + 120 x (1 - 0.5) + 60 + 27.41666... = 172.41666...
    assert e.monthly_cost == pytest.approx(172.4166667)
    # first year = 248 + 12 x 172.41666... = 248 + 2069 = 2317
    assert e.first_year_cost == pytest.approx(2317)


def test_example_a_margins_and_break_even() -> None:
    e = _economics(WELLNESS)
    # retail margin = (64 - 48) / 64 = 0.25
    assert e.retail_margin_fraction == pytest.approx(0.25)
    # premium = 64 / 30 - 1 = 1.13333...
    assert e.price_premium_fraction == pytest.approx(34 / 30)
    # profit per customer = 64 - 48 = 16 (retail_margin only)
    assert e.profit_per_customer_per_month == 16
    # customers to break even = ceil(232.4166 / 16) = ceil(14.53) = 15
    assert e.break_even_customers_per_month == 15
    # recruit volume: the product's own volume overrides price x fraction:
    # 120 money x (38 volume / 48 money) = 95 volume; pay = 95 x 0.05 (first unilevel rate) = 4.75
    assert e.pay_per_active_recruit_per_month == pytest.approx(4.75)
    # active recruits to break even = ceil(232.4166 / 4.75) = ceil(48.93) = 49
    assert e.break_even_active_recruits == 49


def test_example_a_payback_is_never() -> None:
    e = _economics(WELLNESS)
    # typical participant: 2 customers x 16 - 232.42 = -200.42 <= 0, so never
    assert e.payback_months is None
    # best cell of the table: 10 x 16 + 5 x 4.75 - 232.42 = 183.75 - 232.42 < 0: never anywhere
    assert all(cell is None for row in e.payback_table for cell in row)


def test_example_a_recruitment_math() -> None:
    r = _economics(WELLNESS).recruitment
    # k = 49: level 1 = 49, level 2 = 2,401, level 3 = 117,649, level 4 = 5,764,801 > 1,000,000
    assert r["recruits_needed_each"] == 49
    assert r["market_size"] == 1_000_000
    assert [lvl["people"] for lvl in r["levels"]] == [49, 2_401, 117_649, 5_764_801]
    assert r["depth_exceeding_market"] == 4
    # below the person: 49 + 2,401 + 117,649 + 5,764,801 = 5,884,900
    assert r["people_below_needed"] == 5_884_900
    assert [lvl["cumulative"] for lvl in r["levels"]] == [49, 2_450, 120_099, 5_884_900]


def test_example_a_market_size_changes_the_depth() -> None:
    r = _economics(WELLNESS, market_size="100000").recruitment
    # 49^3 = 117,649 > 100,000 at depth 3; 49 + 2,401 + 117,649 = 120,099 people
    assert (r["depth_exceeding_market"], r["people_below_needed"]) == (3, 120_099)


# --- Example B: a retail-first single-level plan -----------------------------------------------
RETAIL: dict[str, Any] = {
    "company": {"name": "Retail First"},
    "costs": {"currency": "USD", "starter_kit": 49, "estimated_monthly_expenses": 20},
    "products": [
        {"name": "Knife", "wholesale_price": 30, "retail_price": 50, "comparable_market_price": 45},
        {"name": "Pans", "wholesale_price": 90, "retail_price": 150,
         "comparable_market_price": 140},
        {"name": "Spices", "wholesale_price": 12, "retail_price": 20},
    ],
    "compensation": {"components": [{"type": "retail_margin"},
                                    {"type": "retail_commission", "rate": 0.1}]},
}


def test_example_b_retail_first() -> None:
    e = _economics(RETAIL, price_elasticity="0")
    # startup = 0 + 49 + 0 = 49; monthly = 20; first year = 49 + 12 x 20 = 289
    assert (e.startup_cost, e.monthly_cost, e.first_year_cost) == (49, 20, 289)
    # margin = mean(20/50, 60/150, 8/20) = mean(0.4, 0.4, 0.4) = 0.4
    assert e.retail_margin_fraction == pytest.approx(0.4)
    # premium over products that have a comparable price only:
    # mean(50/45 - 1, 150/140 - 1) = mean(0.11111, 0.0714286) = 0.0912698
    assert e.price_premium_fraction == pytest.approx((50 / 45 - 1 + 150 / 140 - 1) / 2)
    # profit per customer = mean(20 + 0.1 x 50, 60 + 0.1 x 150, 8 + 0.1 x 20)
    #                     = mean(25, 75, 10) = 36.666...
    assert e.profit_per_customer_per_month == pytest.approx(110 / 3)
    # customers to break even = ceil(20 / 36.67) = 1
    assert e.break_even_customers_per_month == 1
    # no required purchase and no level-1 rate: recruits never pay, so "never" (null)
    assert e.pay_per_active_recruit_per_month == 0
    assert e.break_even_active_recruits is None
    assert e.recruitment["depth_exceeding_market"] is None
    # payback with 2 customers: 2 x 36.67 - 20 = 53.33 a month; ceil(49 / 53.33) = 1 month
    assert e.payback_months == 1


def test_example_b_payback_with_one_customer() -> None:
    e = _economics(RETAIL, customers_per_participant="1", price_elasticity="0")
    # 1 x 36.67 - 20 = 16.67 a month; ceil(49 / 16.67) = ceil(2.94) = 3 months
    assert e.payback_months == 3


def test_example_b_payback_table() -> None:
    e = _economics(RETAIL, price_elasticity="0")
    assert len(e.payback_table) == len(PAYBACK_CUSTOMERS) == 11
    assert all(len(row) == len(PAYBACK_RECRUITS) == 6 for row in e.payback_table)
    # 0 customers: -20 a month whatever the recruits (they pay 0): never
    assert e.payback_table[0] == (None,) * 6
    # 1 customer: ceil(49 / 16.67) = 3; 2 customers: ceil(49 / 53.33) = 1
    assert e.payback_table[1] == (3,) * 6
    assert e.payback_table[2] == (1,) * 6


def test_no_comparable_price_is_unknown_not_zero() -> None:
    doc = {**RETAIL, "products": [{"name": "Spices", "wholesale_price": 12, "retail_price": 20}]}
    assert _economics(doc).price_premium_fraction is None


# --- Example C: unilevel + matrix + binary, volume from the commissionable fraction -------------
LEVELS: dict[str, Any] = {
    "company": {"name": "Levels"},
    "costs": {"currency": "EUR", "enrollment_fee": 100, "required_monthly_purchase": 50,
              "monthly_fees": [{"name": "site", "amount": 10}]},
    "products": [{"name": "Pack", "wholesale_price": 100, "retail_price": 125}],
    "compensation": {
        "commissionable_fraction": 0.8,
        "components": [
            {"type": "retail_commission", "rate": 0.2},
            {"type": "unilevel", "rates": [0.1, 0.05]},
            {"type": "matrix", "width": 3, "rates": [0.05]},
            {"type": "binary", "rate": 0.1},
        ],
    },
}


def test_example_c_pay_per_recruit_and_break_even() -> None:
    e = _economics(LEVELS)
    # monthly = 10 + 50 = 60
    assert e.monthly_cost == 60
    # volume = 50 x 0.8 = 40; pay = 40 x (0.10 unilevel + 0.05 matrix) + 0.1 x 40 / 2
    #        = 6 + 2 = 8
    assert e.pay_per_active_recruit_per_month == pytest.approx(8)
    # recruits to break even = ceil(60 / 8) = ceil(7.5) = 8
    assert e.break_even_active_recruits == 8
    # profit per customer = 0.2 x 125 = 25; customers to break even = ceil(60 / 25) = 3
    assert e.profit_per_customer_per_month == pytest.approx(25)
    assert e.break_even_customers_per_month == 3
    # typical 2 customers: 50 - 60 < 0: never
    assert e.payback_months is None


def test_example_c_payback_table_cells() -> None:
    table = _economics(LEVELS).payback_table
    # 3 customers, 0 recruits: 75 - 60 = 15 a month; ceil(100 / 15) = ceil(6.67) = 7
    assert table[3][0] == 7
    # 2 customers, 2 recruits: 50 + 16 - 60 = 6 a month; ceil(100 / 6) = ceil(16.67) = 17
    assert table[2][2] == 17
    # 0 customers, 5 recruits: 40 - 60 < 0: never
    assert table[0][5] is None
    # 10 customers, 5 recruits: 250 + 40 - 60 = 230 a month; ceil(100 / 230) = 1
    assert table[10][5] == 1
    # every cell follows the same formula
    for n in PAYBACK_CUSTOMERS:
        for r in PAYBACK_RECRUITS:
            net = 25 * n + 8 * r - 60
            expected = None if net <= 0 else math.ceil(100 / net)
            assert table[n][r] == expected, (n, r)


def test_example_c_recruitment_math() -> None:
    r = _economics(LEVELS).recruitment
    # k = 8: 8, 64, 512, 4,096, 32,768, 262,144, 2,097,152 > 1,000,000 at depth 7
    assert r["depth_exceeding_market"] == 7
    # 8 + 64 + 512 + 4,096 + 32,768 + 262,144 + 2,097,152 = 2,396,744
    assert r["people_below_needed"] == 2_396_744


# --- Edge cases of the definitions -------------------------------------------------------------
def test_whole_numbers_are_not_rounded_up_by_float_error() -> None:
    doc = {
        "company": {"name": "Cents"},
        "costs": {"currency": "USD",
                  "monthly_fees": [{"name": f"fee {i}", "amount": 0.1} for i in range(3)]},
        "products": [{"name": "Thing", "wholesale_price": 1, "retail_price": 1}],
        "compensation": {"components": [{"type": "retail_commission", "rate": 0.1}]},
    }
    e = _economics(doc)
    # 0.1 + 0.1 + 0.1 = 0.30000000000000004 in floating point; 0.3 / 0.1 is exactly 3 customers
    assert e.break_even_customers_per_month == 3


def test_nothing_to_earn_back_is_zero_not_never() -> None:
    doc = {
        "company": {"name": "Free"},
        "costs": {"currency": "USD"},
        "products": [{"name": "Thing", "wholesale_price": 5, "retail_price": 10}],
        "compensation": {"components": [{"type": "retail_margin"}]},
    }
    e = _economics(doc)
    # no cost at all: zero customers needed, payback at once (2 x 5 - 0 = 10 > 0)
    assert (e.break_even_customers_per_month, e.payback_months) == (0, 0)
    assert e.break_even_active_recruits == 0


@pytest.mark.parametrize(("k", "depth"), [(None, None), (0, None), (1, None), (2, 20)])
def test_recruitment_math_small_k(k: int | None, depth: int | None) -> None:
    # 2^19 = 524,288 <= 1,000,000 < 2^20 = 1,048,576
    r = recruitment_math(k, 1_000_000)
    assert r["depth_exceeding_market"] == depth
    if depth:
        assert r["people_below_needed"] == 2 ** (depth + 1) - 2


def test_every_contract_figure_has_provenance() -> None:
    e = _economics(WELLNESS)
    out = e.to_dict()
    for key in (
        "startup_cost", "monthly_cost", "first_year_cost", "retail_margin_fraction",
        "price_premium_fraction", "break_even_customers_per_month",
        "break_even_active_recruits", "payback_months",
    ):
        assert key in out
        assert out["provenance"][key]["uses"], key
        assert out["provenance"][key]["formula"], key
    assert "assumptions.personal_use_value" in out["provenance"]["monthly_cost"]["uses"]
    assert "assumptions.customers_per_participant" in out["provenance"]["payback_months"]["uses"]
    assert out["payback_table"]["customers"] == list(range(11))
    assert out["payback_table"]["active_recruits"] == list(range(6))


def test_a_tiny_amount_owed_still_needs_one_unit() -> None:
    # 0.3 owed at 1e12 a unit is 3e-13 units: rounding must not make it "none needed"
    assert _ceil_div(0.3, 1e12) == 1
    assert payback(0.3, 1e12) == 1


def test_an_unboundedly_large_need_is_never() -> None:
    # 100 owed at 5e-324 (the smallest float) a unit overflows to infinity: "never", not a crash
    assert _ceil_div(100, 5e-324) is None
    assert payback(100, 5e-324) is None


def test_a_vanishing_pay_rate_means_never() -> None:
    doc = {**LEVELS, "compensation": {"components": [{"type": "unilevel", "rates": [5e-324]}]}}
    e = _economics(doc)
    # 40 volume x 5e-324 is 0 in floating point: recruits never pay for the 60 a month
    assert e.break_even_active_recruits is None
    assert e.recruitment["depth_exceeding_market"] is None


# --- One average order: the mean price and the mean volume over products ----------------------
def _two_products(components: list[dict[str, Any]]) -> Plan:
    return Plan.from_dict({
        "company": {"name": "Two products"},
        "costs": {"currency": "USD"},
        "products": [
            {"name": "Small", "wholesale_price": 10, "retail_price": 20},  # volume: price x 0.5
            {"name": "Large", "wholesale_price": 100, "retail_price": 200, "volume": 20},
        ],
        "compensation": {"commissionable_fraction": 0.5, "components": components},
    })


def test_average_order_of_two_products() -> None:
    plan = _two_products([{"type": "retail_margin"}])
    # wholesale: (10 + 100) / 2 = 55; volume (10 x 0.5 + 20) / 2 = 12.5
    assert average_order(plan, "wholesale") == Order(55.0, 12.5, 12.5)
    # retail: (20 + 200) / 2 = 110; volume (20 x 0.5 + 20) / 2 = 15
    assert average_order(plan, "retail") == Order(110.0, 15.0, 15.0)


def test_customer_order_is_at_wholesale_only_with_retail_margin() -> None:
    assert customer_order(_two_products([{"type": "retail_margin"}])) == Order(55.0, 12.5, 12.5)
    commission = [{"type": "retail_commission", "rate": 0.1}]
    assert customer_order(_two_products(commission)) == Order(110.0, 15.0, 15.0)
