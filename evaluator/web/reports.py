"""The reports blueprint: saved reports at permanent addresses, their downloads and their owners.

``POST /evaluate`` saves each evaluation (:func:`save_and_redirect`) and answers ``303`` to
``GET /reports/<id>``, which shows the report again from its stored canonical JSON, after any
restart, with downloads at ``/reports/<id>/download/<format>``. The first view after saving
shows the delete token once (it travels in the visitor's signed session cookie, never in an
address); with it, ``POST /reports/<id>/delete`` deletes the report and
``POST /reports/<id>/public`` lists it on ``GET /reports`` (or takes it off). Only public
reports are ever listed. The library is made from the app's settings by :func:`init_app`:
``OPPEVAL_DATABASE_URL`` (default: SQLite at ``<instance folder>/oppeval-reports.sqlite3``)
and ``OPPEVAL_REPORT_DAYS`` (default 90).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from evaluator.library import DEFAULT_KEEP_DAYS, LibraryUnavailable, ReportDraft, ReportStore
from evaluator.library.store import SavedReport, sqlite_url
from evaluator.report import view
from evaluator.report.html import render_html_fragment
from evaluator.web import service
from evaluator.web.service import RubricChoice

bp = Blueprint("reports", __name__)
NAV_LINK = ("Public reports", "reports.index")

DATABASE_FILE = "oppeval-reports.sqlite3"
"""The default SQLite file's name, in the app's instance folder (never a served folder)."""

NEW_TOKENS = "oppeval_new_reports"
"""Session key: delete tokens of reports just saved, each shown once and then forgotten."""

KEPT_NEW_TOKENS = 4
"""Most unseen delete tokens the session holds (a cookie is small)."""

UNAVAILABLE = (
    "The report library cannot be read or written just now: its database is missing, damaged "
    "or unreachable. Nothing was lost on this page; tell the site's operator, or use the "
    "command line (oppeval evaluate), which needs no database."
)
"""What a visitor reads when the database fails (its details go to the server's log only)."""

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Make the app's report library from its settings (the database opens on first use)."""
    url = app.config.get("OPPEVAL_DATABASE_URL") or os.environ.get("OPPEVAL_DATABASE_URL")
    if not url:
        url = sqlite_url(Path(app.instance_path) / DATABASE_FILE)
    raw_days = app.config.get("OPPEVAL_REPORT_DAYS") or os.environ.get("OPPEVAL_REPORT_DAYS")
    try:
        days = int(raw_days or DEFAULT_KEEP_DAYS)
    except ValueError:
        raise ValueError(
            f"OPPEVAL_REPORT_DAYS must be a whole number of days, not {raw_days!r}"
        ) from None
    if days < 1:
        raise ValueError(f"OPPEVAL_REPORT_DAYS must be at least 1, not {days}")
    store = ReportStore(url, keep_days=days)
    if store.is_sqlite and store.url.database and app.static_folder:
        database = Path(store.url.database).resolve()
        if database.is_relative_to(Path(app.static_folder).resolve()):
            raise ValueError("OPPEVAL_DATABASE_URL must not name a file under the served "
                             f"static folder ({app.static_folder})")
    app.extensions["oppeval_library"] = store


def library() -> ReportStore:
    """The current app's report library."""
    store: ReportStore = current_app.extensions["oppeval_library"]
    return store


@bp.app_errorhandler(LibraryUnavailable)
def unavailable(exc: LibraryUnavailable) -> tuple[str, int]:
    """A clear page (with the usual headers) when the database fails; the detail is logged."""
    log.error("report library unavailable: %s", exc)
    return unavailable_page(), 503


def unavailable_page() -> str:
    """The error page shown when the report library fails."""
    return render_template("web/error.html", title="The report library is unavailable",
                           message=UNAVAILABLE)


def save_report(evaluation: Any, doc: Any, overrides: dict[str, str], seed_text: str,
                rubric: RubricChoice) -> str:
    """Save an evaluation and what was asked; keep its delete token for the first view.

    Raises LimitError when the report is over the size limit, LibraryUnavailable when the
    database fails.
    """
    draft = ReportDraft(plan=doc, assumptions=dict(overrides), seed_text=seed_text,
                        rubric_stem=rubric.stem, rubric_text=rubric.text,
                        evaluation_json=evaluation.to_json())
    report_id, token = library().save(draft)
    tokens = dict(session.get(NEW_TOKENS) or {})
    tokens[report_id] = token
    session[NEW_TOKENS] = dict(list(tokens.items())[-KEPT_NEW_TOKENS:])
    return report_id


def report_address(report_id: str) -> str:
    """The report's permanent address, absolute."""
    return url_for("reports.show", report_id=report_id, _external=True)


def fetch_or_404(report_id: str) -> SavedReport:
    """The saved report, or the 404 page explaining why there is none."""
    report = library().fetch(report_id)
    if report is None:
        abort(Response(render_template(
            "web/error.html",
            title="There is no report at this address",
            message=(
                "No saved report has this address: it was deleted, it expired "
                f"({library().keep_days} days after it was saved, unless its author made it "
                "public), or the address is incomplete. Evaluate the offer again from the form."
            ),
        ), 404, mimetype="text/html"))
    return report


def day(timestamp: int | None) -> str:
    """A Unix time as a UTC date, e.g. ``3 December 2026``."""
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return f"{moment.day} {moment:%B %Y}"


def download_links(report_id: str) -> dict[str, str]:
    """Download label -> address, for the saved report."""
    return {
        label: url_for("reports.download", report_id=report_id, fmt=fmt)
        for fmt, label in service.DOWNLOAD_LABELS.items()
    }


def change_token(report: SavedReport) -> str:
    """The token the "Change the figures" button sends: the report's submission, again."""
    from evaluator.web.submission import Submission

    return Submission(
        doc=report.plan, overrides=dict(report.assumptions), seed_text=report.seed_text,
        rubric=RubricChoice(stem=report.rubric_stem, text=report.rubric_text),
    ).token()


@bp.get("/reports")
def index() -> str:
    """The reports their authors made public, newest first."""
    shown = library().public_reports()
    return render_template("web/reports.html", reports=shown, day=day)


@bp.get("/reports/<report_id>")
def show(report_id: str) -> str:
    """A saved report, rendered from its stored JSON; its delete token on the first view only."""
    report = fetch_or_404(report_id)
    tokens = dict(session.get(NEW_TOKENS) or {})
    new_token = tokens.pop(report_id, "")
    if new_token:
        session[NEW_TOKENS] = tokens
    evaluation = report.evaluation()
    links = download_links(report_id)
    with view.dated(saved_day(report)):
        fragment = render_html_fragment(evaluation, **links)
        service.render_pdf_ahead(evaluation)
    return render_template(
        "web/saved_report.html",
        report=fragment,
        evaluation=evaluation,
        saved=report,
        address=report_address(report_id),
        saved_on=day(report.created_at),
        expires_on=day(library().expires_at(report)),
        new_token=new_token,
        token=change_token(report),
        message=request.args.get("done", ""),
    )


@bp.get("/reports/<report_id>/download/<fmt>")
def download(report_id: str, fmt: str) -> Response:
    """The saved report in ``fmt``, rendered from its stored JSON, as an attachment."""
    if fmt not in service.FORMATS:
        abort(404)
    report = fetch_or_404(report_id)
    with view.dated(saved_day(report)):
        return service.report_response(report.evaluation(), fmt, attachment=True)


def saved_day(report: SavedReport) -> date:
    """The UTC day a report was saved: the date its pages and downloads carry, always."""
    return datetime.fromtimestamp(report.created_at, UTC).date()


def _refused(report_id: str) -> tuple[str, int]:
    return render_template(
        "web/library_message.html",
        title="The delete token does not match",
        message=("The delete token you typed is not this report's, so nothing was changed. "
                 "Only the token shown when the report was saved can delete it or make it "
                 "public."),
        back=url_for("reports.show", report_id=report_id),
    ), 403


@bp.post("/reports/<report_id>/delete")
def delete(report_id: str) -> tuple[str, int]:
    """Delete a saved report, given its delete token."""
    fetch_or_404(report_id)
    if not library().delete(report_id, request.form.get("delete_token", "").strip()):
        return _refused(report_id)
    return render_template(
        "web/library_message.html",
        title="The report was deleted",
        message="The report is gone from the library; its address now shows nothing.",
    ), 200


@bp.post("/reports/<report_id>/public")
def publish(report_id: str) -> Response | tuple[str, int]:
    """List a saved report on the public page (it is then kept), or take it off."""
    fetch_or_404(report_id)
    public = request.form.get("public") == "yes"
    if not library().set_public(report_id, request.form.get("delete_token", "").strip(), public):
        return _refused(report_id)
    done = "public" if public else "private"
    return redirect(url_for("reports.show", report_id=report_id, done=done), 303)
