"""The compare blueprint: 2 to 4 saved reports side by side under one set of assumptions.

``GET /compare?r=<id>&r=<id>`` (each ``r`` a report id or its whole address) evaluates every
report's plan under the first report's assumptions, rubric and seed, and shows the offers side
by side (``evaluator.compare``); ``GET /compare/download/<format>`` gives the same comparison as
PDF, CSV or a standalone HTML page. A report saved under those very settings by this engine
version is taken as saved: evaluation is deterministic, so evaluating it again would give the
same bytes. Without two reports the page shows a form to name them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from evaluator import ENGINE_VERSION
from evaluator.compare import MAX_OFFERS, MIN_OFFERS, Comparison, compare
from evaluator.errors import FieldError, InputError
from evaluator.library.store import REPORT_ID, SavedReport
from evaluator.report.comparison import (
    COMPARISON_RENDERERS,
    comparison_css,
    render_comparison_fragment,
)
from evaluator.web import service
from evaluator.web.reports import library
from evaluator.web.service import RubricChoice

bp = Blueprint("compare", __name__)

DOWNLOADS = {"pdf": "PDF", "html": "HTML page", "csv": "CSV table"}
"""Comparison downloads, in the order shown, with their labels."""

MAX_ADDRESS_CHARS = 500
"""Longest report address the form reads (an address is about 60 characters)."""


def report_ids(values: list[str]) -> tuple[list[str], list[FieldError]]:
    """The report ids the ``r`` parameters name (an id or a whole address each), and problems."""
    texts = [v.strip()[:MAX_ADDRESS_CHARS] for v in values if v.strip()]
    ids, errors = [], []
    for number, text in enumerate(texts, start=1):
        candidate = text.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if REPORT_ID.fullmatch(candidate):
            ids.append(candidate)
        else:
            errors.append(FieldError(f"report {number}", f"{text!r} is not the address of a "
                                     "saved report (it looks like …/reports/<id>)", text))
    if not MIN_OFFERS <= len(texts) <= MAX_OFFERS:
        errors.append(FieldError("reports", f"name {MIN_OFFERS} to {MAX_OFFERS} saved reports "
                                 f"to compare; {len(texts)} given"))
    elif len(set(ids)) < len(ids):
        errors.append(FieldError("reports", "the same report is named twice; name different "
                                 "reports"))
    return ids, errors


def _evaluation(report: SavedReport, base: SavedReport) -> dict[str, Any]:
    """The report's plan evaluated under the base report's assumptions, rubric and seed."""
    same = (report.assumptions == base.assumptions and report.seed_text == base.seed_text
            and (report.rubric_stem, report.rubric_text) == (base.rubric_stem, base.rubric_text)
            and report.engine_version == ENGINE_VERSION)
    if same:
        return report.evaluation()
    from evaluator.web.submission import Submission

    evaluation = Submission(
        doc=report.plan, overrides=dict(base.assumptions), seed_text=base.seed_text,
        rubric=RubricChoice(stem=base.rubric_stem, text=base.rubric_text),
    ).evaluate()
    result: dict[str, Any] = json.loads(evaluation.to_json())
    return result


def comparison_of(ids: list[str]) -> tuple[Comparison | None, list[FieldError], int]:
    """The comparison of saved reports, or the problems and the status to answer with."""
    saved = []
    missing = []
    for number, report_id in enumerate(ids, start=1):
        report = library().fetch(report_id)
        if report is None:
            missing.append(FieldError(f"report {number}", "there is no saved report at this "
                                      "address: it was deleted, it expired, or the address is "
                                      "incomplete", report_id))
        else:
            saved.append(report)
    if missing:
        return None, missing, 404
    try:
        evaluations = [_evaluation(report, saved[0]) for report in saved]
    except InputError as exc:
        return None, list(exc.errors), 422
    return compare(evaluations), [], 200


def _form_page(errors: list[FieldError], values: list[str], status: int) -> tuple[str, int]:
    fields = (values + [""] * MAX_OFFERS)[:MAX_OFFERS]
    return render_template("web/compare.html", comparison=None, errors=[str(e) for e in errors],
                           fields=fields, max_offers=MAX_OFFERS), status


@bp.get("/compare")
def page() -> tuple[str, int]:
    """The offers side by side, or the form to name the reports to compare."""
    values = request.args.getlist("r")
    ids, errors = report_ids(values)
    if not any(v.strip() for v in values):
        return _form_page([], [], 200)
    if errors:
        return _form_page(errors, values, 422)
    comparison, errors, status = comparison_of(ids)
    if comparison is None:
        return _form_page(errors, values, status)
    links = {label: url_for("compare.download", fmt=fmt, r=ids)
             for fmt, label in DOWNLOADS.items()}
    return render_template(
        "web/compare.html",
        comparison=render_comparison_fragment(comparison, **links),
        title=" · ".join(o.name for o in comparison.offers),
        reports=[(o, url_for("reports.show", report_id=i))
                 for o, i in zip(comparison.offers, ids, strict=True)],
        errors=[], fields=(ids + [""] * MAX_OFFERS)[:MAX_OFFERS], max_offers=MAX_OFFERS,
    ), 200


@bp.get("/compare/download/<fmt>")
def download(fmt: str) -> Response | tuple[str, int]:
    """The comparison as a PDF, CSV or standalone HTML page, as an attachment."""
    if fmt not in DOWNLOADS:
        abort(404)
    values = request.args.getlist("r")
    ids, errors = report_ids(values)
    comparison, status = None, 422
    if not errors:
        comparison, errors, status = comparison_of(ids)
    if comparison is None:
        return _form_page(errors, values, status)
    renderer = COMPARISON_RENDERERS[fmt]
    with service.heavy_work():
        body = renderer.render_bytes(comparison)
    response = Response(body, content_type=renderer.media_type)
    response.headers["Content-Disposition"] = service.content_disposition(
        f'comparison-{"-".join(o.letter for o in comparison.offers)}.{renderer.extension}'
    )
    if fmt == "html":
        response.headers["Content-Security-Policy"] = service.standalone_page_policy(body)
    return response


@bp.get("/compare.css")
def stylesheet() -> Response:
    """The comparison's own style rules (pages link the report's style sheet first)."""
    response = Response(comparison_css(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response
