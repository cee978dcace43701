"""The report shows in words what the simulated participants bought only to qualify (issue 18).

``simulation.buying_to_qualify`` was in the JSON alone; the HTML and the PDF now say how often
participants bought to reach a target, what it cost, and how often they passed it up, and where
the simulated sales went (to outside customers, and with own use counted as demand). The
indicators carry the same simulated readings beside the structural ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evaluator.evaluation import Evaluation, evaluate_document
from evaluator.formatting import money, percent
from evaluator.resources import data_dir
from tests.report.helpers import FAST, flat, pdftotext, render


def _evaluate(name: str) -> Evaluation:
    data = (data_dir("plan_samples") / f"{name}.json").read_bytes()
    return evaluate_document(data, overrides={k: str(v) for k, v in FAST.items()})


@pytest.fixture(scope="module")
def club() -> Evaluation:
    """The Herbalife-like sample: a personal-volume target that people buy their way to."""
    return _evaluate("nutrition_club_plan")


def _sentence(ev: dict[str, Any]) -> str:
    btq = ev["simulation"]["buying_to_qualify"]
    cur = ev["plan"]["costs"]["currency"]
    return (f"Buying to qualify: in {percent(btq['participant_month_share'])} of the months "
            "participants were active they bought product they had not sold only to reach a "
            f"personal volume target, about {money(btq['mean_purchase'], cur)} each time")


def test_the_club_sample_buys_to_qualify(club: Evaluation) -> None:
    btq = club.to_dict()["simulation"]["buying_to_qualify"]
    assert btq["participant_month_share"] > 0
    assert btq["mean_purchase"] > 0
    assert btq["by_kind"]["member"]["participant_month_share"] == 0


def test_html_says_what_was_bought_to_qualify_and_where_sales_went(club: Evaluation) -> None:
    ev = club.to_dict()
    page = flat(render("html", club).decode("utf-8"))
    assert _sentence(ev) in page
    sales = ev["simulation"]["sales"]
    assert (f"{percent(sales['non_participant_share'])} of the company's product sales were to "
            "customers outside the network") in page
    assert f"as demand too, as the Herbalife order counts verified personal consumption, " \
           f"{percent(sales['end_user_share'])}." in page


def test_pdf_says_what_was_bought_to_qualify(club: Evaluation, tmp_path: Path) -> None:
    text = flat(pdftotext(render("pdf", club), tmp_path))
    assert _sentence(club.to_dict()) in text


def test_indicators_carry_the_simulated_readings(club: Evaluation) -> None:
    ev = club.to_dict()
    ind = {i["id"]: i for i in ev["indicators"]}
    btq = ev["simulation"]["buying_to_qualify"]
    assert (f"In the simulation participants bought product only to qualify in "
            f"{percent(btq['participant_month_share'])} of their active months"
            in ind["pay_to_play_purchase"]["detail"])
    sales = ev["simulation"]["sales"]
    detail = ind["customer_share_of_sales"]["detail"]
    assert f"Simulated: {percent(sales['non_participant_share'])} of product sales" in detail
    # The structural reading stays the value (the rubric's floor reads it).
    assert ind["customer_share_of_sales"]["source"] == "economics"


def test_no_top_up_sentence_where_nobody_is_ever_short() -> None:
    ev = _evaluate("retail_first_single_level").to_dict()
    ind = {i["id"]: i for i in ev["indicators"]}
    assert "only to qualify" not in ind["pay_to_play_purchase"]["detail"]
