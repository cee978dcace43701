"""Batch runs end to end: every row accounted for, same results alone, in a pool, and on Dask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator.batch import (
    BATCH_COLUMNS,
    WINDOW_PER_WORKER,
    BatchSettings,
    row_seed,
    run_batch,
    score_rows,
)
from evaluator.batch_rows import SourceRow, open_csv, open_rows
from evaluator.cli import cli
from evaluator.evaluation import DEFAULT_SEED, evaluate_document
from evaluator.model import Plan
from evaluator.report.csv import csv_columns, flat_row
from tests.batch.helpers import INLINE, SMALL, SMALL_SET, Batch, make_every_kind, write_csv


def read_results(path: Path) -> pd.DataFrame:
    """The results CSV as pandas reads it, every cell as text (empty stays empty)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Batch, Path]:
    """The every-kind batch scored once by ``run_batch`` in this process (one worker) at the
    small setting and the default rubric, and its results CSV: the tests that only read those
    results share this one run (each of them ran the same batch again)."""
    folder = tmp_path_factory.mktemp("serial")
    batch = make_every_kind(folder)
    out = folder / "results.csv"
    run_batch(batch.path, out, workers=1, overrides=SMALL)
    return batch, out


def test_every_input_row_gets_its_output_row_with_the_right_reason(every_kind: Batch,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    code, err = run_cli("batch", str(every_kind.path), "-o", str(out), "--workers", "1",
                        *SMALL_SET)
    assert code == 0, err
    frame = read_results(out)
    assert list(frame.columns[: len(BATCH_COLUMNS)]) == list(BATCH_COLUMNS)
    assert [int(r) for r in frame["row"]] == sorted(every_kind.expected)
    for _, line in frame.iterrows():
        status, columns, errors = every_kind.expected[int(line["row"])]
        assert (line["status"], line["error_columns"]) == (status, columns), line["errors"]
        assert line["errors"].startswith(errors), line["errors"]
        if status == "scored":
            assert line["verdict"] in {"Lower risk", "Significant risk", "High risk"}
            assert line["errors"] == ""
        else:
            assert line["verdict"] == ""
    counts = frame["status"].value_counts().to_dict()
    scored = sum(1 for s, _, _ in every_kind.expected.values() if s == "scored")
    summary = (f"{len(frame)} rows: {scored} scored, {len(frame) - scored} invalid; ")
    assert summary in err
    assert counts == {"scored": scored, "invalid": len(frame) - scored}
    assert not out.with_name("results.csv.partial").exists()


def test_pandas_reads_numbers_back_as_numbers(serial: tuple[Batch, Path]) -> None:
    _, out = serial
    frame = pd.read_csv(out)
    scored = frame[frame["status"] == "scored"]
    assert pd.api.types.is_numeric_dtype(frame["score"])
    assert pd.api.types.is_numeric_dtype(frame["first_year_cost"])
    assert scored["score"].between(0, 100).all()
    assert (scored["seed"] > 0).all()
    assert frame[frame["status"] == "invalid"]["score"].isna().all()


def test_each_row_equals_its_single_plan_evaluation(serial: tuple[Batch, Path]) -> None:
    every_kind, out = serial
    frame = read_results(out).set_index("row")
    with open_csv(every_kind.path) as handle:
        sources = [s for s in open_rows(handle, every_kind.path.parent) if not s.errors]
    checked = 0
    for source in sources:
        assert source.document is not None
        line = frame.loc[str(source.row)]
        if line["status"] != "scored":
            continue
        plan = Plan.from_dict(source.document)
        alone = evaluate_document(source.document, overrides=SMALL,
                                  seed=row_seed(DEFAULT_SEED, plan.sha256)).to_dict()
        expected = flat_row(alone)
        assert {c: line[c] for c in csv_columns(alone)} == expected
        checked += 1
    assert checked == sum(1 for s, _, _ in every_kind.expected.values() if s == "scored")


def test_a_row_scores_the_same_alone_anywhere_and_on_any_worker_count(
        serial: tuple[Batch, Path], scored: tuple[Path, Path], tmp_path: Path) -> None:
    _, pooled = scored
    in_pool = read_results(pooled).drop(columns="row")
    alone_csv = write_csv(tmp_path / "alone.csv", list(INLINE),
                          [INLINE | {"company_name": "Last row"}])
    out = tmp_path / "alone-results.csv"
    run_batch(alone_csv, out, workers=1, overrides=SMALL)
    alone = read_results(out).drop(columns="row").iloc[0]
    match = in_pool[in_pool["company_name"] == "Last row"].iloc[0]
    assert alone.to_dict() == match.to_dict()
    _, in_one_worker = serial
    assert in_one_worker.read_bytes() == pooled.read_bytes()


def test_the_seed_depends_on_the_plan_and_the_base_seed_only() -> None:
    sha = "ab" * 32
    # Pinned: a changed derivation would give every batch row other results.
    assert row_seed(7, sha) == 4537521324611469
    assert row_seed(7, sha) != row_seed(8, sha)
    assert row_seed(7, sha) != row_seed(7, "cd" * 32)
    assert 0 <= row_seed(7, sha) < 2**53


def test_dask_gives_the_same_results_as_local_processes(scored: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    from distributed import LocalCluster

    source, pooled = scored
    out = tmp_path / "dask.csv"
    with LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                      dashboard_address=None) as cluster:
        summary = run_batch(source, out, dask_scheduler=cluster.scheduler_address,
                            overrides=SMALL)
    assert summary.rows == len(read_results(pooled))
    assert out.read_bytes() == pooled.read_bytes()


def test_formula_cells_are_neutralised(scored: tuple[Path, Path]) -> None:
    _, pooled = scored
    frame = read_results(pooled)
    names = set(frame["company_name"])
    assert "'=HYPERLINK(\"http://example.invalid\",\"x\")" in names
    assert "'@evil" in names
    for column in frame.columns:
        for cell in frame[column]:
            assert not cell.startswith(("=", "+", "@")), (column, cell)
            if cell.startswith("-"):
                float(cell)


def test_json_lines_hold_every_row_and_the_whole_evaluation(every_kind: Batch,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    code, err = run_cli("batch", str(every_kind.path), "-o", str(out), "--format", "json",
                        "--workers", "1", *SMALL_SET)
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [line["row"] for line in lines] == sorted(every_kind.expected)
    for line in lines:
        status, columns, errors = every_kind.expected[line["row"]]
        assert line["status"] == status
        if status == "invalid":
            assert line["errors"][0]["path"] == columns
            assert " | ".join(f"{e['path']}: {e['message']}" if e["path"] else e["message"]
                              for e in line["errors"]).startswith(errors)
    first = lines[0]
    plan_file = every_kind.path.parent / every_kind.path.parent.joinpath(
        sorted(p.name for p in every_kind.path.parent.glob("*.json")
               if p.name not in ("broken.json", "invalid.json"))[0])
    doc = json.loads(plan_file.read_text("utf-8"))
    seed = row_seed(DEFAULT_SEED, Plan.from_dict(doc).sha256)
    assert first["seed"] == seed
    assert first["evaluation"] == evaluate_document(doc, overrides=SMALL, seed=seed).to_dict()


def test_a_batch_with_no_scored_row_still_has_every_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", list(INLINE), [INLINE | {"currency": "?"}, []])
    out = tmp_path / "out.csv"
    summary = run_batch(path, out, workers=1, overrides=SMALL)
    frame = read_results(out)
    assert summary.to_dict() == {"rows": 2, "scored": 0, "invalid": 2, "errors": 0,
                                 "verdicts": {}}
    assert "verdict" in frame.columns
    assert "indicator.recruiting_reward_fraction.level" in frame.columns or any(
        c.startswith("indicator.") for c in frame.columns)
    assert list(frame["row"]) == ["2", "3"]


def test_score_rows_keeps_order_with_a_bounded_window(every_kind: Batch) -> None:
    """Two workers: outcomes in input order, never more than the window's rows read ahead."""
    settings = BatchSettings(overrides=SMALL)
    read = 0
    rows: list[int] = []
    ahead: list[int] = []
    with open_csv(every_kind.path) as handle:

        def counted() -> Iterator[SourceRow]:
            nonlocal read
            for source in open_rows(handle, every_kind.path.parent):
                read += 1
                yield source

        for outcome in score_rows(counted(), settings, workers=2):
            rows.append(outcome.row)
            ahead.append(read - len(rows))
    assert rows == sorted(every_kind.expected)
    window = WINDOW_PER_WORKER * 2
    assert len(rows) > window
    assert max(ahead) == window


# ------------------------------------------------------------------ exit codes and messages


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the CSV is empty; expected a header row and one row per offer"),
        (b"\x00\x01\x02binary", "this is not a text CSV file (line 1 holds a NUL byte)"),
        (b"Acme,USD,49\n", "the first row is not a header"),
    ],
    ids=["empty", "binary", "no header"],
)
def test_a_csv_that_cannot_be_read_exits_2_with_the_reason(tmp_path: Path, content: bytes,
                                                           message: str) -> None:
    path = tmp_path / "plans.csv"
    path.write_bytes(content)
    out = tmp_path / "out.csv"
    code, err = run_cli("batch", str(path), "-o", str(out))
    assert code == 2
    assert err.startswith(f"{path}: {message}")
    assert not out.exists()


