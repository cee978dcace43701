"""A real plan whose verdict rests on an uncertain figure, and the report that says so (issue 18).

The preferred-customer sample (built like Neora's plan, docs/SOURCES.md ``neora``) scores Lower
risk with the default two outside customers per participant a month and Significant risk with
one. How many customers a participant really
serves is where the record is thinnest (Neora's own figure is about five preferred customers per
active partner; Herbalife's half of Sales Leaders sold under $5 a month), so the verdict is not
firm, and the report must say which assumption moves it, in words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.evaluation import Evaluation, evaluate_document
from evaluator.resources import data_dir
from tests.report.helpers import FAST, flat, pdftotext, render

SENTENCE = ("With customers per participant at 1 instead of 2, the verdict would be "
            "Significant risk instead of Lower risk (riskier).")


@pytest.fixture(scope="module")
def neora_like() -> Evaluation:
    """The preferred-customer sample at the fast setting."""
    data = (data_dir("plan_samples") / "preferred_customer_buyback.json").read_bytes()
    return evaluate_document(data, overrides={k: str(v) for k, v in FAST.items()})


def test_halving_customers_flips_the_neora_like_verdict(neora_like: Evaluation) -> None:
    sensitivity = neora_like.to_dict()["sensitivity"]
    assert neora_like.verdict == sensitivity["baseline"]["verdict"] == "Lower risk"
    flipped = [c for c in sensitivity["changes"] if c["flips"]]
    assert [(c["assumption"], c["from"], c["to"], c["verdict"], c["direction"])
            for c in flipped] == [
        ("customers_per_participant", 2.0, 1.0, "Significant risk", "riskier")]
    assert sensitivity["flips"] == [SENTENCE]
    assert sensitivity["stable"] is False


def test_the_html_report_names_the_assumption_that_flips_it(neora_like: Evaluation) -> None:
    page = flat(render("html", neora_like).decode("utf-8"))
    assert "How firm is the verdict?" in page
    assert "The verdict depends on the assumptions:" in page
    assert SENTENCE in page


def test_the_pdf_report_names_the_assumption_that_flips_it(neora_like: Evaluation,
                                                           tmp_path: Path) -> None:
    text = flat(pdftotext(render("pdf", neora_like), tmp_path))
    assert "How firm is the verdict?" in text
    assert SENTENCE in text
