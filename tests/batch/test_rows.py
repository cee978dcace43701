"""The batch CSV format: rows become plan documents, bad rows are reported by column, never lost."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.batch_rows import (
    COLUMNS,
    PLAN_TYPES,
    CsvUnreadable,
    column_errors,
    columns_markdown,
    open_rows,
    text_stream,
)
from evaluator.model import Plan
from evaluator.schema import plan_errors

REPO = Path(__file__).resolve().parents[2]

BASE = {
    "company_name": "Row Co",
    "currency": "USD",
    "wholesale_price": "40",
    "retail_price": "50",
    "plan_type": "unilevel",
    "level_rates": "0.05;0.04",
}


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """A CSV with the union of the rows' columns (or ``header``)."""
    names = header or list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for r in rows:
        writer.writerow([r.get(n, "") for n in names])
    return out.getvalue()


def reasons(text: str | bytes, folder: Path | None = None) -> dict[int, list[str]]:
    """Row number -> every reason the row is invalid (cells, then the plan schema)."""
    stream = text_stream(text if isinstance(text, bytes) else text.encode("utf-8"))
    out: dict[int, list[str]] = {}
    for row in open_rows(stream, folder):
        if row.errors:
            out[row.row] = [str(e) for e in row.errors]
        else:
            assert row.document is not None
            plan_file = row.columns.get("plan_file")
            out[row.row] = [
                str(e) for e in column_errors(plan_errors(row.document), row.columns, plan_file)
            ]
    return out


def documents(text: str, folder: Path | None = None) -> list[dict]:
    return [r.document for r in open_rows(text_stream(text.encode()), folder) if r.document]


@pytest.mark.parametrize(
    ("extra", "component"),
    [
        ({"plan_type": "unilevel", "level_rates": "0.05;0.05;0.03", "compression": "yes"},
         {"type": "unilevel", "rates": [0.05, 0.05, 0.03], "basis": "all", "compression": True}),
        ({"plan_type": "binary", "level_rates": "0.1", "binary_monthly_cap": "5000"},
         {"type": "binary", "rate": 0.1, "monthly_cap": 5000.0, "carryover": False}),
        ({"plan_type": "matrix", "level_rates": "0.05;0.05", "matrix_width": "3"},
         {"type": "matrix", "width": 3, "rates": [0.05, 0.05]}),
        ({"plan_type": "breakaway", "level_rates": "0.04;0.03", "rank_min_group_volume": "2500"},
         {"type": "breakaway", "generation_rates": [0.04, 0.03]}),
        ({"plan_type": "binary", "level_rates": "", "binary_cycle_volume_left": "100",
          "binary_cycle_volume_right": "200", "binary_cycle_pay": "25",
          "binary_carryover": "yes", "binary_carry_cap": "1000",
          "binary_unqualified_legs": "flush"},
         {"type": "binary", "carryover": True, "cycle_volume_left": 100.0,
          "cycle_volume_right": 200.0, "cycle_pay": 25.0, "carry_cap": 1000.0,
          "unqualified_legs": "flush"}),
    ],
    ids=["unilevel", "binary", "matrix", "breakaway", "binary cycles"],
)
def test_each_plan_type_becomes_a_valid_plan(extra: dict[str, str], component: dict) -> None:
    (doc,) = documents(csv_text([BASE | extra]))
    plan = Plan.from_dict(doc)
    assert doc["compensation"]["components"][0] == {"type": "retail_margin"}
    assert doc["compensation"]["components"][1] == component
    assert plan.company.name == "Row Co"
    assert plan.products[0].retail_price == 50


def test_single_level_has_no_downline_pay() -> None:
    row = BASE | {"plan_type": "single_level", "level_rates": "", "retail_commission_rate": "0.1"}
    (doc,) = documents(csv_text([row]))
    assert [c["type"] for c in doc["compensation"]["components"]] == [
        "retail_margin", "retail_commission"
    ]
    Plan.from_dict(doc)


