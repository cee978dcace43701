"""The batch blueprint: score a spreadsheet of offers from the browser or the API.

``GET /batch`` shows the upload form; ``POST /batch`` checks the uploaded CSV and its settings
(any refusal is answered at once, beside its input), then starts a batch job and answers 303 to
the job's own address, ``GET /batch/<job_id>``. While the job runs, that page says how many rows
are done of how many and reloads itself every :data:`REFRESH_SECONDS` seconds (a meta refresh:
the app's policy allows no inline script); once done it shows the summary, one table row per
input row (scored with its verdict, or invalid with its reasons) and a download link for the
results CSV (held in the page itself; the whole evaluations, about 60 kB a row, come from the API
instead). Jobs are kept in the server's memory only (:class:`BatchJobs`): each visitor's for that
visitor only (the session's random id), at most :data:`MAX_JOBS_PER_VISITOR` per visitor and
:data:`MAX_JOBS` in all, a finished one for :data:`JOB_KEEP_SECONDS` seconds (the app setting
``OPPEVAL_BATCH_JOB_SECONDS`` changes it); a finished job keeps only its page (table, summary and
results CSV), not the evaluations.
``POST /api/v1/batch`` takes the CSV as the request body and answers with JSON
(``{"summary", "rows"}``, each row as in the JSON-lines output) or, with ``?format=csv``, the
results CSV. Both score with the bundled rubric chosen (the page's select, the API's
``?rubric=<stem>``, as for a single plan; default: the default rubric) and both use the same
batch functions as the
command line, under web limits: at most :data:`MAX_ROWS` rows and :data:`MAX_BYTES` bytes,
no ``plan_file`` column (a web upload has no folder), the web's simulation limits and a time
budget for the whole batch (:data:`BATCH_BUDGET`, refused before any row runs). The rows run
one after another in the server's own process (the page's job in a thread of its own, the API in
the request's thread), each as one evaluation in its own heavy-work
slot (``service.heavy_work``), so other visitors' evaluations take turns with a batch's rows
instead of waiting for the whole batch; each row's Monte-Carlo runs use the server's worker
processes as any evaluation's do. App setting: ``OPPEVAL_DEFAULT_OVERRIDES`` (assumptions
applied first).
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from evaluator.assumptions import SPECS
from evaluator.batch import (
    BatchSettings,
    BatchSummary,
    CsvResults,
    RowOutcome,
    as_csv_outcome,
    outcome_json,
    score_row,
)
from evaluator.batch_rows import OUTPUT_FORMATS, data_rows, open_rows, text_stream
from evaluator.errors import FieldError, InputError, LimitError, error_body
from evaluator.report import view
from evaluator.resources import data_dir
from evaluator.web import csrf, formdata, service
from evaluator.web.api import assumption_parameter, rubric_parameter, unknown_parameters
from evaluator.web.service import RubricChoice
from evaluator.web.submission import Submission

bp = Blueprint("batch", __name__)
NAV_LINK = ("Score a spreadsheet", "batch.page")

MAX_ROWS = 100
"""Most data rows a web batch may hold (the command line has no such limit)."""

MAX_BYTES = 1_000_000
"""Largest CSV a web batch accepts, in bytes."""

WEB_EXAMPLE = "batch_example_web.csv"
"""The bundled example the page offers (plan_samples/): inline rows only, no ``plan_file``."""

PAGE_INPUTS: dict[str, str] = {"seed": "Base seed", "rubric": "Rubric"}
"""The page's inputs that errors can be shown beside, with their labels."""


@dataclass(frozen=True)
class WebBatch:
    """A finished web batch: its summary and one outcome per input row (JSON records)."""

    summary: BatchSummary
    outcomes: tuple[RowOutcome, ...]

    def csv_text(self, settings: BatchSettings) -> str:
        """The results as the command line's CSV."""
        buffer = io.StringIO(newline="")
        writer = CsvResults(buffer, settings)
        for outcome in self.outcomes:
            writer.write(as_csv_outcome(outcome))
        writer.close()
        return buffer.getvalue()



BATCH_BUDGET = 1_700_000_000
"""Most simulated participant-months one web batch may ask for, all its rows together (each
row is also held to ``service.EVALUATION_BUDGET``): :data:`MAX_ROWS` rows at the web's default
assumptions fit (16,800,000 each, sensitivity re-runs included), 34 rows at the
per-evaluation budget do."""


