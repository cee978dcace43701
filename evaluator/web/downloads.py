"""The downloads blueprint: the report a visitor sees, again, as PDF, JSON, CSV or HTML.

A report page packs its submission (plan, assumptions, seed, rubric) into a token;
``GET /download/<format>?token=...`` evaluates it again (same input + rubric + seed gives the
same evaluation) and returns that format as an attachment. No state is kept on the server.
Every report response of the web app (these downloads and the API) is made by
:func:`report_download`, whose ``Content-Disposition`` names the file in ASCII and, exactly, in
RFC 5987 form (:func:`content_disposition`), so any company name can be downloaded.
``GET /report.css`` serves the report's style sheet to the pages that show a report.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request

from evaluator.errors import InputError
from evaluator.report.html import report_css
from evaluator.web import service
from evaluator.web.submission import from_token

bp = Blueprint("downloads", __name__)

_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(filename: str) -> str:
    """``filename`` in ASCII letters, digits, dots, dashes and underscores (accents dropped,
    other characters removed); ``report`` stands in for a stem left empty."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = _NOT_ASCII_NAME.sub("-", folded).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"-{2,}", "-", stem).strip("-._") or "report"
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value that any server can send (header values travel as
    Latin-1): an ASCII ``filename=`` for old clients and the exact name as RFC 5987
    ``filename*=UTF-8''...``, which browsers prefer."""
    exact = quote(filename.encode("utf-8", "replace"), safe="!#$&+-.^_`|~")
    return f"{disposition}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{exact}"


def report_download(evaluation: Any, fmt: str, *, attachment: bool) -> Response:
    """The evaluation in ``fmt`` as a response (see ``service.report_response``), with a
    ``Content-Disposition`` from :func:`content_disposition` whenever it is a file."""
    response = service.report_response(evaluation, fmt, attachment=attachment)
    if "Content-Disposition" in response.headers:
        response.headers["Content-Disposition"] = content_disposition(
            service.download_name(evaluation, fmt)
        )
    return response


@bp.get("/download/<fmt>")
def download(fmt: str) -> Response | tuple[str, int]:
    """The evaluation the token packs, in format ``fmt``, as an attachment."""
    if fmt not in service.FORMATS:
        abort(404)
    sub = from_token(request.args.get("token", ""))
    if not sub.errors:
        sub.check()
    if not sub.errors:
        try:
            evaluation = sub.evaluate()
        except InputError as exc:
            sub.errors.extend(exc.errors)
        else:
            return report_download(evaluation, fmt, attachment=True)
    return (
        render_template(
            "web/error.html",
            title="This report cannot be downloaded",
            message="The plan sent with the download was refused:",
            errors=[str(e) for e in sub.errors],
        ),
        422,
    )


@bp.get("/report.css")
def stylesheet() -> Response:
    """The report's style sheet (screen and print rules)."""
    response = Response(report_css(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response
