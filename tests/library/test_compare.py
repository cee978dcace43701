"""Offers side by side: the comparison as data, its page, PDF and CSV read back, the
re-evaluation under one set of assumptions, refusals, and ``oppeval compare``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient

from evaluator.compare import compare
from evaluator.evaluation import evaluate_document
from evaluator.report.comparison import COMPARISON_RENDERERS
from tests.library.conftest import RECRUITING, RETAIL, SAMPLES, SMALL, save_plan
from tests.report.helpers import pdftotext
from tests.web.pages import parse

OVERRIDES = {k.removeprefix("assumptions."): v for k, v in SMALL.items()}


def evaluation(plan: Path, **overrides: str) -> dict[str, Any]:
    """A plan's evaluation dictionary, as the canonical JSON gives it."""
    result: dict[str, Any] = json.loads(evaluate_document(
        plan.read_bytes(), overrides={**OVERRIDES, **overrides}, seed=None).to_json())
    return result


@pytest.fixture(scope="module")
def pair() -> list[dict[str, Any]]:
    """A retail-first offer and a recruiting-fee offer, evaluated alike."""
    return [evaluation(RETAIL), evaluation(RECRUITING)]


def test_the_comparison_names_the_cheaper_offer_and_why(pair: list[dict[str, Any]]) -> None:
    result = compare(pair)
    assert [o.name for o in result.offers] == ["Corrow Kitchen Direct", "Callbridge Connect"]
    median = {o.letter: ev["simulation"]["median_net_income"]
              for o, ev in zip(result.offers, pair, strict=True)}
    assert median["A"] > median["B"]
    assert result.summary.startswith("Corrow Kitchen Direct (offer A) costs a typical recruit "
                                     "less")
    assert "because its first year costs $289 against $1,690" in result.summary
    titles = [s.title for s in result.sections]
    assert titles == ["What joining costs", "Break-even", "The bottom line",
                      "Where the money comes from", "Late joiners", "Verdict"]
    verdict = next(r for s in result.sections for r in s.rows if r.key == "score.verdict")
    assert verdict.values == (pair[0]["score"]["verdict"], pair[1]["score"]["verdict"])
    levels = {i["id"]: (i["level"],) for i in pair[0]["indicators"]}
    for row in result.indicators:
        assert row.levels[0] != row.levels[1]
        assert levels[row.id] == (row.levels[0],)
    same = sum(1 for a, b in zip(pair[0]["indicators"], pair[1]["indicators"], strict=True)
               if a["level"] == b["level"])
    assert result.same_indicators == same


def test_the_summary_says_when_currencies_differ_or_nothing_differs(
        pair: list[dict[str, Any]]) -> None:
    euro = json.loads(json.dumps(pair[1]))
    euro["economics"]["currency"] = "EUR"
    assert "different currencies (EUR, USD)" in compare([pair[0], euro]).summary
    assert compare([pair[0], pair[0]]).summary.startswith("No offer costs a typical recruit less")
    with pytest.raises(ValueError, match="2 to 4 offers"):
        compare(pair[:1])


def test_the_comparison_is_deterministic(pair: list[dict[str, Any]]) -> None:
    for fmt, renderer in COMPARISON_RENDERERS.items():
        assert renderer.render_bytes(compare(pair)) == renderer.render_bytes(compare(pair)), fmt


def test_the_comparison_csv_reads_back_with_pandas(pair: list[dict[str, Any]]) -> None:
    body = COMPARISON_RENDERERS["csv"].render_bytes(compare(pair))
    table = pd.read_csv(io.BytesIO(body), dtype={"key": str})
    assert list(table.columns) == ["section", "figure", "key", "A: Corrow Kitchen Direct",
                                   "B: Callbridge Connect"]
    by_key = table.set_index("key")
    for key, path in (("economics.first_year_cost", ("economics", "first_year_cost")),
                      ("simulation.median_net_income", ("simulation", "median_net_income"))):
        for column, ev in zip(table.columns[3:], pair, strict=True):
            assert float(by_key.loc[key, column]) == pytest.approx(ev[path[0]][path[1]])
    assert by_key.loc["summary", "figure"] == compare(pair).summary


def test_the_comparison_pdf_text_holds_the_summary_and_the_figures(
        pair: list[dict[str, Any]], tmp_path: Path) -> None:
    body = COMPARISON_RENDERERS["pdf"].render_bytes(compare(pair))
    assert body.startswith(b"%PDF")
    text = " ".join(pdftotext(body, tmp_path).split())
    assert "Corrow Kitchen Direct (offer A) costs a typical recruit less" in text
    for phrase in ("What joining costs", "Late joiners", "Indicators that differ",
                   "Callbridge Connect", "$1,690"):
        assert phrase in text


