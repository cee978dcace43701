"""The verdict badge's colour follows the verdict's level in its own rubric, for any rubric."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from evaluator.resources import data_dir

SMALL = "max_participants=500&runs=1&horizon_months=24"


class VerdictClasses(HTMLParser):
    """The classes of the report's verdict badge (``<div class="verdict verdict-...">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "verdict" in classes:
            self.classes.append(classes)


@pytest.mark.parametrize(("sample", "verdict", "level"), [
    ("recruiting_fee_plan", "Many red flags", "high"),
    ("nutrition_club_plan", "Some red flags", "elevated"),
    ("party_plan", "Few red flags", "low"),
])
def test_the_taylor_rubric_verdict_is_coloured_by_its_level(
        client: FlaskClient, sample: str, verdict: str, level: str) -> None:
    plan = (data_dir("plan_samples") / f"{sample}.json").read_bytes()
    query = f"{SMALL}&rubric=taylor-red-flags"
    evaluation = client.post(f"/api/v1/evaluate?{query}", data=plan,
                             content_type="application/json").get_json()
    assert (evaluation["score"]["verdict"], evaluation["score"]["verdict_level"]) == (
        verdict, level)
    page = client.post(f"/api/v1/evaluate?{query}&format=html", data=plan,
                       content_type="application/json")
    assert page.status_code == 200
    parser = VerdictClasses()
    parser.feed(page.get_data(as_text=True))
    assert parser.classes == [["verdict", f"verdict-{level}"]]
