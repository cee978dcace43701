"""Batch scoring: every row of a CSV of offers scored in parallel, every row accounted for.

:func:`score_rows` is the one function over rows (Mesa's ``batch_run`` shape): it takes the
:class:`~evaluator.batch_rows.SourceRow` stream and yields one :class:`RowOutcome` per input
row, in input order, keeping at most a small window of rows in flight so memory stays flat
however long the input is. Rows run in local worker processes (a pool created inside the call,
with the ``forkserver`` or ``spawn`` start method, never at import), in this process for one
worker, or on a Dask distributed cluster; the results are identical on each, because a row's
seed derives only from the base seed and the row's own input hash (:func:`row_seed`).

:func:`run_batch` is the command line's job: stream a CSV file in and a CSV or JSON-lines file
out, with a progress bar on a terminal and a :class:`BatchSummary` at the end. The web batch
page calls :func:`score_rows` and the writers here too.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import numpy as np

from evaluator.assumptions import Assumptions
from evaluator.batch_rows import (
    CsvUnreadable,
    SourceRow,
    column_errors,
    count_rows,
    internal_error,
    open_csv,
    open_rows,
)
from evaluator.errors import FieldError, InputError, PlanValidationError
from evaluator.evaluation import DEFAULT_SEED, evaluate
from evaluator.model import Plan
from evaluator.parallel import process_context, usable_cores, worker_start
from evaluator.report.csv import csv_columns, flat_row, neutralise
from evaluator.report.view import counted
from evaluator.rubric import Rubric, load_rubric, parse_rubric_text

OutputFormat = Literal["csv", "json"]
Status = Literal["scored", "invalid", "error"]

BATCH_COLUMNS: tuple[str, ...] = ("row", "status", "error_columns", "errors")
"""Columns every output row starts with, before the report's CSV columns."""

WINDOW_PER_WORKER = 4
"""Rows in flight per worker: enough to keep every worker busy, few enough to stay flat."""

PROBE_OVERRIDES: Mapping[str, int] = {
    "max_participants": 100, "runs": 1, "horizon_months": 6, "initial_participants": 10,
}
PROBE_PLAN: Mapping[str, Any] = {
    "company": {"name": "Column probe"},
    "costs": {"currency": "USD"},
    "products": [{"name": "Product", "wholesale_price": 10, "retail_price": 20}],
    "compensation": {"components": [{"type": "retail_margin"}]},
}
"""A tiny plan evaluated only to learn the CSV columns when no row of a batch was scored."""


# --------------------------------------------------------------------------- settings & seeds


@dataclass(frozen=True)
class BatchSettings:
    """What every row of one batch is scored with (picklable: sent to every worker)."""

    seed: int = DEFAULT_SEED
    overrides: Mapping[str, Any] = field(default_factory=dict)
    rubric_text: str | None = None
    engine: str = "vectorised"
    fmt: OutputFormat = "csv"

    def assumptions(self) -> Assumptions:
        """The assumptions of this batch (raises AssumptionError for a bad override)."""
        return _assumptions(tuple(sorted((k, str(v)) for k, v in self.overrides.items())))

    def rubric(self) -> Rubric:
        """The rubric of this batch (the bundled one unless a rubric text was given)."""
        return load_rubric() if self.rubric_text is None else _rubric(self.rubric_text)


@cache
def _assumptions(items: tuple[tuple[str, str], ...]) -> Assumptions:
    return Assumptions.from_overrides(dict(items))


@cache
def _rubric(text: str) -> Rubric:
    return parse_rubric_text(text)


def row_seed(base_seed: int, input_sha256: str) -> int:
    """The seed of one row: a child of ``base_seed`` keyed by the row's input hash.

    The same plan gets the same seed alone or in any batch, at any position; different plans
    get independent streams (``numpy.random.SeedSequence`` spawn keys). The value fits in 53
    bits so that it survives a round trip through any JSON reader.
    """
    words = tuple(int(input_sha256[i:i + 8], 16) for i in range(0, 64, 8))
    state = np.random.SeedSequence(base_seed, spawn_key=words).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(11))


