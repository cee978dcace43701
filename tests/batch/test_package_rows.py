"""Enrollment packages (schema v1.1) in the batch CSV: the package_ columns, one item each."""

from __future__ import annotations

from evaluator.batch_rows import SourceRow, open_rows, text_stream
from evaluator.model import Plan
from evaluator.schema import plan_errors
from tests.batch.test_rows import BASE, csv_text

PACKAGES = {
    "package_names": "Basic;VIP",
    "package_prices": "30;$430",
    "package_volumes": "0;",
    "package_ranks": ";Owner",
    "package_shares": "25%;",
    "rank_name": "Owner",
    "rank_min_group_volume": "5000",
}


def rows(cells: dict[str, str]) -> list[SourceRow]:
    return list(open_rows(text_stream(csv_text([{**BASE, **cells}]).encode("utf-8")), None))


def test_package_columns_become_the_plan_s_packages() -> None:
    (row,) = rows(PACKAGES)
    assert row.errors == ()
    assert row.document is not None
    assert row.document["costs"]["packages"] == [
        {"name": "Basic", "price": 30, "volume": 0, "share": 0.25},
        {"name": "VIP", "price": 430, "rank": "Owner"},  # an empty item: unknown, or none
    ]
    assert plan_errors(row.document) == []
    assert Plan.from_dict(row.document).schema_version == "1.1"


def test_a_package_column_with_the_wrong_number_of_items_is_named() -> None:
    (row,) = rows({**PACKAGES, "package_prices": "30"})
    assert [(e.path, e.message) for e in row.errors] == [
        ("package_prices", "has 1 item; give one per package of package_names (2), ';' "
                           "between them")]


def test_package_columns_need_names_and_prices() -> None:
    (row,) = rows({"package_prices": "30;40"})
    assert [e.path for e in row.errors] == ["package_prices"]
    assert "needs package_names" in row.errors[0].message
    (row,) = rows({"package_names": "Basic"})
    assert [e.path for e in row.errors] == ["package_prices"]


def test_a_bad_package_item_names_its_column_and_package() -> None:
    (row,) = rows({**PACKAGES, "package_shares": "25%;lots"})
    assert [e.path for e in row.errors] == ["package_shares"]
    assert row.errors[0].message.startswith("package 2: ")


def test_a_schema_error_in_a_package_is_told_by_its_column() -> None:
    from evaluator.batch_rows import column_errors

    (row,) = rows({**PACKAGES, "package_ranks": ";Emperor"})
    assert row.document is not None
    errors = column_errors(plan_errors(row.document), row.columns)
    assert [e.path for e in errors] == ["package_ranks"]
    assert "'Emperor' is not a rank" in errors[0].message
