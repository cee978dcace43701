"""The schema v1.1 bonus rules can be entered in the form and read back from a plan."""

from __future__ import annotations

from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd
from tests.web.forms import BASE_FORM, document

FORM = {
    **BASE_FORM,
    "compensation.components[0].type": "unilevel",
    "compensation.components[0].rates": "5%",
}


def test_a_matching_bonus_is_entered_with_its_rates_per_generation() -> None:
    form = FORM | {"compensation.components[1].type": "matching_bonus",
                   "compensation.components[1].rates": "20%, 10%",
                   "compensation.components[1].amounts": "50"}  # another type's field
    doc = document(form)
    assert doc["compensation"]["components"][1] == {"type": "matching_bonus",
                                                    "rates": [0.2, 0.1]}
    assert plan_errors(doc) == []
    assert Plan.from_dict(doc).schema_version == "1.1"
    back = fd.state_from_document(doc)
    assert back.get("compensation.components[1].rates") == "0.2, 0.1"


def test_the_form_offers_the_matching_bonus_by_its_schema_title() -> None:
    (choice,) = [f for f in fd.COMPONENTS.fields if f.key == "type"]
    assert ("matching_bonus", "Matching bonus (a share of what your recruits earn)") in \
        choice.choices
    (rates,) = [f for f in fd.COMPONENTS.fields if f.key == "rates"]
    assert "matching_bonus" in rates.types
