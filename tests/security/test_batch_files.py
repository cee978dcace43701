"""Batch file safety.

A plan_file names only a file inside the CSV's own folder (no '..', no absolute path, no link
out, no loop of links, no control characters); the web batch takes no file reference at all.
Such rows are invalid, and nothing of the named file appears anywhere in the output. A plan
file no row can use (a lone surrogate) costs its row only. A batch CSV cannot smuggle rows
past the reader (every output row is a row pandas sees), cannot make the reader hold more
than a bounded record, and its text cannot act as a formula in the results CSV.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from evaluator.cli import cli
from evaluator.resources import data_dir

MARKER = "TOPSECRET-7f3a9c"
"""Text of the secret files; it must never appear in any output."""

SMALL_SET = ["--set", "max_participants=200", "--set", "runs=1", "--set", "horizon_months=12"]
SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, str]:
    """A folder with a batch CSV, secrets beside it (outside) and links pointing out.

    Returns plan_file cell -> what the row must become (``"scored"`` or ``"invalid"``).
    """
    secret_plan = json.loads(SAMPLE.read_text("utf-8"))
    secret_plan["company"]["name"] = MARKER
    secret_plan["company"]["notes"] = MARKER
    (tmp_path / "secret.json").write_text(json.dumps(secret_plan), "utf-8")
    (tmp_path / "secret.txt").write_text(f"password={MARKER}\n", "utf-8")
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "inside.json")
    shutil.copy(SAMPLE, folder / "sub" / "nested.json")
    (folder / "link.json").symlink_to(tmp_path / "secret.json")
    (folder / "text-link.json").symlink_to(tmp_path / "secret.txt")
    (folder / "out").symlink_to(tmp_path, target_is_directory=True)
    (folder / "loop.json").symlink_to("loop.json")
    (folder / "ring-a.json").symlink_to("ring-b.json")
    (folder / "ring-b.json").symlink_to("ring-a.json")
    return {
        "inside.json": "scored",
        "sub/nested.json": "scored",
        "../secret.json": "invalid",
        "sub/../../secret.json": "invalid",
        "..\\secret.json": "invalid",
        str(tmp_path / "secret.json"): "invalid",
        "C:\\secret.json": "invalid",
        "link.json": "invalid",
        "text-link.json": "invalid",
        "out/secret.json": "invalid",
        "../secret.txt": "invalid",
        "sub": "invalid",
        "missing.json": "invalid",
        "loop.json": "invalid",
        "ring-a.json": "invalid",
    }


def write_batch(folder: Path, names: list[str]) -> Path:
    path = folder / "plans.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["plan_file"])
        writer.writerows([name] for name in names)
    return path


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_plan_files_outside_the_folder_are_invalid_and_leak_nothing(
        tmp_path: Path, layout: dict[str, str], fmt: str) -> None:
    names = list(layout)
    plans = write_batch(tmp_path / "batch", names)
    out = tmp_path / f"results.{fmt}"
    result = CliRunner().invoke(cli, ["batch", str(plans), "-o", str(out), "--workers", "1",
                                      "--format", fmt, *SMALL_SET])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert MARKER not in text
    assert MARKER not in result.output
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == len(names)
    for name, row in zip(names, rows, strict=True):
        assert row["status"] == layout[name], (name, row.get("errors"))
        if layout[name] == "invalid":
            errors = row["errors"] if fmt == "csv" else json.dumps(row["errors"])
            assert "plan_file" in errors, (name, errors)


def test_a_nul_byte_in_a_plan_file_cell_refuses_the_whole_file(
        tmp_path: Path, layout: dict[str, str], client: FlaskClient) -> None:
    """A text CSV holds no NUL byte; the file is refused naming the line, and nothing of the
    file the cell names (``secret.json``) is read."""
    plans = write_batch(tmp_path / "batch", ["inside.json", "secret.json\x00.txt"])
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(cli, ["batch", str(plans), "-o", str(out), "--workers", "1",
                                      *SMALL_SET])
    message = "this is not a text CSV file (line 3 holds a NUL byte); save it as CSV UTF-8"
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{plans}: {message}\n"
    assert not out.exists()
    response = client.post("/api/v1/batch", data=plans.read_bytes(), content_type="text/csv")
    assert response.status_code == 422
    assert response.get_json() == {"errors": [{"path": "", "message": message}]}


def test_the_web_batch_takes_no_file_reference_at_all(
        tmp_path: Path, layout: dict[str, str], client: FlaskClient) -> None:
    names = list(layout)
    body = write_batch(tmp_path / "batch", names).read_bytes()
    cwd = Path.cwd()
    os.chdir(tmp_path / "batch")  # even relative to the server's own folder, nothing is read
    try:
        response = client.post("/api/v1/batch?max_participants=200&runs=1&horizon_months=12",
                               data=body, content_type="text/csv")
    finally:
        os.chdir(cwd)
    assert response.status_code == 200
    assert MARKER not in response.get_data(as_text=True)
    rows = response.get_json()["rows"]
    assert [row["status"] for row in rows] == ["invalid"] * len(names)
    for row in rows:
        assert [e["path"] for e in row["errors"]] == ["plan_file"]
        assert row["errors"][0]["message"].startswith("plan files are not accepted here")


def run_batch_cli(plans: Path, out: Path, *args: str) -> Result:
    """``oppeval batch PLANS -o OUT`` with a tiny simulation."""
    return CliRunner().invoke(cli, ["batch", str(plans), "-o", str(out), *args, *SMALL_SET])


def results(out: Path) -> list[dict[str, str]]:
    """The results CSV read back with csv.DictReader."""
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", ["loop.json", "ring-a.json"], ids=["self", "ring"])
def test_a_plan_file_that_is_a_loop_of_symbolic_links_is_invalid_with_a_plain_reason(
        tmp_path: Path, layout: dict[str, str], name: str) -> None:
    plans = write_batch(tmp_path / "batch", ["inside.json", name, "inside.json"])
    out = tmp_path / "results.csv"
    result = run_batch_cli(plans, out, "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = results(out)
    assert [r["status"] for r in rows] == ["scored", "invalid", "scored"]
    assert rows[1]["error_columns"] == "plan_file"
    assert rows[1]["errors"] == (f"plan_file: '{name}' is a loop of symbolic links or cannot "
                                 "be resolved; name a plan file in the CSV's folder")


@pytest.mark.parametrize(("fmt", "workers"), [("csv", "1"), ("json", "2")])
def test_a_plan_file_with_a_lone_surrogate_costs_its_row_only(tmp_path: Path, fmt: str,
                                                              workers: str) -> None:
    """``"\\ud800"`` is valid JSON but no text: the row is not scored (invalid once the plan
    reader refuses it, an internal error of that row otherwise), and every other row is."""
    plan = json.loads(SAMPLE.read_text("utf-8"))
    plan["company"]["name"] = "Surrogate SURROGATE Co"
    (tmp_path / "surrogate.json").write_text(
        json.dumps(plan).replace("SURROGATE", "\\ud800"), "utf-8")
    shutil.copy(SAMPLE, tmp_path / "good.json")
    plans = write_batch(tmp_path, ["good.json", "surrogate.json", "good.json"])
    out = tmp_path / "results.out"
    result = run_batch_cli(plans, out, "--workers", workers, "--format", fmt)
    text = out.read_text("utf-8")  # the whole output was written, as UTF-8
    if fmt == "csv":
        rows = [{**r, "row": int(r["row"])} for r in results(out)]
        columns = [r["error_columns"] for r in rows]
    else:
        rows = [json.loads(line) for line in text.splitlines()]
        columns = [";".join(e["path"] for e in r.get("errors", [])) for r in rows]
    assert [r["row"] for r in rows] == [2, 3, 4]
    assert [r["status"] for r in rows[::2]] == ["scored", "scored"]
    assert rows[1]["status"] in {"invalid", "error"}
    assert columns[1] == "plan_file"
    assert rows[1]["errors"]
    assert result.exit_code == (1 if rows[1]["status"] == "error" else 0), result.output
    assert "Traceback" not in result.output


SMUGGLED = ["Smuggled A", "Smuggled B"]


def smuggling_csv(path: Path) -> Path:
    """A batch CSV whose one quoted notes cell, past Python's csv field limit (131,072),
    holds lines that look like rows of their own."""
    header = ["company_name", "currency", "wholesale_price", "retail_price", "plan_type",
              "level_rates", "notes"]
    offer = ["USD", "40", "50", "unilevel", "0.05;0.04"]
    fake = "\n".join(",".join([name, *offer, ""]) for name in SMUGGLED)
    notes = "x" * 140_000 + "\n" + fake + "\nend of notes"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["Real One", *offer, ""])
        writer.writerow(["Long Notes Co", *offer, notes])
        writer.writerow(["Real Two", *offer, ""])
    return path


def test_a_quoted_cell_past_the_csv_field_limit_smuggles_no_rows(tmp_path: Path) -> None:
    import pandas as pd

    plans = smuggling_csv(tmp_path / "plans.csv")
    seen = pd.read_csv(plans, dtype=str, keep_default_na=False)
    out = tmp_path / "results.csv"
    result = run_batch_cli(plans, out, "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = results(out)
    assert [r["company_name"] for r in rows] == list(seen["company_name"])
    assert [r["status"] for r in rows] == ["scored", "invalid", "scored"]
    assert rows[1]["error_columns"] == "notes"
    assert rows[1]["errors"].startswith("notes: is 140,0")
    assert not any(name in out.read_text("utf-8") for name in SMUGGLED)


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (b"\0" * (3 << 20), "this is not a text CSV file (line 2 holds a NUL byte)"),
        (b"x" * (3 << 20), "line 2 is longer than 1,000,000 characters"),
        (b'Acme,"' + b"y\n" * (600_000), "the row that starts on line 2 is longer than "
                                         "1,000,000 characters"),
    ],
    ids=["sparse", "one long line", "open quote"],
)
def test_a_csv_that_cannot_be_read_through_is_refused_naming_the_line(
        tmp_path: Path, tail: bytes, message: str) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_bytes(b"company_name,notes\n" + tail)
    out = tmp_path / "results.csv"
    result = run_batch_cli(plans, out, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{plans}: {message}")
    assert not out.exists()
    assert not out.with_name("results.csv.partial").exists()


class CountingText(io.StringIO):
    """A text stream that records the longest piece any reader took from it at once."""

    longest = 0

    def readline(self, size: int | None = -1, /) -> str:
        text = super().readline(-1 if size is None else size)
        self.longest = max(self.longest, len(text))
        return text

    def __next__(self) -> str:
        text = super().__next__()
        self.longest = max(self.longest, len(text))
        return text


def test_the_reader_never_takes_more_than_a_record_from_a_long_line() -> None:
    from evaluator.batch_rows import MAX_RECORD_CHARS, CsvUnreadable, open_rows

    stream = CountingText("company_name\n" + "z" * (5 * MAX_RECORD_CHARS) + "\nAcme\n",
                          newline="")
    with pytest.raises(CsvUnreadable, match=r"^line 2 is longer than 1,000,000 characters"):
        list(open_rows(stream, None))
    assert 0 < stream.longest <= MAX_RECORD_CHARS + 1


@pytest.mark.parametrize(
    "cell",
    ["\n=1+1", "\r=1+1", "\t=1+1", " =1+1", "   @SUM(A1)", "\u3000=1+1", "\u00a0+1",
     "\uff1dHYPERLINK(\"http://evil.example\")", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(A1)",
     "\u2028=1", " -5", "\uff0d5"],
    ids=repr,
)
def test_every_formula_start_is_neutralised(cell: str) -> None:
    from evaluator.report.csv import neutralise

    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-120.5", "-1.5e-05", "-7", "0.25", "High risk", "a = b",
                                  "Acme - the shake company", "'=1", ""])
def test_numbers_and_plain_text_stay_as_they_are(cell: str) -> None:
    from evaluator.report.csv import neutralise

    assert neutralise(cell) == cell


def test_batch_results_neutralise_formulas_hidden_behind_spaces_and_wide_signs(
        tmp_path: Path) -> None:
    names = [" =1+1", "\n=HYPERLINK(\"http://evil.example\")", "\uff1d1+1", "\uff20SUM(A1)",
             "\u3000-2+3"]
    plan = json.loads(SAMPLE.read_text("utf-8"))
    for number, name in enumerate(names):
        plan["company"]["name"] = name
        (tmp_path / f"{number}.json").write_text(json.dumps(plan), "utf-8")
    plans = write_batch(tmp_path, [f"{number}.json" for number in range(len(names))])
    out = tmp_path / "results.csv"
    result = run_batch_cli(plans, out, "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = results(out)
    assert [r["status"] for r in rows] == ["scored"] * len(names)
    assert [r["company_name"] for r in rows] == ["'" + name for name in names]