def test_every_field_column_reaches_the_plan() -> None:
    row = BASE | {
        "country": "US", "participants": "250000", "founded": "2012", "enrollment_fee": "49",
        "starter_kit": "199", "inventory_package": "10", "annual_renewal_fee": "29",
        "monthly_fee": "25", "required_monthly_purchase": "120", "autoship_required": "TRUE",
        "estimated_monthly_expenses": "60", "annual_event_costs": "300",
        "starter_kit_commissionable": "no", "product_name": "Shake", "volume": "38",
        "comparable_market_price": "30", "buyback_offered": "y", "refund_fraction": "0.9",
        "buyback_window_days": "365", "commissionable_fraction": "0.8",
        "min_personal_volume": "100", "own_purchases_count": "1", "min_retail_customers": "2",
        "enrollment_bonus": "50;10", "fast_start_rates": "0.25", "fast_start_months": "2",
        "rank_name": "Director", "rank_monthly_bonus": "100", "payout_cap_fraction": "0.45",
        "income_disclosure_year": "2023", "fraction_earning_nothing": "0.62",
        "income_claims": "Earn a full-time income | Retire early",
        "reported_retail_fraction": "0.2", "currency": "usd",
    }
    (doc,) = documents(csv_text([row]))
    plan = Plan.from_dict(doc)
    assert plan.costs.currency == "USD"
    assert plan.costs.monthly_fees_total == 25
    assert plan.costs.autoship_required is True
    assert plan.costs.starter_kit_commissionable is False
    assert plan.buyback.window_days == 365
    assert plan.compensation.qualification.own_purchases_count is True
    assert plan.compensation.ranks[0].name == "Director"
    assert plan.compensation.has("rank_bonus")
    assert plan.compensation.component("fast_start").months == 2
    assert plan.compensation.component("enrollment_bonus").amounts == (50.0, 10.0)
    assert plan.disclosures.income_claims == ("Earn a full-time income", "Retire early")
    assert plan.disclosures.income_disclosure.fraction_earning_nothing == 0.62
    assert plan.company.participants == 250000


def test_empty_optional_cells_keep_unknown_distinct_from_zero() -> None:
    (doc,) = documents(csv_text([BASE | {"buyback_offered": "", "autoship_required": ""}]))
    plan = Plan.from_dict(doc)
    assert plan.buyback.offered is None
    assert plan.costs.autoship_required is None
    assert plan.disclosures.income_disclosure is None


