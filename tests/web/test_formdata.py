"""The form <-> plan document conversion: typed text, rows, round trips and error placement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluator.errors import FieldError
from evaluator.model import Plan
from evaluator.schema import plan_errors
from evaluator.web import formdata as fd


@pytest.mark.parametrize(
    ("text", "percent", "expected"),
    [
        ("49", False, 49),
        (" 49.50 ", False, 49.5),
        ("1,250", False, 1250),
        ("$199", False, "$199"),
        ("5%", True, 0.05),
        ("12.5%", True, 0.125),
        ("0.05", True, 0.05),
        ("abc", False, "abc"),
        ("1,5", False, "1,5"),
        ("1e999", False, "1e999"),
        ("-3", False, -3),
        ("5%", False, "5%"),
    ],
)
def test_parse_number(text: str, percent: bool, expected: object) -> None:
    assert fd.parse_number(text, percent=percent) == expected


def test_every_sample_round_trips_through_the_form(sample_paths: list[Path]) -> None:
    for path in sample_paths:
        doc = json.loads(path.read_text("utf-8"))
        back = fd.to_document(fd.state_from_document(doc).compact())
        assert plan_errors(back) == [], path.name
        assert Plan.from_dict(back).sha256 == Plan.from_dict(doc).sha256, path.name


def test_lists_are_typed_with_commas_and_percentages() -> None:
    state = fd.state_from_form(
        {
            "company.name": "Acme",
            "costs.currency": "EUR",
            "products[0].name": "Tea",
            "products[0].wholesale_price": "10",
            "products[0].retail_price": "15",
            "compensation.components[0].type": "unilevel",
            "compensation.components[0].rates": "5%, 0.05; 3%",
            "compensation.components[0].rate": "0.5",
            "compensation.components[0].basis": "customer",
        }
    ).compact()
    doc = fd.to_document(state)
    assert doc["compensation"]["components"] == [
        {"type": "unilevel", "rates": [0.05, 0.05, 0.03], "basis": "customer",
         "compression": None}  # left at "I don't know": unknown, not "no"
    ], "a component keeps only its own type's fields"
    assert plan_errors(doc) == []


def test_blank_rows_are_dropped_and_rows_renumbered() -> None:
    state = fd.state_from_form(
        {
            "products[0].name": "",
            "products[1].name": "Shake",
            "products[1].retail_price": "64",
            "disclosures.income_claims[0]": "",
            "disclosures.income_claims[1]": "Be your own boss",
        }
    ).compact()
    assert state.values["products[0].name"] == "Shake"
    assert "products[1].name" not in state.values
    doc = fd.to_document(state)
    assert doc["disclosures"]["income_claims"] == ["Be your own boss"]
    assert [p["name"] for p in doc["products"]] == ["Shake"]


def test_add_and_remove_rows_keep_the_other_rows_values() -> None:
    state = fd.state_from_form(
        {"products[0].name": "A", "products[1].name": "B", "products[2].name": "C"}
    )
    removed = state.remove_row("products", 1)
    assert removed.rows["products"] == 2
    assert (removed.get("products[0].name"), removed.get("products[1].name")) == ("A", "C")
    added = removed.add_row("products")
    assert added.rows["products"] == 3
    assert added.get("products[2].name") == ""


def test_errors_are_placed_beside_the_field_their_path_names() -> None:
    state = fd.state_from_form({"compensation.components[0].type": "unilevel"})
    names = fd.field_labels(state, {"assumptions.runs": "Monte-Carlo runs"})
    placed = fd.place_errors(
        [
            FieldError("costs.enrollment_fee", "-5 is negative; amounts cannot be negative"),
            FieldError("compensation.components[0].rates[1]", "1.5 is more than the maximum of 1"),
            FieldError("products", "is empty; at least one item is required"),
            FieldError("assumptions.runs", "500 is outside the allowed range"),
            FieldError("", "not valid JSON"),
        ],
        names,
    )
    assert placed.by_field["costs.enrollment_fee"] == ["-5 is negative; amounts cannot be negative"]
    assert placed.by_field["compensation.components[0].rates"] == [
        "item 2: 1.5 is more than the maximum of 1"
    ]
    assert placed.by_section["products"] == ["is empty; at least one item is required"]
    assert placed.by_field["assumptions.runs"] == ["500 is outside the allowed range"]
    assert placed.general == ["not valid JSON"]
    assert ("-5 is negative; amounts cannot be negative",
            "f-costs-enrollment_fee", "Enrollment fee (one-time)") in placed.anchors
    assert not any("costs." in text for text, _, _ in placed.anchors)
    assert placed.anchors[1][2] == "Pay component 1: Rates per level"


def test_descriptions_come_from_the_plan_schema() -> None:
    field = next(f for f in fd.COSTS.fields if f.key == "required_monthly_purchase")
    assert "each month" in fd.describe("costs.required_monthly_purchase", field)
    rate = next(f for f in fd.COMPONENTS.fields if f.key == "monthly_cap")
    hint = fd.describe("compensation.components[0].monthly_cap", rate)
    assert "Most one participant can earn from the binary" in hint


def test_a_huge_row_index_cannot_make_huge_work() -> None:
    state = fd.state_from_form({"products[999999999].name": "Tea", "products[3].name": "Cup"})
    assert state.rows["products"] == 2
    assert state.values == {"products[0].name": "Cup", "products[1].name": "Tea"}


def _schema_max_items(path: str) -> int:
    node = json.loads((Path(fd.__file__).parents[1] / "plan_schema.json").read_text("utf-8"))
    for part in path.split("."):
        node = node["properties"][part]
    return int(node["maxItems"])


@pytest.mark.parametrize("repeat", fd.REPEATS, ids=lambda r: r.path)
def test_every_list_of_the_form_is_capped_at_its_schema_max_items(repeat: fd.Repeat) -> None:
    most = fd.max_rows(repeat.path)
    assert most == _schema_max_items(repeat.path)
    item: Any = "claim" if repeat.scalar else {repeat.fields[0].key: "x"}
    doc: dict[str, Any] = {}
    node = doc
    *parents, last = repeat.path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = [item] * (most + 5)
    state = fd.state_from_document(doc)
    assert state.rows[repeat.path] == most
    assert state.too_long == {repeat.path: most + 5}
    assert [e.path for e in state.too_long_errors()] == [repeat.path]
    assert not state.can_add_row(repeat.path)
    assert state.add_row(repeat.path).rows[repeat.path] == most


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("12", 12), ("000000007", 7), ("²", None), ("٣", None), ("\uff11", None),
    ("-1", None), ("", None), ("1" * (fd.INDEX_DIGITS + 1), None), ("9" * 5000, None),
])
def test_a_row_number_is_a_few_ascii_digits(text: str, expected: int | None) -> None:
    assert fd.row_index(text) == expected


@pytest.mark.parametrize("index", ["1" * 5000, "٣", "²"])
def test_an_error_path_with_an_odd_index_is_placed_as_written(index: str) -> None:
    error = FieldError(f"company.notes[{index}]", "is not allowed")
    placed = fd.place_errors([error], fd.field_labels(fd.FormState()))
    assert placed.by_field["company.notes"] == [f"[{index}]: is not allowed"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("50, 10", [50, 10]),
        ("50,10", [50, 10]),
        ("0.05,0.05,0.03", [0.05, 0.05, 0.03]),
        ("1,000; 500", [1000, 500]),
        ("1,000, 500", ["1,000, 500"]),
        ("50,100", ["50,100"]),
    ],
)
def test_a_list_with_a_thousands_comma_is_read_or_refused_never_guessed(typed, read):
    """``1,000, 500`` was read as [1, 0, 500] with no error."""
    field = next(f for f in fd.COMPONENTS.fields if f.kind == "numbers")
    assert fd.read_value(field, typed) == (True, read)
