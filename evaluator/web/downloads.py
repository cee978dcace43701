"""The downloads blueprint: the report a visitor sees, again, as PDF, JSON, CSV or HTML.

A report page packs its submission (plan, assumptions, seed, rubric) into a token;
``GET /download/<format>?token=...`` evaluates it again (same input + rubric + seed gives the
same evaluation) and returns that format as an attachment. No state is kept on the server; the
report pages themselves link their saved report's short addresses (``evaluator.web.reports``).
Every report response of the web app (these downloads and the API) is made by
``service.report_response``, whose ``Content-Disposition`` names the file in ASCII and, exactly,
in RFC 5987 form, so any company name can be downloaded.
``GET /report.css`` serves the report's style sheet to the pages that show a report.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from evaluator.errors import InputError
from evaluator.report.html import report_css
from evaluator.web import service
from evaluator.web.submission import from_token

bp = Blueprint("downloads", __name__)


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
            return service.report_response(evaluation, fmt, attachment=True)
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
