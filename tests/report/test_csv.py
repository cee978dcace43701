"""The CSV report: one flat row that csv and pandas read back, with formula cells made inert."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from evaluator.evaluation import Evaluation
from evaluator.report import RENDERERS
from evaluator.report.csv import FIXED_COLUMNS, cell_text, csv_columns, flat_row, neutralise
from tests.report.helpers import render


def test_csv_reads_back_with_dictreader(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    text = render("csv", evaluation).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert len(rows) == 1
    row = rows[0]
    assert reader.fieldnames == csv_columns(ev)
    assert row["company_name"] == ev["plan"]["company"]["name"]
    assert row["verdict"] == ev["score"]["verdict"]
    assert float(row["score"]) == pytest.approx(ev["score"]["value"])
    assert float(row["first_year_cost"]) == pytest.approx(ev["economics"]["first_year_cost"])
    assert row["input_sha256"] == ev["input_sha256"]
    for ind in ev["indicators"]:
        assert row[f"indicator.{ind['id']}.level"] == (ind["level"] or "")
        value = row[f"indicator.{ind['id']}.value"]
        if ind["value"] is None:
            assert value == ""
        elif isinstance(ind["value"], bool):
            assert value == ("true" if ind["value"] else "false")
        else:
            assert float(value) == pytest.approx(ind["value"], rel=1e-5)


def test_csv_reads_back_with_pandas(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    frame = pd.read_csv(io.BytesIO(render("csv", evaluation)))
    assert frame.shape == (1, len(csv_columns(ev)))
    assert list(frame.columns) == csv_columns(ev)
    median = ev["simulation"]["median_net_income"]
    assert frame.loc[0, "median_net_income"] == pytest.approx(median)
    assert median < 0  # a negative figure stays a number, not neutralised text
    assert pd.api.types.is_numeric_dtype(frame["median_net_income"])
    assert frame.loc[0, "startup_cost"] == pytest.approx(ev["economics"]["startup_cost"])
    # what income disclosures count: pay from the company, retail margin aside
    for figure in ("fraction_paid_nothing_by_company", "median_annual_pay_from_company"):
        assert frame.loc[0, figure] == pytest.approx(ev["simulation"][figure], rel=1e-5)


def test_columns_are_identity_score_economics_simulation_then_indicators(
    evaluation: Evaluation,
) -> None:
    columns = csv_columns(evaluation)
    fixed = [name for name, _ in FIXED_COLUMNS]
    assert columns[: len(fixed)] == fixed
    assert len(columns) == len(set(columns))
    indicator_columns = columns[len(fixed):]
    assert indicator_columns
    assert all(c.startswith("indicator.") for c in indicator_columns)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-120.5", "-120.5"),
        ("-1.5e-05", "-1.5e-05"),
        ("-7", "-7"),
        ("0.25", "0.25"),
        ("High risk", "High risk"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_injected_plan_text_is_neutralised_in_the_row(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    ev["plan"]["company"]["name"] = '=HYPERLINK("http://evil.example","click")'
    ev["plan"]["company"]["country"] = "@SUM(1+1)"
    row = flat_row(ev)
    assert row["company_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["country"] == "'@SUM(1+1)"
    buffer = io.BytesIO()
    RENDERERS["csv"].render(ev, buffer)
    (read,) = csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8")))
    assert read["company_name"].startswith("'=")


def test_cells_are_plain_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(True) == "true"
    assert cell_text(12) == "12"
    assert cell_text(3.0) == "3"
    assert cell_text(0.1234567) == "0.123457"
    assert cell_text(-2026.9) == "-2026.9"
    assert cell_text(float("nan")) == ""


def test_csv_is_byte_stable(evaluation: Evaluation) -> None:
    assert render("csv", evaluation) == render("csv", evaluation)


@pytest.mark.parametrize("cell", ["=1+1", "'=1+1", "-5", "-2+3", "plain", "@x", ""])
def test_neutralise_is_idempotent(cell: str) -> None:
    assert neutralise(neutralise(cell)) == neutralise(cell)
