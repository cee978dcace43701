"""The advocates blueprint: the methodology generated from a rubric, and checking one's own.

``GET /methodology`` (``?rubric=<name>``) shows a bundled rubric as a page: every indicator
with its weight, bands, reason, citations and question; the verdict bands; the overrides; the
sources. ``POST /methodology`` checks an uploaded rubric file and shows either its methodology
(with the way to use it on the form) or every error, each with its path in the file.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from evaluator.errors import RubricError
from evaluator.rubric import MAX_RUBRIC_BYTES, Rubric, parse_rubric_text
from evaluator.web import service
from evaluator.web.service import RubricChoice

bp = Blueprint("advocates", __name__)


def _page(
    rubric: Rubric | None,
    stem: str = "",
    uploaded_text: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "web/methodology.html",
            rubric=rubric,
            stem=stem,
            rubrics=service.bundled_rubrics(),
            uploaded_text=uploaded_text,
            errors=errors or [],
            limit=MAX_RUBRIC_BYTES,
        ),
        status,
    )


@bp.get("/methodology")
def methodology() -> tuple[str, int]:
    """The methodology of a bundled rubric (the default unless ``?rubric=`` names another)."""
    stem = request.args.get("rubric") or service.default_rubric_stem()
    try:
        rubric = service.resolve_rubric(RubricChoice(stem=stem))
    except RubricError as exc:
        return _page(None, errors=[str(e) for e in exc.errors], status=404)
    return _page(rubric, stem=stem)


@bp.post("/methodology")
def check_rubric() -> tuple[str, int]:
    """Check an uploaded rubric file; show its methodology or every error in it."""
    upload = request.files.get("rubric_file")
    if upload is None or not upload.filename:
        return _page(None, errors=["rubric_file: choose a rubric file (.yaml) to check"],
                     status=422)
    data = upload.stream.read(MAX_RUBRIC_BYTES + 1)
    try:
        text = data.decode("utf-8")
        with service.heavy_work():  # a rubric's YAML can cost seconds of CPU
            rubric = parse_rubric_text(text, upload.filename)
    except UnicodeDecodeError:
        return _page(None, errors=[f"{upload.filename}: the rubric is not UTF-8 text"], status=422)
    except RubricError as exc:
        return _page(None, errors=str(exc).splitlines(), status=422)
    return _page(rubric, uploaded_text=text)
