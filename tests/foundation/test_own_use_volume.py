"""The economics' pay per active recruit is on the required purchase alone, while the
simulation pays uplines on a builder's own-use products too; README.md says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evaluator.assumptions import Assumptions
from evaluator.economics import pay_per_active_recruit
from evaluator.model import Plan
from evaluator.simulation.network import Params, count_volumes

DOC = {"company": {"name": "Example"},
       "costs": {"currency": "USD", "required_monthly_purchase": 100},
       "products": [{"name": "Tea", "wholesale_price": 40, "retail_price": 50, "volume": 40}],
       "compensation": {"components": [{"type": "unilevel", "rates": [0.1]}]}}


def test_the_readme_says_what_the_figure_leaves_out() -> None:
    plan = Plan.from_dict(DOC)
    # The economics: 10% of the required purchase's volume 100.
    assert pay_per_active_recruit(plan) == pytest.approx(10)
    # The simulation: one active builder's own-purchase volume is 100 + 0.5 x 40 = 120 at the
    # default builder_own_products, so their sponsor is paid 12 on it.
    params = Params.build(plan, Assumptions.defaults())
    volumes = count_volumes(params, np.array([[0], [1], [0], [0]]), points=True)
    assert volumes[:, 0].tolist() == pytest.approx([0, 120, 0])
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "so this figure understates what the simulation pays per recruit" in " ".join(
        text.split())
