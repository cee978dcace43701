"""The quick-check blueprint: the first page, a recruit's questions in a recruiter's words.

``GET /`` shows the questions; ``POST /quick`` maps the answers onto a plan
(:mod:`evaluator.quickcheck`) and either shows the report (``action=evaluate``) or opens the
full form filled with that plan (``action=form``) for the rest. Any problem is shown beside its
question, in plain words, with every answer kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, redirect, render_template, request, url_for

from evaluator import quickcheck
from evaluator.errors import FieldError
from evaluator.web import form, formdata
from evaluator.web.submission import Submission

bp = Blueprint("quick", __name__)

CURRENCIES: tuple[str, ...] = ("USD", "CAD", "EUR", "GBP", "AUD")
"""Currencies offered by the quick check (the full form takes any ISO 4217 code)."""


def _answers(values: Mapping[str, str]) -> dict[str, str]:
    names = {quickcheck.PREFIX + q.key for q in quickcheck.QUESTIONS}
    names |= {quickcheck.PREFIX + "currency"}
    names |= {f"assumptions.{name}" for name, _, _ in quickcheck.ASSUMPTION_QUESTIONS}
    return {k: str(values.get(k) or "") for k in names}


def render_quick(answers: Mapping[str, str], errors: list[FieldError] | None = None,
                 status: int = 200) -> tuple[str, int]:
    """The quick-check page with ``answers`` filled in and each error beside its question."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors or []:
        if error.path:
            by_field.setdefault(error.path, []).append(error.message)
        else:
            general.append(error.message)
    labels = {quickcheck.PREFIX + q.key: q.text for q in quickcheck.QUESTIONS}
    labels.update({f"assumptions.{n}": t for n, t, _ in quickcheck.ASSUMPTION_QUESTIONS})
    page = render_template(
        "web/quick.html",
        questions=quickcheck.QUESTIONS,
        time_questions=quickcheck.ASSUMPTION_QUESTIONS,
        prefix=quickcheck.PREFIX,
        answers=answers,
        errors=by_field,
        general=general,
        labels=labels,
        currencies=CURRENCIES,
        input_id=formdata.input_id,
    )
    return page, status


@bp.get("/")
def index() -> Response | tuple[str, int]:
    """The quick check, empty.

    ``/?sample=<name>`` (the full form's address before the quick check took ``/``) sends the
    visitor on to the full form, filled from that sample.
    """
    if "sample" in request.args:
        return redirect(url_for("form.index", sample=request.args["sample"]), 301)
    return render_quick({})


@bp.post("/quick")
def check() -> Response | tuple[str, int]:
    """Map the answers onto a plan; save and redirect to its report, or the full form filled."""
    answers = _answers(request.form)
    result = quickcheck.build(answers)
    overrides = {name: answers[f"assumptions.{name}"].strip()
                 for name, _, _ in quickcheck.ASSUMPTION_QUESTIONS
                 if answers[f"assumptions.{name}"].strip()}
    sub = Submission(doc=result.document, overrides=overrides)
    if result.errors:
        return render_quick(answers, result.errors, status=422)
    state = formdata.state_from_document(result.document)
    if request.form.get("action") == "form":
        became = "; ".join(what for _, what in result.became if not what.startswith("not known"))
        return form.render_form(
            state, sub,
            notice=f"The form holds your quick-check answers ({became}). What you did not "
            "know stays unknown. Add what you know, then evaluate it.",
        )
    sub.check()
    if sub.errors:
        placed = [FieldError(quickcheck.question_for(e.path, result) or e.path, e.message)
                  for e in sub.errors]
        known = {quickcheck.PREFIX + q.key for q in quickcheck.QUESTIONS}
        known |= {f"assumptions.{n}" for n, _, _ in quickcheck.ASSUMPTION_QUESTIONS}
        return render_quick(answers, [e if e.path in known else FieldError("", e.message)
                                      for e in placed], status=422)
    return form.show_report_or_form(state, sub)