def check_size(data: bytes) -> int:
    """Refuse an empty or oversize upload, or one with more than :data:`MAX_ROWS` rows.

    Returns its number of data rows.
    """
    if len(data) > MAX_BYTES:
        raise LimitError([FieldError("", f"the CSV is {len(data):,} bytes; the web limit is "
                                         f"{MAX_BYTES:,} bytes (use oppeval batch for larger "
                                         "files)")])
    rows = data_rows(text_stream(data))
    if rows > MAX_ROWS:
        raise LimitError([FieldError("", f"the CSV has {rows:,} rows; the web limit is "
                                         f"{MAX_ROWS:,} rows (use oppeval batch for more)")])
    return rows


def check_budget(rows: int, settings: BatchSettings) -> None:
    """Refuse a batch whose rows together may simulate more than :data:`BATCH_BUDGET`."""
    each = service.evaluation_cost(settings.assumptions())
    if rows * each > BATCH_BUDGET:
        raise LimitError([FieldError(
            "", f"this batch would simulate up to {rows * each:,} participant-months "
                f"({view.counted(rows, 'row')} of up to {each:,} each); the web's time budget "
                f"per batch is {BATCH_BUDGET:,} participant-months: send fewer rows, lower "
                "max_participants, horizon_months or runs, or use oppeval batch")])


def check_batch(data: bytes, settings: BatchSettings) -> int:
    """Refuse a batch over any web limit before a row runs (LimitError); its number of rows."""
    rows = check_size(data)
    service.check_limits(settings.overrides)
    check_budget(rows, settings)
    return rows


def run_web_batch(data: bytes, settings: BatchSettings,
                  progress: Callable[[int], None] | None = None) -> WebBatch:
    """Score an uploaded CSV under the web limits; InputError when it cannot be scored.

    Each row that is evaluated holds a heavy-work slot for that row only; ``progress`` is told
    the number of rows done after each row.
    """
    check_batch(data, settings)
    summary = BatchSummary()
    outcomes = []
    for source in open_rows(text_stream(data), None):
        if source.document is None or source.errors:
            outcome = score_row(source, settings)  # invalid before scoring: nothing to run
        else:
            with service.heavy_work():
                outcome = score_row(source, settings)
        summary.add(outcome)
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes))
    return WebBatch(summary, tuple(outcomes))


# ---------------------------------------------------------------- batch jobs

MAX_JOBS = 20
"""Most batch jobs the server keeps at once, all visitors together (the tool's choice)."""

MAX_JOBS_PER_VISITOR = 3
"""Most batch jobs one visitor may have kept at once, running or finished (the tool's choice)."""

JOB_KEEP_SECONDS = 600
"""How long a finished batch job's page is kept, in seconds (app setting
``OPPEVAL_BATCH_JOB_SECONDS``; the tool's choice)."""

REFRESH_SECONDS = 2
"""How often a running job's page reloads itself, in seconds."""


@dataclass(frozen=True)
class FinishedBatch:
    """What a finished job's page shows: the summary, the table, the results CSV, the rubric."""

    summary: BatchSummary
    table: tuple[dict[str, Any], ...]
    csv_text: str
    scored_with: Any


