"""Schema v1.1's retail-share gate: told apart from v1, bad ones refused at the field, and read
by the economics, the indicators, the form and the batch columns."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.model import Plan
from evaluator.schema import plan_errors, plan_version
from evaluator.web import formdata as fd
from tests.batch.test_rows import BASE as ROW
from tests.batch.test_rows import csv_text, documents, reasons

BASE: dict[str, Any] = {
    "company": {"name": "Gate"},
    "costs": {"currency": "USD", "required_monthly_purchase": 100},
    "products": [{"name": "Box", "wholesale_price": 100, "retail_price": 200}],
    "compensation": {"components": [{"type": "retail_commission", "rate": 0.1},
                                    {"type": "unilevel", "rates": [0.1]}]},
}


def _doc(gate: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["compensation"]["qualification"] = {"min_customer_share": gate}
    return doc


def _errors(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in plan_errors(doc)]


AT = "compensation.qualification.min_customer_share"


def test_a_gate_makes_the_plan_one_point_one_and_is_refused_in_v1() -> None:
    doc = _doc({"share": 0.5})
    assert plan_version(doc) == "1.1"
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    gate = plan.compensation.qualification.min_customer_share
    assert (gate.share, gate.of, gate.mode) == (0.5, "downline", "full")
    got = _errors({**doc, "schema_version": "1"})
    assert [p for p, _ in got] == [AT]
    assert "schema 1.1" in got[0][1]


def test_a_v1_plan_normalises_without_the_gate() -> None:
    plan = Plan.from_dict(BASE)
    assert plan.schema_version == "1"
    assert plan.compensation.qualification.min_customer_share is None
    assert "min_customer_share" not in plan.to_dict()["compensation"]["qualification"]


@pytest.mark.parametrize(("gate", "path", "words"), [
    ({"share": 1.5}, f"{AT}.share", "more than the maximum of 1"),
    ({"share": -0.1}, f"{AT}.share", "cannot be negative"),
    ({}, f"{AT}.share", "is required"),
    ({"share": 0.5, "of": "team"}, f"{AT}.of", "is not one of own, downline"),
    ({"share": 0.5, "mode": "half"}, f"{AT}.mode", "is not one of full, pro_rata"),
])
def test_a_bad_gate_is_refused_at_its_field(gate: dict[str, Any], path: str, words: str) -> None:
    got = _errors(_doc(gate))
    assert [p for p, _ in got] == [path]
    assert words in got[0][1]


def test_economics_break_even_recruits_follow_the_gate() -> None:
    # No own-use products (builder_own_products 0): they would be own-purchase volume too.
    defaults = Assumptions.from_overrides({"customers_per_participant": "1",
                                           "price_elasticity": "0",
                                           "builder_own_products": "0"})
    free = compute_economics(Plan.from_dict(BASE), defaults)
    assert "customer_share_gate" not in free.to_dict()
    # One customer a month: 200 of customer volume against 100 of own purchase: 2/3.
    met = compute_economics(Plan.from_dict(_doc({"share": 0.6})), defaults)
    assert met.customer_share_gate["share_reached"] == pytest.approx(2 / 3)
    assert met.customer_share_gate["kept"] == 1.0
    assert met.break_even_active_recruits == free.break_even_active_recruits
    short = compute_economics(Plan.from_dict(_doc({"share": 0.8})), defaults)
    assert short.customer_share_gate["kept"] == 0.0
    assert short.break_even_active_recruits is None  # recruits never pay: no downline pay
    scaled = compute_economics(Plan.from_dict(_doc({"share": 0.8, "mode": "pro_rata"})),
                               defaults)
    assert scaled.customer_share_gate["kept"] == pytest.approx((2 / 3) / 0.8)
    # Each active recruit's 100 pays 0.1 x 100 = 10, of which 5/6 is kept: 100 / (50 / 6) = 12.
    assert scaled.break_even_active_recruits == 12
    assert free.break_even_active_recruits == 10


def test_the_form_enters_and_shows_a_gate() -> None:
    form = {"company.name": "Acme", "costs.currency": "USD", "products[0].name": "Tea",
            "products[0].wholesale_price": "10", "products[0].retail_price": "15",
            "compensation.components[0].type": "unilevel",
            "compensation.components[0].rates": "5%"}
    plain = fd.to_document(fd.state_from_form(form).compact())
    assert "qualification" not in plain["compensation"]
    gated = form | {f"{AT}.share": "70%", f"{AT}.mode": "pro_rata"}
    doc = fd.to_document(fd.state_from_form(gated).compact())
    assert doc["compensation"]["qualification"] == {
        "min_customer_share": {"share": 0.7, "mode": "pro_rata"}}
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1.1"
    back = fd.state_from_document(doc)
    assert back.get(f"{AT}.share") == "0.7"
    assert back.get(f"{AT}.mode") == "pro_rata"
    assert fd.CUSTOMER_SHARE.title == "Share of volume that must be sold to customers"


def test_batch_columns_make_a_gate_and_errors_name_them() -> None:
    (doc,) = documents(csv_text([ROW | {"min_customer_share": "0.5",
                                        "customer_share_of": "own"}]))
    gate = Plan.from_dict(doc).compensation.qualification.min_customer_share
    assert (gate.share, gate.of, gate.mode) == (0.5, "own", "full")
    got = reasons(csv_text([ROW | {"min_customer_share": "0.5", "customer_share_mode": "x"}]))
    assert list(got) == [2]
    assert got[2][0].startswith("customer_share_mode")


def test_the_report_states_the_gate_in_words() -> None:
    from evaluator.report.html import customer_share_terms
    assert customer_share_terms({"share": 0.51, "of": "downline", "mode": "full"}) == (
        "at least 51% of one's whole group's volume (one's own included) sold to customers "
        "outside the network; below it, no downline pay that month (retail margin and "
        "commission on one's own customers are kept)")
    assert "scaled down in proportion" in customer_share_terms(
        {"share": 0.7, "of": "own", "mode": "pro_rata"})
    assert "one's own volume" in customer_share_terms({"share": 0.7, "of": "own"})