# --------------------------------------------------------------------------- one row


@dataclass(frozen=True)
class RowOutcome:
    """What became of one input row: scored (with its record), invalid, or an internal error.

    ``record`` is the report's flat CSV row (``fmt="csv"``) or the whole Evaluation dictionary
    (``fmt="json"``); ``columns`` are the CSV columns of a scored row.
    """

    row: int
    status: Status
    label: str = ""
    errors: tuple[FieldError, ...] = ()
    verdict: str | None = None
    seed: int | None = None
    record: Mapping[str, Any] | None = None
    columns: tuple[str, ...] = ()


def score_row(source: SourceRow, settings: BatchSettings) -> RowOutcome:
    """Validate and evaluate one row; never raises.

    Any unexpected exception, wherever in the row's work it is raised, becomes an ``error``
    outcome of this row (named by its ``plan_file`` column when it has one), so a bug costs
    one row, not the batch, and the batch exits 1.
    """
    if source.internal_error:
        return RowOutcome(source.row, "error", source.label, source.errors)
    if source.document is None or source.errors:
        return RowOutcome(source.row, "invalid", source.label, source.errors)
    try:
        return _score(source, source.document, settings)
    except Exception as exc:  # a bug must cost one row, not the batch: reported, exit code 1
        column = "plan_file" if "plan_file" in source.columns else ""
        return RowOutcome(source.row, "error", source.label,
                          (FieldError(column, internal_error(exc)),))


def _score(source: SourceRow, document: dict[str, Any],
           settings: BatchSettings) -> RowOutcome:
    """The outcome of a row's plan ``document``: scored, or invalid saying why."""
    plan_file = source.columns.get("plan_file")
    try:
        plan = Plan.from_dict(document)
    except PlanValidationError as exc:
        errors = column_errors(exc.errors, source.columns, plan_file)
        return RowOutcome(source.row, "invalid", source.label, tuple(errors))
    seed = row_seed(settings.seed, plan.sha256)
    try:
        evaluation = evaluate(plan, settings.assumptions(), rubric=settings.rubric(), seed=seed,
                              engine=settings.engine).to_dict()
    except InputError as exc:
        return RowOutcome(source.row, "invalid", source.label, tuple(exc.errors), seed=seed)
    verdict = evaluation["score"]["verdict"]
    if settings.fmt == "json":
        return RowOutcome(source.row, "scored", plan.company.name, (), verdict, seed, evaluation)
    return RowOutcome(source.row, "scored", plan.company.name, (), verdict, seed,
                      flat_row(evaluation), tuple(csv_columns(evaluation)))


# --------------------------------------------------------------------------- running rows


class _Runner(Protocol):
    def submit(self, source: SourceRow) -> Future[RowOutcome]: ...

    def restart(self) -> None: ...

    def close(self) -> None: ...