@dataclass
class BatchJob:
    """One web batch started from the page: who started it, how far it is, and its outcome."""

    id: str
    visitor: str
    file_name: str
    seed_text: str
    rubric: RubricChoice
    total: int
    done: int = 0
    finished_at: float | None = None
    result: FinishedBatch | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether every row has run (or the batch stopped on an error)."""
        return self.finished_at is not None


class JobLimitError(LimitError):
    """A visitor, or the server, already keeps as many batch jobs as allowed."""


class BatchJobs:
    """One app's batch jobs, in the order they started (bounded, thread-safe).

    A finished job is forgotten :data:`JOB_KEEP_SECONDS` after it finished; a new job makes room
    by forgetting its visitor's, then anyone's, oldest finished job; a running job is never
    dropped, so when the limits are reached by running jobs, a new one is refused.
    """

    def __init__(self, keep_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """No jobs yet; finished ones are kept ``keep_seconds``."""
        self.keep_seconds = keep_seconds
        self.clock = clock
        self._jobs: OrderedDict[str, BatchJob] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many jobs are kept now (expired ones dropped first)."""
        with self._lock:
            self._expire()
            return len(self._jobs)

    def get(self, job_id: str, visitor: str | None) -> BatchJob | None:
        """Job ``job_id`` if ``visitor`` started it and it is still kept, else None."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id)
        return job if job is not None and job.visitor == visitor else None

    def add(self, job: BatchJob) -> None:
        """Keep a new job; JobLimitError when its visitor or the server has no room left."""
        with self._lock:
            self._expire()
            for limit, same in ((MAX_JOBS_PER_VISITOR, lambda j: j.visitor == job.visitor),
                                (MAX_JOBS, lambda j: True)):
                kept = [j for j in self._jobs.values() if same(j)]
                if len(kept) < limit:
                    continue
                oldest = next((j for j in kept if j.finished), None)
                if oldest is None:
                    whose = "you have" if limit == MAX_JOBS_PER_VISITOR else "the server has"
                    raise JobLimitError([FieldError("", f"{whose} {limit} batches running; "
                                                        "wait for one to finish and try again")])
                del self._jobs[oldest.id]
            self._jobs[job.id] = job

    def finish(self, job: BatchJob, result: FinishedBatch | None,
               errors: list[FieldError]) -> None:
        """Record a job's outcome; its kept time starts now."""
        with self._lock:
            job.result, job.errors = result, errors
            job.finished_at = self.clock()

    def _expire(self) -> None:
        now = self.clock()
        for job in [j for j in self._jobs.values()
                    if j.finished_at is not None and now - j.finished_at >= self.keep_seconds]:
            del self._jobs[job.id]


def batch_jobs() -> BatchJobs:
    """This app's batch jobs (in ``app.extensions``)."""
    jobs = current_app.extensions.get("oppeval_batch_jobs")
    if jobs is None:
        keep = float(current_app.config.get("OPPEVAL_BATCH_JOB_SECONDS", JOB_KEEP_SECONDS))
        jobs = current_app.extensions.setdefault("oppeval_batch_jobs", BatchJobs(keep))
    return jobs


def start_job(data: bytes, settings: BatchSettings, *, file_name: str, seed_text: str,
              rubric: RubricChoice) -> BatchJob:
    """Check the batch against every web limit, then run it in a thread of its own.

    Raises LimitError (JobLimitError when no job may start) or InputError before anything runs.
    """
    total = check_batch(data, settings)
    visitor = service.visitor_key() or ""
    job = BatchJob(secrets.token_urlsafe(16), visitor, file_name, seed_text, rubric, total)
    jobs = batch_jobs()
    jobs.add(job)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_run_job, args=(app, jobs, job, data, settings),
                     name=f"batch-{job.id[:6]}", daemon=True).start()
    return job


def _run_job(app: Flask, jobs: BatchJobs, job: BatchJob, data: bytes,
             settings: BatchSettings) -> None:
    """Score the job's rows (each in a heavy-work slot) and keep only what its page shows."""
    def progress(done: int) -> None:
        job.done = done

    with app.app_context():
        try:
            result = run_web_batch(data, settings, progress)
        except InputError as exc:
            jobs.finish(job, None, list(exc.errors))
            return
        except Exception:
            app.logger.exception("batch job %s failed", job.id)
            jobs.finish(job, None, [FieldError("", "the batch stopped on an internal error; "
                                                   "no results were kept")])
            return
        jobs.finish(job, FinishedBatch(
            result.summary, tuple(table_row(o) for o in result.outcomes),
            result.csv_text(settings), settings.rubric()), [])


def _settings(overrides: Mapping[str, str], seed_text: str | None,
              rubric: RubricChoice) -> BatchSettings:
    """The batch's settings.

    Raises LimitError when the assumptions exceed the web's limits; else InputError listing every
    problem with the assumptions, the seed and the rubric at once, as the offer form and the
    evaluate API list them.
    """
    service.check_limits(overrides)
    errors = Submission(overrides=dict(overrides), seed_text=seed_text or "",
                        rubric=rubric).check().errors
    if errors:
        raise InputError(errors)
    defaults = dict(current_app.config.get("OPPEVAL_DEFAULT_OVERRIDES") or {})
    seed = service.parse_seed(seed_text)
    return BatchSettings(overrides=defaults | dict(overrides), fmt="json",
                         rubric_text=service.rubric_text(rubric),
                         **({} if seed is None else {"seed": seed}))