BROKEN: list[tuple[str, dict[str, str], list[str]]] = [
    ("bad number", {"enrollment_fee": "abc"}, ["enrollment_fee: 'abc' is not a number"]),
    ("fraction typed as a percentage number", {"refund_fraction": "90"},
     ["refund_fraction: 90 is outside the allowed range 0 to 1: did you mean 90%? write 90% "
      "or 0.90"]),
    ("ambiguous comma", {"starter_kit": "1,2"},
     ["starter_kit: '1,2' is ambiguous: write 1.2 (a decimal point) or 12"]),
    ("currency sign outside money", {"volume": "$38"},
     ["volume: '$38' is not a number: leave out the currency sign (a currency sign belongs "
      "only in amounts of money)"]),
    ("not finite", {"starter_kit": "1e999"},
     ["starter_kit: '1e999' is too large; numbers must be finite"]),
    ("bad boolean", {"autoship_required": "maybe"},
     ["autoship_required: 'maybe' is not true or false (write true, false, yes or no)"]),
    ("not whole", {"matrix_width": "2.5", "plan_type": "matrix"},
     ["matrix_width: 2.5 is not a whole number"]),
    ("unknown plan type", {"plan_type": "pyramid"},
     ["plan_type: 'pyramid' is not one of " + ", ".join(PLAN_TYPES)]),
    ("missing plan type", {"plan_type": ""},
     ["plan_type: is required: name the plan's shape, one of " + ", ".join(PLAN_TYPES)
      + " (or give the whole plan in plan_file)"]),
    ("bad level", {"level_rates": "0.05;x"},
     ["level_rates: level 2: 'x' is not a number"]),
    ("empty level", {"level_rates": "0.05;;0.03"},
     ["level_rates: level 2 of '0.05;;0.03' is empty"]),
    ("rate out of range", {"level_rates": "0.05;1.5"},
     ["level_rates: level 2: 1.5 is outside the allowed range 0 to 1: did you mean 1.5%? "
      "write 1.5% or 0.015"]),
    ("negative money", {"enrollment_fee": "-5"},
     ["enrollment_fee: -5.0 is negative; amounts cannot be negative"]),
    ("missing currency", {"currency": ""}, ["currency: is required but missing"]),
    ("bad currency", {"currency": "dollars"},
     ["currency: 'DOLLARS' is not a three-letter ISO 4217 currency code in capitals, such as "
      "USD"]),
    ("missing price", {"retail_price": ""}, ["retail_price: is required but missing"]),
    ("binary with levels", {"plan_type": "binary", "level_rates": "0.1;0.1"},
     ["level_rates: binary pays one rate on the weaker leg; give one rate, not 2"]),
    ("binary cycle pay without cycle volumes",
     {"plan_type": "binary", "level_rates": "", "binary_cycle_pay": "25"},
     ["binary_cycle_volume_left: is required when cycle_pay is given: a cycle takes volume "
      "from both legs",
      "binary_cycle_volume_right: is required when cycle_pay is given: a cycle takes volume "
      "from both legs"]),
    ("binary unqualified legs", {"plan_type": "binary", "level_rates": "0.1",
                                 "binary_unqualified_legs": "keep"},
     ["binary_unqualified_legs: 'keep' is not one of carry, flush"]),
    ("binary cycles for another type", {"binary_cycle_pay": "25"},
     ["binary_cycle_pay: does not apply to plan_type unilevel (leave it empty)"]),
    ("matrix without width", {"plan_type": "matrix"},
     ["matrix_width: is required for plan_type matrix: give the positions under each "
      "participant"]),
    ("breakaway without rank", {"plan_type": "breakaway"},
     ["rank_min_group_volume: plan_type breakaway pays by rank: fill the rank_ columns (one "
      "rank) or give the whole plan in plan_file"]),
    ("single level with rates", {"plan_type": "single_level"},
     ["level_rates: is for plans with downline pay; plan_type single_level has none (leave "
      "it empty or choose another plan_type)"]),
    ("pays nothing", {"plan_type": "single_level", "level_rates": "", "retail_margin": "no"},
     ["retail_margin: is false and the row fills no other pay column, so the plan pays "
      "nothing; set retail_margin to true or give retail_commission_rate"]),
    ("column for another type", {"matrix_width": "3"},
     ["matrix_width: does not apply to plan_type unilevel (leave it empty)"]),
    ("several at once", {"enrollment_fee": "x", "retail_price": "0", "level_rates": "2"},
     ["enrollment_fee: 'x' is not a number", "retail_price: 0.0 must be more than 0",
      "level_rates: level 1: 2 is outside the allowed range 0 to 1: did you mean 2%? write "
      "2% or 0.02"]),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_a_broken_cell_is_reported_by_column(change: dict[str, str], expected: list[str]
                                             ) -> None:
    header = [*BASE, *sorted(set(change) - set(BASE))]
    text = csv_text([BASE, BASE | change, BASE], header=header)
    found = reasons(text)
    assert found[2] == []
    assert found[4] == []
    assert found[3] == [f"{e}" for e in expected]


def test_empty_rows_repeated_header_and_cell_counts_are_reported_rows() -> None:
    text = csv_text([BASE])
    header = text.splitlines()[0]
    body = text.splitlines()[1]
    whole = "\n".join([header, body, "", ",,,,,", header, body + ",extra", "Short,USD", body])
    found = reasons(whole + "\n")
    assert list(found) == [2, 3, 4, 5, 6, 7, 8]
    assert found[3] == ["the row is empty"]
    assert found[4] == ["the row is empty"]
    assert found[5] == ["the row repeats the header (were two files joined?)"]
    assert found[6] == ["the row has 7 cells but the header has 6 columns"]
    assert found[7] == ["the row has 2 cells but the header has 6 columns"]
    assert found[2] == found[8] == []


def test_header_problems_make_every_row_invalid_with_the_reason() -> None:
    names = [*BASE, "currency", "enrolment_fee"]
    text = csv_text([BASE, BASE], header=names)
    found = reasons(text)
    assert found[2] == found[3] == [
        "currency: appears twice in the header (columns 2 and 7); keep one",
        "enrolment_fee: is not a batch column; the columns are listed in the README (batch CSV "
        "format)",
    ]


def test_bytes_that_are_not_utf8_cost_one_row() -> None:
    text = csv_text([BASE, BASE, BASE]).encode()
    lines = text.split(b"\n")
    lines[2] = lines[2].replace(b"Row Co", b"Row \xff Co")
    found = reasons(b"\n".join(lines))
    assert found == {2: [], 3: ["the row is not UTF-8 text; save the file as CSV UTF-8"], 4: []}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the CSV is empty; expected a header row and one row per offer"),
        (b"PK\x03\x04\x00\x00binary", "this is not a text CSV file (line 1 holds a NUL byte)"),
        (b"company_name;currency;plan_type\nA;USD;unilevel\n",
         "the header separates columns with ';'; save the file as comma-separated CSV"),
        (b"Acme,USD,49\n", "the first row is not a header"),
        (b"company_name,\xff\xfe\n", "the header is not UTF-8 text"),
    ],
    ids=["empty", "binary", "semicolons", "no header", "header not utf8"],
)
def test_a_csv_that_cannot_be_read_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(CsvUnreadable) as caught:
        list(open_rows(text_stream(data), None))
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------ plan files