class _LocalPool:
    """Local worker processes; created inside the call, never at import."""

    def __init__(self, workers: int, settings: BatchSettings) -> None:
        self.workers = workers
        self.settings = settings
        self.context = process_context()  # the pipeline imported once
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context, initializer=worker_start,
            initargs=(max(1, usable_cores() // self.workers),),
        )

    def submit(self, source: SourceRow) -> Future[RowOutcome]:
        return self.pool.submit(score_row, source, self.settings)

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _InProcess:
    """One worker: rows run in this process, one after another."""

    def __init__(self, settings: BatchSettings) -> None:
        self.settings = settings

    def submit(self, source: SourceRow) -> Future[RowOutcome]:
        future: Future[RowOutcome] = Future()
        future.set_result(score_row(source, self.settings))
        return future

    def restart(self) -> None:
        """Nothing to restart."""

    def close(self) -> None:
        """Nothing to close."""


DASK_EXTRA = "pip install 'oppeval[dask]'"
"""How to install what ``--dask-scheduler`` needs (dask and distributed, the ``dask`` extra)."""


class _Dask:
    """Rows on a Dask distributed cluster (its workers need this package installed)."""

    def __init__(self, address: str, settings: BatchSettings) -> None:
        try:
            from distributed import Client
        except ModuleNotFoundError as exc:
            if exc.name not in ("dask", "distributed"):
                raise
            raise InputError([FieldError(
                "--dask-scheduler",
                f"needs Dask, which is not installed ({exc.name} is missing); install the dask "
                f"extra: {DASK_EXTRA}",
            )]) from None
        self.settings = settings
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError([FieldError("--dask-scheduler", f"cannot connect to {address}: "
                                                             f"{exc}")]) from None

    def submit(self, source: SourceRow) -> Future[RowOutcome]:
        return self.client.submit(score_row, source, self.settings, pure=False)

    def slots(self) -> int:
        """Worker threads on the cluster now (at least one)."""
        return max(sum(self.client.nthreads().values()), 1)

    def restart(self) -> None:
        """The cluster reschedules lost tasks itself."""

    def close(self) -> None:
        self.client.close()


_Pending = tuple[SourceRow, "Future[RowOutcome] | RowOutcome", int]
"""A row in flight: its source, its job (or its outcome already), and how often it was retried."""


def score_rows(rows: Iterable[SourceRow], settings: BatchSettings, *, workers: int | None = None,
               dask_scheduler: str | None = None) -> Iterator[RowOutcome]:
    """One outcome per input row, in input order, with at most a small window in flight.

    Rows that are invalid before scoring never leave this process. When a worker process
    dies, every row it took down runs again on a fresh pool (see :func:`_recover`); a row
    whose worker dies even when it runs alone is reported as an ``error`` row.
    """
    workers = workers or usable_cores()
    runner: _Runner
    window: int
    if dask_scheduler:
        cluster = _Dask(dask_scheduler, settings)
        runner, window = cluster, WINDOW_PER_WORKER * cluster.slots()
    elif workers == 1:
        runner = _InProcess(settings)
        window = 1
    else:
        runner = _LocalPool(workers, settings)
        window = WINDOW_PER_WORKER * workers
    pending: deque[_Pending] = deque()
    try:
        for source in rows:
            if source.document is None or source.errors:
                pending.append((source, score_row(source, settings), 0))
            else:
                pending.append((source, _submit(runner, source), 0))
            while len(pending) > window:
                yield _next(pending, runner)
        while pending:
            yield _next(pending, runner)
    finally:
        runner.close()


def _submit(runner: _Runner, source: SourceRow) -> Future[RowOutcome]:
    """The row's job; a pool already broken by a dead worker gives a job failed by it."""
    try:
        return runner.submit(source)
    except BrokenProcessPool as exc:
        failed: Future[RowOutcome] = Future()
        failed.set_exception(exc)
        return failed


def _next(pending: deque[_Pending], runner: _Runner) -> RowOutcome:
    """The outcome of the oldest row (waiting for it if it is still running)."""
    while True:
        source, job, _ = pending[0]
        if isinstance(job, RowOutcome):
            pending.popleft()
            return job
        try:
            outcome = job.result()
        except BrokenProcessPool:
            _recover(pending, runner)
            continue
        except Exception as exc:  # a cluster that lost the task: the row is reported
            outcome = _lost(source, exc)
        pending.popleft()
        return outcome


def _recover(pending: deque[_Pending], runner: _Runner) -> None:
    """After a worker process died: every row whose job it took down runs again.

    The pool does not say which row's worker died, so every unfinished row is a suspect and
    runs again on a fresh pool. A row that is a suspect for the second time runs alone first,
    with nothing else in flight: if its worker dies then, the row is the cause and is
    reported; otherwise it is scored. A row that kills its worker thus costs that row only.
    """
    runner.restart()
    settled = [(source, _settled(source, job), tries) for source, job, tries in pending]
    for index, (source, outcome, tries) in enumerate(settled):
        if outcome is None and tries >= 1:
            settled[index] = (source, _alone(source, runner), tries)
    pending.clear()
    for source, outcome, tries in settled:
        if outcome is None:
            pending.append((source, _submit(runner, source), tries + 1))
        else:
            pending.append((source, outcome, tries))


def _settled(source: SourceRow, job: Future[RowOutcome] | RowOutcome) -> RowOutcome | None:
    """The row's outcome if its job finished (None if the dead worker took it down)."""
    if isinstance(job, RowOutcome):
        return job
    if not job.done() or job.cancelled():
        return None
    exc = job.exception()
    if exc is None:
        return job.result()
    if isinstance(exc, BrokenProcessPool):
        return None
    return _lost(source, exc)


def _alone(source: SourceRow, runner: _Runner) -> RowOutcome:
    """Run one row with nothing else in flight; a death now is the row's own."""
    try:
        return runner.submit(source).result()
    except BrokenProcessPool:
        runner.restart()
        return _lost(source)
    except Exception as exc:
        return _lost(source, exc)


DIED_ALONE = ("the worker process scoring this row died, and died again when the row ran "
              "alone (killed by the system, perhaps out of memory); the row was not scored")
"""The reason reported for a row whose worker process dies even when the row runs alone."""


def _lost(source: SourceRow, exc: BaseException | None = None) -> RowOutcome:
    """The error outcome of a row whose worker was lost.

    ``exc`` says how (None: it died, even alone).
    """
    reason = (DIED_ALONE if exc is None
              else f"the worker running this row stopped ({type(exc).__name__}: {exc})")
    return RowOutcome(source.row, "error", source.label, (FieldError("", reason),))


# --------------------------------------------------------------------------- summary


@dataclass
class BatchSummary:
    """Counts over a batch: rows, scored, invalid, internal errors, rows per verdict."""

    rows: int = 0
    scored: int = 0
    invalid: int = 0
    errors: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: RowOutcome) -> None:
        """Count one outcome."""
        self.rows += 1
        if outcome.status == "scored":
            self.scored += 1
            self.verdicts[outcome.verdict or ""] += 1
        elif outcome.status == "invalid":
            self.invalid += 1
        else:
            self.errors += 1

    def to_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready dictionary."""
        return {"rows": self.rows, "scored": self.scored, "invalid": self.invalid,
                "errors": self.errors, "verdicts": dict(sorted(self.verdicts.items()))}

    def text(self) -> str:
        """One line for people: ``12 rows: 10 scored, 2 invalid; High risk 7, ...``."""
        line = f"{counted(self.rows, 'row')}: {self.scored:,} scored, {self.invalid:,} invalid"
        if self.errors:
            line += f", {counted(self.errors, 'internal error')}"
        if self.verdicts:
            line += "; " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.verdicts.items()))
        return line


# --------------------------------------------------------------------------- writers


class CsvResults:
    """Writes outcomes as CSV rows: the batch columns, then the report's CSV columns.

    The header comes from the first scored row; invalid rows before it wait (a bounded
    number; past that, or when nothing scores, the columns come from a tiny probe plan
    scored with the batch's rubric). Every cell is neutralised against formula injection.
    """

    MAX_WAITING = 256

    def __init__(self, handle: IO[str], settings: BatchSettings) -> None:
        """Write to ``handle`` under ``settings``; the header waits for the first scored row."""
        import csv

        self.writer = csv.writer(handle, lineterminator="\r\n")
        self.settings = settings
        self.columns: tuple[str, ...] | None = None
        self.waiting: list[RowOutcome] = []

    def write(self, outcome: RowOutcome) -> None:
        """Write one outcome (or hold it until the columns are known)."""
        if self.columns is None:
            if outcome.status == "scored":
                self._start(outcome.columns)
            else:
                self.waiting.append(outcome)
                if len(self.waiting) > self.MAX_WAITING:
                    self._start(probe_columns(self.settings))
                return
        self._row(outcome)

    def close(self) -> None:
        """Write anything still waiting."""
        if self.columns is None:
            self._start(probe_columns(self.settings))

    def _start(self, report_columns: tuple[str, ...]) -> None:
        self.columns = report_columns
        self.writer.writerow([*BATCH_COLUMNS, *report_columns])
        waiting, self.waiting = self.waiting, []
        for outcome in waiting:
            self._row(outcome)

    def _row(self, outcome: RowOutcome) -> None:
        self.writer.writerow(
            [neutralise(str(cell)) for cell in result_cells(outcome, self.columns)]
        )


def result_cells(outcome: RowOutcome, report_columns: tuple[str, ...] | None) -> list[Any]:
    """The CSV cells of one outcome under the given report columns (not yet neutralised)."""
    columns = report_columns or ()
    record = outcome.record or {}
    cells: list[Any] = [
        outcome.row,
        outcome.status,
        printable(";".join(dict.fromkeys(e.path for e in outcome.errors if e.path))),
        printable(" | ".join(str(e) for e in outcome.errors)),
    ]
    if outcome.status == "scored":
        cells.extend(record.get(name, "") for name in columns)
    else:
        label = printable(outcome.label)
        cells.extend(label if name in LABEL_COLUMNS else "" for name in columns)
    return cells


def printable(text: str) -> str:
    r"""``text`` with anything UTF-8 cannot hold written as its escape.

    That is a lone surrogate from a plan file's ``"\ud800"``; so an unscored row's label or
    reason can always be written out.

    A scored row needs none of this: its plan was encoded as UTF-8 to be hashed.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


LABEL_COLUMNS = frozenset({"company", "company_name", "company.name"})
"""Report columns that name the offer; an invalid row shows its company name there."""


class JsonLinesResults:
    """Writes outcomes as JSON lines, one object per input row, in input order.

    Scored: ``{"row", "status": "scored", "seed", "verdict", "evaluation": {...}}`` with the
    whole Evaluation dictionary; invalid or error: ``{"row", "status", "label", "errors":
    [{"path", "message"}]}`` where ``path`` is the CSV column.
    """

    def __init__(self, handle: IO[str]) -> None:
        """Write JSON lines to ``handle``."""
        self.handle = handle

    def write(self, outcome: RowOutcome) -> None:
        """Write one outcome as one line."""
        self.handle.write(json.dumps(outcome_json(outcome), ensure_ascii=False,
                                     allow_nan=False) + "\n")

    def close(self) -> None:
        """Nothing is held back."""


def outcome_json(outcome: RowOutcome) -> dict[str, Any]:
    """The JSON object of one outcome (see :class:`JsonLinesResults`).

    ``row`` and ``status`` come first; the evaluation's keys are sorted, as in the JSON that
    ``oppeval evaluate`` prints.
    """
    if outcome.status == "scored":
        return {"row": outcome.row, "status": "scored", "seed": outcome.seed,
                "verdict": outcome.verdict, "evaluation": _sorted_keys(outcome.record)}
    return {"row": outcome.row, "status": outcome.status, "label": printable(outcome.label),
            "errors": [{k: printable(v) for k, v in e.to_dict().items()}
                       for e in outcome.errors]}


def _sorted_keys(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _sorted_keys(node[k]) for k in sorted(node)}
    if isinstance(node, list):
        return [_sorted_keys(v) for v in node]
    return node


def as_csv_outcome(outcome: RowOutcome) -> RowOutcome:
    """A scored outcome holding a whole Evaluation, restated as its flat CSV record."""
    if outcome.status != "scored" or outcome.columns or outcome.record is None:
        return outcome
    return replace(outcome, record=flat_row(outcome.record),
                   columns=tuple(csv_columns(outcome.record)))


def probe_columns(settings: BatchSettings) -> tuple[str, ...]:
    """The report's CSV columns under this batch's rubric, from a tiny probe evaluation."""
    return _probe_columns(settings.rubric_text)


@cache
def _probe_columns(rubric_text: str | None) -> tuple[str, ...]:
    rubric = load_rubric() if rubric_text is None else _rubric(rubric_text)
    evaluation = evaluate(Plan.from_dict(dict(PROBE_PLAN)),
                          Assumptions.from_overrides(PROBE_OVERRIDES), rubric=rubric)
    return tuple(csv_columns(evaluation.to_dict()))


# --------------------------------------------------------------------------- the command


def run_batch(plans_csv: str | Path, out: str | Path, *, workers: int | None = None,
              fmt: OutputFormat = "csv", dask_scheduler: str | None = None,
              seed: int = DEFAULT_SEED, overrides: Mapping[str, Any] | None = None,
              rubric_path: str | Path | None = None, engine: str = "vectorised",
              progress: bool | None = None) -> BatchSummary:
    """Score every row of ``plans_csv`` into ``out`` (CSV or JSON lines); return the summary.

    Raises :class:`~evaluator.errors.InputError` before any work when the CSV cannot be read
    (it is read through once first, in bounded pieces), an override or the rubric is bad, or
    ``out`` cannot be written. The output is written to
    ``OUT.partial`` and renamed to ``out`` when every row is done (``-`` streams to stdout).
    ``progress`` None shows a progress bar only when stderr is a terminal.
    """
    settings = BatchSettings(seed=seed, overrides=dict(overrides or {}),
                             rubric_text=_read_rubric(rubric_path), engine=engine, fmt=fmt)
    settings.assumptions()
    if settings.rubric_text is not None:
        parse_rubric_text(settings.rubric_text, str(rubric_path))
    source = Path(plans_csv)
    if str(out) != "-" and _resolved(Path(out)) == source.resolve():
        raise InputError([FieldError("--output", f"{out} is the input CSV; write the results "
                                                 "to another file")])
    total = count_rows(source)  # the whole file is read through once before any work
    summary = BatchSummary()
    show = sys.stderr.isatty() if progress is None else progress
    with open_csv(source) as handle, _output(out) as sink, _progress(show, total) as bar:
        rows = open_rows(handle, source.resolve().parent)
        writer: CsvResults | JsonLinesResults = (
            CsvResults(sink, settings) if fmt == "csv" else JsonLinesResults(sink)
        )
        for outcome in score_rows(rows, settings, workers=workers,
                                  dask_scheduler=dask_scheduler):
            writer.write(outcome)
            summary.add(outcome)
            bar.update(1)
        writer.close()
    return summary


def _resolved(out: Path) -> Path:
    """The output path with links resolved; InputError for a loop of symbolic links."""
    try:
        return out.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        raise InputError([FieldError("--output", f"{out} cannot be written: it is a loop of "
                                                 "symbolic links")]) from None


@contextlib.contextmanager
def _output(out: str | Path) -> Iterator[IO[str]]:
    """The results stream: stdout for ``-``, else ``OUT.partial``, renamed to OUT at the end."""
    if str(out) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    try:
        handle = open(partial, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError([FieldError("--output", f"{out} cannot be written: "
                                                 f"{exc.strerror or exc}")]) from None
    with handle:
        yield handle
    os.replace(partial, target)


def _read_rubric(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([FieldError("--rubric", f"{path} cannot be read: {exc}")]) from None


class _NoBar:
    def update(self, n: int) -> None:
        """No progress bar."""


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Any]:
    """A tqdm bar with rate and time left for ``total`` rows, or nothing."""
    if not show:
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="row", desc="scoring", file=sys.stderr,
              dynamic_ncols=True, smoothing=0.1) as bar:
        yield bar


__all__ = [
    "BATCH_COLUMNS", "BatchSettings", "BatchSummary", "CsvResults", "CsvUnreadable",
    "JsonLinesResults", "RowOutcome", "row_seed", "run_batch", "score_row", "score_rows",
]
