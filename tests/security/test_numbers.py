"""Numbers typed by people at every door go through the one reader (evaluator/numbers.py).

Seeds such as ``²`` or ``¹²³`` (``isdigit()`` is true, ``int()`` fails), ``٣`` (``int()`` reads 3)
and seeds of thousands of digits (``int()`` refuses more than 4,300) must get the plain error
naming the field at the form, the evaluate API, the web batch (API and page) and the command
line; ambiguous figures such as ``2,5`` must be refused, not read as 25.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from evaluator.batch_rows import row_document
from evaluator.cli import cli
from evaluator.resources import data_dir
from tests.security.conftest import csrf_token, error_messages, post_multipart
from tests.web import pages

SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
SMALL = {"max_participants": "200", "runs": "1", "horizon_months": "12"}
SMALL_QUERY = "&".join(f"{k}={v}" for k, v in SMALL.items())
SMALL_SET = [arg for k, v in SMALL.items() for arg in ("--set", f"{k}={v}")]
BATCH_CSV = ("company_name,currency,wholesale_price,retail_price,plan_type\n"
             "Row Co,USD,40,50,single_level\n")

HUGE = "9" * 5000
SEED_RANGE = "is not a whole number from 0 to 2^63 - 1"
BAD_SEEDS: list[tuple[str, str]] = [
    ("²", "'²' is not a number: write it with the digits 0 to 9 ('²' is not one of them)"),
    ("¹²³", "'¹²³' is not a number: write it with the digits 0 to 9 ('¹' is not one of them)"),
    ("٣", "'٣' is not a number: write it with the digits 0 to 9 ('٣' is not one of them)"),
    ("\uff11\uff12", "'\uff11\uff12' is not a number: write it with the digits 0 to 9 "
     "('\uff11' is not one of them)"),
    (HUGE, f"'{'9' * 58}… is too long for a number (at most 30 characters)"),
    (str(2**63), f"'{2**63}' {SEED_RANGE}"),
    ("-1", f"'-1' {SEED_RANGE}"),
    ("1.5", f"'1.5' {SEED_RANGE}"),
]
SEED_IDS = ["superscript", "superscripts", "arabic-indic", "full-width", "5000-digits",
            "2^63", "negative", "fraction"]
AMBIGUOUS = "'2,5' is ambiguous: write 2.5 (a decimal point) or 25"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS, ids=SEED_IDS)
def test_cli_evaluate_refuses_a_bad_seed_naming_it(seed: str, message: str) -> None:
    result = run("evaluate", str(SAMPLE), "--seed", seed, *SMALL_SET)
    assert result.exit_code == 2
    assert result.stderr == f"--seed: {message}\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS[:5], ids=SEED_IDS[:5])
def test_cli_batch_refuses_a_bad_seed_naming_it(seed: str, message: str, tmp_path: Any) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text(BATCH_CSV, "utf-8")
    result = run("batch", str(plans), "-o", str(tmp_path / "out.csv"), "--seed", seed)
    assert result.exit_code == 2
    assert result.stderr == f"--seed: {message}\n"
    assert not (tmp_path / "out.csv").exists()


def test_cli_seed_accepts_grouped_thousands_as_the_same_seed() -> None:
    plain = run("evaluate", str(SAMPLE), "--seed", "1234567", *SMALL_SET)
    grouped = run("evaluate", str(SAMPLE), "--seed", "1,234,567", *SMALL_SET)
    assert plain.exit_code == grouped.exit_code == 0
    assert plain.stdout_bytes == grouped.stdout_bytes


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("customers_per_participant=2,5", f"assumptions.customers_per_participant: {AMBIGUOUS}"),
        ("horizon_months=1,2",
         "assumptions.horizon_months: '1,2' is ambiguous: write 1.2 (a decimal point) or 12"),
        ("market_size=1_00_000", "assumptions.market_size: '1_00_000' is not a number: "
         "underscores may only separate thousands, in groups of three digits (1_234_567)"),
        ("monthly_churn=6", "assumptions.monthly_churn: 6 is outside the allowed range 0 to 1: "
         "did you mean 6%? write 6% or 0.06"),
        ("recruit_rate=$1", "assumptions.recruit_rate: '$1' is not a number: leave out the "
         "currency sign (a currency sign belongs only in amounts of money)"),
        ("runs=٣", "assumptions.runs: '٣' is not a number: write it with the digits 0 to 9 "
         "('٣' is not one of them)"),
        (f"runs={HUGE}", f"assumptions.runs: '{'9' * 58}… is too long for a number (at most 30 "
         "characters)"),
    ],
    ids=["decimal-comma", "decimal-comma-integer", "bad-underscores", "percent-as-number",
         "currency-outside-money", "arabic-indic", "5000-digits"],
)
def test_cli_set_refuses_ambiguous_or_foreign_numbers(setting: str, message: str) -> None:
    result = run("evaluate", str(SAMPLE), *SMALL_SET, "--set", setting)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_cli_set_reads_thousands_and_percentages_as_the_plain_values() -> None:
    typed = run("evaluate", str(SAMPLE), "--set", "market_size=1,000,000",
                "--set", "monthly_churn=6%", *SMALL_SET)
    plain = run("evaluate", str(SAMPLE), "--set", "market_size=1000000",
                "--set", "monthly_churn=0.06", *SMALL_SET)
    assert typed.exit_code == plain.exit_code == 0
    assert typed.stdout_bytes == plain.stdout_bytes


# ---------------------------------------------------------------- the web


def _form_page(client: FlaskClient, **fields: str) -> tuple[int, str]:
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (SAMPLE.read_bytes(), "plan.json"),
        **{f"assumptions.{k}": v for k, v in SMALL.items()}, **fields,
    })
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS, ids=SEED_IDS)
def test_the_form_refuses_a_bad_seed_beside_it(client: FlaskClient, seed: str,
                                               message: str) -> None:
    status, page = _form_page(client, seed=seed)
    assert status == 422
    assert pages.text_of(page, "f-seed-error") == message
    assert pages.parse(page).ids["f-seed"]["value"] == seed, "the typed seed is kept"


def test_the_form_refuses_an_ambiguous_assumption_beside_it(client: FlaskClient) -> None:
    status, page = _form_page(client, **{"assumptions.customers_per_participant": "2,5"})
    assert status == 422
    assert pages.text_of(page, "f-assumptions-customers_per_participant-error") == AMBIGUOUS


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS, ids=SEED_IDS)
def test_the_evaluate_api_refuses_a_bad_seed_naming_it(client: FlaskClient, seed: str,
                                                       message: str) -> None:
    response = client.post(f"/api/v1/evaluate?seed={seed}&{SMALL_QUERY}",
                           data=SAMPLE.read_bytes(), content_type="application/json")
    assert response.status_code == 422
    assert error_messages(response) == [f"seed: {message}"]


def test_the_evaluate_api_refuses_an_ambiguous_assumption(client: FlaskClient) -> None:
    response = client.post(f"/api/v1/evaluate?customers_per_participant=2,5&{SMALL_QUERY}",
                           data=SAMPLE.read_bytes(), content_type="application/json")
    assert response.status_code == 422
    assert error_messages(response) == [f"assumptions.customers_per_participant: {AMBIGUOUS}"]


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS, ids=SEED_IDS)
def test_the_batch_api_refuses_a_bad_seed_naming_it(client: FlaskClient, seed: str,
                                                    message: str) -> None:
    response = client.post(f"/api/v1/batch?seed={seed}&{SMALL_QUERY}", data=BATCH_CSV,
                           content_type="text/csv")
    assert response.status_code == 422
    assert error_messages(response) == [f"seed: {message}"]


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS[:5], ids=SEED_IDS[:5])
def test_the_batch_page_refuses_a_bad_seed_beside_it(client: FlaskClient, seed: str,
                                                     message: str) -> None:
    response = post_multipart(client, "/batch", {
        "csrf_token": csrf_token(client, "/batch"), "seed": seed,
        "csv": (BATCH_CSV.encode(), "plans.csv"),
    })
    assert response.status_code == 422
    assert pages.text_of(response.get_data(as_text=True), "f-seed-error") == message


# ---------------------------------------------------------------- batch CSV cells


def _cells(**cells: str) -> dict[str, str]:
    return {"company_name": "Row Co", "currency": "USD", "wholesale_price": "40",
            "retail_price": "50", "plan_type": "single_level", **cells}


def test_a_batch_cell_takes_a_currency_sign_only_in_money_columns() -> None:
    doc, _, errors = row_document(_cells(enrollment_fee="$99", starter_kit="€1,200.50"))
    assert errors == []
    assert doc["costs"]["enrollment_fee"] == 99
    assert doc["costs"]["starter_kit"] == 1200.5
    _, _, errors = row_document(_cells(volume="$38"))
    assert [str(e) for e in errors] == [
        "volume: '$38' is not a number: leave out the currency sign (a currency sign belongs "
        "only in amounts of money)"]


def test_a_batch_cell_refuses_a_decimal_comma_and_foreign_digits() -> None:
    _, _, errors = row_document(_cells(enrollment_fee="2,5", participants="٣"))
    assert [str(e) for e in errors] == [
        "participants: '٣' is not a number: write it with the digits 0 to 9 ('٣' is not one "
        "of them)",
        f"enrollment_fee: {AMBIGUOUS}",
    ]


def test_a_batch_fraction_cell_reads_a_percentage() -> None:
    doc, _, errors = row_document(_cells(refund_fraction="90%", plan_type="unilevel",
                                         level_rates="5%;3%"))
    assert errors == []
    assert doc["buyback"]["refund_fraction"] == 0.9
    assert doc["compensation"]["components"][-1]["rates"] == [0.05, 0.03]


# ---------------------------------------------------------------- the form's plan fields


def test_a_form_field_takes_a_currency_sign_only_in_money_fields() -> None:
    from evaluator.schema import plan_errors
    from evaluator.web import formdata

    state = formdata.state_from_form({
        "company.name": "Acme", "costs.currency": "USD", "costs.enrollment_fee": "$1,250",
        "products[0].name": "Tea", "products[0].wholesale_price": "€10",
        "products[0].retail_price": "15", "products[0].volume": "$38",
        "buyback.refund_fraction": "90%", "compensation.components[0].type": "retail_margin",
    }).compact()
    doc = formdata.to_document(state)
    assert doc["costs"]["enrollment_fee"] == 1250
    assert doc["products"][0]["wholesale_price"] == 10
    assert doc["buyback"]["refund_fraction"] == 0.9
    assert [str(e) for e in plan_errors(doc)] == [
        "products[0].volume: '$38' is not a number or null"]