@pytest.fixture
def plan_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    (folder / "plans").mkdir(parents=True)
    sample = (REPO / "plan_samples" / "retail_first_single_level.json").read_text("utf-8")
    (folder / "plans" / "good.json").write_text(sample, "utf-8")
    (folder / "broken.json").write_text("{not json", "utf-8")
    (folder / "invalid.json").write_text('{"company": {"name": "X"}}', "utf-8")
    (tmp_path / "outside.json").write_text(sample, "utf-8")
    os.symlink(tmp_path / "outside.json", folder / "escape.json")
    return folder


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("plans/good.json", []),
        ("missing.json", ["plan_file: 'missing.json' does not exist in the CSV's folder"]),
        ("../outside.json",
         ["plan_file: '../outside.json' leaves the CSV's folder ('..' is not allowed)"]),
        ("/etc/passwd.json",
         ["plan_file: '/etc/passwd.json' is an absolute path; name a file in the CSV's folder"]),
        ("C:\\plans\\x.json",
         ["plan_file: 'C:\\\\plans\\\\x.json' is an absolute path; name a file in the CSV's "
          "folder"]),
        ("escape.json", ["plan_file: 'escape.json' points outside the CSV's folder"]),
        ("plans/good.txt", ["plan_file: 'plans/good.txt' is not a .json plan file"]),
        ("broken.json",
         ["plan_file: broken.json: not valid JSON: Expecting property name enclosed in double "
          "quotes at line 1, column 2"]),
        ("invalid.json",
         ["plan_file: invalid.json: compensation: is required but missing",
          "plan_file: invalid.json: costs: is required but missing",
          "plan_file: invalid.json: products: is required but missing"]),
    ],
    ids=["good", "missing", "dotdot", "absolute", "windows", "symlink", "suffix", "broken",
         "invalid"],
)
def test_plan_files_stay_inside_the_csv_folder(plan_folder: Path, name: str,
                                               expected: list[str]) -> None:
    found = reasons(f"plan_file\n{name}\n", plan_folder)
    assert found[2] == expected


def test_plan_file_rows_take_no_other_columns(plan_folder: Path) -> None:
    found = reasons("plan_file,company_name\nplans/good.json,Other\n", plan_folder)
    assert found[2] == ["company_name: must be empty when plan_file is given: the plan file "
                        "holds the whole plan"]


def test_web_uploads_accept_no_plan_file() -> None:
    found = reasons("plan_file\nplans/good.json\n", None)
    assert found[2] == ["plan_file: plan files are not accepted here; put the plan in the "
                        "row's columns"]


def test_the_bundled_example_csv_is_all_valid() -> None:
    path = REPO / "plan_samples" / "batch_example.csv"
    found = reasons(path.read_bytes(), path.parent)
    assert found
    assert all(v == [] for v in found.values())


def test_the_readme_documents_every_column() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert columns_markdown() in readme
    assert len({c.name for c in COLUMNS}) == len(COLUMNS)


# ------------------------------------------------------------------ every row accounted for

_CELLS = st.one_of(
    st.sampled_from(["", " ", "0.05;0.05", "unilevel", "USD", "yes", "-1", "1e999", "=1+1",
                     "plans/x.json", "../x.json", '"quoted"', "a,b", "line\nbreak"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                   exclude_characters="\x00"), max_size=12),
)
"""Cells of any text but NUL (a NUL byte refuses the whole file, naming its line)."""


@settings(max_examples=60, deadline=None)
@given(
    header=st.lists(st.sampled_from([c.name for c in COLUMNS] + ["mystery", ""]), min_size=1,
                    max_size=8).filter(lambda h: any(n in {c.name for c in COLUMNS}
                                                     for n in h)),
    rows=st.lists(st.lists(_CELLS, max_size=9), max_size=12),
)
def test_every_record_becomes_exactly_one_row_in_order(header: list[str],
                                                       rows: list[list[str]]) -> None:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    out = list(open_rows(text_stream(buffer.getvalue().encode("utf-8")), None))
    assert [r.row for r in out] == list(range(2, len(rows) + 2))
    for r in out:
        assert (r.document is None) == bool(r.errors)
        assert all(isinstance(e.message, str) and e.message for e in r.errors)


def test_the_readme_shows_the_current_batch_help() -> None:
    from click.testing import CliRunner

    from evaluator.cli import cli

    result = CliRunner().invoke(cli, ["batch", "--help"])
    assert result.exit_code == 0
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"```\n$ oppeval batch --help\n{result.stdout}```" in readme