def test_compare_shows_saved_reports_side_by_side(client: FlaskClient) -> None:
    first, second = save_plan(client), save_plan(client, RECRUITING)
    response = client.get(f"/compare?r={first}&r=http://localhost/reports/{second}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Corrow Kitchen Direct (offer A) costs a typical recruit less" in page
    assert 'href="/compare.css"' in page
    assert parse(page).title.startswith("Compared: Corrow Kitchen Direct")
    for fmt in ("pdf", "csv", "html"):
        assert f"/compare/download/{fmt}?r={first}&amp;r={second}" in page
    csv_body = client.get(f"/compare/download/csv?r={first}&r={second}")
    assert csv_body.headers["Content-Disposition"].startswith("attachment;")
    expected = compare([evaluation(RETAIL), evaluation(RECRUITING)])
    assert csv_body.get_data() == COMPARISON_RENDERERS["csv"].render_bytes(expected)
    html_body = client.get(f"/compare/download/html?r={first}&r={second}")
    assert "'sha256-" in html_body.headers["Content-Security-Policy"]


def test_compare_evaluates_every_offer_under_the_first_reports_assumptions(
        client: FlaskClient) -> None:
    first = save_plan(client, **{"assumptions.recruit_rate": "0.3", "seed": "5"})
    second = save_plan(client, RECRUITING)
    body = client.get(f"/compare/download/csv?r={first}&r={second}").get_data()
    table = pd.read_csv(io.BytesIO(body)).set_index("key")
    under_first = json.loads(evaluate_document(
        RECRUITING.read_bytes(), overrides={**OVERRIDES, "recruit_rate": "0.3"},
        seed=5).to_json())
    as_saved = evaluation(RECRUITING)
    column = "B: Callbridge Connect"
    assert float(table.loc["simulation.median_net_income", column]) == pytest.approx(
        under_first["simulation"]["median_net_income"])
    assert under_first["simulation"] != as_saved["simulation"], "the settings matter"


@pytest.mark.parametrize(("query", "status", "message"), [
    ("", 200, "Paste the addresses of 2 to 4 saved reports"),
    ("?r=" + "A" * 22, 422, "name 2 to 4 saved reports to compare; 1 given"),
    ("?" + "&".join(f"r={c * 22}" for c in "ABCDE"), 422, "5 given"),
    ("?r=" + "A" * 22 + "&r=not-an-address", 422,
     "report 2: &#39;not-an-address&#39; is not the address of a saved report"),
    ("?r=" + "A" * 22 + "&r=" + "A" * 22, 422, "the same report is named twice"),
    ("?r=" + "A" * 22 + "&r=" + "B" * 22, 404, "report 1: there is no saved report"),
])
def test_compare_refuses_what_it_cannot_compare_naming_why(
        client: FlaskClient, query: str, status: int, message: str) -> None:
    response = client.get(f"/compare{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_compare_downloads_refuse_as_the_page_does(client: FlaskClient) -> None:
    assert client.get("/compare/download/pdf?r=x").status_code == 422
    assert client.get("/compare/download/exe?r=x").status_code == 404


def oppeval(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the installed ``oppeval`` command as a user would."""
    return subprocess.run([str(Path(sys.executable).with_name("oppeval")), *args],
                          capture_output=True, check=False, timeout=300)


def _set() -> list[str]:
    return [part for name, value in OVERRIDES.items() for part in ("--set", f"{name}={value}")]


def test_oppeval_compare_prints_the_offers_side_by_side() -> None:
    done = oppeval("compare", str(RETAIL), str(RECRUITING), *_set())
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert text.startswith("Compared: Corrow Kitchen Direct · Callbridge Connect\n")
    assert "Corrow Kitchen Direct (offer A) costs a typical recruit less" in " ".join(text.split())
    assert "First-year cost" in text


def test_oppeval_compare_reads_plans_or_report_json_alike(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    made = oppeval("evaluate", str(RECRUITING), "-o", str(report), *_set())
    assert made.returncode == 0, made.stderr
    from_plans = oppeval("compare", str(RETAIL), str(RECRUITING), "-f", "csv", *_set())
    from_report = oppeval("compare", str(RETAIL), str(report), "-f", "csv", *_set())
    assert from_plans.returncode == from_report.returncode == 0
    assert from_plans.stdout == from_report.stdout
    table = pd.read_csv(io.BytesIO(from_plans.stdout))
    assert list(table.columns)[3:] == ["A: Corrow Kitchen Direct", "B: Callbridge Connect"]


def test_oppeval_compare_refuses_plainly() -> None:
    one = oppeval("compare", str(RETAIL))
    assert one.returncode == 2
    assert one.stderr.decode().strip() == "PLAN: give 2 to 4 plans to compare; 1 given"
    broken = oppeval("compare", str(RETAIL), str(SAMPLES / "batch_example.csv"), *_set())
    assert broken.returncode == 2
    assert broken.stderr.decode().startswith(f"{SAMPLES / 'batch_example.csv'}: ")
