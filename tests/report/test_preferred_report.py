"""The report of a plan with preferred customers (schema v1.1): the program as entered, and the
break-even counted in the assumed mix of retail and preferred customers."""

from __future__ import annotations

from tests.report.test_bonus_terms import _rows


def test_the_preferred_sample_report_counts_customers_in_the_mix() -> None:
    rows = _rows("neora_preferred_customers.json")
    (break_even,) = [r for r in rows if r and r[0].startswith("Customers every month")]
    assert break_even == ["Customers every month (retail and preferred)", "3"]
    (formula,) = [r for r in rows if len(r) == 3
                  and r[0] == "Break-even: customers a month (retail and preferred)"]
    assert formula[2].startswith("ceil(monthly_cost / preferred_customers.pay_per_customer)")
    assert any(r and r[0] == "Preferred customers" for r in rows)


def test_a_plan_without_a_program_counts_retail_customers() -> None:
    rows = _rows("preferred_customer_buyback.json")
    assert [r for r in rows if r and r[0] == "Retail customers every month"]
    assert not [r for r in rows if r and r[0].startswith("Customers every month")]
    assert [r for r in rows if len(r) == 3 and r[0] == "Break-even: retail customers a month"]
