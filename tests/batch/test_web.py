"""The web batch: the upload page and POST /api/v1/batch, with the command line's results."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from evaluator.assumptions import SPECS
from evaluator.batch import run_batch
from evaluator.evaluation import evaluate_document
from evaluator.resources import data_dir
from evaluator.rubric import load_rubric
from evaluator.web import create_app
from evaluator.web.batch import MAX_BYTES, MAX_ROWS
from evaluator.web.service import bundled_rubrics, default_rubric_stem
from tests.batch.helpers import INLINE, SMALL, job_page, write_csv

QUERY = "&".join(f"{k}={v}" for k, v in SMALL.items())
OTHER_RUBRIC = "taylor-red-flags"
"""The bundled rubric that is not the default."""


class Page(HTMLParser):
    """The parts of the batch page the tests read: token, summary, table rows, downloads,
    the inputs' values (a select's selected option), the errors beside them, the rubric note."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.token = ""
        self.links: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.summary = ""
        self.errors: list[str] = []
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.field_errors: dict[str, str] = {}
        self.rubric_note = ""
        self._cell: list[str] | None = None
        self._select = ""
        self._field_error = ""
        self._in_rubric_note = False
        self._in_summary = False
        self._in_error_summary = 0
        self._li: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token":
            self.token = a.get("value") or ""
        if tag == "a" and a.get("id", "").startswith("download-"):
            self.links[a["id"] or ""] = a.get("href") or ""
        if tag == "tr" and self._in_table:
            self.rows.append([])
        if tag in ("td", "th") and self._in_table and self.rows:
            self._cell = []
        if tag == "table" and a.get("id") == "batch-rows":
            self._in_table = True
        if tag == "p" and a.get("id") == "batch-summary":
            self._in_summary = True
        if tag == "div" and a.get("id") == "batch-errors":
            self._in_error_summary = 1
        if tag == "li" and self._in_error_summary:
            self._li = []
        if tag == "input" and a.get("type") in ("text", None) and a.get("name"):
            self.values[a["name"] or ""] = a.get("value") or ""
        if tag == "select":
            self._select = a.get("name") or ""
            self.options[self._select] = []
        if tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a or self._select not in self.values:
                self.values[self._select] = a.get("value") or ""
        if tag == "p" and (a.get("id") or "").endswith("-error"):
            self._field_error = (a.get("id") or "")[2:-len("-error")]
            self.field_errors[self._field_error] = ""
        if tag == "p" and a.get("id") == "batch-rubric":
            self._in_rubric_note = True

    _in_table = False

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "table":
            self._in_table = False
        if tag == "p":
            self._in_summary = False
            self._field_error = ""
            self._in_rubric_note = False
        if tag == "select":
            self._select = ""
        if tag == "li" and self._li is not None:
            self.errors.append("".join(self._li).strip())
            self._li = None
        if tag == "div" and self._in_error_summary:
            self._in_error_summary = 0

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_summary:
            self.summary += data
        if self._li is not None:
            self._li.append(data)
        if self._field_error:
            self.field_errors[self._field_error] += data
        if self._in_rubric_note:
            self.rubric_note += data


@pytest.fixture
def client() -> FlaskClient:
    app = create_app({"TESTING": True, "OPPEVAL_DEFAULT_OVERRIDES": dict(SMALL)})
    return app.test_client()


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    """Four offers: two scored, one with a bad number, one naming a plan file."""
    return write_csv(tmp_path / "offers.csv", [*INLINE, "plan_file"], [
        INLINE,
        INLINE | {"company_name": "Bad Fee", "enrollment_fee": "lots"},
        {"plan_file": "stairstep_breakaway.json"},
        INLINE | {"company_name": "Matrix Co", "plan_type": "matrix", "level_rates": "0.05",
                  "plan_file": ""},
    ])


def post_page(client: FlaskClient, data: bytes, name: str = "offers.csv",
              token: str | None = None, **fields: str) -> tuple[int, Page]:
    if token is None:
        token = Page(client.get("/batch").get_data(as_text=True)).token
    response = client.post("/batch", data={"csrf_token": token,
                                           "csv": (io.BytesIO(data), name), **fields},
                           content_type="multipart/form-data")
    response = job_page(client, response)
    return response.status_code, Page(response.get_data(as_text=True))


def test_the_page_offers_an_upload_form(client: FlaskClient) -> None:
    response = client.get("/batch")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.token
    assert 'name="csv"' in response.get_data(as_text=True)


