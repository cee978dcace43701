"""Batch file safety: a plan_file names only a file inside the CSV's own folder (no '..', no
absolute path, no link out, no control characters); the web batch takes no file reference at
all. Such rows are invalid, and nothing of the named file appears anywhere in the output."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
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
        "secret.json\x00.txt": "invalid",
        "sub": "invalid",
        "missing.json": "invalid",
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