# ---------------------------------------------------------------- the page


@bp.get("/batch")
def page() -> str:
    """The upload form."""
    return _render_page("", RubricChoice())


@bp.get("/batch/example.csv")
def example_csv() -> Response:
    """The bundled web example, to download, edit and upload again."""
    return send_file(data_dir("plan_samples") / WEB_EXAMPLE, mimetype="text/csv",
                     as_attachment=True, download_name=WEB_EXAMPLE)


@bp.post("/batch/example")
def example() -> tuple[str, int] | Response:
    """Score the bundled web example, as if it had been uploaded."""
    data = (data_dir("plan_samples") / WEB_EXAMPLE).read_bytes()
    return _score_upload(data, WEB_EXAMPLE)


@bp.post("/batch")
def upload() -> tuple[str, int] | Response:
    """Start scoring the uploaded CSV: 303 to the job's page, or the refusal beside its input."""
    upload_file = request.files.get("csv")
    data = upload_file.read(MAX_BYTES + 1) if upload_file else b""
    return _score_upload(data, (upload_file.filename if upload_file else "") or "batch.csv")


def _score_upload(data: bytes, file_name: str) -> tuple[str, int] | Response:
    """Start a job for one CSV (303 to its page), or the page with every error beside its input."""
    seed_text = request.form.get("seed", "")
    rubric = RubricChoice(stem=request.form.get("rubric", ""))
    errors = [] if data else [FieldError("", "choose a CSV file to score")]
    try:
        settings = _settings({}, seed_text, rubric)
    except InputError as exc:
        errors.extend(exc.errors)
    if errors:
        return _render_page(seed_text, rubric, errors), 400 if not data else 422
    try:
        job = start_job(data, settings, file_name=file_name, seed_text=seed_text, rubric=rubric)
    except JobLimitError as exc:
        return _render_page(seed_text, rubric, exc.errors), 429
    except LimitError as exc:
        return _render_page(seed_text, rubric, exc.errors), 413
    except InputError as exc:
        return _render_page(seed_text, rubric, exc.errors), 422
    return redirect(url_for("batch.job_page", job_id=job.id), 303)


@bp.get("/batch/<job_id>")
def job_page(job_id: str) -> tuple[str, int] | str:
    """A batch job's page: rows done of total while it runs, the results once it is done."""
    job = batch_jobs().get(job_id, service.visitor_key())
    if job is None:
        abort(404)
    if not job.finished:
        return _render_page(job.seed_text, job.rubric, job=job, refresh=REFRESH_SECONDS,
                            file_name=job.file_name)
    if job.result is None:
        return _render_page(job.seed_text, job.rubric, job.errors, job=job), 422
    result = job.result
    return _render_page(
        job.seed_text,
        job.rubric,
        job=job,
        result=result,
        scored_with=result.scored_with,
        table=result.table,
        download=_data_uri(result.csv_text, "text/csv"),
        file_name=job.file_name,
        kept_for=kept_for(batch_jobs().keep_seconds),
    )


def kept_for(seconds: float) -> str:
    """How long a finished job is kept, in words: ``45 seconds``, ``1 minute``, ``10 minutes``."""
    if seconds < 60:
        return view.counted(max(1, round(seconds)), "second")
    return view.counted(round(seconds / 60), "minute")


def _render_page(seed_text: str, rubric: RubricChoice, errors: list[FieldError] | None = None,
                 **context: Any) -> str:
    """The batch page keeping the visitor's seed and rubric, every error beside its input."""
    context.setdefault("result", None)
    context.setdefault("job", None)
    context.setdefault("refresh", None)
    return render_template(
        "web/batch.html",
        counted=view.counted,
        errors=formdata.place_errors(errors or [], PAGE_INPUTS),
        seed=seed_text,
        rubric=rubric,
        rubrics=service.bundled_rubrics(),
        default_rubric=service.default_rubric_stem(),
        limits=_limits(),
        **context,
    )


def _limits() -> dict[str, int]:
    return {"rows": MAX_ROWS, "bytes": MAX_BYTES}


def _data_uri(text: str, media_type: str) -> str:
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{media_type};charset=utf-8;base64,{payload}"