def test_the_page_shows_every_row_and_offers_the_results(client: FlaskClient, upload: Path,
                                                        tmp_path: Path) -> None:
    status, page = post_page(client, upload.read_bytes())
    assert status == 200
    assert page.summary.startswith("4 rows: 1 scored, 3 invalid; ")
    body = page.rows[1:]
    assert [r[0] for r in body] == ["2", "3", "4", "5"]
    assert body[0][2] in {"Lower risk", "Significant risk", "High risk"}
    assert body[1][2] == "Invalid"
    assert "enrollment_fee: 'lots' is not a number" in body[1][5]
    assert "plan files are not accepted here" in body[2][5]
    assert "matrix_width: is required for plan_type matrix" in body[3][5]
    header, payload = page.links["download-csv"].split(",", 1)
    assert header == "data:text/csv;charset=utf-8;base64"
    results = pd.read_csv(io.BytesIO(base64.b64decode(payload)), dtype=str,
                          keep_default_na=False)
    expected = tmp_path / "cli.csv"
    run_batch(upload, expected, workers=1, overrides=SMALL)
    cli_results = pd.read_csv(expected, dtype=str, keep_default_na=False)
    # The command line reads plan files; the web refuses them. Every other row is identical.
    keep = results["row"] != "4"
    assert results[keep].reset_index(drop=True).equals(
        cli_results[cli_results["row"] != "4"].reset_index(drop=True))


def test_the_page_refuses_without_its_token(client: FlaskClient, upload: Path) -> None:
    status, _ = post_page(client, upload.read_bytes(), token="")
    assert status == 400


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "choose a CSV file to score"),
        (b"Acme,USD\n", 422, "the first row is not a header"),
        (b"company_name\n" + b"A\n" * (MAX_ROWS + 1), 413,
         f"the CSV has {MAX_ROWS + 1:,} rows; the web limit is {MAX_ROWS:,} rows"),
    ],
    ids=["no file", "no header", "too many rows"],
)
def test_the_page_explains_a_refusal(client: FlaskClient, data: bytes, status: int,
                                     message: str) -> None:
    code, page = post_page(client, data)
    assert code == status
    assert page.errors
    assert page.errors[0].startswith(message)


def test_the_api_answers_with_every_row_as_json(client: FlaskClient, upload: Path) -> None:
    response = client.post(f"/api/v1/batch?{QUERY}", data=upload.read_bytes(),
                           content_type="text/csv")
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"]["rows"] == 4
    assert [r["row"] for r in body["rows"]] == [2, 3, 4, 5]
    assert body["rows"][0]["status"] == "scored"
    assert body["rows"][0]["evaluation"]["score"]["verdict"] == body["rows"][0]["verdict"]
    assert body["rows"][1]["errors"] == [
        {"path": "enrollment_fee", "message": "'lots' is not a number"}]


