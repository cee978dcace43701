"""Rates by rank (schema v1.1) can be entered in the form's rank rows and read back."""

from __future__ import annotations

from flask.testing import FlaskClient

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

FORM = {
    **BASE_FORM,
    "compensation.components[0].type": "unilevel",
    "compensation.components[0].rates": "5%",
    "compensation.ranks[0].name": "Supervisor",
    "compensation.ranks[0].min_team_size": "4",
    "compensation.ranks[0].discount": "50%",
    "compensation.ranks[0].unilevel_rates": "5%, 4%, 3%",
    "compensation.ranks[1].name": "Director",
    "compensation.ranks[1].min_group_volume": "2500",
}


def test_rank_rows_take_rates_by_rank_and_read_them_back() -> None:
    doc = document(FORM)
    assert doc["compensation"]["ranks"] == [
        {"name": "Supervisor", "min_team_size": 4, "discount": 0.5,
         "unilevel_rates": [0.05, 0.04, 0.03]},
        {"name": "Director", "min_group_volume": 2500},
    ]
    assert plan_errors(doc) == []
    plan = Plan.from_dict(doc)
    assert plan.schema_version == "1.1"
    assert plan.compensation.rank_values("unilevel_rates", (0.05,)) == (
        (0.05,), (0.05, 0.04, 0.03), (0.05, 0.04, 0.03))
    back = fd.state_from_document(doc)
    assert back.get("compensation.ranks[0].discount") == "0.5"
    assert back.get("compensation.ranks[0].unilevel_rates") == "0.05, 0.04, 0.03"
    assert back.get("compensation.ranks[0].min_team_size") == "4"
    assert back.get("compensation.ranks[1].discount") == ""


def test_rank_rate_inputs_are_labelled_from_the_schema() -> None:
    labels = {f.key: f.label for f in fd.RANKS.fields}
    assert labels["discount"] == "Discount off retail"
    assert labels["unilevel_rates"] == "Unilevel rates at this rank"
    assert labels["binary_rate"] == "Binary rate at this rank"
    assert labels["min_team_size"] == "Team size needed"


def test_a_binary_rate_without_a_binary_is_an_error_at_the_rank_row() -> None:
    doc = document(
        FORM | {"compensation.ranks[1].binary_rate": "10%"})
    (error,) = plan_errors(doc)
    assert error.path == "compensation.ranks[1].binary_rate"


def test_the_form_page_offers_rates_in_each_rank_row(client: FlaskClient) -> None:
    page = client.get("/form").get_data(as_text=True)
    for key in ("discount", "unilevel_rates", "binary_rate", "min_team_size"):
        assert f'name="compensation.ranks[__i__].{key}"' in page, key
    assert "Discount off retail" in page