def test_a_missing_csv_exits_2(tmp_path: Path) -> None:
    code, err = run_cli("batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 2
    assert "does not exist" in err


def test_a_bad_setting_exits_2_before_any_work(every_kind: Batch, tmp_path: Path) -> None:
    code, err = run_cli("batch", str(every_kind.path), "-o", str(tmp_path / "o.csv"),
                        "--set", "runs=0")
    assert code == 2
    assert err.startswith("assumptions.runs: 0 is outside the allowed range")


def test_an_output_that_cannot_be_written_exits_2(every_kind: Batch, tmp_path: Path) -> None:
    code, err = run_cli("batch", str(every_kind.path), "-o", str(tmp_path / "no" / "o.csv"),
                        *SMALL_SET)
    assert code == 2
    assert "--output: " in err
    assert "cannot be written" in err


def test_progress_bar_shows_rate_on_request_and_stays_quiet_otherwise(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "one.csv", list(INLINE), [INLINE, INLINE])
    run_batch(path, tmp_path / "a.csv", workers=1, overrides=SMALL, progress=False)
    assert capsys.readouterr().err == ""
    run_batch(path, tmp_path / "b.csv", workers=1, overrides=SMALL, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err
    assert "row/s" in err


def test_a_bug_in_one_row_costs_that_row_only_and_exits_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import evaluator.batch

    real = evaluator.batch.evaluate

    def flaky(plan: Plan, *args: object, **kwargs: object) -> object:
        if plan.company.name == "Boom":
            raise ZeroDivisionError("division by zero")
        return real(plan, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluator.batch, "evaluate", flaky)
    path = write_csv(tmp_path / "boom.csv", list(INLINE),
                     [INLINE, INLINE | {"company_name": "Boom"}, INLINE])
    out = tmp_path / "out.csv"
    code, err = run_cli("batch", str(path), "-o", str(out), "--workers", "1", *SMALL_SET)
    assert code == 1
    assert "3 rows: 2 scored, 0 invalid, 1 internal error" in err
    frame = read_results(out)
    assert list(frame["status"]) == ["scored", "error", "scored"]
    assert frame["errors"][1] == ("internal error (ZeroDivisionError: division by zero); "
                                  "please report it")


def test_a_bug_after_scoring_a_row_costs_that_row_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import evaluator.batch

    real = evaluator.batch.flat_row

    def flaky(evaluation: dict) -> dict[str, str]:
        if evaluation["plan"]["company"]["name"] == "Boom":
            raise KeyError("verdict")
        return real(evaluation)

    monkeypatch.setattr(evaluator.batch, "flat_row", flaky)
    path = write_csv(tmp_path / "boom.csv", list(INLINE),
                     [INLINE, INLINE | {"company_name": "Boom"}, INLINE])
    out = tmp_path / "out.csv"
    code, err = run_cli("batch", str(path), "-o", str(out), "--workers", "1", *SMALL_SET)
    assert code == 1, err
    frame = read_results(out)
    assert list(frame["status"]) == ["scored", "error", "scored"]
    assert list(frame["company_name"]) == ["Inline Unilevel", "Boom", "Inline Unilevel"]
    assert frame["errors"][1] == "internal error (KeyError: 'verdict'); please report it"


def test_a_bug_while_reading_a_row_costs_that_row_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import evaluator.batch_rows
    from evaluator.resources import data_dir

    real = evaluator.batch_rows.read_plan_file

    def flaky(name: str, folder: Path | None) -> dict:
        if name == "boom.json":
            raise ValueError("no such luck")
        return real(name, folder)

    monkeypatch.setattr(evaluator.batch_rows, "read_plan_file", flaky)
    sample = data_dir("plan_samples") / "retail_first_single_level.json"
    for name in ("good.json", "boom.json"):
        shutil.copy(sample, tmp_path / name)
    path = write_csv(tmp_path / "plans.csv", ["plan_file", *INLINE],
                     [{"plan_file": "good.json"}, {"plan_file": "boom.json"}, INLINE])
    out = tmp_path / "out.csv"
    code, err = run_cli("batch", str(path), "-o", str(out), "--workers", "1", *SMALL_SET)
    assert code == 1, err
    assert "3 rows: 2 scored, 0 invalid, 1 internal error" in err
    frame = read_results(out)
    assert list(frame["row"]) == ["2", "3", "4"]
    assert list(frame["status"]) == ["scored", "error", "scored"]
    assert frame["error_columns"][1] == "plan_file"
    assert frame["errors"][1] == ("plan_file: internal error (ValueError: no such luck); please "
                                  "report it")


def test_a_rubric_file_scores_like_the_bundled_default(serial: tuple[Batch, Path],
                                                       tmp_path: Path) -> None:
    from evaluator.resources import data_dir
    from evaluator.rubric import DEFAULT_RUBRIC

    every_kind, default = serial
    chosen = tmp_path / "chosen.csv"
    run_batch(every_kind.path, chosen, workers=1, overrides=SMALL,
              rubric_path=data_dir("rubrics") / DEFAULT_RUBRIC)
    assert chosen.read_bytes() == default.read_bytes()
    code, err = run_cli("batch", str(every_kind.path), "-o", str(tmp_path / "x.csv"),
                        "--rubric", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "--rubric" in err


def test_results_can_stream_to_stdout(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "two.csv", list(INLINE), [INLINE, INLINE | {"currency": "x"}])
    result = CliRunner().invoke(cli, ["batch", str(path), "-o", "-", "--format", "json",
                                      "--workers", "1", *SMALL_SET])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["row"], line["status"]) for line in lines] == [(2, "scored"), (3, "invalid")]
    assert list(lines[0])[:2] == ["row", "status"]
    assert result.stderr == "wrote <stdout>: 2 rows: 1 scored, 1 invalid; " \
        f"{lines[0]['verdict']} 1\n"


def test_the_output_never_overwrites_the_input(every_kind: Batch) -> None:
    before = every_kind.path.read_bytes()
    code, err = run_cli("batch", str(every_kind.path), "-o", str(every_kind.path))
    assert code == 2
    assert "--output: " in err
    assert "is the input CSV" in err
    assert every_kind.path.read_bytes() == before


def test_worker_processes_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker's simulation gets its share of the cores, unless the user set a count,
    and starts no worker processes of its own."""
    from evaluator import parallel
    from evaluator.simulation.sharing import THREADS_ENV, default_threads

    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setenv(parallel.PROCESSES_ENV, "4")
    parallel.worker_start(1)
    assert default_threads() == 1
    assert parallel.default_processes() == 1
    monkeypatch.setenv(THREADS_ENV, "3")
    parallel.worker_start(1)
    assert default_threads() == 3