def test_the_api_csv_equals_the_command_line(client: FlaskClient, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "two.csv", list(INLINE),
                     [INLINE, INLINE | {"company_name": "=1+2", "plan_type": "binary",
                                        "level_rates": "0.1"}])
    response = client.post(f"/api/v1/batch?format=csv&{QUERY}", data=path.read_bytes(),
                           content_type="text/csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    out = tmp_path / "cli.csv"
    run_batch(path, out, workers=1, overrides=SMALL)
    assert response.get_data() == out.read_bytes()


@pytest.mark.parametrize(
    ("query", "data", "status", "error"),
    [
        ("", b"", 400, {"path": "", "message": "the body is empty; send the batch CSV "
                                               "(text/csv)"}),
        ("", b"\x00\x01", 422, {"path": "", "message": "this is not a text CSV file (line "
                                                       "1 holds a NUL byte); save it as CSV "
                                                       "UTF-8"}),
        ("format=pdf", b"company_name\nA\n", 422,
         {"path": "format", "message": "'pdf' is not one of csv, json"}),
        ("color=red", b"company_name\nA\n", 422,
         {"path": "color", "message": "is not a parameter of this operation; expected one of "
                                      + ", ".join(("format", "seed", "rubric", *SPECS))}),
        ("max_participants=60000", b"company_name\nA\n", 413,
         {"path": "assumptions.max_participants",
          "message": "60,000 is more than the web limit of 50,000 simulated participants; "
                     "use the command line (oppeval evaluate --set) for larger simulations"}),
        ("", b"company_name\n" + b"A\n" * (MAX_ROWS + 1), 413,
         {"path": "", "message": f"the CSV has {MAX_ROWS + 1} rows; the web limit is "
                                 f"{MAX_ROWS} rows (use oppeval batch for more)"}),
        ("", b"company_name\n" + b"A" * MAX_BYTES, 413,
         {"path": "", "message": f"the CSV is {MAX_BYTES + 13:,} bytes; the web limit is "
                                 f"{MAX_BYTES:,} bytes (use oppeval batch for larger files)"}),
    ],
    ids=["empty", "binary", "format", "unknown parameter", "simulation limit", "rows",
         "bytes"],
)
def test_the_api_refuses_in_the_one_error_shape(client: FlaskClient, query: str, data: bytes,
                                                status: int, error: dict[str, str]) -> None:
    response = client.post(f"/api/v1/batch?{query}", data=data, content_type="text/csv")
    assert response.status_code == status
    assert response.get_json() == {"errors": [error]}


def test_the_api_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/batch"]["post"]
    assert operation["operationId"] == "scoreBatch"
    assert "text/csv" in operation["requestBody"]["content"]


# ---------------------------------------------------------------- the rubric choice


def rubric_path(stem: str) -> Path:
    return data_dir("rubrics") / f"{stem}.yaml"


def test_the_other_bundled_rubric_is_the_one_chosen_here() -> None:
    stems = [stem for stem, _ in bundled_rubrics()]
    assert stems[0] == default_rubric_stem() != OTHER_RUBRIC
    assert OTHER_RUBRIC in stems


def test_the_page_offers_the_bundled_rubrics_as_the_form_does(client: FlaskClient) -> None:
    page = Page(client.get("/batch").get_data(as_text=True))
    form = Page(client.get("/form").get_data(as_text=True))
    assert page.options["rubric"] == form.options["rubric"] == [s for s, _ in bundled_rubrics()]
    assert page.values["rubric"] == default_rubric_stem()
    select = re.compile(r'<select id="f-rubric".*?</select>', re.S)
    batch_select = select.findall(client.get("/batch").get_data(as_text=True))
    assert batch_select == select.findall(client.get("/form").get_data(as_text=True))
    for _, rubric in bundled_rubrics():
        assert escape(f"{rubric.title} ({rubric.id} {rubric.version})") in batch_select[0]


@pytest.mark.parametrize("stem", ["", "pyramid-risk", OTHER_RUBRIC])
def test_the_api_scores_every_row_with_the_chosen_rubric(client: FlaskClient, upload: Path,
                                                         stem: str) -> None:
    query = f"{QUERY}&rubric={stem}" if stem else QUERY
    response = client.post(f"/api/v1/batch?{query}", data=upload.read_bytes(),
                           content_type="text/csv")
    assert response.status_code == 200
    body = response.get_json()
    rubric = load_rubric(rubric_path(stem or default_rubric_stem()))
    scored = [r for r in body["rows"] if r["status"] == "scored"]
    assert scored
    assert {r["evaluation"]["rubric"]["id"] for r in scored} == {rubric.id}
    row = scored[0]
    alone = evaluate_document(row["evaluation"]["plan"], overrides=dict(SMALL),
                              seed=row["seed"], rubric=rubric).to_dict()
    assert row["evaluation"]["score"] == json.loads(json.dumps(alone["score"]))
    assert row["verdict"] == alone["score"]["verdict"]


def test_the_two_rubrics_score_the_same_rows_differently(client: FlaskClient,
                                                         upload: Path) -> None:
    scores = {}
    for stem in ("pyramid-risk", OTHER_RUBRIC):
        body = client.post(f"/api/v1/batch?{QUERY}&rubric={stem}", data=upload.read_bytes(),
                           content_type="text/csv").get_json()
        # the scores alone: the rubric ids differ whatever the scores
        scores[stem] = [r["evaluation"]["score"]["value"]
                        for r in body["rows"] if r["status"] == "scored"]
    assert scores["pyramid-risk"] != scores[OTHER_RUBRIC]
    assert len(scores["pyramid-risk"]) == len(scores[OTHER_RUBRIC])


def test_the_api_csv_under_a_rubric_equals_the_command_line(client: FlaskClient,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "two.csv", list(INLINE),
                     [INLINE, INLINE | {"company_name": "Binary", "plan_type": "binary",
                                        "level_rates": "0.1"}])
    response = client.post(f"/api/v1/batch?format=csv&rubric={OTHER_RUBRIC}&{QUERY}",
                           data=path.read_bytes(), content_type="text/csv")
    assert response.status_code == 200
    out = tmp_path / "cli.csv"
    run_batch(path, out, workers=1, overrides=SMALL, rubric_path=rubric_path(OTHER_RUBRIC))
    assert response.get_data() == out.read_bytes()
    default = tmp_path / "default.csv"
    run_batch(path, default, workers=1, overrides=SMALL)
    assert response.get_data() != default.read_bytes()


def test_the_page_scores_with_the_chosen_rubric_and_says_which(client: FlaskClient,
                                                               upload: Path,
                                                               tmp_path: Path) -> None:
    status, page = post_page(client, upload.read_bytes(), rubric=OTHER_RUBRIC, seed="7")
    assert status == 200
    rubric = load_rubric(rubric_path(OTHER_RUBRIC))
    assert " ".join(page.rubric_note.split()) == (
        f"Scored with the rubric {rubric.title} ({rubric.id} {rubric.version}).")
    assert page.values["rubric"] == OTHER_RUBRIC
    assert page.values["seed"] == "7"
    payload = page.links["download-csv"].split(",", 1)[1]
    results = pd.read_csv(io.BytesIO(base64.b64decode(payload)), dtype=str,
                          keep_default_na=False)
    expected = tmp_path / "cli.csv"
    run_batch(upload, expected, workers=1, overrides=SMALL, seed=7,
              rubric_path=rubric_path(OTHER_RUBRIC))
    cli_results = pd.read_csv(expected, dtype=str, keep_default_na=False)
    keep = results["row"] != "4"
    assert results[keep].reset_index(drop=True).equals(
        cli_results[cli_results["row"] != "4"].reset_index(drop=True))
    scored = results[results["status"] == "scored"]
    assert set(scored["rubric_id"]) == {rubric.id}
    assert page.rows[1][3] == f"{float(scored.iloc[0]['score']):.0f}"


def test_the_page_names_the_default_rubric_when_none_is_chosen(client: FlaskClient,
                                                               upload: Path) -> None:
    status, page = post_page(client, upload.read_bytes())
    assert status == 200
    rubric = load_rubric()
    assert f"{rubric.title} ({rubric.id} {rubric.version})" in " ".join(page.rubric_note.split())


def test_the_api_refuses_an_unknown_rubric_as_the_evaluate_api_does(client: FlaskClient,
                                                                    upload: Path) -> None:
    response = client.post(f"/api/v1/batch?{QUERY}&rubric=nope", data=upload.read_bytes(),
                           content_type="text/csv")
    assert response.status_code == 422
    stems = ", ".join(stem for stem, _ in bundled_rubrics())
    error = {"path": "rubric",
             "message": f"'nope' is not a bundled rubric; choose one of {stems}"}
    assert response.get_json() == {"errors": [error]}
    plan = (data_dir("plan_samples") / "stairstep_breakaway.json").read_bytes()
    single = client.post(f"/api/v1/evaluate?{QUERY}&rubric=nope", data=plan,
                         content_type="application/json")
    assert single.status_code == 422
    assert single.get_json() == response.get_json()


def test_the_api_lists_every_wrong_setting_at_once_as_the_evaluate_api_does(
        client: FlaskClient, upload: Path) -> None:
    query = f"{QUERY}&rubric=nope&seed=x&monthly_churn=abc"
    response = client.post(f"/api/v1/batch?{query}", data=upload.read_bytes(),
                           content_type="text/csv")
    assert response.status_code == 422
    paths = sorted(e["path"] for e in response.get_json()["errors"])
    assert paths == ["assumptions.monthly_churn", "rubric", "seed"]
    plan = (data_dir("plan_samples") / "stairstep_breakaway.json").read_bytes()
    single = client.post(f"/api/v1/evaluate?{query}", data=plan,
                         content_type="application/json")
    assert sorted(map(json.dumps, single.get_json()["errors"])) == sorted(
        map(json.dumps, response.get_json()["errors"]))


def test_the_page_shows_an_unknown_rubric_beside_the_field(client: FlaskClient,
                                                           upload: Path) -> None:
    status, page = post_page(client, upload.read_bytes(), rubric="nope", seed="7")
    assert status == 422
    stems = ", ".join(stem for stem, _ in bundled_rubrics())
    message = f"'nope' is not a bundled rubric; choose one of {stems}"
    assert page.field_errors == {"rubric": message}
    assert any(message in e for e in page.errors)
    assert page.values["seed"] == "7"
    assert not page.rows


def test_the_page_keeps_the_chosen_rubric_when_another_input_is_wrong(client: FlaskClient,
                                                                      upload: Path) -> None:
    status, page = post_page(client, upload.read_bytes(), rubric=OTHER_RUBRIC, seed="x")
    assert status == 422
    assert page.field_errors == {"seed": "'x' is not a whole number from 0 to 2^63 - 1"}
    assert page.values == {"seed": "x", "rubric": OTHER_RUBRIC}
    status, page = post_page(client, b"", rubric=OTHER_RUBRIC, seed="3")
    assert status == 400
    assert page.errors == ["choose a CSV file to score"]
    assert page.values == {"seed": "3", "rubric": OTHER_RUBRIC}


def test_the_rubric_parameter_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/batch"]["post"]["parameters"]}
    single = {p["name"]: p for p in document["paths"]["/api/v1/evaluate"]["post"]["parameters"]}
    assert parameters["rubric"] == single["rubric"]
    assert parameters["rubric"]["schema"] == {
        "type": "string", "enum": [stem for stem, _ in bundled_rubrics()],
        "default": default_rubric_stem()}
