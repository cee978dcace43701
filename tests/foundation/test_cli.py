"""The `oppeval` command line, tested on exit codes and exact text (click's CliRunner)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from evaluator import __version__
from evaluator.assumptions import SPECS
from evaluator.cli import DEFAULT_SEED, cli
from evaluator.model import Plan
from evaluator.resources import data_dir

# A small simulation keeps each evaluation well under a second.
SMALL = ["--set", "max_participants=300", "--set", "runs=1", "--set", "horizon_months=12"]
KNOWN = ", ".join(SPECS)


def run(*args: str, **kwargs: Any) -> Result:
    return CliRunner().invoke(cli, list(args), **kwargs)


@pytest.fixture
def sample() -> Path:
    return data_dir("plan_samples") / "retail_first_single_level.json"


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"oppeval, version {__version__}\n")


def test_no_command_shows_usage() -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: oppeval [OPTIONS] COMMAND [ARGS]...")


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such command 'frobnicate'.\n")


def test_default_seed_is_documented_in_help() -> None:
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    assert f"[default: {DEFAULT_SEED}]" in " ".join(result.stdout.split())
    for name in SPECS:
        assert name in result.stdout


def test_samples_lists_every_bundled_plan(sample_paths: list[Path]) -> None:
    result = run("samples")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(sample_paths)} plans in {data_dir('plan_samples')}"
    assert lines[-2] == ""
    rows = lines[:-2]
    assert [row.split()[0] for row in rows] == [p.name for p in sample_paths]
    first = rows[0]
    name_width = max(len(p.name) for p in sample_paths)
    assert first.startswith("ad_package_plan.json".ljust(name_width) + "  Adstream Partners  ")
    assert first.endswith(
        "Ad-package plan: a $50 fee and a $1,375 package, paid for posting ads and recruiting."
    )
    for path, row in zip(sample_paths, rows, strict=True):
        plan = Plan.from_bytes(path.read_bytes())
        assert plan.company.name in row


def test_validate_every_sample(sample_paths: list[Path]) -> None:
    result = run("validate", *map(str, sample_paths))
    assert (result.exit_code, result.stderr) == (0, "")
    plans = [Plan.from_bytes(p.read_bytes()) for p in sample_paths]
    assert {plan.schema_version for plan in plans} == {"1", "1.1"}
    expected = [  # the version each plan is: a v1.1 sample is not called a v1 plan
        f"{p}: valid plan (schema v{plan.schema_version}) for {plan.company.name}"
        for p, plan in zip(sample_paths, plans, strict=True)
    ]
    assert result.stdout.splitlines() == expected


def test_evaluate_json_to_stdout(sample: Path) -> None:
    result = run("evaluate", str(sample), *SMALL, "--set", "personal_use_value=0.25")
    assert (result.exit_code, result.stderr) == (0, "")
    out = json.loads(result.stdout)
    plan = Plan.from_bytes(sample.read_bytes())
    assert out["seed"] == DEFAULT_SEED
    assert out["input_sha256"] == plan.sha256
    assert out["plan"]["company"]["name"] == "Corrow Kitchen Direct"
    assert out["assumptions"]["personal_use_value"]["value"] == 0.25
    assert out["assumptions"]["personal_use_value"]["changed"] is True
    assert out["assumptions"]["market_size"]["changed"] is False
    assert out["economics"]["startup_cost"] == 49
    assert out["economics"]["break_even_customers_per_month"] == 1


def test_evaluate_to_a_file_matches_stdout_byte_for_byte(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    to_file = run("evaluate", str(sample), *SMALL, "--seed", "7", "-o", str(target))
    assert to_file.exit_code == 0
    data = target.read_bytes()
    assert to_file.stderr == f"wrote {target} (json, {len(data):,} bytes)\n"
    assert to_file.stdout == ""
    to_stdout = run("evaluate", str(sample), *SMALL, "--seed", "7")
    assert to_stdout.stdout_bytes == data
    assert json.loads(data)["seed"] == 7


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (["--set", "market=5"],
         [f"assumptions.market: is not an assumption; known names are {KNOWN}"]),
        (["--set", "runs=many"], ["assumptions.runs: 'many' is not a number"]),
        (["--set", "runs=2.5"], ["assumptions.runs: 2.5 is not a whole number"]),
        (["--set", "monthly_churn=1.5"],
         ["assumptions.monthly_churn: 1.5 is outside the allowed range 0 to 1: did you mean "
          "1.5%? write 1.5% or 0.015"]),
        (["--set", "runs"], ["--set: 'runs' is not NAME=VALUE"]),
        (["--set", "runs=many", "--set", "market=5"],
         [f"assumptions.market: is not an assumption; known names are {KNOWN}",
          "assumptions.runs: 'many' is not a number"]),
    ],
    ids=["unknown-name", "not-a-number", "not-whole", "out-of-range", "no-equals", "two-at-once"],
)
def test_bad_set_is_invalid_input(
    sample: Path, tmp_path: Path, settings: list[str], expected: list[str]
) -> None:
    target = tmp_path / "out.json"
    result = run("evaluate", str(sample), *settings, "-o", str(target))
    assert result.exit_code == 2
    assert sorted(result.stderr.splitlines()) == sorted(expected)
    assert result.stdout == ""
    assert not target.exists()


def test_invalid_plan_writes_nothing(tmp_path: Path) -> None:
    plan, target = tmp_path / "plan.json", tmp_path / "out.json"
    plan.write_text('{"company": {"name": "X"}}', "utf-8")
    result = run("evaluate", str(plan), "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{plan}: compensation: is required but missing",
        f"{plan}: costs: is required but missing",
        f"{plan}: products: is required but missing",
    ]
    assert not target.exists()


def test_bad_rubric_is_invalid_input(sample: Path, tmp_path: Path) -> None:
    rubric, target = tmp_path / "rubric.yaml", tmp_path / "out.json"
    rubric.write_text("id: [", "utf-8")
    result = run("evaluate", str(sample), "--rubric", str(rubric), "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{rubric}: not valid YAML: ")
    assert not target.exists()


def test_rubric_check() -> None:
    path = data_dir("rubrics") / "pyramid-risk.yaml"
    result = run("rubric", "check", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}: valid rubric pyramid-risk version ")


def test_rubric_check_names_every_problem(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("id: custom\n", "utf-8")
    result = run("rubric", "check", str(rubric))
    assert result.exit_code == 2
    assert f"{rubric}: title: is required but missing" in result.stderr.splitlines()


@pytest.mark.parametrize("seed", ["-1", "x"])
def test_bad_seed_is_a_usage_error(sample: Path, seed: str) -> None:
    result = run("evaluate", str(sample), "--seed", seed)
    assert result.exit_code == 2
    assert result.stderr == f"--seed: {seed!r} is not a whole number from 0 to 2^63 - 1\n"


def test_dask_scheduler_without_dask_names_the_extra(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    target = tmp_path / "results.csv"
    source = data_dir("plan_samples") / "batch_example.csv"
    result = run("batch", str(source), "-o", str(target), "--dask-scheduler",
                 "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{source}: --dask-scheduler: needs Dask, which is not installed (distributed is "
        "missing); install the dask extra: pip install 'oppeval[dask]'\n"
    )
    assert not target.exists()


def test_a_bug_exits_1(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("evaluator.evaluation.evaluate_document", broken)
    result = run("evaluate", str(sample))
    assert result.exit_code == 1
    assert isinstance(result.exception, ZeroDivisionError)


def test_pdf_report_to_a_file(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    result = run("evaluate", str(sample), *SMALL, "--format", "pdf", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_bytes().startswith(b"%PDF-")
    assert result.stderr == f"wrote {target} (pdf, {target.stat().st_size:,} bytes)\n"


def test_csv_report_to_stdout(sample: Path) -> None:
    result = run("evaluate", str(sample), *SMALL, "--format", "csv")
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0]
    assert "verdict" in header
