"""The economics' retail-share gate (schema v1.1) counts the volume the simulation counts: a
builder's own-use products (``builder_own_products``) are own-purchase volume in both engines
(``network.count_volumes``), so they lower the share sold to customers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import compute_economics
from evaluator.model import Plan

# One product: 40 wholesale, 50 retail, volume 40; a 10% unilevel on a 40 required purchase
# and a gate of 90% of one's own volume sold to customers, pro rata.
DOC: dict[str, Any] = {
    "schema_version": "1.1",
    "company": {"name": "Example Gate"},
    "costs": {"currency": "USD", "required_monthly_purchase": 40,
              "estimated_monthly_expenses": 20},
    "products": [{"name": "Cream", "wholesale_price": 40, "retail_price": 50, "volume": 40}],
    "compensation": {
        "components": [{"type": "retail_commission", "rate": 0.1},
                       {"type": "unilevel", "rates": [0.1]}],
        "qualification": {"min_customer_share": {"share": 0.9, "of": "own",
                                                 "mode": "pro_rata"}},
    },
}


@pytest.mark.parametrize(("own_products", "reached"), [
    # Eight customers: 8 x 40 = 320 of customer volume; the required purchase 40. Without
    # own use: 320 / 360 = 8/9. With half a product of own use a month: 20 more of own
    # volume, 320 / 380 = 16/19.
    (0.0, 8 / 9),
    (0.5, 16 / 19),
])
def test_own_use_products_count_as_own_volume(own_products: float, reached: float) -> None:
    assumed = Assumptions.from_overrides({"customers_per_participant": 8,
                                          "price_elasticity": 0,
                                          "builder_own_products": own_products})
    e = compute_economics(Plan.from_dict(copy.deepcopy(DOC)), assumed)
    gate = e.customer_share_gate
    assert gate is not None
    assert gate["share_reached"] == pytest.approx(reached)
    assert gate["kept"] == pytest.approx(reached / 0.9)
    # Break-even on recruits: the monthly cost 60 over 10% of 40 = 4 a recruit x kept.
    assert e.break_even_active_recruits == -(-60 // (4 * reached / 0.9))
    assert "assumptions.builder_own_products" in e.provenance["customer_share_gate"].uses