def table_row(outcome: RowOutcome) -> dict[str, Any]:
    """What the page's table shows for one outcome."""
    evaluation = outcome.record or {}
    score = (evaluation.get("score") or {}).get("value")
    economics = evaluation.get("economics") or {}
    return {
        "row": outcome.row,
        "status": outcome.status,
        "company": outcome.label,
        "verdict": outcome.verdict or "",
        "score": "" if score is None else f"{score:.0f}",
        "currency": economics.get("currency") or "",
        "first_year_cost": economics.get("first_year_cost"),
        "errors": [str(e) for e in outcome.errors],
        "reason": verdict_reason(evaluation),
    }


def verdict_reason(evaluation: Mapping[str, Any]) -> str:
    """Why a scored row got its verdict: the red flag that set the floor, or the score's band.

    Written from ``score.overrides_applied`` and the score itself; empty for a row not scored.
    """
    score = evaluation.get("score") or {}
    if not score:
        return ""
    labels = {i.get("id"): i.get("label") for i in evaluation.get("indicators") or []}
    floors = [
        f"red flag: {labels.get(o.get('indicator')) or o.get('indicator')} is "
        f"{o.get('level')}, which sets the verdict to at least {o.get('verdict')}"
        for o in score.get("overrides_applied") or []
    ]
    if floors:
        return "; ".join(floors)
    value = score.get("value")
    shown = "unknown" if value is None else f"{value:.0f}"
    return f"score {shown} of 100 falls in the {score.get('verdict')} band; no red flag applied"


# ---------------------------------------------------------------- the API


@bp.post("/api/v1/batch")
@csrf.exempt
def api() -> Response | tuple[Response, int]:
    """Score the CSV body; JSON ``{"summary", "rows"}`` or, with ``?format=csv``, CSV."""
    data = request.get_data(cache=False)
    args = request.args
    errors = unknown_parameters(args)
    fmt = args.get("format", "json")
    if fmt not in OUTPUT_FORMATS:
        errors.append(FieldError("format", f"{fmt!r} is not one of " + ", ".join(OUTPUT_FORMATS),
                                 fmt))
    try:
        settings = _settings({n: args[n] for n in SPECS if n in args}, args.get("seed"),
                             RubricChoice(stem=args.get("rubric", "")))
    except LimitError as exc:
        return jsonify(error_body(exc.errors)), 413
    except InputError as exc:
        errors.extend(exc.errors)
    if errors:
        return jsonify(error_body(errors)), 422
    if not data.strip():
        return jsonify(error_body([FieldError("", "the body is empty; send the batch CSV "
                                                  "(text/csv)")])), 400
    try:
        result = run_web_batch(data, settings)
    except LimitError as exc:
        return jsonify(error_body(exc.errors)), 413
    except InputError as exc:
        return jsonify(error_body(exc.errors)), 422
    if fmt == "csv":
        return Response(result.csv_text(settings), content_type="text/csv; charset=utf-8")
    body = {"summary": result.summary.to_dict(),
            "rows": [outcome_json(o) for o in result.outcomes]}
    return Response(json.dumps(body, ensure_ascii=False, allow_nan=False, sort_keys=True),
                    content_type="application/json")


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/batch": {
        "post": {
            "operationId": "scoreBatch",
            "summary": "Score a batch CSV of offers",
            "description": (
                f"The body is a batch CSV (the README's batch CSV format), at most "
                f"{MAX_ROWS} rows and {MAX_BYTES:,} bytes, without plan_file. Every input row "
                "gets one result row, in input order: scored, or invalid with the column and "
                "the reason. Every row is scored with the rubric chosen."
            ),
            "parameters": [
                {"name": "format", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                {"name": "seed", "in": "query", "required": False,
                 "description": "Base seed; each row's seed derives from it and the row's "
                                "input hash.",
                 "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}},
                rubric_parameter(),
                *(assumption_parameter(name) for name in SPECS),
            ],
            "requestBody": {"required": True,
                            "content": {"text/csv": {"schema": {"type": "string",
                                                                "pattern": r"\S",
                                                                "maxLength": MAX_BYTES}}}},
            "responses": {
                "200": {"description": "One result per input row, and the summary.",
                        "content": {"application/json": {"schema": {"type": "object"}},
                                    "text/csv": {"schema": {"type": "string"}}}},
                "400": _error("The body is empty."),
                "413": _error("Too many rows or bytes."),
                "422": _error("The CSV cannot be read, or a parameter is wrong."),
            },
        }
    }
}
